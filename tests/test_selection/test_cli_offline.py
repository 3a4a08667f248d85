from __future__ import annotations

import argparse
import json

import pytest

from algoconf.cli import select_offline
from algoconf.selection.data.sources import load_performance
from algoconf.errors import InputError


def _run(argv):
    parser = argparse.ArgumentParser(prog="algoconf select")
    sub = parser.add_subparsers(dest="select_command")
    select_offline.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_evaluate_json_has_the_contract_keys(mini_dir, capsys):
    assert _run(["evaluate", str(mini_dir), "--selector", "sunny", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("par10", "vbs_par10", "sbs_par10", "gap_closed", "solved", "feature_cost", "unsolved"):
        assert key in out
    assert out["feature_cost"] == "charge" and out["unsolved"] == "keep"
    assert out["vbs_par10"] <= out["par10"]


def test_fit_writes_a_model_that_loads_and_predicts(mini_dir, tmp_path, capsys):
    model = tmp_path / "m.pkl"
    assert _run(["fit", str(mini_dir), "--selector", "regression", "--param", "n_estimators=10", "-o", str(model), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["params"]["n_estimators"] == 10
    blob = select_offline.load_model(model)
    data = load_performance(mini_dir)
    plans = blob["selector"].predict(data.features[:3])
    assert len(plans) == 3 and all(p[0][0] in blob["algorithms"] for p in plans)


def test_bad_inputs_are_input_errors(tmp_path, mini_dir):
    with pytest.raises(InputError):
        _run(["evaluate", str(tmp_path)])
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle")
    with pytest.raises(InputError):
        select_offline.load_model(junk)
    with pytest.raises(InputError):
        _run(["evaluate", str(mini_dir), "--param", "novalue"])


@pytest.mark.parametrize("convention", ["charge", "free"])
def test_evaluate_tells_a_selector_that_optimises_feature_cost_the_convention(mini_dir, monkeypatch, convention):
    """The stack's inner choices (feature steps, pre-solving, mode) optimise a feature-cost
    convention: judged under one, it must optimise that one; --param still wins."""
    import algoconf.selection.offline.evaluation as evaluate_module

    seen = []

    class Stop(Exception):
        pass

    def fake_evaluate(make, data, **kw):
        seen.append((make().feature_cost, kw["feature_cost"]))
        raise Stop

    monkeypatch.setattr(evaluate_module, "evaluate", fake_evaluate)
    with pytest.raises(Stop):
        _run(["evaluate", str(mini_dir), "--selector", "stack", "--feature-cost", convention])
    with pytest.raises(Stop):
        _run(["evaluate", str(mini_dir), "--selector", "stack", "--feature-cost", convention, "--param", "feature_cost=charge"])
    assert seen == [(convention, convention), ("charge", convention)]
