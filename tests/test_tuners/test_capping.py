"""Adaptive capping: the bound formula with censored costs, ROAR's caps and what it does with a
capped challenger, defaults per objective, and the CPU it saves on the simulated matrix."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from algoconf.records import Estimate, RunRequest, RunResult, Status, config_key
from algoconf.testing.tuners import answer, drive
from algoconf.tuners.capping import CappingRule, CappingSummary, capping_applies
from algoconf.tuners.evidence import CostTable
from algoconf.tuners.random import RandomTuner
from algoconf.tuners.sampling import default_config

MATRIX = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minisat_3sat_matrix.npz"


def exact(v: float) -> Estimate:
    return Estimate(v, True, 1, 0)


def lower(v: float) -> Estimate:
    return Estimate(v, False, 1, 1)


# --- the bound --------------------------------------------------------------------------------------
@pytest.fixture
def rule(problem):
    return CappingRule.for_problem(problem)  # cutoff 3, PAR10, slack 1.2


def test_bound_is_slack_times_incumbent_minus_challenger(rule):
    assert rule.slack == 1.2 and rule.cutoff == 3.0 and rule.worst_cost == 30.0
    # incumbent 0.5 + 1.0 on the two pairs compared, challenger spent 0.4 on the first
    assert rule.bound([exact(0.5), exact(1.0)], [exact(0.4)]) == pytest.approx(1.2 * 1.5 - 0.4)
    assert rule.bound([exact(0.5)], []) == pytest.approx(0.6)


def test_unknown_or_censored_incumbent_costs_count_at_the_worst_cost(rule):
    """An incumbent cost not known exactly may be as large as a timeout's PAR10: no cap."""
    assert rule.bound([exact(0.5), None], []) is None
    assert rule.bound([exact(0.5), lower(0.1)], []) is None
    assert rule.ceiling(lower(0.1)) == 30.0 and rule.ceiling(exact(0.1)) == 0.1


def test_censored_challenger_costs_count_at_their_lower_bound(rule):
    # a capped 0.3 (lower bound) is subtracted as 0.3: the cap can only be later, never earlier
    assert rule.bound([exact(1.0), exact(1.0)], [lower(0.3)]) == pytest.approx(2.4 - 0.3)


def test_bound_is_clamped_to_floor_and_cutoff(rule):
    assert rule.bound([exact(0.1)], [exact(2.0)]) == pytest.approx(0.03)  # dominated: the floor, 1 % of 3 s
    assert rule.bound([exact(2.5)], []) is None  # 3.0 s is the cutoff: no cap
    assert rule.bound([exact(2.4)], []) == pytest.approx(2.88)


def test_rule_per_objective_and_option(problem):
    assert capping_applies(problem)
    assert CappingRule.for_problem(problem, False) is None
    quality = replace(problem, objective="quality", cutoff=None)
    assert CappingRule.for_problem(quality) is None
    with pytest.raises(ValueError, match="runtime objective"):
        CappingRule.for_problem(quality, True)
    utility = replace(problem, extra={"utility": {"kind": "step"}})
    assert CappingRule.for_problem(utility) is None
    with pytest.raises(ValueError, match="slack"):
        CappingRule.for_problem(problem, True, 0.9)


def test_summary_counts_capped_runs_outside_races():
    req = RunRequest({"a": 1}, "i", 0, 10.0, bound=2.0)
    raced = RunRequest({"a": 2}, "i", 0, 10.0, race="r1")
    results = [RunResult(req, Status.CAPPED, 2.1), RunResult(raced, Status.CAPPED, 1.0),
               RunResult(RunRequest({"a": 3}, "i", 0, 10.0, bound=2.0), Status.SUCCESS, 1.5)]
    assert CappingSummary.of(results) == CappingSummary(1, pytest.approx(7.9))


# --- ROAR ---------------------------------------------------------------------------------------------
def _runtime_table(default_key: str, default: float, other: float):
    def runtime(problem, request):
        return default if request.config_key == default_key else other
    return runtime


def test_roar_caps_a_challenger_at_the_incumbents_cost_on_the_pairs_so_far(problem):
    prob = replace(problem, max_runs=None)
    tuner = RandomTuner(prob, seed=0, first_test=1)
    default_key = config_key(default_config(prob.space))
    runtime = _runtime_table(default_key, 0.5, 2.0)
    first = tuner.ask(1)
    assert first[0].config_key == default_key and first[0].bound is None  # the incumbent is never capped
    tuner.tell(answer(prob, first, runtime))
    challenger = tuner.ask(1)[0]
    assert challenger.config_key != default_key
    assert challenger.bound == pytest.approx(1.2 * 0.5)
    result = answer(prob, [challenger], runtime)[0]
    assert result.status is Status.CAPPED and result.runtime == pytest.approx(0.6)


