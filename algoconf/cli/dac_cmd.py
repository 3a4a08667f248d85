"""``algoconf dac``: list DAC benchmarks, evaluate policies, search and learn policies.

    algoconf dac list [--json]
    algoconf dac evaluate BENCH --policy NAME|FILE [--episodes N] [--instances train|test] [--json]
    algoconf dac search BENCH --tuner NAME [--budget RUNS] [--family F] [--save FILE] [--run-dir DIR] [--json]
    algoconf dac qlearn BENCH [--train-episodes N] [--save FILE] [--json]

BENCH is a benchmark id (``sigmoid``, ``sigmoid-v2``, ``luby``, ``leadingones``, ``onemax``,
``cmaes``); benchmark options: ``--n``, ``--portfolio 1,2,4,8,16|all``, ``--dim``, ``--actions``,
``--steps``, ``--length``, ``--cutoff``, ``--generations`` (where they apply).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from algoconf.errors import DACError

__all__ = ["register"]

_BENCH_OPTIONS = ("n", "portfolio", "dim", "actions", "steps", "length", "cutoff", "generations")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("dac", help="dynamic algorithm configuration: benchmarks, policies, search")
    sub = parser.add_subparsers(dest="dac_command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list the benchmarks, their versions, options and policies")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("evaluate", help="evaluate a policy: mean episode return with a 95%% CI")
    _bench_args(p)
    p.add_argument("--policy", required=True, help="random, static, optimal, theory, csa, or a saved policy file")
    p.add_argument("--config", default=None, help="the static policy's configuration, e.g. k=4 (default: the benchmark's)")
    p.add_argument("--episodes", type=int, default=100)
    p.add_argument("--instances", choices=("train", "test"), default="test")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--trace", default=None, help="write per-step JSON lines to this file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("search", help="search a policy family with an algoconf tuner, then evaluate on test")
    _bench_args(p)
    p.add_argument("--tuner", default="random", help="random, acband, smac, optuna")
    p.add_argument("--budget", type=int, default=200, help="tuner runs (one run = one evaluation of a policy on an instance)")
    p.add_argument("--family", default=None, help="policy family (default: the benchmark's first; see `dac list`)")
    p.add_argument("--method", default="auto", choices=("auto", "exact", "batch", "episodes"))
    p.add_argument("--run-episodes", type=int, default=None,
                   help="episodes per run for the batch/episodes methods (default 20; exact evaluation ignores it)")
    p.add_argument("--max-instances", type=int, default=None, help="tune on the first N train instances")
    p.add_argument("--episodes", type=int, default=100, help="test episodes of the final evaluation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", default=None, help="write the learned policy (JSON) here")
    p.add_argument("--run-dir", default=None,
                   help="run every episode as a PythonTarget in a child process through the engine, with a "
                        "resumable history in this directory (default: in-process ask/tell, much faster)")
    p.add_argument("--workers", type=int, default=1, help="parallel workers with --run-dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("qlearn", help="tabular Q-learning (benchmarks with a small discrete state)")
    _bench_args(p)
    p.add_argument("--train-episodes", type=int, default=500)
    p.add_argument("--alpha", type=float, default=0.1)
    p.add_argument("--gamma", type=float, default=1.0)
    p.add_argument("--epsilon", type=float, default=0.3, help="exploration rate at the start")
    p.add_argument("--epsilon-end", type=float, default=0.01, help="exploration rate at the end (linear decay)")
    p.add_argument("--initial-q", type=float, default=0.0)
    p.add_argument("--sample-average", action="store_true", help="step size 1/N(s,a) instead of --alpha")
    p.add_argument("--shaping", action="store_true", help="add the progress bonus potential(s') - potential(s)")
    p.add_argument("--episodes", type=int, default=100, help="test episodes of the final evaluation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_qlearn)


def _bench_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("benchmark", metavar="BENCH")
    p.add_argument("--n", type=int, default=None, help="problem size (leadingones, onemax)")
    p.add_argument("--portfolio", default=None, help="k values, e.g. 1,2,4,8,16, or 'all' (leadingones)")
    p.add_argument("--dim", type=int, default=None, help="dimensions (sigmoid, cmaes)")
    p.add_argument("--actions", type=int, default=None, help="values per dimension (sigmoid)")
    p.add_argument("--steps", type=int, default=None, help="steps per episode (sigmoid)")
    p.add_argument("--length", type=int, default=None, help="episode length (luby)")
    p.add_argument("--cutoff", type=int, default=None, help="evaluation budget (leadingones, onemax)")
    p.add_argument("--generations", type=int, default=None, help="generations per episode (cmaes)")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from algoconf.dac.benchmarks import get_benchmark

    spec = get_benchmark(args.benchmark)
    options: dict[str, Any] = {}
    for key in _BENCH_OPTIONS:
        value = getattr(args, key)
        if value is None:
            continue
        if key not in spec.options:
            raise DACError(f"--{key} does not apply to {spec.name}; its options: {', '.join('--' + o for o in spec.options) or 'none'}")
        if key == "portfolio":
            value = None if value.strip().lower() == "all" else _int_list(value)
        options[key] = value
    return options


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise DACError(f"--portfolio expects comma-separated integers or 'all', got {text!r}") from None


def _policy(args: argparse.Namespace, env: Any) -> Any:
    from algoconf.dac.benchmarks import get_benchmark, named_policy
    from algoconf.dac.policies import RandomPolicy, StaticPolicy, load_policy

    spec = get_benchmark(args.benchmark)
    name = args.policy
    if name == "random":
        return RandomPolicy(args.seed)
    if name == "static":
        config = spec.static(env)
        if args.config:
            config = _parse_config(args.config, env)
        return StaticPolicy(config)
    if name in spec.named:
        return named_policy(args.benchmark, name)
    if Path(name).is_file():
        return load_policy(name, benchmark=env.id)
    known = ["random", "static", *spec.named]
    raise DACError(f"unknown policy {name!r} for {spec.name}: expected one of {known} or a saved policy file")


def _parse_config(text: str, env: Any) -> dict[str, Any]:
    config: dict[str, Any] = {}
    params = {p.name: p for p in env.codec.params}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in params:
            raise DACError(f"--config expects name=value pairs of {sorted(params)}, got {part!r}")
        number = float(value)
        config[key] = int(number) if number.is_integer() and "Float" not in type(params[key]).__name__ else number
    return config


def _emit(args: argparse.Namespace, data: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(data, default=_json_default))
    else:
        print("\n".join(lines))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _evaluation_dict(result: Any) -> dict[str, Any]:
    data = result.to_dict()
    data["us_per_step"] = 1e6 * result.seconds / result.steps if result.steps else None
    return data


def _evaluation_lines(label: str, result: Any) -> list[str]:
    lo, hi = result.ci95
    lines = [f"{label}: mean return {result.mean_return:.4g}  95% CI [{lo:.4g}, {hi:.4g}]  ({result.episodes} {result.split} episodes)"]
    if result.mean_evaluations is not None:
        elo, ehi = result.ci95_evaluations
        lines.append(f"  mean evaluations {result.mean_evaluations:.5g}  95% CI [{elo:.5g}, {ehi:.5g}]")
    if result.exact_return is not None:
        lines.append(f"  exact expected return {result.exact_return:.6g}")
    if result.normalised_score is not None:
        lines.append(f"  normalised score {result.normalised_score:.4f} (0 = random, 1 = optimal)")
    return lines


def _cmd_list(args: argparse.Namespace) -> int:
    from algoconf.dac.benchmarks import BENCHMARKS

    rows: list[dict[str, Any]] = []
    for spec in BENCHMARKS.values():
        rows.append({
            "name": spec.name,
            "ids": [f"{spec.name}-v{v}" for v in sorted(spec.versions)],
            "default": f"{spec.name}-v{spec.default_version}",
            "description": spec.description,
            "rewards": {f"v{v}": cls.reward_semantics for v, cls in spec.versions.items()},
            "options": {k: {"default": d, "help": h} for k, (_, d, h) in spec.options.items()},
            "policies": ["random", "static", *spec.named],
            "families": list(spec.families),
            "optimum_known": spec.optimum_known,
        })
    lines = [f"{r['default']:<16} {', '.join(r['ids']):<26} {r['description']}\n"
             f"{'':16} policies: {', '.join(r['policies'])}; families: {', '.join(r['families'])}" for r in rows]
    _emit(args, {"benchmarks": rows}, lines)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from algoconf.dac.benchmarks import make_env
    from algoconf.dac.evaluate import evaluate_policy

    env = make_env(args.benchmark, **_options(args))
    policy = _policy(args, env)
    result = evaluate_policy(env, policy, episodes=args.episodes, split=args.instances, seed=args.seed, trace=args.trace)
    data = _evaluation_dict(result)
    data["policy"] = policy.to_dict()
    _emit(args, data, _evaluation_lines(f"{env.id} policy {args.policy}", result))
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from algoconf.dac.benchmarks import make_env
    from algoconf.dac.evaluate import evaluate_policy
    from algoconf.dac.policies import save_policy
    from algoconf.dac.search import search_policy

    options = _options(args)
    run_episodes = args.run_episodes if args.run_episodes is not None else 20

    def progress(runs: int, cost: float | None) -> None:
        if not args.json:
            print(f"\r  {runs}/{args.budget} runs, incumbent cost {cost if cost is not None else float('nan'):.5g}", end="", file=sys.stderr)

    if args.run_dir:
        from algoconf.dac.engine_search import engine_search_policy

        found = engine_search_policy(
            args.benchmark, args.run_dir, options=options, family=args.family, tuner=args.tuner, budget=args.budget,
            seed=args.seed, episodes=run_episodes, method=args.method, max_instances=args.max_instances,
            workers=args.workers,
        )
    else:
        found = search_policy(
            args.benchmark, options=options, family=args.family, tuner=args.tuner, budget=args.budget, seed=args.seed,
            episodes=run_episodes, method=args.method, max_instances=args.max_instances, progress=progress,
        )
    if not args.json:
        print(file=sys.stderr)
    env = make_env(args.benchmark, **options)
    test = evaluate_policy(env, found.policy, episodes=args.episodes, split="test", seed=args.seed)
    train = evaluate_policy(env, found.policy, episodes=args.episodes, split="train", seed=args.seed)
    data = found.to_dict()
    data.update({k: v for k, v in _evaluation_dict(test).items() if k not in ("benchmark",)})
    data["train_evaluation"] = {k: train.to_dict()[k] for k in ("mean_return", "ci95", "normalised_score", "exact_return")}
    data["generalisation_gap"] = train.mean_return - test.mean_return
    if args.save:
        save_policy(found.policy, args.save, benchmark=env.id, meta={"tuner": args.tuner, "budget": args.budget,
                                                                       "family": found.family, "options": options})
        data["saved"] = args.save
    lines = [f"{found.benchmark}: {found.runs} runs of tuner {found.tuner} over family {found.family} "
             f"({found.method} evaluation, {found.seconds:.1f} s); incumbent {found.config}",
             f"  train cost {found.train_cost:.6g}", *_evaluation_lines("test", test), *_evaluation_lines("train", train),
             f"  generalisation gap (train - test mean return) {train.mean_return - test.mean_return:.4g}"]
    if args.save:
        lines.append(f"  policy saved to {args.save}")
    _emit(args, data, lines)
    return 0


def _cmd_qlearn(args: argparse.Namespace) -> int:
    from algoconf.dac.benchmarks import make_env
    from algoconf.dac.evaluate import evaluate_policy
    from algoconf.dac.policies import save_policy
    from algoconf.dac.qlearning import q_learning

    options = _options(args)
    env = make_env(args.benchmark, **options)
    learned = q_learning(env, episodes=args.train_episodes, alpha=None if args.sample_average else args.alpha,
                         gamma=args.gamma, epsilon=args.epsilon, epsilon_end=args.epsilon_end, initial_q=args.initial_q, shaping=args.shaping,
                         seed=args.seed)
    test = evaluate_policy(env, learned.policy, episodes=args.episodes, split="test", seed=args.seed)
    data = _evaluation_dict(test)
    data.update({"train_episodes": learned.episodes, "train_steps": learned.steps, "states": learned.states,
                 "policy": learned.policy.to_dict()})
    if args.save:
        save_policy(learned.policy, args.save, benchmark=env.id, meta={"method": "qlearning", "options": options})
        data["saved"] = args.save
    lines = [f"{env.id}: Q-learning, {learned.episodes} episodes ({learned.steps} steps, {learned.states} states)",
             *_evaluation_lines("test", test)]
    _emit(args, data, lines)
    return 0
