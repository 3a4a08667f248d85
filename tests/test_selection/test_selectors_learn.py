"""Each selector learns an easy, feature-determined choice, and treats censoring as censoring."""

from __future__ import annotations

import numpy as np
import pytest

from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.evaluation import evaluate
from algoconf.selection.offline.registry import make_selector
from algoconf.selection.offline.survival import survival_available


def _clustered(n=90, seed=0) -> PerformanceData:
    """Three instance families; algorithm j solves family j in ~1 s, the others rarely in time."""
    rng = np.random.default_rng(seed)
    family = rng.integers(0, 3, n)
    centres = np.array([[0, 0], [5, 0], [0, 5]], dtype=float)
    X = centres[family] + rng.normal(0, 0.7, (n, 2))
    time = np.full((n, 3), 100.0)
    event = np.zeros((n, 3), dtype=bool)
    for i, f in enumerate(family):
        time[i, f], event[i, f] = rng.uniform(0.5, 2.0), True
        other = (f + 1) % 3
        time[i, other], event[i, other] = rng.uniform(20, 90), True
    return PerformanceData(
        tuple(f"i{k}" for k in range(n)), ("a", "b", "c"), time, event, np.ones((n, 3), bool), 100.0,
        X, ("x", "y"), folds=np.arange(n) % 5 + 1, name="clustered",
    )


PARAMS = {
    "regression": {"n_estimators": 15},
    "pairwise": {"n_estimators": 10},
    "sunny": {"k": 7, "schedule": False},
    "isac": {"min_cluster": 6},
    "survival-forest": {"n_estimators": 8},
    "pairwise-regression": {"n_estimators": 10},
    "stack": {"member_params": {"regression": {"n_estimators": 10}, "pairwise": {"n_estimators": 8},
                                "pairwise-regression": {"n_estimators": 8}}},
}


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_selector_closes_most_of_an_easy_gap(name):
    if name == "survival-forest" and not survival_available():
        pytest.skip("scikit-survival is not installed")
    data = _clustered()
    report = evaluate(make_selector(name, random_state=0, **PARAMS[name]), data, feature_cost="free")
    assert report.gap_closed > 0.8, f"{name}: gap closed {report.gap_closed:.2f}"
    sbs = evaluate(make_selector("single-best"), data)
    assert sbs.gap_closed < 0.2


def test_sunny_schedules_split_the_cutoff():
    data = _clustered()
    sel = make_selector("sunny", k=30, max_solvers=3, random_state=0).fit(data)
    plans = sel.predict(np.array([[2.5, 2.5]]))  # between the families: several solvers get time
    assert len(plans[0]) >= 2 and sum(b for _, b in plans[0]) == pytest.approx(100.0)


def test_sunny_auto_k_picks_the_k_with_the_lowest_leave_one_out_cost():
    data = _clustered()
    sel = make_selector("sunny", k="auto", random_state=0).fit(data)
    assert sel.k_rule == "best"
    n = data.n_instances
    expected_ks = {max(1, int(round(f * np.sqrt(n)))) for f in sel.AUTO_K_FACTORS}
    assert set(sel.k_choices_) == expected_ks
    assert sel.k_choices_[sel.k_] == min(sel.k_choices_.values())
    assert all(np.isfinite(v) for v in sel.k_choices_.values())
    # the chosen k is the one the fitted model uses
    assert sel.nn_.n_neighbors == sel.k_ and sel.oob_scores().shape == (n, 3)
    assert evaluate(make_selector("sunny", k="auto", random_state=0), data, feature_cost="free").gap_closed > 0.8


def test_sunny_1se_k_rule_takes_the_largest_k_within_one_standard_error():
    data = _clustered()
    sel = make_selector("sunny", k="auto", k_rule="1se", scaling="standard", random_state=0).fit(data)
    rows = sel.loo_row_costs_
    best = min(rows, key=lambda key: rows[key].mean())
    sem = {key: (rows[key] - rows[best]).std() / np.sqrt(len(rows[best])) for key in rows}
    near = [k for (_, k) in rows if rows[("standard", k)].mean() - rows[best].mean() <= sem[("standard", k)] + 1e-9]
    assert sel.k_ == max(near) and sel.nn_.n_neighbors == sel.k_


