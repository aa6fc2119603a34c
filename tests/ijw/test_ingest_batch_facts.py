"""The batch path's copy of stored facts kept from one batch to the next within one ingest run
(``stored_facts.StoredFacts``): a later batch reads only the allocations, change requests and claims
answered it does not hold yet, and starts again from what is stored when another ingest stored a
file in between or the copy is too large; the outcome is that of the per-message path."""

from __future__ import annotations

import datetime as dt
import weakref

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_ingest import parties, toewijzing  # noqa: F401 - parties: autouse fixture
from test_ingest_answers import ANSWER, CLAIM, answer, rejected, request
from test_ingest_batch import start

from jeugdregie.ijw import ingest_batch, stored_facts
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    Toewijzing,
    VerzoekOmWijziging,
    ZorgStart,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    """Two batches of two files, all on allocation 1001: two versions, then a start and a third."""
    files = {
        "a_t1.xml": to_xml(toewijzing("T1")),
        "b_t2.xml": to_xml(toewijzing("T2", einddatum=dt.date(2024, 9, 30))),
        "c_s1.xml": to_xml(start("S1", "1001")),
        "d_t3.xml": to_xml(toewijzing("T3", einddatum=dt.date(2024, 12, 31))),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def allocation_reads(queries) -> int:
    table = connection.ops.quote_name(Toewijzing._meta.db_table)
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"])


def outcome(nummer: str | None = None) -> dict:
    t = Toewijzing.objects.get() if nummer is None else Toewijzing.objects.get(toewijzingnummer=nummer)
    return {
        "allocation": (t.versie, t.einddatum),
        "versions": sorted(t.wijzigingen.values_list("volgnummer", "einddatum")),
        "starts": list(ZorgStart.objects.values_list("toewijzing__toewijzingnummer", "begindatum")),
    }


EXPECTED = {
    "allocation": (3, dt.date(2024, 12, 31)),
    "versions": [(1, dt.date(2024, 6, 30)), (2, dt.date(2024, 9, 30)), (3, dt.date(2024, 12, 31))],
    "starts": [("1001", dt.date(2024, 1, 8))],
}


def test_the_second_batch_reads_no_allocation_the_first_one_holds(folder):
    with CaptureQueriesContext(connection) as queries:
        summary = Ingester(files_per_transaction=2).ingest_paths([folder], retry_waiting=False)
    assert (summary.files, summary.accepted_messages) == (4, 4)
    assert outcome() == EXPECTED
    assert allocation_reads(queries) == 1


def test_a_copy_above_the_limit_is_not_kept(folder, monkeypatch):
    monkeypatch.setattr(stored_facts, "MAX_KEPT_FACTS", 0)
    with CaptureQueriesContext(connection) as queries:
        Ingester(files_per_transaction=2).ingest_paths([folder], retry_waiting=False)
    assert outcome() == EXPECTED
    assert allocation_reads(queries) == 2


def test_a_copy_above_the_limit_is_freed_before_the_next_batch(folder, monkeypatch):
    """The dropped copy is tied in reference cycles (the batch and the bound methods it hands its
    helpers) and, with the ingest's garbage-collector thresholds, would stay in memory to the end of
    the run: at scale 10 the ingest grew by 2.3 KB a message. It is freed before the next batch
    begins, and the cached clients with it."""
    monkeypatch.setattr(stored_facts, "MAX_KEPT_FACTS", 0)
    dropped: list[weakref.ref] = []
    at_next_batch: list[tuple[bool, int]] = []
    kept, init = stored_facts.StoredFacts.kept, ingest_batch.FastBatch.__init__

    def recording_kept(self, per_message, care_added):
        dropped.append(weakref.ref(self))
        return kept(self, per_message, care_added)

    def recording_init(self, ingester, facts=None):
        at_next_batch.append((all(ref() is None for ref in dropped), len(ingester.clients)))
        init(self, ingester, facts)

    monkeypatch.setattr(stored_facts.StoredFacts, "kept", recording_kept)
    monkeypatch.setattr(ingest_batch.FastBatch, "__init__", recording_init)
    Ingester(files_per_transaction=2).ingest_paths([folder], retry_waiting=False)
    assert outcome() == EXPECTED
    assert len(dropped) == 2
    assert at_next_batch == [(True, 0), (True, 0)]  # first batch: nothing dropped yet


def test_a_file_stored_by_another_ingest_between_batches_drops_the_copy(
    folder, tmp_path_factory, monkeypatch
):
    """Another ingest stores version 2 between our two batches: ours must not apply version 3 to the
    version 1 it read before (the insert of a second version 2 would fail and the batch be redone
    message by message), but read the allocation again."""
    redone = []
    per_file = Ingester._ingest_batch_per_file
    monkeypatch.setattr(
        Ingester, "_ingest_batch_per_file", lambda self, batch: redone.append(batch) or per_file(self, batch)
    )
    (folder / "b_t2.xml").unlink()
    (folder / "e_t9.xml").write_bytes(to_xml(toewijzing("T9", nummer="1002")))  # two files a batch
    other = tmp_path_factory.mktemp("other")
    (other / "x_t2.xml").write_bytes(to_xml(toewijzing("X2", einddatum=dt.date(2024, 9, 30))))
    others = []

    def between_batches(name: str) -> None:
        if not others:
            before = len(queries.captured_queries)
            Ingester().ingest_paths([other], retry_waiting=False)
            others.extend(queries.captured_queries[before:])

    with CaptureQueriesContext(connection) as queries:
        summary = Ingester(files_per_transaction=2).ingest_paths(
            [folder], progress=between_batches, retry_waiting=False
        )
    assert (summary.files, summary.accepted_messages) == (4, 4)
    assert outcome("1001") == EXPECTED
    assert allocation_reads(queries) - allocation_reads(others) == 2
    assert redone == []


def reads(queries, model) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"])


def two_batches(tmp_path, files: dict[str, m.Message]):
    """Ingest ``files`` (in name order) two a batch; the summary and the queries."""
    for name, message in files.items():
        (tmp_path / name).write_bytes(to_xml(message))
    with CaptureQueriesContext(connection) as queries:
        summary = Ingester(files_per_transaction=2).ingest_paths([tmp_path], retry_waiting=False)
    return summary, queries


@pytest.mark.parametrize("limit", [None, 0])
def test_the_second_batch_reads_no_change_request_the_first_one_holds(tmp_path, monkeypatch, limit):
    """A JW319 in the second batch answers the JW317 of the first: it is linked to it without reading
    the JW317 again (and, with a copy not kept, read again: the same outcome)."""
    if limit is not None:
        monkeypatch.setattr(stored_facts, "MAX_KEPT_FACTS", limit)
    files = {
        "a_t1.xml": toewijzing("T1"),
        "b_w1.xml": request(),
        "c_a1.xml": answer("A1"),
        "d_s1.xml": start("S1", "1001"),
    }
    summary, queries = two_batches(tmp_path, files)
    assert (summary.files, summary.accepted_messages) == (4, 4)
    verzoek = VerzoekOmWijziging.objects.get()
    assert AntwoordVerzoek.objects.get().verzoek_wijziging == verzoek
    assert reads(queries, VerzoekOmWijziging) == (1 if limit is None else 2)


@pytest.mark.parametrize("limit", [None, 0])
def test_the_second_batch_reads_no_claim_the_first_one_holds(tmp_path, monkeypatch, limit):
    """A JW325 in the second batch answers the claim of the first: its lines are checked and rejected
    without reading the claim again (the one read is the first batch's TR333 check)."""
    if limit is not None:
        monkeypatch.setattr(stored_facts, "MAX_KEPT_FACTS", limit)
    files = {
        "a_t1.xml": toewijzing("T1"),
        "b_d1.xml": CLAIM,
        "c_a1.xml": ANSWER,
        "d_s1.xml": start("S1", "1001"),
    }
    summary, queries = two_batches(tmp_path, files)
    assert (summary.files, summary.accepted_messages, summary.quarantined_messages) == (4, 4, 0)
    assert rejected() == [("R1", False, ""), ("R2", True, "8021"), ("R3", False, "")]
    assert DeclaratieAntwoord.objects.get().declaratie == Declaratie.objects.get()
    assert reads(queries, Declaratie) == (1 if limit is None else 3)
