"""Clause-graph and diameter feature groups, checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import algoconf.features.cnf_graphs as graphs
from algoconf.instances.dimacs import parse_cnf
from algoconf.features.base import Deadline, GroupStatus
from algoconf.features.cnf import CNFFeatures
from algoconf.features.cnf_graphs import clause_graph_features, diameter_features

# C0=(1 2) C1=(-1 3) C2=(-2 -3) C3=(1 -3): resolvable pairs C0-C1, C0-C2, C1-C2, C1-C3
FOUR = "p cnf 3 4\n1 2 0\n-1 3 0\n-2 -3 0\n1 -3 0\n"


def test_clause_graph_degrees_and_clustering_by_hand():
    v = clause_graph_features(parse_cnf(FOUR))
    degrees = np.array([2, 3, 2, 1]) / 4
    assert v["CG-mean"] == pytest.approx(degrees.mean())
    assert v["CG-min"] == pytest.approx(0.25) and v["CG-max"] == pytest.approx(0.75)
    coeff = np.array([1.0, 1 / 3, 1.0, 0.0])  # one triangle C0-C1-C2
    assert v["cluster-coeff-mean"] == pytest.approx(coeff.mean())
    assert v["cluster-coeff-min"] == 0.0 and v["cluster-coeff-max"] == 1.0


def test_tautology_has_no_self_loop_and_same_sign_is_no_edge():
    v = clause_graph_features(parse_cnf("p cnf 2 2\n1 -1 0\n1 2 0\n"))
    # (1 -1) and (1 2): complementary pair 1 / -1 -> one edge; no self-loop on the tautology
    assert v["CG-min"] == pytest.approx(0.5) and v["CG-max"] == pytest.approx(0.5)


def test_diameter_of_a_path_and_of_two_components():
    path = parse_cnf("p cnf 4 3\n1 2 0\n2 3 0\n3 4 0\n")  # 1-2-3-4: eccentricities 3 2 2 3
    v, complete = diameter_features(path, Deadline(10.0), seed=0)
    assert complete and v["DIAMETER-mean"] == pytest.approx(2.5)
    assert (v["DIAMETER-min"], v["DIAMETER-max"]) == (2.0, 3.0)
    split = parse_cnf("p cnf 5 3\n1 2 0\n2 3 0\n4 5 0\n")  # path of 3 (ecc 2 1 2) and an edge (1 1)
    v, _ = diameter_features(split, Deadline(10.0), seed=0)
    assert v["DIAMETER-mean"] == pytest.approx(7 / 5) and v["DIAMETER-max"] == 2.0


def test_diameter_samples_roots_with_the_seed_and_stops_at_the_deadline(monkeypatch):
    rng = np.random.default_rng(1)
    clauses = [" ".join(str(int(x)) for x in rng.choice(np.arange(1, 301), 3, replace=False)) + " 0" for _ in range(900)]
    cnf = parse_cnf("p cnf 300 900\n" + "\n".join(clauses) + "\n")
    monkeypatch.setattr(graphs, "DIAMETER_ROOTS", 40)
    a, _ = diameter_features(cnf, Deadline(10.0), seed=3)
    b, _ = diameter_features(cnf, Deadline(10.0), seed=3)
    assert a == b
    v, complete = diameter_features(cnf, Deadline(0.0), seed=3)
    assert not complete and all(math.isnan(x) for x in v.values())


def test_extractor_groups_statuses_and_refusal_of_huge_graphs(tmp_path, monkeypatch):
    path = tmp_path / "four.cnf"
    path.write_text(FOUR)
    ex = CNFFeatures()
    assert ex.order(["diameter"]) == ["base", "vg", "diameter"]
    results = ex.extract(path, ["cg", "diameter"])
    assert results["cg"].status is GroupStatus.OK and results["diameter"].status is GroupStatus.OK
    monkeypatch.setattr(graphs, "CG_MAX_WORK", 1)
    refused = ex.compute_group(path, "cg")
    assert refused.status is GroupStatus.TIMEOUT and all(math.isnan(x) for x in refused.values.values())
