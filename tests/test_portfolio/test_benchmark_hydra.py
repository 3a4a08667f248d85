"""Smoke test of benchmarks/hydra.py --quick: every arm is measured on real minisat runs and reported."""

from __future__ import annotations

import json
import shutil

import pytest


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("minisat") is None, reason="minisat binary not installed")
def test_quick_benchmark_reports_every_arm(tmp_path, monkeypatch, capsys, run_benchmark):
    monkeypatch.setenv("ALGOCONF_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "hydra_quick.json"
    assert run_benchmark("hydra", ["--quick", "--out", str(out), "--work", str(tmp_path / "work")]) == 0
    data = json.loads(out.read_text())
    assert data["single"]["commit"] and data["hydra"]["commit"]  # each part records the code it ran
    single, hydra = data["single"]["arms"], data["hydra"]["arms"]
    assert set(single) == {"default", "single_best"}
    members = [m["name"] for m in data["hydra"]["members"]]
    assert 1 <= len(members) <= 2 and {"portfolio_vbs", "selector", "selector_offline", *members} == set(hydra)
    for arm in [*single.values(), *hydra.values()]:
        assert arm["n"] == 4 and 0 <= arm["solved"] <= 4 and arm["par10"] >= 0
    # the oracle is never worse than any member; the quick mode's single-best selector uses no
    # features, so select run computes none and charges nothing
    assert hydra["portfolio_vbs"]["par10"] <= min(hydra[m]["par10"] for m in members) + 1e-12
    assert hydra["selector"]["mean_feature_cost"] == 0
    assert "portfolio oracle (VBS)" in capsys.readouterr().out
