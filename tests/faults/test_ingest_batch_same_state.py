"""The fast batch path of the ingest (``ijw/ingest_batch.py``, issue 13) stores exactly what the
per-message path stores.

The one-municipality slice of the demo traffic (all message types) plus a zip of hand-made variants
of its messages that hit every check of the fast path (a repeated start, a withdrawn start and a
second withdrawal, a start on an unknown allocation and on an unknown municipality, a taken
allocation number, an unchanged and a changed repeat of an allocation, a repeated request, the same
file twice, a message id used again for another message: TR056) and of its claims (a credit and a
debit that land; a claim with a line credited twice, a ReferentieNummer used again, an unknown
allocation, a credit without its debit and one good line; a DeclaratieNummer used again; a credit
by the debit's own ReferentieNummer) and answers to claims (JW325: a line rejected, an unknown
claim, another amount) and change requests (JW317: a reference used again, an unknown allocation,
a new one and its answer JW319, an answer to an unknown request) is ingested with one file per transaction (the per-message
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
from dataclasses import replace
from pathlib import Path

import pytest
from faults_support import database_state, row_counts, run_ingest, state_differences

from jeugdregie.ijw import messages as m
from jeugdregie.ijw.reader import read_bytes
from jeugdregie.ijw.writer import to_xml

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


def claim_variants(folder: Path) -> dict[str, bytes]:
    """Hand-made claims (JW323) around two debit lines of the first claim of the slice with two
    debits that no line of the slice credits; the names sort after those of ``variants``."""
    credited = set(
        re.findall(rb"<(?:\w+:)?VorigReferentieNummer>([^<]+)<", b"".join(_files(folder, "JW323")))
    )
    for data in _files(folder, "JW323"):
        [result] = read_bytes(data, "claim.xml")
        claim = result.message
        assert isinstance(claim, m.Declaratie)
        debits = [
            (c.bsn, p)
            for c in claim.clienten
            for p in c.prestaties
            if p.debet_credit == "D" and p.referentie_nummer.encode() not in credited
        ]
        if len(debits) >= 2:
            break
    (bsn1, p1), (bsn2, p2) = debits[:2]

    def credit(p: m.Prestatie, ref: str, vorig: str | None) -> m.Prestatie:
        return replace(p, referentie_nummer=ref, debet_credit="C", vorig_referentie_nummer=vorig)

    def make(identification: str, number: str, *lines: tuple[str, m.Prestatie]) -> m.Declaratie:
        clienten: dict[str, list[m.Prestatie]] = {}
        for bsn, line in lines:
            clienten.setdefault(bsn, []).append(line)
        header = replace(claim.header, identificatie=identification)
        return replace(
            claim,
            header=header,
            declaratie_nummer=number,
            clienten=tuple(m.DeclaratieClient(b, tuple(ps)) for b, ps in clienten.items()),
        )

    def write(identification: str, number: str, *lines: tuple[str, m.Prestatie]) -> bytes:
        return to_xml(make(identification, number, *lines))

    def answer(answered: m.Declaratie, identification: str, rejected: dict[str, tuple[str, ...]]) -> bytes:
        return to_xml(
            m.claim_answer(
                answered, rejected, identificatie=identification, dagtekening=answered.periode_eind
            )
        )

    last_good = replace(p2, referentie_nummer="Z00000000106")
    credited = make(
        "Z00000000011",
        "Z00000000011",
        (bsn1, credit(p1, "Z00000000101", p1.referentie_nummer)),
        (bsn1, replace(p1, referentie_nummer="Z00000000102")),
    )

    return {
        # lands: the credit of p1 and a new debit on its allocation
        "m_claim_credit.xml": to_xml(credited),
        # p1 credited again (TR390); p2 again (TR314); an unknown allocation
        # (TR338, waits); a credit of a debit that does not exist (TR323, waits); one good line
        "n_claim_lines_rejected.xml": write(
            "Z00000000012",
            "Z00000000012",
            (bsn1, credit(p1, "Z00000000103", p1.referentie_nummer)),
            (bsn2, p2),
            (bsn2, replace(p2, referentie_nummer="Z00000000104", toewijzing_nummer="999999")),
            (bsn2, credit(p2, "Z00000000105", "Z99999999999")),
            (bsn2, last_good),
        ),
        # the DeclaratieNummer of the claim before (TR333): the whole message is quarantined
        "o_claim_number_used.xml": write(
            "Z00000000013", "Z00000000012", (bsn2, replace(p2, referentie_nummer="Z00000000107"))
        ),
        # the older convention: a credit without VorigReferentieNummer reverses the debit with its
        # own ReferentieNummer (p2)
        "p_claim_credit_same_reference.xml": write(
            "Z00000000014", "Z00000000014", (bsn2, credit(p2, p2.referentie_nummer, None))
        ),
        # answers (JW325): m's debit rejected, m's credit granted (listed with a non-rejecting code)
        "q_answer_rejects_a_line.xml": answer(
            credited, "Z00000000015", {"Z00000000102": ("8021",), "Z00000000101": ("0200",)}
        ),
        # an answer to a claim never sent (TR366, waits)
        "r_answer_unknown_claim.xml": answer(
            make("Z00000000098", "Z00000000098", (bsn2, last_good)), "Z00000000016", {}
        ),
        # n's good line answered with another amount (TR367)
        "s_answer_other_amount.xml": answer(
            make("Z00000000012", "Z00000000012", (bsn2, replace(last_good, bedrag=last_good.bedrag + 1))),
            "Z00000000017",
            {"Z00000000106": ("8021",)},
        ),
    }


def request_variants(folder: Path) -> dict[str, bytes]:
    """Hand-made change requests (JW317) and answers to requests (JW319) from the first JW317 of
    the slice that names an allocation and the first JW319; the names sort after the claims'."""
    request = _first(folder, "JW317", b"ToewijzingNummer>")
    answer = _first(folder, "JW319")
    provider = re.search(rb"<Afzender>(\d+)<", request)
    municipality = re.search(rb"<Ontvanger>(\d+)<", request)
    assert provider is not None and municipality is not None
    new_request = _tag(_with_id(request, "Z00000000020"), "ReferentieAanbieder", "ZV0000000002")
    to_new = _tag(
        _tag(_with_id(answer, "Z00000000021"), "ReferentieAanbieder", "ZV0000000002"),
        "Ontvanger",
        provider.group(1).decode(),
    )
    return {
        "u_request_reference_used.xml": _with_id(request, "Z00000000018"),  # TR347: its own reference
        "v_request_unknown_allocation.xml": _tag(
            _tag(_with_id(request, "Z00000000019"), "ReferentieAanbieder", "ZV0000000001"),
            "ToewijzingNummer",
            "999999",
        ),  # waits
        "w_request_new.xml": new_request,  # lands
        "x_request_answered.xml": _tag(to_new, "Afzender", municipality.group(1).decode()),  # answers w
        "y_request_answer_unknown.xml": _tag(
            _with_id(answer, "Z00000000022"), "ReferentieAanbieder", "ZV0000000099"
        ),
    }


