"""benchmarks/selection_modes.py: the mode rules on a made-up cache, and one real fit-and-replay on
the project's own small ASlib scenario."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def modes(load_benchmark):
    return load_benchmark("selection_modes")


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


def test_rules_follow_the_inner_costs(modes):
    close = modes.rules_table(_store(select_cv_shift=-0.5))  # select cheaper, but within one SE
    assert close["sunny"] == pytest.approx(1.0)
    assert close["select"] < 0.0  # the worst algorithm everywhere: worse than the single best
    assert close["mean"] == close["select"] and close["1se-sunny"] == close["sunny"]
    assert close["1se-select"] == close["select"]
    clear = modes.rules_table(_store(select_cv_shift=-20.0))  # select cheaper by far more than one SE
    assert clear["1se-sunny"] == clear["select"]


def test_fit_and_replay_on_the_mini_scenario(modes, mini_dir, tmp_path):
    from algoconf.selection.data.aslib import load_aslib
    from algoconf.selection.data.performance import PerformanceData

    data = PerformanceData.from_aslib(load_aslib(mini_dir))
    store = modes.fit_folds(data, tmp_path / "mini.pkl", seed=0)
    assert (tmp_path / "mini.pkl").is_file()
    assert len(store["recs"]) == len(set(data.folds))
    covered = np.sort(np.concatenate([r["te"] for r in store["recs"]]))
    assert covered.tolist() == list(range(data.n_instances))
    for rec in store["recs"]:
        assert len(rec["select_cv_rows"]) == len(rec["sunny_cv_rows"]) == data.n_instances - len(rec["te"])
        assert rec["select_cv_rows"].mean() == pytest.approx(rec["inner"]["select-cv"])
        assert rec["sunny_cv_rows"].mean() == pytest.approx(rec["inner"]["sunny-cv"])
    table = modes.rules_table(store)
    assert table["z=0"] == pytest.approx(table["mean"])
    assert modes.fit_folds(data, tmp_path / "mini.pkl", seed=0)["recs"][0]["mode"] == store["recs"][0]["mode"]  # cached
