"""A linear-time replacement for the condition bookkeeping of ConfigSpace 1.2's ``DAG.update``.

ConfigSpace 1.2 recomputes, after every ``space.add(...)``, which condition nodes depend on which:
pairwise over all conditions (``itertools.product``) with a recursive, unmemoised
``dependant_names``, then a breadth-first walk that revisits a node once per path to it. On a chain
of conditions (``p1 | p0 == a``, ``p2 | p1 == a``, ...) that is exponential in the chain's depth
(~4 s at depth 14, ~40 s at 16) and hits Python's recursion limit long before depth 1000.

:func:`install` (called when :mod:`algoconf.space` is imported) wraps ``DAG.update`` so that the
original code runs with no conditions to pair up, and then fills the same three structures itself:

* ``minimum_conditions``: the parent conditions of all parameters, equivalent ones grouped (one
  hash lookup per parameter instead of a scan of the groups so far), sorted by the depth of their
  shallowest parent, as ConfigSpace sorts them;
* each condition node's ``dependants``: the condition nodes it directly activates a parent of;
* ``change_hp_lookup``: for a parameter, every condition node downstream of it (what
  ``ConfigSpace.util.change_hp_value`` re-evaluates when the parameter changes), computed on first
  use per parameter and cached, since it is quadratic in size on a chain.

Only ConfigSpace versions whose ``DAG`` has the structure this relies on are patched
(:data:`SUPPORTED`); any other version is left alone.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

__all__ = ["install", "installed", "SUPPORTED"]

#: ConfigSpace versions (major.minor) whose DAG.update this module knows
SUPPORTED = ("1.2",)

_STATE = {"installed": False}


def installed() -> bool:
    """True when ConfigSpace's DAG.update is the linear-time version."""
    return _STATE["installed"]


def _condition_key(condition: Any) -> Any:
    """A hashable key; equal keys = conditions ConfigSpace treats as equivalent on their parents."""
    from ConfigSpace.conditions import Conjunction

    if isinstance(condition, Conjunction):
        return (type(condition).__name__, frozenset(_condition_key(c) for c in condition.components))
    value = getattr(condition, "values", None)
    if value is None:
        value = getattr(condition, "value", None)
    try:
        hash(value)
        shown: Any = value
    except TypeError:
        shown = repr(value)
    if isinstance(shown, list):
        shown = tuple(shown)
    return (type(condition).__name__, condition.parent.name, repr(shown))


class _ShallowestParent:
    """Sort key of condition nodes: the depth of their shallowest parent (picklable: spaces are
    shipped to worker processes)."""

    def __init__(self, nodes: dict[str, Any]):
        self.nodes = nodes

    def __call__(self, cnode: Any) -> int:
        return min(self.nodes[p].maximum_depth for p in cnode.node_parents())


class _DownstreamLookup(dict):
    """``change_hp_lookup``: built per parameter on first access (see the module docstring)."""

    def __init__(self, by_parent: dict[str, list[Any]], depth_key: Any):
        super().__init__()
        self._by_parent = by_parent
        self._depth_key = depth_key

    def _compute(self, name: str) -> list[Any]:
        start = self._by_parent.get(name, [])
        seen: set[int] = set()
        out: list[Any] = []
        stack = list(reversed(start))
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            out.append(node)
            stack.extend(reversed(node.dependants))
        return sorted(out, key=self._depth_key)

    def __missing__(self, name: str) -> list[Any]:
        if name not in self._by_parent:
            raise KeyError(name)
        value = self._compute(name)
        self[name] = value
        return value

    def get(self, name: Any, default: Any = None) -> Any:
        if dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        if name in self._by_parent:
            return self[name]
        return default

    def __contains__(self, name: object) -> bool:
        return name in self._by_parent

    def keys(self):
        return self._by_parent.keys()

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_parent)

    def __len__(self) -> int:
        return len(self._by_parent)

    def items(self):
        return [(name, self[name]) for name in self._by_parent]

    def values(self):
        return [self[name] for name in self._by_parent]