@pytest.fixture(scope="module")
def varied_folder(fault_slice, fault_workdir: Path) -> Path:
    folder, _files = fault_slice
    out = fault_workdir / "batch-same-state"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(folder, out)
    with zipfile.ZipFile(out / "zz_varianten.zip", "w") as archive:
        for name, data in {**variants(folder), **claim_variants(folder), **request_variants(folder)}.items():
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
    assert summary["quarantined_messages"] == 13  # the broken file + a, c, e, f, g, l, o, r, s, u, v, y
    assert summary["quarantined_lines"] == 4  # n: all but its last line
    conn = db.connect()
    try:
        rules = sorted(r[0] for r in conn.execute("SELECT regel FROM ijw_quarantaineitem").fetchall())
        answered = conn.execute(
            "SELECT referentienummer, afgewezen, afgewezen_retourcode FROM zorg_declaratieregel"
            " WHERE referentienummer IN ('Z00000000101', 'Z00000000102') ORDER BY referentienummer"
        ).fetchall()
    finally:
        conn.close()
    assert [(ref, bool(rejected), code) for ref, rejected, code in answered] == [
        ("Z00000000101", False, ""),
        ("Z00000000102", True, "8021"),
    ]
    assert rules == sorted(
        [
            "xml.malformed",
            "startstop.duplicate",
            "startstop.unknown",
            "allocation.unknown",
            "party.unknown_municipality",
            "allocation.number_taken",
            "message.identification_reused",
            "claim.credited_twice",
            "claim.reference_used",
            "claim.unknown_allocation",
            "claim.credit_without_debit",
            "claim.duplicate_declaratienummer",
            "answer.unknown_claim_line",
            "answer.other_values",
            "request.reference_used",
            "request.unknown_allocation",
            "request.unknown",
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

    # Again: every file a duplicate, nothing stored anew. Only what waits (the start e for its
    # allocation, the claim lines of n for theirs and for their debit) was tried once more, as at
    # the end of every run.
    again = run_ingest(runs["100"][3], varied_folder, timeout=1500)
    assert again.returncode in (0, 1) and "Traceback" not in again.stderr, again.stderr
    repeated = json.loads(again.stdout)
    assert repeated["duplicate_files"] == repeated["files"] == summary["files"]
    after = database_state(runs["100"][3])
    quarantine = "ijw_quarantaineitem"
    assert state_differences({**after, quarantine: {}}, {**state, quarantine: {}}) == {}
    waiting = {
        "allocation.unknown",
        "claim.unknown_allocation",
        "claim.credit_without_debit",
        "answer.unknown_claim_line",
        "request.unknown_allocation",
        "request.unknown",
    }
    tries = _tries(state[quarantine])
    assert _tries(after[quarantine]) == {rule: n + (rule in waiting) for rule, n in tries.items()}
    assert {rule: tries[rule] for rule in waiting} == dict.fromkeys(waiting, 2)


def _tries(rows) -> dict[str, int]:
    """Quarantine rule -> attempts (``pogingen``), of rows given as (field, value) tuples."""
    found = {}
    for row, count in rows.items():
        fields = dict(row)
        assert count == 1, fields
        found[fields["regel"]] = fields["pogingen"]
    return found
