from __future__ import annotations

import numpy as np
import pytest

from algoconf.errors import ASlibFormatError
from algoconf.selection.data.aslib import load_aslib

# README of the reference data: PAR10 over all instances, SBS = best mean
REFERENCE = {
    "SAT11-INDU": (8187.5, 14605.9, 0.05),
    "SAT11-RAND": (9186, 19916, 0.5),
    "SAT11-HAND": (13361, 25589, 0.5),
    "ASP-POTASSCO": (400, 881, 0.5),
    "QBF-2011": (8337, 15330, 0.5),
    "CSP-2010": (6344, 7202, 0.5),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_vbs_and_sbs_par10_match_the_reference(name, aslib_dir):
    scenario = load_aslib(aslib_dir(name))
    vbs_ref, sbs_ref, tol = REFERENCE[name]
    par10 = scenario.par10()
    assert par10.shape == (len(scenario.instances), len(scenario.algorithms))
    assert abs(par10.min(axis=1).mean() - vbs_ref) <= tol
    assert abs(par10.mean(axis=0).min() - sbs_ref) <= tol


def test_sat11_indu_parts_are_complete(aslib_dir):
    s = load_aslib(aslib_dir("SAT11-INDU"))
    assert (s.n_instances, s.n_algorithms, len(s.feature_names)) == (300, 18, 115)
    assert s.performance_type == "runtime" and s.cutoff == 5000.0 and not s.maximize
    assert sorted(set(s.folds)) == list(range(1, 11))
    assert s.feature_costs.shape == (300, len(s.feature_steps)) and s.feature_status.shape == s.feature_costs.shape
    assert "presolved" in set(s.feature_status.ravel())
    assert s.feature_steps["Basic"].requires == ("Pre",)
    assert s.step_closure(["CG"]) == ("CG", "Pre") or set(s.step_closure(["CG"])) == {"CG", "Pre"}
    # feature_costs.arff lists steps in another order than description.txt: columns follow the steps
    cost_pre = s.feature_costs[:, list(s.feature_steps).index("Pre")]
    assert np.nanmedian(cost_pre) < np.nanmedian(s.feature_costs[:, list(s.feature_steps).index("CG")])
    assert all("/" in i for i in s.instances[:5])
    assert not (s.solved & (s.performance > s.cutoff)).any()


def test_quality_scenario_maximises_without_cutoff(aslib_dir):
    s = load_aslib(aslib_dir("OPENML-WEKA-2017"))
    assert s.performance_type == "solution_quality" and s.maximize and s.cutoff is None
    cost = s.cost()
    assert np.allclose(cost, -s.performance)
    with pytest.raises(ValueError):
        s.par10()


def test_cpmp_test_part_is_read_separately(aslib_dir):
    path = aslib_dir("CPMP-2015")
    train, test = load_aslib(path), load_aslib(path, part="test")
    assert not set(train.instances) & set(test.instances)
    assert test.n_instances > 500 and (test.folds == -1).all() and train.algorithms == tuple(train.algorithms)
    assert set(test.algorithms) == set(train.algorithms)
    assert {"memout", "timeout", "ok"} <= set(train.runstatus.ravel())


def _write_min_scenario(d, runs_rows, desc_extra="", cv=True):
    d.mkdir()
    (d / "description.txt").write_text(
        "scenario_id: tiny\nperformance_measures: [runtime]\nperformance_type: [runtime]\nmaximize: [false]\n"
        "algorithm_cutoff_time: 10\nfeature_steps:\n  base: {provides: [f1]}\n  probe: {provides: [f2], requires: [base]}\n"
        + desc_extra
    )
    (d / "algorithm_runs.arff").write_text(
        "@relation r\n@attribute instance_id string\n@attribute repetition numeric\n@attribute algorithm string\n"
        "@attribute runtime numeric\n@attribute runstatus {ok, timeout, memout, not_applicable, crash, other}\n@data\n"
        + runs_rows
    )
    (d / "feature_values.arff").write_text(
        "@relation f\n@attribute instance_id string\n@attribute repetition numeric\n@attribute f1 numeric\n@attribute f2 numeric\n"
        "@data\n'a,1',1,1.0,?\nb,1,2.0,4.0\n"
    )
    if cv:
        (d / "cv.arff").write_text("@relation c\n@attribute instance_id string\n@attribute repetition numeric\n@attribute fold numeric\n@data\n'a,1',1,1\nb,1,2\n")


def test_repetitions_are_averaged_and_statuses_aggregated(tmp_path):
    rows = "'a,1',1,x,1.0,ok\n'a,1',2,x,3.0,ok\n'a,1',1,y,10,timeout\n'a,1',2,y,4.0,ok\nb,1,x,12,ok\nb,1,y,9,crash\n"
    _write_min_scenario(tmp_path / "s", rows)
    s = load_aslib(tmp_path / "s")
    assert s.instances == ("a,1", "b") and s.algorithms == ("x", "y")
    assert s.performance[0, 0] == 2.0 and s.n_repetitions[0, 0] == 2
    assert s.runstatus[0, 1] == "timeout" and not s.solved[0, 1]
    # ok but above the cutoff is not solved; crash is not solved
    assert not s.solved[1, 0] and not s.solved[1, 1]
    assert s.par10().tolist() == [[2.0, 100.0], [100.0, 100.0]]
    assert np.isnan(s.features[0, 1]) and s.features[1].tolist() == [2.0, 4.0]
    assert s.step_closure(["probe"]) == ("base", "probe")
    assert s.feature_costs is None and s.folds.tolist() == [1, 2]


def test_bad_runstatus_names_file_and_line(tmp_path):
    _write_min_scenario(tmp_path / "s", "a,1,x,1.0,ok\na,1,y,2.0,solved\n")
    with pytest.raises(ASlibFormatError) as err:
        load_aslib(tmp_path / "s")
    assert err.value.file.endswith("algorithm_runs.arff") and err.value.line == 9


def test_missing_cv_and_bad_yaml_are_input_errors(tmp_path):
    _write_min_scenario(tmp_path / "s", "a,1,x,1.0,ok\n", cv=False)
    with pytest.raises(ASlibFormatError, match="cv.arff"):
        load_aslib(tmp_path / "s")
    _write_min_scenario(tmp_path / "t", "a,1,x,1.0,ok\n", desc_extra="bad: [unclosed\n")
    with pytest.raises(ASlibFormatError) as err:
        load_aslib(tmp_path / "t")
    assert err.value.file.endswith("description.txt") and err.value.line is not None
    with pytest.raises(ASlibFormatError, match="description.txt"):
        load_aslib(tmp_path)


def test_nested_yaml_aliases_in_a_description_are_refused(mini_dir, tmp_path):
    import shutil

    copy = tmp_path / "sc"
    shutil.copytree(mini_dir, copy)
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = (copy / "description.txt").read_text()
    (copy / "description.txt").write_text("\n".join(levels) + "\n" + text)
    with pytest.raises(ASlibFormatError, match="expands to more than"):
        load_aslib(copy)
