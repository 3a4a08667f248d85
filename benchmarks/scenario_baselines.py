"""Test PAR10 of named configurations of a scenario, measured with real runs (one at a time, interleaved).

Used to measure the suite scenarios' README numbers (issue 21): the default against the best known
configuration and tuner incumbents. Every run is launched as the scenario's target launches it and
timed in CPU seconds of the solver process (``algoconf.benchmarking.matrix_sources.ScenarioSource``:
killed past the cutoff, solved only when the target's own answer check says SUCCESS within the
cutoff; unsolved runs cost ``par_factor * cutoff``). Configurations are interleaved per instance (instance 1: A, B, C; instance 2:
A, B, C; ...), so load drift hits all of them alike.

    python benchmarks/scenario_baselines.py scenarios/clasp-colouring-suite/scenario.yaml \\
        --configs scenarios/clasp-colouring-suite/configs.json --set test

``--configs`` is a JSON object ``{name: configuration}``; a configuration may give only the
parameters that differ from the default (``null`` or ``{}`` is the default itself). A row is
appended to ``benchmarks/results/scenario_baselines.json`` (with the commit) after every instance,
so a killed measurement keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from algoconf.benchmarking import source_commit, update_json  # noqa: E402
from algoconf.benchmarking.matrix_sources import ScenarioSource  # noqa: E402
from algoconf.benchmarking.named_configs import named_configs  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "scenario_baselines.json"


def save(out: Path, record: dict) -> None:
    """Put ``record`` into the JSON list at ``out`` (replacing its earlier version), under a file lock,
    so that measurements running at the same time keep each other's rows."""

    def replace(everything: list[dict]) -> None:
        everything[:] = [r for r in everything if r.get("id") != record["id"]] + [record]

    update_json(out, replace, empty=list, lock="scenario_baselines")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--configs", required=True, help="JSON file or text: {name: configuration or null}")
    parser.add_argument("--set", choices=("train", "test", "both"), default="test")
    parser.add_argument("--offset", type=int, default=0, help="skip the first N instances of the set")
    parser.add_argument("--limit", type=int, default=None, help="only N instances of the set (after --offset)")
    parser.add_argument("--seed", type=int, default=1, help="run seed")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)

    source = ScenarioSource(args.scenario, seed=args.seed, cutoff=None)
    scenario = source.scenario
    cutoff, k = float(scenario.cutoff), float(scenario.par_factor)
    given = Path(args.configs)
    text = given.read_text() if given.is_file() else args.configs
    configs = named_configs(json.loads(text), scenario.space, label="configs",
                            file=args.configs if given.is_file() else None)
    n_train = len(scenario.train)
    columns = {"train": range(n_train), "test": range(n_train, len(source.names)),
               "both": range(len(source.names))}[args.set]
    columns = list(columns)[args.offset:][: args.limit]
    source.prepare()
    out = Path(args.out)
    record = {"scenario": scenario.name, "set": args.set, "instances": len(columns), "cutoff": cutoff,
              "par_factor": k, "commit": source_commit(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "configs": configs, "runs": {name: [] for name in configs}}
    record["id"] = f"{os.getpid()}-{time.time():.3f}"
    for j in columns:
        for name, config in configs.items():
            cpu, ok = source.run(config, j, cutoff, max(300.0, 100 * cutoff))
            record["runs"][name].append([source.names[j], round(cpu, 4), ok])
        record["loadavg"] = [round(x, 2) for x in os.getloadavg()]
        save(out, record)
    print(f"{scenario.name} ({args.set}, {len(columns)} instances, cutoff {cutoff:g} CPU s, commit {record['commit']})")
    print(f"{'configuration':<28} {'PAR10':>8} {'solved':>8} {'median':>8}")
    for name, runs in record["runs"].items():
        cost = [c if ok else k * cutoff for _, c, ok in runs]
        print(f"{name:<28} {statistics.mean(cost):8.4f} {sum(ok for *_, ok in runs):4d}/{len(runs):<3d} "
              f"{statistics.median(c for _, c, _ in runs):8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
