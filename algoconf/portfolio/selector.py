"""Hydra's last step: a selector over the portfolio's configurations, trained on instance features.

:func:`train_portfolio_selector` takes a built portfolio (:func:`algoconf.portfolio.hydra.build_portfolio`)
and

1. computes the training instances' features with :mod:`algoconf.features` (:func:`feature_source`:
   the scenario's ``features: {extractor:, groups:, caps:}``; without ``features:`` the ``cnf``
   extractor's structural groups (not its solver probes, whose cost is charged to every instance)
   when every instance is a CNF file; anything else is an :class:`InputError` saying what to add). Each extractor group becomes a feature step with its measured cost and status,
   so selectors choose their steps and pay for them as in ASlib data;
2. assembles the members x training-instances runtimes from the runs Hydra made (each member's
   evaluation runs: full cutoff, the same seeds for every member); a (member, instance) pair
   without a run -- a portfolio built by an older version -- is run through the executor now.
   Timeouts stay censored (``PerformanceData.from_results``);
3. cross-validates the selector on those data (10 seeded folds, feature cost charged) and fits it
   on all of them. When no selector was named, the recommended one must earn its place: the
   single-best member (no features, no cost) is cross-validated on the same folds, and when its
   PAR10 is as low or lower, it is the model (``selector`` says which; ``requested`` what was
   asked; ``cv_par10_by_selector`` both figures) -- AutoFolio's fallback. A named selector is kept,
   with the single best's figure reported beside it;
4. writes ``OUT/selector.model``: a model in the format of ``algoconf select fit`` that carries
   each member's runner and configuration, the extractor, its groups and caps, so that
   ``algoconf select run OUT/selector.model INSTANCE...`` computes the features of new instances
   and runs the chosen configuration with the scenario's cutoff. Playing needs a ``runner:``
   target; for other targets the model is written and ``select run`` explains why it cannot play it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.errors import InputError
from algoconf.execution.base import Executor
from algoconf.execution.progress import ProgressObserver, ProgressUpdate, map_with_progress

__all__ = ["FeatureSource", "SelectorTraining", "feature_source", "member_names", "portfolio_data",
           "train_portfolio_selector", "MODEL_FILE"]

MODEL_FILE = "selector.model"


@dataclass(frozen=True)
class FeatureSource:
    """Which extractor, groups (None: all) and caps (None: the extractor's) describe the instances."""

    extractor: str
    groups: tuple[str, ...] | None = None
    caps: Mapping[str, float] | None = None
    origin: str = "scenario"  # "scenario" (its features: spec) or "default" (CNF instances)


@dataclass(frozen=True)
class SelectorTraining:
    """What :func:`train_portfolio_selector` did: the model, the members and the CV report."""

    model: str
    selector: str
    members: Sequence[str]
    features: FeatureSource
    cv: Mapping[str, Any]  # par10, solved, vbs_par10, sbs_par10, gap_closed, ... (feature cost charged)
    used_steps: Sequence[str]
    presolve_schedule: Sequence[Any]
    mean_feature_cost: float
    rerun_pairs: int  # (member, instance) pairs run now because Hydra had no run for them
    playable: bool  # select run can play the model (the scenario's target is a runner)
    requested: str = ""  # the selector asked for (the registry's recommended one when none was named)
    cv_par10_by_selector: Mapping[str, float] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["features"] = {"extractor": self.features.extractor, "groups": list(self.features.groups or []) or None,
                           "caps": dict(self.features.caps or {}) or None, "origin": self.features.origin}
        return out


def feature_source(scenario: Any) -> FeatureSource:
    """The feature extractor for a scenario's instances (see the module docstring)."""
    from algoconf.features.compute import EXTRACTORS, extractor_for

    table = scenario.features
    if table is not None:
        spec = table.extractor_spec
        if spec is None:
            raise InputError(
                f"the scenario's features come from a file ({table.source}); a portfolio selector must compute "
                "the same features on new instances, so give them as an extractor instead: "
                f"features: {{extractor: <{'|'.join(EXTRACTORS)}>, groups: [...]}}", file=scenario.source)
        groups = spec.get("groups")
        return FeatureSource(str(spec["extractor"]), None if groups is None else tuple(groups),
                             dict(spec["caps"]) if spec.get("caps") else None, "scenario")
    pathless = [i.name for i in scenario.train if i.path is None]
    if pathless:
        raise InputError(
            f"a portfolio selector needs instance features, and the scenario has none: its instances are names "
            f"without files ({pathless[0]!r}); give instance files and features: {{extractor: "
            f"<{'|'.join(EXTRACTORS)}>}}", file=scenario.source)
    kinds: set[str | None] = set()
    for inst in scenario.train:
        try:
            kinds.add(extractor_for(inst.path))
        except InputError:
            kinds.add(None)
    if kinds != {"cnf"}:
        raise InputError(
            "a portfolio selector needs instance features: the scenario has no features: and its instances are "
            f"not all CNF files (the default extractor is cnf); add features: {{extractor: <{'|'.join(EXTRACTORS)}>, "
            "groups: [...]}} to the scenario", file=scenario.source)
    from algoconf.features import get_extractor

    cheap = tuple(g for g, grp in get_extractor("cnf").groups.items() if not grp.probe)
    return FeatureSource("cnf", cheap, None, "default")


def member_names(members: Sequence[Any]) -> list[str]:
    """Column names of the members: ``m<iteration>-<configuration key>``."""
    return [f"m{m.iteration}-{m.key}" for m in members]


def _complete_runs(scenario: Any, members: Sequence[Any], executor: Executor, seed: int,
                   progress: ProgressObserver | None = None) -> tuple[list[Any], int]:
    """Every (member, training instance) run as a RunResult: Hydra's records, plus runs made now
    (full cutoff, the evaluation seeds of :func:`~algoconf.portfolio.hydra.run_on_instances`) for
    pairs without one (``progress``: phase "selector: missing runs")."""
    from algoconf.portfolio.hydra import evaluation_seeds, record_result
    from algoconf.records import RunRequest

    train = list(scenario.train.names)
    seeds = dict(zip(train, evaluation_seeds(scenario, train, seed=seed, which="train")))
    missing = [(j, n) for j, m in enumerate(members) for n in train if n not in m.train_runs]
    requests = [RunRequest(dict(members[j].config), n, seeds[n], scenario.cutoff) for j, n in missing]
    made = dict(zip(missing, map_with_progress(executor, requests, progress if missing else None,
                                               "selector: missing runs")))
    results = [made[(j, n)] if (j, n) in made else record_result(m.config, n, m.train_runs[n])
               for j, m in enumerate(members) for n in train]
    return results, len(missing)


def portfolio_data(scenario: Any, members: Sequence[Any], executor: Executor, source: FeatureSource, *,
                   seed: int, workers: int = 1, cache_dir: str | Path | None = None,
                   progress: ProgressObserver | None = None) -> tuple[Any, int]:
    """(PerformanceData of members x training instances with the extractor's feature steps, pairs re-run).
    ``progress`` observes the missing runs and the feature computation ("selector: features")."""
    from algoconf.features import compute_features, get_extractor
    from algoconf.selection.data.aslib import FeatureStep
    from algoconf.selection.data.performance import PerformanceData

    if scenario.objective != "runtime" or scenario.cutoff is None:
        raise InputError("a portfolio selector is trained on runtimes: the scenario needs objective: runtime "
                         "and a cutoff", file=scenario.source)
    names = member_names(members)
    by_key = {m.key: name for m, name in zip(members, names)}
    results, rerun = _complete_runs(scenario, members, executor, seed, progress)
    extractor = get_extractor(source.extractor)
    order = extractor.order(source.groups)
    train = list(scenario.train)
    paths = [str(i.path) for i in train]
    comp = compute_features(paths, extractor=source.extractor, groups=order, caps=source.caps,
                            workers=workers, cache_dir=cache_dir, seed=seed,
                            progress=_feature_progress(progress))
    if progress is not None:
        total = len(paths) * len(order)
        progress(ProgressUpdate("selector: features", total, total, "groups", 0.0,
                                f"{comp.computed} computed, {comp.cached} cached", final=True))
    name_of = {str(i.path): i.name for i in train}
    values = {name_of[p]: row.to_numpy(dtype=float) for p, row in comp.values.iterrows()}
    from algoconf.records import config_key

    data = PerformanceData.from_results(
        results, cutoff=float(scenario.cutoff), features=values, feature_names=tuple(comp.values.columns),
        algorithm_of=lambda r: by_key[config_key(r.request.config)], folds=10, seed=seed,
        name=f"{scenario.name}-portfolio")
    rows = [paths[[i.name for i in train].index(n)] for n in data.instances]
    steps = {g: FeatureStep(g, tuple(extractor.groups[g].features),
                            tuple(d for d in extractor.groups[g].requires if d in order)) for g in order}
    data = dataclasses.replace(
        data, feature_steps=steps, default_steps=tuple(order),
        feature_costs=comp.costs.loc[rows, order].to_numpy(dtype=float),
        feature_status=comp.status.loc[rows, order].to_numpy(dtype=str),
        par_factor=float(scenario.par_factor))
    return data, rerun


def _feature_progress(progress: ProgressObserver | None):
    """compute_features' callback (one call per group computed; cached ones are not reported, so the
    total is unknown until the end) as ProgressUpdates; the final one is sent by the caller."""
    if progress is None:
        return None
    done = [0]

    def observe(path: Any, group: Any, result: Any) -> None:
        done[0] += 1
        progress(ProgressUpdate("selector: features", done[0], None, "groups computed"))

    return observe


def train_portfolio_selector(scenario: Any, members: Sequence[Any], executor: Executor, out_dir: str | Path, *,
                             selector: str | None = None, params: Mapping[str, Any] | None = None,
                             seed: int | None = None, workers: int = 1,
                             cache_dir: str | Path | None = None,
                             progress: ProgressObserver | None = None) -> SelectorTraining:
    """Cross-validate and fit ``selector`` (default: the registry's recommended one) over the
    portfolio's members and write ``out_dir/selector.model`` (see the module docstring).
    ``progress`` observes the runs and feature computations it makes."""
    from algoconf.selection.offline.evaluation import evaluate
    from algoconf.selection.model_io import save_model
    from algoconf.selection.offline.registry import RECOMMENDED, make_selector

    if not members:
        raise InputError("the portfolio has no members to select among")
    name = selector or RECOMMENDED
    seed = int(scenario.seed if seed is None else seed)
    options = dict(params or {})
    make_selector(name, random_state=seed, **options)  # bad names / parameters fail before any run
    source = feature_source(scenario)
    data, rerun = portfolio_data(scenario, members, executor, source, seed=seed, workers=workers, cache_dir=cache_dir,
                                 progress=progress)
    report = evaluate(lambda: make_selector(name, random_state=seed, **options), data, feature_cost="charge")
    by_selector = {name: float(report.par10)}
    requested = name
    if name != "single-best":
        single = evaluate(lambda: make_selector("single-best", random_state=seed), data, feature_cost="charge")
        by_selector["single-best"] = float(single.par10)
        if selector is None and single.par10 <= report.par10:  # the recommended selector did not earn its place
            name, options, report = "single-best", {}, single
    fitted = make_selector(name, random_state=seed, **options).fit(data)
    runner = scenario.target.runner if scenario.target.kind == "runner" else None
    configurations = {n: {"runner": runner, "config": dict(m.config)} for n, m in zip(member_names(members), members)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_FILE
    save_model(model_path, fitted, data, out, extra={
        "configurations": configurations, "extractor": source.extractor,
        "feature_groups": list(data.feature_steps), "feature_caps": dict(source.caps or {}) or None,
        "par_factor": float(scenario.par_factor), "scenario": str(scenario.source) if scenario.source else None})
    cv = {k: _plain(v) for k, v in report.to_dict().items() if k not in ("folds", "per_instance_cost", "params")}
    result = SelectorTraining(
        model=str(model_path), selector=name, members=member_names(members), features=source, cv=cv,
        used_steps=list(fitted.used_steps or ()), presolve_schedule=[list(s) for s in fitted.presolve_schedule],
        mean_feature_cost=float(report.mean_feature_cost), rerun_pairs=rerun, playable=runner is not None,
        requested=requested, cv_par10_by_selector=by_selector)
    (out / "selector.json").write_text(json.dumps(result.to_dict(), indent=1, default=str))
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
