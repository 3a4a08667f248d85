"""VirtualExecutor: the conformance suite (on a replayed real target) and virtual-time semantics."""

from __future__ import annotations

import concurrent.futures as cf
import time
from pathlib import Path

import pytest

from algoconf.errors import ExecutionError
from algoconf.execution.racing import run_race
from algoconf.execution.virtual import VirtualExecutor, executing_answer
from algoconf.records import RunRequest, RunResult, Status
from algoconf.testing.executors import ExecutorConformance

MATRIX = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minisat_3sat_matrix.npz"


class TestVirtualExecutorConformance(ExecutorConformance):
    """Every run really executes (one at a time); the virtual clock lays them out on 2 workers."""

    def make_executor(self, target, instances, time_kind="cpu"):
        return VirtualExecutor(executing_answer(target, instances, time_kind=time_kind), n_workers=2,
                               instances=instances)


def fixed(durations: dict[str, float], status: Status = Status.SUCCESS):
    """An answer: configuration ``{"t": name}`` runs ``durations[name]`` seconds (capped by its limit)."""

    def answer(request: RunRequest) -> RunResult:
        t = durations[request.config["t"]]
        limit = request.limit
        if limit is not None and t > limit:
            kind = Status.CAPPED if request.bound is not None and request.bound < (request.cutoff or 1e9) else Status.TIMEOUT
            return RunResult(request, kind, limit, wallclock=limit)
        return RunResult(request, status, t, wallclock=t)

    return answer


def req(name: str, seed: int = 1, instance: str = "i1", cutoff: float = 100.0, **kw) -> RunRequest:
    return RunRequest({"t": name}, instance, seed, cutoff, **kw)


TIMES = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 0.5, "long": 50.0}


def test_runs_are_laid_out_on_workers_in_virtual_time():
    ex = VirtualExecutor(fixed(TIMES), n_workers=2, epoch=1000.0)
    futures = [ex.submit(req(n, seed=i)) for i, n in enumerate(["c", "a", "b", "d"])]
    results = [f.result() for f in futures]
    # c on w0 [0, 3]; a on w1 [0, 1]; b on w1 [1, 3]; d waits for the next free worker (t = 3)
    starts = [r.started - 1000.0 for r in results]
    finishes = [r.finished - 1000.0 for r in results]
    assert starts == pytest.approx([0.0, 0.0, 1.0, 3.0])
    assert finishes == pytest.approx([3.0, 1.0, 3.0, 3.5])
    assert ex.now() == pytest.approx(3.5)
    assert ex.busy_time() == pytest.approx(3 + 1 + 2 + 0.5)
    assert ex.utilisation() == pytest.approx(6.5 / (2 * 3.5))
    assert {r.worker for r in results} == {"virtual-0", "virtual-1"}
    assert all(r.wallclock == pytest.approx(TIMES[r.request.config["t"]]) for r in results)


def test_as_completed_and_wait_follow_virtual_finish_order():
    ex = VirtualExecutor(fixed(TIMES), n_workers=3)
    futures = {n: ex.submit(req(n)) for n in ("c", "a", "b")}
    order = [f.result().request.config["t"] for f in ex.as_completed(futures.values())]
    assert order == ["a", "b", "c"]
    ex2 = VirtualExecutor(fixed(TIMES), n_workers=3)
    fs = [ex2.submit(req(n)) for n in ("c", "a", "b")]
    done, pending = ex2.wait(fs)
    assert done == {fs[1]} and pending == {fs[0], fs[2]} and ex2.now() == pytest.approx(1.0)
    assert ex2.wait(fs, timeout=0.5)[0] == {fs[1]} and ex2.now() == pytest.approx(1.0)  # one is done: at once
    done, pending = ex2.wait([fs[0], fs[2]], timeout=0.5)  # next event at 2.0: the clock moves by 0.5 only
    assert not done and ex2.now() == pytest.approx(1.5)
    done, pending = ex2.wait(fs, return_when=cf.ALL_COMPLETED)
    assert not pending and ex2.now() == pytest.approx(3.0)


