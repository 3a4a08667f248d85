"""A Hydra portfolio of K configurations + its selector vs the single best configuration, at equal tuning budget.

Protocol (real solver runs, one scenario, one tuner, the same workers for every arm):

* ``single`` part: one configuration run with the **whole** tuning budget (``--budget`` wall-clock
  seconds); its incumbent is the single best configuration. The scenario's default configuration
  and that incumbent are run on the test instances.
* ``hydra`` part: ``algoconf portfolio build`` with ``--size K`` and ``--budget / K`` seconds per
  iteration (so the configuration runs get the same total wall-clock); Hydra additionally runs
  each new member once on every training instance (its evaluation runs, reported separately as
  ``hydra_eval_cpu``). Every member is run on the test instances; the portfolio's oracle (virtual
  best, VBS) takes per test instance the best member. Then the selector over the members
  (``algoconf/portfolio/selector.py``, the registry's recommended selector unless ``--selector``)
  is trained on the training instances' CNF features and **played for real** on the test
  instances (``algoconf select run``: features computed, then the chosen member run, all within
  the cutoff: feature cost charged). The same selector is also scored offline on the members'
  test runs (``selector_offline``: its choice's recorded run + the measured feature cost).

All test runs of configurations use the same instance seeds (``hydra.run_on_instances``, stream
"test"), so default, single best and members are compared on identical runs. Reported per arm:
test PAR10 (mean, unsolved = 10 x cutoff, CPU seconds) and solved count.

    flock /tmp/algoconf_heavy.lock python benchmarks/hydra.py --part single --budget 720
    flock /tmp/algoconf_heavy.lock python benchmarks/hydra.py --part hydra --budget 720
    python benchmarks/hydra.py --table              # print the table of benchmarks/results/hydra.json
    python benchmarks/hydra.py --quick              # tiny scenario, seconds; writes hydra_quick.json

Each part updates its key of the result file, so parts can run in separate locked sessions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.benchmarking import source_commit  # noqa: E402

DEFAULT_SCENARIO = ROOT / "scenarios" / "minisat-mixed" / "scenario.yaml"
RESULTS = ROOT / "benchmarks" / "results"

QUICK_SCENARIO = """\
name: minisat-mixed-quick
target:
  runner: minisat
space: {pcs}
train:
  generator: "algoconf.instances.generators.mixed:mixed_families"
  n: 6
  seed: 1
  kwargs: {{families: {families}}}
test:
  generator: "algoconf.instances.generators.mixed:mixed_families"
  n: 4
  seed: 2
  kwargs: {{families: {families}}}
objective: runtime
cutoff: 2
time_kind: cpu
par_factor: 10
memory_limit: 2048
seed: 1
instance_cache: inst
"""
QUICK_FAMILIES = ("[{generator: random_ksat, kwargs: {variables: 100, ratio: 4.26}}, "
                  "{generator: pigeonhole, kwargs: {holes: 6}}]")


def _score(costs: Sequence[float], solved: Sequence[bool]) -> dict[str, Any]:
    return {"par10": float(sum(costs) / len(costs)), "solved": int(sum(bool(s) for s in solved)), "n": len(costs)}


def _score_results(results: Sequence[Any], problem: Any) -> dict[str, Any]:
    from algoconf.tuners.evidence import cost_of

    return _score([cost_of(problem, r).value for r in results], [r.status.solved for r in results])


def _cpu(results: Sequence[Any]) -> float:
    return float(sum(max(r.runtime, 0.0) for r in results))


def part_single(scenario: Any, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Default and the single best configuration (one configuration run with the whole budget) on test."""
    from algoconf.portfolio.hydra import _reporting_problem, run_on_instances
    from algoconf.space import default_config
    from algoconf.run.session import build_executor, open_session

    problem = _reporting_problem(scenario)
    test = list(scenario.test.names)
    executor = build_executor(scenario, args.workers)
    t0 = time.time()
    try:
        session = open_session(scenario, work / "single", args.tuner, seed=args.seed, workers=args.workers,
                               wallclock=args.budget, runs=args.runs, progress=False, executor=executor)
        try:
            outcome = session.run()
        finally:
            session.history.close()
        tuning_wall = time.time() - t0
        configs = {"default": dict(default_config(scenario.space)), "single_best": dict(outcome.incumbent)}
        rows = run_on_instances(scenario, list(configs.values()), executor, test, seed=args.seed, which="test")
    finally:
        executor.close()
    return {
        "budget": args.budget, "tuner": args.tuner, "workers": args.workers, "tuning_wall": tuning_wall,
        "tuner_runs": outcome.runs, "stop_reason": str(outcome.stop_reason),
        "single_best_config": configs["single_best"],
        "arms": {name: _score_results(row, problem) | {"test_cpu": _cpu(row)} for name, row in zip(configs, rows)},
        "per_instance": {name: {r.request.instance: [r.status.value, r.runtime] for r in row}
                         for name, row in zip(configs, rows)},
    }


