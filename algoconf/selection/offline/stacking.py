"""A stacked selector: several selector families' per-algorithm scores, combined with weights
chosen out of sample on the training data.

Members (default: per-algorithm ``regression``, SATzilla ``pairwise`` votes,
``pairwise-regression`` of cost differences and the k-NN mean cost of ``sunny``, its k (among
0.25, 0.5 and 1 x sqrt(n)) and feature scaling (standard, log, rank) chosen by leave-one-out
cost) are fitted once on the training data. Each gives, for every training row, an *out-of-sample* score vector: the
forests' out-of-bag predictions (trees that did not see the row), for k-NN the row's
neighbours without itself; pairwise classification uses two-fold cross-fitted votes, because
scikit-learn draws its weighted bootstrap in proportion to the weights and heavy rows are almost
never out of bag. Scores live on different scales (expected PAR10, votes, summed
differences), so each member's scores are normalised, in one of two ways:

* ``"minmax"``: per row over the algorithms the member considers (0 = its favourite, 1 = its least
  favourite) -- every row counts the same;
* ``"scaled"``: per row minus the row's best, divided by the member's mean row range on the
  training rows -- a member that is unusually sure on a row counts more there (with two
  algorithms min-max reduces every member to a vote; this keeps the margin).

Algorithms a member pruned from its portfolio get its row maximum plus 0.5 (never its favourite).

Before the members are fitted, with feature cost charged and no ``feature_steps`` given
(``step_search``), the stack chooses which feature steps are worth their cost
(:mod:`algoconf.selection.offline.step_choice`, judged by the k-NN member's leave-one-out schedules).

``fit`` then chooses, on those out-of-sample scores of the training rows only:

1. the normalisation and the weights: every point of the simplex grid with step ``weight_step``
   (the vertices are the single members; ties go to the more even blend) for each normalisation
   in ``normalisations`` -- the row's choice is the argmin of the weighted normalised scores.
   ``blend_rule="1se"`` (default) takes the most even combination whose mean training cost is
   within one standard error (of its per-row difference to the best) of the lowest -- Breiman's
   one-standard-error rule: among blends the data cannot tell apart, the one that leans least on
   a single member; ``"best"`` takes the lowest mean training cost;
2. ``"select"`` (that choice) or ``"sunny"`` (SUNNY's per-instance schedule from the row's
   leave-one-out neighbours), by their simulated training PAR10 (runtime data). Both are costed
   per row by inner cross-validation of their own choice: the blend (``"select-cv"``) and SUNNY's
   k and scaling (``"sunny-cv"``: its leave-one-out cost plus the optimism of that choice, the
   member's own rule replayed per inner fold, :meth:`SunnySelector.choose_setting`). The
   best of many candidates' training cost is optimistic -- the best of 70 blends more than the
   best of 9 k-NN settings -- and on SAT11-INDU that bias alone kept the stack in select mode on
   every fold while SUNNY's schedules were better on the test folds. ``mode_rule="1se"``
   (default) keeps SUNNY's schedules unless select is cheaper by more than one standard error of
   the per-row difference: in a close call, the plan that hedges over several algorithms within
   the cutoff and does not move with the forests' random seed (select mode's test cost moved by
   0.12 gap closed between seeds on SAT15-INDU, SUNNY's not at all);
   ``"best"`` takes the lower mean;
3. for rows whose feature computation failed but left some values (a feature extractor that ran
   out of memory part-way, as in CSP-2010): its own plan on the imputed features or the backup
   solver, whichever cost less on such training rows (at least ``MIN_PARTIAL_ROWS`` of them; else
   the backup, as every selector does);
4. the single-best guard (``sbs_guard=True``, default): the training single best, costed per
   row by the same inner CV (per inner fold, the best mean on the other folds), against the chosen
   mode's inner-CV rows; unless the stack is cheaper it plays the single best (``mode_ =
   "single-best"``: no features computed or paid, no pre-solving). ``select fit`` and every fold
   of ``select evaluate`` fit the same class, so the evaluation measures what a fit would ship;
5. the pre-solving budget among ``presolve_options`` (fractions of the cutoff): the schedule is
   computed on ``inner_folds - 1`` folds of the training rows and simulated on the held-out fold,
   with the feature cost charged as ``feature_cost`` says.

No refit per candidate is needed, so the whole choice costs little more than fitting the members
once. The outer test fold is never seen: it is not in the data handed to ``fit``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable, Mapping, Sequence, cast

import numpy as np

from algoconf.errors import SelectionInputError
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.base import Schedule, Selector
from algoconf.selection.offline.candidate_choice import RULES
from algoconf.selection.offline.candidate_choice import choose_candidate as choose_blend
from algoconf.selection.offline.parallel import member_fitted
from algoconf.selection.offline.presolve import greedy_presolve_schedule, run_schedule
from algoconf.selection.offline.registry import make_selector
from algoconf.selection.offline.step_choice import choose_steps, search_steps

__all__ = ["StackingSelector", "choose_blend", "mean_row_range", "normalise_scores", "simplex_grid"]

MEMBERS: dict[str, tuple[str, dict[str, Any]]] = {
    "regression": ("regression", {}),
    "pairwise": ("pairwise", {"oob": True}),  # cross-fitted out-of-sample votes
    "pairwise-regression": ("pairwise-regression", {}),
    "knn": ("sunny", {"schedule": True, "k": "auto", "scaling": "auto"}),  # k and scaling by leave-one-out cost
}


def simplex_grid(k: int, step: float) -> list[np.ndarray]:
    """Weight vectors of ``k`` non-negative weights summing to 1 on a grid of ``step``, the most
    even first (so ties between equally good weightings go to the blend)."""
    if k == 1:
        return [np.ones(1)]
    units = max(1, int(round(1.0 / step)))
    points = [np.array(c, dtype=float) / units for c in itertools.product(range(units + 1), repeat=k) if sum(c) == units]
    return sorted(points, key=lambda w: (float(np.sum(w**2)), tuple(-w)))


def normalise_scores(
    scores: np.ndarray, candidates: Sequence[int] | None = None, *, scale: float | None = None
) -> np.ndarray:
    """Per row: ``scale=None`` min-max over the candidate columns (0 best, 1 worst; no spread:
    0.5); else (score - row best) / ``scale``. Non-candidate columns get the row maximum + 0.5."""
    S = np.asarray(scores, dtype=float)
    m = S.shape[1]
    cand = np.zeros(m, dtype=bool)
    cand[list(range(m)) if candidates is None else list(candidates)] = True
    sub = S[:, cand]
    lo = sub.min(axis=1, keepdims=True)
    span = sub.max(axis=1, keepdims=True) - lo
    if scale is None:
        norm = np.where(span > 0, (sub - lo) / np.where(span > 0, span, 1.0), 0.5)
    else:
        norm = (sub - lo) / (scale if scale > 0 else 1.0)
    out = np.empty(S.shape)
    out[:, cand] = norm
    out[:, ~cand] = norm.max(axis=1, keepdims=True) + 0.5
    return out


def mean_row_range(scores: np.ndarray, candidates: Sequence[int] | None = None) -> float:
    """The mean over rows of (worst - best candidate score): a member's typical margin."""
    S = np.asarray(scores, dtype=float)
    sub = S if candidates is None else S[:, list(candidates)]
    return float(np.mean(sub.max(axis=1) - sub.min(axis=1))) if len(sub) else 1.0


