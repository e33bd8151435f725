"""The numerical libraries' thread pools on one thread, where jipp-kb already runs work side by side.

A server answers requests in threads and worker processes, and complaint
themes cluster small matrices: in both, a second BLAS thread only spins while
it waits for its share, taking a core the other work needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threadpoolctl import threadpool_limits


def one_thread() -> threadpool_limits:
    """Limit the loaded libraries' pools (numpy's BLAS, OpenMP) to one thread; ``with one_thread():`` restores them after.

    Measured: k-means on 400 complaints on a busy machine took 1 s a run instead of 6 ms (the consensus 160 s
    against 2 s); `benchmarks/serve_load.py` at 10,000 cases with two processes answered 30.7 / 29.3 requests/s
    with two threads and 35.8 / 39.2 with one (p95 ~1,030 -> 748-817 ms).
    """
    import numpy  # noqa: F401  (loaded first: the limit reaches only libraries already loaded)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)
