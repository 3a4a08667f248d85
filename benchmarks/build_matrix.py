"""Build a runtime matrix (configurations x instances) from real minisat runs on random 3-SAT.

The matrix lets any tuner run exactly and cheaply (``algoconf.tuners.simulated``): a run is
answered from the table instead of starting minisat. Rows are configurations of a small minisat
space (row 0 is minisat's default), columns are seeded uniform random 3-SAT instances at the
clause/variable ratio 4.26. Each entry is the CPU time (kernel rusage of the solver process) and
whether minisat answered within the cutoff; unsolved entries are right-censored at the cutoff.

Rows are filled one configuration at a time, two solver processes at once; ``--max-minutes``
stops after the last complete row so the script always ends in time on a shared machine.

    python benchmarks/build_matrix.py --configs 150 --instances 150 --cutoff 2 --max-minutes 24
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from ConfigSpace import (
    Categorical,
    ConfigurationSpace,
    EqualsCondition,
    Float,
    Integer,
)

MINISAT = "/usr/bin/minisat"
SIZES = (175, 190, 200, 215)  # variables; default median ~0.05-0.3 s, slow configurations time out


def minisat_space() -> ConfigurationSpace:
    """The minisat parameters the matrix varies (defaults = minisat's own defaults)."""
    space = ConfigurationSpace(seed=0)
    luby = Categorical("luby", [True, False], default=True)
    rinc = Float("rinc", (1.05, 4.0), default=2.0, log=True)
    var_decay = Float("var-decay", (0.75, 0.99), default=0.95)
    cla_decay = Float("cla-decay", (0.9, 0.9999), default=0.999)
    rnd_freq = Float("rnd-freq", (0.0, 0.2), default=0.0)
    rfirst = Integer("rfirst", (10, 1000), default=100, log=True)
    phase = Integer("phase-saving", (0, 2), default=2)
    ccmin = Integer("ccmin-mode", (0, 2), default=2)
    pre = Categorical("pre", [True, False], default=True)
    elim = Categorical("elim", [True, False], default=True)
    space.add([luby, rinc, var_decay, cla_decay, rnd_freq, rfirst, phase, ccmin, pre, elim])
    space.add(EqualsCondition(elim, pre, True))
    return space


def space_json(space: ConfigurationSpace) -> str:
    buffer = io.StringIO()
    space.to_json(buffer)
    return buffer.getvalue()


def command(config: dict, path: str, cutoff: float) -> list[str]:
    args = [MINISAT, "-verb=0", f"-cpu-lim={int(cutoff) + 1}"]
    for name, value in sorted(config.items()):
        if isinstance(value, bool) or value in ("True", "False"):
            on = value in (True, "True")
            args.append(f"-{name}" if on else f"-no-{name}")
        else:
            args.append(f"-{name}={value}")
    args.append(path)
    return args


def run_once(args: list[str], cutoff: float) -> tuple[float, bool]:
    """CPU seconds of one minisat run and whether it answered (exit 10/20) within the cutoff."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    # wall-clock backstop; the CPU cutoff below decides censoring
    timer = threading.Timer(cutoff * 3 + 1, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    solved = code in (10, 20) and cpu <= cutoff and not killed.is_set()
    return (cpu if solved else cutoff), solved


def generate(n: int, seed: int) -> str:
    rng = random.Random(seed)
    m = int(round(n * 4.26))
    lines = [f"p cnf {n} {m}"]
    for _ in range(m):
        lits = rng.sample(range(1, n + 1), 3)
        lines.append(" ".join(str(v if rng.random() < 0.5 else -v) for v in lits) + " 0")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=150)
    parser.add_argument("--instances", type=int, default=150)
    parser.add_argument("--cutoff", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-minutes", type=float, default=24.0)
    parser.add_argument("--out", default=str(Path(__file__).parent / "data" / "minisat_3sat_matrix.npz"))
    parser.add_argument("--append", action="store_true",
                        help="keep the rows already in --out and add the next configurations of the same seed")
    args = parser.parse_args(argv)
    previous = np.load(args.out) if args.append else None

    space = minisat_space()
    space.seed(args.seed)
    configs = [dict(space.get_default_configuration())]
    keys = {json.dumps(configs[0], sort_keys=True, default=str)}
    while len(configs) < args.configs:
        c = dict(space.sample_configuration())
        c = {k: (v.item() if hasattr(v, "item") else v) for k, v in c.items()}
        k = json.dumps(c, sort_keys=True, default=str)
        if k not in keys:
            keys.add(k)
            configs.append(c)
    configs = [{k: (v.item() if hasattr(v, "item") else v) for k, v in c.items()} for c in configs]

    names = []
    tmp = Path(tempfile.mkdtemp(prefix="acmatrix-"))
    for j in range(args.instances):
        n = SIZES[j % len(SIZES)]
        name = f"u3sat-n{n}-s{args.seed * 100000 + j}.cnf"
        (tmp / name).write_text(generate(n, args.seed * 100000 + j))
        names.append(name)

    runtime = np.full((len(configs), len(names)), np.nan, dtype=np.float32)
    solved = np.zeros((len(configs), len(names)), dtype=bool)
    deadline = time.monotonic() + args.max_minutes * 60
    start = time.monotonic()
    rows = 0
    seconds_before = 0.0
    if previous is not None:
        if json.loads(str(previous["instances"])) != names or float(previous["cutoff"]) != args.cutoff:
            raise SystemExit("--append needs the same instances, cutoff and seed as the existing matrix")
        done = previous["runtime"].shape[0]
        if json.loads(str(previous["configs"])) != json.loads(json.dumps(configs[:done])):
            raise SystemExit("--append: the existing rows are not this seed's first configurations")
        runtime[:done], solved[:done] = previous["runtime"], previous["solved"]
        rows = done
        seconds_before = float(json.loads(str(previous["meta"])).get("seconds", 0.0))
    with ThreadPoolExecutor(args.workers) as pool:
        for i, config in enumerate(configs):
            if i < rows:
                continue
            if time.monotonic() > deadline:
                break
            jobs = [pool.submit(run_once, command(config, str(tmp / name), args.cutoff), args.cutoff)
                    for name in names]
            for j, job in enumerate(jobs):
                runtime[i, j], solved[i, j] = job.result()
            rows = i + 1
            print(f"row {rows}/{len(configs)}: solved {solved[i].sum()}/{len(names)}, "
                  f"mean {runtime[i].mean():.3f}s, elapsed {time.monotonic() - start:.0f}s",
                  file=sys.stderr, flush=True)
    runtime, solved = runtime[:rows], solved[:rows]
    np.savez_compressed(
        args.out,
        runtime=runtime,
        solved=solved,
        configs=np.array(json.dumps(configs[:rows])),
        instances=np.array(json.dumps(names)),
        cutoff=np.array(args.cutoff),
        space=np.array(space_json(space)),
        meta=np.array(json.dumps({
            "solver": "minisat (Debian /usr/bin/minisat)",
            "generator": "uniform random 3-SAT, ratio 4.26, sizes " + ",".join(map(str, SIZES)),
            "seed": args.seed, "cutoff": args.cutoff, "workers": args.workers,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(seconds_before + time.monotonic() - start, 1),
        })),
    )
    print(f"wrote {args.out}: {rows} configurations x {len(names)} instances", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
