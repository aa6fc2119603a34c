"""DuckDB fed straight from the database (``monitoring.kpi_duckdb_reader``: the lean reader's
SELECTs copied into DuckDB, no Python fact records) gives the registry's numbers on the lean
reader's facts: the same rows in every table, and every KPI for every period and cut set (counts
and cents exactly, ratios to 1e-9), on a hand-made database (numbers worked by hand) and on a
generated slice of the demo region after the real ingest. Also ``kpi --engine duckdb``. Runs on
SQLite and on PostgreSQL (``DATABASE_URL``; there the facts go through ``COPY ... TO STDOUT``)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from jeugdregie.demo.loader import load_demo_region
from jeugdregie.monitoring import facts_lean as lean
from jeugdregie.monitoring import kpi_duckdb
from jeugdregie.monitoring import kpi_duckdb_reader as reader
from jeugdregie.monitoring.kpi_duckdb_reader import load_from_database
from jeugdregie.monitoring.kpi_duckdb_sql import reads_claimed_volume, tables_read
from jeugdregie.rules import kpi
from tests.rules.test_kpi_parity import CUT_SETS, hand_made, periods  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
D = dt.date

TABLES = {
    "claims": ("claims", kpi_duckdb.CLAIM_COLUMNS),
    "rejected_claims": ("rejected_claims", kpi_duckdb.CLAIM_COLUMNS),
    "allocations": ("allocations", kpi_duckdb.ALLOCATION_COLUMNS),
    "change_requests": ("change_requests", kpi_duckdb.CHANGE_REQUEST_COLUMNS),
}


def from_database(begin: dt.date, end: dt.date, ps: list[kpi.Period], as_of: dt.date | None = None):
    """(DuckDB connection loaded from the database, what the load reported, results)."""
    con = kpi_duckdb.connect()
    loaded = load_from_database(con, begin, end, as_of=as_of)
    kpi_duckdb.set_periods(con, ps)
    return con, loaded, kpi_duckdb.run(con, ps, CUT_SETS)


def assert_same_rows(con, facts: kpi.Facts) -> None:
    """Every table DuckDB read from the database holds the rows the lean reader's facts give
    (loaded into a second DuckDB the benchmarks' way, from the records)."""
    other = kpi_duckdb.connect()
    kpi_duckdb.load(other, facts)
    for table in ("claims", "rejected_claims", "allocations", "change_requests", "meta"):
        mine = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        assert mine == other.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table
    other.close()


@pytest.mark.usefixtures("hand_made")
def test_duckdb_from_the_database_gives_the_registrys_numbers_on_a_hand_made_database():
    as_of = D(2025, 6, 30)
    facts = lean.load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=as_of)
    ps = periods(2024)
    con, loaded, found = from_database(D(2024, 1, 1), D(2024, 12, 31), ps, as_of=as_of)
    assert loaded["rows"]["claims"] == len(facts.claims) == 8
    assert loaded["rows"]["rejected_claims"] == len(facts.rejected_claims) == 2
    assert loaded["rows"]["raw_allocations"] == len(facts.allocations) == 8
    assert loaded["rows"]["raw_requests"] == len(facts.change_requests) == 3
    assert_same_rows(con, facts)
    con.close()
    assert kpi_duckdb.compare(kpi_duckdb.registry_results(facts, ps, CUT_SETS), found) == []
    # worked by hand (tests/rules/test_kpi_parity.py's fixture)
    assert found[("spend", "2024", ())] == {(): 245_200}
    assert found[("spend", "2024", ("gemeente",))] == {("0889",): 72_000, ("0983",): 173_200}
    assert found[("rejected_share", "2024", ())] == {(): 46_200 / (245_200 + 46_200)}
    assert found[("extension_rate", "2024-T1", ())] == {(): 1 / 3}  # a's successor
    # W-1 granted after 14 days, W-2 refused after 19, W-3 open: one of two decided granted
    assert found[("change_requests_granted", "2024", ())] == {(): 0.5}
    assert found[("change_request_days", "2024", ())] == {(): 16.5}
    # one decision in March (an odd count) keeps the registry's type: the middle value, an int
    march = found[("change_request_days", kpi.month(2024, 3).label, ())][()]
    assert march == 14 and type(march) is int


