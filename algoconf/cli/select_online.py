"""``algoconf select online``: online algorithm selection under censored runtimes.

Replay (default): ``algoconf select online ASLIB_DIR [--policy NAME] [--shuffles 10]
[--protocol algoconf|paper] [--json]`` replays an ASlib runtime scenario (or every runtime scenario
in a directory of scenarios) as a stream, as documented in
:mod:`algoconf.selection.online.evaluation`, and reports PAR10, the online oracle's PAR10, rePAR10,
the single best solver in hindsight, unsolved instances and learner seconds per step.
``--protocol paper``: Tornede et al.'s code (every instance kept, oracle and single best without
feature cost, median over scenarios as the headline); ``algoconf`` (default): instances nobody
solves dropped, oracle and single best pay the feature cost, mean as the headline.

Live: ``algoconf select online --live SCENARIO --solvers a,b,c`` runs real solvers on the
scenario's instances through the executor (see :mod:`algoconf.selection.online.live`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from algoconf.errors import InputError, SelectionInputError
from algoconf.selection.online.policies import RECOMMENDED_POLICY, online_policies

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``online`` sub-command to the ``select`` group."""
    p = sub.add_parser(
        "online",
        help="online selection under censored runtimes: replay an ASlib scenario, or run live solvers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("aslib_dir", nargs="?", metavar="ASLIB_DIR",
                   help="an ASlib scenario directory, or a directory of scenarios (every runtime scenario is replayed)")
    p.add_argument("--policy", default=None, help=f"online policy (default: {RECOMMENDED_POLICY}); see --list-policies")
    p.add_argument("--list-policies", action="store_true", help="list the online policies and exit")
    p.add_argument("--shuffles", type=int, default=10, help="number of shuffled streams (seeds 0..n-1), default 10")
    p.add_argument("--steps", default="all", help="feature steps used and charged: all (default), default, or a comma list")
    p.add_argument("--no-feature-cost", action="store_true", help="do not charge feature costs")
    p.add_argument("--protocol", default="algoconf", metavar="algoconf|paper",
                   help="algoconf (default): unsolvable instances dropped, oracle and single best pay the feature cost, "
                        "mean over scenarios; paper: Tornede et al.'s code (all instances, oracle and single best "
                        "without feature cost, median over scenarios)")
    p.add_argument("--oracle-without-feature-cost", action="store_true",
                   help="the oracle (and the single best) pay no feature cost (implied by --protocol paper)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    live = p.add_argument_group("live mode")
    live.add_argument("--live", metavar="SCENARIO", default=None,
                      help="run real solvers on the instances of this scenario (YAML or AClib scenario.txt)")
    live.add_argument("--solvers", default=None, help="comma-separated runner names (e.g. minisat,cadical,clasp)")
    live.add_argument("--run-dir", default=None, help="directory of the run history (default: online-<scenario name>)")
    live.add_argument("--limit", type=int, default=None, help="stop after this many instances of the stream")
    live.add_argument("--seed", type=int, default=0, help="seed of the stream order and of the selector")
    p.set_defaults(func=run_online)


def _run_live(args: argparse.Namespace, policy: str) -> int:
    """``--live SCENARIO --solvers a,b,c``: each step on stderr, the summary on stdout."""
    from algoconf.scenario import load_scenario
    from algoconf.selection.online.live import LiveStep, run_live

    if not args.solvers:
        raise InputError("--live needs --solvers a,b,c (runner names, e.g. minisat,cadical,clasp)")
    scenario = load_scenario(args.live)
    run_dir = Path(args.run_dir) if args.run_dir else Path(f"online-{scenario.name}")

    def show(step: LiveStep) -> None:
        origin = "history" if step.resumed else "ran"
        print(f"[{step.index + 1}] {step.instance}: {step.solver} {step.status} {step.runtime:.2f}s "
              f"(features {step.feature_seconds:.2f}s, cost {step.cost:.2f}, {origin})", file=sys.stderr)

    summary = run_live(scenario, args.solvers.split(","), run_dir, policy=policy, seed=args.seed,
                       limit=args.limit, progress=show)
    out = summary.to_dict() | {"run_dir": str(run_dir)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['instances']} instances, PAR{scenario.par_factor:g} {out['par10']:.2f}, solved {out['solved']}, "
              f"new runs {out['new_runs']}, from history {out['resumed_runs']}; choices {out['choices']}")
        print(f"history: {run_dir / 'history.sqlite'}")
    return 0


def run_online(args: argparse.Namespace) -> int:
    if args.list_policies:
        return _list_policies(args)
    policy = args.policy or RECOMMENDED_POLICY
    if policy not in online_policies():
        raise SelectionInputError(f"--policy: unknown online policy {policy!r}; expected one of: {', '.join(online_policies())}")
    if args.live is not None:
        return _run_live(args, policy)
    if args.aslib_dir is None:
        raise InputError("select online: give ASLIB_DIR (replay) or --live SCENARIO --solvers a,b,c")
    if args.shuffles < 1:
        raise InputError(f"--shuffles must be at least 1, got {args.shuffles}")
    from algoconf.selection.online.evaluation import online_protocol

    online_protocol(args.protocol)  # an unknown name fails before anything is loaded
    return _replay(args, policy)


