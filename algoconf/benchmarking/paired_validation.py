"""Test PAR-k of several configurations on the same (test instance, seed) pairs, measured one run at a
time and interleaved pair by pair (instance 1: A, B, C; instance 2: A, B, C; ...), so that a drift
of the machine's load hits every configuration alike; resumable after every pair.

What it keeps is a plain ``store`` (a benchmark's JSON) keyed by configuration key: per
configuration its ``pairs`` ``[cost, solved, runtime]`` so far, and once every pair ran its
``test_par10``, ``solved``, ``n``, ``cpu``, when it was validated and the load average then. A
configuration already complete in the store is not run again (an incumbent found twice).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from algoconf.benchmarking.peers import cost_of
from algoconf.execution.base import Executor
from algoconf.records import RunRequest, Status, config_key
from algoconf.scenario import Scenario
from algoconf.run.session import build_executor

__all__ = ["PairedValidator"]


class PairedValidator:
    """Validates configurations of ``scenario`` on its test instances, one seed per instance (0 for a
    deterministic scenario, else drawn from ``seed``: the same pairs for every configuration).
    ``executor()`` makes the executor of one validation (default: the scenario's, one worker)."""

    def __init__(
        self, scenario: Scenario, store: dict[str, Any], *, seed: int, executor: Callable[[], Executor] | None = None
    ):
        if scenario.test is None or scenario.cutoff is None:
            raise ValueError(f"{scenario.name}: validation needs test instances and a cutoff")
        self.scenario, self.store = scenario, store
        self.cutoff = float(scenario.cutoff)
        self.instances = list(scenario.test.names)
        rng = np.random.default_rng(seed)
        self.seeds = [
            0 if scenario.deterministic else int(s) for s in rng.integers(0, 2**31 - 1, size=len(self.instances))
        ]
        self._executor = executor or (lambda: build_executor(scenario, 1))

    def validate(self, configs: Sequence[dict[str, Any]], save: Callable[[], None]) -> None:
        """Validate every configuration of ``configs`` not complete in the store; ``save()`` is called
        after each pair (all configurations' runs on it), so a killed validation resumes there."""
        todo = {config_key(c): c for c in configs if "test_par10" not in self.store.get(config_key(c), {})}
        if not todo:
            return
        sc = self.scenario
        cutoff = self.cutoff
        pairs = {k: [list(p) for p in self.store.get(k, {}).get("pairs", [])] for k in todo}
        executor = self._executor()
        try:
            for i, (instance, seed) in enumerate(zip(self.instances, self.seeds)):
                ran = False
                for key, config in todo.items():
                    if len(pairs[key]) > i:
                        continue
                    r = executor.submit(RunRequest(dict(config), instance, seed, cutoff)).result()
                    pairs[key].append([cost_of(r, cutoff, sc.par_factor), r.status is Status.SUCCESS, r.runtime])
                    ran = True
                if ran:
                    for key, config in todo.items():
                        self.store[key] = self._entry(config, pairs[key])
                    save()
        finally:
            executor.close()
        for key, config in todo.items():
            self.store[key] = self._entry(config, pairs[key])
        save()

    def _entry(self, config: dict[str, Any], pairs: list[list[Any]]) -> dict[str, Any]:
        """The stored validation: per-pair [cost, solved, runtime]; the summary once all pairs ran."""
        entry: dict[str, Any] = {"config": config, "pairs": pairs}
        if len(pairs) == len(self.instances):
            entry.update(
                test_par10=statistics.fmean(x[0] for x in pairs),
                solved=sum(bool(x[1]) for x in pairs),
                n=len(pairs),
                cpu=math.fsum(x[2] for x in pairs),
                validated=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                loadavg=list(os.getloadavg()),
            )
        return entry
