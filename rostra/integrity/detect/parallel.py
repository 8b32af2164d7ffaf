"""Independent steps of a detection run in forked worker processes.

The offline analysis of a million posts is CPU-bound Python and numpy, and its
steps (the two halves of the per-post pass, then each behaviour's ties) do not
depend on each other. A forked worker sees the caller's data as it was at the
fork (copy-on-write), so only the results travel back through a pipe. The
results are the same with one process or several: callers keep the order.

Forking is only for a process that owns itself (the CLI); the background task in
the web server runs with one process, where forking beside threads and database
connections would be unsafe.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

Call = tuple[Callable[..., Any], tuple]
_CALLS: list[Call] = []


def _run(index: int) -> Any:
    function, args = _CALLS[index]
    return function(*args)


def run_all(calls: Sequence[Call], processes: int = 1) -> list[Any]:
    """``[f(*args) for f, args in calls]``, in up to ``processes`` forked workers."""
    if processes <= 1 or len(calls) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(*args) for function, args in calls]
    _CALLS[:] = calls  # the workers are forked at the first submit, after this
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(processes, len(calls)),
                                 mp_context=context) as pool:
            return list(pool.map(_run, range(len(calls))))
    finally:
        _CALLS.clear()
