"""DAC benchmark: env step cost against DACBench (side by side), and exact/learned policy quality.

    python benchmarks/dac.py [--quick] [--dacbench-python /tmp/dacbench-venv/bin/python]

Speed: µs per ``env.step`` over blocks of 1000 pre-sampled random actions, resets included (the
protocol of the DACBench figures in the research note), min and median over repetitions. DACBench
runs in the same session, alternating with ours, either in this interpreter (if ``dacbench`` is
importable) or in the interpreter given by ``--dacbench-python`` (a throwaway venv: DACBench pulls
~1 GB). Ratios are ours / DACBench's on the min.

Quality: exact LeadingOnes values, policies learned by ``search_policy`` (random tuner, exact
evaluation) and checked by simulation on test seeds, Luby Q-learning, Sigmoid learned normalised
scores, OneMax theory-policy evaluations (practice-aware counting) and a learned binned policy.
Writes ``benchmarks/results/dac.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from algoconf.benchmarking import source_commit  # noqa: E402

from algoconf.dac import evaluate_policy, make_env, named_policy, q_learning, search_policy  # noqa: E402
from algoconf.dac.benchmarks.leadingones import (  # noqa: E402
    best_portfolio_policy,
    expected_evaluations,
    random_policy_evaluations,
    theory_policy,
)
from algoconf.dac.benchmarks.onemax import simulate_evaluations  # noqa: E402
from algoconf.dac.evaluate import mean_ci95  # noqa: E402
from algoconf.dac.policies import sample_action  # noqa: E402

SPEED_ENVS = {
    "luby": ("luby", {}),
    "sigmoid_1d": ("sigmoid", {"dim": 1}),
    "sigmoid_2d": ("sigmoid", {"dim": 2}),
    "sigmoid_5d": ("sigmoid", {"dim": 5}),
    "leadingones_50": ("leadingones", {"n": 50}),
}

DACBENCH_SNIPPET = textwrap.dedent(
    """
    import json, sys, time, warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    from dacbench.benchmarks import FunctionApproximationBenchmark, LubyBenchmark, TheoryBenchmark
    steps, reps = int(sys.argv[1]), int(sys.argv[2])
    envs = {
        "luby": LubyBenchmark().get_environment(),
        "sigmoid_1d": FunctionApproximationBenchmark().get_benchmark(dimension=1),
        "sigmoid_2d": FunctionApproximationBenchmark().get_benchmark(dimension=2),
        "sigmoid_5d": FunctionApproximationBenchmark().get_benchmark(dimension=5),
        "leadingones_50": TheoryBenchmark().get_environment(),
    }
    out = {}
    for name, env in envs.items():
        env.action_space.seed(0)
        actions = [env.action_space.sample() for _ in range(steps)]
        env.reset(seed=0)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            for a in actions:
                _, _, te, tr, _ = env.step(a)
                if te or tr:
                    env.reset()
            times.append((time.perf_counter() - t) / steps * 1e6)
        out[name] = times
    print(json.dumps(out))
    """
)


def time_ours(steps: int, reps: int) -> dict[str, list[float]]:
    out = {}
    for name, (bench, options) in SPEED_ENVS.items():
        env = make_env(bench, **options)
        rng = np.random.default_rng(0)
        actions = [sample_action(env.action_space, rng) for _ in range(steps)]
        env.reset(seed=0)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            for a in actions:
                _, _, te, tr, _ = env.step(a)
                if te or tr:
                    env.reset()
            times.append((time.perf_counter() - t) / steps * 1e6)
        out[name] = times
    return out


def time_dacbench(python: str | None, steps: int, reps: int) -> dict[str, list[float]] | None:
    if python is None:
        try:
            import dacbench  # noqa: F401
        except ImportError:
            return None
        python = sys.executable
    proc = subprocess.run([python, "-c", DACBENCH_SNIPPET, str(steps), str(reps)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"DACBench timing failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def speed(args: argparse.Namespace) -> dict:
    steps = 1000
    rounds, reps = (3, 7) if args.quick else (5, 15)
    ours: dict[str, list[float]] = {k: [] for k in SPEED_ENVS}
    theirs: dict[str, list[float]] = {k: [] for k in SPEED_ENVS}
    have_dacbench = True
    for _ in range(rounds):  # alternate, so both see the same machine load
        for k, v in time_ours(steps, reps).items():
            ours[k] += v
        if have_dacbench:
            got = time_dacbench(args.dacbench_python, steps, reps)
            if got is None:
                have_dacbench = False
            else:
                for k, v in got.items():
                    theirs[k] += v
    rows = {}
    print(f"\n{'env':<16} {'algoconf µs/step min/median':>28} {'DACBench µs/step min/median':>28} {'ratio (min)':>12}")
    for k in SPEED_ENVS:
        row = {"algoconf_min": min(ours[k]), "algoconf_median": float(np.median(ours[k]))}
        text = f"{k:<16} {row['algoconf_min']:>13.2f} / {row['algoconf_median']:<12.2f}"
        if theirs[k]:
            row.update(dacbench_min=min(theirs[k]), dacbench_median=float(np.median(theirs[k])))
            row["ratio_min"] = row["algoconf_min"] / row["dacbench_min"]
            text += f" {row['dacbench_min']:>13.2f} / {row['dacbench_median']:<12.2f} {row['ratio_min']:>12.3f}"
        else:
            text += f" {'(DACBench not available)':>28}"
        print(text)
        rows[k] = row
    return rows


def leadingones(args: argparse.Namespace) -> dict:
    K = (1, 2, 4, 8, 16)
    out = {}
    print(f"\nLeadingOnes RLS_k, K={K}: expected evaluations (exact)")
    print(f"{'n':>5} {'k=1':>10} {'floor(n/(i+1))':>15} {'best K-policy':>14} {'random over K':>14} {'learned (exact)':>16} {'learned sim mean ± CI':>24}")
    for n in ((50, 100) if args.quick else (50, 100, 200)):
        row = {
            "static_k1": expected_evaluations(n, [1] * n),
            "theory_unrestricted": expected_evaluations(n, theory_policy(n)),
            "best_K_policy": expected_evaluations(n, best_portfolio_policy(n, K)),
            "random_over_K": random_policy_evaluations(n, K),
        }
        t = time.perf_counter()
        found = search_policy("leadingones", options={"n": n}, tuner="random", budget=300, seed=0)
        env = make_env("leadingones", n=n)
        inst = env.instances.test[0]
        row["learned_exact"] = -env.exact_return(found.policy, inst)
        sims = -env.batch_returns(found.policy, inst, 20000, np.random.default_rng(2024))
        mean, ci = mean_ci95(sims)
        row.update(learned_sim_mean=mean, learned_sim_ci95=list(ci), learned_ratio=row["learned_exact"] / row["best_K_policy"],
                   search_runs=found.runs, search_seconds=time.perf_counter() - t)
        ev = evaluate_policy(env, named_policy("leadingones", "optimal"), episodes=200 if args.quick else 1000, seed=7)
        row.update(env_sim_optimal_mean=ev.mean_evaluations, env_sim_optimal_ci95=list(ev.ci95_evaluations))
        print(f"{n:>5} {row['static_k1']:>10.1f} {row['theory_unrestricted']:>15.1f} {row['best_K_policy']:>14.1f} "
              f"{row['random_over_K']:>14.1f} {row['learned_exact']:>16.1f} {mean:>12.1f} ± {(ci[1] - ci[0]) / 2:<8.1f}")
        out[n] = row
    return out


def luby_sigmoid(args: argparse.Namespace) -> dict:
    out = {}
    env = make_env("luby")
    learned = q_learning(env, episodes=300, alpha=0.5, seed=0)
    out["luby_qlearning_return"] = evaluate_policy(env, learned.policy, episodes=20).mean_return
    print(f"\nLuby (8 steps): Q-learning return {out['luby_qlearning_return']} (optimal 0, best static -3, random -6.86)")
    for bench in ("sigmoid-v1", "sigmoid-v2"):
        for dim in (1, 2) if args.quick else (1, 2, 3, 5):
            found = search_policy(bench, options={"dim": dim}, tuner="random", budget=1000, seed=1, max_instances=30)
            env = make_env(bench, dim=dim)
            res = evaluate_policy(env, found.policy, episodes=300, split="test")
            rnd = evaluate_policy(env, named_policy(bench, "optimal"), episodes=300, split="test")
            out[f"{bench}_{dim}d"] = {"learned_score": res.normalised_score, "learned_return": res.mean_return,
                                      "optimal_return": rnd.mean_return, "random_reference": res.references["random"]}
            print(f"{bench} {dim}D: learned threshold policy normalised score {res.normalised_score:.4f} on 300 test "
                  f"episodes (return {res.mean_return:.3f}; optimal {rnd.mean_return:.3f}; random {res.references['random']:.3f})")
    return out


def onemax(args: argparse.Namespace) -> dict:
    out = {}
    sizes = (500,) if args.quick else (500, 1000, 2000)
    episodes = 300 if args.quick else 2000
    print(f"\nOneMax (1+(λ,λ)) GA, practice-aware evaluations / n ({episodes} runs each)")
    for n in sizes:
        env = make_env("onemax", n=n)
        lam = env.policy_lambdas(named_policy("onemax", "theory"))
        sim = simulate_evaluations(n, lam, episodes, np.random.default_rng(n))
        m, ci = mean_ci95(sim["evaluations"] / n)
        statics = {k: float(simulate_evaluations(n, np.full(n + 1, float(k)), episodes // 4, np.random.default_rng(k))["evaluations"].mean() / n)
                   for k in (2, 4, 8)}
        out[n] = {"theory_evals_per_n": m, "theory_ci95": list(ci),
                  "theory_2lambda_per_n": float(sim["evaluations_2lambda"].mean() / n), "static_per_n": statics}
        print(f"n={n:>5}: theory λ* {m:.3f} n [{ci[0]:.3f}, {ci[1]:.3f}]  (2λ-count {out[n]['theory_2lambda_per_n']:.3f} n); "
              f"static λ=2/4/8: {statics[2]:.2f} / {statics[4]:.2f} / {statics[8]:.2f} n")
    n = 200 if args.quick else 500
    t = time.perf_counter()
    found = search_policy("onemax", options={"n": n}, tuner="random", budget=60 if args.quick else 200,
                          episodes=20 if args.quick else 50, seed=0)
    env = make_env("onemax", n=n)
    E = 1000 if args.quick else 4000
    theory = simulate_evaluations(n, env.policy_lambdas(named_policy("onemax", "theory")), E, np.random.default_rng(11))["evaluations"]
    learned = simulate_evaluations(n, env.policy_lambdas(found.policy), E, np.random.default_rng(12))["evaluations"]
    out["learned"] = {"n": n, "runs": found.runs, "seconds": time.perf_counter() - t, "theory_mean": float(theory.mean()),
                      "learned_mean": float(learned.mean()), "ratio": float(learned.mean() / theory.mean()),
                      "config": found.config}
    print(f"learned binned policy (n={n}, {found.runs} runs): {learned.mean() / n:.3f} n vs theory {theory.mean() / n:.3f} n "
          f"-> ratio {out['learned']['ratio']:.4f} ({E} test runs each)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dacbench-python", default=None, help="python of a venv with dacbench installed")
    parser.add_argument("--skip-quality", action="store_true", help="only the step-cost table")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "dac.json"))
    args = parser.parse_args()
    results = {"commit": source_commit(), "quick": args.quick, "speed_us_per_step": speed(args)}
    if not args.skip_quality:
        results["leadingones"] = leadingones(args)
        results["luby_sigmoid"] = luby_sigmoid(args)
        results["onemax"] = onemax(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=float) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
