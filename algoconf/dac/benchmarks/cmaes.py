"""CMA-ES step-size control on BBOB-style functions (after Shala et al., PPSN 2020), using ``cma``.

One step is one generation of ``cma.CMAEvolutionStrategy``: the policy sets the global step size σ
before ``ask``; after ``tell`` the strategy's own cumulative step-size adaptation (CSA) proposes the
next σ, which the observation reports — so the policy that plays the observed σ back *is* CSA (the
hand-made baseline, policy ``csa``).

Functions (noise-free, BBOB-style with a random optimum x_opt in [-4, 4]^d and a random rotation,
f_opt = 0): sphere, ellipsoid, rastrigin, rosenbrock, bent_cigar, discus. An instance fixes the
function, the dimension, the seed of x_opt/rotation and the initial σ; the initial mean is uniform in
[-4, 4]^d (drawn from the episode's RNG).

Reward ``cmaes-v1``: the decrease of log10 of the best regret so far in the generation
(``log10(r_{t-1}) - log10(r_t)``, regret floored at 1e-10), so the return is the number of orders of
magnitude gained: ``log10(r_0 / r_T)``. Episodes have ``generations`` steps (truncated).
Observation (float32, clipped to [-12, 3], [-10, 30], [-30, 30], [0, 1]): log10 σ proposed by CSA,
log10 best regret, change of log10 median fitness in the last generation, remaining fraction of the
budget. Action: σ in [1e-6, 10], log-scaled onto Box(0, 1) of shape (1,).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from ConfigSpace import ConfigurationSpace, UniformFloatHyperparameter

from algoconf.dac.env import DACEnv, DACInstance, InstanceSplit
from algoconf.dac.policies import Policy, PolicyFamily
from algoconf.errors import DACError
from algoconf.extras import require

__all__ = ["CMAESInstance", "CMAESEnv", "FUNCTIONS", "cmaes_instances", "CSAPolicy", "ScaledCSAPolicy", "ScaledCSAFamily"]

REGRET_FLOOR = 1e-10
SIGMA_RANGE = (1e-6, 10.0)
_OBS_LOW = np.array([-12.0, -10.0, -30.0, 0.0], dtype=np.float32)
_OBS_HIGH = np.array([3.0, 30.0, 30.0, 1.0], dtype=np.float32)


def _sphere(z: np.ndarray) -> np.ndarray:
    return (z * z).sum(axis=1)


def _ellipsoid(z: np.ndarray) -> np.ndarray:
    d = z.shape[1]
    w = 10.0 ** (6.0 * np.arange(d) / max(d - 1, 1))
    return (w * z * z).sum(axis=1)


def _rastrigin(z: np.ndarray) -> np.ndarray:
    return 10.0 * z.shape[1] + (z * z - 10.0 * np.cos(2 * np.pi * z)).sum(axis=1)


def _rosenbrock(z: np.ndarray) -> np.ndarray:
    s = max(1.0, math.sqrt(z.shape[1]) / 8.0)
    u = s * z + 1.0
    return (100.0 * (u[:, :-1] ** 2 - u[:, 1:]) ** 2 + (u[:, :-1] - 1.0) ** 2).sum(axis=1)


def _bent_cigar(z: np.ndarray) -> np.ndarray:
    return z[:, 0] ** 2 + 1e6 * (z[:, 1:] ** 2).sum(axis=1)


def _discus(z: np.ndarray) -> np.ndarray:
    return 1e6 * z[:, 0] ** 2 + (z[:, 1:] ** 2).sum(axis=1)


FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sphere": _sphere,
    "ellipsoid": _ellipsoid,
    "rastrigin": _rastrigin,
    "rosenbrock": _rosenbrock,
    "bent_cigar": _bent_cigar,
    "discus": _discus,
}


@dataclass(frozen=True)
class CMAESInstance(DACInstance):
    """A function, its dimension, the seed of its optimum and rotation, and the initial step size."""

    function: str
    dim: int
    seed: int
    sigma0: float = 0.5


def cmaes_instances(
    functions: tuple[str, ...] = tuple(FUNCTIONS), dim: int = 5, per_function: int = 2, seeds: tuple[int, int] = (0, 1)
) -> InstanceSplit:
    """``per_function`` instances of each function per split, seeded (train seed 0, test seed 1)."""
    for name in functions:
        if name not in FUNCTIONS:
            raise DACError(f"unknown function {name!r}; expected one of {sorted(FUNCTIONS)}")
    sets = []
    for split, seed in zip(("train", "test"), seeds):
        rng = np.random.default_rng([seed, dim])
        sets.append(
            tuple(
                CMAESInstance(f"{name}-{dim}d-{split}-{j}", name, dim, int(rng.integers(2**31)))
                for name in functions
                for j in range(per_function)
            )
        )
    return InstanceSplit(*sets)


class CMAESEnv(DACEnv):
    """Step-size control of CMA-ES; see the module docstring."""

    benchmark = "cmaes"
    version = 1
    reward_semantics = "decrease of log10(best regret) per generation; return = log10(initial/final best regret)"
    counts_evaluations = True
    features = ("log_sigma", "progress")

    def __init__(
        self,
        dim: int = 5,
        generations: int = 50,
        functions: tuple[str, ...] = tuple(FUNCTIONS),
        *,
        instances: InstanceSplit | None = None,
        split: str = "train",
        order: str = "round_robin",
    ) -> None:
        require("cma", "the cmaes benchmark")  # an optional dependency of this benchmark only
        self.dim, self.generations = int(dim), int(generations)
        instances = instances or cmaes_instances(tuple(functions), self.dim)
        space = ConfigurationSpace(seed=0)
        space.add(UniformFloatHyperparameter("sigma", *SIGMA_RANGE, log=True))
        obs_space = gym.spaces.Box(_OBS_LOW, _OBS_HIGH, dtype=np.float32)
        super().__init__(instances, space, obs_space, split=split, order=order)
        self._problems: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _problem(self, instance: CMAESInstance) -> tuple[np.ndarray, np.ndarray]:
        found = self._problems.get(instance.name)
        if found is None:
            rng = np.random.default_rng(instance.seed)
            x_opt = rng.uniform(-4.0, 4.0, size=instance.dim)
            q, r = np.linalg.qr(rng.standard_normal((instance.dim, instance.dim)))
            rotation = q * np.sign(np.diag(r))
            if instance.function == "rosenbrock":
                rotation = np.eye(instance.dim)
            found = self._problems[instance.name] = (x_opt, rotation)
        return found

    def objective(self, instance: CMAESInstance, x: np.ndarray) -> np.ndarray:
        """The instance's function (regret, f_opt = 0) on the rows of ``x``."""
        x_opt, rotation = self._problem(instance)
        return FUNCTIONS[instance.function]((np.atleast_2d(x) - x_opt) @ rotation.T)

    def _start(self, instance: DACInstance) -> Any:
        import cma

        assert isinstance(instance, CMAESInstance)
        if instance.dim != self.dim:
            raise DACError(f"instance {instance.name} has dimension {instance.dim}, the env {self.dim}")
        rng = self.np_random
        x0 = rng.uniform(-4.0, 4.0, size=self.dim)
        opts = {"seed": int(rng.integers(1, 2**31)), "verbose": -9, "verb_log": 0, "verb_disp": 0}
        self._es = cma.CMAEvolutionStrategy(x0, instance.sigma0, opts)
        self._fun = lambda X, inst=instance: self.objective(inst, X)
        self._best = max(float(self._fun(x0[None, :])[0]), REGRET_FLOOR)
        self.evaluations = 1
        self._t = 0
        self._last_median = math.log10(self._best)
        return self._obs(0.0)

    def _obs(self, median_change: float) -> np.ndarray:
        remaining = (self.generations - self._t) / self.generations
        obs = np.array((math.log10(self._es.sigma), math.log10(self._best), median_change, remaining), dtype=np.float32)
        return np.clip(obs, _OBS_LOW, _OBS_HIGH)

    def _advance(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        sigma = self.codec.decode(action)["sigma"]
        es = self._es
        es.sigma = sigma
        X = es.ask()
        values = self._fun(np.asarray(X))
        es.tell(X, values.tolist())
        self.evaluations += len(X)
        before = self._best
        self._best = max(min(before, float(values.min())), REGRET_FLOOR)
        median = math.log10(max(float(np.median(values)), REGRET_FLOOR))
        change, self._last_median = median - self._last_median, median
        self._t += 1
        reward = math.log10(before) - math.log10(self._best)
        truncated = self._t >= self.generations
        info = {"evaluations": self.evaluations, "regret": self._best, "sigma": sigma}
        return self._obs(change), reward, False, truncated, info

    def feature(self, name: str, obs: Any) -> Any:
        if name == "log_sigma":
            return float(obs[0])
        if name == "progress":
            return 1.0 - float(obs[3])
        return super().feature(name, obs)


class CSAPolicy(Policy):
    """Cumulative step-size adaptation: plays back the σ CMA-ES's own CSA proposes (from the observation)."""

    kind = "cmaes_csa"

    def act(self, obs: Any) -> Any:
        return self.env.codec.encode({"sigma": float(np.clip(10.0 ** float(obs[0]), *SIGMA_RANGE))})

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "named", "benchmark": "cmaes", "name": "csa"}


