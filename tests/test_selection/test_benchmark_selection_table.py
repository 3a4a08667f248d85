"""benchmarks/selection.py: the table's summary of a selector run with several seeds."""

import pytest


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("selection")


def _row(charged: float, free: float) -> dict:
    return {"gap_charged": charged, "gap_free": free, "fit_seconds": 1.0, "predict_seconds": 0.1}


def test_seed_groups_pair_the_base_row_with_its_seed_rows(bench):
    groups = bench.seed_groups(["stack", "stack-seed2", "stack-seed1", "sunny", "auto-seed1", "stack-s5-seed1", "stack-s5"])
    assert groups == {
        "stack": [(0, "stack"), (1, "stack-seed1"), (2, "stack-seed2")],
        "stack-s5": [(0, "stack-s5"), (1, "stack-s5-seed1")],
    }  # auto-seed1 alone is no group; sunny has no seed rows


def test_seed_summary_averages_each_seed_over_the_scenarios_all_seeds_have(bench):
    results = {"scenarios": {
        "A": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.6, 0.7), "stack-seed1": _row(0.4, 0.5)}},
        "B": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.8, 0.9), "stack-seed1": _row(0.6, 0.7)}},
        "C": {"published_best_gap": 0.5, "selectors": {"stack": _row(0.0, 0.0)}},  # seed 1 missing: left out
    }}
    (line,) = bench.seed_summary(results)
    assert "seeds 0,1 of stack" in line and "over  2 scenarios" in line
    # seed 0: charged (0.6 + 0.8) / 2 = 0.7, seed 1: 0.5; mean 0.6, sd 0.141
    assert "charged 0.600 (sd 0.141; 0.700 / 0.500)" in line
    assert "free 0.700 (sd 0.141; 0.800 / 0.600)" in line
    assert line in bench.table(results)
