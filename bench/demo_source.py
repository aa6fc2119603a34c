"""The demo region the benchmarks read their facts from (shared by bench/settle.py and
bench/kpi_duckdb.py): generated into the work directory unless a data directory is given."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

UNTIL = dt.date(2026, 10, 31)


def demo_data(data: Path | None, work: Path) -> Path:
    """``data`` if given, else the demo region (seed 1, scale 1, until UNTIL) generated in ``work/demo``."""
    if data is not None:
        return data
    from jeugdregie.demo.generator import generate

    data = work / "demo"
    t0 = time.perf_counter()
    generate(data, seed=1, scale=1, until=UNTIL)
    print(f"generated the demo region (seed 1, scale 1, until {UNTIL}) in {time.perf_counter() - t0:.1f} s")
    return data
