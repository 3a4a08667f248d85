"""``algoconf configure SCENARIO --tuner ...`` and ``algoconf validate RUNDIR``.

configure runs the tuner through the engine (resuming when the run directory holds a run of the
same scenario and tuner), with the incumbent guard (the tuned incumbent is kept only when it beat the
default on ``--guard-pairs`` training pairs; ``algoconf/run/incumbent_guard.py``), validates
default and incumbent on the test instances, and prints the incumbent, the guard's verdict and the
validation table (or one JSON object with ``--json``, which always holds
``"incumbent_worse_than_default"``: true exactly when validation found the incumbent's PAR-k above
the default's; then the text output warns and recommends the default). ``--simulate MATRIX.npz``
answers every run from a runtime matrix on ``--workers`` virtual workers (a virtual clock,
:mod:`algoconf.execution.virtual`); the matrix is checked against the scenario before anything
runs, and the output adds ``virtual_time`` and ``utilisation``. The run directory keeps
``history.sqlite``, ``run.json`` (scenario path, tuner, seed, outcome with the guard's verdict),
``validation.json`` and ``validation_scatter.png``. Progress bars go to stderr (``--progress``,
``--no-progress``; by default only on a terminal).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from algoconf.cli.progress_view import add_progress_flags, progress_observer
from algoconf.errors import InputError
from algoconf.tuners import TUNERS

if TYPE_CHECKING:  # pragma: no cover
    from algoconf.execution.base import Executor

RUN_FILE = "run.json"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("configure", help="tune a scenario's target with a tuner, then validate")
    p.add_argument("scenario", help="scenario.yaml or AClib scenario.txt")
    p.add_argument("--tuner", required=True, choices=sorted(TUNERS))
    p.add_argument("--budget", type=float, default=None, help="wall-clock budget in seconds (overrides the scenario)")
    p.add_argument("--runs", type=int, default=None, help="run budget (overrides the scenario)")
    p.add_argument("--cpu-time", type=float, default=None, help="target CPU-time budget in seconds")
    p.add_argument("--workers", type=int, default=1, help="parallel target runs (default 1)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port) instead of local runs")
    p.add_argument("--out", default=None, help="run directory (default: runs/<scenario>-<tuner>-s<seed>)")
    p.add_argument("--seed", type=int, default=None, help="tuner seed (default: the scenario's)")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="tuner parameter, e.g. --option alpha=0.05 (JSON values)")
    p.add_argument("--no-validate", action="store_true", help="skip validation on the test instances")
    p.add_argument("--guard-pairs", type=int, default=5, metavar="N",
                   help="incumbent guard: keep a tuned incumbent only when it beat the default on N training "
                        "instance-seed pairs (or all training instances when fewer; default 5); 0 turns it off")
    p.add_argument("--trajectory", type=int, default=0, metavar="N",
                   help="after validation, run every incumbent of the trajectory on the same N training "
                        "instance-seed pairs (RUNDIR/trajectory_costs.json, shown by 'algoconf report'); default 0: off")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--equivalence-cache", action=argparse.BooleanOptionalAction, default=None,
                   help="share results between configurations whose behaviour probes agree "
                        "(default: the scenario's equivalence_cache)")
    p.add_argument("--simulate", default=None, metavar="MATRIX.npz",
                   help="answer every run (tuning and validation) from this runtime matrix, on --workers virtual "
                        "workers on a virtual clock; --budget is then virtual seconds")
    p.add_argument("--caller-time", choices=("charged", "free"), default="charged",
                   help="with --simulate: charge the tuner's and engine's real time to the virtual clock "
                        "(charged, default) or not (free: reproducible, an infinitely fast tuner)")
    add_progress_flags(p)
    p.set_defaults(func=configure_command)

    v = subparsers.add_parser("validate", help="validate the incumbent of a configuration run directory")
    v.add_argument("rundir")
    v.add_argument("--workers", type=int, default=1)
    v.add_argument("--trajectory", type=int, default=0, metavar="N",
                   help="also run every incumbent of the trajectory on the same N training instance-seed pairs "
                        "(RUNDIR/trajectory_costs.json, resumable; default 0: off)")
    v.add_argument("--json", action="store_true")
    add_progress_flags(v)
    v.set_defaults(func=validate_command)


def _options(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--option must look like NAME=VALUE, got {item!r}")
        try:
            out[name] = json.loads(value)
        except json.JSONDecodeError:
            out[name] = value
    return out


def _check_budget_flags(args: argparse.Namespace) -> None:
    """--budget, --runs and --cpu-time must be positive and finite (a bad one is refused before anything runs)."""
    import math

    for flag, value in (("--budget", args.budget), ("--runs", args.runs), ("--cpu-time", args.cpu_time)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InputError(f"{flag} must be a positive number, got {value}")


def configure_command(args: argparse.Namespace) -> int:
    from algoconf.scenario import load_scenario
    from algoconf.run.session import open_session

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.simulate and args.scheduler:
        raise InputError("--simulate and --scheduler exclude each other: a simulation runs nothing")
    _check_budget_flags(args)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError("--out is a file; give a run directory (new or a previous run's)", file=args.out)
    if args.guard_pairs < 0:
        raise InputError(f"--guard-pairs must be at least 0, got {args.guard_pairs}")
    if args.trajectory < 0:
        raise InputError(f"--trajectory must be at least 0, got {args.trajectory}")
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    run_dir = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-{args.tuner}-s{seed}"
    options = _options(args.option)
    executor = None
    if args.simulate:  # the matrix is checked against the scenario here, before anything runs
        from algoconf.tuners.simulated import simulated_executor

        executor, _ = simulated_executor(scenario, args.simulate, args.workers, caller_time=args.caller_time)
    view = progress_observer(args)
    try:
        with open_session(scenario, run_dir, args.tuner, seed=seed, workers=args.workers, runs=args.runs,
                          wallclock=args.budget, cpu_time=args.cpu_time, scheduler=args.scheduler,
                          progress=view, tuner_options=options, executor=executor,
                          guard_min_pairs=args.guard_pairs or None,
                          equivalence_cache=args.equivalence_cache) as session:
            outcome = session.run()
            simulation = _simulation(session.executor, args) if args.simulate else {}
            run_info = {"scenario": str(Path(args.scenario).resolve()), "tuner": args.tuner, "seed": seed,
                        "options": options, "outcome": asdict(outcome), **simulation}
            (run_dir / RUN_FILE).write_text(json.dumps(run_info, indent=1, default=str))
            report = None
            if not args.no_validate and outcome.incumbent is not None:
                from algoconf.run.validation import validate

                report = validate(scenario, outcome.incumbent, session.executor, run_dir, seed=seed,
                                  progress=view)
            trajectory = _trajectory_costs(run_dir, args, view, session.executor) if outcome.incumbent else None
    finally:
        if view is not None:
            view.close()
    _print(outcome, report, run_dir, args.json, simulation, trajectory)
    return 0


def _trajectory_costs(run_dir: Path, args: argparse.Namespace, view: Any, executor: Any = None) -> Any:
    """--trajectory N: every incumbent on N fixed training pairs (algoconf/analysis/trajectory_costs.py)."""
    if not args.trajectory:
        return None
    from algoconf.analysis.trajectory_costs import run_trajectory_costs

    return run_trajectory_costs(run_dir, args.trajectory, workers=args.workers, progress=view, executor=executor)


def _simulation(executor: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The virtual clock's account of a simulated tuning run (taken before validation runs)."""
    return {"simulate": str(Path(args.simulate).resolve()), "caller_time": args.caller_time,
            "virtual_time": executor.now(), "utilisation": executor.utilisation(), "workers": executor.n_workers,
            "caller_seconds_charged": executor.charged_seconds}


