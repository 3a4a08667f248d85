"""Validation: the default and the incumbent on held-out instances, with fresh seeds.

:func:`validate` runs both configurations on every test instance (the scenario's ``test`` set, or
the training set when there is none — said so in the report) through an executor, with seeds drawn
from a stream distinct from the tuning seeds. It returns a :class:`ValidationReport` (solved, PAR-k,
mean runtime, speed-up) and writes ``validation.json`` and a log-log scatter plot
``validation_scatter.png`` (default vs tuned runtime per instance, timeouts marked) into the run
directory. Censored runtimes count at the cutoff in the mean runtime, which is then a lower bound
(flagged ``mean_runtime_exact=False``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from algoconf.errors import MissingExtraError
from algoconf.execution.progress import ProgressObserver, map_with_progress
from algoconf.extras import require
from algoconf.records import RunRequest, RunResult, config_key, mean_cost
from algoconf.space import default_config
from algoconf.tuners.evidence import cost_of

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.base import Executor
    from algoconf.scenario import Scenario
    from algoconf.tuners.base import TuningProblem

logger = logging.getLogger(__name__)

__all__ = ["ConfigScore", "ValidationReport", "validate", "score_results", "format_table", "worse_warning"]

_VALIDATION_SEED_SALT = 0x5EED_7E57


@dataclass(frozen=True)
class ConfigScore:
    """How one configuration did on the validation instances."""

    name: str
    config_key: str
    n: int
    solved: int
    par: float  # mean cost: PAR-k for runtime objectives, mean quality otherwise
    mean_runtime: float
    mean_runtime_exact: bool


@dataclass(frozen=True)
class ValidationReport:
    instances: str  # "test" or "train"
    par_factor: float
    default: ConfigScore
    incumbent: ConfigScore
    speedup: float  # default PAR / incumbent PAR
    rows: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    plot: str | None = None

    @property
    def incumbent_worse_than_default(self) -> bool:
        """True when the incumbent's mean cost (PAR-k) on the validation instances exceeds the default's."""
        return bool(self.incumbent.par > self.default.par)

    def to_dict(self) -> dict[str, Any]:
        return {"instances": self.instances, "par_factor": self.par_factor, "default": asdict(self.default),
                "incumbent": asdict(self.incumbent), "speedup": self.speedup, "rows": list(self.rows),
                "plot": self.plot, "incumbent_worse_than_default": self.incumbent_worse_than_default}


def score_results(name: str, results: Sequence[RunResult], problem: TuningProblem) -> ConfigScore:
    """Solved count, mean cost and mean runtime (censored runs at their bound) of one configuration."""
    costs = [cost_of(problem, r) for r in results]
    runtimes = [r.runtime for r in results]
    return ConfigScore(
        name=name, config_key=results[0].request.config_key if results else "", n=len(results),
        solved=sum(r.status.solved for r in results), par=mean_cost(costs).value,
        mean_runtime=float(np.mean(runtimes)) if runtimes else math.nan,
        mean_runtime_exact=not any(r.censored for r in results),
    )


def validate(scenario: Scenario, incumbent: Mapping[str, Any], executor: Executor, run_dir: str | Path | None = None,
             *, seed: int | None = None, plot: bool = True,
             progress: ProgressObserver | None = None) -> ValidationReport:
    """Run default and incumbent on the test instances (fresh seeds) and report; see module docstring.

    ``progress`` is called with a :class:`~algoconf.execution.progress.ProgressUpdate` (phase
    "validation", runs done of runs to do, ETA at the pace so far) as runs finish, the last one final.
    """
    problem = scenario.tuning_problem()
    # validation always reports PAR-k and solved counts, also for a utility-scored scenario
    problem = dataclasses.replace(problem, extra={k: v for k, v in problem.extra.items() if k != "utility"})
    validated = scenario.test if scenario.test is not None and len(scenario.test) else scenario.train
    which = "test" if validated is scenario.test else "train"
    instances = list(validated.names)
    rng = np.random.default_rng([int(scenario.seed if seed is None else seed), _VALIDATION_SEED_SALT])
    seeds = [0 if scenario.deterministic else int(s) for s in rng.integers(0, 2**31 - 1, size=len(instances))]
    default = default_config(scenario.space)
    configs = {"default": dict(default), "incumbent": dict(incumbent)}
    requests = {name: [RunRequest(c, inst, s, scenario.cutoff) for inst, s in zip(instances, seeds)]
                for name, c in configs.items()}
    same = config_key(default) == config_key(incumbent)
    todo = requests["default"] + ([] if same else requests["incumbent"])
    done = map_with_progress(executor, todo, progress, "validation")
    by_name = {"default": done[: len(instances)]}
    by_name["incumbent"] = by_name["default"] if same else done[len(instances):]
    d = score_results("default", by_name["default"], problem)
    i = score_results("incumbent", by_name["incumbent"], problem)
    rows = [
        {"instance": inst, "seed": s,
         "default_status": a.status.value, "default_runtime": a.runtime, "default_quality": a.quality,
         "incumbent_status": b.status.value, "incumbent_runtime": b.runtime, "incumbent_quality": b.quality}
        for inst, s, a, b in zip(instances, seeds, by_name["default"], by_name["incumbent"])
    ]
    speedup = d.par / i.par if i.par > 0 else math.inf
    plot_path = None
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        if plot and scenario.objective == "runtime":
            written = _scatter(rows, scenario.cutoff, run_dir / "validation_scatter.png")
            plot_path = str(written) if written is not None else None
    report = ValidationReport(which, problem.par_factor, d, i, speedup, tuple(rows), plot_path)
    if run_dir is not None:
        (Path(run_dir) / "validation.json").write_text(json.dumps(report.to_dict(), indent=1))
    return report


def _scatter(rows: Sequence[Mapping[str, Any]], cutoff: float | None, path: Path) -> Path | None:
    try:
        matplotlib = require("matplotlib", "the validation scatter plot")
    except MissingExtraError as err:
        logger.warning("%s not written: %s", path.name, err)
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.array([max(r["default_runtime"], 1e-3) for r in rows])
    y = np.array([max(r["incumbent_runtime"], 1e-3) for r in rows])
    solved_x = np.array([r["default_status"] == "SUCCESS" for r in rows])
    solved_y = np.array([r["incumbent_status"] == "SUCCESS" for r in rows])
    both = solved_x & solved_y
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(x[both], y[both], s=14, alpha=0.7, label="both solved")
    if (~both).any():
        ax.scatter(x[~both], y[~both], s=30, marker="x", color="red", label="timeout (either)")
    hi = max(float(x.max()), float(y.max()), cutoff or 0) * 1.3
    lo = min(float(x.min()), float(y.min())) / 1.3
    ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8)
    if cutoff:
        ax.axhline(cutoff, color="red", lw=0.5, ls="--")
        ax.axvline(cutoff, color="red", lw=0.5, ls="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("default runtime [s]")
    ax.set_ylabel("tuned runtime [s]")
    ax.set_title("validation: default vs tuned, per instance")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def format_table(report: ValidationReport) -> str:
    """The validation table as plain text."""
    k = f"PAR{report.par_factor:g}"
    lines = [f"validation on {report.default.n} {report.instances} instances (fresh seeds)",
             f"{'':10s} {'solved':>9s} {k:>10s} {'mean rt':>10s} {'speed-up':>9s}"]
    for s, sp in ((report.default, 1.0), (report.incumbent, report.speedup)):
        rt = f"{s.mean_runtime:.3f}" + ("" if s.mean_runtime_exact else "+")
        lines.append(f"{s.name:10s} {s.solved:>4d}/{s.n:<4d} {s.par:>10.3f} {rt:>10s} {sp:>8.2f}x")
    lines.append("(+ : lower bound, some runs censored at the cutoff)")
    return "\n".join(lines)


def worse_warning(report: ValidationReport) -> str | None:
    """The warning to show when the incumbent validated worse than the default, else None."""
    if not report.incumbent_worse_than_default:
        return None
    k = f"PAR{report.par_factor:g}"
    return (f"the incumbent is WORSE than the default on the {report.instances} instances "
            f"({k} {report.incumbent.par:.3f} vs {report.default.par:.3f}): use the default configuration")
