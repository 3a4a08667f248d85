"""The stacked selector's pieces: weight grid, score normalisation, out-of-sample member scores,
and that its choices are made on the training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from algoconf.selection.data.aslib import FeatureStep
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.registry import make_selector
from algoconf.selection.offline.stacking import StackingSelector, mean_row_range, normalise_scores, simplex_grid
from algoconf.selection.offline.survival import _snap

SMALL = {"regression": {"n_estimators": 10}, "pairwise": {"n_estimators": 8}, "pairwise-regression": {"n_estimators": 8}}


def _two_regimes(n=80, seed=0, noise_feature=False) -> PerformanceData:
    """Algorithm a is fast when x > 0, b when x < 0; the loser times out."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    X = np.column_stack([x, rng.normal(size=n)])
    time = np.where(np.column_stack([x > 0, x <= 0]), rng.uniform(1, 5, (n, 2)), 50.0)
    event = time < 50.0
    return PerformanceData(
        tuple(f"i{k}" for k in range(n)), ("a", "b"), time, event, np.ones((n, 2), bool), 50.0,
        X, ("x", "noise"), folds=np.arange(n) % 4 + 1, name="regimes",
    )


def test_simplex_grid_is_the_simplex_with_the_even_blend_first():
    grid = simplex_grid(3, 0.25)
    assert len(grid) == 15  # C(4 + 2, 2)
    assert all(abs(w.sum() - 1) < 1e-12 and (w >= 0).all() for w in grid)
    assert np.ptp(grid[0]) <= 0.25 + 1e-12  # most even first
    assert any(np.allclose(w, [1, 0, 0]) for w in grid)  # single members are candidates
    assert len(simplex_grid(1, 0.25)) == 1


def test_normalise_scores_per_row_with_pruned_columns_worst():
    s = np.array([[10.0, 20.0, 30.0, 5.0], [3.0, 3.0, 3.0, 0.0]])
    out = normalise_scores(s, candidates=[0, 1, 2])
    assert out[0, :3].tolist() == [0.0, 0.5, 1.0]
    assert out[0, 3] == 1.5 and out[1, 3] > out[1, :3].max()  # a pruned column never beats a candidate
    assert out[1, :3].tolist() == [0.5, 0.5, 0.5]  # no spread: indifferent
    scaled = normalise_scores(s, candidates=[0, 1, 2], scale=10.0)
    assert scaled[0, :3].tolist() == [0.0, 1.0, 2.0] and scaled[0, 3] == 2.5  # the margin is kept
    assert scaled[1, :3].tolist() == [0.0, 0.0, 0.0]
    assert mean_row_range(s, [0, 1, 2]) == pytest.approx(10.0)


@pytest.mark.parametrize("name,params", [
    ("regression", {"n_estimators": 10}),
    ("pairwise", {"n_estimators": 10, "oob": True}),
    ("pairwise-regression", {"n_estimators": 10}),
    ("sunny", {"k": 5}),
])
def test_out_of_sample_scores_of_members_pick_the_right_regime(name, params):
    data = _two_regimes()
    sel = make_selector(name, random_state=0, **params).fit(data)
    oob = sel.oob_scores()
    assert oob.shape == (data.n_instances, data.n_algorithms)
    right = np.mean(np.argmin(oob, axis=1) == np.argmin(data.cost(), axis=1))
    assert right > 0.85, f"{name}: out-of-sample choice right on {right:.2f}"


def test_pairwise_without_oob_refuses_out_of_bag_scores():
    from algoconf.errors import SelectionInputError

    sel = make_selector("pairwise", n_estimators=5, random_state=0).fit(_two_regimes())
    with pytest.raises(SelectionInputError):
        sel.oob_scores()


def test_stack_weights_ignore_a_member_that_cannot_see_the_signal():
    """k-NN on (x, noise) with k large is blurred; regression is not -- the weights must favour it,
    and the stack's training-only choice reaches most of the gap."""
    from algoconf.selection.offline.evaluation import evaluate

    data = _two_regimes(n=120, seed=2)
    stack = StackingSelector(members=("regression", "knn"), member_params={"regression": {"n_estimators": 15}, "knn": {"k": 60, "scaling": "standard"}},
                             random_state=0).fit(data)
    assert stack.weights_["regression"] >= 0.5
    assert stack.normalisation_ in ("minmax", "scaled")
    assert set(stack.inner_costs_) >= {"select", "sunny", "presolve=0"}
    report = evaluate(StackingSelector(members=("regression", "knn"), member_params={"regression": {"n_estimators": 15}},
                                       random_state=0), data, feature_cost="free")
    assert report.gap_closed > 0.8


