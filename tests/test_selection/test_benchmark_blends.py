"""benchmarks/selection_blends.py: the blending rules and the schedule player, on a made-up cache."""


import numpy as np
import pytest


@pytest.fixture(scope="module")
def blends(load_benchmark):
    return load_benchmark("selection_blends")


def _store(cutoff=10.0):
    """Two folds, 3 algorithms; 'regression' scores are the true costs, the others are noise."""
    rng = np.random.default_rng(0)
    n, m = 40, 3
    cost = rng.uniform(0.1, 5.0, (n, m))
    cost[rng.random((n, m)) < 0.2] = 10 * cutoff  # timeouts
    folds = np.array([1, 2] * (n // 2))
    members = {}
    for name in ("regression", "pairwise", "pairwise-regression", "knn"):
        per = {}
        for f in (1, 2):
            train, test = folds != f, folds == f
            truth = name == "regression"
            per[f] = {"oob": cost[train] if truth else rng.random((train.sum(), m)),
                      "test": cost[test] if truth else rng.random((test.sum(), m)), "cand": None}
        members[name] = per
    return {"members": members, "cost": cost, "folds": folds, "cutoff": cutoff}


def test_a_perfect_member_alone_closes_the_whole_gap(blends):
    store = _store()
    choice = blends.blend_choice(store, ["regression"], hows=("minmax",))
    assert blends.gap_closed(store["cost"], store["cost"][np.arange(40), choice]) == pytest.approx(1.0)


def test_the_stack_rule_finds_the_perfect_member_among_noise(blends):
    store = _store()
    choice = blends.blend_choice(store, list(store["members"]))
    gap = blends.gap_closed(store["cost"], store["cost"][np.arange(40), choice])
    noise = blends.blend_choice(store, ["knn"], hows=("minmax",))
    assert gap > blends.gap_closed(store["cost"], store["cost"][np.arange(40), noise])
    assert gap > 0.9


def test_schedule_player_charges_the_first_share_before_the_second_runs(blends):
    cost = np.array([[1.0, 100.0], [100.0, 2.0], [100.0, 100.0], [6.0, 1.0]])  # cutoff 10, 100 = timeout
    order = np.array([[0, 1]] * 4)
    out = blends._play(cost, order, (0.5, 0.5), 10.0)
    # row 0: first solves at 1; row 1: 5 s wasted then 2; row 2: nobody; row 3: first needs 6 > 5, second at 5 + 1
    assert out.tolist() == [1.0, 7.0, 100.0, 6.0]
