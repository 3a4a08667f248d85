"""Build the project's own small ASlib scenario from real solver runs (run once; output committed).

    python tests/data/aslib_mini/make_aslib_mini.py [--cutoff 3] [--out tests/data/aslib_mini]

Instances come from algoconf's seeded generators (random 3-SAT around the threshold, flat graph
colouring, pigeonhole); they are not stored, only their names. Algorithms are real solvers from
/usr/bin (minisat, cadical, clasp, two settings of each where it differs). Runtimes are CPU seconds
of the solver process (rusage), limited by RLIMIT_CPU at the cutoff; a run over the cutoff is a
``timeout``, a run that ends without an answer is ``crash``. Features: two steps measured with
their CPU cost: ``size`` (counts and clause-length statistics) and ``balance`` (literal sign and
variable occurrence statistics; requires ``size``).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from algoconf.instances.dimacs import read_cnf  # noqa: E402
from algoconf.instances.generators import flat_colouring, pigeonhole, random_ksat  # noqa: E402
from algoconf.selection.data.arff import ArffAttribute, write_arff  # noqa: E402

ALGORITHMS = {
    "minisat": ["minisat", "{inst}"],
    "minisat-luby0": ["minisat", "-no-luby", "-rinc=1.5", "{inst}"],
    "cadical": ["cadical", "-q", "{inst}"],
    "cadical-sat": ["cadical", "-q", "--sat", "{inst}"],
    "clasp": ["clasp", "--quiet=2", "{inst}"],
    "clasp-jumpy": ["clasp", "--quiet=2", "--configuration=jumpy", "{inst}"],
}


def instances(work: Path) -> list[Path]:
    out: list[Path] = []
    for v, seed in ((150, 1), (200, 2), (250, 3)):
        out += random_ksat(work / f"ksat{v}", 6, seed, variables=v, ratio=4.26)
    out += flat_colouring(work / "flat", 6, 5, vertices=150, colours=3)
    out += pigeonhole(work / "php", 3, 6, holes=8)
    return sorted(p for p in out if p.suffix in (".cnf", ".gz") or p.name.endswith(".cnf"))


def run_one(cmd: list[str], inst: Path, cutoff: float) -> str:
    """Run a solver under RLIMIT_CPU; 'ok' on a SAT/UNSAT answer (exit 10/20), else 'crash'/'timeout'."""
    argv = [a.replace("{inst}", str(inst)) for a in cmd]

    def limit() -> None:
        cpu = int(cutoff) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=limit)
    try:
        out, _ = proc.communicate(timeout=cutoff * 20)  # wall-clock guard on a loaded machine
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "timeout"
    text = out.decode(errors="replace")
    return "ok" if proc.returncode in (10, 20) or "SATISFIABLE" in text else "crash"


def timed_run(cmd: list[str], inst: Path, cutoff: float) -> tuple[float, str]:
    """CPU seconds of the solver (children rusage difference) and the ASlib runstatus."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    status = run_one(cmd, inst, cutoff)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if cpu > cutoff or status == "timeout":
        return round(max(cpu, cutoff), 4), "timeout"
    return round(cpu, 4), status


def features(path: Path) -> tuple[list[float], float, list[float], float]:
    t0 = time.process_time()
    cnf = read_cnf(path)
    lengths = cnf.lengths.astype(float)
    size = [
        float(cnf.n_vars),
        float(cnf.n_clauses),
        cnf.n_clauses / max(cnf.n_vars, 1),
        float(lengths.mean()),
        float(lengths.max()),
        float((lengths == 2).mean()),
        float((lengths == 3).mean()),
    ]
    t1 = time.process_time()
    lits = cnf.literals
    pos = np.add.reduceat((lits > 0).astype(float), cnf.offsets[:-1]) / np.maximum(lengths, 1)
    occ = np.bincount(np.abs(lits), minlength=cnf.n_vars + 1)[1:].astype(float)
    pos_occ = np.bincount(lits[lits > 0], minlength=cnf.n_vars + 1)[1:].astype(float)
    var_bal = np.where(occ > 0, pos_occ / np.maximum(occ, 1), 0.5)
    balance = [
        float(pos.mean()),
        float(pos.std()),
        float(occ.mean()),
        float(occ.std() / max(occ.mean(), 1e-9)),
        float(occ.max()),
        float(np.abs(var_bal - 0.5).mean()),
    ]
    t2 = time.process_time()
    return size, t1 - t0, balance, t2 - t1