def _list_policies(args: argparse.Namespace) -> int:
    policies = online_policies()
    if args.json:
        print(json.dumps({"recommended": RECOMMENDED_POLICY, "policies": policies}))
    else:
        for name, doc in policies.items():
            mark = "*" if name == RECOMMENDED_POLICY else " "
            print(f"{mark} {name:22s} {doc}")
    return 0


def _scenario_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        raise InputError("not a directory (expected an ASlib scenario directory)", file=root)
    if (root / "description.txt").is_file():
        return [root]
    found = sorted(d for d in root.iterdir() if (d / "description.txt").is_file())
    if not found:
        raise InputError("no ASlib scenario here (no description.txt, nor sub-directories with one)", file=root)
    return found


def _replay(args: argparse.Namespace, policy: str) -> int:
    from algoconf.selection.data.aslib import load_aslib
    from algoconf.selection.data.input_checks import check_selectable
    from algoconf.selection.online.evaluation import OnlineStream, aggregate_repar10, evaluate_online, online_protocol

    protocol = online_protocol(args.protocol)
    oracle_free = protocol.name == "paper" or args.oracle_without_feature_cost or args.no_feature_cost
    root = Path(args.aslib_dir)
    dirs = _scenario_dirs(root)
    steps: Any = args.steps if args.steps in ("all", "default") else [s for s in args.steps.split(",") if s]
    summaries = []
    sbs: dict[str, float] = {}
    for d in dirs:
        scenario = load_aslib(d)
        if scenario.performance_type != "runtime" or scenario.cutoff is None:
            if len(dirs) == 1:
                raise SelectionInputError("online selection needs a runtime scenario with a cutoff", file=d / "description.txt")
            print(f"skipping {scenario.name}: not a runtime scenario with a cutoff", file=sys.stderr)
            continue
        check_selectable(len(scenario.algorithms), scenario.features, source=d)
        try:
            stream = OnlineStream.from_aslib(
                scenario,
                steps=steps,
                charge_feature_cost=not args.no_feature_cost,
                keep_unsolvable=protocol.keep_unsolvable,
                oracle_feature_cost=not oracle_free,
            )
        except ValueError as err:
            raise SelectionInputError(f"--steps: {err}", file=d / "description.txt") from err
        print(f"{scenario.name}: {stream.n_instances} instances x {args.shuffles} shuffles, policy {policy}", file=sys.stderr)
        summaries.append(evaluate_online(stream, [policy], range(args.shuffles))[policy])
        sbs[scenario.name] = stream.sbs_repar10()
    if not summaries:
        raise SelectionInputError("no runtime scenario with a cutoff to replay", file=root)
    repar = aggregate_repar10([s.repar10 for s in summaries])
    sbs_agg = aggregate_repar10(list(sbs.values()))
    out = {
        "policy": policy,
        "protocol": protocol.name,
        "protocol_description": protocol.description,
        "headline": protocol.headline,
        "shuffles": args.shuffles,
        "feature_cost_charged": not args.no_feature_cost,
        "unsolvable_instances_kept": protocol.keep_unsolvable,
        "oracle_pays_feature_cost": not oracle_free,
        "sbs_pays_feature_cost": not oracle_free,
        "repar10_median": repar["median"],
        "repar10_mean": repar["mean"],
        "sbs_repar10": sbs_agg[protocol.headline],
        "sbs_repar10_median": sbs_agg["median"],
        "sbs_repar10_mean": sbs_agg["mean"],
        "repar10": repar[protocol.headline],
        "par10": float(np.mean([s.par10 for s in summaries])),
        "oracle_par10": float(np.mean([s.oracle_par10 for s in summaries])),
        "unsolved": float(np.mean([s.unsolved for s in summaries])),
        "seconds_per_step": float(np.mean([s.seconds_per_step for s in summaries])),
        "scenarios": [dict(s.to_dict(), sbs_repar10=sbs[s.scenario]) for s in summaries],
    }
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"protocol {protocol.name}: {protocol.description}")
    print(f"{'scenario':20s} {'PAR10':>10s} {'oracle':>9s} {'rePAR10':>8s} {'SBS(hindsight)':>15s} {'unsolved':>9s} {'ms/step':>8s}")
    for s in summaries:
        print(f"{s.scenario:20s} {s.par10:10.1f} {s.oracle_par10:9.1f} {s.repar10:8.2f} {sbs[s.scenario]:15.2f} "
              f"{s.unsolved:9.1f} {1000 * s.seconds_per_step:8.3f}")
    if len(summaries) > 1:
        for label in ("median", "mean"):
            mark = " (headline)" if label == protocol.headline else ""
            print(f"{label + mark:20s} {'':10s} {'':9s} {repar[label]:8.2f} {sbs_agg[label]:15.2f}")
    return 0
