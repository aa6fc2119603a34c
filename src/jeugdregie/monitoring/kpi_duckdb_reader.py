"""The KPI facts from the database into DuckDB, without Python fact records.

The rows are those of the lean reader (``facts_lean``): the same SELECTs, one per fact kind, are
copied as they come and joined in DuckDB the way the lean reader joins them in Python (product
book, referrers, last stops, successors, change-request outcomes). ``tests/rules/
test_kpi_duckdb_reader.py`` asserts that every KPI and cut equals the registry's on the lean
reader's facts.

- PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` through psycopg's ``cursor.copy()``,
  streamed in blocks into a temporary file; the rows never become Python objects. Two copies run
  at once, each on a connection of its own (outside a transaction: inside one, only its own
  connection sees what it sees), so the server works on two cores while DuckDB reads what has
  arrived. Each COPY is its own statement either way, as it was on one connection in autocommit.
- SQLite: the same SELECT fetched in blocks and written with the csv module. SQLite runs in this
  process, so its rows are Python tuples either way; what is saved is the fact objects and the
  dictionary look-ups per row, and both databases then share one DuckDB side.

DuckDB reads each file with ``read_csv`` and explicit column types (no type sniffing). The small
catalogue look-ups (product index, successors) come from ``facts`` as the lean reader's do.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from django.db import connection, transaction

from jeugdregie.rules.kpi import SIZE_CLASS_LIMITS_CENT, Period
from jeugdregie.zorg.requests import AFGEWEZEN, IN_ONDERZOEK, OPEN, TOEGEKEND

from . import facts_lean as lean
from .alongside import may_run_alongside, on_own_connection
from .facts import MARGIN, data_complete_until, product_index, successor_index
from .kpi_duckdb import NULL, Results, connect, create_schema, run, set_periods
from .kpi_duckdb_sql import FACT_TABLES, reads_claimed_volume, tables_read
from .large_aggregates import make_room

_V, _B, _D, _I = "VARCHAR", "BOOLEAN", "DATE", "BIGINT"

#: The columns of each SELECT of ``facts_lean``, named and typed for DuckDB, in the order they are
#: copied (the referrers first: the claims are joined to them as they come).
RAW: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "raw_referrers": (lean.REFERRERS, (("id", _I), ("verwijzer", _V), ("aangevraagd_op", _D))),
    "raw_claims": (
        lean.CLAIMS,
        (
            ("client", _V),
            ("gemeente", _V),
            ("aanbieder", _V),
            ("categorie", _V),
            ("is_nga", _B),
            ("product_id", _I),
            ("periode_begin", _D),
            ("bedrag_cent", _I),
            ("volume", _I),
            ("toewijzing_id", _I),
            ("periode_eind", _D),
            ("retourcode", _V),
        ),
    ),
    "raw_allocations": (
        lean.ALLOCATIONS,
        (
            ("id", _I),
            ("client", _V),
            ("gemeente", _V),
            ("aanbieder", _V),
            ("categorie", _V),
            ("is_nga", _B),
            ("product_id", _I),
            ("product_categorie", _V),
            ("ingangsdatum", _D),
            ("einddatum", _D),
            ("volume", _I),
            ("frequentie", _V),
            ("toewijzingsdatum", _D),
            ("toegewezen_product", _V),
            ("claimed", _I),
            ("zorg_start", _D),
        ),
    ),
    # DuckDB picks the last stop with arg_max, so the lean reader's ORDER BY is left out
    "raw_stops": (
        lean.LAST_STOPS.replace(" ORDER BY einddatum, id", ""),
        (("toewijzing_id", _I), ("einddatum", _D), ("reden", _V), ("id", _I)),
    ),
    "raw_requests": (
        lean.REQUESTS,
        (
            ("id", _I),
            ("aanbieder_id", _I),
            ("ref", _V),
            ("aanbieder", _V),
            ("client", _V),
            ("gemeente", _V),
            ("categorie", _V),
            ("is_nga", _B),
            ("aangevraagd_op", _D),
        ),
    ),
    "raw_first_product": (
        lean.FIRST_PRODUCT,
        (
            ("verzoek", _I),
            ("toewijzing", _I),
            ("allocated_product", _I),
            ("product", _I),
            ("verlenging", _B),
            ("soort_rank", _I),
            ("id", _I),
        ),
    ),
    "raw_grants": (lean.GRANTS, (("aanbieder_id", _I), ("ref", _V), ("day", _D))),
    "raw_answers": (lean.ANSWERS, (("verzoek", _I), ("uitkomst", _V), ("day", _D))),
}
PRODUCT_COLUMNS = (("id", _I), ("segment", _V), ("groep", _V), ("product", _V), ("custom", _V), ("pxq", _B))
SUCCESSOR_COLUMNS = (("id", _I), ("code", _V))

_PRODUCT = "coalesce(p.segment, ''), coalesce(p.groep, ''), coalesce(p.product, '')"

_CLAIMS = f"""
    INSERT INTO {{table}}
    SELECT c.client, c.gemeente, c.aanbieder, c.categorie, c.is_nga, {_PRODUCT}, coalesce(p.custom, ''),
        c.periode_begin, c.bedrag_cent, c.volume, coalesce(r.verwijzer, '01'), {{afgewezen}}, c.retourcode
    FROM {{source}} c
    LEFT JOIN products p ON p.id = c.product_id
    LEFT JOIN raw_referrers r ON r.id = c.toewijzing_id