def validate_command(args: argparse.Namespace) -> int:
    from algoconf.scenario import load_scenario
    from algoconf.run.session import build_executor
    from algoconf.run.validation import validate

    run_dir = Path(args.rundir)
    info_path = run_dir / RUN_FILE
    if not info_path.is_file():
        raise InputError(f"no {RUN_FILE} here: not a configuration run directory (run 'algoconf configure' first)",
                         file=run_dir)
    info = json.loads(info_path.read_text())
    incumbent = info["outcome"].get("incumbent")
    if incumbent is None:
        raise InputError("the run has no incumbent yet (no run finished)", file=info_path)
    if args.trajectory < 0:
        raise InputError(f"--trajectory must be at least 0, got {args.trajectory}")
    scenario = load_scenario(info["scenario"])
    executor: Executor
    if info.get("simulate"):  # a simulated run validates from its matrix too
        from algoconf.tuners.simulated import simulated_executor

        executor, _ = simulated_executor(scenario, info["simulate"], args.workers, caller_time="free")
    else:
        executor = build_executor(scenario, args.workers)
    view = progress_observer(args)
    try:
        report = validate(scenario, incumbent, executor, run_dir, seed=info.get("seed"), progress=view)
        trajectory = _trajectory_costs(run_dir, args, view, executor)
    finally:
        executor.close()
        if view is not None:
            view.close()

    class _Stored:  # the outcome as stored, for printing
        pass

    outcome = _Stored()
    outcome.__dict__.update(info["outcome"])
    _print(outcome, report, run_dir, args.json, trajectory=trajectory)
    return 0


