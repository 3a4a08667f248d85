"""Fitting and cross-validating selectors on several cores, with progress as data.

* ``jobs``: how many cores (``None``: all of ``os.cpu_count()``); :func:`resolve_jobs` refuses 0
  and negative values with a one-line :class:`~algoconf.errors.SelectionInputError`.
* Cross-validation (:func:`algoconf.selection.offline.evaluation.evaluate_conventions`) runs its folds in
  ``min(jobs, folds)`` worker processes (joblib's loky backend); cores left over go to the
  forests inside each fold (:func:`compute_context`). A single fit (``select fit``) gives all its
  cores to the forests.
* Every fit runs with BLAS/OpenMP limited to one thread (threadpoolctl). On a shared 2-core machine
  scikit-learn's OpenMP k-NN search spins: one ``kneighbors`` of 270 x 115 features took 0.62 s
  with two OpenMP threads under load against 0.024 s with one.
* Results do not depend on ``jobs``: every fold is fitted from the same seed and training rows,
  and a random forest draws its trees' seeds before it dispatches them.
* Progress: a fitted member (the stack's members, or a whole fit for other selectors) is reported
  with :func:`member_fitted` to the sink installed by :func:`reporting_members` (a context
  variable, so threads do not mix); the library never prints, the CLI draws
  :class:`~algoconf.execution.progress.ProgressUpdate` s.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from typing import Any, Callable, Iterator

from algoconf.errors import SelectionInputError

__all__ = ["compute_context", "fit_selector", "member_fitted", "reporting_members", "resolve_jobs"]

_member_sink: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("member_sink", default=None)


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` as a positive core count (``None``: every core of the machine)."""
    if jobs is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise SelectionInputError(f"--jobs must be a positive number of cores, got {jobs!r}")
    return jobs


@contextlib.contextmanager
def compute_context(threads: int = 1) -> Iterator[None]:
    """BLAS/OpenMP limited to one thread; scikit-learn forests built on ``threads`` threads."""
    import joblib
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1), joblib.parallel_config(backend="threading", n_jobs=max(1, int(threads))):
        yield


@contextlib.contextmanager
def reporting_members(sink: Callable[[str], None] | None) -> Iterator[None]:
    """Within the block, :func:`member_fitted` calls ``sink(name)``."""
    token = _member_sink.set(sink)
    try:
        yield
    finally:
        _member_sink.reset(token)


def member_fitted(name: str) -> None:
    """Report one fitted member (no-op without a sink)."""
    sink = _member_sink.get()
    if sink is not None:
        sink(name)


def fit_selector(selector: Any, data: Any, *, jobs: int | None = None) -> Any:
    """``selector.fit(data)`` with ``jobs`` cores for its forests; returns the fitted selector."""
    with compute_context(resolve_jobs(jobs)):
        return selector.fit(data)
