"""Idempotence bounded by the batch (issue 13): a run asks only which of the current batch's files
and message ids are stored, never reads the whole delivery log, and forgets them after the batch;
duplicates within a batch, across batches and after a rolled-back batch are still counted."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_ingest import parties, toewijzing  # noqa: F401 - parties: autouse fixture

from jeugdregie.ijw import ingest_batch
from jeugdregie.ijw.models import Aanlevering, Bericht, QuarantaineItem
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import Toewijzing

pytestmark = pytest.mark.django_db


def write(folder, files: dict[str, bytes]):
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def selects(queries, model) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_new_batch_asks_only_for_its_own_files_and_message_ids(tmp_path):
    stored = {f"t{i}.xml": to_xml(toewijzing(f"T{i}", nummer=str(1000 + i))) for i in range(6)}
    Ingester(files_per_transaction=3).ingest_paths([write(tmp_path / "a", stored)], retry_waiting=False)
    new = to_xml(toewijzing("N1", nummer="2001"))
    again = stored["t0.xml"]
    ingester = Ingester(files_per_transaction=2)
    with CaptureQueriesContext(connection) as queries:
        summary = ingester.ingest_paths(
            [write(tmp_path / "b", {"n1.xml": new, "t0_again.xml": again})], retry_waiting=False
        )
    assert (summary.files, summary.duplicate_files, summary.accepted_messages) == (2, 1, 1)
    file_reads = [s for s in selects(queries, Aanlevering) if '"sha256" FROM' in s]
    assert len(file_reads) == 1 and "WHERE" in file_reads[0]
    assert set(re.findall(r"[0-9a-f]{64}", file_reads[0])) == {sha(new), sha(again)}
    message_reads = selects(queries, Bericht)
    # Restricted to the batch's ids: a WHERE of pairs (SQLite) or a join to them (PostgreSQL).
    assert len(message_reads) == 1 and ("WHERE" in message_reads[0] or "JOIN unnest" in message_reads[0])
    assert "N1" in message_reads[0] and not any(f"'T{i}'" in message_reads[0] for i in range(6))
    # Forgotten after the batch: nothing of the delivery log stays in memory.
    assert not (ingester._asked_files or ingester._known_files)
    assert not (ingester._asked_messages or ingester._known_messages)


def test_duplicates_within_a_batch_and_across_batches(tmp_path):
    t1, t2 = to_xml(toewijzing("T1")), to_xml(toewijzing("T2", nummer="1002"))
    files = {"a.xml": t1, "b.xml": t1, "c.xml": t2, "d.xml": t1, "e.xml": t2.replace(b"?>", b"?>\n", 1)}
    summary = Ingester(files_per_transaction=2).ingest_paths([write(tmp_path, files)], retry_waiting=False)
    assert (summary.files, summary.duplicate_files, summary.duplicate_messages) == (5, 2, 1)
    assert summary.accepted_messages == 2
    assert Aanlevering.objects.count() == 3 and Bericht.objects.count() == 2


def test_a_reused_message_id_in_a_later_batch_is_quarantined(tmp_path):
    first = to_xml(toewijzing("T1"))
    other = to_xml(toewijzing("T1", nummer="1002"))  # the same id, another message: TR056
    files = {"a.xml": first, "b.xml": to_xml(toewijzing("T2", nummer="1003")), "c.xml": other}
    summary = Ingester(files_per_transaction=2).ingest_paths([write(tmp_path, files)], retry_waiting=False)
    assert (summary.accepted_messages, summary.quarantined_messages) == (2, 1)
    assert QuarantaineItem.objects.get().bericht_identificatie == "T1"
    assert Toewijzing.objects.count() == 2


def test_duplicates_after_a_rolled_back_batch_and_the_per_file_redo(tmp_path, monkeypatch):
    calls = []
    run = ingest_batch.FastBatch.run

    def fail_first(self, batch, *prepared):
        calls.append(len(batch))
        result = run(self, batch, *prepared)
        if len(calls) == 1:
            raise RuntimeError("rolled back after writing")
        return result

    monkeypatch.setattr(ingest_batch.FastBatch, "run", fail_first)
    t1, t2 = to_xml(toewijzing("T1")), to_xml(toewijzing("T2", nummer="1002"))
    files = {"a.xml": t1, "b.xml": t2, "c.xml": t1, "d.xml": t2, "e.xml": t1}
    summary = Ingester(files_per_transaction=3).ingest_paths([write(tmp_path, files)], retry_waiting=False)
    assert calls == [3, 2]  # the first batch was redone file by file
    assert (summary.files, summary.duplicate_files, summary.accepted_messages) == (5, 3, 2)
    assert Aanlevering.objects.count() == 2 and Bericht.objects.count() == 2
