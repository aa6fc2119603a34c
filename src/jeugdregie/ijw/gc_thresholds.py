"""The ingest with fewer garbage collections.

An ingest allocates and frees millions of small objects (read messages, rows, model instances);
most are freed by reference counting, but every 700 allocations more than frees Python's cyclic
collector runs, and each tenth of those also scans the older objects, which include the stored
facts kept from one batch to the next. Raising the first threshold to 50,000 for the length of
the ingest halved the full collections on 22,110 demo messages and took about a tenth off the
CPU time (docs/performance.md, "Step 6"), for about 7 MB more peak memory. Nothing is left
uncollected: the collector still runs, less often, and the thresholds are restored afterwards.

With these thresholds the collector in practice never scans the oldest generation during an ingest,
and the batch path's in-memory copy of stored facts (``stored_facts.StoredFacts``) lives long
enough to get there. Its objects are tied in reference cycles (the batch and the bound methods it
hands to its helpers), so when the copy grows past its limit and is dropped, reference counting
does not free it: on the demo traffic on PostgreSQL every dropped copy stayed, about 90 MB each,
and the ingest's memory grew with every message (2.3 KB a message at scale 10).
``collect_dropped`` runs a full collection right after such a drop, once per some 50,000 keys.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

INGEST_THRESHOLDS = (50_000, 50, 100)


def collect_dropped() -> int:
    """Free the objects of a dropped copy of stored facts now (see the module docstring); the
    number of objects collected."""
    return gc.collect()


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
