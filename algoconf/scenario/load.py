"""Which loader reads a scenario file: YAML, an irace ``scenario.txt`` or an AClib/SMAC ``scenario.txt``.

The dispatch sits above the three loaders (:mod:`~algoconf.scenario.yaml_format`,
:mod:`~algoconf.scenario.irace`, :mod:`~algoconf.scenario.aclib`), which sit above the model
(:mod:`~algoconf.scenario.model`): no loader imports this module, so the package has no cycle.
"""

from __future__ import annotations

from pathlib import Path

from algoconf.errors import ScenarioError
from algoconf.scenario.aclib import load_aclib_scenario
from algoconf.scenario.irace import load_irace_scenario, looks_like_irace
from algoconf.scenario.model import Scenario
from algoconf.scenario.yaml_format import load_yaml_scenario
from algoconf.text_files import read_user_text

__all__ = ["load_scenario"]


def load_scenario(path: str | Path) -> Scenario:
    """Load a YAML scenario, an irace ``scenario.txt`` (recognised by an option only irace has, such as
    ``parameterFile`` or ``maxExperiments``) or an AClib/SMAC ``scenario.txt`` (``key = value`` lines)."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError("scenario file not found", file=path)
    text = read_user_text(path, ScenarioError, "scenario file")
    if path.suffix.lower() not in (".yaml", ".yml") and looks_like_irace(text):
        return load_irace_scenario(path, text)
    if path.suffix.lower() in (".yaml", ".yml") or not _looks_like_aclib(text):
        return load_yaml_scenario(path, text)
    return load_aclib_scenario(path, text)


def _looks_like_aclib(text: str) -> bool:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key = line.split("=", 1)[0].strip() if "=" in line else line.split(None, 1)[0]
        if ":" in key:  # "key: value" is YAML
            return False
        return "=" in line or len(line.split()) >= 2
    return False
