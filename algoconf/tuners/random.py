"""Random search with intensification (ROAR): random challengers raced against the incumbent.

Each challenger is a uniformly random configuration, run on the instance-seed pairs the incumbent
has run, in a random order (so no challenger always meets the incumbent's best pairs first), in
doubling batches (1, 2, 4, ...). After each batch it is
compared with the incumbent on the pairs both have finished: as soon as it is worse it is dropped;
once it has run every pair of the incumbent and is strictly better it becomes the incumbent. Each
new challenger also earns the incumbent one more pair (intensification), so the incumbent's
estimate keeps improving. Several challengers race at once, one per free worker.

The starting incumbent is the space's default configuration. Costs are PAR-k for runtime scenarios
and comparisons respect censoring (see :class:`~algoconf.tuners.evidence.CostTable`).

Adaptive capping (on by default for runtime objectives, ``capping=False`` turns it off; see
:mod:`~algoconf.tuners.capping`): a challenger's run is capped at the time by which the challenger
would be dropped anyway — ``slack ×`` the incumbent's costs on the challenger's pairs so far (this
one and those in flight included; unknown ones at the worst cost), plus, before ``first_test``
pairs, the incumbent's largest costs on as many more of its pairs (the lookahead of the hopeless
rule below), minus the challenger's finished costs. A CAPPED run is a lower bound: the challenger
is dropped at its next decision (its comparison could never become exact), never promoted. While
the incumbent has fewer than ``first_test`` pairs nothing is capped. With one worker (decisions
after every run) capping therefore never changes a decision, only the CPU spent on losers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from algoconf.records import RunRequest, RunResult, config_key
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.capping import DEFAULT_SLACK, CappingRule
from algoconf.tuners.evidence import CostTable, cost_of
from algoconf.tuners.pairs import PairStream, PairStreamState
from algoconf.tuners.sampling import default_config, draw_seed, sample_configs
from algoconf.tuners.state import StateRecord

if TYPE_CHECKING:  # typing.Self is Python 3.11+; setup.cfg says 3.10
    from typing_extensions import Self

__all__ = ["RandomTuner", "RandomState"]


@dataclass(frozen=True)
class RandomState(StateRecord):
    """Everything :class:`RandomTuner` needs to continue exactly (its ``state()`` as a record).

    Options: ``seed``, ``max_challengers``, ``first_test``, ``capping`` (the option as given:
    None, True or False), ``capping_slack``. Progress: ``rng`` (the numpy bit generator's state),
    ``pairs`` (the incumbent's pair stream), ``table`` (:meth:`CostTable.to_state` rows),
    ``configs`` (key → configuration), ``requested`` (key → pairs asked, in order), ``inflight``
    (``[key, instance, seed]`` asked and not told, sorted), ``challengers`` (``{"key", "target"}``
    in race order), ``intensify_due``, ``exhausted``, ``asked`` (runs asked), ``incumbent`` (key).
    """

    kind = "random tuner state"

    seed: int
    max_challengers: int
    rng: Mapping[str, Any]
    pairs: PairStreamState
    table: dict[str, list[list[Any]]]
    configs: dict[str, dict[str, Any]]
    requested: dict[str, list[list[Any]]]
    inflight: list[list[Any]]
    challengers: list[dict[str, Any]]
    intensify_due: bool
    exhausted: bool
    asked: int
    incumbent: str
    # absent from states written before these options existed: such a run continues as it began
    first_test: int = 1
    capping: bool | None = False
    capping_slack: float = DEFAULT_SLACK


class RandomTuner(Tuner):
    """ROAR: random challengers, intensification against the incumbent on shared pairs.

    Parameters: ``max_pairs`` caps the instance-seed pairs of the incumbent (default: every
    instance once for deterministic problems, else 2000); ``max_challengers`` caps how many
    challengers race at once (default: 8, or the number of workers when larger, so every worker can
    hold a challenger's run); ``first_test`` pairs before a worse challenger is dropped
    unless hopeless (3); ``capping`` (None: on for runtime objectives) and ``capping_slack`` (1.2)
    for adaptive capping.
    """

    name = "random"
    uses_instances = True
    supports_racing = False
    supports_capping = True
    needs_model = False

    def __init__(self, problem: TuningProblem, seed: int = 0, *, max_pairs: int | None = None,
                 max_challengers: int | None = None, first_test: int = 3, capping: bool | None = None,
                 capping_slack: float = DEFAULT_SLACK) -> None:
        super().__init__(problem, seed)
        if max_challengers is None:
            max_challengers = max(8, int(problem.n_workers or 1))
        self.max_challengers = int(max_challengers)
        if int(first_test) < 1:
            raise ValueError(f"first_test must be at least 1, got {first_test}")
        self.first_test = int(first_test)
        self.capping = CappingRule.for_problem(problem, capping, capping_slack)
        self._capping_option, self._capping_slack = capping, float(capping_slack)
        self._rng = np.random.default_rng(self.seed)
        self._pairs = PairStream(problem, self._rng, max_pairs)
        self._table = CostTable()
        self._configs: dict[str, dict[str, Any]] = {}
        self._requested: dict[str, list[list[Any]]] = {}  # key -> pairs asked, in order
        self._inflight: set[tuple[str, str, int]] = set()
        self._challengers: list[dict[str, Any]] = []  # {"key", "target"}
        self._intensify_due = False
        self._exhausted = False
        self._asked = 0
        default = default_config(problem.space)
        self._incumbent = self._remember(default)

    # --- contract ---------------------------------------------------------------------------------
    def ask(self, n: int = 1) -> list[RunRequest]:
        out: list[RunRequest] = []
        while len(out) < n and not self._budget_spent():
            request = self._next_request()
            if request is None:
                break
            out.append(request)
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        for result in results:
            key = result.request.config_key
            self._inflight.discard(result.key)
            self._table.add(key, (result.request.instance, int(result.request.seed)), cost_of(self.problem, result))
        self._decide()

    @property
    def incumbent(self) -> dict[str, Any] | None:
        if self._table.n_runs(self._incumbent) == 0:
            return None
        return dict(self._configs[self._incumbent])

    @property
    def finished(self) -> bool:
        if self._budget_spent():
            return True
        return self._exhausted and not self._challengers and not self._pairs.can_extend(
            len(self._requested.get(self._incumbent, [])))

    def state(self) -> dict[str, Any]:
        return self.snapshot().to_dict()

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "RandomTuner":
        return cls.restore(problem, RandomState.from_dict(state))

    def snapshot(self) -> RandomState:
        """The tuner's state as a record (see :mod:`algoconf.tuners.state` on aliasing)."""
        return RandomState(
            seed=self.seed, max_challengers=self.max_challengers, first_test=self.first_test,
            capping=self._capping_option, capping_slack=self._capping_slack,
            rng=self._rng.bit_generator.state, pairs=self._pairs.snapshot(), table=self._table.to_state(),
            configs=self._configs, requested=self._requested, inflight=sorted([list(k) for k in self._inflight]),
            challengers=self._challengers, intensify_due=self._intensify_due, exhausted=self._exhausted,
            asked=self._asked, incumbent=self._incumbent)

    @classmethod
    def restore(cls, problem: TuningProblem, state: RandomState) -> Self:
        """A tuner that continues exactly where the one that took ``state`` was."""
        tuner = cls(problem, int(state.seed), max_challengers=int(state.max_challengers),
                    first_test=int(state.first_test), capping=state.capping,
                    capping_slack=float(state.capping_slack))
        tuner._restore(problem, state)
        return tuner

    def _restore(self, problem: TuningProblem, state: RandomState) -> None:
        self._rng.bit_generator.state = state.rng
        self._pairs = PairStream.restore(problem, self._rng, state.pairs)
        self._table = CostTable.from_state(state.table)
        self._configs = {k: dict(v) for k, v in state.configs.items()}
        self._requested = {k: [list(p) for p in v] for k, v in state.requested.items()}
        self._inflight = {(k, i, int(s)) for k, i, s in state.inflight}
        self._challengers = [dict(c) for c in state.challengers]
        self._intensify_due = bool(state.intensify_due)
        self._exhausted = bool(state.exhausted)
        self._asked = int(state.asked)
        self._incumbent = state.incumbent

    # --- internals --------------------------------------------------------------------------------
    def _budget_spent(self) -> bool:
        return self.problem.max_runs is not None and self._asked >= self.problem.max_runs

    def _remember(self, config: Mapping[str, Any]) -> str:
        key = config_key(config)
        self._configs.setdefault(key, dict(config))
        return key

    def _request(self, key: str, pair: Sequence[Any]) -> RunRequest:
        bound = self._bound(key, pair) if key != self._incumbent else None
        self._requested.setdefault(key, []).append([pair[0], int(pair[1])])
        request = RunRequest(self._configs[key], pair[0], int(pair[1]), self.problem.cutoff, bound=bound,
                             config_key=key)
        self._inflight.add(request.key)
        self._asked += 1
        return request

    def _next_request(self) -> RunRequest | None:
        inc = self._incumbent
        inc_pairs = self._requested.get(inc, [])
        if not inc_pairs or self._intensify_due:
            self._intensify_due = False
            if self._pairs.can_extend(len(inc_pairs)):
                return self._request(inc, self._pairs.get(len(inc_pairs)))
        for challenger in self._challengers:
            mine = self._requested.get(challenger["key"], [])
            limit = min(challenger["target"], len(inc_pairs))
            if len(mine) < limit:
                done = {tuple(p) for p in mine}
                todo = [pair for pair in inc_pairs if tuple(pair) not in done]
                if todo:  # a random one of the incumbent's pairs, so no challenger always meets its best
                    return self._request(challenger["key"], todo[int(self._rng.integers(len(todo)))])
        if len(self._challengers) >= self.max_challengers or not inc_pairs:
            return None
        key = self._new_challenger()
        if key is None:
            return None
        self._challengers.append({"key": key, "target": self.first_test})
        self._intensify_due = True
        return self._request(key, inc_pairs[0])

    def _new_challenger(self) -> str | None:
        for _ in range(50):
            config = sample_configs(self.problem.space, 1, draw_seed(self._rng))[0]
            key = config_key(config)
            if key not in self._configs:
                return self._remember(config)
        self._exhausted = True
        return None

    def _bound(self, key: str, pair: Sequence[Any]) -> float | None:
        """The adaptive cap of the challenger ``key``'s run on ``pair`` (see the module docstring)."""
        rule = self.capping
        if rule is None:
            return None
        need = min(self.first_test, self._pairs.max_pairs)
        inc_pairs = [(p[0], int(p[1])) for p in self._requested.get(self._incumbent, [])]
        if len(inc_pairs) < need:
            return None  # the hopeless rule's lookahead would reach pairs the incumbent has not got
        compared = [(p[0], int(p[1])) for p in self._requested.get(key, [])] + [(pair[0], int(pair[1]))]
        theirs = self._table.pairs(self._incumbent)
        own = self._table.pairs(key)
        taken = set(compared)
        rest = sorted((theirs.get(p) for p in inc_pairs if p not in taken), key=rule.ceiling, reverse=True)
        incumbent = [theirs.get(p) for p in compared] + rest[: max(0, need - len(compared))]
        return rule.bound(incumbent, [own[p] for p in compared if p in own])

    def _hopeless(self, key: str, mine: Sequence[Sequence[Any]], inc_pairs: Sequence[Sequence[Any]],
                  need: int) -> bool:
        """True when the challenger cannot catch up with the incumbent within its first ``need``
        pairs even if it cost nothing on the pairs still to come: its excess cost so far exceeds
        the incumbent's largest costs on that many of its other pairs (a dominance bound, so a
        hopeless challenger — e.g. a timeout where the incumbent solved — goes after one run)."""
        done = {(p[0], int(p[1])) for p in mine}
        theirs = self._table.pairs(self._incumbent)
        own = self._table.pairs(key)
        if not done or any(p not in theirs or not theirs[p].exact for p in done):
            return False
        excess = math.fsum(own[p].value - theirs[p].value for p in done if p in own)
        rest = sorted((theirs[(p[0], int(p[1]))].value for p in inc_pairs
                       if (p[0], int(p[1])) not in done and (p[0], int(p[1])) in theirs), reverse=True)
        return excess > math.fsum(rest[: max(0, need - len(done))])

    def _decide(self) -> None:
        keep: list[dict[str, Any]] = []
        busy = {k for k, _, _ in self._inflight}  # configurations with runs in flight (O(in flight) once)
        for challenger in self._challengers:
            key = challenger["key"]
            mine = self._requested.get(key, [])
            if key in busy:
                keep.append(challenger)
                continue
            if any(not cost.exact for cost in self._table.pairs(key).values()):
                continue  # capped: dominated where it ran, and its comparison can never become exact
            verdict = self._table.compare(key, self._incumbent)
            inc_pairs = self._requested.get(self._incumbent, [])
            need = min(self.first_test, len(inc_pairs))
            if verdict == "worse" and (len(mine) >= need or self._hopeless(key, mine, inc_pairs, need)):
                continue
            covered = {tuple(p) for p in mine} >= {tuple(p) for p in inc_pairs}
            if covered and self._incumbent not in busy:
                if verdict == "better":
                    self._incumbent = key
                continue  # equal / unknown after all pairs: the incumbent stays
            if len(mine) >= challenger["target"]:
                challenger["target"] *= 2
            keep.append(challenger)
        self._challengers = keep
