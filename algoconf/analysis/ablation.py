"""Ablation analysis: which parameter changes carry the improvement from the default to the incumbent.

The path of Fawcett & Hoos (2016), as irace's ``ablation()`` also walks it: start at the *source*
(the default); at each step try every single change of a parameter that still differs towards the
*target* (the run's incumbent), evaluate each candidate with real runs on the same fixed training
instance-seed pairs (:mod:`algoconf.analysis.fixed_pairs`), and keep the best; repeat until the
current configuration is the target. The path's costs are therefore all measured on the same pairs.

Conditions and forbidden clauses are respected:

* only a parameter active in the target and active now, with another value, is flipped on its own;
  one inactive now (its parent still differs) changes with its parent;
* a flip that activates parameters sets them to the target's values (the default's where the target
  has them inactive), and one that deactivates parameters drops them: a step may change several
  parameters, all listed;
* a flip that a forbidden clause excludes is not a candidate. When no single flip is allowed, the
  remaining changes are made together in one step (named ``a+b+...``).

Evaluation (``racing=False``, irace's ``type="full"``): every candidate on every pair. With
``racing=True`` (irace's ``type="racing"``): candidates run pair by pair; from ``first_test`` pairs on,
a candidate whose costs are worse than the best one's by a one-sided paired t-test at ``alpha`` is
dropped (irace's t-test elimination); the survivors run on all pairs, so the chosen step's cost is
always its mean over every pair. Costs are the scenario's (PAR-k: a timeout at the cutoff counts
``par_factor × cutoff``; runs are never capped, so every cost is exact by that convention).

:func:`run_ablation` does this for a finished run directory and writes ``<run_dir>/ablation.json``;
runs are kept in ``<run_dir>/analysis/history.sqlite``, so an interrupted ablation (Ctrl-C, the
``budget``) resumes when run again with the same settings, without repeating a run.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from algoconf.analysis.fixed_pairs import AnalysisBudgetSpent, FinishedRun
from algoconf.errors import ConfigurationError, InputError
from algoconf.execution.progress import ProgressObserver
from algoconf.records import Estimate, RunRequest, RunResult, config_key, mean_cost

logger = logging.getLogger(__name__)

__all__ = ["ABLATION_FILE", "AblationResult", "AblationStep", "Candidate", "ablation_path", "flips",
           "format_ablation_table", "load_ablation", "run_ablation"]

ABLATION_FILE = "ablation.json"
#: irace's firstTest: pairs every candidate runs before the first elimination test
FIRST_TEST = 5


@dataclass(frozen=True)
class Flip:
    """One candidate change: ``parameter`` set to the target's value, ``changed`` every parameter
    whose active value changed with it (itself and the parameters it activates or deactivates)."""

    parameter: str
    changed: tuple[str, ...]
    config: Mapping[str, Any]


@dataclass(frozen=True)
class Candidate:
    """A flip as evaluated in one step: its mean cost over the pairs it ran (all, unless dropped)."""

    parameter: str
    changed: tuple[str, ...]
    config_key: str
    cost: float
    exact: bool
    n_pairs: int
    dropped: bool  # eliminated by the race before the last pair


@dataclass(frozen=True)
class AblationStep:
    """The configuration after ``step`` changes (step 0: the source) and its cost on every pair."""

    step: int
    parameter: str | None  # the parameter flipped (None for the source)
    changed: tuple[str, ...]
    values: Mapping[str, Any]  # the new value of each changed parameter (None: now inactive)
    config: Mapping[str, Any]
    cost: float
    exact: bool
    candidates: tuple[Candidate, ...] = ()

    @property
    def config_key(self) -> str:
        return config_key(self.config)


@dataclass(frozen=True)
class AblationResult:
    """The ablation path of one run (module docstring); ``complete`` is False when a budget stopped it."""

    source: Mapping[str, Any]
    target: Mapping[str, Any]
    pairs: tuple[tuple[str, int], ...]
    objective: str
    par_factor: float
    racing: bool
    steps: tuple[AblationStep, ...]
    complete: bool
    runs: Mapping[str, Any] = field(default_factory=dict)  # new / reused runs and their target time

    @property
    def source_cost(self) -> float:
        return self.steps[0].cost if self.steps else math.nan

    @property
    def total_improvement(self) -> float:
        """Source cost − target cost on the pairs (nan until the path reached the target)."""
        if not self.complete or len(self.steps) < 2:
            return math.nan
        return self.steps[0].cost - self.steps[-1].cost

    def improvement(self, i: int) -> float:
        """What step ``i`` gained over step ``i - 1`` (positive: better)."""
        return math.nan if i == 0 else self.steps[i - 1].cost - self.steps[i].cost

    def share(self, i: int) -> float:
        """Step ``i``'s part of the total improvement (nan when the target is not better than the source)."""
        total = self.total_improvement
        return self.improvement(i) / total if i > 0 and total > 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        steps = []
        for i, s in enumerate(self.steps):
            steps.append({"step": s.step, "parameter": s.parameter, "changed": list(s.changed),
                          "values": dict(s.values), "config": dict(s.config), "config_key": s.config_key,
                          "cost": s.cost, "exact": s.exact, "improvement": _finite_or_none(self.improvement(i)),
                          "share": _finite_or_none(self.share(i)),
                          "candidates": [dict(c.__dict__, changed=list(c.changed)) for c in s.candidates]})
        return {"source": dict(self.source), "target": dict(self.target),
                "source_key": config_key(self.source), "target_key": config_key(self.target),
                "pairs": [list(p) for p in self.pairs], "objective": self.objective, "par_factor": self.par_factor,
                "racing": self.racing, "complete": self.complete,
                "total_improvement": _finite_or_none(self.total_improvement), "runs": dict(self.runs), "steps": steps}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "AblationResult":
        steps = tuple(
            AblationStep(int(s["step"]), s.get("parameter"), tuple(s.get("changed", ())), dict(s.get("values", {})),
                         dict(s["config"]), float(s["cost"]), bool(s.get("exact", True)),
                         tuple(Candidate(c["parameter"], tuple(c["changed"]), c["config_key"], float(c["cost"]),
                                         bool(c["exact"]), int(c["n_pairs"]), bool(c["dropped"]))
                               for c in s.get("candidates", ())))
            for s in data["steps"])
        return cls(dict(data["source"]), dict(data["target"]), tuple((str(i), int(s)) for i, s in data["pairs"]),
                   str(data.get("objective", "runtime")), float(data.get("par_factor", 10.0)),
                   bool(data.get("racing", False)), steps, bool(data["complete"]), dict(data.get("runs", {})))


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


