"""benchmarks/selection.py --table: the table's summary of a selector run with several seeds."""

import json

import pytest


def _row(charged: float, free: float) -> dict:
    return {"gap_charged": charged, "gap_free": free, "fit_seconds": 1.0, "predict_seconds": 0.1}


@pytest.fixture
def table_of(run_benchmark, tmp_path, capsys):
    def run(results: dict) -> list[str]:
        path = tmp_path / "selection.json"
        path.write_text(json.dumps(results))
        assert run_benchmark("selection", ["--table", str(path)]) == 0
        return capsys.readouterr().out.splitlines()

    return run


def test_seed_groups_pair_the_base_row_with_its_seed_rows(table_of):
    names = ["stack", "stack-seed2", "stack-seed1", "sunny", "auto-seed1", "stack-s5-seed1", "stack-s5"]
    results = {"scenarios": {"A": {"published_best_gap": 0.5, "selectors": {n: _row(0.5, 0.5) for n in names}}}}
    summaries = [line for line in table_of(results) if line.startswith("seeds ")]
    # auto-seed1 alone is no group; sunny has no seed rows
    assert [line.split(" over ")[0].split() for line in summaries] == [["seeds", "0,1,2", "of", "stack"],
                                                                       ["seeds", "0,1", "of", "stack-s5"]]


def test_seed_summary_averages_each_seed_over_the_scenarios_all_seeds_have(table_of):
    results = {"scenarios": {
        "A": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.6, 0.7), "stack-seed1": _row(0.4, 0.5)}},
        "B": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.8, 0.9), "stack-seed1": _row(0.6, 0.7)}},
        "C": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.0, 0.0)}},  # seed 1 missing: left out
    }}
    (line,) = [line for line in table_of(results) if line.startswith("seeds ")]
    assert "seeds 0,1 of stack" in line and "over  2 scenarios" in line
    # seed 0: charged (0.6 + 0.8) / 2 = 0.7, seed 1: 0.5; mean 0.6, sd 0.141
    assert "charged 0.600 (sd 0.141; 0.700 / 0.500)" in line
    assert "free 0.700 (sd 0.141; 0.800 / 0.600)" in line