def test_stack_rejects_unknown_members():
    from algoconf.errors import SelectionInputError

    with pytest.raises(SelectionInputError):
        StackingSelector(members=("magic",)).fit(_two_regimes())


def test_survival_time_grid_keeps_censoring_at_the_cutoff():
    rng = np.random.default_rng(0)
    t = np.concatenate([rng.uniform(0.01, 90, 300), np.full(50, 100.0)])
    e = t < 100.0
    snapped = _snap(t, e, 16, 100.0)
    assert len(np.unique(snapped)) <= 17
    assert np.all(snapped[~e] == pytest.approx(100.0))
    order = np.argsort(t)
    assert np.all(np.diff(snapped[order]) >= 0)  # the order of times is kept
    assert np.median(np.abs(np.log(snapped[e]) - np.log(t[e]))) < 0.2
    assert np.array_equal(_snap(t[:10], e[:10], 16, 100.0), t[:10])  # few times: unchanged


def _partial_features(all_missing: bool) -> PerformanceData:
    """Like ``_two_regimes``, but the feature step failed on a third of the instances. Its
    extractor still wrote ``x`` (the informative feature) unless ``all_missing``."""
    base = _two_regimes(n=150, seed=5)
    failed = np.arange(base.n_instances) % 3 == 0
    X = base.features.copy()
    X[failed, 1] = np.nan
    if all_missing:
        X[failed, 0] = np.nan
    status = np.where(failed, "memout", "ok").reshape(-1, 1)
    return PerformanceData(
        base.instances, base.algorithms, base.time, base.event, base.observed, base.cutoff, X, base.feature_names,
        folds=base.folds, name="partial", feature_steps={"all": FeatureStep("all", ("x", "noise"))}, default_steps=("all",),
        feature_status=status, feature_costs=np.ones((base.n_instances, 1)),
    )


@pytest.mark.parametrize("all_missing", [False, True])
def test_stack_learns_whether_failed_but_partial_features_are_worth_using(all_missing):
    from algoconf.selection.offline.evaluation import evaluate

    data = _partial_features(all_missing)
    ok, _ = data.step_outcome(None)
    assert (~ok).sum() == 50  # the failed instances are failed for the evaluation too
    stack = StackingSelector(member_params=SMALL, random_state=0).fit(data)
    failed = np.flatnonzero(~ok)
    plans = stack.predict(data.features[failed], ok[failed])
    backup = [(stack.algorithms_[stack.backup_], stack.cutoff_)]
    if all_missing:  # nothing to predict from: the backup, as for every selector
        assert stack.partial_features_ == "backup" and all(p == backup for p in plans)
    else:  # x survived the failure: predicting from it beats any single backup on these rows
        assert stack.partial_features_ == "predict"
        assert stack.inner_costs_["partial=predict"] < stack.inner_costs_["partial=backup"]
        right = np.mean([p[0][0] == data.algorithms[int(np.argmin(data.cost()[i]))] for p, i in zip(plans, failed)])
        assert right > 0.85
        report = evaluate(StackingSelector(member_params=SMALL, random_state=0), data, feature_cost="free")
        assert report.gap_closed > 0.8


def test_select_cv_cost_is_not_flattered_by_choosing_among_many_blends():
    """70 blends that are all the same in truth (iid noise per row): the best one's training cost is
    optimistic, the inner-CV estimate of the choice is not; a blend better everywhere is found."""
    rng = np.random.default_rng(0)
    stack = StackingSelector(inner_folds=5, random_state=0)
    noise = rng.exponential(100.0, size=(70, 300))
    best_training = noise.mean(axis=1).min()
    honest = stack._select_cv_rows(noise).mean()
    assert honest > best_training + 5.0
    assert abs(honest - 100.0) < 15.0
    better = noise.copy()
    better[17] = noise[17] * 0.5
    assert stack._select_cv_rows(better).mean() == pytest.approx(better[17].mean())


