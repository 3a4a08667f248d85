"""Where a runtime matrix's rows and columns come from, and how one entry is measured.

* :class:`MinisatSource`: minisat on seeded uniform random 3-SAT (:func:`generate`); rows are
  configurations of a small minisat space (:func:`minisat_space`: row 0 minisat's default, then
  uniform samples, then optionally neighbours of the best rows).
* :class:`ScenarioSource`: an algoconf scenario; columns are its training then test instances,
  rows configurations of its space; each run is launched as the scenario's target launches it and
  counts as solved only when the target's own answer check says SUCCESS.

Both measure an entry with :func:`algoconf.benchmarking.cpu_run.run_once` (CPU seconds of the
solver process; an unsolved entry is right-censored at the cutoff). ``benchmarks/build_matrix.py``
drives a build with them.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from ConfigSpace import Categorical, Configuration, ConfigurationSpace, EqualsCondition, Float, Integer
from ConfigSpace.util import get_random_neighbor

from algoconf.benchmarking.cpu_run import run_once
from algoconf.errors import MatrixError
from algoconf.execution.limits import ProcessOutcome
from algoconf.records import RunRequest, Status, config_key
from algoconf.scenario import load_scenario
from algoconf.space import active_config, default_config, sample_configs
from algoconf.space import neighbours as one_exchange
from algoconf.targets import build_target

__all__ = [
    "MINISAT",
    "MinisatSource",
    "ScenarioSource",
    "command",
    "generate",
    "local_configs",
    "minisat_space",
    "plain",
    "read_extra_configs",
    "solver_version",
    "space_json",
    "uniform_configs",
]

MINISAT = "/usr/bin/minisat"


def minisat_space() -> ConfigurationSpace:
    """The minisat parameters the matrix varies (defaults = minisat's own defaults)."""
    space = ConfigurationSpace(seed=0)
    luby = Categorical("luby", [True, False], default=True)
    rinc = Float("rinc", (1.05, 4.0), default=2.0, log=True)
    var_decay = Float("var-decay", (0.75, 0.99), default=0.95)
    cla_decay = Float("cla-decay", (0.9, 0.9999), default=0.999)
    rnd_freq = Float("rnd-freq", (0.0, 0.2), default=0.0)
    rfirst = Integer("rfirst", (10, 1000), default=100, log=True)
    phase = Integer("phase-saving", (0, 2), default=2)
    ccmin = Integer("ccmin-mode", (0, 2), default=2)
    pre = Categorical("pre", [True, False], default=True)
    elim = Categorical("elim", [True, False], default=True)
    space.add([luby, rinc, var_decay, cla_decay, rnd_freq, rfirst, phase, ccmin, pre, elim])
    space.add(EqualsCondition(elim, pre, True))
    return space


def space_json(space: ConfigurationSpace) -> str:
    buffer = io.StringIO()
    space.to_json(buffer)
    return buffer.getvalue()


def plain(config) -> dict:
    """A configuration as a dict of plain Python values."""
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in dict(config).items()}


def command(config: dict, path: str) -> list[str]:
    args = [MINISAT, "-verb=0"]
    for name, value in sorted(config.items()):
        if isinstance(value, bool) or value in ("True", "False"):
            on = value in (True, "True")
            args.append(f"-{name}" if on else f"-no-{name}")
        else:
            args.append(f"-{name}={value}")
    args.append(path)
    return args


def generate(n: int, seed: int, ratio: float = 4.26) -> str:
    """Uniform random 3-SAT with ``n`` variables and ``round(ratio * n)`` clauses (seeded)."""
    rng = random.Random(seed)
    m = int(round(n * ratio))
    lines = [f"p cnf {n} {m}"]
    for _ in range(m):
        lits = rng.sample(range(1, n + 1), 3)
        lines.append(" ".join(str(v if rng.random() < 0.5 else -v) for v in lits) + " 0")
    return "\n".join(lines) + "\n"


def uniform_configs(space: ConfigurationSpace, count: int, seed: int) -> list[dict]:
    """Minisat's default, then distinct uniform samples (a prefix-stable sequence for a seed)."""
    space.seed(seed)
    configs = [plain(space.get_default_configuration())]
    keys = {json.dumps(configs[0], sort_keys=True)}
    while len(configs) < count:
        c = plain(space.sample_configuration())
        k = json.dumps(c, sort_keys=True)
        if k not in keys:
            keys.add(k)
            configs.append(c)
    return configs


