"""Tabular Q-learning for DAC environments with a small discrete state (no deep-learning stack).

Contract: the environment declares ``tabular = True`` (``tabular_state(obs)`` is hashable and small)
and has a ``Discrete`` action space. Learning runs ε-greedy episodes on the train split (seeds from
:func:`~algoconf.dac.evaluate.episode_seed`, so it is reproducible), with the update
``Q(s,a) += α (r + γ max_a' Q(s',a') − Q(s,a))`` (no bootstrap past a terminal step; a truncated
step bootstraps); ``alpha=None`` uses the sample-average step size 1/N(s, a). With ``shaping=True``
the learner's reward gets the progress bonus Φ(s') − Φ(s) with the env's ``potential(obs)``
(LeadingOnes: the fitness — DACBench's default "improvement minus evaluations" reward). With γ = 1
this changes every return by the same constant; with γ < 1 it rewards early progress, which for
LeadingOnes makes the greedy policy the one that leaves each level fastest (the optimal one, since the
level reached after an improvement does not depend on k). ``returns`` hold the unshaped returns. ε decays linearly from ``epsilon`` to ``epsilon_end`` over the episodes. The result
is the greedy :class:`~algoconf.dac.policies.TablePolicy` (ties broken towards the lower action
index; unseen states play action 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from algoconf.dac.env import DACEnv
from algoconf.dac.evaluate import episode_seed
from algoconf.dac.policies import TablePolicy
from algoconf.errors import DACError

__all__ = ["QLearningResult", "q_learning"]


@dataclass(frozen=True)
class QLearningResult:
    policy: TablePolicy
    episodes: int
    steps: int
    returns: tuple[float, ...]
    states: int


def q_learning(
    env: DACEnv,
    *,
    episodes: int = 500,
    alpha: float | None = 0.1,
    gamma: float = 1.0,
    epsilon: float = 0.3,
    epsilon_end: float = 0.01,
    initial_q: float = 0.0,
    shaping: bool = False,
    seed: int = 0,
) -> QLearningResult:
    """Learn a greedy table policy by tabular Q-learning (see the module contract)."""
    if not env.tabular:
        raise DACError(f"{env.id} has no tabular state; Q-learning needs one")
    if not isinstance(env.action_space, gym.spaces.Discrete):
        raise DACError(f"Q-learning needs a Discrete action space, {env.id} has {env.action_space!r}")
    n_actions = int(env.action_space.n)
    rng = np.random.default_rng(seed)
    q: dict[Any, np.ndarray] = {}
    visits: dict[Any, np.ndarray] = {}
    env.use_split("train")
    items = env.instances.train
    returns: list[float] = []
    steps = 0

    def row(state: Any) -> np.ndarray:
        values = q.get(state)
        if values is None:
            values = q[state] = np.full(n_actions, float(initial_q))
            visits[state] = np.zeros(n_actions)
        return values

    for ep in range(episodes):
        eps = epsilon + (epsilon_end - epsilon) * (ep / max(episodes - 1, 1))
        obs, _ = env.reset(seed=episode_seed(seed, "train", ep), options={"instance": items[ep % len(items)]})
        state = env.tabular_state(obs)
        phi = env.potential(obs) if shaping else 0.0
        total, done = 0.0, False
        while not done:
            values = row(state)
            action = int(rng.integers(n_actions)) if rng.random() < eps else int(np.argmax(values))
            obs, reward, terminated, truncated, _ = env.step(action)
            raw = reward
            nxt = env.tabular_state(obs)
            if shaping:  # progress bonus Φ(s') − Φ(s)
                phi_next = env.potential(obs)
                reward = reward + phi_next - phi
                phi = phi_next
            target = reward if terminated else reward + gamma * float(row(nxt).max())
            if alpha is None:  # sample-average step size 1/N(s, a)
                counts = visits[state]
                counts[action] += 1.0
                step = 1.0 / counts[action]
            else:
                step = alpha
            values[action] += step * (target - values[action])
            state = nxt
            total += raw
            steps += 1
            done = terminated or truncated
        returns.append(total)
    table = {s: env.codec.decode(int(np.argmax(v))) for s, v in q.items()}
    policy = TablePolicy(table, env.codec.decode(0))
    return QLearningResult(policy, episodes, steps, tuple(returns), len(q))