# --- the path -------------------------------------------------------------------------------------
def flips(space: Any, current: Mapping[str, Any], target: Mapping[str, Any]) -> tuple[list[Flip], list[str]]:
    """The single changes from ``current`` towards ``target`` (module docstring), in the space's
    parents-first order, and the parameters whose change a forbidden clause excludes."""
    from algoconf.space import active_config
    from algoconf.space.evaluate import SpaceIndex

    index = SpaceIndex.of(space)
    base = {name: hp.default_value for name, hp in index.hps.items()}
    base.update(target)
    base.update(current)
    out: list[Flip] = []
    forbidden: list[str] = []
    for name in index.order:
        if name not in target or name not in current or current[name] == target[name]:
            continue
        values = dict(base)
        values[name] = target[name]
        try:
            config = active_config(space, values)
        except ConfigurationError:
            forbidden.append(name)
            continue
        changed = tuple(n for n in index.order if config.get(n, _MISSING) != current.get(n, _MISSING))
        out.append(Flip(name, changed, config))
    return out, forbidden


_MISSING = object()

Runner = Callable[[Sequence[RunRequest]], list[RunResult]]
Cost = Callable[[RunResult], Estimate]


def ablation_path(space: Any, source: Mapping[str, Any], target: Mapping[str, Any],
                  pairs: Sequence[tuple[str, int]], cutoff: float | None, run: Runner, cost: Cost, *,
                  racing: bool = False, first_test: int = FIRST_TEST, alpha: float = 0.05,
                  on_step: Callable[[AblationStep], None] | None = None) -> tuple[list[AblationStep], bool]:
    """Walk the path from ``source`` to ``target`` (module docstring); ``(steps, complete)``.

    ``run`` answers requests (in order) with results, and may raise
    :class:`~algoconf.analysis.fixed_pairs.AnalysisBudgetSpent`: the path so far is returned with
    ``complete=False``. ``on_step`` is called with each step as it is decided.
    """
    pairs = list(pairs)
    steps: list[AblationStep] = []

    def add(step: AblationStep) -> None:
        steps.append(step)
        if on_step is not None:
            on_step(step)

    try:
        src = dict(source)
        (costs,) = _evaluate([src], pairs, cutoff, run, cost)
        m = mean_cost(costs)
        add(AblationStep(0, None, (), {}, src, m.value, m.exact))
        current = src
        while config_key(current) != config_key(target):
            candidates, forbidden = flips(space, current, target)
            if not candidates:
                changed = tuple(n for n in sorted(set(current) | set(target)) if current.get(n) != target.get(n))
                logger.info("no single change towards the target is allowed (forbidden: %s): the rest in one step",
                            ", ".join(forbidden))
                candidates = [Flip("+".join(changed), changed, dict(target))]
            chosen, evaluated = _choose(candidates, pairs, cutoff, run, cost, racing, first_test, alpha)
            flip = candidates[chosen]
            best = evaluated[chosen]
            add(AblationStep(len(steps), flip.parameter, flip.changed,
                             {n: flip.config.get(n) for n in flip.changed}, dict(flip.config), best.cost, best.exact,
                             tuple(evaluated)))
            current = dict(flip.config)
    except AnalysisBudgetSpent:
        return steps, False
    return steps, True


