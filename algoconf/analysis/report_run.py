"""What a report reads from disk: a configuration run directory, a DAC policy-search run directory,
and DAC evaluation traces.

* A **configuration run** (``algoconf configure``) holds ``history.sqlite``, ``run.json`` (scenario
  path, tuner, seed, outcome; written when the run ends, so an interrupted run has none) and, once
  validated, ``validation.json``. The scenario's settings
  (cutoff, objective, PAR factor, space, training instances) come from the history's stored
  fingerprint, so the report does not need the scenario file or its instances.
* A **DAC policy search** through the engine (``algoconf dac search --run-dir DIR``) holds only
  ``history.sqlite``; its fingerprint names the benchmark (``dac_benchmark``); costs are qualities.
* A **DAC trace** (``algoconf dac evaluate --trace FILE``) is JSON lines: one per step and one
  ``{"episode_end": ...}`` line per episode; ``*.jsonl`` files in a run directory are read too.

Nothing here writes: the history is opened without a scenario (no fingerprint check, no changes).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from algoconf.errors import InputError
from algoconf.records import Estimate, RunResult, result_cost

__all__ = ["ConfigurationRun", "DACTrace", "Episode", "load_configuration_run", "load_dac_trace",
           "run_kind", "trace_files"]

RUN_FILE = "run.json"
VALIDATION_FILE = "validation.json"


@dataclass(frozen=True)
class ConfigurationRun:
    """Everything a report shows about one configuration (or DAC policy-search) run directory."""

    path: Path
    kind: str  # "configuration" or "dac-search"
    name: str
    settings: Mapping[str, Any]  # the history fingerprint, decoded (without the space text)
    tuner: str | None
    seed: int | None
    outcome: Mapping[str, Any]  # run.json "outcome" (empty for a DAC search)
    default: Mapping[str, Any] | None
    incumbent: Mapping[str, Any] | None
    configs: Mapping[str, Mapping[str, Any]]
    results: Sequence[RunResult]
    validation: Mapping[str, Any] | None
    space_text: str | None = None  # the space as stored in the history (ConfigSpace's JSON)

    def space(self) -> Any:
        """The run's ConfigurationSpace, or None (a DAC search stores none)."""
        if not self.space_text:
            return None
        from ConfigSpace import ConfigurationSpace

        return ConfigurationSpace.from_serialized_dict(json.loads(self.space_text))

    @property
    def objective(self) -> str:
        return str(self.settings.get("objective", "runtime"))

    @property
    def cutoff(self) -> float | None:
        c = self.settings.get("cutoff")
        return None if c is None else float(c)

    @property
    def par_factor(self) -> float:
        return float(self.settings.get("par_factor", 10.0))

    @property
    def time_kind(self) -> str:
        return str(self.settings.get("time_kind", "cpu"))

    def cost(self, result: RunResult) -> Estimate:
        """The scenario's cost of one result (PAR-k for runtime; quality, negated when maximising)."""
        crash = self.settings.get("crash_cost")
        return result_cost(result, objective=self.objective, cutoff=self.cutoff, par_factor=self.par_factor,
                           maximize=bool(self.settings.get("maximize", False)),
                           crash_cost=float(crash) if crash is not None else math.inf)


@dataclass(frozen=True)
class Episode:
    episode: int
    instance: str
    seed: int
    rewards: tuple[float, ...]
    ret: float


@dataclass(frozen=True)
class DACTrace:
    path: Path
    episodes: tuple[Episode, ...]


def run_kind(path: Path) -> str:
    """"configuration", "dac-search", "dac-trace" or "selection"; InputError for anything else."""
    from algoconf.analysis.report_selection import is_selection_json, selection_files

    if path.is_file():
        if path.suffix in (".jsonl", ".ndjson"):
            return "dac-trace"
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text())
            except json.JSONDecodeError:
                return "dac-trace"  # JSON lines
            if is_selection_json(data):
                return "selection"
            if isinstance(data, Mapping) and ("episode" in data or "episode_end" in data):
                return "dac-trace"  # a one-line trace
            raise InputError("expected selection results (the JSON of 'algoconf select evaluate --json') or a "
                             "DAC trace (JSON lines)", file=path)
        raise InputError("expected a run directory (with history.sqlite), a DAC trace (.jsonl) or selection "
                         "results (.json)", file=path)
    if not (path / "history.sqlite").is_file():
        if trace_files(path):
            return "dac-trace"
        if selection_files(path):
            return "selection"
        raise InputError("no history.sqlite here: not a run directory (run 'algoconf configure' first)", file=path)
    if (path / RUN_FILE).is_file():
        return "configuration"
    from algoconf.history import RunHistory

    with RunHistory.open(path) as history:  # an interrupted configure has a history but no run.json yet
        fingerprint = history.fingerprint or {}
    return "dac-search" if "dac_benchmark" in fingerprint else "configuration"


