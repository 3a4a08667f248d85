"""Job-shop scheduling instances (Taillard-style) in the standard JSSP text format, and a reader.

Format (as used by the OR-Library and Taillard's benchmarks in "standard" form)::

    # optional comment lines
    <jobs> <machines>
    <machine> <duration> <machine> <duration> ...   (one line per job, its operations in order)

Machines are numbered from 0. Each job visits every machine exactly once, in a random order; each
duration is uniform on ``[low, high]`` (Taillard used 1..99). Random 10x10 instances are solved to
a proven optimum by CP-SAT with one worker in ~0.4-4 s; 6x6-8x8 in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from algoconf.instances.generators._files import check_batch_args, instance_rng, write_instance

__all__ = ["JobShop", "taillard_jobshop", "read_jobshop", "format_jobshop"]


@dataclass(frozen=True)
class JobShop:
    """A job-shop instance: ``jobs[j]`` is the ordered list of (machine, duration) of job ``j``."""

    n_machines: int
    jobs: tuple[tuple[tuple[int, int], ...], ...]

    @property
    def n_jobs(self) -> int:
        return len(self.jobs)

    @property
    def horizon(self) -> int:
        """Sum of all durations: an upper bound of the optimal makespan."""
        return sum(d for job in self.jobs for _, d in job)

    @property
    def lower_bound(self) -> int:
        """max(longest job, busiest machine): a lower bound of the optimal makespan."""
        machine_load = [0] * self.n_machines
        for job in self.jobs:
            for m, d in job:
                machine_load[m] += d
        return max(max(sum(d for _, d in job) for job in self.jobs), max(machine_load))


def format_jobshop(shop: JobShop, comments: tuple[str, ...] = ()) -> str:
    lines = [f"# {c}" for c in comments]
    lines.append(f"{shop.n_jobs} {shop.n_machines}")
    lines.extend(" ".join(f"{m} {d}" for m, d in job) for job in shop.jobs)
    return "\n".join(lines) + "\n"


def read_jobshop(path: str | Path) -> JobShop:
    """Parse a JSSP file; ValueError naming the file and line when it is malformed."""
    rows: list[tuple[int, list[int]]] = []
    for lineno, line in enumerate(Path(path).read_text().splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            rows.append((lineno, [int(tok) for tok in text.split()]))
        except ValueError:
            raise ValueError(f"{path}:{lineno}: expected integers, got {line.strip()!r}") from None
    if not rows or len(rows[0][1]) != 2:
        raise ValueError(f"{path}: expected a first line '<jobs> <machines>'")
    n_jobs, n_machines = rows[0][1]
    if len(rows) - 1 != n_jobs:
        raise ValueError(f"{path}: header says {n_jobs} jobs, found {len(rows) - 1} job lines")
    jobs = []
    for lineno, values in rows[1:]:
        if len(values) != 2 * n_machines:
            raise ValueError(f"{path}:{lineno}: expected {n_machines} (machine, duration) pairs")
        ops = tuple((values[2 * k], values[2 * k + 1]) for k in range(n_machines))
        for m, d in ops:
            if not 0 <= m < n_machines or d < 0:
                raise ValueError(f"{path}:{lineno}: machine {m} or duration {d} out of range")
        jobs.append(ops)
    return JobShop(n_machines, tuple(jobs))


def taillard_jobshop(
    out_dir: Path,
    n: int,
    seed: int,
    *,
    jobs: int = 10,
    machines: int = 10,
    low: int = 1,
    high: int = 99,
    prefix: str | None = None,
) -> list[Path]:
    """Write ``n`` random job-shop instances (``jobs`` x ``machines``) as ``<prefix>-<seed>-<i>.jsp``."""
    check_batch_args(n, seed)
    if jobs < 1 or machines < 1 or not 0 <= low <= high:
        raise ValueError(f"need jobs, machines >= 1 and 0 <= low <= high (got {jobs}, {machines}, {low}, {high})")
    stem = prefix or f"jsp{jobs}x{machines}"
    paths = []
    for i in range(int(n)):
        rng = instance_rng(f"jobshop-{jobs}-{machines}-{low}-{high}", seed, i)
        rows = []
        for _ in range(jobs):
            order = list(range(machines))
            rng.shuffle(order)
            rows.append(tuple((m, rng.randint(low, high)) for m in order))
        shop = JobShop(machines, tuple(rows))
        comment = f"random job shop {jobs}x{machines}, durations {low}..{high}, seed {seed}, index {i}"
        path = Path(out_dir) / f"{stem}-{seed}-{i:03d}.jsp"
        paths.append(write_instance(path, format_jobshop(shop, (comment,))))
    return paths