def _evaluate(configs: Sequence[Mapping[str, Any]], pairs: Sequence[tuple[str, int]], cutoff: float | None,
              run: Runner, cost: Cost) -> list[list[Estimate]]:
    """Each configuration's costs on the pairs (one batch, so the workers run them in parallel)."""
    requests = [RunRequest(dict(c), inst, seed, cutoff) for c in configs for inst, seed in pairs]
    results = run(requests)
    n = len(pairs)
    return [[cost(r) for r in results[i * n:(i + 1) * n]] for i in range(len(configs))]


def _choose(candidates: Sequence[Flip], pairs: Sequence[tuple[str, int]], cutoff: float | None, run: Runner,
            cost: Cost, racing: bool, first_test: int, alpha: float) -> tuple[int, list[Candidate]]:
    """The index of the best candidate (lowest mean cost over all pairs; the first on ties) and all
    candidates as evaluated."""
    configs = [c.config for c in candidates]
    if not racing or len(candidates) == 1:
        costs = _evaluate(configs, pairs, cutoff, run, cost)
        alive = list(range(len(candidates)))
    else:
        costs, alive = _race(configs, pairs, cutoff, run, cost, first_test, alpha)
    means = {i: mean_cost(costs[i]) for i in range(len(candidates))}
    chosen = min(alive, key=lambda i: (means[i].value, i))
    evaluated = [Candidate(c.parameter, c.changed, config_key(c.config), means[i].value, means[i].exact,
                           len(costs[i]), i not in alive) for i, c in enumerate(candidates)]
    return chosen, evaluated


def _race(configs: Sequence[Mapping[str, Any]], pairs: Sequence[tuple[str, int]], cutoff: float | None,
          run: Runner, cost: Cost, first_test: int, alpha: float) -> tuple[list[list[Estimate]], list[int]]:
    costs: list[list[Estimate]] = [[] for _ in configs]
    alive = list(range(len(configs)))
    done = 0
    while done < len(pairs):
        upto = max(done + 1, min(first_test, len(pairs))) if done == 0 else done + 1
        block = pairs[done:upto]
        for i, c in zip(alive, _evaluate([configs[i] for i in alive], block, cutoff, run, cost)):
            costs[i].extend(c)
        done = upto
        if len(alive) > 1 and done < len(pairs):
            alive = _survivors(alive, costs, alpha)
    return costs, alive


def _survivors(alive: list[int], costs: list[list[Estimate]], alpha: float) -> list[int]:
    """Drop the candidates a one-sided paired t-test finds worse than the best one at ``alpha``."""
    from scipy import stats

    values = {i: np.array([c.value for c in costs[i]]) for i in alive}
    best = min(alive, key=lambda i: (float(values[i].mean()), i))
    kept = []
    for i in alive:
        d = values[i] - values[best]
        if i == best or d.mean() <= 0:
            kept.append(i)
        elif np.allclose(d, d[0], rtol=1e-9, atol=1e-12):  # a constant difference (> 0): certainly worse
            continue
        elif stats.ttest_1samp(d, 0.0, alternative="greater").pvalue >= alpha:
            kept.append(i)
    return kept