def trace_files(path: Path) -> list[Path]:
    return sorted(p for p in path.glob("*.jsonl") if p.is_file()) if path.is_dir() else []


def load_configuration_run(path: str | Path) -> ConfigurationRun:
    """Read a configuration or DAC policy-search run directory (read-only)."""
    from algoconf.history import RunHistory

    path = Path(path)
    kind = run_kind(path)
    if kind == "dac-trace":
        raise InputError("this is a DAC trace, not a run directory with a history", file=path)
    info: dict[str, Any] = {}
    if kind == "configuration" and (path / RUN_FILE).is_file():
        info = _read_json(path / RUN_FILE)
    with RunHistory.open(path) as history:
        fingerprint = dict(history.fingerprint or {})
        results = history.results()
        configs = history.configs()
        tuner_state = history.load_state("tuner") or {}
    space_text = fingerprint.pop("space", None)
    settings = {k: _decode(v) for k, v in fingerprint.items()}
    if kind == "dac-search":
        settings.setdefault("objective", "quality")  # a policy search minimises the episode cost
    default = _default_config(space_text) if space_text else None
    outcome = dict(info.get("outcome") or {})
    validation = _read_json(path / VALIDATION_FILE) if (path / VALIDATION_FILE).is_file() else None
    if kind == "configuration" and info:
        incumbent = outcome.get("incumbent")
        name = _scenario_name(Path(str(info.get("scenario", ""))))
        tuner, seed = info.get("tuner"), info.get("seed")
    elif kind == "configuration":  # interrupted before run.json: the replay gives the incumbent
        incumbent, name = None, path.name
        tuner, seed = tuner_state.get("tuner"), settings.get("seed")
    else:
        incumbent = None  # filled by the report from the replayed trajectory
        name = f"DAC {settings.get('dac_benchmark', '?')} / {settings.get('family', '?')}"
        tuner, seed = settings.get("tuner"), settings.get("seed")
    return ConfigurationRun(path, kind, name or path.name, settings, tuner, seed, outcome, default, incumbent,
                            configs, tuple(results), validation, space_text)


def load_dac_trace(path: str | Path) -> DACTrace:
    """Episodes of a DAC evaluation trace (JSON lines); InputError naming the line when malformed."""
    path = Path(path)
    steps: dict[int, list[float]] = {}
    episodes: list[Episode] = []
    with path.open() as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if "episode_end" in row:
                    e = int(row["episode_end"])
                    episodes.append(Episode(e, str(row["instance"]), int(row["seed"]),
                                            tuple(steps.pop(e, [])), float(row["return"])))
                else:
                    steps.setdefault(int(row["episode"]), []).append(float(row["reward"]))
            except (ValueError, KeyError, TypeError) as err:
                raise InputError(f"expected a DAC trace line (JSON with episode/reward or episode_end/return): {err}",
                                 file=path, line=lineno) from None
    if not episodes:
        raise InputError("no finished episode in this trace (no 'episode_end' line)", file=path)
    return DACTrace(path, tuple(episodes))


def _scenario_name(path: Path) -> str:
    """The ``name:`` of a YAML scenario when the file is still there; else the file's folder or stem."""
    if path.suffix in (".yaml", ".yml") and path.is_file():
        import yaml

        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            data = None
        if isinstance(data, Mapping) and data.get("name"):
            return str(data["name"])
    return path.parent.name if path.stem == "scenario" else path.stem


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"expected JSON: {err.msg}", file=path, line=err.lineno) from None


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _default_config(space_text: str) -> dict[str, Any] | None:
    from ConfigSpace import ConfigurationSpace

    from algoconf.space import default_config

    return default_config(ConfigurationSpace.from_serialized_dict(json.loads(space_text)))
