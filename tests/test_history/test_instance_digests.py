"""A resumed run refuses instance files whose content changed under the same name."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from algoconf.errors import ScenarioMismatchError
from algoconf.history import RunHistory
from algoconf.history.digests import changed_instances, digest_table
from algoconf.instances import Instance
from algoconf.scenario import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "scenario" / "basic"


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "s"
    shutil.copytree(DATA, copy)
    return copy


def test_changed_content_under_the_same_name_is_refused(tmp_path):
    copy = _copy(tmp_path)
    RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml")).close()
    victim = copy / "instances" / "i1.cnf"
    victim.write_text(victim.read_text() + "c changed\n")
    with pytest.raises(ScenarioMismatchError) as info:
        RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml"))
    message = str(info.value)
    assert "instances/i1.cnf" in message and "different content under the same name" in message
    assert "new run directory" in message


def test_same_content_with_a_new_mtime_resumes_and_refreshes(tmp_path):
    copy = _copy(tmp_path)
    RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml")).close()
    victim = copy / "instances" / "i2.cnf"
    text = victim.read_text()
    victim.write_text(text)  # regenerated with the same bytes
    os.utime(victim, ns=(1_000_000_000, 1_000_000_000))
    with RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml")) as h:
        assert h.fingerprint is not None
    # the refreshed stat entry is stored: the next open needs no hashing and still passes
    with RunHistory.open(tmp_path / "run", load_scenario(copy / "scenario.yaml")):
        pass


def test_unchanged_stat_is_trusted_and_changed_bytes_are_found(tmp_path):
    f = tmp_path / "a.cnf"
    f.write_text("p cnf 1 1\n1 0\n")
    inst = [Instance("a", f), Instance("abstract", None), Instance("gone", tmp_path / "missing.cnf")]
    table = digest_table(inst)
    assert set(table) == {"a"} and table["a"][0] == f.stat().st_size
    assert changed_instances(table, inst) == ([], table)
    f.write_text("p cnf 1 1\n-1 0\n")  # same size, new content
    changed, _ = changed_instances(table, inst)
    assert changed == ["a"]
