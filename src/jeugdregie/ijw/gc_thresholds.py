"""The ingest with fewer garbage collections.

An ingest allocates and frees millions of small objects (read messages, rows, model instances);
most are freed by reference counting, but every 700 allocations more than frees Python's cyclic
collector runs, and each tenth of those also scans the older objects, which include the stored
facts kept from one batch to the next. Raising the first threshold to 50,000 for the length of
the ingest halved the full collections on 22,110 demo messages and took about a tenth off the
CPU time (docs/performance.md, "Step 6"), for about 7 MB more peak memory. Nothing is left
uncollected: the collector still runs, less often, and the thresholds are restored afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

INGEST_THRESHOLDS = (50_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with ``INGEST_THRESHOLDS`` (unless the thresholds are higher already)."""
    before = gc.get_threshold()
    if before[0] >= INGEST_THRESHOLDS[0]:
        yield
        return
    gc.set_threshold(*INGEST_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