def _print(outcome: Any, report: Any, run_dir: Path, as_json: bool, simulation: dict[str, Any] | None = None,
           trajectory: Any = None) -> None:
    from algoconf.run.validation import format_table, worse_warning

    guard = getattr(outcome, "guard", None)
    warning = worse_warning(report) if report is not None else None
    if warning:
        print(f"algoconf: warning: {warning}", file=sys.stderr)
    if as_json:
        data = {
            "run_dir": str(run_dir),
            "incumbent": outcome.incumbent,
            "incumbent_key": outcome.incumbent_key,
            "incumbent_train_cost": outcome.incumbent_cost,
            "runs": outcome.runs,
            "cpu_time": outcome.cpu_time,
            "wallclock": outcome.wallclock,
            "stop_reason": outcome.stop_reason,
            "resumed": outcome.resumed,
            "capping": _capping(outcome),
            "equivalence": (getattr(outcome, "extra", None) or {}).get("equivalence"),
            "default_test_par10": report.default.par if report else None,
            "incumbent_test_par10": report.incumbent.par if report else None,
            "validation": report.to_dict() if report else None,
            "guard": guard,
            "incumbent_worse_than_default": bool(report is not None and report.incumbent_worse_than_default),
        }
        if report is not None:
            data["validation"].pop("rows", None)
        data.update(simulation or {})
        if trajectory is not None:
            data["trajectory_costs"] = trajectory.to_dict()
        print(json.dumps(data, default=str))
        return
    print(f"run directory: {run_dir}")
    print(f"stopped: {outcome.stop_reason}; {outcome.runs} runs, {outcome.cpu_time:.1f} s target CPU, "
          f"{outcome.wallclock:.1f} s wall")
    capping = _capping(outcome)
    if capping["capped_runs"]:
        print(f"adaptive capping: {capping['capped_runs']} runs capped, at most "
              f"{capping['cpu_saved_at_most']:.1f} s target CPU saved")
    equivalence = (getattr(outcome, "extra", None) or {}).get("equivalence")
    if equivalence:
        print(f"equivalence cache: {equivalence['shared']} results shared ({equivalence['shared_runtime']:.1f} s "
              f"target time not spent), {equivalence['probes_run']} probes ({equivalence['probe_cost']:.1f} s), "
              f"{equivalence['classes_with_several_configs']} classes of several configurations")
    if simulation:
        print(f"simulated from {simulation['simulate']}: {simulation['virtual_time']:.1f} virtual s on "
              f"{simulation['workers']} workers, utilisation {simulation['utilisation']:.1%} "
              f"(caller time {simulation['caller_time']})")
    if guard:
        print(f"incumbent guard: {guard['verdict']}: {guard['reason']}")
    print(f"incumbent ({outcome.incumbent_key}):")
    for name, value in sorted((outcome.incumbent or {}).items()):
        print(f"  {name} = {value}")
    if report is not None:
        print(format_table(report))
        if report.plot:
            print(f"scatter plot: {report.plot}")
        if warning:
            print(f"WARNING: {warning}.")
            print("recommendation: keep the default configuration (run the target without these parameters)")
    if trajectory is not None:
        from algoconf.analysis.trajectory_costs import format_trajectory_costs

        print(format_trajectory_costs(trajectory))


def _capping(outcome: Any) -> dict[str, Any]:
    """The outcome's capping summary as a dict (a stored run.json holds it as one; older ones lack it)."""
    summary = getattr(outcome, "capping", None)
    if summary is None:
        return {"capped_runs": 0, "cpu_saved_at_most": 0.0}
    return dict(summary) if isinstance(summary, dict) else asdict(summary)