SIZE = ["n_vars", "n_clauses", "clause_var_ratio", "clause_len_mean", "clause_len_max", "binary_frac", "ternary_frac"]
BALANCE = ["pos_frac_mean", "pos_frac_std", "var_occ_mean", "var_occ_cv", "var_occ_max", "var_sign_imbalance"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cutoff", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    missing = [c[0] for c in ALGORITHMS.values() if shutil.which(c[0]) is None]
    if missing:
        sys.exit(f"solvers missing: {missing}")
    out = args.out
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        insts = instances(work)
        names = [str(p.relative_to(work)) for p in insts]
        runs, feats, costs = [], [], []
        for p, name in zip(insts, names):
            size, c_size, bal, c_bal = features(p)
            feats.append((name, 1.0, *size, *bal))
            costs.append((name, 1.0, round(c_size, 5), round(c_bal, 5)))
            for alg, cmd in ALGORITHMS.items():
                rt, status = timed_run(cmd, p, args.cutoff)
                runs.append((name, 1.0, alg, rt, status))
                print(f"{name:30s} {alg:14s} {rt:8.3f} {status}", flush=True)
    (out / "description.txt").write_text(
        "scenario_id: ALGOCONF-MINI-SAT\n"
        "performance_measures: [runtime]\nperformance_type: [runtime]\nmaximize: [false]\n"
        f"algorithm_cutoff_time: {args.cutoff}\nalgorithm_cutoff_memory: '?'\n"
        f"features_cutoff_time: {args.cutoff}\nfeatures_cutoff_memory: '?'\n"
        "number_of_feature_steps: 2\ndefault_steps: [size, balance]\n"
        "feature_steps:\n"
        f"  size:\n    provides: [{', '.join(SIZE)}]\n"
        f"  balance:\n    provides: [{', '.join(BALANCE)}]\n    requires: [size]\n"
        f"features_deterministic: [{', '.join(SIZE + BALANCE)}]\nfeatures_stochastic: []\n"
        "algorithms_deterministic: [" + ", ".join(ALGORITHMS) + "]\nalgorithms_stochastic: []\n"
        "metainfo_algorithms:\n"
        + "".join(f"  {a}:\n    configuration: '{' '.join(c[1:-1])}'\n    deterministic: true\n" for a, c in ALGORITHMS.items())
    )
    S, N = ArffAttribute, "numeric"
    write_arff(
        out / "algorithm_runs.arff",
        "ALGOCONF-MINI-SAT_runs",
        [S("instance_id", "string"), S("repetition", N), S("algorithm", "string"), S("runtime", N),
         S("runstatus", "nominal", ("ok", "timeout", "memout", "not_applicable", "crash", "other"))],
        runs,
    )
    write_arff(out / "feature_values.arff", "ALGOCONF-MINI-SAT_features",
               [S("instance_id", "string"), S("repetition", N)] + [S(f, N) for f in SIZE + BALANCE], feats)
    write_arff(out / "feature_costs.arff", "ALGOCONF-MINI-SAT_costs",
               [S("instance_id", "string"), S("repetition", N), S("size", N), S("balance", N)], costs)
    status = ("ok", "timeout", "memout", "presolved", "crash", "other", "unknown")
    write_arff(out / "feature_runstatus.arff", "ALGOCONF-MINI-SAT_status",
               [S("instance_id", "string"), S("repetition", N), S("size", "nominal", status), S("balance", "nominal", status)],
               [(name, 1.0, "ok", "ok") for name in names])
    rng = np.random.default_rng(0)
    folds = rng.permutation(len(names)) % 5 + 1
    write_arff(out / "cv.arff", "ALGOCONF-MINI-SAT_cv",
               [S("instance_id", "string"), S("repetition", N), S("fold", N)],
               [(name, 1.0, float(f)) for name, f in zip(names, folds)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
