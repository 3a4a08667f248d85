"""A scenario can name a feature extractor instead of a feature file."""

import numpy as np
import pytest

from algoconf.errors import ScenarioError
from algoconf.scenario import load_scenario

SPACE = "rnd-freq real [0, 0.5] [0]\n"


def _scenario(tmp_path, features_yaml: str):
    (tmp_path / "params.pcs").write_text(SPACE)
    (tmp_path / "scenario.yaml").write_text(
        f"""name: feats
target:
  runner: minisat
space: params.pcs
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 3
  seed: 5
  kwargs: {{variables: 60}}
objective: runtime
cutoff: 2
{features_yaml}
"""
    )
    return tmp_path / "scenario.yaml"


def test_extractor_features_are_computed_keyed_by_instance_name(tmp_path, monkeypatch):
    monkeypatch.setenv("ALGOCONF_CACHE", str(tmp_path / "cache"))  # keep the cache inside the test
    path = _scenario(tmp_path, "features: {extractor: cnf, groups: [base], workers: 1}")
    sc = load_scenario(path)
    assert sc.features is not None and "nvars" in sc.features.names
    for name in sc.train.names:
        vec = sc.features.values[name]
        assert vec[sc.features.names.index("nvars")] == 60
        assert not np.isnan(vec).any()
    assert (tmp_path / "cache" / "features" / "cnf").is_dir()
    assert sc.features.costs is not None and all(c >= 0 for c in sc.features.costs.values())
    assert sc.to_dict()["features"] == {"extractor": "cnf", "groups": ["base"], "workers": 1}
    problem = sc.tuning_problem()
    assert set(problem.features) == set(sc.train.names)


@pytest.mark.parametrize(
    "yaml,message",
    [
        ("features: {extractor: magic}", "features.extractor must be one of ['cnf', 'jobshop'], got 'magic'"),
        ("features: {extractor: cnf, groups: base}", "features.groups must be a list of group names"),
        ("features: {extractor: cnf, colour: red}", "unknown key 'colour' in features"),
        ("features: {extractor: cnf, groups: [nope]}", "unknown feature group 'nope'"),
    ],
)
def test_bad_extractor_spec_names_file_and_line(tmp_path, monkeypatch, yaml, message):
    monkeypatch.setenv("ALGOCONF_CACHE", str(tmp_path / "cache"))
    path = _scenario(tmp_path, yaml)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}:")
    assert message in str(err.value)
