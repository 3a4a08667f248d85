"""CNF feature groups against values computed by hand on a tiny formula."""

import math

import numpy as np
import pytest

from algoconf.instances.dimacs import parse_cnf
from algoconf.features.base import Deadline, GroupStatus
from algoconf.features.cnf import CNFFeatures
from algoconf.features.cnf_probes import local_search_probe, unit_probe
from algoconf.features.cnf_stats import base_features, variable_graph_features

# C1 = (1 ∨ ¬2) Horn, C2 = (¬1 ∨ 2 ∨ 3) not Horn, C3 = (¬3 ∨ ¬4) Horn
TINY = "p cnf 4 3\n1 -2 0\n-1 2 3 0\n-3 -4 0\n"


def test_base_group_hand_computed():
    f = base_features(parse_cnf(TINY))
    assert f["nvars"] == 4 and f["nclauses"] == 3
    assert f["vars-clauses-ratio"] == pytest.approx(4 / 3)
    # variable degrees 2,2,2,1 over 3 clauses
    assert f["VCG-VAR-mean"] == pytest.approx(7 / 12)
    assert f["VCG-VAR-min"] == pytest.approx(1 / 3) and f["VCG-VAR-max"] == pytest.approx(2 / 3)
    assert f["VCG-VAR-coeff-variation"] == pytest.approx(0.1443376 / (7 / 12), rel=1e-5)
    assert f["VCG-VAR-entropy"] == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    # clause lengths 2,3,2 over 4 variables
    assert f["VCG-CLAUSE-mean"] == pytest.approx(7 / 12)
    assert f["VCG-CLAUSE-max"] == pytest.approx(0.75)
    # clause balance 0, 1/3, 1
    assert f["POSNEG-RATIO-CLAUSE-mean"] == pytest.approx((0 + 1 / 3 + 1) / 3)
    assert f["POSNEG-RATIO-CLAUSE-min"] == 0 and f["POSNEG-RATIO-CLAUSE-max"] == 1
    # variable balance 0, 0, 0, 1
    assert f["POSNEG-RATIO-VAR-mean"] == pytest.approx(0.25)
    assert f["POSNEG-RATIO-VAR-stdev"] == pytest.approx(math.sqrt(0.1875))
    assert (f["UNARY"], f["BINARY+"], f["TRINARY+"]) == pytest.approx((0, 2 / 3, 1 / 3))
    assert f["horn-clauses-fraction"] == pytest.approx(2 / 3)
    assert f["HORNY-VAR-mean"] == pytest.approx(1 / 3) and f["HORNY-VAR-coeff-variation"] == 0


def test_variable_graph_hand_computed():
    f = variable_graph_features(parse_cnf(TINY))
    # neighbours: v1 {2,3}, v2 {1,3}, v3 {1,2,4}, v4 {3}; divided by 4 variables
    assert f["VG-mean"] == pytest.approx(0.5)
    assert f["VG-min"] == pytest.approx(0.25) and f["VG-max"] == pytest.approx(0.75)


def test_no_zeros_for_missing_statistics():
    f = base_features(parse_cnf("p cnf 3 0\n"))
    assert math.isnan(f["VCG-VAR-mean"]) and math.isnan(f["UNARY"])


def test_unit_probe_values_and_unsat_presolve():
    values, status, answer = unit_probe(parse_cnf(TINY), Deadline(5.0), seed=1)
    assert status is GroupStatus.OK and answer is None
    depths = [values[f"UNIT-depth-{d}"] for d in (1, 4, 16, 64, 256)]
    assert all(0 < v <= 1 for v in depths) and depths == sorted(depths)
    assert values["UNIT-depth-1"] >= 0.25  # one decision assigns at least its own variable
    _, status, answer = unit_probe(parse_cnf("p cnf 1 2\n1 0\n-1 0\n"), Deadline(5.0), seed=1)
    assert status is GroupStatus.PRESOLVED and answer == "UNSAT"


def test_local_search_probe_presolves_easy_sat_formula():
    values, status, answer = local_search_probe(parse_cnf(TINY), Deadline(5.0), seed=2)
    assert status is GroupStatus.PRESOLVED and answer == "SAT"
    assert values["ls-best-unsat-mean"] == 0.0


def test_local_search_probe_on_unsat_formula_reports_positive_best():
    cnf = parse_cnf("p cnf 2 4\n1 2 0\n-1 2 0\n1 -2 0\n-1 -2 0\n")
    values, status, answer = local_search_probe(cnf, Deadline(5.0), seed=3)
    assert status is GroupStatus.OK and answer is None
    assert values["ls-best-unsat-mean"] == pytest.approx(0.25)


def test_extractor_dependency_order_and_skip(tmp_path):
    path = tmp_path / "t.cnf"
    path.write_text(TINY)
    ex = CNFFeatures()
    assert ex.order(["ls"]) == ["base", "ls"]
    results = ex.extract(path, ["vg", "unit"], seed=0)
    assert list(results) == ["base", "vg", "unit"]
    assert all(r.status.usable for r in results.values())
    with pytest.raises(KeyError, match="unknown feature group"):
        ex.order(["nope"])


def test_deterministic_for_a_seed(tmp_path):
    path = tmp_path / "t.cnf"
    rng = np.random.default_rng(0)
    clauses = [" ".join(str(int(v) * int(rng.choice([-1, 1]))) for v in rng.choice(np.arange(1, 31), 3, replace=False)) + " 0" for _ in range(120)]
    path.write_text("p cnf 30 120\n" + "\n".join(clauses) + "\n")
    a = CNFFeatures().extract(path, ["unit", "ls"], seed=5)
    b = CNFFeatures().extract(path, ["unit", "ls"], seed=5)
    assert {g: dict(r.values) for g, r in a.items()} == {g: dict(r.values) for g, r in b.items()}