def test_roar_bound_looks_ahead_to_first_test_pairs(problem):
    """Before ``first_test`` pairs the cap is the hopeless rule's: the incumbent's costs on this pair
    and on its most expensive other pairs (up to first_test in all)."""
    prob = replace(problem, max_runs=None)
    default_key = config_key(default_config(prob.space))
    costs = {}

    def runtime(p, request):
        if request.config_key == default_key:
            costs.setdefault((request.instance, request.seed), 0.1 * (1 + len(costs)))
            return costs[(request.instance, request.seed)]
        return 2.9

    tuner = RandomTuner(prob, seed=1, first_test=3)
    requests = drive(tuner, 60, batch=1, runtime=runtime)
    checked = 0
    for i, r in enumerate(requests):
        if r.bound is None or any(q.config_key == r.config_key for q in requests[:i]):
            continue  # first runs of a challenger only: nothing of its own to subtract
        inc_pairs = {(q.instance, q.seed) for q in requests[:i] if q.config_key == default_key}
        others = sorted((costs[p] for p in inc_pairs if p != (r.instance, r.seed)), reverse=True)
        assert r.bound == pytest.approx(1.2 * (costs[(r.instance, r.seed)] + sum(others[:2])))
        checked += 1
    assert checked >= 3


def test_roar_caps_nothing_while_the_incumbent_has_fewer_than_first_test_pairs(problem):
    prob = replace(problem, max_runs=None)
    default_key = config_key(default_config(prob.space))
    tuner = RandomTuner(prob, seed=0, first_test=3)
    seen_inc = 0
    for r in drive(tuner, 40, batch=1, runtime=_runtime_table(default_key, 0.2, 2.9)):
        if r.config_key == default_key:
            seen_inc += 1
        elif seen_inc < 3:
            assert r.bound is None


def test_a_capped_challenger_is_dropped_not_treated_as_exact(problem):
    """A CAPPED run whose lower bound is *below* the incumbent's cost: treated as exact, the
    challenger would look better; it must be dropped, never promoted."""
    prob = replace(problem, max_runs=None)
    tuner = RandomTuner(prob, seed=0, first_test=1, max_challengers=1)
    default_key = config_key(default_config(prob.space))
    first = tuner.ask(1)
    tuner.tell(answer(prob, first, _runtime_table(default_key, 0.5, 0.5)))
    challenger = tuner.ask(1)[0]
    assert challenger.config_key != default_key and challenger.bound is not None
    tuner.tell([RunResult(challenger, Status.CAPPED, 0.05)])  # lower bound 0.05 < 0.5
    assert tuner.snapshot().challengers == []
    assert config_key(tuner.incumbent) == default_key
    nxt = [r.config_key for r in tuner.ask(4)]
    assert challenger.config_key not in nxt


def test_dominated_challenger_is_dropped_by_its_lower_bound(problem):
    """The usual case: the CAPPED lower bound already exceeds the incumbent (compare says 'worse')."""
    prob = replace(problem, max_runs=None)
    tuner = RandomTuner(prob, seed=0, first_test=1, max_challengers=1)
    default_key = config_key(default_config(prob.space))
    first = tuner.ask(1)
    tuner.tell(answer(prob, first, _runtime_table(default_key, 0.5, 0.5)))
    challenger = tuner.ask(1)[0]
    tuner.tell([RunResult(challenger, Status.CAPPED, challenger.bound)])
    key = challenger.config_key
    state = tuner.snapshot()
    assert CostTable.from_state(state.table).compare(key, default_key) == "worse"
    assert state.challengers == [] and config_key(tuner.incumbent) == default_key


def test_roar_capping_off_for_quality_and_by_option(problem):
    def count_bounds(prob, **options):
        tuner = RandomTuner(replace(prob, max_runs=None), seed=2, **options)
        return sum(r.bound is not None for r in drive(tuner, 80))

    assert count_bounds(problem) > 0
    assert count_bounds(problem, capping=False) == 0
    quality = replace(problem, objective="quality", cutoff=None)
    assert count_bounds(quality) == 0


def test_roar_state_keeps_the_capping_options(problem):
    tuner = RandomTuner(problem, seed=0, capping=False, capping_slack=1.5)
    again = RandomTuner.from_state(problem, tuner.state())
    assert again.capping is None and again.state()["capping_slack"] == 1.5
    old = tuner.state()
    del old["capping"], old["capping_slack"]  # a state written before capping existed
    assert RandomTuner.from_state(problem, old).capping is None


