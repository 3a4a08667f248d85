"""Graph colouring encoded to CNF: planted "flat" graphs (always colourable) and G(n, m) graphs.

Planted flat graphs (as in SATLIB's ``flat*`` sets, after Culberson's generator): the vertices are
split into ``colours`` classes of (almost) equal size, and ``round(degree * vertices / 2)`` distinct
edges are drawn uniformly among pairs of vertices in *different* classes, so the hidden partition is
a proper colouring and the CNF is satisfiable by construction (sidecar ``answer: SAT``). At average
degree ~4.8 and 3 colours they are hard and heavy-tailed: minisat, cadical and clasp each win on
different instances.

Encoding (the standard direct one): variable ``x(v, c) = v * colours + c + 1``; per vertex one
at-least-one clause and pairwise at-most-one clauses; per edge and colour ``-x(u,c) -x(w,c)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from algoconf.instances.generators._files import check_batch_args, instance_rng, write_instance
from algoconf.instances.generators.cnf import dimacs

__all__ = ["flat_colouring", "gnm_colouring", "colouring_cnf", "planted_flat_graph"]


def colouring_cnf(n_vertices: int, edges: Iterable[tuple[int, int]], colours: int) -> tuple[int, list[list[int]]]:
    """(number of variables, clauses) of the direct encoding of ``colours``-colourability."""

    def x(v: int, c: int) -> int:
        return v * colours + c + 1

    clauses: list[list[int]] = []
    for v in range(n_vertices):
        clauses.append([x(v, c) for c in range(colours)])
        for c in range(colours):
            for d in range(c + 1, colours):
                clauses.append([-x(v, c), -x(v, d)])
    for u, w in edges:
        for c in range(colours):
            clauses.append([-x(u, c), -x(w, c)])
    return n_vertices * colours, clauses


def planted_flat_graph(rng, n_vertices: int, colours: int, n_edges: int) -> tuple[list[int], list[tuple[int, int]]]:
    """(hidden colour of each vertex, sorted edge list) of a planted graph with only bichromatic edges."""
    order = list(range(n_vertices))
    rng.shuffle(order)
    colour = [0] * n_vertices
    for rank, v in enumerate(order):
        colour[v] = rank % colours
    sizes = [colour.count(c) for c in range(colours)]
    max_edges = n_vertices * (n_vertices - 1) // 2 - sum(s * (s - 1) // 2 for s in sizes)
    if n_edges > max_edges:
        raise ValueError(f"{n_edges} edges do not fit into a {colours}-partite graph on {n_vertices} vertices")
    edges: set[tuple[int, int]] = set()
    while len(edges) < n_edges:
        u, w = rng.randrange(n_vertices), rng.randrange(n_vertices)
        if colour[u] == colour[w]:
            continue
        edges.add((min(u, w), max(u, w)))
    return colour, sorted(edges)


def flat_colouring(
    out_dir: Path,
    n: int,
    seed: int,
    *,
    vertices: int = 500,
    colours: int = 3,
    degree: float = 4.79,
    prefix: str | None = None,
) -> list[Path]:
    """Write ``n`` planted flat ``colours``-colouring CNFs (satisfiable; sidecar records ``SAT``)."""
    check_batch_args(n, seed)
    if colours < 2 or vertices < colours:
        raise ValueError(f"need 2 <= colours <= vertices, got colours={colours}, vertices={vertices}")
    n_edges = int(round(degree * vertices / 2))
    stem = prefix or f"flat{vertices}-{colours}"
    paths = []
    for i in range(int(n)):
        rng = instance_rng(f"flat-{vertices}-{colours}-{degree}", seed, i)
        _, edges = planted_flat_graph(rng, vertices, colours, n_edges)
        n_vars, clauses = colouring_cnf(vertices, edges, colours)
        comments = [f"planted flat {colours}-colouring, {vertices} vertices, {n_edges} edges, seed {seed}, index {i}"]
        meta = {"answer": "SAT", "generator": "flat_colouring", "vertices": vertices,
                "colours": colours, "edges": n_edges, "seed": seed, "index": i}
        path = Path(out_dir) / f"{stem}-{seed}-{i:03d}.cnf"
        paths.append(write_instance(path, dimacs(n_vars, clauses, comments), meta))
    return paths


def gnm_colouring(
    out_dir: Path,
    n: int,
    seed: int,
    *,
    vertices: int = 450,
    colours: int = 3,
    edge_ratio: float = 2.3,
    prefix: str | None = None,
) -> list[Path]:
    """Write ``n`` colouring CNFs of uniform G(n, m) graphs with ``m = round(edge_ratio * vertices)``.

    Near ratio 2.3 for 3 colours these mix SAT and UNSAT; the answer is unknown (no sidecar).
    """
    check_batch_args(n, seed)
    n_edges = int(round(edge_ratio * vertices))
    if n_edges > vertices * (vertices - 1) // 2:
        raise ValueError(f"{n_edges} edges do not fit into a simple graph on {vertices} vertices")
    stem = prefix or f"gnm{vertices}-{colours}"
    paths = []
    for i in range(int(n)):
        rng = instance_rng(f"gnm-{vertices}-{colours}-{edge_ratio}", seed, i)
        edges: set[tuple[int, int]] = set()
        while len(edges) < n_edges:
            u, w = rng.randrange(vertices), rng.randrange(vertices)
            if u != w:
                edges.add((min(u, w), max(u, w)))
        n_vars, clauses = colouring_cnf(vertices, sorted(edges), colours)
        comments = [f"{colours}-colouring of G(n={vertices}, m={n_edges}), seed {seed}, index {i}"]
        path = Path(out_dir) / f"{stem}-{seed}-{i:03d}.cnf"
        paths.append(write_instance(path, dimacs(n_vars, clauses, comments)))
    return paths