# --- a finished run directory ---------------------------------------------------------------------
def run_ablation(run_dir: "str | Path | FinishedRun", n_instances: int = 10, *, workers: int = 1,
                 budget: float | None = None, racing: bool = False, progress: ProgressObserver | None = None,
                 executor: Any | None = None) -> AblationResult:
    """Ablate from the default to the incumbent of the configuration run in ``run_dir`` on
    ``n_instances`` training instance-seed pairs; write ``<run_dir>/ablation.json`` and return it.

    InputError (before any run) when ``run_dir`` is not a finished configuration run, the incumbent
    is the default, ``n_instances <= 0``, ``workers < 1`` or ``budget <= 0``. ``executor`` replaces
    the run's own (local processes on ``workers``; the runtime matrix of a simulated run).
    """
    from algoconf.analysis.fixed_pairs import (PairRunner, fixed_pairs, load_finished_run,
                                               open_analysis_history)
    from algoconf.tuners.evidence import cost_of

    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise InputError(f"--budget must be a positive number of seconds, got {budget}")
    if n_instances <= 0:
        raise InputError(f"--instances must be at least 1, got {n_instances}")
    run = run_dir if isinstance(run_dir, FinishedRun) else load_finished_run(run_dir)
    run_dir = run.run_dir
    if config_key(run.incumbent) == config_key(run.default):
        guard = run.guard if isinstance(run.guard, Mapping) else {}
        why = (f" (the incumbent guard kept the default: {guard.get('reason')})"
               if guard.get("candidate_key") and guard.get("candidate_key") != guard.get("default_key") else "")
        raise InputError(f"the run's incumbent is the default configuration{why}: there is nothing to ablate",
                         file=Path(run_dir) / "run.json")
    if run.simulate and executor is None:
        raise InputError("a simulated run answers only the configurations of its runtime matrix; the ablation's "
                         "intermediate configurations need real runs", file=Path(run_dir) / "run.json")
    scenario = run.scenario
    pairs = fixed_pairs(scenario.train.names, n_instances, run.seed, scenario.deterministic)
    problem = run.problem()
    history = open_analysis_history(run_dir, scenario)
    own_executor = executor is None
    try:
        executor = executor if executor is not None else run.executor(workers)
        runner = PairRunner(executor, history, budget=budget, progress=progress, phase="ablation")
        steps, complete = ablation_path(scenario.space, run.default, run.incumbent, pairs, scenario.cutoff,
                                        runner.run, lambda r: cost_of(problem, r), racing=racing)
    finally:
        if own_executor and executor is not None:
            executor.close()
        history.close()
    counted = runner.count
    result = AblationResult(run.default, run.incumbent, tuple(pairs), scenario.objective, problem.par_factor,
                            racing, tuple(steps), complete,
                            {"new": counted.new, "reused": counted.reused, "target_time": counted.cpu_time,
                             "time_kind": scenario.time_kind})
    (Path(run_dir) / ABLATION_FILE).write_text(json.dumps(result.to_dict(), indent=1))
    return result


def load_ablation(run_dir: str | Path) -> AblationResult | None:
    """The ablation stored in ``run_dir`` (None when there is none); InputError for a damaged file."""
    path = Path(run_dir) / ABLATION_FILE
    if not path.is_file():
        return None
    try:
        return AblationResult.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise InputError(f"not an ablation file: {err}", file=path) from None


def cost_label(result: AblationResult) -> str:
    return f"PAR{result.par_factor:g}" if result.objective == "runtime" else "mean cost"


def format_ablation_table(result: AblationResult) -> str:
    """The ablation path as plain text: step, parameter changed, value, cost, improvement, share."""
    k = cost_label(result)
    head = (f"ablation from the default to the incumbent on {len(result.pairs)} training instance-seed pairs"
            f" ({'racing' if result.racing else 'every candidate on every pair'})")
    lines = [head, f"{'step':>4s}  {'parameter':24s} {'value':>12s} {k:>10s} {'improvement':>12s} {'share':>7s}"]
    for i, s in enumerate(result.steps):
        name = "(default)" if s.parameter is None else s.parameter
        value = "" if s.parameter is None else _value_text(s)
        imp = result.improvement(i)
        share = result.share(i)
        lines.append(f"{s.step:>4d}  {name[:24]:24s} {value[:12]:>12s} {s.cost:>10.3f} "
                     f"{'' if i == 0 else f'{imp:>12.3f}':>12s} {'' if not math.isfinite(share) else f'{share:>6.1%}':>7s}")
    if not result.complete:
        lines.append("incomplete: the budget ran out; run the same command again to continue (finished runs are kept)")
    elif not result.total_improvement > 0:
        lines.append(f"the incumbent is not better than the default on these pairs ({k} "
                     f"{result.steps[-1].cost:.3f} vs {result.steps[0].cost:.3f}): no shares")
    else:
        lines.append(f"total improvement {result.total_improvement:.3f} ({k} {result.steps[0].cost:.3f} -> "
                     f"{result.steps[-1].cost:.3f}); runs: {result.runs.get('new', 0)} new, "
                     f"{result.runs.get('reused', 0)} from the history")
    return "\n".join(lines)


def _value_text(step: AblationStep) -> str:
    if step.parameter is not None and step.parameter in step.values:
        v = step.values[step.parameter]
        text = "inactive" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
    else:
        text = "(together)"
    extra = len(step.changed) - 1
    return text + (f" (+{extra})" if extra > 0 else "")
