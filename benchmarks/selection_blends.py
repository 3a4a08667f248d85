"""How much do the stack's blending choices matter? Rules for combining the stack's members,
compared on the same fitted members, per ASlib scenario.

The stack (``algoconf/selection/offline/stacking.py``) fits four members per training fold and picks
weights and a normalisation by the members' out-of-sample cost on the training rows. This script
fits those members once per fold of ``cv.arff`` (the same parameters and seed as the stack), keeps
their out-of-sample training scores and their test-fold scores in a cache, and then evaluates
blending rules on the cache without refitting:

* ``<member>``: one member alone;
* ``equal``: equal weights, min-max normalised;
* ``stack``: the stack's own rule (best mean training cost over the weight grid, both
  normalisations);
* ``log``: the same with mean log10 cost as the criterion (less driven by a few timeouts);
* ``1se`` / ``2se``: the most even weighting within 1 or 2 standard errors of the best;
* ``boot``: weights averaged over 30 bootstrap choices;
* ``minmax``, ``scaled``: one normalisation only; ``step.5``: a coarser weight grid;
* ``hedge``: the stack's ranking played as a schedule. The top-ranked algorithm runs for a share of
  the cutoff, then the next one; the shares are chosen on the training rows among a fixed list.
  This is runtime data only.

Each rule selects one algorithm per test instance (``hedge``: a schedule). The feature cost is not
charged, no pre-solving is done, and all instances are kept. The printed figure is the fraction of
the SBS-VBS gap closed. These are not the stack's benchmark figures (``benchmarks/selection.py``
adds pre-solving, SUNNY schedules and the charged convention); they isolate the blending step.

    python benchmarks/selection_blends.py --scenarios CSP-2010,QBF-2011      # fits members, caches
    python benchmarks/selection_blends.py                                     # all scenarios (long)

The ASlib data is found via ALGOCONF_ASLIB_DIR or <repo>/../shared/data/aslib (never copied).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from algoconf.benchmarking import source_commit
from algoconf.benchmarking.reference_data import ASLIB_ENV, aslib_root
from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.performance import PerformanceData
from algoconf.selection.offline.registry import make_selector
from algoconf.selection.offline.stacking import MEMBERS, mean_row_range, normalise_scores, simplex_grid


REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SHORT = {"regression": "reg", "pairwise": "pw", "pairwise-regression": "pwr", "knn": "knn"}
SHARES = [(1.0,), (0.5, 0.5), (0.25, 0.75), (0.1, 0.9), (0.05, 0.95), (0.02, 0.98), (0.01, 0.99),
          (0.1, 0.1, 0.8), (0.05, 0.05, 0.9), (0.3, 0.3, 0.4)]


def fit_members(data: PerformanceData, cache: Path, seed: int) -> dict:
    """Per fold and member: out-of-sample training scores, test scores, candidate algorithms."""
    store = pickle.loads(cache.read_bytes()) if cache.is_file() else {"members": {}}
    store.update(folds=np.asarray(data.folds), cost=data.cost(), cutoff=data.cutoff if data.is_runtime else None)
    fitted_with = store.setdefault("params", {})
    for member, (kind, params) in MEMBERS.items():
        spec = repr((kind, sorted(params.items()), seed))
        if member in store["members"] and fitted_with.get(member) == spec:
            continue  # cached with the same kind, parameters and seed; anything else is refitted
        started, per = time.perf_counter(), {}
        for f in sorted(set(int(x) for x in data.folds if x > 0)):
            test, train = np.flatnonzero(data.folds == f), np.flatnonzero(data.folds != f)
            model = make_selector(kind, random_state=seed, **params).fit(data.subset(train))
            per[f] = {"oob": model.oob_scores(), "test": model.scores(data.features[test]),
                      "cand": getattr(model, "candidates_", None)}
        store["members"][member] = per
        fitted_with[member] = spec
        print(f"  {data.name}: {member} fitted in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        cache.write_bytes(pickle.dumps(store))
    return store


def _normalised(d: dict, key: str, how: str) -> np.ndarray:
    scale = mean_row_range(d["oob"], d["cand"]) if how == "scaled" else None
    return normalise_scores(d[key], d["cand"], scale=scale)


def _blend_candidates(store: dict, f: int, members: list[str], step: float, hows: tuple[str, ...]):
    """[(normalisation, weights, training oob blend, test blend)] over the grid."""
    out = []
    for how in hows:
        oob = {m: _normalised(store["members"][m][f], "oob", how) for m in members}
        tst = {m: _normalised(store["members"][m][f], "test", how) for m in members}
        for w in simplex_grid(len(members), step):
            out.append((how, w, sum(wk * oob[m] for wk, m in zip(w, members)), sum(wk * tst[m] for wk, m in zip(w, members))))
    return out


def blend_choice(store: dict, members: list[str], *, step: float = 0.25, hows=("minmax", "scaled"), crit: str = "mean",
                 se: float = 0.0, boot: int = 0, seed: int = 0) -> np.ndarray:
    """The algorithm each instance gets under one blending rule (see the module docstring)."""
    cost, folds = store["cost"], store["folds"]
    choice = np.zeros(len(cost), dtype=int)
    rng = np.random.default_rng(seed)
    for f in store["members"][members[0]]:
        test, train = np.flatnonzero(folds == f), np.flatnonzero(folds != f)
        ctr = cost[train]
        if crit == "log" and np.all(cost > 0):
            ctr = np.log10(ctr)
        cands = _blend_candidates(store, f, members, step, hows)
        C = np.array([ctr[np.arange(len(train)), np.argmin(c[2], axis=1)] for c in cands])
        if boot:
            votes: dict[str, list[np.ndarray]] = {}
            for _ in range(boot):
                idx = rng.integers(0, C.shape[1], C.shape[1])
                i = int(np.argmin(C[:, idx].mean(axis=1)))
                votes.setdefault(cands[i][0], []).append(cands[i][1])
            how = max(votes, key=lambda h: len(votes[h]))
            w = np.mean(votes[how], axis=0)
            tst = {m: _normalised(store["members"][m][f], "test", how) for m in members}
            blend = sum(wk * tst[m] for wk, m in zip(w, members))
        else:
            means = C.mean(axis=1)
            i = int(np.argmin(means))
            if se > 0:
                sem = (C - C[i]).std(axis=1) / np.sqrt(C.shape[1])
                ok = np.flatnonzero(means - means[i] <= se * sem + 1e-12)
                i = int(min(ok, key=lambda k: (float(np.sum(cands[k][1] ** 2)), k)))
            blend = cands[i][3]
        choice[test] = np.argmin(blend, axis=1)
    return choice


def hedge_cost(store: dict, members: list[str]) -> np.ndarray:
    """Per-instance PAR10 of the stack's ranking played as a schedule with shares chosen on training."""
    cost, folds, cutoff = store["cost"], store["folds"], float(store["cutoff"])
    out = np.zeros(len(cost))
    for f in store["members"][members[0]]:
        test, train = np.flatnonzero(folds == f), np.flatnonzero(folds != f)
        ctr = cost[train]
        cands = _blend_candidates(store, f, members, 0.25, ("minmax", "scaled"))
        i = int(np.argmin([ctr[np.arange(len(train)), np.argmin(c[2], axis=1)].mean() for c in cands]))
        options = [s for s in SHARES if len(s) <= cost.shape[1]]
        order_train = np.argsort(cands[i][2], axis=1, kind="stable")
        best = options[int(np.argmin([_play(ctr, order_train, s, cutoff).mean() for s in options]))]
        out[test] = _play(cost[test], np.argsort(cands[i][3], axis=1, kind="stable"), best, cutoff)
    return out