def local_configs(
    space: ConfigurationSpace, configs: list[dict], par10: np.ndarray, count: int, seed: int, parents: int = 5
) -> tuple[list[dict], list[int]]:
    """``count`` distinct neighbours (one or two one-parameter changes) of the ``parents`` best rows."""
    best = [int(i) for i in np.argsort(par10, kind="stable")[:parents]]
    rng = random.Random(seed)
    keys = {json.dumps(c, sort_keys=True) for c in configs}
    out: list[dict] = []
    origin: list[int] = []
    while len(out) < count:
        parent = best[len(out) % len(best)]
        config = Configuration(space, values=configs[parent])
        for _ in range(rng.choice((1, 2))):
            config = get_random_neighbor(config, seed=rng.randrange(2**31))
        c = plain(config)
        k = json.dumps(c, sort_keys=True)
        if k not in keys:
            keys.add(k)
            out.append(c)
            origin.append(parent)
    return out, origin


def solver_version() -> str:
    try:
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "minisat"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = ""
    return f"minisat {version or '(version unknown)'} ({MINISAT})"


class MinisatSource:
    """Rows and columns of the original build: minisat on seeded uniform random 3-SAT."""

    runtime_text = "ru_utime+ru_stime of the minisat process (wait4)"

    def __init__(self, *, sizes: list[int], instances: int, seed: int, ratio: float, cutoff: float):
        self.sizes = list(sizes)
        self.seed, self.ratio, self.count = seed, ratio, instances
        self.space = minisat_space()
        self.names = [f"u3sat-n{self.sizes[j % len(self.sizes)]}-s{seed * 100000 + j}.cnf" for j in range(instances)]
        self.header = {
            "seed": seed,
            "cutoff": cutoff,
            "sizes": self.sizes,
            "ratio": ratio,
            "instances": instances,
            "space": space_json(self.space),
        }
        self.solver = solver_version()
        self.generator = (
            f"uniform random 3-SAT (algoconf.benchmarking.matrix_sources:generate), ratio {ratio}, "
            f"sizes {','.join(map(str, self.sizes))} cycled over columns, "
            "instance seed = seed*100000+column"
        )
        self.tmp: Path | None = None

    def initial_configs(self, count: int, neighbours: int, seed: int) -> tuple[list[dict], dict]:
        if neighbours:
            raise MatrixError("neighbours of the default need a scenario source (--scenario)")
        return uniform_configs(self.space, count, seed), {"default": 1, "uniform": count - 1}

    def local_configs(self, configs, par10, count, seed):
        return local_configs(self.space, configs, par10, count, seed)

    def prepare(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="acmatrix-"))
        for j, name in enumerate(self.names):
            (self.tmp / name).write_text(generate(self.sizes[j % len(self.sizes)], self.seed * 100000 + j, self.ratio))

    def run(self, config: dict, j: int, cutoff: float, backstop: float) -> tuple[float, bool]:
        """CPU seconds of minisat with ``config`` on column ``j`` and whether it answered (after :meth:`prepare`)."""
        if self.tmp is None:
            raise RuntimeError("MinisatSource.run before prepare()")
        return run_once(command(config, str(self.tmp / self.names[j])), cutoff, backstop)

    def cleanup(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


class ScenarioSource:
    """Rows and columns from an algoconf scenario: its space, its train + test instances, its target.

    Each run is launched exactly as the scenario's target launches it (``Target.prepare``: argv,
    environment, working folder), with the run seed ``seed``; it counts as solved when the target's
    own answer check says SUCCESS (for the bundled SAT runners: an ``s`` line whose model satisfies
    the formula and agrees with the generator's sidecar) within the CPU cutoff. The matrix's space is
    the scenario's, so ``configure <scenario> --simulate <matrix>`` accepts it.
    """

    def __init__(self, scenario: str | Path, *, seed: int, cutoff: float | None):
        """``seed`` is the run seed of every entry; ``cutoff`` is recorded in the journal's header."""

        self.path = Path(scenario)
        self.scenario = load_scenario(self.path)
        if self.scenario.objective != "runtime":
            raise MatrixError("a runtime matrix needs a runtime scenario", file=self.path)
        self.space = self.scenario.space
        self.instances = list(self.scenario.train) + list(self.scenario.test or ())
        self.names = [inst.name for inst in self.instances]
        self.split = {"train": len(self.scenario.train), "test": len(self.scenario.test or ())}
        self.target = build_target(self.scenario.target, self.scenario.root)
        self.run_seed = seed
        self.header = {
            "scenario": self.scenario.name,
            "seed": seed,
            "cutoff": cutoff,
            "instances": self.names,
            "space": space_json(self.space),
        }
        program = getattr(getattr(self.target, "runner", None), "program", None) or self.scenario.target.kind
        self.solver = self._version(program)
        self.generator = (
            f"the train + test instances of scenario {self.scenario.name} "
            f"({self.path}): train {_source_text(self.scenario.train.source)}, "
            f"test {_source_text(self.scenario.test.source if self.scenario.test else None)}"
        )
        self.runtime_text = (
            f"ru_utime+ru_stime of the {program} process (wait4); solved = the "
            "target's answer check says SUCCESS within the cutoff"
        )

    @staticmethod
    def _version(program: str) -> str:
        try:
            package = {"cadical": "cadical", "clasp": "clasp", "minisat": "minisat"}.get(program)
            version = (
                subprocess.run(
                    ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, timeout=10
                ).stdout.strip()
                if package
                else ""
            )
        except (OSError, subprocess.SubprocessError):
            version = ""
        return f"{program} {version or '(version unknown)'}"

    def initial_configs(self, count: int, neighbours: int, seed: int) -> tuple[list[dict], dict]:
        """The default, ``neighbours`` one-exchange neighbours of it, then uniform samples up to ``count``."""

        default = default_config(self.space)
        rows = [default] + one_exchange(self.space, default, neighbours, seed)
        keys = {config_key(c) for c in rows}
        n_near = len(rows) - 1
        draw = 0
        while len(rows) < count:
            batch = sample_configs(self.space, 4 * count, seed + 7919 * (draw + 1))
            draw += 1
            for config in batch:
                if len(rows) < count and config_key(config) not in keys:
                    keys.add(config_key(config))
                    rows.append(config)
        return [plain(c) for c in rows], {"default": 1, "default_neighbours": n_near, "uniform": count - 1 - n_near}

    def local_configs(self, configs, par10, count, seed, parents: int = 5):
        """``count`` distinct one- or two-step neighbours of the ``parents`` best rows so far."""
        best = [int(i) for i in np.argsort(par10, kind="stable")[:parents]]
        rng = random.Random(seed)
        keys = {config_key(c) for c in configs}
        out: list[dict] = []
        origin: list[int] = []
        for _ in range(100 * count):
            if len(out) >= count:
                break
            parent = best[len(out) % len(best)]
            config = configs[parent]
            for _ in range(rng.choice((1, 2))):
                found = one_exchange(self.space, config, 1, rng.randrange(2**31))
                config = found[0] if found else config
            if config_key(config) not in keys:
                keys.add(config_key(config))
                out.append(plain(config))
                origin.append(parent)
        return out, origin

    def prepare(self) -> None:
        missing = [inst.name for inst in self.instances if inst.path is None or not Path(inst.path).is_file()]
        if missing:
            raise MatrixError(f"instance files missing (first: {missing[0]})", file=self.path)

    def run(self, config: dict, j: int, cutoff: float, backstop: float) -> tuple[float, bool]:
        """CPU seconds of the scenario's target with ``config`` on instance ``j`` and whether the target's
        answer check says SUCCESS within ``cutoff``."""
        instance = self.instances[j]
        request = RunRequest(config=config, instance=instance.name, seed=self.run_seed, cutoff=cutoff)
        launch = self.target.prepare(request, instance)

        def answered(returncode: int, stdout: bytes | None) -> bool:
            outcome = ProcessOutcome(
                exit_code=returncode,
                signal=None,
                cpu_time=0.0,
                wallclock=0.0,
                stdout=(stdout or b"").decode("utf-8", "replace"),
                stderr_tail="",
            )
            return self.target.answer(request, instance, outcome).status is Status.SUCCESS

        return run_once(
            list(launch.argv),
            cutoff,
            backstop,
            answered=answered,
            env=dict(launch.env) if launch.env is not None else None,
            cwd=launch.cwd,
            capture=True,
        )

    def cleanup(self) -> None:
        pass


def _source_text(source) -> str:
    return json.dumps(dict(source), sort_keys=True) if source else "(in memory)"


def read_extra_configs(path: str | None, space: ConfigurationSpace) -> list[dict]:
    """Rows from a JSON list of configurations (e.g. tuner incumbents), each checked against the space."""
    if not path:
        return []
    items = json.loads(Path(path).read_text())
    if not isinstance(items, list):
        raise MatrixError("expected a JSON list of configurations", file=path)
    return [plain(active_config(space, item)) for item in items]
