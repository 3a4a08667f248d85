"""Where performance data comes from: an ASlib scenario directory or an algoconf run directory.

:func:`load_performance` is what ``algoconf select fit`` and ``select evaluate`` read; a run
directory's features come from a CSV (:func:`read_features_csv`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from algoconf.errors import SelectionInputError
from algoconf.history import RunHistory
from algoconf.selection.data.aslib import load_aslib
from algoconf.selection.data.input_checks import check_selectable
from algoconf.selection.data.performance import PerformanceData

__all__ = ["load_performance", "read_features_csv"]


def load_performance(source: str | Path, features_csv: str | Path | None = None) -> PerformanceData:
    """PerformanceData from an ASlib scenario directory or an algoconf run directory.

    A run directory's runs need a cutoff; its features come from ``features_csv`` (see
    :func:`read_features_csv`). Data with nothing to select (one algorithm, no feature value) and a
    directory of neither kind raise :class:`SelectionInputError`.
    """
    source = Path(source)
    if (source / "description.txt").exists():
        data = PerformanceData.from_aslib(load_aslib(source))
        check_selectable(data.n_algorithms, data.features, source=source)
        return data
    if (source / "history.sqlite").exists():
        history = RunHistory.open(source)
        try:
            results = history.results()
        finally:
            history.close()
        cutoffs = {r.request.cutoff for r in results if r.request.cutoff}
        if not cutoffs:
            raise SelectionInputError("the history's runs have no cutoff: selection needs runtime data", file=source)
        features = None
        names: tuple[str, ...] = ()
        if features_csv is not None:
            features, names = read_features_csv(Path(features_csv))
        data = PerformanceData.from_results(
            results, cutoff=max(cutoffs), features=features, feature_names=names, name=source.name
        )
        check_selectable(data.n_algorithms, data.features if features_csv is not None else None, source=source)
        return data
    raise SelectionInputError(
        "expected an ASlib scenario directory (description.txt) or a run directory (history.sqlite)", file=source
    )


def read_features_csv(path: Path) -> tuple[dict[str, list[float]], tuple[str, ...]]:
    """(instance -> feature values, feature names) from a CSV whose header starts with ``instance``;
    empty, ``?`` and ``nan`` cells are missing (NaN)."""
    try:
        handle = path.open(newline="")
    except OSError as err:
        raise SelectionInputError(f"cannot read: {err.strerror}", file=path) from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or header[0] != "instance":
            raise SelectionInputError("expected a header starting with 'instance'", file=path, line=1)
        out: dict[str, list[float]] = {}
        for lineno, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise SelectionInputError(f"expected {len(header)} values, got {len(row)}", file=path, line=lineno)
            try:
                out[row[0]] = [float(v) if v not in ("", "?", "nan") else float("nan") for v in row[1:]]
            except ValueError:
                raise SelectionInputError("expected numbers after the instance name", file=path, line=lineno) from None
    return out, tuple(header[1:])