class ScaledCSAPolicy(Policy):
    """CSA's σ times a multiplier that depends on the budget used (bins of the ``progress`` feature)."""

    kind = "cmaes_scaled_csa"

    def __init__(self, edges: list[float], multipliers: list[float]) -> None:
        if len(multipliers) != len(edges) + 1:
            raise DACError("need one multiplier per progress bin")
        self.edges, self.multipliers = [float(e) for e in edges], [float(m) for m in multipliers]

    def act(self, obs: Any) -> Any:
        progress = self.env.feature("progress", obs)
        m = self.multipliers[int(np.searchsorted(self.edges, progress, side="right"))]
        return self.env.codec.encode({"sigma": float(np.clip(m * 10.0 ** float(obs[0]), *SIGMA_RANGE))})

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "edges": self.edges, "multipliers": self.multipliers}


class ScaledCSAFamily(PolicyFamily):
    """Multipliers in [1/4, 4] (log) of CSA's σ per fifth of the budget; the default (all 1) is CSA."""

    name = "scaled_csa"

    def __init__(self, bins: int = 5, seed: int = 0) -> None:
        from ConfigSpace import ConfigurationSpace, UniformFloatHyperparameter

        self.edges = [(b + 1) / bins for b in range(bins - 1)]
        self._space = ConfigurationSpace(seed=seed)
        self._space.add([UniformFloatHyperparameter(f"mult_{b}", 0.25, 4.0, log=True, default_value=1.0) for b in range(bins)])

    @property
    def space(self) -> ConfigurationSpace:
        return self._space

    def build(self, config: Any) -> Policy:
        return ScaledCSAPolicy(self.edges, [float(config[f"mult_{b}"]) for b in range(len(self.edges) + 1)])