def test_sunny_choose_setting_replays_both_rules_on_given_rows():
    base = np.tile([0.0, 10.0], 50)  # 100 rows
    rows = {
        ("standard", 3): base,
        ("standard", 6): base + np.tile([-5.0, 6.0], 50),  # 0.5 worse on average; SE of the difference 0.55
        ("standard", 12): base + 5.0,  # clearly worse
        ("log", 3): base + 0.2,
        ("log", 6): base + 3.0,
    }
    one_se = make_selector("sunny", k_rule="1se")
    best = make_selector("sunny", k_rule="best")
    assert best.choose_setting(rows) == ("standard", 3)
    # 1-SE: standard -> k=6 (cost +0.5); log -> k=3 (+0.2, its only close one): log wins on cost
    assert one_se.choose_setting(rows) == ("log", 3)
    del rows[("log", 3)], rows[("log", 6)]
    assert one_se.choose_setting(rows) == ("standard", 6)


def test_sunny_rejects_an_unknown_k_rule():
    from algoconf.errors import SelectionInputError

    with pytest.raises(SelectionInputError, match="k_rule must be one of"):
        make_selector("sunny", k_rule="largest")


def test_sunny_auto_k_breaks_its_leave_one_out_tie_towards_the_family_size():
    """Neighbourhoods larger than a family mix families: the LOO choice must prefer small k here."""
    rng = np.random.default_rng(3)
    n = 144  # k candidates 3, 6, 12
    family = np.repeat(np.arange(36), 4)  # 36 tight families of 4
    X = rng.normal(0, 50, (36, 2))[family] + rng.normal(0, 0.01, (n, 2))
    time = np.full((n, 2), 100.0)
    event = np.zeros((n, 2), dtype=bool)
    best = rng.integers(0, 2, 36)[family]
    time[np.arange(n), best], event[np.arange(n), best] = 1.0, True
    data = PerformanceData(tuple(map(str, range(n))), ("a", "b"), time, event, np.ones((n, 2), bool), 100.0, X, ("u", "v"))
    sel = make_selector("sunny", k="auto", schedule=False, random_state=0).fit(data)
    assert sel.k_ == 3, sel.k_choices_


@pytest.mark.parametrize("bad", [0, -2, "many", 2.5, True])
def test_sunny_rejects_a_bad_k(bad):
    from algoconf.errors import SelectionInputError

    with pytest.raises(SelectionInputError, match="k must be"):
        make_selector("sunny", k=bad)


def test_schmee_hahn_predicts_censored_algorithms_slower_than_clipping():
    """An algorithm that always times out must not look as fast as the cutoff (clip) suggests."""
    rng = np.random.default_rng(1)
    n = 60
    X = rng.normal(size=(n, 2))
    time = np.column_stack([np.full(n, 10.0), rng.uniform(3, 8, n)])  # a: always censored at 10
    event = np.column_stack([np.zeros(n, bool), np.ones(n, bool)])
    data = PerformanceData(tuple(map(str, range(n))), ("a", "b"), time, event, np.ones((n, 2), bool), 10.0, X, ("u", "v"))
    sh = make_selector("regression", censoring="schmee-hahn", n_estimators=20, random_state=0).fit(data)
    clip = make_selector("regression", censoring="clip", n_estimators=20, random_state=0).fit(data)
    Xt = sh.transform(X)
    assert sh.predict_log_runtime(Xt)[:, 0].mean() > clip.predict_log_runtime(Xt)[:, 0].mean()
    assert all(p[0][0] == "b" for p in sh.predict(X))


