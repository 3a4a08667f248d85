"""``algoconf portfolio build SCENARIO --size K --tuner NAME``: a Hydra portfolio of configurations.

Each iteration is its own resumable configuration run in ``OUT/iter-<i>``; ``OUT/portfolio.json``
holds the members, their costs and the portfolio's virtual best vs its single best member on the
training and test instances (algoconf/portfolio/hydra.py). ``--json`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from algoconf.errors import InputError
from algoconf.tuners import TUNERS


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("portfolio", help="portfolios of configurations (Hydra)")
    sub = p.add_subparsers(dest="portfolio_command", required=True)
    b = sub.add_parser("build", help="build a Hydra portfolio: configure K times for the portfolio's marginal gain")
    b.add_argument("scenario", help="scenario.yaml or AClib scenario.txt")
    b.add_argument("--size", type=int, required=True, help="number of Hydra iterations (portfolio size K)")
    b.add_argument("--tuner", required=True, choices=sorted(TUNERS))
    b.add_argument("--budget", type=float, default=None, help="wall-clock seconds per iteration (overrides the scenario)")
    b.add_argument("--runs", type=int, default=None, help="target runs per iteration (overrides the scenario)")
    b.add_argument("--workers", type=int, default=1, help="parallel target runs (default 1)")
    b.add_argument("--seed", type=int, default=None, help="tuner seed (default: the scenario's)")
    b.add_argument("--out", default=None, help="output directory (default: runs/<scenario>-hydra-<tuner>-s<seed>)")
    b.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    b.set_defaults(func=build_command)


def build_command(args: argparse.Namespace) -> int:
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.scenario import load_scenario
    from algoconf.tuners.session import build_executor

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.size < 1:
        raise InputError(f"--size must be at least 1, got {args.size}")
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-hydra-{args.tuner}-s{seed}"
    executor = build_executor(scenario, args.workers)
    try:
        result = build_portfolio(scenario, out, args.size, args.tuner, executor, budget=args.budget, runs=args.runs,
                                 seed=seed, workers=args.workers, progress=not args.json and sys.stderr.isatty())
    finally:
        executor.close()
    if args.json:
        data = result.to_dict()
        data.pop("test_matrix", None)
        for score in ("train", "test"):
            if data[score] is not None:
                data[f"vbs_{score}"] = data[score]["vbs"]
                data[f"sbs_{score}"] = data[score]["sbs"]
        print(json.dumps(data, default=str))
        return 0
    _print(result)
    return 0


def _print(result: Any) -> None:
    metric = f"PAR{result.par_factor:g}" if result.objective == "runtime" else "mean cost"
    print(f"output directory: {result.out_dir}")
    for it in result.iterations:
        state = "added" if it["added"] else "already a member"
        print(f"iteration {it['iteration']}: {it['key']} ({state}, {it['tuner_runs']} tuner runs); "
              f"portfolio train cost {it['portfolio_train_cost_before']:.3f} -> {it['portfolio_train_cost_after']:.3f}")
    for i, m in enumerate(result.members):
        print(f"member {i} (iteration {m.iteration}): " + ", ".join(f"{k}={v}" for k, v in sorted(m.config.items())))
    print(f"{'':6s} {'n':>4s} {'VBS ' + metric:>14s} {'single best ' + metric:>20s} {'member':>7s}")
    for s in (result.train, result.test):
        if s is not None:
            print(f"{s.instances:6s} {s.n:>4d} {s.vbs:>14.3f} {s.sbs:>20.3f} {s.sbs_member:>7d}")