# --- engine runs on the simulated matrix ------------------------------------------------------------
def _matrix_run(tmp_path, seed: int, workers: int, capping: bool, runs: int = 200, tuner: str = "random",
                **options):
    import sys

    from algoconf.benchmarking.matrix_scenario import matrix_scenario
    from algoconf.scenario import Budget
    from algoconf.space import active_config
    from algoconf.run.session import open_session
    from algoconf.tuners.simulated import RuntimeMatrix, SimulatedExecutor

    matrix = RuntimeMatrix.load(MATRIX)
    train, test = matrix.split(matrix.shape[1] // 2, seed=0)
    scenario = matrix_scenario(MATRIX, matrix, train=train, test=test, name="matrix", budget=Budget(runs=runs),
                               seed=seed)
    run_dir = tmp_path / f"{tuner}-s{seed}-w{workers}-{capping}-{sorted(options.items())}"
    with open_session(scenario, run_dir, tuner, seed=seed, workers=workers, progress=False,
                      executor=SimulatedExecutor(matrix.answer, n_workers=workers),
                      tuner_options={"capping": capping, **options},
                      guard_min_pairs=None) as session:  # the tuner's own decisions (the guard is tested apart)
        outcome = session.run()
    row = matrix.row_of(active_config(matrix.space, outcome.incumbent))
    return outcome, float(matrix.par(rows=row, columns=matrix.columns(test)))


@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_capping_saves_cpu_on_the_matrix_at_no_loss_of_quality(tmp_path):
    """One worker: ROAR's decisions are the same with and without capping (same incumbent), only
    the losers' CPU shrinks; the summary's bound covers the saving. Two workers: no worse."""
    for seed in (0, 1, 2):
        off, off_test = _matrix_run(tmp_path, seed, 1, False)
        on, on_test = _matrix_run(tmp_path, seed, 1, True)
        assert on.incumbent == off.incumbent and on.runs == off.runs
        assert off.capping.capped_runs == 0 and on.capping.capped_runs > 0
        saved = off.cpu_time - on.cpu_time
        assert saved > 0.05 * off.cpu_time
        assert on.capping.cpu_saved_at_most >= saved - 1e-9
    tests = {True: [], False: []}
    for seed in (0, 1, 2):
        for capping in (False, True):
            outcome, test_par = _matrix_run(tmp_path, seed, 2, capping)
            tests[capping].append((test_par, outcome.cpu_time))
    assert sum(t for t, _ in tests[True]) <= sum(t for t, _ in tests[False]) + 1e-9
    assert sum(c for _, c in tests[True]) < sum(c for _, c in tests[False])


def test_capping_defaults_per_tuner(problem):
    """On by default for runtime objectives in ROAR and the SMAC wrapper; off by default in Optuna
    (measured to cost quality there, docs/tuners.md); off for quality objectives everywhere."""
    quality = replace(problem, objective="quality", cutoff=None)
    assert RandomTuner(problem).capping is not None and RandomTuner(quality).capping is None
    try:
        from algoconf.tuners.optuna import OptunaTuner
    except ImportError:
        pass
    else:
        assert OptunaTuner(problem).capping is None and OptunaTuner(problem, capping=True).capping is not None
    try:
        from algoconf.tuners.smac import SMACTuner
    except ImportError:
        pass
    else:
        on = SMACTuner(problem)
        assert on.capping is not None and on.smac.scenario.adaptive_capping
        assert SMACTuner(quality).capping is None
        assert SMACTuner(problem, adaptive_capping=False).capping is None  # the older option name


@pytest.mark.skipif(not MATRIX.is_file(), reason="benchmarks/data/minisat_3sat_matrix.npz not shipped")
def test_acband_capped_final_saves_cpu_with_the_same_decisions(tmp_path):
    """The intensification's capping alone (race_cap=0) changes no decision, only the CPU spent."""
    saved_somewhere = False
    for seed in (0, 6):
        off, _ = _matrix_run(tmp_path, seed, 2, False, runs=300, tuner="acband", race_cap=0)
        on, _ = _matrix_run(tmp_path, seed, 2, True, runs=300, tuner="acband", race_cap=0)
        assert on.incumbent == off.incumbent and on.runs == off.runs
        assert on.cpu_time <= off.cpu_time + 1e-9
        saved_somewhere |= on.capping.capped_runs > 0 and on.cpu_time < off.cpu_time
    assert saved_somewhere



def test_cli_prints_the_capping_summary(capsys, tmp_path):
    from types import SimpleNamespace

    from algoconf.cli.configure_cmd import _print

    outcome = SimpleNamespace(incumbent={"a": 1}, incumbent_key="k", incumbent_cost=1.0, runs=10, cpu_time=5.0,
                              wallclock=6.0, stop_reason="run budget (10) used", resumed=False,
                              capping={"capped_runs": 3, "cpu_saved_at_most": 4.25})
    _print(outcome, None, tmp_path, as_json=False)
    assert "adaptive capping: 3 runs capped, at most 4.2 s target CPU saved" in capsys.readouterr().out
    outcome.capping = CappingSummary(0, 0.0)
    _print(outcome, None, tmp_path, as_json=False)
    assert "adaptive capping" not in capsys.readouterr().out
