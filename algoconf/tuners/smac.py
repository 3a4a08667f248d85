"""SMAC3 (AlgorithmConfigurationFacade) driven through ask/tell; our executor runs, our history records.

SMAC proposes (configuration, instance, seed) trials; each becomes a :class:`RunRequest`. Results are
told back as SMAC ``TrialValue`` with:

* SUCCESS -> ``StatusType.SUCCESS``, cost = runtime (runtime objective) or quality;
* TIMEOUT (hit the scenario cutoff) -> ``StatusType.TIMEOUT``, cost = PAR-k (``par_factor x cutoff``);
* CAPPED (stopped at an adaptive-capping bound) -> ``StatusType.TIMEOUT``, cost = the bound, i.e.
  the runtime at which it was stopped. SMAC 2.x has no CAPPED status and no censoring model; this
  is SMAC 2.4's own convention for capped runs (its capping sums compare these costs), so a capped
  challenger is rejected by the intensifier exactly as SMAC intends. Our history keeps the run
  CAPPED (a lower bound) for every other use;
* CRASHED / MEMOUT / ABORTED -> ``CRASHED`` / ``MEMORYOUT``, cost = PAR-k (runtime) or the scenario's
  crash cost (quality; infinity is replaced by 1e10 since SMAC's model needs finite costs).

Adaptive capping is on by default for plain runtime objectives (``capping=False`` turns it off;
``adaptive_capping`` is the older name of the same option): SMAC 2.4's own capping
(``runtime_cutoff`` = the scenario cutoff, slack ``capping_slack``, default 1.2), whose per-trial
cap ``slack × Σ incumbent cost − Σ challenger cost`` on the challenger's instance-seed pairs becomes
``RunRequest.bound``, clamped as :class:`~algoconf.tuners.capping.CappingRule` clamps it (to
``[1% of the cutoff, cutoff)``; SMAC can compute a zero or negative cap; a run is never given a
non-positive limit, and a cap at the cutoff is no cap). Runs of the incumbent itself are never
capped: SMAC 2.4 caps them at ``runtime_cutoff − Σ incumbent cost``, using the per-run cutoff as a
cumulative budget, which would starve the incumbent's own evaluation.

SMAC3 2.4 orders the start points of its local search by string hashes (``list(set(configs))``),
so the same seed gave different runs in different processes (PYTHONHASHSEED); the local search
here sorts them (:class:`_StableLocalSearch`). A second, smaller hash dependence remains in the
order SMAC's intensifier races configurations (same proposals, different order after ~30 runs on
the conformance problem); a resumed run in a new process may therefore diverge from that point.

Instance features are passed when the scenario has them (SMAC reduces them with PCA); otherwise
each instance gets its index as its only feature. State: the seed, the options and the log of asks
and tells; :meth:`from_state` replays the log into a fresh facade (SMAC is deterministic for a seed
and a sequence), so a resumed tuner continues exactly — at the cost of refitting SMAC's model
along the way.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import warnings
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, cast

from algoconf.records import RunRequest, RunResult, Status
from algoconf.tuners.base import Tuner, TuningProblem
from algoconf.tuners.capping import DEFAULT_SLACK, CappingRule
from algoconf.tuners.replay_log import ReplayLog, ReplayState
from algoconf.tuners.evidence import cost_of
from algoconf.tuners.sampling import active_config

from algoconf.extras import require

require("smac", "the smac tuner")
from smac import AlgorithmConfigurationFacade, Scenario  # noqa: E402
from smac.acquisition.maximizer.local_search import LocalSearch  # noqa: E402
from smac.runhistory.dataclasses import TrialInfo, TrialValue  # noqa: E402
from smac.runhistory.encoder import RunHistoryLogEncoder  # noqa: E402
from smac.runhistory.enumerations import StatusType  # noqa: E402

if TYPE_CHECKING:
    from smac.model.random_forest import RandomForest

__all__ = ["SMACTuner"]

_FINITE_CRASH = 1e10


def _cutoff(problem: TuningProblem) -> float:
    """The cutoff of a runtime problem (a runtime problem has one)."""
    if problem.cutoff is None:
        raise ValueError("a runtime problem needs a cutoff")
    return float(problem.cutoff)


class _StableLocalSearch(LocalSearch):
    """SMAC3's local search with its start points in a reproducible order.

    SMAC 2.4 dedupes the start points with ``list(set(configurations))``; a Configuration hashes
    its ``repr`` (a string), so the order — and with it every later proposal — depends on the
    process's string-hash seed (PYTHONHASHSEED): the same seed gave different runs in different
    processes, and a resumed run replayed a different history. Sorting the deduped points by
    ``repr`` makes the order a function of the points alone.
    """

    def _get_init_points_from_previous_configs(self, *args: Any, **kwargs: Any) -> list:
        return sorted(super()._get_init_points_from_previous_configs(*args, **kwargs), key=repr)


class SMACTuner(Tuner):
    """SMAC3's AlgorithmConfigurationFacade; options ``capping`` (None: on for runtime objectives;
    ``adaptive_capping`` is its older name), ``capping_slack`` (1.2), ``random_config_prob`` (facade
    default 0.5 when None), ``log_cost`` (model log costs, as SMAC 1 did for runtime; runtime
    objectives only; off by default: no gain measured on the matrix)."""

    name = "smac"
    uses_instances = True
    supports_racing = False
    supports_capping = True
    needs_model = True
    optional_dependency = "smac"

    def __init__(self, problem: TuningProblem, seed: int = 0, *, capping: bool | None = None,
                 capping_slack: float = DEFAULT_SLACK, random_config_prob: float | None = None,
                 log_cost: bool = False, adaptive_capping: bool | None = None) -> None:
        super().__init__(problem, seed)
        if capping is not None and adaptive_capping is not None and bool(capping) != bool(adaptive_capping):
            raise ValueError("capping and adaptive_capping are one option: give one of them")
        option = capping if capping is not None else adaptive_capping
        self.capping = CappingRule.for_problem(problem, option, capping_slack)
        plain_runtime = problem.objective == "runtime" and not problem.extra.get("utility")
        if log_cost and not plain_runtime:
            raise ValueError("log_cost needs a runtime objective (positive costs)")
        log_cost = bool(log_cost)
        self._params = {"capping": option, "capping_slack": float(capping_slack),
                        "random_config_prob": random_config_prob, "log_cost": log_cost}
        self.adaptive_capping = self.capping is not None
        self._outdir = tempfile.mkdtemp(prefix="algoconf-smac-")
        # a finalizer, not __del__: it also runs at interpreter exit, before modules are torn down
        weakref.finalize(self, shutil.rmtree, self._outdir, ignore_errors=True)
        features: dict[str, list[float]]
        if problem.features:
            features = {str(k): [float(x) for x in v] for k, v in problem.features.items() if k in set(problem.instances)}
        else:
            features = {name: [float(i)] for i, name in enumerate(problem.instances)}
        if problem.objective == "runtime":
            crash = problem.par_factor * _cutoff(problem)
        else:
            crash = problem.crash_cost if math.isfinite(problem.crash_cost) else _FINITE_CRASH
        self._crash = crash
        scenario = Scenario(
            problem.space, name="algoconf", output_directory=Path(self._outdir), deterministic=problem.deterministic,
            crash_cost=crash, n_trials=10**9, instances=list(problem.instances), instance_features=features,
            seed=self.seed, use_default_config=True,
            adaptive_capping=self.adaptive_capping,
            adaptive_capping_slackfactor=self._params["capping_slack"] if self.adaptive_capping else None,
            # SMAC annotates runtime_cutoff as int, but compares it with float runtimes: a real cutoff is fine
            runtime_cutoff=problem.cutoff if self.adaptive_capping else None,  # type: ignore[arg-type]
        )
        kwargs: dict[str, Any] = {}
        maximizer = AlgorithmConfigurationFacade.get_acquisition_maximizer(scenario)
        maximizer._local_search.__class__ = _StableLocalSearch  # same object, reproducible start order
        kwargs["acquisition_maximizer"] = maximizer
        if log_cost:
            kwargs["runhistory_encoder"] = RunHistoryLogEncoder(scenario)
        if random_config_prob is not None:
            kwargs["random_design"] = AlgorithmConfigurationFacade.get_random_design(
                scenario, probability=float(random_config_prob))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SMAC 2.4 calls deprecated ConfigSpace API
            self.smac = AlgorithmConfigurationFacade(scenario, target_function=None, overwrite=True,
                                                     logging_level=logging.ERROR, **kwargs)
        # SMAC's random forest fits and predicts in a joblib thread pool (n_jobs=-1) by default: a new
        # pool per prediction, whose CPU a charged virtual clock (thread CPU time) did not see, and
        # whose threads add the trees' predictions in a varying order. One thread: all of SMAC's
        # time is the caller's, and the sums are reproducible.
        cast("RandomForest", self.smac._model)._rf_opts["n_jobs"] = 1
        self._pending: dict[tuple[str, str, int], list[TrialInfo]] = {}
        self._asked = 0
        self._log = ReplayLog()

    # --- contract ---------------------------------------------------------------------------------
    def ask(self, n: int = 1) -> list[RunRequest]:
        self._log.asked(n)
        out: list[RunRequest] = []
        while len(out) < n and not self._budget_spent():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                info = self.smac.ask()
            config = active_config(self.problem.space, dict(info.config))
            bound = None
            if self.capping is not None and "cutoff" in info.additional_info and not self._is_incumbent(info.config):
                bound = self.capping.clamp(float(info.additional_info["cutoff"]))
            seed = int(info.seed) if info.seed is not None else 0
            request = RunRequest(config, str(info.instance), seed, self.problem.cutoff, bound=bound)
            waiting = self._pending.setdefault(request.key, [])
            waiting.append(info)
            if len(waiting) > 1:  # SMAC asked for a run already in flight: answered with it, not re-run
                continue
            out.append(request)
            self._asked += 1
        return out

    def tell(self, results: Sequence[RunResult]) -> None:
        """Report results to SMAC. A result of a run this tuner did not ask (a resumed run whose
        replay diverged, see :mod:`~algoconf.tuners.replay_log`) is told as a custom trial."""
        self._log.told(results)
        for result in results:
            infos = self._pending.pop(result.key, [])
            if not infos:
                from ConfigSpace import Configuration

                config = Configuration(self.problem.space, values=dict(result.request.config))
                infos = [TrialInfo(config, instance=result.request.instance, seed=int(result.request.seed))]
            for info in infos:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.smac.tell(info, self._value(result), save=False)

    @property
    def incumbent(self) -> dict[str, Any] | None:
        inc = self.smac.intensifier.get_incumbent()
        return active_config(self.problem.space, dict(inc)) if inc is not None else None

    @property
    def finished(self) -> bool:
        return self._budget_spent()

    def state(self) -> dict[str, Any]:
        return self.snapshot().to_dict()

    def snapshot(self) -> ReplayState:
        """The tuner's state as a record: its seed, options and ask/tell log."""
        return ReplayState(seed=self.seed, params=self._params, log=self._log.entries)

    @classmethod
    def from_state(cls, problem: TuningProblem, state: Mapping[str, Any]) -> "SMACTuner":
        return ReplayState.from_dict(state).rebuild(cls, problem)

    # --- internals --------------------------------------------------------------------------------
    def _is_incumbent(self, config: Any) -> bool:
        return any(config == inc for inc in self.smac.intensifier.get_incumbents())

    def _budget_spent(self) -> bool:
        return self.problem.max_runs is not None and self._asked >= self.problem.max_runs

    def _value(self, result: RunResult) -> "TrialValue":
        p = self.problem
        status = result.status
        if p.objective == "runtime" and p.extra.get("utility") is not None:
            # utility objective: cost 1 - u(runtime); censored runs are SMAC timeouts at that cost
            cost = cost_of(p, result).value
            kind = StatusType.SUCCESS if status is Status.SUCCESS else (
                StatusType.TIMEOUT if status.censored else StatusType.CRASHED)
            return TrialValue(cost=cost, time=result.runtime, status=kind)
        if p.objective == "runtime":
            if status is Status.SUCCESS:
                return TrialValue(cost=min(result.runtime, _cutoff(p)), time=result.runtime, status=StatusType.SUCCESS)
            if status is Status.CAPPED:
                return TrialValue(cost=result.runtime, time=result.runtime, status=StatusType.TIMEOUT)
            if status is Status.TIMEOUT:
                return TrialValue(cost=p.par_factor * _cutoff(p), time=result.runtime, status=StatusType.TIMEOUT)
        elif status is Status.SUCCESS and result.quality is not None and math.isfinite(result.quality):
            cost = -result.quality if p.maximize else result.quality
            return TrialValue(cost=cost, time=result.runtime, status=StatusType.SUCCESS)
        elif status in (Status.TIMEOUT, Status.CAPPED):
            return TrialValue(cost=self._crash, time=result.runtime, status=StatusType.TIMEOUT)
        kind = StatusType.MEMORYOUT if status is Status.MEMOUT else StatusType.CRASHED
        return TrialValue(cost=self._crash, time=result.runtime, status=kind)
