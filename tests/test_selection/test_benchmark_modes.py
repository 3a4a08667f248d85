"""benchmarks/selection_modes.py through its command line: the mode rules on a made-up cache, and one
real fit-and-replay on the project's own small ASlib scenario."""

import json
import pickle

import numpy as np
import pytest


def _store(select_cv_shift: float):
    """Two folds, 2 algorithms; SUNNY's test costs are the virtual best, select's the worst
    algorithm; select's inner costs are SUNNY's plus noise plus ``select_cv_shift``."""
    rng = np.random.default_rng(0)
    cost = rng.uniform(1.0, 100.0, (40, 2))
    recs = []
    for f in (0, 1):
        te = np.arange(f, 40, 2)
        sunny_cv = rng.exponential(50.0, 200)
        noise = rng.normal(0, 10, 200)  # SE of the mean difference about 0.7
        recs.append({"te": te, "test_sunny": cost[te].min(axis=1), "test_select": cost[te].max(axis=1),
                     "sunny_cv_rows": sunny_cv, "select_cv_rows": sunny_cv + noise - noise.mean() + select_cv_shift})
    return {"cost": cost, "recs": recs}


@pytest.fixture
def modes_of(run_benchmark, mini_dir, tmp_path, monkeypatch):
    """Run the benchmark on the mini scenario with the cache folder ``cache`` (a cached scenario is
    not fitted again); its table row of seed 0."""
    monkeypatch.setenv("ALGOCONF_ASLIB_DIR", str(mini_dir.parent))

    def run(cache, store=None) -> dict:
        cache.mkdir(parents=True, exist_ok=True)
        if store is not None:
            (cache / f"dump_{mini_dir.name}_0.pkl").write_bytes(pickle.dumps(store))
        out = tmp_path / "modes.json"
        argv = ["--scenarios", mini_dir.name, "--seeds", "0", "--cache", str(cache), "--out", str(out)]
        assert run_benchmark("selection_modes", argv) == 0
        return json.loads(out.read_text())["scenarios"][mini_dir.name]["0"]

    return run


def test_rules_follow_the_inner_costs(modes_of, tmp_path):
    close = modes_of(tmp_path / "close", _store(select_cv_shift=-0.5))  # select cheaper, but within one SE
    assert close["sunny"] == pytest.approx(1.0)
    assert close["select"] < 0.0  # the worst algorithm everywhere: worse than the single best
    assert close["mean"] == close["select"] and close["1se-sunny"] == close["sunny"]
    assert close["1se-select"] == close["select"]
    clear = modes_of(tmp_path / "clear", _store(select_cv_shift=-20.0))  # select cheaper by far more than one SE
    assert clear["1se-sunny"] == clear["select"]


def test_fit_and_replay_on_the_mini_scenario(modes_of, mini_dir, tmp_path):
    from algoconf.selection.data.aslib import load_aslib
    from algoconf.selection.data.performance import PerformanceData

    data = PerformanceData.from_aslib(load_aslib(mini_dir))
    table = modes_of(tmp_path / "cache")
    dump = tmp_path / "cache" / f"dump_{mini_dir.name}_0.pkl"
    store = pickle.loads(dump.read_bytes())  # the per-fold cache the benchmark keeps
    assert len(store["recs"]) == len(set(data.folds))
    covered = np.sort(np.concatenate([r["te"] for r in store["recs"]]))
    assert covered.tolist() == list(range(data.n_instances))
    for rec in store["recs"]:
        assert len(rec["select_cv_rows"]) == len(rec["sunny_cv_rows"]) == data.n_instances - len(rec["te"])
        assert rec["select_cv_rows"].mean() == pytest.approx(rec["inner"]["select-cv"])
        assert rec["sunny_cv_rows"].mean() == pytest.approx(rec["inner"]["sunny-cv"])
    assert table["z=0"] == pytest.approx(table["mean"])
    mtime = dump.stat().st_mtime_ns
    assert modes_of(tmp_path / "cache") == table and dump.stat().st_mtime_ns == mtime  # cached: not fitted again
