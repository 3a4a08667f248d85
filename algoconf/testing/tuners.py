"""Conformance suite every registered tuner passes, driven by capability attributes.

:func:`drive` runs a tuner synchronously against a cheap, deterministic synthetic target (runtime
grows with the distance of a configuration's vector to a hidden optimum; races stop the losers at
the winner's time as the racing executor does). The ``check_*`` functions each assert one promise
of the :class:`~algoconf.tuners.base.Tuner` contract and raise AssertionError with a message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections import defaultdict
from typing import Any, Callable, Sequence

import numpy as np

from algoconf.records import RunRequest, RunResult, Status
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.sampling import config_vector, is_valid

__all__ = ["synthetic_runtime", "answer", "drive", "check_proposals_valid", "check_budget",
           "check_settled", "check_state_roundtrip", "check_capping", "check_all"]


def _unit(*parts: Any) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def synthetic_runtime(problem: TuningProblem, request: RunRequest) -> float:
    """Deterministic runtime: instance hardness x (0.05 + squared distance to a hidden optimum)."""
    vec = config_vector(problem.space, request.config)
    optimum = np.array([_unit("opt", i) for i in range(len(vec))])
    dist = float(np.mean((np.where(vec < 0, 0.5, vec) - optimum) ** 2))
    hardness = 0.2 + 2.0 * _unit("inst", request.instance)
    noise = 0.9 + 0.2 * _unit("seed", request.instance, request.seed, request.config_key)
    return hardness * (0.05 + 4 * dist) * noise


def answer(problem: TuningProblem, requests: Sequence[RunRequest],
           runtime: Callable[[TuningProblem, RunRequest], float] = synthetic_runtime) -> list[RunResult]:
    """Results for a batch of requests; runs sharing a race id stop at the first finisher (CAPPED)."""
    races: dict[str | None, list[RunRequest]] = defaultdict(list)
    for r in requests:
        races[r.race if r.race is not None else f"solo-{id(r)}"].append(r)
    out = []
    for members in races.values():
        times = [runtime(problem, r) for r in members]
        limit = [r.limit if r.limit is not None else math.inf for r in members]
        finish = [t for t, lim in zip(times, limit) if t <= lim]
        first = min(finish) if (len(members) > 1 and finish) else None
        for r, t, lim in zip(members, times, limit):
            if first is not None and t > first:
                out.append(RunResult(r, Status.CAPPED, first, quality=None))
            elif t <= lim:
                out.append(RunResult(r, Status.SUCCESS, t, quality=t))
            else:
                status = Status.TIMEOUT if r.bound is None or r.bound >= (r.cutoff or math.inf) else Status.CAPPED
                out.append(RunResult(r, status, lim))
    return out


def drive(tuner: Tuner, max_runs: int, batch: int = 2, on_batch: Callable[[int], None] | None = None,
          runtime: Callable[[TuningProblem, RunRequest], float] = synthetic_runtime) -> list[RunRequest]:
    """Ask up to ``batch`` runs (at least one race), answer them, tell; until ``max_runs`` or no work."""
    asked: list[RunRequest] = []
    step = 0
    while len(asked) < max_runs and not tuner.finished:
        n = max(batch, tuner.race_size)
        requests = tuner.ask(min(n, max_runs - len(asked)) if not tuner.supports_racing else n)
        if not requests:
            break
        asked.extend(requests)
        tuner.tell(answer(tuner.problem, requests, runtime))
        step += 1
        if on_batch is not None:
            on_batch(step)
    return asked


def check_proposals_valid(tuner_cls: type[Tuner], problem: TuningProblem, runs: int = 60, seed: int = 0) -> None:
    """Every request: valid active configuration, known instance, the problem's cutoff, no repeats;
    racing tuners' races share one instance-seed pair."""
    tuner = tuner_cls(problem, seed=seed)
    requests = drive(tuner, runs)
    assert requests, f"{tuner_cls.__name__} asked for nothing"
    keys = set()
    for r in requests:
        assert is_valid(problem.space, r.config), f"invalid configuration proposed: {r.config}"
        assert r.instance in problem.instances, f"unknown instance {r.instance!r}"
        assert r.cutoff == problem.cutoff, f"cutoff {r.cutoff} != problem cutoff {problem.cutoff}"
        assert r.key not in keys, f"run asked twice: {r.key}"
        keys.add(r.key)
        if r.race is not None:
            assert tuner_cls.supports_racing, "a tuner without supports_racing set RunRequest.race"
        if r.bound is not None:
            assert tuner_cls.supports_capping, "a tuner without supports_capping set RunRequest.bound"
    assert isinstance(tuner.race_size, int) and tuner.race_size >= 1, f"race_size {tuner.race_size!r} is not an int >= 1"
    if not tuner_cls.supports_racing:
        assert tuner.race_size == 1, "a tuner without supports_racing has race_size != 1"
    if tuner_cls.supports_racing:
        races = defaultdict(set)
        for r in requests:
            if r.race is not None:
                races[r.race].add((r.instance, r.seed))
        assert all(len(pairs) == 1 for pairs in races.values()), "a race spans several instance-seed pairs"
        arms: dict[Any, int] = defaultdict(int)
        for r in requests:
            if r.race is not None:
                arms[r.race] += 1
        assert max(arms.values(), default=0) <= tuner.race_size, "a race has more arms than race_size"
    assert tuner.incumbent is None or is_valid(problem.space, tuner.incumbent)


