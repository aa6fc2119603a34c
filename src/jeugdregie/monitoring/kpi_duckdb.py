"""The full KPI set on DuckDB: the tables the queries of ``kpi_duckdb_sql`` read, filled from
``Facts`` records (``load``, the benchmarks' and the hand-built tests' route) or straight from the
database (``kpi_duckdb_reader.load_from_database``, the application's route), and the queries run
into the shape of ``jeugdregie.rules.kpi.compute``.

DuckDB (columnar, vectorised, embedded) computes every KPI for every period and cut set in one
query per KPI; the Python registry computes one (KPI, period, cut set) per call and stays the
reference (docs/performance.md, "KPI set through DuckDB from the database").
"""

from __future__ import annotations

import csv
import math
import operator
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import Any

from jeugdregie.rules.kpi import CUTS, REGISTRY, Facts, Period

from .kpi_duckdb_sql import (
    ALLOCATION_COLUMNS,
    CHANGE_REQUEST_COLUMNS,
    CLAIM_COLUMNS,
    EMPTY,
    MEDIANS,
    PREPARE,
    QUERIES,
    check_coverage,
    render,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "CHANGE_REQUEST_COLUMNS",
    "CLAIM_COLUMNS",
    "Results",
    "check_coverage",
    "compare",
    "connect",
    "create_schema",
    "load",
    "prepare",
    "registry_results",
    "run",
    "run_query",
    "same",
    "set_periods",
]

NULL = "\\N"

Results = dict[tuple[str, str, tuple[str, ...]], dict[tuple, Any]]


def connect(threads: int | None = None):
    """An in-memory DuckDB database (``threads``: at most that many threads)."""
    import duckdb  # a large module: imported when a KPI set is computed, not with the app

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


# ---------------------------------------------------------------- loading from records


def _write_csv(path: str, records: Iterable[Any], columns: Sequence[tuple[str, str]]) -> int:
    get = operator.attrgetter(*(name for name, _ in columns))
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for record in records:
            row = get(record)
            if None in row:
                row = tuple(NULL if v is None else v for v in row)
            writer.writerow(row)
            n += 1
    return n


def create_schema(con) -> None:
    for table, columns in (
        ("claims", CLAIM_COLUMNS),
        ("rejected_claims", CLAIM_COLUMNS),
        ("allocations", ALLOCATION_COLUMNS),
        ("change_requests", CHANGE_REQUEST_COLUMNS),
    ):
        cols = ", ".join(f"{name} {kind}" for name, kind in columns)
        con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")
    con.execute("CREATE OR REPLACE TABLE meta (as_of DATE, micro BIGINT, klein BIGINT)")


def load(con, facts: Facts, work_dir: str | None = None) -> dict[str, float]:
    """Copy the facts into the tables ``claims`` (accepted), ``rejected_claims``, ``allocations``,
    ``change_requests`` and ``meta``.

    The route is pandas- and Arrow-free: the records are written to a CSV file with the standard
    library's csv module and read with DuckDB's COPY (``executemany`` inserts about 1,500 rows a
    second, binding Python lists to ``unnest`` about 80,000). Returns the seconds of each step."""
    create_schema(con)
    timings = {"write_csv": 0.0, "copy": 0.0}
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="kpi-duckdb-") as tmp:
        for table, records, columns in (
            ("claims", facts.claims, CLAIM_COLUMNS),
            ("rejected_claims", facts.rejected_claims, CLAIM_COLUMNS),
            ("allocations", facts.allocations, ALLOCATION_COLUMNS),
            ("change_requests", facts.change_requests, CHANGE_REQUEST_COLUMNS),
        ):
            path = os.path.join(tmp, f"{table}.csv")
            t0 = time.perf_counter()
            written = _write_csv(path, records, columns)
            t1 = time.perf_counter()
            if written:  # COPY cannot read an empty file
                con.execute(f"COPY {table} FROM '{path}' (FORMAT csv, HEADER false, NULLSTR '{NULL}')")
            timings["copy"] += time.perf_counter() - t1
            timings["write_csv"] += t1 - t0
    micro, klein = facts.size_class_limits
    con.execute("INSERT INTO meta VALUES (?, ?, ?)", [facts.as_of, micro, klein])
    return timings