@pytest.mark.slow
def test_auto_selector_tunes_on_training_folds_only():
    from algoconf.selection.offline.auto import AutoSelector

    data = _clustered()
    auto = AutoSelector(families=("sunny", "pairwise"), max_runs=3, inner_folds=2, random_state=0)
    auto.fit(data.subset(data.folds != 1))
    assert set(auto.family_cost_) == {"sunny", "pairwise"}
    assert auto.config_["selector"] in ("sunny", "pairwise")
    assert len(auto.trials_) >= 4 and all(t["fold"] in (1, 2) for t in auto.trials_)  # inner folds
    test = data.folds == 1
    plans = auto.predict(data.features[test])
    chosen = [p[0][0] for p in plans]
    best = [data.algorithms[j] for j in data.cost()[test].argmin(axis=1)]
    assert np.mean([a == b for a, b in zip(chosen, best)]) > 0.8


def _heavy_tailed(n=160, seed=4) -> PerformanceData:
    """Which algorithm wins depends on the order of magnitude of ``size`` (1..1e9, heavy-tailed:
    a wins on 1..1e3 and 1e6..1e9). On a linear scale the few huge instances stretch the
    standardised column, so a noise feature decides the distances among all the others."""
    rng = np.random.default_rng(seed)
    exponent = rng.uniform(0, 9, n)
    X = np.column_stack([10.0**exponent, rng.normal(size=n)])
    a_wins = (np.floor(exponent / 3) % 2) == 0
    time = np.where(np.column_stack([a_wins, ~a_wins]), 1.0, 100.0)
    event = time < 100.0
    return PerformanceData(
        tuple(f"i{k}" for k in range(n)), ("a", "b"), time, event, np.ones((n, 2), bool), 100.0,
        X, ("size", "noise"), folds=np.arange(n) % 4 + 1, name="heavy",
    )


def test_sunny_log_and_rank_scaling_see_orders_of_magnitude():
    data = _heavy_tailed()
    gaps = {s: evaluate(make_selector("sunny", k=3, scaling=s, random_state=0), data, feature_cost="free").gap_closed
            for s in ("standard", "log", "rank")}
    assert gaps["log"] > 0.9 and gaps["rank"] > 0.9, gaps
    assert gaps["standard"] < 0.75, gaps


def test_sunny_rank_scaling_is_invariant_to_a_monotone_map_of_a_feature():
    data = _clustered()
    warped = PerformanceData(data.instances, data.algorithms, data.time, data.event, data.observed, data.cutoff,
                             np.column_stack([np.exp(data.features[:, 0]), data.features[:, 1]]), data.feature_names)
    a = make_selector("sunny", k=5, scaling="rank", random_state=0).fit(data)
    b = make_selector("sunny", k=5, scaling="rank", random_state=0).fit(warped)
    probe = np.array([[0.3, 0.2], [4.0, 1.0], [1.0, 4.5]])
    warped_probe = np.column_stack([np.exp(probe[:, 0]), probe[:, 1]])
    assert a.predict(probe) == b.predict(warped_probe)
    assert np.array_equal(a.oob_scores(), b.oob_scores())


def test_sunny_auto_scaling_keeps_the_lowest_leave_one_out_cost():
    data = _heavy_tailed()
    sel = make_selector("sunny", k="auto", scaling="auto", random_state=0).fit(data)
    assert set(sel.scaling_choices_) == {"standard", "log", "rank"}
    assert sel.scaling_choices_[sel.scaling_] == min(sel.scaling_choices_.values())
    assert sel.scaling_ != "standard" and sel.loo_cost_ == pytest.approx(sel.scaling_choices_[sel.scaling_])
    assert sel.get_params()["scaling"] == "auto"  # the parameter is kept; the choice is scaling_


def test_sunny_rejects_an_unknown_scaling():
    from algoconf.errors import SelectionInputError

    with pytest.raises(SelectionInputError, match="scaling must be"):
        make_selector("sunny", scaling="minmax")