def test_one_standard_error_rule_prefers_the_even_blend_only_when_the_data_cannot_tell():
    from algoconf.errors import SelectionInputError
    from algoconf.selection.offline.stacking import choose_blend

    rng = np.random.default_rng(1)
    base = rng.exponential(100.0, size=300)
    evenness = np.array([1.0, 0.5, 0.25])  # a single member, a two-member blend, the even blend
    # candidates that differ by small per-row noise: the best by mean is a fluke, the even one is kept
    swing = rng.normal(0.0, 20.0, 300)
    swing += 0.3 - swing.mean()  # the even blend: 0.3 worse on average, by +-20 per row (SE ~1.2)
    near = np.array([base, base + 5.0, base + swing])  # the middle one is worse on every row
    assert choose_blend(near, evenness, "best") == 0
    assert choose_blend(near, evenness, "1se") == 2
    # a member clearly better on every row: both rules take it
    clear = np.array([base * 0.5, base, base * 1.01])
    assert choose_blend(clear, evenness, "1se") == 0
    assert choose_blend(clear, evenness, "best") == 0
    with pytest.raises(SelectionInputError, match="rule must be one of"):
        choose_blend(near, evenness, "median")


def test_stack_rejects_an_unknown_blend_or_mode_rule():
    from algoconf.errors import SelectionInputError

    with pytest.raises(SelectionInputError, match="blend_rule"):
        StackingSelector(blend_rule="median", member_params=SMALL).fit(_two_regimes())
    with pytest.raises(SelectionInputError, match="mode_rule"):
        StackingSelector(mode_rule="mean", member_params=SMALL).fit(_two_regimes())


def test_mode_rule_keeps_sunny_schedules_unless_select_is_clearly_cheaper():
    rng = np.random.default_rng(2)
    sunny = rng.exponential(100.0, 300)
    swing = rng.normal(0.0, 20.0, 300)
    select_close = sunny + swing - swing.mean() - 0.5  # 0.5 cheaper on average, SE of the difference ~1.2
    select_clear = sunny - 10.0  # cheaper on every row
    one_se, best = StackingSelector(), StackingSelector(mode_rule="best")
    assert one_se._choose_mode(select_close, sunny) == "sunny"
    assert best._choose_mode(select_close, sunny) == "select"
    assert one_se._choose_mode(select_clear, sunny) == best._choose_mode(select_clear, sunny) == "select"
    assert best._choose_mode(sunny, sunny) == "select"  # a tie keeps select under "best"
    assert one_se._choose_mode(sunny + 10.0, sunny) == best._choose_mode(sunny + 10.0, sunny) == "sunny"


def test_fitted_mode_follows_the_inner_cv_row_costs():
    """The fitted stack's mode is the rule applied to its own inner costs (both rules on one data set)."""
    data = _two_regimes()
    for rule in ("1se", "best"):
        stack = StackingSelector(member_params=SMALL, random_state=0, mode_rule=rule).fit(data)
        select_cv, sunny_cv = stack.inner_costs_["select-cv"], stack.inner_costs_["sunny-cv"]
        if rule == "best":
            assert stack.mode_ == ("sunny" if sunny_cv < select_cv else "select")
        elif stack.mode_ == "select":
            assert select_cv < sunny_cv


@pytest.mark.parametrize("k_rule", ["best", "1se"])
def test_sunny_cv_replays_the_knn_members_own_setting_rule(k_rule):
    """The optimism correction of SUNNY mode chooses the (scaling, k) per inner fold the way the
    member does; under ``k_rule="best"`` that is the plain lowest-mean choice among all settings."""
    data = _two_regimes()
    params = {name: dict(p) for name, p in SMALL.items()}
    params["knn"] = dict(params.get("knn", {}), k_rule=k_rule)
    stack = StackingSelector(member_params=params, random_state=0).fit(data)
    knn = stack.models_["knn"]
    assert knn.k_rule == k_rule and len(knn.loo_row_costs_) > 3
    replay = stack._knn_choice_cv_rows(knn)
    candidates = np.array(list(knn.loo_row_costs_.values()))
    # every row's cost is one of the candidate settings' costs on that row
    assert np.all(np.any(np.isclose(candidates, replay[None, :]), axis=0))
    if k_rule == "best":
        assert np.allclose(replay, stack._select_cv_rows(candidates, rule="best"))


def _costly_steps(n: int = 200) -> PerformanceData:
    """``x`` (which says who wins) comes from a cheap step; ``noise`` from a step that costs 40 %
    of the cutoff; the scenario's default computes both."""
    base = _two_regimes(n=n, seed=7)
    steps = {"cheap": FeatureStep("cheap", ("x",)), "dear": FeatureStep("dear", ("noise",))}
    costs = np.column_stack([np.full(n, 0.5), np.full(n, 20.0)])
    return PerformanceData(
        base.instances, base.algorithms, base.time, base.event, base.observed, base.cutoff, base.features,
        base.feature_names, folds=base.folds, name="costly", feature_steps=steps, default_steps=("cheap", "dear"),
        feature_status=np.full((n, 2), "ok"), feature_costs=costs,
    )


