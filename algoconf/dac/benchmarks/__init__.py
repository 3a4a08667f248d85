"""The registry of DAC benchmarks: ids, options, named policies and the policy families searched.

``make_env("leadingones", n=50)`` or ``make_env("sigmoid-v2", dim=2)``; a bare name means the
benchmark's default version. :func:`get_benchmark` returns the :class:`BenchmarkSpec`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from algoconf.dac.env import DACEnv
from algoconf.dac.policies import (
    BinnedFamily,
    NamedPolicy,
    Policy,
    PolicyFamily,
    ScheduleFamily,
    StaticFamily,
    ThresholdFamily,
    register_named_policy,
    register_policy_kind,
)
from algoconf.errors import DACError

__all__ = ["BenchmarkSpec", "BENCHMARKS", "get_benchmark", "make_env", "parse_id", "named_policy"]


@dataclass(frozen=True)
class BenchmarkSpec:
    """What the registry knows about one benchmark.

    ``versions`` maps a reward version to its env class; ``options`` maps option name to
    (type, default, help); ``named`` maps a policy name to a factory of it; ``families`` maps a
    family name to a factory ``env -> PolicyFamily`` (the first is the default for search);
    ``static`` is the configuration of the ``static`` policy (the best static one where known).
    """

    name: str
    description: str
    versions: Mapping[int, type[DACEnv]]
    default_version: int
    options: Mapping[str, tuple[type, Any, str]]
    named: Mapping[str, Callable[[], Policy]]
    families: Mapping[str, Callable[[DACEnv], PolicyFamily]]
    static: Callable[[Any], dict[str, Any]]  # takes the benchmark's own environment class
    optimum_known: bool = False
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _lo_families() -> dict[str, Callable[[DACEnv], PolicyFamily]]:
    def threshold(env: Any) -> PolicyFamily:
        return ThresholdFamily("fitness", sorted(env.portfolio, reverse=True), 0.0, float(env.n))

    def binned(env: Any) -> PolicyFamily:
        edges = [env.n * (b + 1) / 10 for b in range(9)]
        return BinnedFamily("fitness", edges, choices=list(env.portfolio))

    return {"threshold": threshold, "binned": binned, "static": lambda env: StaticFamily(env.codec.space)}


def _onemax_families() -> dict[str, Callable[[DACEnv], PolicyFamily]]:
    def binned(env: Any) -> PolicyFamily:
        # bins of the distance d = n - f: [1, 2), [2, 4), ...; one λ per bin, searched as a multiplier
        # in [1/2, 2] of the theory value sqrt(n / d) at the bin's geometric centre
        edges = [float(e) for e in range(1, int(math.log2(env.n)))]
        centres = [2.0 ** (b + 0.5) for b in range(len(edges))] + [math.sqrt(2.0 ** len(edges) * env.n)]
        base = [math.sqrt(env.n / c) for c in centres]
        return BinnedFamily("log2_distance", edges, value_range=(0.5, 2.0, True), base=base, clip=(1.0, float(env.n)))

    def binned_raw(env: Any) -> PolicyFamily:
        edges = [float(e) for e in range(1, int(math.log2(env.n)))]
        return BinnedFamily("log2_distance", edges, value_range=(1.0, max(2.0, 2 * math.sqrt(env.n)), True))

    return {"binned": binned, "binned_raw": binned_raw, "static": lambda env: StaticFamily(env.codec.space)}


def _sigmoid_families() -> dict[str, Callable[[DACEnv], PolicyFamily]]:
    def threshold(env: Any) -> PolicyFamily:
        return ThresholdFamily("logit", list(range(env.n_actions)), -6.0, 6.0)

    return {"threshold": threshold, "static": lambda env: StaticFamily(env.codec.space)}


def _luby_families() -> dict[str, Callable[[DACEnv], PolicyFamily]]:
    def schedule(env: Any) -> PolicyFamily:
        return ScheduleFamily("exponent", list(range(7)), env.max_length)

    return {"schedule": schedule, "static": lambda env: StaticFamily(env.codec.space)}


def _cmaes_families() -> dict[str, Callable[[DACEnv], PolicyFamily]]:
    from algoconf.dac.benchmarks.cmaes import ScaledCSAFamily

    def schedule(env: Any) -> PolicyFamily:
        return BinnedFamily("progress", [0.2, 0.4, 0.6, 0.8], value_range=(1e-4, 2.0, True))

    return {"scaled_csa": lambda env: ScaledCSAFamily(), "binned": schedule,
            "static": lambda env: StaticFamily(env.codec.space)}


def _build() -> dict[str, BenchmarkSpec]:
    from algoconf.dac.benchmarks import cmaes, leadingones, luby, onemax, sigmoid

    specs = [
        BenchmarkSpec(
            name="sigmoid",
            description="follow d sigmoids with M discrete values per step (v1 product reward, v2 mean-exp)",
            versions={1: sigmoid.SigmoidEnv, 2: sigmoid.SigmoidEnvV2},
            default_version=1,
            options={
                "dim": (int, 1, "number of sigmoids (action dimensions)"),
                "actions": (int, 3, "values per dimension (M)"),
                "steps": (int, 10, "steps per episode (T)"),
            },
            named={"optimal": sigmoid.SigmoidOptimalPolicy},
            families=_sigmoid_families(),
            static=lambda env: {p.name: (env.n_actions - 1) // 2 for p in env.codec.params},
            optimum_known=True,
        ),
        BenchmarkSpec(
            name="luby",
            description="play the Luby restart sequence; 0 per correct step, -1 per wrong one",
            versions={1: luby.LubyEnv},
            default_version=1,
            options={"length": (int, 8, "steps per episode (DACBench default 8, cutoff 64)")},
            named={"optimal": luby.LubyOptimalPolicy},
            families=_luby_families(),
            static=lambda env: {"exponent": 0},
            optimum_known=True,
        ),
        BenchmarkSpec(
            name="leadingones",
            description="RLS_k on LeadingOnes, k from a portfolio K; return = -evaluations",
            versions={1: leadingones.LeadingOnesEnv},
            default_version=1,
            options={
                "n": (int, 50, "problem size"),
                "portfolio": (tuple, (1, 2, 4, 8, 16), "k values (comma list; 'all' = 1..n)"),
                "cutoff": (int, None, "evaluation budget (default 10 n^2)"),
            },
            named={
                "optimal": lambda: leadingones.LeadingOnesTablePolicy("optimal"),
                "theory": lambda: leadingones.LeadingOnesTablePolicy("theory"),
            },
            families=_lo_families(),
            static=lambda env: {"k": min(env.portfolio)},
            optimum_known=True,
        ),
        BenchmarkSpec(
            name="onemax",
            description="(1+(lambda,lambda)) GA on OneMax with lambda control; return = -evaluations",
            versions={1: onemax.OneMaxEnv},
            default_version=1,
            options={
                "n": (int, 500, "problem size"),
                "cutoff": (int, None, "evaluation budget (default 50 n)"),
            },
            named={"theory": onemax.OneMaxTheoryPolicy},
            families=_onemax_families(),
            static=lambda env: {"lambda": 8.0},
        ),
        BenchmarkSpec(
            name="cmaes",
            description="CMA-ES step-size control on BBOB-style functions (cma); return = log10 regret gained",
            versions={1: cmaes.CMAESEnv},
            default_version=1,
            options={
                "dim": (int, 5, "dimension"),
                "generations": (int, 50, "generations per episode"),
            },
            named={"csa": cmaes.CSAPolicy},
            families=_cmaes_families(),
            static=lambda env: {"sigma": 0.5},
        ),
    ]
    return {s.name: s for s in specs}


BENCHMARKS: dict[str, BenchmarkSpec] = _build()


def _register_kinds() -> None:
    from algoconf.dac.benchmarks.cmaes import ScaledCSAPolicy

    register_policy_kind("cmaes_scaled_csa", lambda d: ScaledCSAPolicy(d["edges"], d["multipliers"]))


_register_kinds()
for _spec in BENCHMARKS.values():
    for _name, _factory in _spec.named.items():
        register_named_policy(_spec.name, _name, _factory)

_ID = re.compile(r"^(?P<name>[a-z_]+)(?:-v(?P<version>\d+))?$")


def parse_id(benchmark_id: str) -> tuple[BenchmarkSpec, int]:
    """``"sigmoid-v2"`` -> (spec, 2); ``"sigmoid"`` -> (spec, default version)."""
    match = _ID.match(benchmark_id.strip().lower())
    if not match or match["name"] not in BENCHMARKS:
        raise DACError(f"unknown benchmark {benchmark_id!r}; expected one of {sorted(BENCHMARKS)} (optionally -vN)")
    spec = BENCHMARKS[match["name"]]
    version = int(match["version"]) if match["version"] else spec.default_version
    if version not in spec.versions:
        raise DACError(f"{spec.name} has versions {sorted(spec.versions)}, not {version}")
    return spec, version


def get_benchmark(benchmark_id: str) -> BenchmarkSpec:
    return parse_id(benchmark_id)[0]


def make_env(benchmark_id: str, **options: Any) -> DACEnv:
    """Build the environment of a benchmark id with options (unknown options raise DACError)."""
    spec, version = parse_id(benchmark_id)
    passthrough = {"instances", "split", "order", "simulation", "functions"}
    for key in options:
        if key not in spec.options and key not in passthrough:
            raise DACError(f"{spec.name} has no option {key!r}; options: {sorted(spec.options)}")
    return spec.versions[version](**options)


def named_policy(benchmark_id: str, name: str) -> Policy:
    """A benchmark's named policy (``optimal``, ``theory``, ``csa``), serialisable by name."""
    spec, _ = parse_id(benchmark_id)
    if name not in spec.named:
        raise DACError(f"{spec.name} has no policy {name!r}; it has {sorted(spec.named)}")
    return NamedPolicy(spec.name, name, spec.named[name]())
