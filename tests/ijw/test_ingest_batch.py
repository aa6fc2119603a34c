"""The fast batch path (``ijw/ingest_batch.py``) on hand-made messages: what lands, in how many
statements, and the fall-back to the per-message path when something in the batch fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_ingest import client, header, parties, rules, toewijzing  # noqa: F401 - parties: autouse fixture

from jeugdregie.ijw import ingest_batch, services
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import Aanlevering, Bericht, QuarantaineItem
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import Toewijzing, ToewijzingWijziging, ZorgStart

pytestmark = pytest.mark.django_db


def start(ident: str, nummer: str) -> m.StartZorg:
    return m.StartZorg(
        header(ident, from_gemeente=False, day=dt.date(2024, 1, 8)),
        client(),
        (m.StartProduct(nummer, "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8)),),
    )


@pytest.fixture
def folder(tmp_path):
    """Four files in one batch: an allocation, a start on it, a start on an unknown allocation,
    and a new version of the allocation (later end date)."""
    files = {
        "a_t1.xml": to_xml(toewijzing("T1")),
        "b_s1.xml": to_xml(start("S1", "1001")),
        "c_s2.xml": to_xml(start("S2", "4242")),
        "d_t2.xml": to_xml(toewijzing("T2", einddatum=dt.date(2024, 12, 31))),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def outcome() -> dict:
    t = Toewijzing.objects.get()
    return {
        "allocation": (t.toewijzingnummer, t.einddatum, t.versie),
        "versions": sorted(ToewijzingWijziging.objects.values_list("volgnummer", "einddatum")),
        "starts": list(ZorgStart.objects.values_list("toewijzing__toewijzingnummer", "begindatum")),
        "messages": sorted(Bericht.objects.values_list("identificatie", flat=True)),
        "deliveries": sorted(Aanlevering.objects.values_list("bestandsnaam", "status", "geaccepteerd")),
        "quarantine": rules(),
    }


def expected(folder) -> dict:
    return {
        "allocation": ("1001", dt.date(2024, 12, 31), 2),
        "versions": [(1, dt.date(2024, 6, 30)), (2, dt.date(2024, 12, 31))],
        "starts": [("1001", dt.date(2024, 1, 8))],  # the Begindatum
        "messages": ["S1", "T1", "T2"],
        "deliveries": [
            (str(folder / "a_t1.xml"), "verwerkt", 1),
            (str(folder / "b_s1.xml"), "verwerkt", 1),
            (str(folder / "c_s2.xml"), "geweigerd", 0),
            (str(folder / "d_t2.xml"), "verwerkt", 1),
        ],
        "quarantine": ["allocation.unknown"],
    }


def test_a_batch_lands_as_file_by_file_in_a_few_statements(folder):
    ingester = Ingester()  # reads the parties and the catalogue once
    with CaptureQueriesContext(connection) as queries:
        summary = ingester.ingest_paths([folder], retry_waiting=False)
    assert (summary.files, summary.accepted_messages, summary.quarantined_messages) == (4, 3, 1)
    assert outcome() == expected(folder)
    # Per message this was 9-11 statements (40 or so for these four files). Now: the stored files
    # and messages, the write lock (SQLite), the clients, the allocations named and their versions,
    # starts and stops, the new rows' keys (one query for all tables), then one insert per table.
    assert len(queries) <= 17, [q["sql"][:80] for q in queries]


def test_the_same_files_one_per_transaction_give_the_same(folder):
    Ingester(files_per_transaction=1).ingest_paths([folder], retry_waiting=False)
    assert outcome() == expected(folder)


def test_a_failing_batch_is_redone_message_by_message(folder, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("fout in het snelle pad")

    monkeypatch.setattr(ingest_batch.FastBatch, "_apply_start_stop", explode)
    summary = Ingester().ingest_paths([folder], retry_waiting=False)
    assert (summary.files, summary.accepted_messages, summary.rejected_files) == (4, 3, 0)
    assert outcome() == expected(folder)


def test_a_file_failing_on_both_paths_is_refused_whole_and_the_others_land(folder, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(ingest_batch.FastBatch, "_apply_start_stop", explode)
    monkeypatch.setattr(services.Ingester, "_apply_start_stop", explode)
    summary = Ingester().ingest_paths([folder], retry_waiting=False)
    assert (summary.files, summary.accepted_messages, summary.rejected_files) == (4, 2, 1)
    assert ZorgStart.objects.count() == 0 and sorted(
        Bericht.objects.values_list("identificatie", flat=True)
    ) == [
        "T1",
        "T2",
    ]
    refused = QuarantaineItem.objects.get(niveau="bestand")
    assert refused.bestandsnaam.endswith("b_s1.xml") and refused.regel == "ingest.intern"
    assert "schijf vol" in refused.melding
    assert rules() == ["allocation.unknown", "ingest.intern"]