"""  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input

# the last stop of an allocation: the latest Einddatum, on a tie the last recorded (highest id)
_ALLOCATIONS = f"""
    INSERT INTO allocations
    SELECT t.id, t.client, t.gemeente, t.aanbieder, t.categorie, t.is_nga, {_PRODUCT}, t.product_categorie,
        t.ingangsdatum, t.einddatum, coalesce(r.verwijzer, '01'), coalesce(p.pxq, false), t.volume,
        t.frequentie, coalesce(t.claimed, 0), t.toewijzingsdatum, r.aangevraagd_op, t.zorg_start,
        coalesce(s.reden, ''), t.toegewezen_product, coalesce(sc.code, '')
    FROM raw_allocations t
    LEFT JOIN products p ON p.id = t.product_id
    LEFT JOIN raw_referrers r ON r.id = t.id
    LEFT JOIN (
        SELECT toewijzing_id, arg_max(reden, (einddatum, id)) AS reden FROM raw_stops GROUP BY toewijzing_id
    ) s ON s.toewijzing_id = t.id
    LEFT JOIN successors sc ON sc.id = t.product_id
"""  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input

# The outcome by the rule of jeugdregie.zorg.requests (as facts_lean.change_request_facts): the
# first grant or refusal by date decides, a grant on the refusal's day wins; else in onderzoek
# (an answer that is no refusal) or open. The cuts are those of the first product the request
# names: the allocation to change before a new product, then by id.
_GRANTED = "d.granted IS NOT NULL AND (d.refused IS NULL OR d.granted <= d.refused)"
_CHANGE_REQUESTS = f"""
    INSERT INTO change_requests
    WITH refused AS (
        SELECT verzoek, min(day) AS day FROM raw_answers WHERE uitkomst = '1' GROUP BY verzoek
    ), investigated AS (
        SELECT DISTINCT verzoek FROM raw_answers WHERE uitkomst IS DISTINCT FROM '1'
    ), first_named AS (
        SELECT verzoek, toewijzing, coalesce(allocated_product, product) AS product_id
        FROM raw_first_product
        QUALIFY row_number() OVER (PARTITION BY verzoek ORDER BY soort_rank, id) = 1
    ), decided AS (
        SELECT q.*, g.day AS granted, rf.day AS refused, inv.verzoek IS NOT NULL AS investigated,
            f.toewijzing, f.product_id
        FROM raw_requests q
        LEFT JOIN raw_grants g ON g.aanbieder_id = q.aanbieder_id AND g.ref = q.ref
        LEFT JOIN refused rf ON rf.verzoek = q.id
        LEFT JOIN investigated inv ON inv.verzoek = q.id
        LEFT JOIN first_named f ON f.verzoek = q.id
    )
    SELECT d.id, d.client, d.gemeente, d.aanbieder, d.categorie, d.is_nga, {_PRODUCT},
        coalesce(r.verwijzer, '01'), d.aangevraagd_op,
        CASE WHEN {_GRANTED} THEN '{TOEGEKEND}' WHEN d.refused IS NOT NULL THEN '{AFGEWEZEN}'
            WHEN d.investigated THEN '{IN_ONDERZOEK}' ELSE '{OPEN}' END,
        CASE WHEN {_GRANTED} THEN d.granted WHEN d.refused IS NOT NULL THEN d.refused END
    FROM decided d
    LEFT JOIN products p ON p.id = d.product_id
    LEFT JOIN raw_referrers r ON r.id = d.toewijzing