def set_periods(con, periods: Sequence[Period]) -> None:
    con.execute("CREATE OR REPLACE TABLE periods (label VARCHAR, period_begin DATE, period_end DATE)")
    con.executemany("INSERT INTO periods VALUES (?, ?, ?)", [(p.label, p.begin, p.end) for p in periods])


# ---------------------------------------------------------------- running and comparing

Results = dict[tuple[str, str, tuple[str, ...]], dict[tuple, Any]]


def prepare(con) -> None:
    for sql in PREPARE:
        con.execute(render(sql, ()))


def run_query(con, kpi_id: str, periods: Sequence[Period], cut_sets: Sequence[tuple[str, ...]]) -> Results:
    """One KPI for every period and cut set, in the shape of ``compute``."""
    out: Results = {(kpi_id, p.label, cuts): {} for p in periods for cuts in cut_sets}
    median = kpi_id in MEDIANS
    for label, set_id, cut_key, value in con.execute(render(QUERIES[kpi_id], cut_sets)).fetchall():
        if median:
            value = int(value["v"]) if value["odd"] else value["v"]
        out[(kpi_id, label, cut_sets[set_id])][tuple(cut_key)] = value
    for p in periods:
        whole = out.get((kpi_id, p.label, ()))
        if whole is not None and () not in whole:
            whole[()] = EMPTY.get(kpi_id)
    return out


def run(
    con,
    periods: Sequence[Period],
    cut_sets: Sequence[tuple[str, ...]],
    kpis: Iterable[str] | None = None,
    timings: dict[str, float] | None = None,
) -> Results:
    """Every KPI (or those of ``kpis``) over ``periods`` and ``cut_sets`` on the loaded tables;
    ``set_periods`` must have been called with the same periods. With ``timings``,
    the seconds of the shared care-path tables (``"paths"``) and of every query are stored in it."""
    for cuts in cut_sets:
        for cut in cuts:
            if cut not in CUTS:
                raise ValueError(f"unknown cut: {cut}")
    results: Results = {}
    t0 = time.perf_counter()
    prepare(con)
    if timings is not None:
        timings["paths"] = time.perf_counter() - t0
    for kpi_id in kpis or REGISTRY:
        t0 = time.perf_counter()
        results.update(run_query(con, kpi_id, periods, cut_sets))
        if timings is not None:
            timings[kpi_id] = time.perf_counter() - t0
    return results


def same(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Counts and cents (an integer on either side) and strings exactly; two floats (ratios,
    means) to ``rel`` relative; containers element by element."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b


def compare(registry: Results, duck: Results, rel: float = 1e-9) -> list[str]:
    """The differences between the registry's results and DuckDB's, one line each."""
    problems = []
    for key in sorted(registry.keys() | duck.keys()):
        if key not in duck or key not in registry:
            problems.append(f"{key}: only in {'registry' if key in registry else 'duckdb'}")
            continue
        r, d = registry[key], duck[key]
        for group in sorted(r.keys() | d.keys(), key=repr):
            if group not in d:
                problems.append(f"{key} {group}: registry {r[group]!r}, missing in duckdb")
            elif group not in r:
                problems.append(f"{key} {group}: duckdb {d[group]!r}, missing in registry")
            elif not same(r[group], d[group], rel):
                problems.append(f"{key} {group}: registry {r[group]!r} != duckdb {d[group]!r}")
    return problems


def registry_results(
    facts: Facts,
    periods: Sequence[Period],
    cut_sets: Sequence[tuple[str, ...]],
    kpis: Iterable[str] | None = None,
    timings: dict[str, float] | None = None,
) -> Results:
    """The same through ``jeugdregie.rules.kpi.compute`` (the reference)."""
    from jeugdregie.rules.kpi import compute

    results: Results = {}
    t0 = time.perf_counter()
    facts.paths  # noqa: B018  (the care paths, shared by five KPIs, timed on their own)
    if timings is not None:
        timings["paths"] = time.perf_counter() - t0
    for kpi_id in kpis or REGISTRY:
        t0 = time.perf_counter()
        for p in periods:
            for cuts in cut_sets:
                results[(kpi_id, p.label, cuts)] = compute(kpi_id, facts, p, cuts)
        if timings is not None:
            timings[kpi_id] = time.perf_counter() - t0
    return results
