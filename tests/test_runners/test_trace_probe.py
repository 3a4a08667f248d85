"""Behaviour probes on the real solvers, and equivalence caching end to end with minisat.

No-effect values found by hand on the probe instance: minisat's ``gc-frac`` (garbage collection
does not change the search), ``grow``/``cl-lim`` with ``elim`` off (they tune variable
elimination), a ``rinc`` differing in the 7th decimal; cadical's ``target`` 0 vs 1 with
``stabilize`` off (1 = target phases in stable mode only); clasp's ``restart-factor`` differing
below the 6 significant digits the runner prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from algoconf.execution.equivalence import SHARED_FROM, EquivalenceCache
from algoconf.history import RunHistory
from algoconf.history.memory import MemoryHistory
from algoconf.runners import get_runner
from algoconf.targets import CommandTarget

from .conftest import needs

MINISAT, CADICAL, CLASP = get_runner("minisat"), get_runner("cadical"), get_runner("clasp")


def digests(runner, *configs):
    probe = runner.target().behaviour_probe()
    return [probe.run(c, "cpu").digest for c in configs]


@needs(MINISAT)
def test_minisat_no_effect_values_hash_alike_and_real_changes_do_not():
    default, gc, elim_off, elim_off_grow, decay, elim_on_grow, rinc = digests(
        MINISAT, {}, {"gc-frac": 0.6}, {"elim": "off"}, {"elim": "off", "grow": 10, "cl-lim": 50},
        {"var-decay": 0.8}, {"grow": 10}, {"rinc": 2.0000001})
    assert default is not None
    assert gc == default == rinc
    assert elim_off == elim_off_grow != default
    assert decay not in (default, elim_off)
    assert elim_on_grow != default  # grow matters while elimination is on


@needs(CADICAL)
def test_cadical_target_has_no_effect_without_stabilizing():
    off0, off1, on0, walk = digests(CADICAL, {"stabilize": "off", "target": 0}, {"stabilize": "off", "target": 1},
                                    {"target": 0}, {"walk": "off"})
    default = digests(CADICAL, {})[0]
    assert off0 == off1 is not None
    assert on0 != default  # with stabilizing, target matters
    assert walk != default  # the probe runs long enough for walk to act


@needs(CLASP)
def test_clasp_truncated_float_needs_no_second_probe():
    probe = CLASP.target().behaviour_probe()
    cache = EquivalenceCache(probe, MemoryHistory())
    base = {"restarts": "geometric", "restart-base": 100}
    a, cost_a = cache.digest({**base, "restart-factor": 1.5000001}, "k1")
    b, cost_b = cache.digest({**base, "restart-factor": 1.5000002}, "k2")
    c, _ = cache.digest({**base, "restart-factor": 1.6}, "k3")
    assert a == b is not None and c != a
    assert cost_a > 0 and cost_b == 0.0  # the same command line: the probe is not run again
    stats = cache.stats()
    assert (stats.probes_run, stats.probes_reused) == (2, 1)


def test_targets_without_a_probe():
    assert CommandTarget("true {instance}", "-name=value", "sat").behaviour_probe() is None
    assert get_runner("cpsat-jobshop").trace_probe is None


# --- end to end: algoconf configure --equivalence-cache on real minisat -------------------------------
PCS = "var-decay {0.8, 0.95} [0.95]\ngc-frac {0.1, 0.2, 0.4, 0.6, 0.8} [0.2]\n"


def _scenario(tmp_path, extra=""):
    (tmp_path / "space.pcs").write_text(PCS)
    (tmp_path / "scenario.yaml").write_text(textwrap.dedent("""\
        name: eqminisat
        target: {runner: minisat}
        space: space.pcs
        train: {generator: "algoconf.instances.generators:random_ksat", n: 3, seed: 5, kwargs: {variables: 120}}
        cutoff: 5
        seed: 2
        """) + extra)
    return tmp_path / "scenario.yaml"


def _configure(*args, cwd):
    return subprocess.run([sys.executable, "-m", "algoconf", "configure", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@needs(MINISAT)
def test_configure_shares_between_minisat_configurations_differing_in_gc_frac(tmp_path):
    scenario = _scenario(tmp_path)
    proc = _configure(str(scenario), "--tuner", "random", "--runs", "24", "--no-validate", "--guard-pairs", "0",
                      "--equivalence-cache", "--json", "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["runs"] == 24
    stats = out["equivalence"]
    assert stats["shared"] > 0 and stats["probes_run"] >= 2
    with RunHistory.open(tmp_path / "run") as history:
        configs = history.configs()
        shared = [r for r in history if SHARED_FROM in r.info]
        assert len(shared) == stats["shared"]
        for r in shared:
            src = r.info[SHARED_FROM]
            source = history.get((src["config_key"], src["instance"], src["seed"]))
            assert SHARED_FROM not in source.info
            assert configs[src["config_key"]]["var-decay"] == r.request.config["var-decay"]  # equivalent only
            assert configs[src["config_key"]]["gc-frac"] != r.request.config["gc-frac"]
            assert (r.status, r.runtime) == (source.status, source.runtime)
        real = [r for r in history if SHARED_FROM not in r.info]
        probes = history.load_state("equivalence")
        assert out["cpu_time"] == pytest.approx(sum(r.runtime for r in real) + probes["spent"])


# --- bad input ------------------------------------------------------------------------------------------
def test_equivalence_cache_must_be_a_boolean(tmp_path):
    scenario = _scenario(tmp_path, "equivalence_cache: maybe\n")
    proc = _configure(str(scenario), "--tuner", "random", "--runs", "3", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "scenario.yaml:7:" in lines[0] and "equivalence_cache must be true or false" in lines[0]


def test_equivalence_cache_on_a_target_without_a_probe(tmp_path):
    (tmp_path / "space.pcs").write_text(PCS)
    (tmp_path / "scenario.yaml").write_text(textwrap.dedent("""\
        name: noprobe
        target: {command: "true {instance}", syntax: "-name=value", output: sat}
        space: space.pcs
        train: [a.cnf]
        cutoff: 5
        """))
    (tmp_path / "a.cnf").write_text("p cnf 1 1\n1 0\n")
    run = tmp_path / "run"
    proc = _configure(str(tmp_path / "scenario.yaml"), "--tuner", "random", "--runs", "3", "--equivalence-cache",
                      "--out", str(run), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no behaviour probe" in lines[0] and "scenario.yaml" in lines[0]
    assert not (run / "history.sqlite").exists()  # refused before anything was created or run