def test_each_kpi_names_the_tables_it_reads():
    assert tables_read(["avg_duration_months", "relapse_rate", "dropout_rate"]) == {"allocations"}
    assert tables_read(["spend"]) == {"claims"}
    assert tables_read(["rejected_share"]) == {"claims", "rejected_claims"}
    assert tables_read(["change_request_days", "redemption_rate"]) == {"change_requests", "allocations"}
    assert tables_read(kpi.REGISTRY) == set(reader.SOURCES)
    assert reads_claimed_volume(["redemption_rate"]) and reads_claimed_volume(kpi.REGISTRY)
    assert not reads_claimed_volume(["avg_duration_months", "relapse_rate", "dropout_rate", "spend"])
    assert "ORDER BY" not in reader.RAW["raw_stops"][0]  # DuckDB takes the last stop by arg_max


@pytest.mark.usefixtures("hand_made")
def test_without_the_claimed_volume_only_that_column_differs():
    """``claimed=False`` copies the allocations without the sum of claimed volume: 0 in DuckDB,
    every other column the same; the redemption KPI is the one that reads it."""
    year = (D(2024, 1, 1), D(2024, 12, 31))
    columns = [name for name, _ in kpi_duckdb.ALLOCATION_COLUMNS]
    found = {}
    for claimed in (True, False):
        con = kpi_duckdb.connect()
        load_from_database(con, *year, as_of=D(2025, 6, 30), tables=["allocations"], claimed=claimed)
        found[claimed] = con.execute("SELECT * FROM allocations ORDER BY id").fetchall()
        con.close()
    at = columns.index("claimed_volume")
    assert [r[at] for r in found[False]] == [0] * 8
    assert sum(r[at] for r in found[True]) > 0
    assert [r[:at] + r[at + 1 :] for r in found[True]] == [r[:at] + r[at + 1 :] for r in found[False]]


@pytest.mark.usefixtures("hand_made")
def test_a_kpi_subset_copies_only_what_it_reads_and_gives_the_same_numbers():
    """The norm signals' path KPIs read the allocations only: no claim line or change request is
    copied, and their values equal those of the whole set."""
    ps, year = periods(2024), (D(2024, 1, 1), D(2024, 12, 31))
    kpis = ["avg_duration_months", "relapse_rate", "dropout_rate"]
    timings: dict = {}
    subset, _ = reader.kpi_set(*year, ps, CUT_SETS, as_of=D(2025, 6, 30), kpis=kpis, timings=timings)
    assert set(timings["rows"]) == {"raw_referrers", "raw_allocations", "raw_stops"}
    assert timings["rows"]["raw_allocations"] == 8
    whole, _ = reader.kpi_set(*year, ps, CUT_SETS, as_of=D(2025, 6, 30))
    assert subset == {key: value for key, value in whole.items() if key[0] in kpis}
    assert {k for k, *_ in subset} == set(kpis)


