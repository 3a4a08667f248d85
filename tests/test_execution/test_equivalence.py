"""Functional-equivalence caching in the engine: what is shared, censoring, accounting, resume.

A fake behaviour probe whose digest depends on parameter ``x`` only stands for a solver on which
``noise`` has no effect; the runs are answered on the virtual clock, so the tests are exact.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from algoconf.run.engine import Engine, EngineLimits
from algoconf.execution.equivalence import (SHARED_FROM, STATE_NAME, EquivalenceCache, ProbeRecord, shared_result,
                                            spent_cpu, trace_digest)
from algoconf.execution.virtual import VirtualExecutor
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult, Status
from algoconf.scenario import load_scenario
from algoconf.tuners import get_tuner

PCS = "x categorical {a, b, c} [a]\nnoise integer [1, 60] [1]\n"
SPEED = {"a": 0.5, "b": 1.0, "c": 3.0}  # seconds per unit of instance hardness
PROBE_COST = 0.05


def scenario(root: Path, runs: int = 60, cutoff: float = 2.0):
    root.mkdir(parents=True, exist_ok=True)
    (root / "space.pcs").write_text(PCS)
    (root / "scenario.yaml").write_text(textwrap.dedent(f"""\
        name: eq
        target: {{callable: "algoconf.testing.tuner_target:synthetic_target"}}
        space: space.pcs
        train: {{names: [i0, i1, i2, i3]}}
        objective: runtime
        cutoff: {cutoff}
        budget: {{runs: {runs}}}
        seed: 3
        """))
    return load_scenario(root / "scenario.yaml")


def answer(request: RunRequest) -> RunResult:
    """Runtime set by x and the instance only (noise has no effect); TIMEOUT/CAPPED at the limit."""
    runtime = SPEED[request.config["x"]] * (1 + int(request.instance[1:])) / 2
    limit = request.limit
    if limit is not None and runtime > limit:
        capped = request.bound is not None and request.bound < request.cutoff
        return RunResult(request, Status.CAPPED if capped else Status.TIMEOUT, limit)
    return RunResult(request, Status.SUCCESS, runtime, quality=runtime)


class XProbe:
    """Digest = x (what the solver does), or the whole configuration when ``exact``."""

    identity = "x-probe"

    def __init__(self, exact: bool = False, fail_after: int | None = None):
        self.exact = exact
        self.calls = 0
        self.fail_after = fail_after

    def command_key(self, config):
        return json.dumps(dict(config), sort_keys=True)

    def run(self, config, time_kind):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("killed while probing")
        self.calls += 1
        text = json.dumps(dict(config), sort_keys=True) if self.exact else config["x"]
        return ProbeRecord(trace_digest(text), PROBE_COST)


def engine(sc, run_dir: Path, probe=None, runs=None, cpu_time=None, tuner="random", callbacks=()):
    history = RunHistory.open(run_dir, sc)
    executor = VirtualExecutor(answer, n_workers=1, instances=sc.train.names)
    cache = EquivalenceCache(probe, history) if probe is not None else None
    limits = EngineLimits.from_scenario(sc, runs=runs, cpu_time=cpu_time)
    problem = sc.tuning_problem()
    eng = Engine.start(get_tuner(tuner), problem, executor, history, limits, seed=4, equivalence=cache,
                       callbacks=callbacks)
    return eng, history, executor


def real_runs(history) -> list[RunResult]:
    return [r for r in history if SHARED_FROM not in r.info]


# --- the sharing rule --------------------------------------------------------------------------------
def _req(config="a", bound=None, cutoff=5.0):
    return RunRequest({"x": config}, "i1", 7, cutoff=cutoff, bound=bound)


def _source(status, runtime, bound=None, cutoff=5.0, **info):
    return RunResult(_req("b", bound, cutoff), status, runtime, wallclock=runtime, quality=runtime, info=info)


@pytest.mark.parametrize("source, request_, expected", [
    (_source(Status.SUCCESS, 1.0), _req(), (Status.SUCCESS, 1.0)),
    (_source(Status.SUCCESS, 1.0), _req(bound=2.0), (Status.SUCCESS, 1.0)),
    (_source(Status.SUCCESS, 3.0), _req(bound=2.0), (Status.CAPPED, 2.0)),  # slower than this request's cap
    (_source(Status.SUCCESS, 3.0, cutoff=10.0), _req(cutoff=2.5), (Status.TIMEOUT, 2.5)),
    (_source(Status.TIMEOUT, 5.0), _req(), (Status.TIMEOUT, 5.0)),  # censored stays censored at its bound
    (_source(Status.TIMEOUT, 5.0), _req(bound=1.5), (Status.CAPPED, 1.5)),
    (_source(Status.CAPPED, 3.0, bound=3.0), _req(bound=2.0), (Status.CAPPED, 2.0)),
    (_source(Status.CAPPED, 3.0, bound=3.0), _req(bound=3.0), (Status.CAPPED, 3.0)),
    (_source(Status.CAPPED, 1.0, bound=1.0), _req(), None),  # stopped before this run would be: unknown
    (_source(Status.CAPPED, 1.0, bound=1.0), _req(bound=2.0), None),
    (_source(Status.CRASHED, 0.1), _req(), None),  # failures run again
    (_source(Status.MEMOUT, 0.1), _req(), None),
    (_source(Status.SUCCESS, 1.0, **{SHARED_FROM: {"config_key": "k"}}), _req(), None),  # only real runs are sources
])
def test_shared_result_keeps_censoring(source, request_, expected):
    shared = shared_result(source, request_)
    if expected is None:
        assert shared is None
        return
    assert (shared.status, shared.runtime) == expected
    assert shared.request == request_ and shared.key == request_.key
    assert shared.info[SHARED_FROM] == {"config_key": source.request.config_key, "instance": "i1", "seed": 7}
    assert shared.worker == "shared"
    assert spent_cpu(shared) == 0.0 and spent_cpu(source) == source.runtime
    assert shared.censored == (expected[0] in (Status.TIMEOUT, Status.CAPPED))
    assert (shared.quality is not None) == (expected[0] is Status.SUCCESS)


# --- the engine ---------------------------------------------------------------------------------------
def test_engine_shares_between_equivalent_configurations(tmp_path):
    sc = scenario(tmp_path / "sc")
    probe = XProbe()
    eng, history, executor = engine(sc, tmp_path / "run", probe)
    outcome = eng.run()
    results = list(history)
    shared = [r for r in results if SHARED_FROM in r.info]
    real = real_runs(history)
    assert outcome.runs == len(results) == 60  # the run budget counts shared results
    assert len(shared) >= 10
    assert len({r.key for r in results}) == len(results)
    assert executor.busy_time() == pytest.approx(math.fsum(r.runtime for r in real))  # only real runs ran
    for r in shared:
        src = r.info[SHARED_FROM]
        source = history.get((src["config_key"], src["instance"], src["seed"]))
        assert source is not None and SHARED_FROM not in source.info
        assert source.request.config["x"] == r.request.config["x"]  # only equivalent configurations share
        assert source.request.config_key != r.request.config_key
        assert (src["instance"], src["seed"]) == (r.request.instance, r.request.seed)
        expected = answer(r.request)  # what the request would have got
        assert (r.status, r.runtime) == (expected.status, pytest.approx(expected.runtime))
    configs = {r.request.config_key for r in results}
    assert probe.calls == len(configs)  # each configuration probed once
    # target time: real runs and every probe, never a shared result
    assert outcome.cpu_time == pytest.approx(math.fsum(r.runtime for r in real) + PROBE_COST * probe.calls)
    stats = outcome.extra["equivalence"]
    assert stats["shared"] == len(shared) and stats["probes_run"] == probe.calls
    assert stats["shared_runtime"] == pytest.approx(math.fsum(r.runtime for r in shared))
    history.close()


def test_behaviour_changing_configurations_do_not_share(tmp_path):
    sc = scenario(tmp_path / "sc")
    eng, history, _ = engine(sc, tmp_path / "run", XProbe(exact=True))
    outcome = eng.run()
    assert outcome.runs > 40  # (the tuner may run out of new pairs: 12 configurations x 4 instances)
    assert not [r for r in history if SHARED_FROM in r.info]
    assert outcome.extra["equivalence"]["shared"] == 0
    history.close()


def test_without_the_cache_nothing_is_probed_or_shared(tmp_path):
    sc = scenario(tmp_path / "sc")
    eng, history, _ = engine(sc, tmp_path / "run", None)
    outcome = eng.run()
    assert not [r for r in history if SHARED_FROM in r.info]
    assert history.load_state(STATE_NAME) is None
    assert "equivalence" not in outcome.extra
    assert outcome.cpu_time == pytest.approx(math.fsum(r.runtime for r in history))
    history.close()


def test_probe_cost_counts_in_the_cpu_budget(tmp_path):
    sc = scenario(tmp_path / "sc", runs=1000)
    eng, history, _ = engine(sc, tmp_path / "run", XProbe(), cpu_time=15.0)
    outcome = eng.run()
    assert "CPU-time budget" in outcome.stop_reason
    stats = outcome.extra["equivalence"]
    real = math.fsum(r.runtime for r in real_runs(history))
    assert outcome.cpu_time == pytest.approx(real + stats["probe_cost"])
    assert stats["probe_cost"] > 0
    history.close()


def test_racing_arms_share_too(tmp_path):
    sc = scenario(tmp_path / "sc", runs=80)
    eng, history, _ = engine(sc, tmp_path / "run", XProbe(), tuner="acband")
    outcome = eng.run()
    shared = [r for r in history if SHARED_FROM in r.info]
    assert outcome.runs == len(list(history))
    assert any(r.request.race is not None for r in shared)
    for r in shared:
        expected = answer(r.request)
        assert (r.status, r.runtime) == (expected.status, pytest.approx(expected.runtime))
    history.close()


def test_resume_after_a_stop_neither_loses_nor_repeats(tmp_path):
    sc = scenario(tmp_path / "sc")
    whole, h0, _ = engine(sc, tmp_path / "whole", XProbe())
    reference = whole.run()
    h0.close()

    batches = []
    eng, history, _ = engine(sc, tmp_path / "run", XProbe(),
                             callbacks=[lambda e, b: batches.append(len(b)) or len(batches) < 7])
    first = eng.run()
    assert first.stop_reason == "stopped by a callback" and first.runs < 60
    stored = history.load_state(STATE_NAME)
    probed = set(stored["configs"])
    history.close()

    probe = XProbe()
    eng, history, _ = engine(sc, tmp_path / "run", probe)
    outcome = eng.run()
    results = list(history)
    assert outcome.runs == len(results) == 60
    assert len({r.key for r in results}) == 60
    configs = {r.request.config_key for r in results}
    assert probe.calls == len(configs - probed)  # no configuration probed twice
    assert outcome.cpu_time == pytest.approx(math.fsum(spent_cpu(r) for r in results) + PROBE_COST * len(configs))
    # one worker on a virtual clock: the resumed run made the same decisions as the uninterrupted one
    assert sorted(r.key for r in results) == sorted(r.key for r in RunHistory.open(tmp_path / "whole").results())
    assert outcome.incumbent == reference.incumbent
    history.close()


def test_resume_after_an_interrupted_probe(tmp_path):
    sc = scenario(tmp_path / "sc")
    eng, history, _ = engine(sc, tmp_path / "run", XProbe(fail_after=4))
    with pytest.raises(KeyboardInterrupt):
        eng.run()
    history.close()
    probe = XProbe()
    eng, history, _ = engine(sc, tmp_path / "run", probe)
    outcome = eng.run()
    results = list(history)
    assert outcome.runs == len(results) == 60 and len({r.key for r in results}) == 60
    assert probe.calls == len({r.request.config_key for r in results}) - 4
    history.close()


_KILLED_RUN = """
import sys, time
sys.path.insert(0, {tests!r})
import test_equivalence as t
from pathlib import Path
from algoconf.records import RunResult

