"""The stream of instance-seed pairs a tuner evaluates configurations on.

Pairs come in passes: each pass is a seeded random permutation of the instances, with one seed
per pass (seed 0 for deterministic problems, where only one pass exists unless ``reuse`` is set:
then pass p uses seed p, so run keys stay distinct while the target may ignore the seed). Pair ``i`` is stable for
the whole run, so every configuration compared on "the first m pairs" saw the same runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from algoconf.tuners.base import TuningProblem
from algoconf.tuners.sampling import draw_seed
from algoconf.tuners.state import StateRecord

__all__ = ["PairStream", "PairStreamState"]


@dataclass(frozen=True)
class PairStreamState(StateRecord):
    """What a :class:`PairStream` holds: the pairs drawn so far (``[instance, seed]``), its cap and
    whether passes reuse seeds (absent before ``reuse`` existed: no reuse)."""

    kind = "pair stream state"

    pairs: list[list[Any]]
    max_pairs: int
    reuse: bool = False


class PairStream:
    """Lazily extended list of (instance, seed) pairs, drawn from the tuner's generator."""

    def __init__(self, problem: TuningProblem, rng: np.random.Generator, max_pairs: int | None = None,
                 *, reuse: bool = False):
        if not problem.instances:
            raise ValueError("the problem has no instances")
        self._instances = list(problem.instances)
        self._rng = rng
        self._deterministic = problem.deterministic
        self._reuse = reuse
        if reuse:
            limit = 10**9
        else:
            limit = len(self._instances) if problem.deterministic else 2000
        self.max_pairs = min(int(max_pairs), limit) if max_pairs is not None else limit
        self._pairs: list[list[Any]] = []

    def can_extend(self, i: int) -> bool:
        """True when pair number ``i`` exists or can be drawn."""
        return i < self.max_pairs

    def get(self, i: int) -> list[Any]:
        while len(self._pairs) <= i:
            self._new_pass()
        return self._pairs[i]

    def _new_pass(self) -> None:
        if self._deterministic:
            # deterministic targets: one seed is enough; with reuse, later passes get seeds 1, 2, ...
            # so that a configuration never asks for the same run twice
            seed = len(self._pairs) // len(self._instances)
        else:
            seed = draw_seed(self._rng)
        order = self._rng.permutation(len(self._instances))
        self._pairs.extend([self._instances[j], seed] for j in order)

    def snapshot(self) -> PairStreamState:
        return PairStreamState(pairs=self._pairs, max_pairs=self.max_pairs, reuse=self._reuse)

    @classmethod
    def restore(cls, problem: TuningProblem, rng: np.random.Generator, state: PairStreamState) -> "PairStream":
        """The stream of ``state``, drawing later passes from ``rng`` (the tuner's generator)."""
        stream = cls(problem, rng, int(state.max_pairs), reuse=bool(state.reuse))
        stream._pairs = [[p[0], int(p[1])] for p in state.pairs]
        return stream
