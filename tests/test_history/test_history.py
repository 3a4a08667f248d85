"""RunHistory: idempotent records, state blobs in the same transaction, queries, export, mismatch."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from algoconf.errors import ScenarioMismatchError
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult
from algoconf.scenario import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"


def result(i: int, instance: str = "a", seed: int = 0, status: str = "SUCCESS", **kw) -> RunResult:
    req = RunRequest({"x": i, "mode": "fast" if i % 2 else "slow"}, instance, seed, 10.0, bound=kw.pop("bound", None))
    return RunResult(req, status, kw.pop("runtime", 0.5 + i), **kw)


def test_record_is_idempotent_and_reads_back_equal(tmp_path):
    with RunHistory.open(tmp_path) as h:
        r = result(1, info={"stderr_tail": "boom", "nested": {"k": [1, 2]}}, quality=3.25, wallclock=1.5,
                   started=100.0, finished=101.5, worker="w1")
        assert h.record(r) is True
        assert h.record(r) is False
        assert h.record(result(1, runtime=99.0)) is False  # same key, other content: first one stays
        assert len(h) == 1 and r.key in h and ("nope", "a", 0) not in h
        assert h.get(r.key) == r and h.get(r.key).info == r.info
        assert h.get(("nope", "a", 0)) is None
    with RunHistory.open(tmp_path) as h:
        assert h.results() == [r]


def test_censored_and_failed_results_keep_their_status(tmp_path):
    rs = [result(0, status="TIMEOUT", runtime=10.0), result(1, status="CAPPED", runtime=2.0, bound=2.0),
          result(2, status="CRASHED", info={"exit_code": -11}), result(3, status="MEMOUT")]
    with RunHistory.open(tmp_path) as h:
        h.commit(rs)
        back = h.results()
    assert back == rs
    assert [r.censored for r in back] == [True, True, False, False]
    assert back[1].request.bound == 2.0 and back[0].bound == 10.0


def test_commit_writes_results_and_state_together(tmp_path):
    with RunHistory.open(tmp_path) as h:
        assert h.load_state("tuner") is None
        new = h.commit([result(0), result(1), result(0)], {"tuner": {"step": 1, "rng": [1, 2, 3]}})
        assert new == [True, True, False]
        h.commit([], {"tuner": {"step": 2, "inf": math.inf}})
        h.save_state("other", {"a": 1})
        assert h.load_state("tuner") == {"step": 2, "inf": math.inf}
        assert h.load_state("other") == {"a": 1}


def test_queries_frame_and_csv(tmp_path):
    with RunHistory.open(tmp_path) as h:
        h.commit([result(0, "a"), result(1, "a"), result(0, "b"), result(0, "b", seed=1, status="TIMEOUT")])
        k0 = result(0).request.config_key
        assert [r.request.instance for r in h.results(config_key=k0)] == ["a", "b", "b"]
        assert [r.request.seed for r in h.results(config_key=k0, instance="b")] == [0, 1]
        assert len(h.results(instance="a")) == 2 and len(list(h)) == 4
        assert h.configs() == {k0: {"mode": "slow", "x": 0}, result(1).request.config_key: {"mode": "fast", "x": 1}}
        df = h.frame()
        assert list(df["instance"]) == ["a", "a", "b", "b"]
        assert list(df["censored"]) == [False, False, False, True]
        assert h.to_csv(tmp_path / "out.csv") == 4
    back = pd.read_csv(tmp_path / "out.csv")
    assert list(back["config.x"]) == [0, 1, 0, 0] and list(back["status"])[-1] == "TIMEOUT"


def test_csv_writes_integer_parameters_as_integers(tmp_path):
    # an inactive parameter leaves an empty cell; the column must not turn 14 into 14.0
    def run(config: dict, instance: str) -> RunResult:
        return RunResult(RunRequest(config, instance, 0, 10.0), "SUCCESS", 1.0)

    with RunHistory.open(tmp_path) as h:
        h.commit([run({"pre": "on", "cl-lim": 14, "rinc": 2.0}, "a"), run({"pre": "off", "rinc": 1.5}, "a")])
        h.to_csv(tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","))) for line in lines[1:]]
    assert [r["config.cl-lim"] for r in rows] == ["14", ""]
    assert [r["config.rinc"] for r in rows] == ["2.0", "1.5"]  # reals stay reals


def test_same_scenario_resumes_bigger_budget_too(tmp_path):
    s = load_scenario(DATA / "scenario.yaml")
    with RunHistory.open(tmp_path / "run", s) as h:
        h.record(result(0))
    copy = tmp_path / "s"
    shutil.copytree(DATA, copy)
    text = (copy / "scenario.yaml").read_text().replace("runs: 40", "runs: 4000")
    (copy / "scenario.yaml").write_text(text)
    with RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml")) as h:
        assert len(h) == 1 and h.fingerprint == s.fingerprint() | {"cutoff": 5.0}


def test_other_scenario_raises_mismatch_with_the_difference(tmp_path):
    s = load_scenario(DATA / "scenario.yaml")
    RunHistory.open(tmp_path / "run", s).close()
    copy = tmp_path / "s"
    shutil.copytree(DATA, copy)
    (copy / "scenario.yaml").write_text((copy / "scenario.yaml").read_text().replace("cutoff: 5", "cutoff: 7"))
    (copy / "train.txt").write_text("instances/i1.cnf\ninstances/i2.cnf\n")
    (copy / "test.txt").write_text("instances/i3.cnf\ninstances/i4.cnf\n")
    with pytest.raises(ScenarioMismatchError) as info:
        RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml"))
    assert str(info.value) == (
        f"{tmp_path / 'run'} holds a run of a different scenario (stored -> given):\n"
        "  cutoff: 5.0 -> 7.0\n"
        "  train: 3 -> 2 items; removed 2 (instances/i2.cnf 7, instances/i3.cnf); added 1 (instances/i2.cnf)\n"
        "Resume with the original scenario, or start the changed one in a new run directory."
    )


@pytest.mark.slow
def test_mismatch_never_prompts(tmp_path):
    RunHistory.open(tmp_path, fingerprint={"cutoff": 1.0}).close()
    code = (
        "import sys; from algoconf.history import RunHistory\n"
        "from algoconf.errors import ScenarioMismatchError\n"
        f"try: RunHistory.open({str(tmp_path)!r}, fingerprint={{'cutoff': 2.0}})\n"
        "except ScenarioMismatchError as e: print(e); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 3 and "cutoff: 1.0 -> 2.0" in proc.stdout


WRITER = """
import sys
from algoconf.history import RunHistory
from algoconf.records import RunRequest, RunResult

worker, n = sys.argv[2], int(sys.argv[3])
written = 0
with RunHistory.open(sys.argv[1]) as h:
    for i in range(n):
        for instance in (f"w{worker}", "shared"):  # every worker races for the "shared" keys
            req = RunRequest({"x": i, "mode": "fast" if i % 2 else "slow"}, instance, 0, 10.0)
            written += h.record(RunResult(req, "SUCCESS", 0.5 + i))
print(written)
"""


def test_concurrent_writers(tmp_path):
    RunHistory.open(tmp_path).close()
    script = tmp_path / "w.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), str(w), "40"], stdout=subprocess.PIPE,
                              text=True, env=env) for w in range(3)]
    written = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    with RunHistory.open(tmp_path) as h:
        assert len(h) == 3 * 40 + 40 == sum(written)
        assert len({r.key for r in h.results()}) == len(h)
        assert len(h.results(instance="shared")) == 40
        assert h.results(instance="w1") == [result(i, instance="w1") for i in range(40)]
