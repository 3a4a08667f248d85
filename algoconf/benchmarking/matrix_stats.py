"""Sanity numbers of a runtime matrix: PAR10s, timeouts, and whether the best row on half of the
instances is also best on the other half (``python benchmarks/build_matrix.py --stats``)."""

from __future__ import annotations

import numpy as np

__all__ = ["matrix_stats"]


def matrix_stats(runtime: np.ndarray, solved: np.ndarray, cutoff: float, splits: int = 500, seed: int = 0) -> dict:
    """Sanity numbers of a matrix (row 0 = default): PAR10s, timeouts, and train/test agreement.

    ``train_best_*`` draw ``splits`` random halvings of the instances: how often the row best on
    one half (PAR10) is also best on the other, its mean rank there (1 = best) and its mean
    regret there; ``benchmark_split`` is the one halving ``RuntimeMatrix.split(n // 2, seed=0)``.
    """
    cost = np.where(solved, runtime, 10 * cutoff)
    par10 = cost.mean(axis=1)
    rows, cols = cost.shape

    def agreement(train: np.ndarray, test: np.ndarray) -> tuple[bool, int, float]:
        pick = int(np.argmin(cost[:, train].mean(axis=1)))
        test_par = cost[:, test].mean(axis=1)
        return (
            bool(test_par[pick] <= test_par.min()),
            int((test_par < test_par[pick]).sum()) + 1,
            float(test_par[pick] - test_par.min()),
        )

    rng = np.random.default_rng(seed)
    draws = [
        agreement(order[: cols // 2], order[cols // 2 :]) for order in (rng.permutation(cols) for _ in range(splits))
    ]
    bench = np.random.default_rng(0).permutation(cols)
    same, rank, regret = agreement(bench[: cols // 2], bench[cols // 2 :])
    quantiles = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
    return {
        "shape": [rows, cols],
        "cutoff": cutoff,
        "default_par10": round(float(par10[0]), 4),
        "default_solved": round(float(solved[0].mean()), 4),
        "default_median_runtime": round(float(np.median(runtime[0])), 4),
        "default_rank": int((par10 < par10[0]).sum()) + 1,
        "best_row": int(np.argmin(par10)),
        "best_row_par10": round(float(par10.min()), 4),
        "timeout_fraction": round(float(1 - solved.mean()), 4),
        "rows_with_timeouts": int((~solved).any(axis=1).sum()),
        "row_par10_quantiles": {str(q): round(float(np.quantile(par10, q)), 4) for q in quantiles},
        "train_best_is_test_best": round(float(np.mean([d[0] for d in draws])), 3),
        "train_best_test_rank_mean": round(float(np.mean([d[1] for d in draws])), 2),
        "train_best_test_regret_mean": round(float(np.mean([d[2] for d in draws])), 4),
        "splits": splits,
        "benchmark_split": {"train_best_is_test_best": same, "test_rank": rank, "test_regret": round(regret, 4)},
    }
