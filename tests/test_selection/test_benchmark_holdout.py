"""benchmarks/selection_holdout.py: choose a variant on half of the scenarios, report it on the other half."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def holdout(load_benchmark):
    return load_benchmark("selection_holdout")


def _results(gaps: dict[str, list[float]]) -> dict:
    n = len(next(iter(gaps.values())))
    return {"scenarios": {f"s{k}": {"selectors": {v: {"gap_charged": g[k], "gap_free": g[k]} for v, g in gaps.items()}}
                          for k in range(n)}}


def test_seed_rows_are_one_variant_and_partial_variants_are_left_out(holdout):
    res = _results({"a": [0.5, 0.5, 0.5, 0.5], "a-seed1": [0.7, 0.7, 0.7, 0.7], "b": [0.1, 0.2, 0.3, 0.4]})
    del res["scenarios"]["s3"]["selectors"]["b"]
    variants, scenarios, gaps = holdout.variant_gaps(res, "charged")
    assert variants == ["a"] and np.allclose(gaps, 0.6)


def test_a_variant_that_wins_only_by_luck_loses_on_the_held_out_half(holdout):
    # "lucky" is best on two scenarios and poor on the others; "steady" is good everywhere
    res = _results({"steady": [0.6, 0.6, 0.6, 0.6], "lucky": [0.99, 0.99, 0.0, 0.0]})
    variants, _, gaps = holdout.variant_gaps(res, "charged")
    r = holdout.holdout(variants, gaps, "steady")
    assert r["splits"] == 6
    # lucky wins only the half {s0, s1} (0.99 > 0.6) and then scores 0.0 on {s2, s3}
    assert r["chosen_counts"] == {"steady": 5, "lucky": 1}
    assert r["heldout_gap_of_choice_mean"] == pytest.approx((5 * 0.6 + 0.0) / 6)
    assert r["recommended"]["gap_heldout_mean"] == pytest.approx(0.6)
