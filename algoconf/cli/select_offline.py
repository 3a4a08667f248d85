"""``algoconf select fit | run | evaluate``: offline algorithm selection from ASlib data or algoconf runs.

* ``select fit SOURCE --selector NAME -o MODEL``: SOURCE is an ASlib scenario directory or an
  algoconf run directory (its ``history.sqlite``; features from ``--features CSV`` with an
  ``instance`` column). The model file is written by :mod:`algoconf.selection.model_io` (a JSON
  manifest and the fitted selector in a format whose loading runs no code).
* ``select run MODEL INSTANCE... [--workers N] [--json] [--trust-model]``: play the model's plan (pre-solving
  schedule, features, chosen algorithm) on new instances with real solvers, cutoff enforced
  (:mod:`algoconf.selection.run`). ``--trust-model`` also loads a pickled model of an older algoconf
  (unpickling runs whatever the file says: only for files you trust).
* ``select evaluate ASLIB_DIR [--selector NAME] [--feature-cost charge|free] [--unsolved keep|drop]
  [--jobs N] [--progress|--no-progress] [--json]``: 10-fold CV from cv.arff; without ``--selector``
  the recommended selector; folds run on ``--jobs`` cores (default all; results identical to 1);
  a progress bar (members fitted, folds done, ETA) on stderr when it is a terminal. ``--json``
  prints one object with ``par10, vbs_par10, sbs_par10, gap_closed, solved`` and the conventions.
* ``select fit ... [--jobs N]``: the forests of one fit on N cores (default all).

``--param key=value`` (repeatable) sets selector parameters (values parsed as JSON, else text).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from algoconf.errors import SelectionInputError
from algoconf.selection.data.sources import load_performance
from algoconf.selection.model_io import load_model, save_model


def _params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise SelectionInputError(f"--param expects key=value, got {item!r}")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def cmd_fit(args: argparse.Namespace) -> int:
    from algoconf.selection.offline.registry import make_selector

    from algoconf.selection.offline.parallel import fit_selector, resolve_jobs

    jobs = resolve_jobs(args.jobs)
    data = load_performance(Path(args.source), Path(args.features) if args.features else None)
    selector = fit_selector(make_selector(args.selector, random_state=args.seed, **_params(args.param)), data, jobs=jobs)
    out = Path(args.output)
    save_model(out, selector, data, Path(args.source))
    summary = {
        "model": str(out),
        "selector": args.selector,
        "params": selector.get_params(),
        "algorithms": len(data.algorithms),
        "instances": data.n_instances,
        "presolve_schedule": selector.presolve_schedule,
        "feature_steps": list(selector.used_steps or ()),
    }
    if args.json:
        print(json.dumps(summary, default=str))
    else:
        print(f"fitted {args.selector} on {data.n_instances} instances x {data.n_algorithms} algorithms -> {out}")
        if selector.presolve_schedule:
            print(f"pre-solving schedule: {selector.presolve_schedule}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from algoconf.cli.progress_view import progress_observer
    from algoconf.selection.offline.evaluation import evaluate
    from algoconf.selection.offline.parallel import resolve_jobs
    from algoconf.selection.offline.registry import RECOMMENDED, make_selector, selector_class

    jobs = resolve_jobs(args.jobs)
    data = load_performance(Path(args.source))
    name = args.selector or RECOMMENDED
    params = dict(_params(args.param), random_state=args.seed)
    if selector_class(name).optimises_feature_cost:  # its inner choices optimise the convention it is judged by
        params.setdefault("feature_cost", args.feature_cost)
    make_selector(name, **params)  # bad names / parameters fail before any fitting
    view = progress_observer(args)
    try:
        report = evaluate(lambda: make_selector(name, **params), data, feature_cost=args.feature_cost,
                          unsolved=args.unsolved, jobs=jobs, progress=view)
    finally:
        if view is not None:
            view.close()
    if args.json:
        out = report.to_dict()
        out["folds"] = [vars(f) if not isinstance(f, dict) else f for f in out["folds"]]
        print(json.dumps(out, default=float))
        return 0
    print(f"{report.scenario}: {name} ({report.n_instances} instances, {len(report.folds)}-fold CV from cv.arff)")
    print(f"  conventions: feature cost {report.feature_cost}; instances nobody solves: {report.unsolved}")
    print(f"  PAR10 {report.par10:.1f}   VBS {report.vbs_par10:.1f}   SBS {report.sbs_par10:.1f} ({report.sbs})")
    print(f"  gap closed {report.gap_closed:.3f}   solved {report.solved:.3f}   misclassification penalty {report.misclassification_penalty:.1f}")
    for f in report.folds:
        print(f"    fold {f.fold:2d}: {f.n_test:4d} instances  PAR10 {f.par10:10.1f}  solved {f.solved:.3f}", file=sys.stdout)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from algoconf.selection.run import run_model

    model = load_model(Path(args.model), trust_pickle=args.trust_model)
    outcomes = run_model(model, args.instances, workers=args.workers, seed=args.seed)
    if args.json:
        print(json.dumps({"model": str(args.model), "cutoff": model["cutoff"],
                          "instances": [o.to_dict() for o in outcomes]}, default=str))
        return 0
    print(f"{'instance':40s} {'algorithm':16s} {'status':8s} {'runtime':>9s} {'features':>9s} {'total':>9s}")
    for o in outcomes:
        alg = (o.algorithm or "-") + (" (pre)" if o.presolved else "")
        print(f"{o.instance[-40:]:40s} {alg:16s} {o.status:8s} {o.runtime:9.3f} {o.feature_cost:9.3f} {o.total_time:9.3f}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``fit``, ``run`` and ``evaluate`` to the ``select`` group's subparsers."""
    from algoconf.cli.progress_view import add_progress_flags
    from algoconf.selection.offline.registry import SELECTORS

    fit = sub.add_parser("fit", help="fit a selector on ASlib data or on an algoconf run directory")
    fit.add_argument("source", metavar="ASLIB_DIR|RUNDIR")
    fit.add_argument("--selector", default="regression", choices=sorted(SELECTORS))
    fit.add_argument("-o", "--output", required=True, metavar="MODEL")
    fit.add_argument("--features", metavar="CSV", help="instance features for a run directory (header: instance,...)")
    fit.add_argument("--param", action="append", metavar="KEY=VALUE")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--json", action="store_true")
    fit.add_argument("--jobs", type=int, default=None, metavar="N", help="cores for the forests (default: all)")
    fit.set_defaults(func=cmd_fit)

    run = sub.add_parser("run", help="run a fitted selector's plan on instances with the real solvers")
    run.add_argument("model", metavar="MODEL")
    run.add_argument("instances", nargs="+", metavar="INSTANCE")
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--json", action="store_true")
    run.add_argument("--trust-model", action="store_true",
                     help="also load a pickled model of an older algoconf: unpickling runs code, only for files you trust")
    run.set_defaults(func=cmd_run)

    ev = sub.add_parser("evaluate", help="10-fold CV of a selector on an ASlib scenario (PAR10, gap closed)")
    ev.add_argument("source", metavar="ASLIB_DIR")
    ev.add_argument("--selector", choices=sorted(SELECTORS), help="default: the recommended selector")
    ev.add_argument("--feature-cost", choices=("charge", "free"), default="charge")
    ev.add_argument("--unsolved", choices=("keep", "drop"), default="keep")
    ev.add_argument("--param", action="append", metavar="KEY=VALUE")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="cores: folds in parallel processes, results identical to --jobs 1 (default: all)")
    add_progress_flags(ev)
    ev.set_defaults(func=cmd_evaluate)
