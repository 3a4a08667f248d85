"""Racing k=2 minisat configurations: CPU saved against running both to completion.

    python benchmarks/racing.py            # 16 instances, 225 variables
    python benchmarks/racing.py --quick    # 6 instances, 200 variables

Configurations: A = minisat's default, B = ``-var-decay=0.8``, which differ per instance by up to
~10x in both directions on random 3-SAT near the phase transition. For every instance, in one pass,
side by side on ``LocalExecutor(n_workers=2)``: A and B to completion (submitted together, as a race
would run them), then the race of A and B (``run_race``: the first SUCCESS stops the other, CAPPED).
Reported: total CPU of both-to-completion vs of the races (CPU saved), total wall time, how often
the race's winner is the configuration that is faster to completion, and that every loser's CAPPED
runtime is below its own full runtime (a true lower bound). Writes benchmarks/results/racing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from algoconf.benchmarking import source_commit
from algoconf.execution import LocalExecutor
from algoconf.execution.racing import run_race
from algoconf.instances.generators.ksat import random_ksat
from algoconf.instances import Instance
from algoconf.records import RunRequest, Status
from algoconf.targets import CommandTarget

RESULTS = Path(__file__).resolve().parent / "results"
CONFIGS = ({}, {"var-decay": 0.8})
CUTOFF = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    minisat = shutil.which("minisat")
    if minisat is None:
        raise SystemExit("minisat is not installed (apt-get install minisat)")
    n_inst, n_vars = (6, 200) if args.quick else (16, 225)
    folder = Path(tempfile.mkdtemp(prefix="algoconf-racing-"))
    paths = random_ksat(folder, n_inst, 5, variables=n_vars)
    instances = {p.stem: Instance(p.stem, p) for p in paths}
    target = CommandTarget([minisat, "-verb=0", "{instance}"], "-name=value", "sat")

    rows = []
    with LocalExecutor(target, instances, n_workers=2) as ex:
        for name in instances:
            requests = [RunRequest(c, name, 1, CUTOFF) for c in CONFIGS]
            t = time.monotonic()
            full = ex.map(requests)
            full_wall = time.monotonic() - t
            assert all(r.status is Status.SUCCESS for r in full), [r.info for r in full]
            t = time.monotonic()
            race = run_race(ex, requests)
            race_wall = time.monotonic() - t
            faster = min(range(2), key=lambda i: full[i].runtime)
            loser = 1 - race.winner if race.winner is not None else None
            rows.append({
                "instance": name,
                "full_cpu": [r.runtime for r in full],
                "race_status": [r.status.value for r in race.results],
                "race_cpu": [r.runtime for r in race.results],
                "full_wall": full_wall,
                "race_wall": race_wall,
                "winner": race.winner,
                "faster_to_completion": faster,
                "loser_bound_ok": loser is None or race.results[loser].status is not Status.CAPPED
                or race.results[loser].runtime <= full[loser].runtime * 1.1 + 0.02,
            })

    full_cpu = sum(sum(r["full_cpu"]) for r in rows)
    race_cpu = sum(sum(r["race_cpu"]) for r in rows)
    full_wall = sum(r["full_wall"] for r in rows)
    race_wall = sum(r["race_wall"] for r in rows)
    agree = sum(r["winner"] == r["faster_to_completion"] for r in rows)
    print(f"minisat default vs -var-decay=0.8 on {n_inst} u{n_vars} instances, 2 workers, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'instance':<18}{'A cpu':>8}{'B cpu':>8}{'race A':>16}{'race B':>16}{'winner':>7}")
    for r in rows:
        a, b = r["race_cpu"]
        sa, sb = r["race_status"]
        print(f"{r['instance']:<18}{r['full_cpu'][0]:>8.3f}{r['full_cpu'][1]:>8.3f}"
              f"{f'{sa} {a:.3f}':>16}{f'{sb} {b:.3f}':>16}{'AB'[r['winner']] if r['winner'] is not None else '-':>7}")
    saved = 1 - race_cpu / full_cpu
    print(f"CPU: both to completion {full_cpu:.2f} s, races {race_cpu:.2f} s -> saved {saved:.1%}")
    print(f"wall: both to completion {full_wall:.2f} s, races {race_wall:.2f} s")
    print(f"race winner = faster configuration on {agree}/{len(rows)} instances; "
          f"every CAPPED loser below its full runtime: {all(r['loser_bound_ok'] for r in rows)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "racing.json").write_text(json.dumps(
        {"benchmark": "racing", "commit": source_commit(), "quick": args.quick, "instances": n_inst, "variables": n_vars,
         "configs": list(CONFIGS), "full_cpu": full_cpu, "race_cpu": race_cpu, "cpu_saved": saved,
         "full_wall": full_wall, "race_wall": race_wall, "winner_agrees": agree, "rows": rows,
         "load_average": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
