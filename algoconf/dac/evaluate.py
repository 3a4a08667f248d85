"""Evaluate a policy on a DAC environment: episode returns over many seeds, with 95% confidence intervals.

Contracts
---------
* The statistic is the episode *return* (sum of rewards), never the last step's reward.
* Episode j runs on instance ``j mod |split|`` of the chosen split (train or test), pinned through
  ``reset(options={"instance": ...})``, with seed :func:`episode_seed` ``(seed, split, j)``: train and
  test episodes never share a seed, and the same arguments give the same episodes.
* ``ci95`` is mean ± t(0.975, N-1)·s/√N (a normal-theory interval; N >= 2).
* ``normalised_score`` = (mean return − random reference) / (optimal reference − random reference),
  with the references the exact expected returns of the uniformly random and the optimal policy on
  the same instances (only where the benchmark knows both: ``env.reference_returns``).
* ``trace`` writes one JSON line per step (episode, instance, seed, t, action as a configuration,
  reward, observation, info) and one ``{"episode_end": ...}`` line per episode.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from algoconf.dac.env import DACEnv
from algoconf.dac.policies import Policy
from algoconf.errors import DACError

__all__ = ["EvaluationResult", "evaluate_policy", "episode_seed", "mean_ci95", "run_episode", "exact_policy_return"]

# two-sided 95% t quantiles for 1..29 degrees of freedom; 1.96 beyond
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045]


def mean_ci95(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Mean and its 95% confidence interval (degenerate for fewer than two values)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise DACError("no values to summarise")
    mean = float(x.mean())
    if x.size < 2:
        return mean, (mean, mean)
    q = _T95[x.size - 2] if x.size - 1 <= len(_T95) else 1.96
    half = q * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean, (mean - half, mean + half)


def episode_seed(seed: int, split: str, episode: int) -> int:
    """The seed of episode ``episode`` of an evaluation (disjoint between train and test)."""
    tag = 1 if split == "test" else 0
    return int(np.random.SeedSequence([int(seed), tag, int(episode)]).generate_state(1)[0])


@dataclass(frozen=True)
class EvaluationResult:
    """Summary of an evaluation; ``to_dict`` is the CLI's JSON."""

    benchmark: str
    split: str
    episodes: int
    mean_return: float
    ci95: tuple[float, float]
    returns: tuple[float, ...]
    mean_evaluations: float | None = None
    ci95_evaluations: tuple[float, float] | None = None
    normalised_score: float | None = None
    references: dict[str, float] | None = None
    exact_return: float | None = None
    seconds: float = 0.0
    steps: int = 0
    per_instance: dict[str, float] = field(default_factory=dict)

    def to_dict(self, *, with_returns: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["ci95"] = list(self.ci95)
        if self.ci95_evaluations is not None:
            data["ci95_evaluations"] = list(self.ci95_evaluations)
        if not with_returns:
            data.pop("returns")
        return data


def run_episode(
    env: DACEnv, policy: Policy, *, seed: int, instance: Any = None, trace: Any = None, episode: int = 0
) -> tuple[float, dict[str, Any], int]:
    """One episode; returns (return, last info, steps). ``trace`` is an open text file or None."""
    options = {"instance": instance} if instance is not None else None
    obs, info = env.reset(seed=seed, options=options)
    policy.reset(env)
    name = info["instance"]
    total, steps, done = 0.0, 0, False
    last: dict[str, Any] = info
    while not done:
        action = policy.act(obs)
        next_obs, reward, terminated, truncated, last = env.step(action)
        total += reward
        if trace is not None:
            trace.write(json.dumps({
                "episode": episode, "instance": name, "seed": seed, "t": steps,
                "action": env.codec.decode(action), "reward": float(reward),
                "obs": np.asarray(obs).tolist(), "terminated": bool(terminated),
                "truncated": bool(truncated), "info": _jsonable(last),
            }) + "\n")
        obs = next_obs
        steps += 1
        done = terminated or truncated
    if trace is not None:
        trace.write(json.dumps({"episode_end": episode, "instance": name, "seed": seed, "return": total,
                                "steps": steps, "info": _jsonable(last)}) + "\n")
    return total, last, steps


def _jsonable(info: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in info.items() if k != "instance"}


def exact_policy_return(env: DACEnv, policy: Policy, split: str = "test") -> float | None:
    """Mean exact expected return over the split's instances, where the benchmark can compute it."""
    exact = getattr(env, "exact_return", None)
    if exact is None or not policy.markov or policy.oracle:
        return None
    items = env.instances.get(split)
    return float(np.mean([exact(policy, inst) for inst in items]))


def evaluate_policy(
    env: DACEnv,
    policy: Policy,
    *,
    episodes: int = 100,
    split: str = "test",
    seed: int = 0,
    trace: str | Path | None = None,
) -> EvaluationResult:
    """Run ``episodes`` episodes and summarise their returns (see the module contract)."""
    if episodes < 1:
        raise DACError(f"episodes must be at least 1, got {episodes}")
    items = env.instances.get(split)
    env.use_split(split)
    returns: list[float] = []
    evaluations: list[float] = []
    per_instance: dict[str, list[float]] = {}
    refs_random: list[float] = []
    refs_optimal: list[float] = []
    reference = getattr(env, "reference_returns", None)
    ref_cache: dict[str, dict[str, float]] = {}
    steps = 0
    handle = open(trace, "w") if trace is not None else None
    start = time.perf_counter()
    try:
        for j in range(episodes):
            inst = items[j % len(items)]
            total, info, n = run_episode(env, policy, seed=episode_seed(seed, split, j), instance=inst,
                                         trace=handle, episode=j)
            steps += n
            returns.append(total)
            per_instance.setdefault(inst.name, []).append(total)
            if env.counts_evaluations and "evaluations" in info:
                evaluations.append(float(info["evaluations"]))
            if reference is not None:
                if inst.name not in ref_cache:
                    ref_cache[inst.name] = reference(inst)
                refs_random.append(ref_cache[inst.name]["random"])
                refs_optimal.append(ref_cache[inst.name]["optimal"])
    finally:
        if handle is not None:
            handle.close()
    seconds = time.perf_counter() - start
    mean, ci = mean_ci95(returns)
    score = refs = None
    if refs_random:
        lo, hi = float(np.mean(refs_random)), float(np.mean(refs_optimal))
        refs = {"random": lo, "optimal": hi}
        score = (mean - lo) / (hi - lo) if hi != lo else None
    mean_evals = ci_evals = None
    if evaluations:
        mean_evals, ci_evals = mean_ci95(evaluations)
    return EvaluationResult(
        benchmark=env.id,
        split=split,
        episodes=episodes,
        mean_return=mean,
        ci95=ci,
        returns=tuple(returns),
        mean_evaluations=mean_evals,
        ci95_evaluations=ci_evals,
        normalised_score=score,
        references=refs,
        exact_return=exact_policy_return(env, policy, split),
        seconds=seconds,
        steps=steps,
        per_instance={k: float(np.mean(v)) for k, v in per_instance.items()},
    )
