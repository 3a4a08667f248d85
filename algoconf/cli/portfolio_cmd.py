"""``algoconf portfolio build SCENARIO --size K --tuner NAME``: a Hydra portfolio of configurations.

Each iteration is its own resumable configuration run in ``OUT/iter-<i>``; ``OUT/portfolio.json``
holds the members, their costs and the portfolio's virtual best vs its single best member on the
training and test instances (algoconf/portfolio/hydra.py). Then a selector over the members is
trained on the training instances' features (algoconf/portfolio/selector.py) and written to
``OUT/selector.model`` for ``algoconf select run``; ``--no-selector`` stops after the portfolio.
``--json`` prints one JSON object (members, scores, and the selector's training-CV PAR10).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from algoconf.cli.progress_view import add_progress_flags, progress_observer
from algoconf.errors import InputError
from algoconf.selection.offline.registry import RECOMMENDED, SELECTORS
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
    b.add_argument("--selector", default=None, choices=sorted(SELECTORS),
                   help=f"selector over the members (default: the recommended one, {RECOMMENDED})")
    b.add_argument("--param", action="append", metavar="KEY=VALUE", help="selector parameter (repeatable)")
    b.add_argument("--no-selector", action="store_true", help="build the portfolio only, train no selector")
    b.add_argument("--out", default=None, help="output directory (default: runs/<scenario>-hydra-<tuner>-s<seed>)")
    b.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_progress_flags(b)
    b.set_defaults(func=build_command)


def build_command(args: argparse.Namespace) -> int:
    from algoconf.cli.select_offline import _params
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.portfolio.selector import feature_source, train_portfolio_selector
    from algoconf.scenario import load_scenario
    from algoconf.selection.offline.registry import make_selector
    from algoconf.run.session import build_executor

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.size < 1:
        raise InputError(f"--size must be at least 1, got {args.size}")
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    params = _params(args.param)
    if not args.no_selector:  # everything the selector step needs is checked before any target runs
        if scenario.objective != "runtime":
            raise InputError("a portfolio selector is trained on runtimes; this scenario's objective is "
                             f"{scenario.objective!r}: use --no-selector", file=scenario.source)
        feature_source(scenario)
        make_selector(args.selector or RECOMMENDED, random_state=seed, **params)
    out = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-hydra-{args.tuner}-s{seed}"
    executor = build_executor(scenario, args.workers)
    view = progress_observer(args)
    try:
        result = build_portfolio(scenario, out, args.size, args.tuner, executor, budget=args.budget, runs=args.runs,
                                 seed=seed, workers=args.workers, progress=view)
        training = None if args.no_selector else train_portfolio_selector(
            scenario, result.members, executor, out, selector=args.selector, params=params, seed=seed,
            workers=args.workers, progress=view)
    finally:
        executor.close()
        if view is not None:
            view.close()
    if args.json:
        data = result.to_dict()
        data.pop("test_matrix", None)
        for score in ("train", "test"):
            if data[score] is not None:
                data[f"vbs_{score}"] = data[score]["vbs"]
                data[f"sbs_{score}"] = data[score]["sbs"]
        data["member_names"] = [f"m{m.iteration}-{m.key}" for m in result.members]
        data["selector"] = None if training is None else training.to_dict()
        data["selector_cv_par10"] = None if training is None else training.cv["par10"]
        print(json.dumps(data, default=str))
        return 0
    _print(result)
    if training is not None:
        _print_selector(training)
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


def _print_selector(t: Any) -> None:
    cv = t.cv
    print(f"selector {t.selector} over {len(t.members)} members, features {t.features.extractor} "
          f"(steps used: {', '.join(t.used_steps) or 'none'}; mean feature cost {t.mean_feature_cost:.3f} s, charged)")
    print(f"  training {cv['n_instances']} instances, 10-fold CV: PAR10 {cv['par10']:.3f}  solved {cv['solved']:.3f}  "
          f"VBS {cv['vbs_par10']:.3f}  single best {cv['sbs_par10']:.3f} ({cv['sbs']})")
    others = ", ".join(f"{n} {v:.3f}" for n, v in t.cv_par10_by_selector.items())
    if t.requested and t.requested != t.selector:
        print(f"  {t.requested} did not beat the single best member in CV ({others}): the model plays the single best")
    elif others:
        print(f"  CV PAR10 by selector: {others}")
    if t.rerun_pairs:
        print(f"  {t.rerun_pairs} (member, instance) runs made to complete the matrix")
    where = f"algoconf select run {t.model} INSTANCE..." if t.playable else "(select run needs a runner target)"
    print(f"  model: {t.model}  {where}")
