"""The ablation path's mechanism (algoconf/analysis/ablation.py) with fake runs: conditions and
forbidden clauses, the order of the path, racing, the budget, and resuming from the analyses' history.
The real-solver feature test is tests/test_cli/test_ablate_cmd.py."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from algoconf.analysis.ablation import (
    AblationResult,
    ablation_path,
    flips,
    format_ablation_table,
    load_ablation,
    run_ablation,
)
from algoconf.analysis.fixed_pairs import AnalysisBudgetSpent, fixed_pairs
from algoconf.errors import InputError
from algoconf.execution.virtual import VirtualExecutor
from algoconf.records import RunResult, Status, config_key, par_cost
from algoconf.space import active_config, default_config, parse_space, read_space

REPO = Path(__file__).resolve().parents[2]
MINISAT = read_space(REPO / "runners" / "minisat" / "params.pcs")
PAIRS = [(f"i{k}", k) for k in range(8)]


def _minisat(**changes):
    values = dict(default_config(MINISAT))
    values.update(changes)
    return active_config(MINISAT, values)


def fake_runtime(config) -> float:
    """Additive effects: luby=off -0.5, pre=off -0.2, var-decay != 0.95 -0.05, rfirst: nothing."""
    return (1.0 - 0.5 * (config.get("luby") == "off") - 0.2 * (config.get("pre") == "off")
            - 0.05 * (config.get("var-decay") != 0.95))


def fake_run(log=None):
    def run(requests):
        if log is not None:
            log.append(len(requests))
        return [RunResult(r, Status.SUCCESS, fake_runtime(r.config) + 0.001 * (hash(r.instance) % 3), 0.1)
                for r in requests]
    return run


def cost(r):
    return par_cost(r, 5.0)


# --- flips: conditions and forbidden clauses ---------------------------------------------------------
def test_a_flip_that_deactivates_parameters_changes_them_too():
    source = _minisat()
    target = _minisat(pre="off", luby="off")
    found, forbidden = flips(MINISAT, source, target)
    by_name = {f.parameter: f for f in found}
    assert set(by_name) == {"pre", "luby"} and not forbidden
    assert set(by_name["pre"].changed) == {"pre", "elim", "asymm", "simp-gc-frac", "sub-lim", "cl-lim", "grow"}
    assert "elim" not in by_name["pre"].config  # inactive now
    assert by_name["luby"].changed == ("luby",)


def test_a_flip_that_activates_parameters_gives_them_the_targets_values():
    source = _minisat(pre="off")
    target = _minisat(elim="off", **{"sub-lim": 50})  # pre on (default) with two children changed
    found, _ = flips(MINISAT, source, target)
    # elim and sub-lim are inactive in the source: they change with pre, not on their own
    assert [f.parameter for f in found] == ["pre"]
    assert found[0].config == target


def test_a_forbidden_flip_is_no_candidate_and_a_blocked_path_takes_the_rest_at_once():
    space = parse_space("a {0, 1} [0]\nb {0, 1} [0]\nc {0, 1} [0]\n{a=1, b=0}\n{a=0, b=1}\n", "pcs")
    source = {"a": "0", "b": "0", "c": "0"}
    target = {"a": "1", "b": "1", "c": "1"}
    found, forbidden = flips(space, source, target)
    assert [f.parameter for f in found] == ["c"] and sorted(forbidden) == ["a", "b"]

    def run(requests):
        return [RunResult(r, Status.SUCCESS, 1.0 - 0.1 * sum(v == "1" for v in r.config.values()), 0.1)
                for r in requests]

    steps, complete = ablation_path(space, source, target, PAIRS[:2], 5.0, run, cost)
    assert complete and [s.parameter for s in steps] == [None, "c", "a+b"]
    assert steps[-1].config == target and set(steps[-1].changed) == {"a", "b"}


# --- the path ---------------------------------------------------------------------------------------
def test_the_path_takes_the_most_helpful_change_first_and_ends_at_the_target():
    source = _minisat()
    target = _minisat(pre="off", luby="off", rfirst=50, **{"var-decay": 0.8})
    steps, complete = ablation_path(MINISAT, source, target, PAIRS, 5.0, fake_run(), cost)
    assert complete
    assert [s.parameter for s in steps] == [None, "luby", "pre", "var-decay", "rfirst"]
    assert steps[0].config == source and steps[-1].config == target
    result = AblationResult(source, target, tuple(PAIRS), "runtime", 10.0, False, tuple(steps), True)
    assert result.total_improvement == pytest.approx(0.75, abs=0.01)
    shares = [result.share(i) for i in range(1, len(steps))]
    assert sum(shares) == pytest.approx(1.0)
    assert shares[0] == pytest.approx(0.5 / 0.75, abs=0.01) and shares[-1] == pytest.approx(0.0, abs=1e-9)
    # every candidate of a step ran on every pair (no racing)
    assert all(c.n_pairs == len(PAIRS) and not c.dropped for c in steps[1].candidates)
    assert len(steps[1].candidates) == 4
    text = format_ablation_table(result)
    assert "luby" in text.splitlines()[3] and "66." in text.splitlines()[3]  # the share column
    again = AblationResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.to_dict() == result.to_dict()


def test_racing_drops_clearly_worse_candidates_and_finds_the_same_path_with_fewer_runs():
    source = _minisat()
    target = _minisat(pre="off", luby="off", rfirst=50, **{"var-decay": 0.8})
    full_log, race_log = [], []
    full, _ = ablation_path(MINISAT, source, target, PAIRS, 5.0, fake_run(full_log), cost)
    raced, complete = ablation_path(MINISAT, source, target, PAIRS, 5.0, fake_run(race_log), cost, racing=True)
    assert complete
    assert [s.parameter for s in raced] == [s.parameter for s in full]
    assert [s.cost for s in raced] == pytest.approx([s.cost for s in full])
    assert sum(race_log) < sum(full_log)
    first = raced[1]
    assert any(c.dropped for c in first.candidates)
    assert all(c.n_pairs < len(PAIRS) for c in first.candidates if c.dropped)
    assert not [c for c in first.candidates if c.parameter == "luby"][0].dropped


def test_a_spent_budget_returns_the_path_so_far_as_incomplete():
    calls = []
    inner = fake_run()

    def run(requests):
        calls.append(1)
        if len(calls) > 2:
            raise AnalysisBudgetSpent()
        return inner(requests)

    source = _minisat()
    target = _minisat(pre="off", luby="off", rfirst=50)
    steps, complete = ablation_path(MINISAT, source, target, PAIRS, 5.0, run, cost)
    assert not complete and [s.parameter for s in steps] == [None, "luby"]
    result = AblationResult(source, target, tuple(PAIRS), "runtime", 10.0, False, tuple(steps), False)
    assert math.isnan(result.total_improvement) and "incomplete" in format_ablation_table(result)


def test_fixed_pairs_are_a_stable_prefix_and_refuse_bad_sizes():
    names = [f"n{i}" for i in range(5)]
    five, eight = fixed_pairs(names, 5, 3, False), fixed_pairs(names, 8, 3, False)
    assert eight[:5] == five and sorted(i for i, _ in five) == names
    assert len(set(eight)) == 8  # instances repeat with new seeds
    assert fixed_pairs(names, 3, 3, True) == [(i, 0) for i, _ in five[:3]]
    for bad in (0, -2):
        with pytest.raises(InputError):
            fixed_pairs(names, bad, 3, False)
    with pytest.raises(InputError, match="deterministic"):
        fixed_pairs(names, 6, 3, True)


# --- a run directory, runs answered by a virtual executor ----------------------------------------------
SCENARIO = """
name: fake-ablation
target:
  runner: minisat