def test_stack_drops_a_feature_step_that_costs_more_than_it_tells():
    from algoconf.selection.offline.evaluation import evaluate
    from algoconf.selection.offline.step_choice import search_steps

    data = _costly_steps()
    stack = StackingSelector(member_params=SMALL, random_state=0).fit(data)
    assert stack.used_steps == ("cheap",)
    assert all(m.used_steps == ("cheap",) for m in stack.models_.values())
    assert stack.step_costs_[("cheap",)] < stack.step_costs_[("cheap", "dear")] - 15.0
    # the search saw the default first, then each step alone
    seen = search_steps(data, lambda steps: np.full(data.n_instances, float(len(steps))))
    assert list(seen)[:1] == [("cheap", "dear")] and {("cheap",), ("dear",)} <= set(seen)
    # the search is there to save feature time: sets dearer than the default are never judged
    from dataclasses import replace

    cheap_default = replace(data, default_steps=("cheap",))
    assert list(search_steps(cheap_default, lambda steps: np.full(data.n_instances, -float(len(steps))))) == [("cheap",)]
    # without charged feature cost there is nothing to save: the default steps stay
    free = StackingSelector(member_params=SMALL, random_state=0, feature_cost="free").fit(data)
    assert free.used_steps == ("cheap", "dear") and free.step_costs_ == {}
    charged = evaluate(StackingSelector(member_params=SMALL, random_state=0), data, feature_cost="charge")
    fixed = evaluate(StackingSelector(member_params=SMALL, random_state=0, step_search=False), data, feature_cost="charge")
    assert charged.par10 < fixed.par10 - 15.0


def test_step_choice_keeps_the_default_unless_another_set_is_clearly_better():
    from algoconf.selection.offline.step_choice import choose_steps

    rng = np.random.default_rng(3)
    base = rng.exponential(100.0, 400)
    wobble = rng.normal(0.0, 30.0, 400)
    wobble -= wobble.mean() + 0.5  # 0.5 better on average, by +-30 per row: indistinguishable
    assert choose_steps({("a", "b"): base, ("a",): base + wobble}) == ("a", "b")
    assert choose_steps({("a", "b"): base, ("a",): base - 20.0, ("b",): base - 10.0}) == ("a",)


def _noise_only(n=80, seed=0) -> PerformanceData:
    """b is the single best (a is faster but times out on 15 % of the instances, at random); the
    features are noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    time = np.column_stack([rng.uniform(1, 3, n), rng.uniform(2, 4, n)])
    time[rng.random(n) < 0.15, 0] = 50.0  # a times out now and then, unpredictably
    event = time < 50.0
    return PerformanceData(
        tuple(f"i{k}" for k in range(n)), ("a", "b"), time, event, np.ones((n, 2), bool), 50.0,
        X, ("n1", "n2", "n3"), folds=np.arange(n) % 4 + 1, name="noise",
    )


def test_single_best_guard_falls_back_when_the_stack_does_not_beat_it_in_inner_cv():
    data = _noise_only()
    sel = make_selector("stack", random_state=0, member_params=SMALL, sunny_schedules=False).fit(data)
    assert sel.inner_costs_["single-best-cv"] <= sel.inner_costs_["select-cv"]
    assert sel.mode_ == "single-best" and sel.presolve_schedule == [] and len(sel.columns_) == 0
    plans = sel.predict(data.features, np.zeros(data.n_instances, bool))
    assert data.algorithms[sel.sbs_] == "b" and all(p == [("b", 50.0)] for p in plans)
    off = make_selector("stack", random_state=0, member_params=SMALL, sunny_schedules=False, sbs_guard=False).fit(data)
    assert off.mode_ == "select"


def test_single_best_guard_keeps_a_stack_that_beats_the_single_best():
    data = _two_regimes()
    sel = make_selector("stack", random_state=0, member_params=SMALL).fit(data)
    assert sel.mode_ != "single-best"
    assert sel.inner_costs_[f"{sel.mode_}-cv"] < sel.inner_costs_["single-best-cv"]


def test_evaluation_measures_the_guarded_stack_fold_by_fold():
    """select evaluate fits the stack per fold, so a fold where it falls back plays the single best."""
    from algoconf.selection.offline.evaluation import evaluate

    data = _noise_only(n=120, seed=1)
    report = evaluate(lambda: make_selector("stack", random_state=0, member_params=SMALL, sunny_schedules=False), data)
    single = evaluate(lambda: make_selector("single-best"), data)
    assert report.par10 == pytest.approx(single.par10)
    assert report.mean_feature_cost == 0.0