@pytest.mark.django_db(transaction=True)  # committed, so that other connections see the facts
@pytest.mark.usefixtures("hand_made")
def test_copies_on_connections_of_their_own_give_what_one_connection_gives(monkeypatch):
    """On PostgreSQL outside a transaction the copies run two at a time, each on a connection of
    its own; inside one (as every other test here) on the one connection. The same tables and
    results either way; on SQLite always the one connection."""
    threads: set[str] = set()
    own = reader.on_own_connection

    def spied(*args):
        threads.add(threading.current_thread().name)
        return own(*args)

    monkeypatch.setattr(reader, "on_own_connection", spied)
    ps = periods(2024)
    year = (D(2024, 1, 1), D(2024, 12, 31))
    parallel, loaded, found = from_database(*year, ps, as_of=D(2025, 6, 30))
    assert loaded["rows"]["claims"] == 8 and loaded["rows"]["rejected_claims"] == 2
    if connection.vendor == "postgresql":
        assert len(threads) == reader.COPY_CONNECTIONS  # both worker threads copied
        assert set(loaded["copy_by_table"]) == set(reader.RAW)
    else:
        assert threads == set()
    threads.clear()
    with transaction.atomic():
        serial, _, found_serial = from_database(*year, ps, as_of=D(2025, 6, 30))
    assert threads == set()
    assert found == found_serial and found[("spend", "2024", ())] == {(): 245_200}
    for table in ("claims", "rejected_claims", "allocations", "change_requests", "meta"):
        rows = parallel.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        assert rows == serial.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table
    parallel.close()
    serial.close()


@pytest.mark.usefixtures("hand_made")
def test_the_kpi_command_gives_the_same_report_with_either_engine():
    for selection in ([], ["--municipality", "0983"], ["--municipality", "0889"]):
        out = {}
        for engine in ("registry", "duckdb"):
            buffer = StringIO()
            call_command("kpi", "--year", "2024", "--json", "--engine", engine, *selection, stdout=buffer)
            out[engine] = buffer.getvalue()
        assert out["duckdb"] == out["registry"], selection
        text = {}
        for engine in ("registry", "duckdb"):
            buffer = StringIO()
            call_command("kpi", "--year", "2024", "--engine", engine, *selection, stdout=buffer)
            text[engine] = buffer.getvalue()
        assert text["duckdb"] == text["registry"], selection
    report = json.loads(out["registry"])
    assert report["gemeente"] == "0889"
    assert {r["id"]: r["value"] for r in report["kpis"]}["spend"] == 72_000


@pytest.mark.slow
def test_duckdb_from_the_database_gives_the_registrys_numbers_on_a_generated_slice(tmp_path):
    from jeugdregie.demo.generator import generate
    from jeugdregie.ijw.services import Ingester
    from tests.faults.faults_support import SLICE_GEMEENTE, SLICE_UNTIL, make_slice

    generated = generate(tmp_path / "demo", seed=1, scale=1, until=D.fromisoformat(SLICE_UNTIL))
    make_slice(generated.out, tmp_path / "slice")
    (tmp_path / "slice" / "zz_afgebroken.xml").unlink()  # the fault tests' broken file
    load_demo_region(users=False)
    summary = Ingester().ingest_paths([tmp_path / "slice"])
    assert summary.accepted_messages > 500 and summary.quarantined_messages == 0
    begin, end = D(2020, 1, 1), D(2021, 12, 31)
    facts = lean.load_facts(begin, end)
    assert {c.gemeente for c in facts.claims} == {SLICE_GEMEENTE}
    assert len(facts.claims) > 200 and len(facts.allocations) > 100 and facts.change_requests
    ps = periods(2020) + periods(2021)
    con, loaded, found = from_database(begin, end, ps)
    assert_same_rows(con, facts)
    con.close()
    reference = kpi_duckdb.registry_results(facts, ps, CUT_SETS)
    assert kpi_duckdb.compare(reference, found) == []
    # the allocated volume is summed in id order as the registry sums it: the same floats exactly
    # (so kpi --json gives the same bytes with either engine)
    assert all(found[key] == groups for key, groups in reference.items() if key[0] == "redemption_rate")
    assert len(found) == len(kpi.REGISTRY) * len(ps) * len(CUT_SETS)
    assert sum(len(groups) > 1 for groups in found.values()) > len(found) // 4
    assert found[("spend", "2020", ())][()] == sum(
        c.bedrag_cent for c in facts.claims if c.periode_begin.year == 2020
    )