space: {space}
train:
  generator: "algoconf.instances.generators:random_ksat"
  n: 6
  seed: 1
  kwargs: {{variables: 20, ratio: 4.26}}
objective: runtime
cutoff: 5
par_factor: 10
seed: 4
"""


def make_run_dir(tmp_path: Path, incumbent) -> Path:
    """A finished configuration run directory as `configure` leaves it (run.json naming the scenario)."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(space=REPO / "runners" / "minisat" / "params.pcs"))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "run.json").write_text(json.dumps({"scenario": str(scenario), "tuner": "random", "seed": 4,
                                                  "outcome": {"incumbent": incumbent}}))
    return run_dir


def virtual(log: list | None = None) -> VirtualExecutor:
    def answer(request):
        if log is not None:
            log.append(request.key)
        t = fake_runtime(request.config)
        return RunResult(request, Status.SUCCESS, t, t)
    return VirtualExecutor(answer, n_workers=2)


def test_run_ablation_writes_its_file_and_a_rerun_resumes_from_the_analysis_history(tmp_path):
    target = _minisat(luby="off", rfirst=50)
    run_dir = make_run_dir(tmp_path, target)
    first_log: list = []
    first = run_ablation(run_dir, 4, executor=virtual(first_log))
    assert first.complete and [s.parameter for s in first.steps] == [None, "luby", "rfirst"]
    # 4 pairs: the default, 2 candidates in step 1, 1 in step 2 (the target)
    assert first.runs["new"] == len(first_log) == 4 * 4 and first.runs["reused"] == 0
    assert load_ablation(run_dir).to_dict() == first.to_dict()
    assert (run_dir / "analysis" / "history.sqlite").is_file()
    second_log: list = []
    again = run_ablation(run_dir, 4, executor=virtual(second_log))
    assert second_log == [] and again.runs["new"] == 0 and again.runs["reused"] == 16
    assert [s.cost for s in again.steps] == [s.cost for s in first.steps]
    # more pairs extend the same ones: only the new pairs run
    third_log: list = []
    run_ablation(run_dir, 6, executor=virtual(third_log))
    assert len(third_log) == 4 * 2


def test_run_ablation_refuses_bad_input_before_any_run(tmp_path):
    with pytest.raises(InputError, match="no run.json"):
        run_ablation(tmp_path, 3, executor=virtual())
    (tmp_path / "d").mkdir()
    default_dir = make_run_dir(tmp_path / "d", _minisat())
    log: list = []
    with pytest.raises(InputError, match="nothing to ablate"):
        run_ablation(default_dir, 3, executor=virtual(log))
    (tmp_path / "o").mkdir()
    other = make_run_dir(tmp_path / "o", _minisat(luby="off"))
    for kwargs in ({"n_instances": 0}, {"n_instances": -1}, {"n_instances": 3, "budget": 0.0},
                   {"n_instances": 3, "workers": 0}):
        with pytest.raises(InputError):
            run_ablation(other, executor=virtual(log), **kwargs)
    assert log == [] and not (other / "ablation.json").exists()