def _play(cost: np.ndarray, order: np.ndarray, shares: tuple[float, ...], cutoff: float) -> np.ndarray:
    """PAR10 of running order[:, 0] for shares[0] * cutoff, then order[:, 1], ... (times from cost)."""
    n = len(cost)
    out, clock, done = np.full(n, 10.0 * cutoff), np.zeros(n), np.zeros(n, dtype=bool)
    for k, share in enumerate(shares):
        runtime = cost[np.arange(n), order[:, k]]
        budget = share * cutoff
        ok = ~done & (runtime <= min(budget, cutoff) + 1e-9) & (clock + runtime <= cutoff + 1e-9)
        out[ok] = clock[ok] + runtime[ok]
        done |= ok
        clock = clock + np.where(done, 0.0, budget)
    return out


def gap_closed(cost: np.ndarray, per_instance: np.ndarray) -> float:
    vbs, sbs = cost.min(axis=1).mean(), cost.mean(axis=0).min()
    return float((sbs - per_instance.mean()) / (sbs - vbs))


def rules_table(store: dict) -> dict[str, float]:
    cost = store["cost"]
    members = list(MEMBERS)
    rows = np.arange(len(cost))
    row = {SHORT[m]: gap_closed(cost, cost[rows, blend_choice(store, [m], hows=("minmax",))]) for m in members}
    row["equal"] = _equal(store, members)
    rules = {"stack": {}, "log": {"crit": "log"}, "1se": {"se": 1}, "2se": {"se": 2}, "boot": {"boot": 30},
             "minmax": {"hows": ("minmax",)}, "scaled": {"hows": ("scaled",)}, "step.5": {"step": 0.5}}
    for name, kw in rules.items():
        row[name] = gap_closed(cost, cost[rows, blend_choice(store, members, **kw)])
    if store.get("cutoff") is not None:
        row["hedge"] = gap_closed(cost, hedge_cost(store, members))
    return row


