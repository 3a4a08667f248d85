"""The shape of algoconf.selection (docs/architecture.md): subpackages that import downwards only,
no module cycle (function-level imports included), and package exports that resolve."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SELECTION = ROOT / "algoconf" / "selection"
PACKAGES = ("algoconf.selection", "algoconf.selection.data", "algoconf.selection.offline", "algoconf.selection.online")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """module -> the algoconf.selection modules it imports anywhere in its body."""
    modules = {_module_name(p): p for p in SELECTION.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from pkg import submodule" imports the submodule; "from module import name" the module
                targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in ("data", "offline", "online") else "top"


def test_no_module_cycle_inside_selection():
    graph = _graph()
    assert "algoconf.selection.offline.stacking" in graph and graph["algoconf.selection.offline.stacking"]
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(target) :] + [target]))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_subpackages_import_downwards_only():
    # data <- offline <- model_io, run (top); online stands alone; no subpackage imports the top
    allowed = {"data": {"data"}, "offline": {"data", "offline"}, "online": {"online"}}
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _layer(module) in allowed
        for target in targets
        if _layer(target) not in allowed[_layer(module)]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves(package):
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_reading_aslib_loads_no_selector_dependencies():
    code = (
        "import sys; import algoconf.selection.data.aslib; "
        "print(sorted(m for m in ('sklearn', 'ConfigSpace', 'skops', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