def check_budget(tuner_cls: type[Tuner], problem: TuningProblem, seed: int = 0) -> None:
    """With ``problem.max_runs`` set, the tuner asks at most that many runs, then nothing."""
    assert problem.max_runs is not None
    tuner = tuner_cls(problem, seed=seed)
    requests = drive(tuner, 10 * problem.max_runs)
    assert len(requests) <= problem.max_runs, f"asked {len(requests)} runs, budget {problem.max_runs}"
    assert tuner.ask(8) == [], "ask after the budget returned requests"


def check_settled(tuner_cls: type[Tuner], problem: TuningProblem, seed: int = 0) -> None:
    """``settled`` is a bool; a settled tuner asks nothing and stays settled (the engine then stops
    its runs in flight and ends the loop)."""
    tuner = tuner_cls(problem, seed=seed)
    asked = 0
    while asked < 10 * (problem.max_runs or 60) and not tuner.finished:
        assert isinstance(tuner.settled, bool), f"settled is {tuner.settled!r}, not a bool"
        if tuner.settled:
            assert tuner.ask(max(8, tuner.race_size)) == [], "a settled tuner asked for runs"
            assert tuner.settled, "a settled tuner became unsettled by an ask"
            return
        requests = tuner.ask(max(2, tuner.race_size))
        if not requests:
            return
        asked += len(requests)
        tuner.tell(answer(tuner.problem, requests, synthetic_runtime))


