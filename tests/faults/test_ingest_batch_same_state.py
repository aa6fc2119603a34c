"""The fast batch path of the ingest (``ijw/ingest_batch.py``, issue 13) stores exactly what the
per-message path stores.

The one-municipality slice of the demo traffic (all message types) plus a zip of hand-made variants
of its messages that hit every check of the fast path (a repeated start, a withdrawn start and a
second withdrawal, a start on an unknown allocation and on an unknown municipality, a taken
allocation number, an unchanged and a changed repeat of an allocation, a repeated request, the same
file twice, a message id used again for another message: TR056) is ingested with one file per transaction (the per-message
path: ``Ingester.ingest_file``) and with batches of 100 and of 7 files (the fast path, its batch
boundaries at other places), each by `jeugdregie ingest` in its own scratch database. The databases
must be equal table by table, every row by its natural keys (ids and timestamps left out), and the
summaries equal. Ingesting the folder again changes nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from faults_support import database_state, row_counts, run_ingest, state_differences

pytestmark = pytest.mark.slow

_ID = re.compile(rb"(<(?:\w+:)?Identificatie>)([^<]+)(</)")


def _files(folder: Path, prefix: str) -> list[bytes]:
    found = []
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as source:
            found += [source.read(n) for n in sorted(source.namelist()) if n.startswith(prefix)]
    return found


def _first(folder: Path, prefix: str, contains: bytes = b"") -> bytes:
    return next(data for data in _files(folder, prefix) if contains in data)


def _unstopped_start(folder: Path) -> bytes:
    """The first new start (JW305) of an allocation that no stop (JW307) of the slice names."""
    stopped = {n for data in _files(folder, "JW307") for n in re.findall(rb"<ToewijzingNummer>(\w+)<", data)}
    return next(
        data
        for data in _files(folder, "JW305")
        if b"<StatusAanlevering>1<" in data
        and not set(re.findall(rb"<ToewijzingNummer>(\w+)<", data)) & stopped
    )


def _with_id(data: bytes, new_id: str) -> bytes:
    """The message with another BerichtIdentificatie (the first Identificatie is the header's)."""
    return _ID.sub(lambda mo: mo.group(1) + new_id.encode() + mo.group(3), data, count=1)


def _tag(data: bytes, tag: str, value: str) -> bytes:
    found = re.subn(
        rf"(<(?:\w+:)?{tag}>)([^<]*)(</)".encode(), rb"\g<1>" + value.encode() + rb"\g<3>", data, count=1
    )
    assert found[1] == 1, tag
    return found[0]


def variants(folder: Path) -> dict[str, bytes]:
    """Hand-made files around the first start (JW305), allocation (JW301) and request (JW315) of
    the slice; the names sort in the order the cases need."""
    start = _unstopped_start(folder)
    allocation = _first(folder, "JW301", b"<Einddatum>")
    request = _first(folder, "JW315")
    ontvanger = re.search(rb"<Ontvanger>(\d+)<", allocation)
    assert ontvanger is not None
    other_agb = "98000001" if ontvanger.group(1) != b"98000001" else "98000002"
    withdraw = _tag(_with_id(start, "Z00000000002"), "StatusAanlevering", "3")
    return {
        "a_start_again.xml": _with_id(start, "Z00000000001"),  # TR074: this start is stored
        "b_start_withdrawn.xml": withdraw,  # deletes the start
        "c_start_withdrawn_again.xml": _with_id(withdraw, "Z00000000003"),  # nothing left to withdraw
        "d_start_new_after_withdrawal.xml": _with_id(start, "Z00000000004"),  # lands again
        "e_start_unknown_allocation.xml": _tag(_with_id(start, "Z00000000005"), "ToewijzingNummer", "999999"),
        "f_start_unknown_municipality.xml": _tag(_with_id(start, "Z00000000006"), "Ontvanger", "9999"),
        "g_allocation_number_taken.xml": _tag(_with_id(allocation, "Z00000000007"), "Ontvanger", other_agb),
        "h_allocation_repeated.xml": _with_id(allocation, "Z00000000008"),  # unchanged: no version
        "i_allocation_changed.xml": _tag(_with_id(allocation, "Z00000000009"), "Einddatum", "2031-12-31"),
        "j_request_repeated.xml": _with_id(request, "Z00000000010"),  # same reference: updated
        "k_same_file_twice.xml": _with_id(start, "Z00000000001"),  # the bytes of a_start_again
        # TR056: the identification of j_request_repeated for another message
        "l_same_id_other_content.xml": _tag(_with_id(request, "Z00000000010"), "Dagtekening", "2021-03-30"),
    }


@pytest.fixture(scope="module")
def varied_folder(fault_slice, fault_workdir: Path) -> Path:
    folder, _files = fault_slice
    out = fault_workdir / "batch-same-state"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(folder, out)
    with zipfile.ZipFile(out / "zz_varianten.zip", "w") as archive:
        for name, data in variants(folder).items():
            archive.writestr(name, data)
    return out


def test_batches_store_the_same_as_one_file_per_transaction(varied_folder: Path, scratch_db) -> None:
    runs = {}
    for per_transaction in ("1", "100", "7"):
        db = scratch_db(f"batch{per_transaction}")
        # One file per transaction on PostgreSQL on a loaded machine takes minutes.
        run = run_ingest(db, varied_folder, "--files-per-transaction", per_transaction, timeout=1500)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr  # quarantine: exit 1
        runs[per_transaction] = (json.loads(run.stdout), database_state(db), run.seconds, db)
    summary, state, seconds, db = runs["1"]
    # The variants did what they were made for, on the per-message path ...
    assert summary["duplicate_files"] == 1 and summary["duplicate_messages"] == 0
    assert summary["quarantined_messages"] == 7  # the broken file + a, c, e, f, g, l
    conn = db.connect()
    try:
        rules = sorted(r[0] for r in conn.execute("SELECT regel FROM ijw_quarantaineitem").fetchall())
    finally:
        conn.close()
    assert rules == sorted(
        [
            "xml.malformed",
            "startstop.duplicate",
            "startstop.unknown",
            "allocation.unknown",
            "party.unknown_municipality",
            "allocation.number_taken",
            "message.identification_reused",
        ]
    ), rules
    # ... and the batches stored exactly the same.
    for per_transaction in ("100", "7"):
        other_summary, other_state, other_seconds, _ = runs[per_transaction]
        assert other_summary == summary, per_transaction
        assert state_differences(other_state, state) == {}, per_transaction
    counts = row_counts(state)
    print(
        f"\n{summary['files']} bestanden; per bestand {seconds:.1f} s, per 100: {runs['100'][2]:.1f} s, "
        f"per 7: {runs['7'][2]:.1f} s; {counts}"
    )

    # Again: every file a duplicate, nothing stored anew. Only the start waiting for its
    # allocation (e) was tried once more, as at the end of every run.
    again = run_ingest(runs["100"][3], varied_folder, timeout=1500)
    assert again.returncode in (0, 1) and "Traceback" not in again.stderr, again.stderr
    repeated = json.loads(again.stdout)
    assert repeated["duplicate_files"] == repeated["files"] == summary["files"]
    after = database_state(runs["100"][3])
    quarantine = "ijw_quarantaineitem"
    assert state_differences({**after, quarantine: {}}, {**state, quarantine: {}}) == {}
    assert _tries(after[quarantine]) == {**_tries(state[quarantine]), "allocation.unknown": 3}
    assert _tries(state[quarantine])["allocation.unknown"] == 2


def _tries(rows) -> dict[str, int]:
    """Quarantine rule -> attempts (``pogingen``), of rows given as (field, value) tuples."""
    found = {}
    for row, count in rows.items():
        fields = dict(row)
        assert count == 1, fields
        found[fields["regel"]] = fields["pogingen"]
    return found