def test_wait_timeout_is_virtual_and_does_not_pass_the_next_event():
    ex = VirtualExecutor(fixed(TIMES), n_workers=1)
    f = ex.submit(req("long"))
    t0 = time.monotonic()
    done, pending = ex.wait([f], timeout=10.0)
    assert not done and ex.now() == pytest.approx(10.0)
    assert time.monotonic() - t0 < 5  # virtual seconds cost no real time
    with pytest.raises(cf.TimeoutError):
        f.result(timeout=5.0)
    assert ex.now() == pytest.approx(15.0)
    assert f.result().runtime == pytest.approx(50.0) and ex.now() == pytest.approx(50.0)


def test_stop_running_gives_capped_at_elapsed_virtual_time():
    ex = VirtualExecutor(fixed(TIMES), n_workers=2)
    slow, fast = ex.submit(req("long")), ex.submit(req("b"))
    assert fast.result().status is Status.SUCCESS and ex.now() == pytest.approx(2.0)
    ex.stop(slow)
    r = slow.result()
    assert r.status is Status.CAPPED and r.censored
    assert r.runtime == pytest.approx(2.0) and r.wallclock == pytest.approx(2.0)
    assert ex.busy_time() == pytest.approx(4.0)
    ex.stop(slow)  # no-op on a finished run
    assert slow.result() is r


def test_stopped_cpu_share_is_proportional():
    def half_cpu(request):  # 10 s of wall, 5 s of CPU
        return RunResult(request, Status.SUCCESS, 5.0, wallclock=10.0)

    ex = VirtualExecutor(half_cpu, n_workers=1)
    f = ex.submit(req("x"))
    ex.wait([f], timeout=4.0)
    ex.stop(f)
    assert f.result().runtime == pytest.approx(2.0) and f.result().wallclock == pytest.approx(4.0)


def test_queued_runs_stop_at_zero_cancel_withdraws_and_free_worker_starts_next():
    looked = []

    def answer(request):
        looked.append(request.config["t"])
        return fixed(TIMES)(request)

    ex = VirtualExecutor(answer, n_workers=1)
    running = ex.submit(req("long"))
    stopped = ex.submit(req("a", seed=2))
    withdrawn = ex.submit(req("a", seed=3))
    later = ex.submit(req("b", seed=4))
    ex.stop(stopped)
    assert stopped.result().status is Status.CAPPED and stopped.result().runtime == 0.0
    assert ex.cancel(withdrawn) is True and withdrawn.cancelled()
    assert ex.cancel(running) is False
    ex.wait([running], timeout=7.0)
    ex.stop(running)  # frees the worker at t = 7: the queued run starts then
    r = later.result()
    assert r.started - ex.epoch == pytest.approx(7.0) and r.finished - ex.epoch == pytest.approx(9.0)
    assert looked == ["long", "b"]  # the stopped and withdrawn runs were never looked up


def test_stop_at_start_instant_never_looks_the_run_up():
    looked = []

    def answer(request):
        looked.append(request)
        return RunResult(request, Status.SUCCESS, 1.0, wallclock=1.0)

    ex = VirtualExecutor(answer, n_workers=2)
    f = ex.submit(req("x"))
    ex.stop(f)
    assert f.result().status is Status.CAPPED and f.result().runtime == 0.0 and not looked


def test_race_is_first_to_finish_in_virtual_time_whatever_the_submission_order():
    for order in (["c", "a", "b"], ["a", "b", "c"]):
        ex = VirtualExecutor(fixed(TIMES), n_workers=3)
        outcome = run_race(ex, [req(n, race="r") for n in order])
        best = outcome.best
        assert best.request.config["t"] == "a" and best.status is Status.SUCCESS
        losers = [r for r in outcome.results if r is not best]
        assert all(r.status is Status.CAPPED and r.runtime == pytest.approx(1.0) for r in losers)
        assert ex.now() == pytest.approx(1.0)
        assert ex.busy_time() == pytest.approx(3.0)  # every worker freed at the winner's time


def test_bound_caps_a_run_and_its_worker_time():
    ex = VirtualExecutor(fixed(TIMES), n_workers=1)
    r = ex.submit(req("long", bound=4.0)).result()
    assert r.status is Status.CAPPED and r.runtime == pytest.approx(4.0) and ex.now() == pytest.approx(4.0)


