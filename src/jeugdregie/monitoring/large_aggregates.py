"""Room for the analytics' large aggregates on PostgreSQL, for one transaction.

The KPI facts, the forecast and the backtest sum every claim line per allocation (``GROUP BY
toewijzing_id``). With PostgreSQL's default work_mem (4 MB) a hash of 1.4 million allocations does
not fit, so the planner walks the ``toewijzing_id`` index instead: every claim line in allocation
order, the table read in random order, and in each parallel worker again. At scale 60 that took
24-29 s; with room for the hash (164 MB there) the table is read once, in order, in 4-10 s
(docs/performance.md, session 10). The setting lasts until the end of the caller's outermost
transaction (``SET LOCAL``; inside a request's or a test's transaction, until that one ends), so
it never stays on a connection.
"""

from __future__ import annotations

#: Enough for the hash of every allocation of the Netherlands (scale 60: 164 MB).
WORK_MEM = "256MB"


def make_room(cursor, *, parallel: bool = True) -> None:
    """Inside ``transaction.atomic()``: work_mem for the large aggregates for the rest of the
    transaction and, with ``parallel=False``, no parallel workers (each would build the same hash
    again). Nothing on SQLite."""
    if cursor.db.vendor != "postgresql":
        return
    cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
    if not parallel:
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
