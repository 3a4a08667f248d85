"""AC-Band's asynchronous brackets keep many virtual workers busy (issue 20: utilisation at 256
workers), with the incumbent still decided by intensification."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "benchmarks" / "data" / "minisat_3sat_matrix.npz"


def _matrix_session(tmp_path, workers: int, wallclock: float, seed: int = 0, runs: int | None = None):
    from algoconf.execution.virtual import VirtualExecutor
    from algoconf.history.memory import MemoryHistory
    from algoconf.benchmarking.matrix_scenario import matrix_scenario
    from algoconf.run.session import open_session
    from algoconf.tuners.simulated import RuntimeMatrix

    matrix = RuntimeMatrix.load(MATRIX)
    scenario = matrix_scenario(MATRIX, matrix, name="matrix", root=tmp_path, seed=seed)
    executor = VirtualExecutor(matrix.answer, workers, instances=matrix.instances, caller_time="free")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open_session(scenario, tmp_path / "run", "acband", seed=seed, workers=workers, progress=False,
                          executor=executor, wallclock=wallclock, runs=runs, history=MemoryHistory(),
                          guard_min_pairs=None) as session:
            outcome = session.run()
            tuner = session.engine.tuner
    return outcome, executor, tuner


@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_acband_keeps_256_virtual_workers_busy(tmp_path):
    outcome, executor, tuner = _matrix_session(tmp_path, 256, wallclock=1.5)
    assert executor.utilisation() >= 0.90, executor.utilisation()
    assert tuner.snapshot().started > 5  # several brackets ran side by side
    assert outcome.incumbent is not None


@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_a_used_up_run_budget_stops_the_races_that_can_no_longer_matter(tmp_path, monkeypatch):
    """With the run budget used up, the open races' champions could never be compared with the
    incumbent: the engine stops them (tuner settled) instead of idling 255 workers while they
    finish. Same incumbent as waiting for them, sooner, with the workers busy to the end."""
    from algoconf.tuners.acband import ACBand

    settled, ex_settled, _ = _matrix_session(tmp_path / "a", 256, wallclock=300.0, runs=20000)
    monkeypatch.setattr(ACBand, "settled", property(lambda self: False))
    waited, ex_waited, _ = _matrix_session(tmp_path / "b", 256, wallclock=300.0, runs=20000)
    assert settled.incumbent == waited.incumbent
    assert settled.runs < waited.runs <= 20000  # the stopped runs are not recorded
    assert ex_settled.now() < ex_waited.now()
    assert ex_settled.utilisation() > ex_waited.utilisation()


@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_acband_on_one_virtual_worker_is_never_idle_and_improves_on_the_default(tmp_path):
    from algoconf.space import active_config
    from algoconf.tuners.simulated import RuntimeMatrix

    outcome, executor, tuner = _matrix_session(tmp_path, 1, wallclock=60.0, seed=3)
    assert executor.utilisation() == pytest.approx(1.0)
    matrix = RuntimeMatrix.load(MATRIX)
    train, _ = matrix.split(matrix.shape[1] // 2, seed=0)
    par = matrix.par(columns=matrix.columns(train))
    default = matrix.row_of(active_config(matrix.space, dict(matrix.space.get_default_configuration())))
    assert par[matrix.row_of(outcome.incumbent)] < par[default]


@pytest.mark.parametrize("batch", [1, 2, 4])
def test_a_used_up_space_ends_the_brackets_without_error(batch):
    """3 x 4 categorical values: AC-Band soon has no untried configuration to race. It stops
    starting brackets (it raised IndexError racing a lone arm) and its state says so across a resume."""
    import ConfigSpace as CS

    from algoconf.testing.tuners import drive
    from algoconf.tuners import get_tuner
    from algoconf.tuners.base import TuningProblem
    from algoconf.tuners.sampling import is_valid

    space = CS.ConfigurationSpace(seed=0)
    space.add([CS.CategoricalHyperparameter("a", ["x", "y", "z"]),
               CS.CategoricalHyperparameter("b", ["1", "2", "3", "4"])])
    problem = TuningProblem(space=space, instances=tuple(f"i{k}" for k in range(5)), cutoff=2.0, max_runs=400)
    tuner = get_tuner("acband")(problem, seed=1)
    drive(tuner, 400, batch=batch)
    state = tuner.state()
    assert state["exhausted"] is True
    assert len(state["configs"]) <= 12 and all(is_valid(space, c) for c in state["configs"].values())
    assert type(tuner).from_state(problem, state).state() == state