def test_answer_errors_surface_on_the_future_and_free_the_worker():
    def answer(request):
        if request.config["t"] == "bad":
            raise ValueError("broken target definition")
        return fixed(TIMES)(request)

    ex = VirtualExecutor(answer, n_workers=1)
    bad, good = ex.submit(req("bad")), ex.submit(req("a"))
    with pytest.raises(ValueError):
        bad.result()
    assert good.result().status is Status.SUCCESS


def test_construction_and_instances_checked():
    with pytest.raises(ExecutionError):
        VirtualExecutor(fixed(TIMES), n_workers=0)
    with pytest.raises(ExecutionError):
        VirtualExecutor(fixed(TIMES), caller_time="sometimes")
    ex = VirtualExecutor(fixed(TIMES), instances=["i1"])
    with pytest.raises(ExecutionError, match="nope"):
        ex.submit(req("a", instance="nope"))
    ex.close()
    with pytest.raises(ExecutionError):
        ex.submit(req("a"))


def test_close_stops_running_and_withdraws_queued():
    ex = VirtualExecutor(fixed(TIMES), n_workers=1)
    running, queued = ex.submit(req("long")), ex.submit(req("a"))
    ex.wait([running], timeout=3.0)
    ex.close()
    assert running.result().status is Status.CAPPED and running.result().runtime == pytest.approx(3.0)
    assert queued.cancelled()


def test_charged_caller_time_moves_the_clock_and_free_does_not():
    free = VirtualExecutor(fixed(TIMES), n_workers=1)
    charged = VirtualExecutor(fixed(TIMES), n_workers=1, caller_time="charged")
    for ex in (free, charged):
        ex.submit(req("a")).result()
    t0 = time.thread_time()
    while time.thread_time() - t0 < 0.3:  # the caller computes for 0.3 CPU s
        pass
    time.sleep(0.3)  # and waits (no CPU): not charged
    for ex in (free, charged):
        ex.submit(req("d", seed=2)).result()
    assert free.now() == pytest.approx(1.5)
    assert 1.5 + 0.3 <= charged.now() < 1.5 + 0.55 and 0.3 <= charged.charged_seconds < 0.55
    assert charged.utilisation() < free.utilisation() == pytest.approx(1.0)


@pytest.mark.parametrize("order", [["c", "a"], ["a", "c"]])
def test_race_with_more_arms_than_workers_is_won_by_the_faster_arm(order):
    ex = VirtualExecutor(fixed(TIMES), n_workers=1)
    outcome = run_race(ex, [req(n, race="r") for n in order])
    assert outcome.best.request.config["t"] == "a"
    slow = next(r for r in outcome.results if r.request.config["t"] == "c")
    # second in line, the slow arm is capped just above the fast arm's time; first, it ran to the end
    assert slow.status is (Status.CAPPED if order == ["a", "c"] else Status.SUCCESS)
    assert ex.now() == pytest.approx(1.0 + min(3.0, 1.0 * 1.1) if order == ["a", "c"] else 3.0 + 1.0)


@pytest.mark.skipif(not MATRIX.is_file(), reason="shipped matrix missing")
def test_matrix_answers_through_the_virtual_executor():
    from algoconf.tuners.simulated import RuntimeMatrix

    m = RuntimeMatrix.load(MATRIX)
    ex = VirtualExecutor(m.answer, n_workers=4, instances=m.instances)
    requests = [RunRequest(m.configs[0], name, 0, m.cutoff) for name in m.instances[:8]]
    results = ex.map(requests)
    direct = [m.answer(r) for r in requests]
    assert [r.status for r in results] == [d.status for d in direct]
    assert [r.runtime for r in results] == pytest.approx([d.runtime for d in direct])
    # 8 runs on 4 workers: the clock ends between the longest run and the sum of all
    assert max(d.runtime for d in direct) <= ex.now() <= sum(d.runtime for d in direct)
    assert ex.busy_time() == pytest.approx(sum(d.runtime for d in direct))
