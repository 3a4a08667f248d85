"""The package imports downwards only: no import cycle between modules or between the subpackages at
any level, and the layer rules of docs/architecture.md.

The graph is algoconf's own imports as grimp reads them from the source, function-level imports
included; imports under ``if TYPE_CHECKING:`` are left out (annotations only, never executed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

grimp = pytest.importorskip("grimp", reason="grimp is in the test extra (setup.cfg)")

PACKAGE = "algoconf"

# (importer, imported, why): no module under ``importer`` may import a module under ``imported``,
# directly or through other modules.
FORBIDDEN = [
    ("algoconf.execution", "algoconf.tuners", "executors never decide what to run"),
    ("algoconf.execution", "algoconf.run", "the composition root sits above the executors"),
    ("algoconf.tuners", "algoconf.run", "tuners never drive the engine (run/engine.py)"),
    ("algoconf.history", "algoconf.scenario", "the history stores a fingerprint, it does not read scenarios"),
    ("algoconf.censored", "algoconf.analysis", "scenarios and tuners use these statistics: below analysis"),
    ("algoconf.targets", "algoconf.run", "a target knows how one run happens, not who asked for it"),
]
# What only the errors module may be imported by: the leaves of the package.
LEAVES = {
    "algoconf.records": set(),
    "algoconf.errors": set(),
    "algoconf.extras": {"algoconf.errors"},
    "algoconf.text_files": {"algoconf.errors"},
}
# The CLI is imported by nothing in the library; these two run it on purpose.
CLI_IMPORTERS = {
    "algoconf.__main__",  # ``python -m algoconf``
    "algoconf.testing.bad_inputs",  # the CLI's conformance harness: runs every bad input through main()
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=True)


def cycles(nodes: Iterable[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _child(parent: str, module: str) -> str | None:
    """The direct child of ``parent`` that ``module`` lies in, or None outside ``parent``."""
    if not module.startswith(parent + "."):
        return None
    return parent + "." + module[len(parent) + 1 :].split(".")[0]


def _explain(graph, component: list[str]) -> str:
    lines = []
    for a in component:
        for b in component:
            if a != b:
                chain = graph.find_shortest_chain(importer=a, imported=b, as_packages=True)
                if chain:
                    lines.append(" -> ".join(chain))
    return "\n  ".join(lines)


def test_cycles_finds_a_cycle_and_only_cycles():
    """The checker itself: a cycle of three is found, a chain and a self-import are not cycles."""
    assert cycles("abcd", {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles("abc", {"a": {"b", "a"}, "b": {"c"}}) == []


def test_no_module_imports_itself_back(graph):
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    found = cycles(sorted(graph.modules), edges)
    assert not found, "import cycles between modules:\n  " + "\n  ".join(
        _explain(graph, c) for c in found
    )


def test_no_cycle_between_sibling_packages_at_any_level(graph):
    """At every package (algoconf, algoconf.selection, ...), its children — modules and subpackages,
    each with everything below it — import each other without a cycle."""
    modules = set(graph.modules)
    packages = sorted(m for m in modules if any(x.startswith(m + ".") for x in modules))
    problems = []
    for parent in packages:
        edges: dict[str, set[str]] = {}
        for module in modules:
            a = _child(parent, module)
            if a is None:
                continue
            for imported in graph.find_modules_directly_imported_by(module):
                b = _child(parent, imported)
                if b is not None and b != a:
                    edges.setdefault(a, set()).add(b)
        children = sorted({c for c in (_child(parent, m) for m in modules) if c})
        problems += [f"in {parent}: " + _explain(graph, c) for c in cycles(children, edges)]
    assert not problems, "import cycles between packages:\n" + "\n".join(problems)


@pytest.mark.parametrize("importer, imported, why", FORBIDDEN, ids=[f"{a}-{b}" for a, b, _ in FORBIDDEN])
def test_layer_rule(graph, importer, imported, why):
    chain = graph.find_shortest_chain(importer=importer, imported=imported, as_packages=True)
    assert chain is None, f"{importer} must not import {imported} ({why}): " + " -> ".join(chain or ())


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_leaf_modules_import_only_errors(graph, leaf):
    imported = {m for m in graph.find_modules_directly_imported_by(leaf) if m.startswith(PACKAGE + ".")}
    assert imported <= LEAVES[leaf], f"{leaf} imports {sorted(imported - LEAVES[leaf])}"


def test_the_cli_is_imported_by_nothing_in_the_library(graph):
    importers = {
        importer
        for module in graph.modules
        if module == "algoconf.cli" or module.startswith("algoconf.cli.")
        for importer in graph.find_modules_that_directly_import(module)
        if not (importer == "algoconf.cli" or importer.startswith("algoconf.cli."))
    }
    assert importers <= CLI_IMPORTERS, f"the library imports the CLI: {sorted(importers - CLI_IMPORTERS)}"
