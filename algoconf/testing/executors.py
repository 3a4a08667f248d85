"""Conformance suite every executor must pass (real processes, no mocks).

Use it from pytest by subclassing :class:`ExecutorConformance` and providing ``make_executor``::

    class TestLocalExecutorConformance(ExecutorConformance):
        def make_executor(self, target, instances, time_kind="cpu"):
            return LocalExecutor(target, instances, n_workers=2, time_kind=time_kind)

The target is a small POSIX shell program speaking the AClib protocol (``aclib-old`` syntax), whose
behaviour is chosen by the configuration: ``mode`` in ``ok`` (answers at once), ``sleep`` (sleeps
``secs`` then answers), ``spin`` (burns CPU for ``n`` shell-loop iterations, ~1.4 µs each, then
answers without reporting a runtime: its runtime is the CPU time measured), ``busy`` (burns CPU forever), ``crash`` (writes to stderr, exits 3),
``garbage`` (prints no result line). Each check is one method; the checks are independent.
"""

from __future__ import annotations

import stat
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping

from algoconf.errors import ExecutionError
from algoconf.execution.base import Executor, never_started
from algoconf.execution.racing import run_race
from algoconf.instances import Instance
from algoconf.records import RunRequest, RunResult, Status
from algoconf.targets.command import CommandTarget
from algoconf.targets.parsers import AClibParser

__all__ = ["ExecutorConformance", "write_protocol_program", "protocol_target", "square_root_cost"]

_PROGRAM = r"""#!/bin/sh
# <instance> <specifics> <cutoff> <cutoff_length> <seed> -name value ...
instance=$1; seed=$5; shift 5
mode=ok; secs=0; n=0
while [ $# -gt 1 ]; do
  case "$1" in
    -mode) mode=$2 ;;
    -secs) secs=$2 ;;
    -n) n=$2 ;;
  esac
  shift 2
done
case "$mode" in
  ok) echo "Result of this algorithm run: SUCCESS, 0.01, 0, 1.5, $seed" ;;
  sleep) sleep "$secs"; echo "Result of this algorithm run: SUCCESS, 0.01, 0, 2.5, $seed" ;;
  spin) i=0; while [ "$i" -lt "$n" ]; do i=$((i+1)); done
        echo 'Result of this algorithm run: {"status": "SUCCESS", "cost": 2.5}' ;;
  busy) while :; do :; done ;;
  crash) echo "something broke on $instance" >&2; exit 3 ;;
  garbage) echo "hello, no result here" ;;
esac
"""


def write_protocol_program(folder: Path) -> Path:
    """Write the suite's shell target into ``folder`` and return its path."""
    path = Path(folder) / "protocol_target.sh"
    path.write_text(_PROGRAM)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def protocol_target(folder: Path) -> tuple[CommandTarget, dict[str, Instance]]:
    """The suite's target and two abstract instances."""
    program = write_protocol_program(folder)
    target = CommandTarget([str(program)], "aclib-old", AClibParser())
    instances = {name: Instance(name, Path(folder) / f"{name}.txt") for name in ("i1", "i2")}
    return target, instances


def square_root_cost(config: Mapping[str, Any], instance: Instance, seed: int, cutoff: float | None) -> float:
    """A trivial PythonTarget callable (importable, so a child process can run it): sqrt of ``x``."""
    return float(config.get("x", 1.0)) ** 0.5


def _req(mode: str, instance: str = "i1", seed: int = 1, cutoff: float = 5.0, **extra: Any) -> RunRequest:
    return RunRequest({"mode": mode, **extra}, instance, seed, cutoff)