def _conditions(dag: Any) -> None:
    """Fill minimum_conditions, dependants and change_hp_lookup (module docstring)."""
    from ConfigSpace._condition_tree import ConditionNode

    groups: dict[Any, Any] = {}
    for node in dag.nodes.values():
        if node.parent_condition is None:
            continue
        key = _condition_key(node.parent_condition)
        group = groups.get(key)
        if group is None:
            groups[key] = ConditionNode.from_node(node)
        else:
            group.unique_children[node.idx] = node
    base = list(groups.values())
    for group in base:
        group.children_indices = np.array(list(group.unique_children.keys()), dtype=np.intp)
    if base:
        largest = max(len(g.children_indices) for g in base)
        ConditionNode.CACHED_NAN_ARRAY = np.full(largest, np.nan, dtype=np.float64)
        for group in base:
            group.nan_arr = ConditionNode.CACHED_NAN_ARRAY[: len(group.children_indices)]

    shallowest_parent = _ShallowestParent(dag.nodes)

    activated_by: dict[str, Any] = {}  # parameter name -> the condition node that activates it
    for group in base:
        for child in group.unique_children.values():
            activated_by[child.name] = group
    by_parent: dict[str, list[Any]] = {}
    for group in base:
        group.dependants = []
    for group in base:
        for parent in dict.fromkeys(group.node_parents()):
            by_parent.setdefault(parent, []).append(group)
            upstream = activated_by.get(parent)
            if upstream is not None and all(d is not group for d in upstream.dependants[-1:]):
                upstream.dependants.append(group)
    for group in base:
        if len(group.dependants) > 1:
            unique = {id(d): d for d in group.dependants}
            group.dependants = sorted(unique.values(), key=shallowest_parent)
    for parent, groups_of in by_parent.items():
        by_parent[parent] = sorted(groups_of, key=shallowest_parent)
    dag.minimum_conditions = sorted(base, key=shallowest_parent)
    dag.change_hp_lookup = _DownstreamLookup(by_parent, shallowest_parent)


def _refuse_cycle(dag: Any, condition: Any) -> None:
    """CyclicDependancyError when adding ``condition`` would close a cycle (a parent reachable
    from the child through existing conditions), checked before any edge is added."""
    from ConfigSpace.conditions import Conjunction
    from ConfigSpace.exceptions import CyclicDependancyError

    parents = {c.parent.name for c in condition.dlcs} if isinstance(condition, Conjunction) else {condition.parent.name}
    child = dag.nodes.get(condition.child.name)
    if child is None:
        return  # the original reports the unknown child
    seen: set[str] = set()
    stack = [child]
    while stack:
        node = stack.pop()
        if node.name in parents:
            raise CyclicDependancyError(f"adding {condition} would make {condition.child.name!r} depend on itself")
        if node.name in seen:
            continue
        seen.add(node.name)
        stack.extend(c for c, _ in node.children.values())


def _propagate_depth(self: Any, depth: int) -> None:
    """``HPNode.propogate_new_depth`` without recursion (same result: each node's maximum depth)."""
    stack = [(self, depth)]
    while stack:
        node, d = stack.pop()
        if d <= node.maximum_depth:
            continue
        node.maximum_depth = d
        stack.extend((child, d + 1) for child, _ in node.children.values())


def install() -> bool:
    """Patch ConfigSpace's ``DAG.update`` once (idempotent); False when the version is not supported."""
    if _STATE["installed"]:
        return True
    import ConfigSpace
    from ConfigSpace._condition_tree import DAG, HPNode

    version = ".".join(str(getattr(ConfigSpace, "__version__", "0.0")).split(".")[:2])
    original = getattr(DAG.update, "__wrapped__", None)
    if version not in SUPPORTED or original is None or not hasattr(DAG, "_minimum_conditions"):
        return False
    original_minimum = DAG._minimum_conditions

    def no_conditions(self: Any) -> list[Any]:
        if getattr(self, "_algoconf_linear", False):
            return []
        return original_minimum(self)

    @contextmanager
    def update(self: Any) -> Iterator[Any]:
        self._algoconf_linear = True  # the original's bookkeeping sees no conditions to pair up
        try:
            with contextmanager(original)(self) as dag:
                yield dag
        finally:
            self._algoconf_linear = False
        _conditions(self)

    original_add_condition = DAG.add_condition
    original_cycle_check = DAG._check_cyclic_dependancy

    def add_condition(self: Any, condition: Any) -> None:
        _refuse_cycle(self, condition)
        self._algoconf_checked = True  # the full-graph check per condition is quadratic in all
        try:
            original_add_condition(self, condition)
        finally:
            self._algoconf_checked = False

    def check_cycles(self: Any) -> None:
        if not getattr(self, "_algoconf_checked", False):
            original_cycle_check(self)

    # replacing methods of ConfigSpace's classes is this module's purpose (module docstring)
    DAG._minimum_conditions = no_conditions  # type: ignore[method-assign]
    DAG.update = update  # type: ignore[method-assign]
    DAG.add_condition = add_condition  # type: ignore[method-assign]
    DAG._check_cyclic_dependancy = check_cycles  # type: ignore[method-assign]
    HPNode.propogate_new_depth = _propagate_depth  # type: ignore[method-assign]
    _STATE["installed"] = True
    return True