"""  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input


def _copy_postgres(sql: str, params: list, path: str) -> None:
    statement = f"COPY ({lean.sql_for_vendor(sql)}) TO STDOUT (FORMAT csv, NULL '{NULL}')"
    with transaction.atomic(), connection.cursor() as cursor, open(path, "wb") as fh:
        # the allocations' claimed volume; no parallel workers: the copies run two at a time
        make_room(cursor, parallel=False)
        with cursor.cursor.copy(statement, params) as copy:
            for block in copy:
                fh.write(block)


def _copy_sqlite(sql: str, params: list, path: str) -> None:
    with connection.cursor() as cursor, open(path, "w", newline="", encoding="utf-8") as fh:
        cursor.execute(lean.sql_for_vendor(sql), params)
        writer = csv.writer(fh)
        while block := cursor.fetchmany(lean.BLOCK):
            writer.writerows(tuple(NULL if v is None else v for v in row) for row in block)


#: PostgreSQL connections copying at once (the tables are independent; two cores here).
COPY_CONNECTIONS = 2

CopyOut = Callable[[str, list, str], None]

#: The copies started first (the longest: at scale 60 the allocations 45 s, the claims 14 s).
LARGEST = ("raw_allocations", "raw_claims")

#: The SELECTs each table of the KPI queries is joined from (``_CLAIMS``, ``_ALLOCATIONS``,
#: ``_CHANGE_REQUESTS``): a KPI set that reads fewer tables copies fewer.
SOURCES: dict[str, tuple[str, ...]] = {
    "claims": ("raw_referrers", "raw_claims"),
    "rejected_claims": ("raw_referrers", "raw_claims"),
    "allocations": ("raw_referrers", "raw_allocations", "raw_stops"),
    "change_requests": ("raw_referrers", "raw_requests", "raw_first_product", "raw_grants", "raw_answers"),
}
assert set(SOURCES) == set(FACT_TABLES) and {t for ts in SOURCES.values() for t in ts} == set(RAW)

#: The claims' SELECT runs twice, for the accepted and the rejected lines, into a table each:
#: (DuckDB table it is read into, the rejected flag appended to its parameters, the table joined
#: from it).
CLAIM_PARTS: tuple[tuple[str, bool, str], ...] = (
    ("raw_claims_accepted", False, "claims"),
    ("raw_claims_rejected", True, "rejected_claims"),
)


def _timed(copy_out: CopyOut, sql: str, params: list, path: str) -> float:
    """The copy; returns its seconds."""
    t0 = time.perf_counter()
    copy_out(sql, params, path)
    return time.perf_counter() - t0


def _copied(copy_out: CopyOut, jobs: list[tuple[str, list, str]]) -> Iterator[tuple[int, float, float]]:
    """Runs the copies (sql, params, path) and yields, as each is done, (its index in ``jobs``,
    seconds this thread waited for it, seconds the copy took). Started in the order given, so the
    longest should come first."""
    if connection.vendor != "postgresql" or not may_run_alongside():
        for index, job in enumerate(jobs):
            took = _timed(copy_out, *job)
            yield index, took, took
        return
    with ThreadPoolExecutor(COPY_CONNECTIONS, thread_name_prefix="kpi-copy") as pool:
        futures = {pool.submit(on_own_connection, _timed, copy_out, *job): i for i, job in enumerate(jobs)}
        try:
            t0 = time.perf_counter()
            for future in as_completed(futures):
                took = future.result()
                yield futures[future], time.perf_counter() - t0, took
                t0 = time.perf_counter()
        finally:
            for future in futures:
                future.cancel()


def _write_rows(rows: Sequence[tuple], path: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(tuple(NULL if v is None else v for v in row) for row in rows)


def _read(con, table: str, path: str, columns: Sequence[tuple[str, str]]) -> None:
    cols = ", ".join(f"{name} {kind}" for name, kind in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({cols})")
    if os.path.getsize(path):  # read_csv cannot read an empty file
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns)
        path = path.replace("'", "''")  # a quote in a work directory's name stays part of the name
        con.execute(
            f"""INSERT INTO {table} SELECT * FROM read_csv('{path}', header = false, delim = ',',
                quote = '"', escape = '"', nullstr = '{NULL}', allow_quoted_nulls = false,
                auto_detect = false, columns = {{{types}}})"""  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input
        )


def load_from_database(
    con,
    begin: dt.date,
    end: dt.date,
    *,
    as_of: dt.date | None = None,
    work_dir: str | None = None,
    tables: Collection[str] = FACT_TABLES,
    claimed: bool = True,
) -> dict[str, Any]:
    """Fill the tables the KPI queries read (``kpi_duckdb.create_schema``) with the facts
    ``facts_lean.load_facts(begin, end, as_of=as_of)`` reads: the same rows; of those not in
    `tables` none (``kpi_duckdb_sql.tables_read`` names what a KPI set needs). Returns the seconds
    of copying out of the database (``copy``, and per table ``copy_by_table``) and of reading and
    joining in DuckDB (``duckdb``), the rows of each copied table (``rows``) and ``as_of``.
    ``claimed=False`` leaves the allocations' claimed volume 0 (``kpi_duckdb_sql
    .reads_claimed_volume``: only the redemption KPI reads it), sparing a sum over every claim line."""
    needed = {raw for table in tables for raw in SOURCES[table]}
    copy_out = _copy_postgres if connection.vendor == "postgresql" else _copy_sqlite
    first, last = dt.date(begin.year, 1, 1), dt.date(end.year, 12, 31)
    wide_begin, wide_end = begin - MARGIN, end + MARGIN
    params: dict[str, list[Any]] = {
        "raw_claims": [first, last],  # the flag is added per copy below
        "raw_allocations": [*([False] if claimed else []), False, wide_end, False, wide_end, wide_begin],
        "raw_requests": [wide_begin, end],
        "raw_first_product": [wide_begin, end],
    }
    timings: dict[str, Any] = {"copy": 0.0, "duckdb": 0.0, "rows": {}, "copy_by_table": {}}
    create_schema(con)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="kpi-duckdb-") as tmp:
        t0 = time.perf_counter()
        products = os.path.join(tmp, "products.csv")
        _write_rows([(pk, *row) for pk, row in product_index().items()], products)
        successors = os.path.join(tmp, "successors.csv")
        _write_rows(list(successor_index().items()), successors)
        as_of = as_of or data_complete_until()
        timings["copy"] += time.perf_counter() - t0
        _read(con, "products", products, PRODUCT_COLUMNS)
        _read(con, "successors", successors, SUCCESSOR_COLUMNS)
        # (DuckDB table, SELECT's name in RAW, columns, (sql, params, file)); the claims twice
        parts: list[tuple[str, str, Sequence[tuple[str, str]], tuple[str, list, str]]] = []
        for table, (sql, columns) in RAW.items():
            if table not in needed:
                continue
            if table == "raw_allocations" and not claimed:
                sql = lean.ALLOCATIONS_UNCLAIMED
            copies = (
                [(part, [flag]) for part, flag, target in CLAIM_PARTS if target in tables]
                if table == "raw_claims"
                else [(table, [])]
            )
            for name, extra in copies:
                job = (sql, [*params.get(table, []), *extra], os.path.join(tmp, f"{name}.csv"))
                parts.append((name, table, columns, job))
        parts.sort(key=lambda part: part[1] not in LARGEST)  # stable: the rest in RAW's order
        for index, waited, took in _copied(copy_out, [job for *_, job in parts]):
            name, table, typed, (_sql, _params, path) = parts[index]
            t1 = time.perf_counter()
            _read(con, name, path, typed)  # in the order the copies finish; joined below
            if name == table:  # the claim parts are counted once joined, below
                timings["rows"][name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input
            timings["copy"] += waited  # the wall time this thread waited for copies, not their sum
            timings["duckdb"] += time.perf_counter() - t1
            timings["copy_by_table"][table] = timings["copy_by_table"].get(table, 0.0) + took
    t0 = time.perf_counter()
    for source, afgewezen, target in CLAIM_PARTS:
        if target in tables:
            con.execute(_CLAIMS.format(table=target, source=source, afgewezen=str(afgewezen).lower()))
            timings["rows"][target] = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]  # nosec B608 - DuckDB SQL from this module's constants, its own table names and a temporary file it made; no outside input
    for table, join in (("allocations", _ALLOCATIONS), ("change_requests", _CHANGE_REQUESTS)):
        if table in tables:
            con.execute(join)
    micro, klein = SIZE_CLASS_LIMITS_CENT
    con.execute("INSERT INTO meta VALUES (?, ?, ?)", [as_of, micro, klein])
    for table in (
        *(name for name, _, _ in CLAIM_PARTS),
        "raw_allocations",
        "raw_stops",
        "raw_first_product",
        "raw_answers",
    ):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    timings["duckdb"] += time.perf_counter() - t0
    timings["as_of"] = as_of
    return timings


def kpi_set(
    begin: dt.date,
    end: dt.date,
    periods: Sequence[Period],
    cut_sets: Sequence[tuple[str, ...]],
    *,
    as_of: dt.date | None = None,
    threads: int | None = None,
    timings: dict[str, Any] | None = None,
    kpis: Sequence[str] | None = None,
) -> tuple[Results, dt.date]:
    """Every KPI of the registry (or those of ``kpis``) for ``periods`` and ``cut_sets`` on the
    facts of [begin, end] in the database, computed by DuckDB: (results in the shape of
    ``rules.kpi.compute``, as_of)."""
    con = connect(threads)
    try:
        tables = tables_read(kpis) if kpis is not None else FACT_TABLES
        claimed = kpis is None or reads_claimed_volume(kpis)
        loaded = load_from_database(con, begin, end, as_of=as_of, tables=tables, claimed=claimed)
        set_periods(con, periods)
        t0 = time.perf_counter()
        results = run(con, periods, cut_sets, kpis)
        if timings is not None:
            timings.update(loaded, queries=time.perf_counter() - t0)
        return results, loaded["as_of"]
    finally:
        con.close()
