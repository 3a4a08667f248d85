"""Shared pieces of the execution tests: seeded CNF instances and process-tree inspection."""

from __future__ import annotations

import random
from pathlib import Path

from algoconf.instances import Instance


def random_3sat(n: int, seed: int, ratio: float = 4.26) -> str:
    """Uniform random 3-SAT in DIMACS (seeded)."""
    rng = random.Random(seed)
    m = int(round(n * ratio))
    lines = [f"p cnf {n} {m}"]
    for _ in range(m):
        lits = rng.sample(range(1, n + 1), 3)
        lines.append(" ".join(str(v if rng.random() < 0.5 else -v) for v in lits) + " 0")
    return "\n".join(lines) + "\n"


def cnf_instances(folder: Path, n: int, seeds, prefix: str = "u") -> dict[str, Instance]:
    out = {}
    for seed in seeds:
        path = Path(folder) / f"{prefix}{n}-{seed}.cnf"
        path.write_text(random_3sat(n, seed))
        out[path.stem] = Instance(path.stem, path)
    return out


def alive(pid: int) -> bool:
    """True when the pid runs (a zombie waiting for its reaper counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return False
    state = raw[raw.rfind(b")") + 2 :].split()[0]
    return state not in (b"Z", b"X")


def read_pids(path: Path) -> list[int]:
    return [int(x) for x in Path(path).read_text().split()] if Path(path).exists() else []


def wait_dead(pids, timeout: float = 2.0) -> list[int]:
    """The pids still alive after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left


__all__ = ["random_3sat", "cnf_instances", "alive", "read_pids", "wait_dead"]
