"""Shared small instances for the runner tests (answers known by construction)."""

from __future__ import annotations

import json
import shutil

import pytest

from algoconf.instances.generators import flat_colouring, pigeonhole, taillard_jobshop
from algoconf.instances import Instance


def needs(runner):
    """pytest skip mark when a runner's program or module is missing here."""
    reason = runner.missing()
    return pytest.mark.skipif(reason is not None, reason=reason or "")


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    """{'sat': planted flat colouring (SAT), 'unsat': php(5,4) (UNSAT), 'hard': php(12,11),
    'lying': a SAT instance whose sidecar claims UNSAT, 'jsp': a 6x6 job shop}."""
    root = tmp_path_factory.mktemp("instances")
    (sat,) = flat_colouring(root / "sat", 1, 1, vertices=45)
    (unsat,) = pigeonhole(root / "unsat", 1, 1, holes=4)
    (hard,) = pigeonhole(root / "hard", 1, 1, holes=11)
    (lying,) = flat_colouring(root / "lying", 1, 2, vertices=45)
    side = lying.with_name(lying.name + ".json")
    side.write_text(json.dumps({**json.loads(side.read_text()), "answer": "UNSAT"}))
    (jsp,) = taillard_jobshop(root / "jsp", 1, 1, jobs=6, machines=6)
    return {k: Instance(k, p) for k, p in
            {"sat": sat, "unsat": unsat, "hard": hard, "lying": lying, "jsp": jsp}.items()}


@pytest.fixture()
def has_binary():
    return lambda name: shutil.which(name) is not None