class StackingSelector(Selector):
    """Out-of-bag-weighted combination of selector families (see the module docstring).

    ``members``: names from :data:`MEMBERS`; ``member_params``: extra parameters per member name
    (e.g. ``{"regression": {"n_estimators": 50}}``); ``weight_step``: grid step of the weights;
    ``blend_rule``: ``"1se"`` or ``"best"`` (see :func:`choose_blend`); ``mode_rule``: the same
    for the choice between select and SUNNY mode (``_choose_mode``); ``step_search``: choose
    the feature steps when their cost is charged (``step_costs_``: every step set judged);
    ``normalisations``: the score normalisations to choose from;
    ``sunny_schedules``: allow the SUNNY-schedule mode; ``presolve_options``: pre-solving budgets
    to choose from (the shared ``presolve`` parameter is ignored); ``feature_cost``: how inner
    simulations charge feature cost ("charge" or "free"); ``sbs_guard``: fall back to the single
    best unless the stack beats it in inner CV (step 4 above). After ``fit``: ``weights_`` (member ->
    weight), ``normalisation_``, ``mode_``, ``presolve_chosen_``, ``partial_features_`` (``"predict"``
    or ``"backup"``: what rows whose features failed but left values get), ``inner_costs_`` (what each choice cost), ``mode_rows_``
    (runtime data with the SUNNY mode allowed: the per-row ``"select-cv"`` and ``"sunny-cv"`` costs
    the mode was chosen on), ``models_``
    (the fitted members, each a working selector on its own) and ``member_seconds_`` (their fit times).
    """

    name = "stack"
    produces_schedules = True
    optimises_feature_cost = True

    #: training rows with failed-but-partial features needed before their plan is learned
    MIN_PARTIAL_ROWS = 10

    def __init__(
        self,
        *,
        members: Sequence[str] = ("regression", "pairwise", "pairwise-regression", "knn"),
        member_params: Mapping[str, Mapping[str, Any]] | None = None,
        weight_step: float = 0.25,
        normalisations: Sequence[str] = ("minmax", "scaled"),
        blend_rule: str = "1se",
        mode_rule: str = "1se",
        step_search: bool = True,
        sunny_schedules: bool = True,
        presolve_options: Sequence[float] = (0.0, 0.01, 0.03),
        inner_folds: int = 5,
        feature_cost: str = "charge",
        sbs_guard: bool = True,
        **base,
    ) -> None:
        super().__init__(**base)
        self.members = tuple(members)
        self.member_params = member_params
        self.weight_step = weight_step
        self.normalisations = tuple(normalisations)
        self.blend_rule = blend_rule
        self.mode_rule = mode_rule
        self.step_search = step_search
        self.sunny_schedules = sunny_schedules
        self.presolve_options = tuple(presolve_options)
        self.inner_folds = inner_folds
        self.feature_cost = feature_cost
        self.sbs_guard = sbs_guard

    # --------------------------------------------------------------------------------- fitting
    def _fit(self, X: np.ndarray, data: PerformanceData) -> None:
        unknown = [m for m in self.members if m not in MEMBERS]
        if unknown or not self.members:
            raise SelectionInputError(f"stack: unknown members {unknown}; known: {sorted(MEMBERS)}")
        if self.feature_cost not in ("charge", "free"):
            raise SelectionInputError(f"stack: feature_cost must be 'charge' or 'free', got {self.feature_cost!r}")
        extra = dict(self.member_params or {})
        bad = [k for k in self.normalisations if k not in ("minmax", "scaled")]
        if bad or not self.normalisations:
            raise SelectionInputError(f"stack: normalisations must be among 'minmax', 'scaled'; got {list(self.normalisations)}")
        for what, rule in (("blend_rule", self.blend_rule), ("mode_rule", self.mode_rule)):
            if rule not in RULES:
                raise SelectionInputError(f"stack: {what} must be one of {list(RULES)}, got {rule!r}")
        self.step_costs_: dict[tuple[str, ...], float] = {}
        member_steps = self.feature_steps
        if self._searches_steps(data):
            member_steps = self._choose_steps(data)
            self._adopt_steps(data, member_steps)
        self.models_: dict[str, Any] = {}  # member selectors, each of its own class (its own fitted attributes)
        raw: dict[str, np.ndarray] = {}
        # the members' score scales (a persisted name: the base class's feature scale_ is not used here)
        self.scale_: dict[str, float] = {}  # type: ignore[assignment]
        self.member_seconds_: dict[str, float] = {}
        for name in self.members:
            kind, params = MEMBERS[name]
            params = dict(params, **extra.get(name, {}))
            model = make_selector(kind, feature_steps=member_steps, random_state=self.random_state, **params)
            started = time.perf_counter()
            self.models_[name] = model.fit(data)
            self.member_seconds_[name] = time.perf_counter() - started
            member_fitted(name)
            raw[name] = model.oob_scores()
            self.scale_[name] = mean_row_range(raw[name], getattr(model, "candidates_", None))
        cost = data.cost()
        rows = np.arange(data.n_instances)
        self.inner_costs_: dict[str, float] = {}
        blends: list[tuple[str, np.ndarray]] = []  # candidate (normalisation, weights)
        blend_choices: list[np.ndarray] = []  # per candidate blend: the algorithm of every row
        for how in self.normalisations:
            self.normalisation_ = how
            oob = {name: self._normalised(name, raw[name]) for name in self.members}
            for w in simplex_grid(len(self.members), self.weight_step):
                combined = sum(wk * oob[name] for wk, name in zip(w, self.members))
                blend_choices.append(np.argmin(combined, axis=1))
                blends.append((how, w))
        self.blend_evenness_ = np.array([float(np.sum(w**2)) for _, w in blends])
        blend_costs = cost[rows[None, :], np.array(blend_choices)]  # (candidates, rows)
        pick = choose_blend(blend_costs, self.blend_evenness_, self.blend_rule)
        self.normalisation_, best_w = blends[pick]
        best_cost = float(blend_costs[pick].mean())
        self.weights_ = {name: float(wk) for name, wk in zip(self.members, best_w)}
        oob = {name: self._normalised(name, raw[name]) for name in self.members}
        choice = np.argmin(sum(wk * oob[name] for wk, name in zip(best_w, self.members)), axis=1)
        plans: list[Schedule] = [[(self.algorithms_[j], self.cutoff_)] for j in choice]
        self.mode_ = "select"
        if data.is_runtime:
            alone = np.column_stack([
                self._simulate(data, [[(a, self.cutoff_)]] * len(rows), [], rows) for a in self.algorithms_
            ])  # (rows, algorithms): what playing one algorithm costs each row, as simulated
            self.inner_costs_["select"] = float(alone[rows, choice].mean())
            select_cv = self._select_cv_rows(
                alone[rows[None, :], np.array(blend_choices)], self.blend_evenness_, self.blend_rule
            )
            self.inner_costs_["select-cv"] = float(select_cv.mean())
            if self.sunny_schedules and "knn" in self.models_:
                knn = self.models_["knn"]
                sunny_plans = knn.oob_schedules()
                sunny_rows = self._simulate(data, sunny_plans, [], rows)
                self.inner_costs_["sunny"] = float(sunny_rows.mean())
                # the k-NN member chose its k (and scaling) by the same leave-one-out costs: add the
                # optimism of that choice, measured like the select mode's, row by row, before comparing
                chosen = knn.loo_row_costs_[(knn.scaling_, min(knn.k_, max(1, data.n_instances - 1)))]
                sunny_cv = sunny_rows + (self._knn_choice_cv_rows(knn) - chosen)
                self.inner_costs_["sunny-cv"] = float(sunny_cv.mean())
                self.mode_rows_ = {"select-cv": select_cv, "sunny-cv": sunny_cv}
                if self._choose_mode(select_cv, sunny_cv) == "sunny":
                    self.mode_, plans = "sunny", sunny_plans
            chosen_rows = getattr(self, "mode_rows_", {}).get(f"{self.mode_}-cv", select_cv)
            if self._guard_falls_back(cost, chosen_rows):
                return
            self.partial_features_ = self._choose_partial(data, plans)
            self.presolve_chosen_ = self._choose_presolve(data, plans)
            if self.presolve_chosen_ > 0:
                self.presolve_schedule = greedy_presolve_schedule(
                    data, budget=self.presolve_chosen_ * self.cutoff_, max_solvers=self.presolve_max
                )
            else:
                self.presolve_schedule = []
        else:
            self.inner_costs_["select"] = best_cost
            select_cv = self._select_cv_rows(blend_costs, self.blend_evenness_, self.blend_rule)
            self.inner_costs_["select-cv"] = float(select_cv.mean())
            if self._guard_falls_back(cost, select_cv):
                return
            self.partial_features_ = self._choose_partial(data, plans)
            self.presolve_chosen_ = 0.0
            self.presolve_schedule = []

    def _guard_falls_back(self, cost: np.ndarray, chosen_rows: np.ndarray) -> bool:
        """The single-best guard (``sbs_guard``): the training single best, cross-validated like
        the modes (per inner fold, the algorithm with the best mean cost on the other folds, costed
        on this fold; no features, no pre-solving), against the chosen mode's inner-CV rows. Unless
        the stack is cheaper, it becomes the single best: ``mode_ = "single-best"``, no feature
        steps (nothing to compute or pay), no pre-solving. Returns whether it fell back."""
        sbs_rows = self._choice_cv_rows(cost.T, lambda held_in: int(np.argmin(held_in.mean(axis=1))))
        self.inner_costs_["single-best-cv"] = float(sbs_rows.mean())
        if not self.sbs_guard or float(np.mean(chosen_rows)) < float(sbs_rows.mean()):
            return False
        self.mode_ = "single-best"
        self.used_steps = () if self.used_steps is not None else None
        self.columns_ = np.zeros(0, dtype=int)
        self.backup_ = self.sbs_
        self.partial_features_ = "backup"
        self.presolve_chosen_ = 0.0
        self.presolve_schedule = []
        return True

    def _choose_mode(self, select_cv: np.ndarray, sunny_cv: np.ndarray) -> str:
        """``"select"`` or ``"sunny"`` from the two modes' per-row inner-CV costs: ``mode_rule``
        ``"best"`` takes the lower mean (a tie keeps select); ``"1se"`` takes SUNNY's schedules
        unless select is cheaper by more than one standard error of the per-row difference."""
        pick = choose_blend(np.array([select_cv, sunny_cv]), [1.0, 0.0], self.mode_rule)
        return ("select", "sunny")[pick]

    def _searches_steps(self, data: PerformanceData) -> bool:
        """Whether ``fit`` chooses the feature steps: ``step_search``, steps not given, feature
        cost charged, runtime data with feature steps and a cost table."""
        return bool(
            self.step_search and self.feature_steps is None and self.feature_cost == "charge" and data.is_runtime
            and len(data.feature_steps) > 1 and data.feature_costs is not None
        )

    def _choose_steps(self, data: PerformanceData) -> tuple[str, ...]:
        """The feature steps the members use (:mod:`algoconf.selection.offline.step_choice`), judged by the
        k-NN member's leave-one-out SUNNY schedules simulated with the feature cost charged. The
        default steps fix the feature scaling and k for the whole search (one choice, not one per set)."""
        kind, params = MEMBERS["knn"]
        params = dict(params, **dict(self.member_params or {}).get("knn", {}))
        rows = np.arange(data.n_instances)
        fixed: dict[str, Any] = {}

        def row_costs(steps: tuple[str, ...]) -> np.ndarray:
            knn: Any = make_selector(kind, feature_steps=steps, random_state=self.random_state, **dict(params, **fixed)).fit(data)
            fixed.setdefault("scaling", knn.scaling_)
            fixed.setdefault("k", knn.k_)
            costs = self._simulate(data, knn.oob_schedules(), [], rows, steps=steps)
            self.step_costs_[steps] = float(costs.mean())
            return costs

        return choose_steps(search_steps(data, row_costs))

    def _normalised(self, name: str, scores: np.ndarray) -> np.ndarray:
        scale = self.scale_[name] if self.normalisation_ == "scaled" else None
        return normalise_scores(scores, getattr(self.models_[name], "candidates_", None), scale=scale)

    def _inner_folds(self, n: int) -> np.ndarray:
        """The inner fold of each training row (the same split for every inner choice)."""
        rng = np.random.default_rng(self.random_state)
        return rng.permutation(n) % max(2, min(self.inner_folds, n))

    def _select_cv_rows(
        self, blend_costs: np.ndarray, evenness: Sequence[float] | np.ndarray | None = None, rule: str = "best"
    ) -> np.ndarray:
        """An honest per-row estimate of what choosing among candidates by training cost costs:
        per inner fold, the candidate ``rule`` (see :func:`choose_blend`) picks on the other folds,
        costed on this fold's rows. (The best candidate's own training cost is the minimum over
        many noisy ones, so it flatters whichever mode chose among more.) ``blend_costs``:
        (candidates, rows), the blends of the select mode."""
        even = np.zeros(len(blend_costs)) if evenness is None else np.asarray(evenness, dtype=float)
        return self._choice_cv_rows(blend_costs, lambda held_in: choose_blend(held_in, even, rule))

    def _choice_cv_rows(self, costs: np.ndarray, choose: Callable[[np.ndarray], int]) -> np.ndarray:
        """Per inner fold, the candidate ``choose`` picks from the other folds' columns of
        ``costs`` (candidates, rows), costed on this fold's rows."""
        n = costs.shape[1]
        if n < 2:
            return np.asarray(costs[0], dtype=float)
        folds = self._inner_folds(n)
        out = np.empty(n)
        for f in np.unique(folds):
            held = folds == f
            out[held] = costs[choose(costs[:, ~held]), held]
        return out

    def _knn_choice_cv_rows(self, knn: Any) -> np.ndarray:
        """The select-cv rows of the k-NN member's own (scaling, k) choice: per inner fold,
        :meth:`SunnySelector.choose_setting` replayed on the other folds' leave-one-out rows."""
        keys = list(knn.loo_row_costs_)
        costs = np.array([knn.loo_row_costs_[key] for key in keys])

        def choose(held_in: np.ndarray) -> int:
            return keys.index(knn.choose_setting({key: row for key, row in zip(keys, held_in)}))

        return self._choice_cv_rows(costs, choose)

    def _partial_rows(self, features: np.ndarray, features_ok: np.ndarray) -> np.ndarray:
        """Rows whose feature computation failed but left some values in the used columns."""
        X = np.asarray(features, dtype=float)[:, self.columns_]
        has_values = np.isfinite(X).any(axis=1) if X.shape[1] else np.zeros(len(X), dtype=bool)
        return ~np.asarray(features_ok, dtype=bool) & has_values

    def _choose_partial(self, data: PerformanceData, plans: list[Schedule]) -> str:
        """``"predict"`` when, on the training rows whose features failed but left values (at
        least ``MIN_PARTIAL_ROWS``), the out-of-sample plans cost less than the backup solver;
        else ``"backup"`` (the base contract)."""
        ok, _ = data.step_outcome(self.used_steps if data.feature_steps else None)
        rows = np.flatnonzero(self._partial_rows(data.features, ok))
        if len(rows) < self.MIN_PARTIAL_ROWS:
            return "backup"
        cost = data.cost()
        if data.is_runtime:
            own = float(self._simulate(data, [plans[i] for i in rows], [], rows).mean())
            backup = float(self._simulate(data, [[(self.algorithms_[self.backup_], self.cutoff_)]] * len(rows), [], rows).mean())
        else:
            index = {a: j for j, a in enumerate(self.algorithms_)}
            own = float(np.mean([cost[i, index[plans[i][0][0]]] for i in rows]))
            backup = float(cost[rows, self.backup_].mean())
        self.inner_costs_["partial=predict"], self.inner_costs_["partial=backup"] = own, backup
        return "predict" if own < backup else "backup"

    def predict(self, features: np.ndarray, features_ok: np.ndarray | None = None) -> list[Schedule]:
        """As :meth:`Selector.predict`, except that rows whose features failed but left values
        get the stack's own plan when ``partial_features_`` is ``"predict"`` (chosen in ``fit``)."""
        if getattr(self, "mode_", None) == "single-best":
            if not getattr(self, "fitted_", False):
                raise SelectionInputError(f"{self.name}: call fit() before predict()")
            return [[(self.algorithms_[self.sbs_], self.cutoff_)] for _ in range(len(features))]
        if features_ok is not None and getattr(self, "partial_features_", "backup") == "predict":
            ok = np.asarray(features_ok, dtype=bool)
            if ok.shape == (len(features),):
                features_ok = ok | self._partial_rows(features, ok)
        return super().predict(features, features_ok)

    def _choose_presolve(self, data: PerformanceData, plans: list[Schedule]) -> float:
        """The pre-solving fraction with the lowest inner-CV PAR10 (0 wins ties)."""
        options = sorted(set(float(p) for p in self.presolve_options) | {0.0})
        if len(options) == 1:
            return 0.0
        n = data.n_instances
        folds = self._inner_folds(n)
        best, best_cost = 0.0, np.inf
        for p in options:
            total = np.zeros(n)
            for f in np.unique(folds):
                test = np.flatnonzero(folds == f)
                sched = (
                    greedy_presolve_schedule(data.subset(folds != f), budget=p * self.cutoff_, max_solvers=self.presolve_max)
                    if p > 0
                    else []
                )
                total[test] = self._simulate(data, [plans[i] for i in test], sched, test)
            c = float(total.mean())
            self.inner_costs_[f"presolve={p:g}"] = c
            if c < best_cost * (1 - 1e-9):
                best, best_cost = p, c
        return best

    def _simulate(
        self, data: PerformanceData, plans: list[Schedule], presolve: Schedule, rows: np.ndarray, *, steps: Any = "used"
    ) -> np.ndarray:
        """PAR10 of the rows under pre-solving, feature cost (per ``feature_cost``) of ``steps``
        (default: ``used_steps``) and the plans."""
        steps = self.used_steps if steps == "used" else steps
        sub = data.subset(rows)
        cutoff = self.cutoff_
        fcost = sub.step_cost(steps) if self.feature_cost == "charge" and data.feature_steps else np.zeros(len(rows))
        _, presolved = sub.step_outcome(steps if data.feature_steps else None)
        solve = np.where(sub.event & sub.observed, sub.time, np.inf)
        solve_rows = solve.tolist()  # plain floats: no numpy indexing per cell
        out = np.empty(len(rows))
        for r in range(len(rows)):
            times = dict(zip(data.algorithms, solve_rows[r]))
            ok, t = run_schedule(presolve, times, start=0.0, cutoff=cutoff)
            if not ok:
                t += fcost[r]
                if self.feature_cost == "charge" and presolved[r] and t <= cutoff:
                    ok = True
                elif t < cutoff:
                    ok, t = run_schedule(plans[r], times, start=t, cutoff=cutoff)
            out[r] = t if ok and t <= cutoff else data.par_factor * cutoff
        return out

    # ------------------------------------------------------------------------------ prediction
    def transform(self, features: np.ndarray) -> np.ndarray:
        """The raw feature rows (each member imputes and scales its own inputs); width checked."""
        features = np.asarray(features, dtype=float)
        if features.ndim != 2 or features.shape[1] != self.n_features_in_:
            raise SelectionInputError(
                f"{self.name}: expected features of shape (n, {self.n_features_in_}), got {features.shape}"
            )
        return features

    def _schedules(self, raw: np.ndarray) -> list[Schedule]:
        if self.mode_ == "sunny":
            return self.models_["knn"].predict(raw)
        combined = sum(self.weights_[name] * self._normalised(name, self.models_[name].scores(raw)) for name in self.members)
        return [[(self.algorithms_[j], self.cutoff_)] for j in np.argmin(combined, axis=1)]

    def _scores(self, raw: np.ndarray) -> np.ndarray:
        """The weighted normalised scores (what ``"select"`` mode takes the argmin of)."""
        weighted = (self.weights_[name] * self._normalised(name, self.models_[name].scores(raw)) for name in self.members)
        return cast(np.ndarray, sum(weighted))  # a sum of one or more arrays
