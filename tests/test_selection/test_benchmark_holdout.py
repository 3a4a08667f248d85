"""benchmarks/selection_holdout.py: choose a variant on half of the scenarios, report it on the other half."""

import json

import pytest


def _results(gaps: dict[str, list[float]]) -> dict:
    n = len(next(iter(gaps.values())))
    return {"scenarios": {f"s{k}": {"selectors": {v: {"gap_charged": g[k], "gap_free": g[k]} for v, g in gaps.items()}}
                          for k in range(n)}}


@pytest.fixture
def holdout_of(run_benchmark, tmp_path):
    def run(results: dict, recommended: str) -> dict:
        path, out = tmp_path / "selection.json", tmp_path / "holdout.json"
        path.write_text(json.dumps(results))
        assert run_benchmark("selection_holdout", ["--results", str(path), "--recommended", recommended,
                                                   "--out", str(out)]) == 0
        return json.loads(out.read_text())

    return run


def test_seed_rows_are_one_variant_and_partial_variants_are_left_out(holdout_of):
    res = _results({"a": [0.5, 0.5, 0.5, 0.5], "a-seed1": [0.7, 0.7, 0.7, 0.7], "b": [0.1, 0.2, 0.3, 0.4]})
    del res["scenarios"]["s3"]["selectors"]["b"]
    out = holdout_of(res, "a")
    assert out["commit"]
    for column in ("charged", "free"):
        assert out[column]["variants"] == ["a"] and out[column]["scenarios"] == ["s0", "s1", "s2", "s3"]
        assert out[column]["best_on_all_14"]["gap"] == pytest.approx(0.6)  # seed rows averaged


def test_a_variant_that_wins_only_by_luck_loses_on_the_held_out_half(holdout_of):
    # "lucky" is best on two scenarios and poor on the others; "steady" is good everywhere
    r = holdout_of(_results({"steady": [0.6, 0.6, 0.6, 0.6], "lucky": [0.99, 0.99, 0.0, 0.0]}), "steady")["charged"]
    assert r["splits"] == 6
    # lucky wins only the half {s0, s1} (0.99 > 0.6) and then scores 0.0 on {s2, s3}
    assert r["chosen_counts"] == {"steady": 5, "lucky": 1}
    assert r["heldout_gap_of_choice_mean"] == pytest.approx((5 * 0.6 + 0.0) / 6)
    assert r["recommended"]["gap_heldout_mean"] == pytest.approx(0.6)


def test_a_recommended_variant_not_measured_everywhere_is_refused(run_benchmark, tmp_path, capsys):
    path = tmp_path / "selection.json"
    path.write_text(json.dumps(_results({"a": [0.5, 0.5]})))
    assert run_benchmark("selection_holdout", ["--results", str(path), "--recommended", "b",
                                               "--out", str(tmp_path / "o.json")]) == 2
    assert "b is not measured on every scenario" in capsys.readouterr().err
