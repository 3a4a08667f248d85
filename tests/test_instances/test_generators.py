"""Generators: deterministic per (seed, index), valid formats, headers that match the bodies."""

from __future__ import annotations

import json

import pytest

from algoconf.instances.generators import (
    flat_colouring,
    gnm_colouring,
    known_answer,
    pigeonhole,
    random_ksat,
    read_jobshop,
    taillard_jobshop,
)
from algoconf.instances.dimacs import CNF, first_violated_clause, read_cnf
from algoconf.instances.generators.colouring import planted_flat_graph
from algoconf.instances.generators._files import instance_rng

def read_dimacs(path):
    """(variables, clauses) through the project's DIMACS reader (raises on a wrong header count)."""
    cnf = read_cnf(path)
    return cnf.n_vars, [list(c) for c in cnf.clauses()]


def satisfies(clauses, model) -> bool:
    n = max((abs(l) for c in clauses for l in c), default=0)
    return first_violated_clause(CNF.from_clauses(n, clauses), model) is None


CNF_GENERATORS = [
    (random_ksat, {"variables": 50}),
    (flat_colouring, {"vertices": 60}),
    (gnm_colouring, {"vertices": 40}),
    (pigeonhole, {"holes": 4}),
]


@pytest.mark.parametrize("gen,kwargs", CNF_GENERATORS + [(taillard_jobshop, {"jobs": 4, "machines": 3})])
def test_same_arguments_give_identical_files(tmp_path, gen, kwargs):
    a = gen(tmp_path / "a", 3, 7, **kwargs)
    b = gen(tmp_path / "b", 3, 7, **kwargs)
    assert [p.name for p in a] == [p.name for p in b]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert len(set(p.read_bytes() for p in a)) == 3


@pytest.mark.parametrize("gen,kwargs", CNF_GENERATORS)
def test_instance_i_does_not_depend_on_batch_size_but_on_seed(tmp_path, gen, kwargs):
    small = gen(tmp_path / "s", 2, 3, **kwargs)
    large = gen(tmp_path / "l", 5, 3, **kwargs)
    other = gen(tmp_path / "o", 2, 4, **kwargs)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in large[:2]]
    assert small[0].read_bytes() != other[0].read_bytes()


@pytest.mark.parametrize("gen,kwargs", CNF_GENERATORS)
def test_dimacs_header_counts_match(tmp_path, gen, kwargs):
    for path in gen(tmp_path, 2, 1, **kwargs):
        header = next(line for line in path.read_text().splitlines() if line.startswith("p "))
        _, _, n_vars, n_clauses = header.split()
        n, clauses = read_dimacs(path)  # raises when the header's clause count is wrong
        assert n == int(n_vars) and len(clauses) == int(n_clauses)
        assert all(clause and all(1 <= abs(l) <= n for l in clause) for clause in clauses)


def test_ksat_shape(tmp_path):
    (path,) = random_ksat(tmp_path, 1, 0, variables=100, k=3, ratio=4.26)
    n, clauses = read_dimacs(path)
    assert n == 100 and len(clauses) == 426
    assert all(len(c) == 3 and len({abs(l) for l in c}) == 3 for c in clauses)
    signs = sum(l > 0 for c in clauses for l in c) / (3 * 426)
    assert 0.4 < signs < 0.6


def test_planted_colouring_is_a_model_and_is_recorded(tmp_path):
    rng = instance_rng("t", 1, 0)
    colour, edges = planted_flat_graph(rng, 30, 3, 60)
    assert len(edges) == 60 == len(set(edges))
    assert all(colour[u] != colour[w] for u, w in edges)
    (path,) = flat_colouring(tmp_path, 1, 5, vertices=30, degree=4.0)
    assert known_answer(path) == "SAT"
    assert json.loads((tmp_path / (path.name + ".json")).read_text())["edges"] == 60


def test_planted_colouring_model_satisfies_the_cnf(tmp_path):
    from algoconf.instances.generators.colouring import colouring_cnf

    colour, edges = planted_flat_graph(instance_rng("t", 2, 0), 45, 3, 100)
    _, clauses = colouring_cnf(45, edges, 3)
    model = {v * 3 + colour[v] + 1 for v in range(45)}
    model |= {-(v * 3 + c + 1) for v in range(45) for c in range(3) if c != colour[v]}
    assert satisfies(clauses, model)
    assert not satisfies(clauses, {-l for l in model})


def test_too_many_planted_edges_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="do not fit"):
        flat_colouring(tmp_path, 1, 0, vertices=6, colours=3, degree=10)


def test_pigeonhole_is_recorded_unsat_and_has_php_shape(tmp_path):
    (path,) = pigeonhole(tmp_path, 1, 0, holes=3)
    n, clauses = read_dimacs(path)
    assert known_answer(path) == "UNSAT"
    assert n == 12 and len(clauses) == 4 + 3 * 6
    assert known_answer(random_ksat(tmp_path, 1, 0, variables=20)[0]) is None


def test_jobshop_format_round_trips(tmp_path):
    paths = taillard_jobshop(tmp_path, 2, 9, jobs=5, machines=4, low=1, high=99)
    for path in paths:
        shop = read_jobshop(path)
        assert shop.n_jobs == 5 and shop.n_machines == 4
        for job in shop.jobs:
            assert sorted(m for m, _ in job) == [0, 1, 2, 3]
            assert all(1 <= d <= 99 for _, d in job)
        assert shop.lower_bound <= shop.horizon
        lines = [l for l in path.read_text().splitlines() if not l.startswith("#")]
        assert lines[0] == "5 4" and len(lines) == 6


def test_jobshop_reader_names_the_bad_line(tmp_path):
    bad = tmp_path / "bad.jsp"
    bad.write_text("2 2\n0 5 1 4\n0 x 1 2\n")
    with pytest.raises(ValueError, match=r"bad.jsp:3"):
        read_jobshop(bad)


@pytest.mark.parametrize("gen", [random_ksat, flat_colouring, taillard_jobshop, pigeonhole])
def test_bad_batch_arguments_are_rejected(tmp_path, gen):
    with pytest.raises(ValueError):
        gen(tmp_path, -1, 0)
    with pytest.raises(ValueError):
        gen(tmp_path, 1, "seven")
