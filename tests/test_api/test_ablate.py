"""``algoconf.ablate`` on the result of ``algoconf.configure`` (a function of a module) and on a run
directory: the path's steps, resuming, and bad input."""

from __future__ import annotations

import textwrap

import pytest
from ConfigSpace import ConfigurationSpace

import algoconf
from algoconf.errors import InputError


def test_ablate_a_configure_result_with_a_function_target(tmp_path, monkeypatch):
    (tmp_path / "twocost.py").write_text(textwrap.dedent("""
        def cost(config, instance):
            # "mode" carries almost all of the difference, "x" a little
            return (10.0 if config["mode"] == "slow" else 1.0) + abs(config["x"] - 3) * 0.1 + len(instance)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    import twocost

    space = ConfigurationSpace({"x": (-5.0, 5.0), "mode": ["slow", "fast"]})  # default: x=0, slow
    result = algoconf.configure(twocost.cost, space, instances=["a", "bb", "ccc"], runs=30, seed=2,
                                run_dir=tmp_path / "run")
    if result.incumbent["mode"] != "fast" or result.incumbent["x"] == 0.0:
        pytest.skip(f"random search did not change both parameters in 30 runs: {result.incumbent}")
    path = algoconf.ablate(result, instances=3)
    assert path.complete and [s.parameter for s in path.steps] == [None, "mode", "x"]
    assert path.steps[0].cost == pytest.approx(10.0 + 0.3 + 2.0)  # the default on 3 instances, mean len 2
    assert path.share(1) > 0.9 and path.share(1) + path.share(2) == pytest.approx(1.0)
    assert (result.run_dir / "ablation.json").is_file()
    again = algoconf.ablate(result, instances=3)
    assert again.runs["new"] == 0 and [s.cost for s in again.steps] == [s.cost for s in path.steps]


def test_ablate_refuses_what_is_not_a_finished_run(tmp_path):
    with pytest.raises(InputError, match="no run.json"):
        algoconf.ablate(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        algoconf.ablate(tmp_path / "missing")
