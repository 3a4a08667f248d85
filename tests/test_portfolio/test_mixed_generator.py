"""The mixed-family generator used by the minisat-mixed scenario: round-robin, deterministic, strict."""

from __future__ import annotations

import pytest

from algoconf.instances.generators.mixed import mixed_families

FAMILIES = [{"generator": "random_ksat", "kwargs": {"variables": 20}},
            {"generator": "algoconf.instances.generators:pigeonhole", "kwargs": {"holes": 3}}]


def test_round_robin_and_deterministic(tmp_path):
    a = mixed_families(tmp_path / "a", 5, 7, families=FAMILIES)
    b = mixed_families(tmp_path / "b", 5, 7, families=FAMILIES)
    assert [p.parent.name for p in a] == ["0-random_ksat", "1-pigeonhole"] * 2 + ["0-random_ksat"]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    other = mixed_families(tmp_path / "c", 5, 8, families=FAMILIES)
    assert a[0].read_bytes() != other[0].read_bytes()  # another seed, another instance


@pytest.mark.parametrize("families, match", [
    ([], "at least one"),
    ([{"kwargs": {}}], "generator"),
    ([{"generator": "random_ksat", "size": 3}], "unknown key"),
    ([{"generator": "mixed_families"}], "not a generator"),
])
def test_bad_families_are_rejected(tmp_path, families, match):
    with pytest.raises(ValueError, match=match):
        mixed_families(tmp_path, 4, 1, families=families)
