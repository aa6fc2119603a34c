"""The read-ahead of the ingest (``ijw/read_ahead.py``, issue 13): a worker process reads the files
(SHA-256, reader, the rules inside one message) while the main process applies the batch before.
It stores exactly what reading in the main process stores, hands the files on in their order, and a
worker that dies or fails on a file loses nothing. On SQLite or PostgreSQL, as DATABASE_URL says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import os

import pytest
from django.db import transaction
from test_ingest import client, declaratie, header, line, parties, toewijzing  # noqa: F401 - parties: autouse fixture

from jeugdregie import cores as cores_module
from jeugdregie.ijw import messages as m
from jeugdregie.ijw import read_ahead
from jeugdregie.ijw.models import Aanlevering, Bericht, QuarantaineItem
from jeugdregie.ijw.read_ahead import CheckedResult, ReadAhead, read_errors
from jeugdregie.ijw.reader import read_bytes
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.sources import iter_sources
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import Declaratie, DeclaratieRegel, Toewijzing, ToewijzingWijziging, ZorgStart

pytestmark = pytest.mark.django_db


def start(ident: str, nummer: str, day=dt.date(2024, 1, 8)) -> m.StartZorg:
    """A start on 8 January 2024, sent on ``day``."""
    return m.StartZorg(
        header(ident, from_gemeente=False, day=day),
        client(),
        (m.StartProduct(nummer, "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8)),),
    )


@pytest.fixture
def folder(tmp_path):
    """Files for both paths and every outcome: stored, quarantined (an unknown allocation, TR101
    inside the message, TR134, a reused message id: TR056, malformed XML), a duplicate file, a
    claim with a good and a bad line; in batches of 3 the duplicate lands in another batch."""
    allocation = toewijzing("T1")
    twice = dataclasses.replace(allocation, header=header("T9", from_gemeente=True))
    twice = dataclasses.replace(twice, producten=twice.producten * 2)  # TR101: the key twice
    files = {
        "a_t1.xml": to_xml(allocation),
        "b_s1.xml": to_xml(start("S1", "1001")),
        "c_s2.xml": to_xml(start("S2", "4242")),  # unknown allocation: waits in the quarantine
        "d_t2.xml": to_xml(toewijzing("T2", einddatum=dt.date(2024, 12, 31))),
        "e_t1_again.xml": to_xml(allocation),  # the same file: a duplicate
        "f_t101.xml": to_xml(twice),
        "g_s3_early.xml": to_xml(start("S3", "1001", day=dt.date(2024, 1, 7))),  # TR134 (before 8 Jan)
        "h_reused.xml": to_xml(toewijzing("T1", nummer="1002")),  # TR056
        "i_claim.xml": to_xml(declaratie("D1", (line("R1"), line("R2", nummer="4242")))),
        "j_broken.xml": b"<?xml version='1.0'?><Bericht><Header><Berich",
        "k_t3.xml": to_xml(toewijzing("T3", nummer="1003")),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def state() -> dict:
    """The stored rows by their natural values (no ids, no timestamps)."""
    return {
        "deliveries": sorted(
            Aanlevering.objects.values_list(
                "bestandsnaam", "sha256", "status", "berichten", "geaccepteerd", "in_quarantaine"
            )
        ),
        "messages": sorted(
            Bericht.objects.values_list("afzender", "identificatie", "aanlevering__bestandsnaam")
        ),
        "quarantine": sorted(
            QuarantaineItem.objects.values_list(
                "bestandsnaam", "niveau", "regel", "tr", "element", "regel_referentie", "melding", "payload"
            )
        ),
        "allocations": sorted(
            Toewijzing.objects.values_list("toewijzingnummer", "einddatum", "versie", "client__pseudoniem")
        ),
        "versions": sorted(
            ToewijzingWijziging.objects.values_list("toewijzing__toewijzingnummer", "volgnummer")
        ),
        "starts": sorted(ZorgStart.objects.values_list("toewijzing__toewijzingnummer", "begindatum")),
        "claims": sorted(Declaratie.objects.values_list("declaratienummer", "totaal_cent")),
        "lines": sorted(DeclaratieRegel.objects.values_list("referentienummer", "afgewezen")),
    }


class _Undo(Exception):
    pass


def ingested(folder, readers: int, per_transaction: int) -> tuple[dict, dict]:
    """(summary, state) of an ingest of ``folder``, rolled back afterwards."""
    try:
        with transaction.atomic():
            summary = Ingester(files_per_transaction=per_transaction, readers=readers).ingest_paths([folder])
            found = (summary.as_dict(), state())
            raise _Undo
    except _Undo:
        pass
    return found


@pytest.mark.parametrize("per_transaction", [1, 3, 100])
def test_the_read_ahead_stores_the_same_as_reading_in_process(folder, per_transaction):
    in_process = ingested(folder, 0, per_transaction)
    ahead = ingested(folder, 1, per_transaction)
    assert ahead == in_process
    summary, stored = ahead
    assert (summary["files"], summary["duplicate_files"], summary["duplicate_messages"]) == (11, 1, 0)
    assert {r[2] for r in stored["quarantine"]} >= {
        "allocation.unknown",
        "key.duplicate",
        "date.after_dagtekening",
        "message.identification_reused",
        "xml.malformed",
        "claim.unknown_allocation",
    }
    assert len(stored["messages"]) == summary["accepted_messages"] > 0


def test_the_worker_hands_on_every_file_in_order_with_its_findings(folder):
    expected = list(iter_sources([folder]))
    with ReadAhead([folder], 4, readers=1) as reading:
        batches = list(reading)
    assert [len(b) for b in batches] == [4, 4, 3] and not reading.fell_back
    files = [f for batch in batches for f in batch]
    assert [(f.name, f.data) for f in files] == expected
    for f in files:
        assert f.sha == hashlib.sha256(f.data).hexdigest()
        [result] = f.results
        assert isinstance(result, CheckedResult) and result.tree is None
        [own] = read_bytes(f.data, f.name)  # read here, with its tree
        assert result.findings == read_errors(own, f.data, f.name, None)
        assert (result.message, result.errors, result.kind) == (own.message, own.errors, own.kind)
    assert any(e.rule == "key.duplicate" for f in files for e in f.results[0].findings)


def test_a_worker_that_dies_loses_no_file(folder, monkeypatch, caplog):
    """Killed in the middle (here: it ends itself on the fifth file), the rest is read in the main
    process, from the first file it had not handed on; the ingest ends as without a worker."""
    prepare = read_ahead.prepare

    def dies_on_the_fifth(name, data, xsd):
        if name.endswith("e_t1_again.xml"):
            os._exit(9)
        return prepare(name, data, xsd)

    in_process = ingested(folder, 0, 2)
    monkeypatch.setattr(read_ahead, "prepare", dies_on_the_fifth)
    with ReadAhead([folder], 2, readers=1) as reading:
        names = [f.name for batch in reading for f in batch]
    assert reading.fell_back and names == [name for name, _ in iter_sources([folder])]
    with caplog.at_level(logging.WARNING, logger="jeugdregie.ijw.read_ahead"):
        assert ingested(folder, 1, 2) == in_process
    assert "leesproces" in caplog.text and "exitcode 9" in caplog.text and "vanaf bestand 5" in caplog.text


def test_no_worker_to_be_had_reads_in_the_main_process(folder, monkeypatch, caplog):
    def no_process(self, skip=0):
        raise OSError(11, "Resource temporarily unavailable")

    in_process = ingested(folder, 0, 3)
    monkeypatch.setattr(ReadAhead, "_start", no_process)
    with caplog.at_level(logging.WARNING, logger="jeugdregie.ijw.read_ahead"):
        assert ingested(folder, 1, 3) == in_process
    assert "Geen leesproces" in caplog.text


def test_a_file_the_worker_fails_to_read_is_read_in_the_main_process(folder, monkeypatch):
    def fails_on_the_claim(data, name, **kwargs):
        if name.endswith("i_claim.xml"):
            raise RuntimeError("a bug in the reader")
        return read_bytes(data, name, **kwargs)

    in_process = ingested(folder, 0, 3)
    monkeypatch.setattr(read_ahead, "read_bytes", fails_on_the_claim)
    with ReadAhead([folder], 3, readers=1) as reading:
        unread = [f.name for batch in reading for f in batch if f.results is None]
    assert [os.path.basename(n) for n in unread] == ["i_claim.xml"]
    assert ingested(folder, 1, 3) == in_process


@pytest.fixture
def started(monkeypatch) -> list[int]:
    """The ``skip`` of every worker started (the files it did not read)."""
    skips: list[int] = []
    start = ReadAhead._start

    def recording_start(self, skip=0):
        skips.append(skip)
        start(self, skip)

    monkeypatch.setattr(ReadAhead, "_start", recording_start)
    return skips


def test_the_worker_starts_after_the_batches_stored_whole(folder, started):
    """A resumed ingest: the batches whose files are all stored are handed on unread, without a
    worker; the worker starts at the first batch with a file not stored (read in this process)
    and reads from the file after that batch."""
    stored_names = {
        "a_t1.xml",
        "b_s1.xml",
        "c_s2.xml",
        "d_t2.xml",
        "e_t1_again.xml",
        "f_t101.xml",
        "h_reused.xml",
    }

    def stored(batch):
        return all(os.path.basename(f.name) in stored_names for f in batch)

    with ReadAhead([folder], 3, readers=1, stored=stored) as reading:
        batches = list(reading)
    assert started == [9] and not reading.fell_back
    assert [[f.results is None for f in b] for b in batches] == [
        [True] * 3,
        [True] * 3,
        [True] * 3,
        [False] * 2,
    ]
    files = [f for batch in batches for f in batch]
    assert [(f.name, f.data) for f in files] == list(iter_sources([folder]))
    assert all(f.sha == hashlib.sha256(f.data).hexdigest() for f in files)

    with ReadAhead([folder], 3, readers=1, stored=lambda batch: True) as reading:
        assert len([f for batch in reading for f in batch]) == 11
    assert started == [9]  # every file stored: no worker at all


def test_a_resumed_ingest_stores_the_same_with_the_worker(folder, tmp_path_factory, started):
    """The first six files stored by an ingest that stopped; the whole folder ingested again, with
    and without the worker: the same outcome; the two stored batches are handed on unread, the
    third (the first with a new file) is read in this process, the worker reads from file 10."""
    first = tmp_path_factory.mktemp("eerste")
    for path in sorted(folder.iterdir())[:6]:
        (first / path.name).write_bytes(path.read_bytes())
    found = {}
    for readers in (0, 1):
        try:
            with transaction.atomic():
                Ingester(files_per_transaction=3, readers=0).ingest_paths([first])
                summary = Ingester(files_per_transaction=3, readers=readers).ingest_paths([folder])
                found[readers] = (summary.as_dict(), state())
                raise _Undo
        except _Undo:
            pass
    assert found[1] == found[0]
    assert started == [9]
    assert found[1][0]["duplicate_files"] == 6  # the six files of the first ingest


def test_a_missing_path_stops_the_ingest_where_it_did_before(folder, tmp_path_factory):
    """Raised when the batch that reaches it is put together: the batches before it are stored,
    that batch is not (9 of the 11 files in batches of 3; one is a duplicate)."""
    missing = tmp_path_factory.mktemp("elders") / "ontbreekt.xml"
    stored = {}
    for readers in (0, 1):
        try:
            with transaction.atomic():
                with pytest.raises(FileNotFoundError, match="bestaat niet"):
                    Ingester(files_per_transaction=3, readers=readers).ingest_paths([folder, missing])
                stored[readers] = state()
                raise _Undo
        except _Undo:
            pass
    assert stored[1] == stored[0] and len(stored[0]["deliveries"]) == 8


@pytest.mark.parametrize(
    ("env", "cores", "running", "expected"),
    [
        ("0", 8, 1, 0),  # asked for: in the main process
        ("1", 1, 9, 1),  # asked for: a worker, whatever the machine
        ("3", 8, 1, 1),  # more than one is one
        ("", 2, 1, 1),  # two cores, nothing else running: a worker
        ("", 2, 2, 0),  # two cores, another process running: in the main process
        ("", 1, 1, 0),  # one core
    ],
)
def test_the_default_number_of_readers(monkeypatch, settings, tmp_path, env, cores, running, expected):
    if hasattr(settings, "INGEST_READERS"):
        del settings.INGEST_READERS
    monkeypatch.setenv("JEUGDREGIE_INGEST_READERS", env)
    monkeypatch.setattr(cores_module.os, "cpu_count", lambda: cores)
    loadavg = tmp_path / "loadavg"
    # the one-minute load average still counts the work just before; what runs now decides
    loadavg.write_text(f"1.90 1.20 0.60 {running}/210 4242\n")
    monkeypatch.setattr(cores_module, "LOADAVG", str(loadavg))
    assert read_ahead.default_readers() == expected
