"""Fixtures shared by every test package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_script(path: Path, name: str) -> ModuleType:
    """Import a script that is not part of the package (a benchmark, a data builder) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_benchmark() -> Callable[[str], ModuleType]:
    """``load_benchmark("selection_modes")`` -> benchmarks/selection_modes.py as a module."""
    return lambda name: load_script(REPO / "benchmarks" / f"{name}.py", f"benchmark_{name}")