def check_state_roundtrip(tuner_cls: type[Tuner], problem: TuningProblem, runs: int = 60, seed: int = 3) -> None:
    """Stop half way (with runs in flight), JSON round-trip the state, continue: the rebuilt tuner
    reports the same ``incumbent``, ``finished``, ``settled`` and ``race_size`` at once, asks exactly
    what an uninterrupted one asks (same runs with the same capping bounds, same interleaving of
    asks and tells) and ends with the same incumbent."""

    def observed(tuner: Tuner) -> tuple:
        return tuner.incumbent, tuner.finished, tuner.settled, tuner.race_size

    def session(interrupt: bool) -> tuple[list[tuple], Any]:
        tuner = tuner_cls(problem, seed=seed)
        part = drive(tuner, runs // 2)
        pending = tuner.ask(max(2, tuner.race_size))  # in flight at the "kill"
        if interrupt:
            state = json.loads(json.dumps(tuner.state()))
            before = observed(tuner)
            tuner = tuner_cls.from_state(problem, state)
            assert json.loads(json.dumps(tuner.state())) == state, "state() of a rebuilt tuner differs"
            assert observed(tuner) == before, "a rebuilt tuner's incumbent, finished, settled or race_size differs"
        if pending:
            tuner.tell(answer(problem, pending))
        rest = drive(tuner, runs - len(part) - len(pending))
        return [(r.key, r.bound) for r in part + pending + rest], tuner.incumbent

    straight, straight_inc = session(False)
    resumed, resumed_inc = session(True)
    assert resumed == straight, "resumed tuner asked a different sequence"
    assert resumed_inc == straight_inc, "incumbents differ"


def check_capping(tuner_cls: type[Tuner], problem: TuningProblem, runs: int = 60, seed: int = 0) -> None:
    """A capping tuner (``supports_capping``) takes the options ``capping`` and ``capping_slack``;
    with ``capping=True`` on a runtime problem it caps runs, every bound in ``(0, cutoff)``; with
    ``capping=False``, or on a quality problem, it caps nothing (and ``capping=True`` there is a
    ValueError). Whether capping is on by default is each tuner's documented choice. (A tuner
    without the capability never sets a bound: :func:`check_proposals_valid`.)"""
    if not tuner_cls.supports_capping:
        return
    assert problem.objective == "runtime" and problem.cutoff is not None

    def bounds(prob: TuningProblem, **options: Any) -> list[float]:
        # the run budget as a hint, so that a tuner sizing its schedule (AC-Band) reaches its final
        requests = drive(tuner_cls(dataclasses.replace(prob, max_runs=runs), seed=seed, **options), runs)
        return [r.bound for r in requests if r.bound is not None]

    capped = bounds(problem, capping=True)
    assert capped, f"{tuner_cls.__name__} set no capping bound in {runs} runs of a runtime problem"
    assert all(0 < b < problem.cutoff for b in capped), f"bounds outside (0, cutoff): {capped}"
    assert bounds(problem, capping=True, capping_slack=1.0), "capping_slack is not an option (or slack 1 capped nothing)"
    assert not bounds(problem, capping=False), "capping=False still capped runs"
    quality = dataclasses.replace(problem, objective="quality", cutoff=None)
    assert not bounds(quality), "a quality problem got capping bounds"
    try:
        capping_on: dict[str, Any] = {"capping": True}  # an option of the capability, not of Tuner.__init__
        tuner_cls(quality, seed=seed, **capping_on)
    except ValueError:
        pass
    else:
        raise AssertionError("capping=True on a quality problem was accepted")


def check_all(tuner_cls: type[Tuner], problem: TuningProblem) -> None:
    """Run every check on one problem (its ``max_runs`` is used for the budget check)."""
    check_proposals_valid(tuner_cls, problem)
    check_budget(tuner_cls, problem)
    check_settled(tuner_cls, problem)
    check_state_roundtrip(tuner_cls, problem)
    check_capping(tuner_cls, dataclasses.replace(problem, max_runs=None))


# --- engine-level helpers: a scenario and an in-process executor on the synthetic target ------------
SYNTHETIC_PCS = """\
restarts categorical {luby, geometric, none} [luby]
rinc real [1.05, 4.0] [2.0] log
decay real [0.75, 0.99] [0.95]
rfirst integer [10, 1000] [100] log
pre categorical {on, off} [on]
elim categorical {on, off} [on]
rinc | restarts == geometric
elim | pre == on
{restarts=none, pre=off}
"""


def synthetic_scenario(root: Any, *, n_train: int = 10, n_test: int = 6, runs: int | None = 40,
                       cutoff: float = 2.0, seed: int = 1, extra: str = "") -> Any:
    """Write and load a scenario on :func:`algoconf.testing.tuner_target.synthetic_target`."""
    from pathlib import Path

    from algoconf.scenario import load_scenario

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "space.pcs").write_text(SYNTHETIC_PCS)
    train = ", ".join(f"i{j}" for j in range(n_train))
    test = ", ".join(f"t{j}" for j in range(n_test))
    budget = f"budget: {{runs: {runs}}}\n" if runs is not None else ""
    (root / "scenario.yaml").write_text(
        "name: synthetic\n"
        "target:\n  callable: \"algoconf.testing.tuner_target:synthetic_target\"\n"
        f"space: space.pcs\ntrain: {{names: [{train}]}}\ntest: {{names: [{test}]}}\n"
        f"objective: runtime\ncutoff: {cutoff}\n{budget}seed: {seed}\n{extra}"
    )
    return load_scenario(root / "scenario.yaml")


def synthetic_answer(request: RunRequest) -> RunResult:
    """In-process answer of the synthetic target (same numbers as the PythonTarget child gives)."""
    from algoconf.testing.tuner_target import synthetic_target

    out = synthetic_target(dict(request.config), request.instance, request.seed, request.cutoff)
    limit = request.limit
    if out["status"] == "SUCCESS" and limit is not None and out["runtime"] > limit:
        return RunResult(request, Status.CAPPED, limit)
    return RunResult(request, Status(out["status"]), out["runtime"], quality=out["cost"])


def synthetic_run(run_dir: str, scenario_root: str, tuner: str, runs: int, workers: int = 1, seed: int = 5,
                  delay: float = 0.0) -> dict[str, Any]:
    """One (possibly resumed) engine run on the synthetic scenario with an in-process executor;
    returns the incumbent and the run keys (used by the kill-and-resume tests, in a subprocess)."""
    from algoconf.run.session import open_session
    from algoconf.tuners.simulated import SimulatedExecutor

    scenario = synthetic_scenario(scenario_root, runs=runs)
    executor = SimulatedExecutor(synthetic_answer, n_workers=workers, delay=delay)
    with open_session(scenario, run_dir, tuner, seed=seed, workers=workers, progress=None,
                      executor=executor) as session:
        outcome = session.run()
        keys = sorted(list(r.key) for r in session.history)
    return {"incumbent": outcome.incumbent, "runs": outcome.runs, "keys": keys, "stop": outcome.stop_reason}