slow = t.answer
def answer(request):
    time.sleep(0.02)  # real time passes between runs
    return slow(request)
t.answer = answer
def stall(engine, results, seen=[0]):
    # Most results here are shared, not run, so no count of runs marks the middle of the session:
    # once 20 results are committed, the loop stops here for good and the kill lands mid-session
    # however fast or loaded the machine is.
    seen[0] += len(results)
    if seen[0] >= 20:
        time.sleep(3600)
sc = t.scenario(Path({root!r}) / "sc")
eng, history, _ = t.engine(sc, Path({root!r}) / "run", t.XProbe(), callbacks=(stall,))
eng.run()
"""


def test_kill_9_and_resume(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(_KILLED_RUN.format(tests=str(Path(__file__).parent), root=str(tmp_path)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, str(script)], env=env)
    deadline = time.monotonic() + 120
    run_dir = tmp_path / "run"
    while time.monotonic() < deadline:  # kill once some results are committed
        time.sleep(0.2)
        if (run_dir / "history.sqlite").exists():
            with RunHistory.open(run_dir) as h:
                if len(h) >= 15:
                    break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with RunHistory.open(run_dir) as h:
        before = {r.key for r in h}
        probed = set((h.load_state(STATE_NAME) or {}).get("configs", {}))
    assert 0 < len(before) < 60
    sc = scenario(tmp_path / "sc")
    probe = XProbe()
    eng, history, _ = engine(sc, run_dir, probe)
    outcome = eng.run()
    results = list(history)
    assert outcome.runs == len(results) == 60
    assert len({r.key for r in results}) == 60 and before <= {r.key for r in results}
    configs = {r.request.config_key for r in results}
    assert probe.calls <= len(configs - probed) + 1  # at most the probe in flight at the kill again
    history.close()
