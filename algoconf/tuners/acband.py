"""AC-Band: combinatorial successive elimination with parallel races (Brandt et al., AAAI 2023).

The schedule
------------
``N = ceil(log δ / log(1 − α))`` random configurations hold, with probability ≥ 1 − δ, one from the
best α-quantile. AC-Band spends ``E = ceil(log2(N + 1))`` epochs; epoch ``e`` races
``n_e = ceil((N + 1) / 2^e) + 1`` arms (``n_e − 1`` new configurations plus the incumbent) with
combinatorial successive elimination (CSE): the arms are cut into groups of at most ``k``, each
group races on its own block of instances, and a group of ``m`` arms keeps its
``max(1, floor(m·e / (e + k − 1)))`` arms with the most wins (keep 1 of k in epoch 1, gentler
later). Rounds repeat until one arm is left: the epoch's winner is the new incumbent.

A race is one instance-seed pair on which all arms of a group run (``RunRequest.race``): the
fastest SUCCESS wins and the others are stopped (CAPPED). On fewer workers than arms the engine runs
them in waves, each later arm capped at the best time so far × a slack
(:class:`~algoconf.execution.racing.Race`), so the winner is the fastest arm whatever the worker
count. Only "who finished first" is used, so censoring never needs imputation.

Fixes of the reference implementation's quirks (each documented in docs/tuners.md)
----------------------------------------------------------------------------------
1. **No winner when nobody finishes.** A race where every arm times out (or fails) gives no win to
   anyone (the reference gave it to the first arm in list order).
2. **Nobody promoted unraced.** Groups are balanced (sizes differ by at most one, at most ``k``), so
   no short trailing group passes untested (the reference promoted it, often with the incumbent in
   it). A lone arm (odd count with k = 2) spars with the first arm of the previous group and
   survives only with strictly more wins; the partner's fate is decided in its own group.
3. **Instance reuse.** The reference needs tens of thousands of instances and never reuses one.
   Here instances come from a stream of passes (a fresh permutation each pass, a new seed each
   pass), so a small instance set is reused with new seeds when the schedule needs more.
4. **Default configuration raced from the start.** The first incumbent is the space's default
   (the reference started from a random configuration).
5. **Optional model-based generator.** ``generator="model"`` proposes half of each epoch's new arms
   from a random forest trained on the win rates of every arm raced so far (a censoring-free
   preference statistic), the other half uniformly at random.
6. **Ties** in the number of wins keep the incumbent first, then break at random (seeded) instead
   of by list position. ``repeat=True`` starts a new schedule (fresh configurations, incumbent
   kept) when one ends, so AC-Band uses whatever budget the engine grants.

Adaptive capping of the defended final (on by default for runtime objectives; ``capping=False``
turns it off, slack ``capping_slack``; see :mod:`~algoconf.tuners.capping`): the final is decided
by the summed cost over its pairs, so the incumbent runs on all of them first and each challenger
then runs capped at ``slack × Σ incumbent cost over the final's pairs − Σ its own finished costs``
(but never before the incumbent's own time on that pair, so the pair's winner stays known): a run
still going there could not win the final anyway (ParamILS's trajectory-preserving cap).
A capped challenger (a CAPPED run, a lower bound) ranks after every arm that ran to the end.

The instance budget ``B`` is spread over epochs in proportion to ``n_e`` (at least one instance per
group and round).

Sized to the budget (acband_plan.py)
------------------------------------
Unless ``n_configs``/``instance_budget`` are given, every schedule (the first and each repeated
one) is sized from the budget the engine knows (``max_runs``, ``max_wallclock``, ``max_cpu_time``,
``n_workers`` of the problem), converted into races: ``N`` is the paper's ``N(α, δ)`` when that
schedule fits with at least ``per_match`` instances per group and round on average, else the
largest ``N`` that does (a *short* budget); ``B`` is the largest instance budget whose race count
fits. At the start of every later epoch the remaining epochs are shrunk (never grown) to what is
left, measured with the mean wall/CPU time of the races so far, so every epoch completes. With a
short budget and no explicit ``generator``, the model-based generator is used.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from algoconf.records import Estimate, RunRequest, RunResult, Status, config_key
from algoconf.tuners.acband_plan import (epoch_groups, fit_instance_budget, plan_cycle, races_left,
                                         round_instances, schedule_races)
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.capping import DEFAULT_SLACK, CappingRule
from algoconf.tuners.evidence import cost_of
from algoconf.tuners.pairs import PairStream
from algoconf.tuners.sampling import config_vectors, default_config, draw_seed, sample_configs

__all__ = ["ACBand", "acband_schedule"]


def acband_schedule(alpha: float, delta: float, k: int, n_configs: int | None = None,
                    defend: bool = True) -> list[dict[str, int]]:
    """Epochs of one AC-Band run: ``[{"epoch", "arms", "keep_of_k", "rounds", "defend"}]``."""
    if not 0 < alpha < 1 or not 0 < delta < 1:
        raise ValueError("alpha and delta must be in (0, 1)")
    if k < 2:
        raise ValueError("k must be at least 2")
    n = n_configs if n_configs is not None else paper_n(alpha, delta)
    n0 = n + 1
    epochs = []
    for e in range(1, max(1, math.ceil(math.log2(n0))) + 1):
        arms = math.ceil(n0 / 2**e) + 1
        # a lone (sparring) arm may survive: counted, so rounds is an upper bound
        rounds = len(epoch_groups(arms, e, k, defend))
        epochs.append({"epoch": e, "arms": arms, "keep_of_k": _keep(k, e, k), "rounds": max(1, rounds),
                       "defend": int(defend)})
    return epochs


def paper_n(alpha: float, delta: float) -> int:
    """``N = ceil(log δ / log(1 − α))``: random configurations holding one of the best α-quantile
    with probability ≥ 1 − δ."""
    return math.ceil(math.log(delta) / math.log(1 - alpha))


def _keep(m: int, e: int, k: int) -> int:
    return max(1, (m * e) // (e + k - 1))


def _balanced(arms: list[Any], k: int) -> list[list[Any]]:
    p = math.ceil(len(arms) / k)
    base, extra = divmod(len(arms), p)
    groups, i = [], 0
    for g in range(p):
        size = base + (1 if g < extra else 0)
        groups.append(arms[i:i + size])
        i += size
    return groups


class ACBand(Tuner):
    """AC-Band with parallel races of ``k`` arms; parameters ``k``, ``alpha``, ``delta``,
    ``instance_budget``, ``n_configs`` (override N; both default to the budget-sized plan),
    ``generator`` ("random" | "model"; default: "model" when the budget is short, else "random"),
    ``repeat``, ``per_match`` (instances per group and round the plan aims for, 2), ``defend``
    (True: the incumbent enters each epoch only for its final rounds; False: from the start, as in
    the paper), ``capping`` (None: on for runtime objectives) and ``capping_slack`` (1.2) for the
    defended final."""

    name = "acband"
    uses_instances = True
    supports_racing = True
    supports_capping = True
    needs_model = False

    def __init__(self, problem: TuningProblem, seed: int = 0, *, k: int = 2, alpha: float = 0.05,
                 delta: float = 0.05, instance_budget: int | None = None, n_configs: int | None = None,
                 generator: str | None = None, repeat: bool = True, per_match: int = 2,
                 defend: bool = True, capping: bool | None = None, capping_slack: float = DEFAULT_SLACK) -> None:
        super().__init__(problem, seed)
        self.capping = CappingRule.for_problem(problem, capping, capping_slack)
        if generator not in (None, "random", "model"):
            raise ValueError(f"generator must be 'random' or 'model', got {generator!r}")
        self.k, self.alpha, self.delta = int(k), float(alpha), float(delta)
        self.repeat, self.per_match, self.defend = bool(repeat), max(1, int(per_match)), bool(defend)
        acband_schedule(self.alpha, self.delta, self.k, n_configs)  # validates the parameters
        self._params = {"k": self.k, "alpha": self.alpha, "delta": self.delta,
                        "instance_budget": instance_budget, "n_configs": n_configs,
                        "generator": generator, "repeat": self.repeat, "per_match": self.per_match,
                        "defend": self.defend, "capping": capping, "capping_slack": float(capping_slack)}
        self._measured = [0, 0.0, 0.0]  # races finished, their wall seconds, their CPU seconds
        self._asked = 0
        self._plan()
        self._rng = np.random.default_rng(self.seed)
        self._pairs = PairStream(problem, self._rng, reuse=True)
        self._next_pair = 0
        self._configs: dict[str, dict[str, Any]] = {}
        self._stats: dict[str, list[int]] = {}  # key -> [wins, races]
        self._incumbent = self._remember(default_config(problem.space))
        self._has_evidence = False
        self._cycle, self._epoch = 0, 0
        self._round = 0
        self._groups: list[dict[str, Any]] = []  # {"arms", "scored", "wins", "rule"}
        self._queue: list[dict[str, Any]] = []  # races not asked yet
        self._open: dict[str, dict[str, Any]] = {}  # race id -> {"group", "arms", "results"}
        self._done = False
        self._inc_in = True  # the incumbent has joined the current epoch's races
        self._epoch_instances: list[int] = []
        self._start_epoch()

    # --- contract ---------------------------------------------------------------------------------
    @property
    def race_size(self) -> int:
        """Largest number of runs one race submits together (the engine asks at least this many)."""
        return self.k

    @property
    def plan(self) -> dict[str, Any]:
        """The current schedule's sizing: ``n_configs``, ``instance_budget``, ``short``, ``generator``."""
        return {"n_configs": self.n_configs, "instance_budget": self.instance_budget, "short": self.short,
                "generator": self.generator}

    def ask(self, n: int = 1) -> list[RunRequest]:
        out: list[RunRequest] = self._ask_held(n)
        while self._queue and not self._done:
            race = self._queue[0]
            size = len(race["arms"])
            # a capped defended final: the incumbent first, the challengers once its costs are in
            staged = bool(race.get("full")) and self.capping is not None and self._incumbent in race["arms"]
            if len(out) + (1 if staged else size) > n:
                break
            if self.problem.max_runs is not None and self._asked + size > self.problem.max_runs:
                self._done = True
                break
            self._queue.pop(0)
            instance, seed = race["pair"]
            # a defended final runs every arm to the end (no race id: nobody is stopped)
            rid = race["id"] if self.problem.objective == "runtime" and not race.get("full") else None
            for key in ([self._incumbent] if staged else race["arms"]):
                out.append(RunRequest(self._configs[key], instance, int(seed), self.problem.cutoff,
                                      race=rid, config_key=key))
            self._open[race["id"]] = {"group": race["group"], "arms": list(race["arms"]),
                                      "full": bool(race.get("full")),
                                      "held": [k for k in race["arms"] if k != self._incumbent] if staged else [],
                                      "pair": [instance, int(seed)], "results": {}}
            self._asked += size  # the whole race, held arms included
        return out

    def _ask_held(self, n: int) -> list[RunRequest]:
        """Challengers' runs of a capped defended final whose incumbent costs are all known, each
        capped at ``slack × Σ incumbent cost over the final's pairs − Σ its finished costs there``."""
        out: list[RunRequest] = []
        rule = self.capping
        for rid, race in self._open.items():
            if len(out) >= n:
                break
            if not race.get("held"):
                continue
            group = race["group"]
            if not self._done and any(q["group"] == group for q in self._queue):
                continue  # some of the final's pairs have not started: the incumbent's total is unknown
            # (once the budget ends the queue, the final is the pairs that started)
            final = [r for r in self._open.values() if r["group"] == group]
            if any(self._incumbent not in r["results"] for r in final):
                continue
            done = self._groups[group]["costs"]  # sums over the final's races already scored
            incumbent_costs = [Estimate(done[self._incumbent][0], True)] + [
                Estimate(r["results"][self._incumbent][4], True) for r in final]
            while race["held"] and len(out) < n:
                key = race["held"].pop(0)
                own = [Estimate(done[key][0], True)] + [
                    Estimate(r["results"][key][4], True) for r in final if key in r["results"]]
                instance, seed = race["pair"]
                bound = rule.bound(incumbent_costs, own) if rule is not None else None
                status, runtime = race["results"][self._incumbent][:2]
                if bound is not None and Status(status) is Status.SUCCESS and bound < runtime:
                    # never before the incumbent's own time here: who won this pair stays known
                    # (the model-based generator learns from wins)
                    bound = rule.clamp(float(runtime)) if rule is not None else None
                out.append(RunRequest(self._configs[key], instance, int(seed), self.problem.cutoff,
                                      bound=bound, config_key=key))
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        by_key = {}
        for result in results:
            req = result.request
            rid = self._race_of(result)
            if rid is None:
                continue
            self._open[rid]["results"][req.config_key] = [result.status.value, result.runtime, result.quality,
                                                          result.wallclock, cost_of(self.problem, result).value]
            by_key[rid] = True
        for rid in sorted(by_key):
            race = self._open[rid]
            if len(race["results"]) == len(race["arms"]):
                self._score(race)
                del self._open[rid]
        if not self._queue and not self._open:
            self._end_round()

    @property
    def incumbent(self) -> dict[str, Any] | None:
        return dict(self._configs[self._incumbent]) if self._has_evidence else None

    @property
    def finished(self) -> bool:
        return self._done and not self._open

    def state(self) -> dict[str, Any]:
        return {
            "seed": self.seed, "params": self._params, "rng": self._rng.bit_generator.state,
            "pairs": self._pairs.to_state(), "next_pair": self._next_pair, "configs": self._configs,
            "stats": self._stats, "incumbent": self._incumbent, "has_evidence": self._has_evidence,
            "cycle": self._cycle, "epoch": self._epoch, "round": self._round, "groups": self._groups,
            "queue": self._queue, "open": self._open, "asked": self._asked, "done": self._done,
            "epoch_instances": self._epoch_instances, "measured": self._measured, "inc_in": self._inc_in,
            "n_configs": self.n_configs, "instance_budget": self.instance_budget, "short": self.short,
            "generator": self.generator,
        }

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "ACBand":
        params = dict(state["params"])
        params.setdefault("capping", False)  # a state from before capping existed continues without it
        tuner = cls(problem, int(state["seed"]), **params)
        tuner._rng.bit_generator.state = state["rng"]
        tuner._pairs = PairStream.from_state(problem, tuner._rng, state["pairs"])
        for name in ("next_pair", "configs", "stats", "incumbent", "has_evidence", "cycle", "epoch",
                     "round", "groups", "queue", "open", "asked", "done", "epoch_instances", "measured", "inc_in"):
            setattr(tuner, "_" + name, _copy(state[name]))
        tuner.n_configs, tuner.instance_budget = int(state["n_configs"]), int(state["instance_budget"])
        tuner.short, tuner.generator = bool(state["short"]), str(state["generator"])
        tuner.schedule = acband_schedule(tuner.alpha, tuner.delta, tuner.k, tuner.n_configs, tuner.defend)
        return tuner

    # --- schedule ---------------------------------------------------------------------------------
    def _races_left(self) -> float:
        return races_left(self.problem, self.k, self._asked, self._measured)

    def _plan(self) -> None:
        """Size the next schedule: N, instance budget, generator (see acband_plan.py)."""
        p = self._params
        n_paper = p["n_configs"] if p["n_configs"] is not None else paper_n(self.alpha, self.delta)
        pool = len(self.problem.instances)
        left = self._races_left()
        if p["n_configs"] is None:
            n, budget, short = plan_cycle(lambda m: acband_schedule(self.alpha, self.delta, self.k, m, self.defend),
                                          n_paper, self.k, left, pool, self.per_match)
        else:
            n, short = n_paper, False
            sched = acband_schedule(self.alpha, self.delta, self.k, n, self.defend)
            budget = max(1, pool) if not math.isfinite(left) else fit_instance_budget(
                sched, self.k, left, min(int(left), 4 * pool), 0, self.per_match)
        if p["instance_budget"] is not None:
            budget = int(p["instance_budget"])
        self.n_configs, self.instance_budget, self.short = int(n), max(1, int(budget)), bool(short)
        self.generator = p["generator"] or ("model" if short else "random")
        if self.generator == "model":
            # scikit-learn's first import takes about a second: pay it once here, at set-up,
            # not inside the first epoch's ask/tell (it would count as per-proposal overhead)
            import sklearn.ensemble  # noqa: F401
        self.schedule = acband_schedule(self.alpha, self.delta, self.k, self.n_configs, self.defend)

    def _shrink_to_budget(self) -> None:
        """Before a later epoch: fit the remaining epochs into the races left (never grow them)."""
        if self._params["instance_budget"] is not None:
            return
        left = self._races_left()
        first = self._epoch  # index of the epoch about to start
        pm = self.per_match
        if math.isfinite(left) and schedule_races(self.schedule, self.k, self.instance_budget, first, pm) > left:
            self.instance_budget = fit_instance_budget(self.schedule, self.k, left, self.instance_budget, first, pm)

    def _remember(self, config: Mapping[str, Any]) -> str:
        key = config_key(config)
        self._configs.setdefault(key, dict(config))
        return key

    def _start_epoch(self) -> None:
        if self._epoch >= len(self.schedule):
            if not self.repeat:
                self._done = True
                return
            self._cycle += 1
            self._epoch = 0
            self._plan()
        elif self._epoch > 0:
            self._shrink_to_budget()
        spec = self.schedule[self._epoch]
        self._epoch += 1
        total = sum(s["arms"] for s in self.schedule)
        self._epoch_instances = [int(self.instance_budget * spec["arms"] / total), spec["rounds"]]
        new = self._new_arms(spec["arms"] - 1)
        self._round = 0
        self._inc_in = not self.defend
        self._start_round(self._join(new) if self.defend else [self._incumbent] + new)

    def _join(self, arms: list[str]) -> list[str]:
        """The incumbent joins the epoch once the arms left fit into one group with it."""
        if not self._inc_in and len(arms) + 1 <= self.k:
            self._inc_in = True
            return [self._incumbent] + arms
        return arms

    def _start_round(self, arms: list[str]) -> None:
        e = self._epoch
        groups = []
        for g in _balanced(arms, self.k):
            if len(g) == 1:  # a lone arm spars with the first arm of the previous group
                groups.append({"arms": [g[0], groups[-1]["arms"][0]], "scored": [g[0]], "rule": "spar"})
            else:
                groups.append({"arms": g, "scored": list(g), "rule": "keep", "keep": _keep(len(g), e, self.k)})
        budget, rounds = self._epoch_instances
        defending = self.defend and self._incumbent in arms
        per_group = round_instances(budget, rounds, len(groups), defending, self.per_match)
        self._queue = []
        for gi, group in enumerate(groups):
            group["wins"] = {key: 0 for key in group["arms"]}
            full = defending and self._incumbent in group["arms"]
            if full:
                group["costs"] = {key: [0.0, 0] for key in group["arms"]}
            for j in range(per_group):
                pair = self._pairs.get(self._next_pair)
                self._next_pair += 1
                rid = f"acb{self._cycle}.{e}.{self._round}.{gi}.{j}"
                self._queue.append({"id": rid, "group": gi, "arms": list(group["arms"]), "pair": list(pair),
                                    "full": full})
        self._groups = groups

    def _end_round(self) -> None:
        if not self._groups:
            return
        survivors: list[str] = []
        inc = self._incumbent
        for group in self._groups:
            value = self._ranking(group)
            if group["rule"] == "spar":
                lone, partner = group["arms"]
                if value(lone) < value(partner):
                    survivors.append(lone)
                continue
            noise = self._rng.random(len(group["scored"]))
            ranked = sorted(zip(group["scored"], noise), key=lambda t: (value(t[0]), t[0] != inc, t[1]))
            survivors.extend(key for key, _ in ranked[: group["keep"]])
        self._groups = []
        self._round += 1
        if len(survivors) > 1 or not self._inc_in:
            self._start_round(self._join(survivors))
            return
        self._incumbent = survivors[0]
        self._start_epoch()

    @staticmethod
    def _ranking(group: Mapping[str, Any]) -> Any:
        """Lower is better: mean cost where the incumbent defends (every arm ran to the end, so
        timeouts count at their penalty), else minus the number of wins."""
        if "costs" in group:
            costs, capped = group["costs"], set(group.get("capped", ()))
            # a capped arm could not beat the incumbent: after every arm that ran to the end
            return lambda key: math.inf if key in capped else (
                costs[key][0] / costs[key][1] if costs[key][1] else math.inf)
        wins = group["wins"]
        return lambda key: -wins[key]

    def _race_of(self, result: RunResult) -> str | None:
        rid = result.request.race
        if rid is not None:
            return rid if rid in self._open else None
        pair = [result.request.instance, int(result.request.seed)]
        for rid, race in self._open.items():  # quality objective: requests carry no race id
            key = result.request.config_key
            if race["pair"] == pair and key in race["arms"] and key not in race["results"]:
                return rid
        return None

    def _score(self, race: dict[str, Any]) -> None:
        self._has_evidence = True
        group = self._groups[race["group"]]
        finished = []
        values = list(race["results"].values())
        self._measured[0] += 1
        walls = [(v[3] if len(v) > 3 and v[3] else v[1]) for v in values]
        # on fewer workers than arms a race runs in waves: its wall time is about the sum over them
        width = max(1, min(len(walls), int(self.problem.n_workers or 1)))
        self._measured[1] += max(max(walls), math.fsum(walls) / width)
        self._measured[2] += math.fsum(v[1] for v in values)
        for key, (status, runtime, quality, *rest) in race["results"].items():
            self._stats.setdefault(key, [0, 0])[1] += 1
            if "costs" in group and len(rest) > 1:
                group["costs"][key][0] += float(rest[1])
                group["costs"][key][1] += 1
                if Status(status) is Status.CAPPED and key not in group.setdefault("capped", []):
                    group["capped"].append(key)
            if Status(status) is Status.SUCCESS:
                value = runtime if self.problem.objective == "runtime" else (
                    -quality if self.problem.maximize else quality) if quality is not None else math.inf
                finished.append((value, key != self._incumbent, race["arms"].index(key), key))
        if not finished:
            return  # nobody finished: no winner (quirk fix 1)
        winner = min(finished)[3]
        group["wins"][winner] += 1
        self._stats[winner][0] += 1

    # --- candidate generation ---------------------------------------------------------------------
    def _new_arms(self, n: int) -> list[str]:
        fresh: list[str] = []
        if self.generator == "model" and len(self._stats) >= 8:
            fresh = self._model_arms(n // 2)
        tries = 0
        while len(fresh) < n and tries < 20:
            tries += 1
            for config in sample_configs(self.problem.space, (n - len(fresh)) * 2, draw_seed(self._rng)):
                key = config_key(config)
                if key not in self._configs and len(fresh) < n:
                    fresh.append(self._remember(config))
        return fresh

    def _model_arms(self, n: int) -> list[str]:
        from sklearn.ensemble import RandomForestRegressor

        keys = sorted(self._stats)
        x = config_vectors(self.problem.space, [self._configs[k] for k in keys])
        y = np.array([(self._stats[k][0] + 1) / (self._stats[k][1] + 2) for k in keys])
        model = RandomForestRegressor(n_estimators=20, random_state=draw_seed(self._rng)).fit(x, y)
        pool = [c for c in sample_configs(self.problem.space, 50 * max(1, n), draw_seed(self._rng))
                if config_key(c) not in self._configs]
        if not pool:
            return []
        pred = model.predict(config_vectors(self.problem.space, pool))
        chosen, seen = [], set()
        for i in np.argsort(-pred, kind="stable"):
            key = config_key(pool[i])
            if key not in seen:
                seen.add(key)
                chosen.append(self._remember(pool[i]))
            if len(chosen) >= n:
                break
        return chosen


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