def _equal(store: dict, members: list[str]) -> float:
    cost, folds = store["cost"], store["folds"]
    choice = np.zeros(len(cost), dtype=int)
    for f in store["members"][members[0]]:
        test = np.flatnonzero(folds == f)
        blend = sum(_normalised(store["members"][m][f], "test", "minmax") for m in members)
        choice[test] = np.argmin(blend, axis=1)
    return gap_closed(cost, cost[np.arange(len(cost)), choice])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default=None, help="comma-separated scenario names (default: all)")
    ap.add_argument("--cache", default=str(RESULTS / ".cache" / "selection_blends"),
                    help="folder of fitted-member caches (one pickle per scenario; reused when present)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS / "selection_blends.json"))
    args = ap.parse_args(argv)
    root = aslib_root()
    if root is None:
        sys.exit(f"ASlib data not found: set {ASLIB_ENV} (or provide <repo>/../shared/data/aslib)")
    names = args.scenarios.split(",") if args.scenarios else sorted(p.name for p in root.iterdir() if (p / "description.txt").is_file())
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, float]] = {}
    for name in names:
        data = PerformanceData.from_aslib(load_aslib(root / name))
        store = fit_members(data, cache / f"{name}.pkl", args.seed)
        table[name] = rules_table(store)
    cols = list(dict.fromkeys(c for row in table.values() for c in row))
    print(f"{'scenario':18s}" + "".join(f"{c:>8s}" for c in cols))
    for name, row in table.items():
        print(f"{name[:18]:18s}" + "".join(f"{row[c]:8.3f}" if c in row else f"{'-':>8s}" for c in cols))
    means = {c: float(np.mean([row[c] for row in table.values() if c in row])) for c in cols}
    runtime = [row for row in table.values() if "hedge" in row]
    means_runtime = {c: float(np.mean([row[c] for row in runtime])) if runtime else float("nan") for c in cols}
    print(f"{'MEAN':18s}" + "".join(f"{means[c]:8.3f}" for c in cols))
    print(f"{'MEAN runtime':18s}" + "".join(f"{means_runtime[c]:8.3f}" for c in cols))
    print("gap closed (free feature cost, all instances kept, one algorithm per instance; hedge: a schedule). "
          "MEAN: every scenario that has the column; MEAN runtime: runtime scenarios only (hedge needs a cutoff)")
    Path(args.out).write_text(json.dumps({"command": "python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]),
                                          "commit": source_commit(),
                                          "seed": args.seed, "scenarios": table, "mean": means,
                                          "mean_runtime_scenarios": means_runtime}, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