def part_hydra(scenario: Any, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Hydra with K iterations of budget/K each, its members and VBS on test, and its selector played on test."""
    import numpy as np

    from algoconf.selection.model_io import load_model
    from algoconf.features import compute_features
    from algoconf.portfolio.hydra import build_portfolio
    from algoconf.portfolio.selector import member_names, train_portfolio_selector
    from algoconf.selection.run import run_model
    from algoconf.run.session import build_executor

    cutoff, k = float(scenario.cutoff), float(scenario.par_factor)
    executor = build_executor(scenario, args.workers)
    t0 = time.time()
    try:
        result = build_portfolio(scenario, work / "hydra", args.size, args.tuner, executor,
                                 budget=args.budget / args.size, runs=None if args.runs is None else args.runs // args.size,
                                 seed=args.seed, workers=args.workers)
        build_wall = time.time() - t0
        t1 = time.time()
        training = train_portfolio_selector(scenario, result.members, executor, work / "hydra",
                                            selector=args.selector, seed=args.seed, workers=args.workers)
        selector_wall = time.time() - t1
    finally:
        executor.close()
    names = member_names(result.members)
    test = list(scenario.test)
    member_costs = {n: result.test_matrix[m.key] for n, m in zip(names, result.members)}
    arms: dict[str, Any] = {}
    for n, costs in member_costs.items():
        arms[n] = _score(costs, [c < k * cutoff for c in costs])
    matrix = np.array([member_costs[n] for n in names])
    vbs = matrix.min(axis=0)
    arms["portfolio_vbs"] = _score(list(vbs), [c < k * cutoff for c in vbs])
    # the selector, played for real on the test instance files (features + chosen member, within the cutoff)
    model = load_model(Path(training.model))
    t2 = time.time()
    played = run_model(model, [str(i.path) for i in test], workers=args.workers, seed=args.seed)
    play_wall = time.time() - t2
    costs = [o.total_time if o.status == "SUCCESS" else k * cutoff for o in played]
    arms["selector"] = _score(costs, [o.status == "SUCCESS" for o in played]) | {
        "mean_feature_cost": float(np.mean([o.feature_cost for o in played])),
        "chosen": {f"{Path(o.instance).parent.name}/{Path(o.instance).name}": o.chosen for o in played}}
    # the same selector scored offline on the members' recorded test runs (+ the measured feature cost)
    sel = model["selector"]
    comp = compute_features([str(i.path) for i in test], extractor=model["extractor"],
                            groups=model["feature_groups"], caps=model.get("feature_caps"), workers=args.workers)
    X = comp.values.to_numpy(dtype=float)
    fcost = comp.costs[list(training.used_steps)].sum(axis=1).to_numpy(dtype=float) if training.used_steps else np.zeros(len(test))
    picks = [p[0][0] for p in sel.predict(X)]
    off = []
    for j, (pick, fc) in enumerate(zip(picks, fcost)):
        run = member_costs[pick][j]
        off.append(fc + run if (run < k * cutoff and fc + run <= cutoff) else k * cutoff)
    arms["selector_offline"] = _score(off, [c < k * cutoff for c in off]) | {"mean_feature_cost": float(fcost.mean())}
    eval_cpu = sum(float(r["runtime"]) for m in result.members for r in m.train_runs.values())
    return {
        "size": args.size, "budget_per_iteration": args.budget / args.size, "tuner": args.tuner,
        "workers": args.workers, "build_wall": build_wall, "selector_wall": selector_wall, "play_wall": play_wall,
        "hydra_eval_cpu": eval_cpu, "iterations": list(result.iterations),
        "members": [{"name": n, "iteration": m.iteration, "config": dict(m.config)} for n, m in zip(names, result.members)],
        "selector": training.to_dict(), "arms": arms,
        "per_instance": {n: dict(zip([i.name for i in test], map(float, member_costs[n]))) for n in names}
        | {"selector": {i.name: float(c) for i, c in zip(test, costs)}},
        "train_vbs_par10": result.train.vbs, "train_sbs_par10": result.train.sbs,
    }


def table(data: dict[str, Any]) -> str:
    lines = [f"scenario {data.get('scenario')}  (test PAR10 in CPU seconds, unsolved = 10 x cutoff)"]
    lines += [f"note: {n}" for n in data.get("notes", [])]
    single, hydra = data.get("single"), data.get("hydra")
    rows: list[tuple[str, dict[str, Any]]] = []
    if single:
        lines.append(f"single: tuner {single['tuner']}, {single['budget']:.0f} s wall, {single['tuner_runs']} runs, "
                     f"{single['workers']} workers")
        rows += [("default", single["arms"]["default"]), ("single best configuration", single["arms"]["single_best"])]
    if hydra:
        lines.append(f"hydra: K={hydra['size']}, tuner {hydra['tuner']}, {hydra['budget_per_iteration']:.0f} s wall per "
                     f"iteration; + {hydra['hydra_eval_cpu']:.0f} CPU s of member evaluation runs on train")
        for m in hydra["members"]:
            rows.append((f"hydra member {m['name']}", hydra["arms"][m["name"]]))
        rows.append(("portfolio oracle (VBS)", hydra["arms"]["portfolio_vbs"]))
        sel = hydra["selector"]
        rows.append((f"selector {sel['selector']} (played, features charged)", hydra["arms"]["selector"]))
        rows.append((f"selector {sel['selector']} (offline on member runs)", hydra["arms"]["selector_offline"]))
        cv_single = sel.get("cv_par10_by_selector", {}).get("single-best")
        lines.append(f"selector training 10-fold CV PAR10 {sel['cv']['par10']:.3f} (VBS {sel['cv']['vbs_par10']:.3f}, "
                     f"single best member in-sample {sel['cv']['sbs_par10']:.3f}"
                     + (f", single-best selector cross-validated {cv_single:.3f}" if cv_single is not None else "")
                     + f"); feature steps {sel['used_steps']}, "
                     f"mean test feature cost {hydra['arms']['selector']['mean_feature_cost']:.3f} s")
    lines.append(f"{'arm':52s} {'PAR10':>9s} {'solved':>8s}")
    for name, s in rows:
        lines.append(f"{name:52s} {s['par10']:9.3f} {s['solved']:>4d}/{s['n']:<3d}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--part", choices=("single", "hydra", "all"), default="all")
    ap.add_argument("--tuner", default="smac")
    ap.add_argument("--budget", type=float, default=720.0, help="total tuning wall-clock seconds per arm")
    ap.add_argument("--runs", type=int, default=None, help="total tuning runs per arm (also bounds it)")
    ap.add_argument("--size", type=int, default=4)
    ap.add_argument("--selector", default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", default=None, help="run directories (default: a temporary folder)")
    ap.add_argument("--out", default=None, help="result JSON (default benchmarks/results/hydra.json)")
    ap.add_argument("--note", default=None, help="a remark stored with the results (e.g. how a run was resumed)")
    ap.add_argument("--table", action="store_true", help="print the table of the result file and stop")
    ap.add_argument("--quick", action="store_true", help="tiny generated scenario, small run budgets (seconds)")
    args = ap.parse_args(argv)
    out = Path(args.out) if args.out else RESULTS / ("hydra_quick.json" if args.quick else "hydra.json")
    data = json.loads(out.read_text()) if out.is_file() else {}
    if args.note:
        data.setdefault("notes", []).append(args.note)
    if args.table:
        if args.note:
            out.write_text(json.dumps(data, indent=1, default=str))
        print(table(data))
        return 0
    from algoconf.scenario import load_scenario

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="algoconf-hydra-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.quick:
        pcs = ROOT / "runners" / "minisat" / "params.pcs"
        (work / "scenario.yaml").write_text(QUICK_SCENARIO.format(pcs=pcs, families=QUICK_FAMILIES))
        args.scenario = str(work / "scenario.yaml")
        args.tuner, args.size, args.selector = "random", 2, args.selector or "single-best"
        args.runs, args.budget = args.runs or 8, 60.0
        data = {}
    scenario = load_scenario(args.scenario)
    data["scenario"] = str(Path(args.scenario).resolve().relative_to(ROOT)) if not args.quick else "quick"
    data.setdefault("commands", [])
    data["commands"].append("python benchmarks/hydra.py " + " ".join(sys.argv[1:] if argv is None else argv))
    out.parent.mkdir(parents=True, exist_ok=True)
    # written after each part, so a failure in the hydra part keeps the single arm's results
    if args.part in ("single", "all"):
        data["single"] = {**part_single(scenario, args, work), "commit": source_commit()}
        out.write_text(json.dumps(data, indent=1, default=str))
    if args.part in ("hydra", "all"):
        data["hydra"] = {**part_hydra(scenario, args, work), "commit": source_commit()}
        out.write_text(json.dumps(data, indent=1, default=str))
    print(table(data))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