class ExecutorConformance:
    """Checks of the executor contract; subclasses implement :meth:`make_executor`."""

    #: seconds of slack allowed for killing a run (the machine may be busy)
    kill_slack: float = 2.0

    def make_executor(self, target: CommandTarget, instances: Mapping[str, Instance], time_kind: str = "cpu") -> Executor:
        raise NotImplementedError

    def _executor(self, time_kind: str = "cpu") -> Executor:
        folder = Path(tempfile.mkdtemp(prefix="algoconf-conformance-"))
        target, instances = protocol_target(folder)
        return self.make_executor(target, instances, time_kind=time_kind)

    def test_each_request_gets_exactly_one_result(self) -> None:
        with self._executor() as ex:
            requests = [_req("ok", inst, seed) for inst in ("i1", "i2") for seed in range(3)]
            futures = [ex.submit(r) for r in requests]
            done = list(ex.as_completed(futures, timeout=60))
            assert len(done) == len(futures) and set(done) == set(futures)
            for request, future in zip(requests, futures):
                result = future.result()
                assert result.request == request
                assert result.status is Status.SUCCESS, result.info
                assert result.runtime == 0.01  # the runtime the target reported
                assert result.quality == 1.5
                assert result.finished >= result.started > 0

    def test_cpu_cutoff_gives_timeout_with_lower_bound(self) -> None:
        with self._executor("cpu") as ex:
            result = ex.submit(_req("busy", cutoff=0.4)).result(timeout=60)
            assert result.status is Status.TIMEOUT, result.info
            assert result.censored and result.bound == result.runtime
            assert 0.4 <= result.runtime < 0.4 + 0.3, result.runtime

    def test_wall_cutoff_gives_timeout(self) -> None:
        with self._executor("wall") as ex:
            t0 = time.monotonic()
            result = ex.submit(_req("sleep", secs=30, cutoff=0.5)).result(timeout=60)
            assert result.status is Status.TIMEOUT, result.info
            assert result.wallclock < 0.5 + self.kill_slack
            assert time.monotonic() - t0 < 0.5 + self.kill_slack + 5

    def test_bound_below_cutoff_gives_capped(self) -> None:
        with self._executor("cpu") as ex:
            request = RunRequest({"mode": "busy"}, "i1", 1, cutoff=5.0, bound=0.3)
            result = ex.submit(request).result(timeout=60)
            assert result.status is Status.CAPPED, result.info
            assert 0.3 <= result.runtime < 0.3 + 0.3

    def test_stop_running_run_gives_capped(self) -> None:
        with self._executor("wall") as ex:
            future = ex.submit(_req("sleep", secs=30, cutoff=20.0))
            time.sleep(0.5)
            t0 = time.monotonic()
            ex.stop(future)
            result = future.result(timeout=30)
            assert time.monotonic() - t0 < self.kill_slack + 3
            assert result.status is Status.CAPPED and result.censored
            assert result.runtime < 20.0

    def test_stop_and_cancel_before_start(self) -> None:
        with self._executor("wall") as ex:
            blockers = [ex.submit(_req("sleep", secs=30, cutoff=20.0, seed=s)) for s in range(ex.n_workers)]
            waiting = ex.submit(_req("ok", seed=100))
            withdrawn = ex.submit(_req("ok", seed=101))
            time.sleep(0.5)
            ex.stop(waiting)
            assert ex.cancel(withdrawn) is True
            assert withdrawn.cancelled()
            result = waiting.result(timeout=30)
            assert result.status is Status.CAPPED and result.runtime == 0.0
            assert ex.cancel(blockers[0]) is False  # running: cannot be withdrawn
            for b in blockers:
                ex.stop(b)
            assert all(b.result(timeout=30).status is Status.CAPPED for b in blockers)

    def test_never_more_concurrent_runs_than_workers(self) -> None:
        with self._executor("wall") as ex:
            n = ex.n_workers
            futures = [ex.submit(_req("sleep", secs=0.3, seed=s)) for s in range(2 * n + 1)]
            results = [f.result(timeout=60) for f in futures]
            assert all(r.status is Status.SUCCESS for r in results)
            events = sorted([(r.started, 1) for r in results] + [(r.finished, -1) for r in results])
            running = peak = 0
            for _, delta in events:
                running += delta
                peak = max(peak, running)
            assert peak <= n

    def test_crash_and_garbage_are_results_with_stderr(self) -> None:
        with self._executor() as ex:
            crashed = ex.submit(_req("crash")).result(timeout=60)
            garbage = ex.submit(_req("garbage")).result(timeout=60)
            assert crashed.status is Status.CRASHED
            assert crashed.info["exit_code"] == 3
            assert "something broke" in crashed.info["stderr_tail"]
            assert garbage.status is Status.CRASHED
            assert "no 'Result of this algorithm run:' line" in garbage.info["reason"]

    def test_unknown_instance_and_closed_executor_raise(self) -> None:
        ex = self._executor()
        try:
            try:
                ex.submit(_req("ok", instance="nope"))
            except ExecutionError as exc:
                assert "nope" in str(exc)
            else:
                raise AssertionError("an unknown instance must raise ExecutionError")
        finally:
            ex.close()
        try:
            ex.submit(_req("ok"))
        except ExecutionError:
            pass
        else:
            raise AssertionError("submit after close must raise ExecutionError")

    def test_results_resolve_through_as_completed_in_finish_order(self) -> None:
        with self._executor("wall") as ex:
            slow = ex.submit(_req("sleep", secs=1.0, seed=1))
            fast = ex.submit(_req("ok", seed=2))
            order = list(ex.as_completed([slow, fast], timeout=60))
            if ex.n_workers >= 2:
                assert order == [fast, slow]
            assert isinstance(slow.result(), RunResult) and isinstance(fast.result(), RunResult)

    def test_race_with_more_arms_than_workers_is_fair(self) -> None:
        """A race of ``n_workers + 1`` arms runs in waves; the fast arm wins whether it is submitted
        first or last, no arm is stopped before it started (or recorded at 0 s), and an arm of a
        later wave that loses is censored at or above the winner's runtime."""
        fast, slow = 100_000, 800_000  # shell-loop iterations: ~0.15 s and ~1.1 s of CPU
        with self._executor("cpu") as ex:
            k = ex.n_workers + 1
            for fast_at in (0, k - 1):
                requests = [RunRequest({"mode": "spin", "n": fast if i == fast_at else slow, "arm": i},
                                       "i1", 1, 20.0, race="conformance") for i in range(k)]
                outcome = run_race(ex, requests, timeout=180)
                summary = [(r.status.value, round(r.runtime, 3), r.request.bound) for r in outcome.results]
                assert outcome.winner == fast_at, summary
                best = outcome.best
                assert best is not None, summary
                for i, result in enumerate(outcome.results):
                    assert not never_started(result) and result.runtime > 0, summary
                    if i == fast_at:
                        continue
                    assert result.censored or result.runtime > best.runtime, summary
                    later_wave = i >= ex.n_workers
                    if later_wave or fast_at != 0:  # not a wave-mate of the winner: ran at least as long
                        assert result.runtime >= best.runtime, summary
