"""Fixtures shared by every test package."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_script(path: Path, name: str) -> ModuleType:
    """Import a script that is not part of the package (a benchmark, a data builder) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def run_benchmark() -> Callable[[str, list[str]], int]:
    """``run_benchmark("hydra", ["--quick", ...])`` -> the exit code of benchmarks/hydra.py's ``main``,
    run in this process (``capsys`` and ``monkeypatch`` apply). Tests use a benchmark script only
    through its command line; what a test needs to call as a function lives in the package
    (``algoconf.benchmarking`` and the package that owns the idea)."""

    def run(name: str, argv: list[str]) -> int:
        return load_script(REPO / "benchmarks" / f"{name}.py", f"benchmark_{name}").main(argv)

    return run

