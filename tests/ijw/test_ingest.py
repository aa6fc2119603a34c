"""Ingest end to end on hand-made messages: what lands, what goes to quarantine, and why."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw import ingest_claims
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import Aanlevering, Bericht, QuarantaineItem
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.regio.models import Gemeente, Regio
from jeugdregie.zorg.models import (
    Client,
    Declaratie,
    DeclaratieRegel,
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    ZorgStart,
    ZorgStop,
)

pytestmark = pytest.mark.django_db

VENLO, AGB = "0983", "98000001"
BSN_A, BSN_B = "999990019", "999990020"  # 11-proef valid test BSNs
BSN_BAD = "123456789"  # fails the 11-proef
BIRTH = dt.date(2012, 5, 17)


@pytest.fixture(autouse=True)
def parties():
    regio = Regio.objects.create(naam="Testregio")
    Gemeente.objects.create(regio=regio, cbs_code=VENLO, naam="Venlo")
    Aanbieder.objects.create(agb_code=AGB, naam="Zorggroep De Linde", categorie="A")


def header(ident: str, *, from_gemeente: bool, day=dt.date(2024, 1, 5)) -> m.Header:
    if from_gemeente:
        return m.Header(VENLO, AGB, ident, day)
    return m.Header(AGB, VENLO, ident, day)


def client(bsn=BSN_A) -> m.ClientIdentity:
    return m.ClientIdentity(bsn, BIRTH, "2")


def toewijzing(
    ident="T1",
    nummer="1001",
    *,
    bsn=BSN_A,
    reden=None,
    einddatum=dt.date(2024, 6, 30),
    volume=10,
    toewijzingsdatum=dt.date(2023, 12, 20),
    referentie=None,
) -> m.Toewijzing:
    return m.Toewijzing(
        # TR134: dated no earlier than its Toewijzingsdatum.
        header(ident, from_gemeente=True, day=max(dt.date(2024, 1, 5), toewijzingsdatum)),
        client(bsn),
        (
            m.ToegewezenProduct(
                toewijzing_nummer=nummer,
                product_categorie="45",
                product_code="45N01",
                toewijzingsdatum=toewijzingsdatum,
                ingangsdatum=dt.date(2024, 1, 1),
                einddatum=einddatum,
                reden_wijziging=reden,
                omvang=m.Omvang(volume, "04", "2"),
                referentie_aanbieder=referentie,
            ),
        ),
    )


def line(
    ref,
    *,
    nummer="1001",
    begin=dt.date(2024, 1, 1),
    end=dt.date(2024, 1, 31),
    volume=4,
    tarief=7_200,
    dc="D",
    vorig=None,
) -> m.Prestatie:
    return m.Prestatie(
        ref, nummer, "45", "45N01", begin, end, volume, "04", tarief, volume * tarief, dc, vorig
    )


def declaratie(ident="D1", lines=None, *, bsn=BSN_A, number="100") -> m.Declaratie:
    lines = lines if lines is not None else (line("R1"),)
    return m.Declaratie(
        header(ident, from_gemeente=False, day=dt.date(2024, 2, 10)),
        number,
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 10),
        (m.DeclaratieClient(bsn, tuple(lines)),),
    )


def ingest(*named: tuple[str, bytes]):
    ingester = Ingester()
    summary = None
    for name, data in named:
        result = ingester.ingest_file(name, data)
        summary = result if summary is None else (summary.add(result) or summary)
    return summary


def rules() -> list[str]:
    return sorted(QuarantaineItem.objects.values_list("regel", flat=True))


def test_a_full_care_flow_lands_with_pseudonymised_client():
    verzoek = m.VerzoekOmToewijzing(
        header("V1", from_gemeente=False, day=dt.date(2023, 12, 1)),
        client(),
        (m.AangevraagdProduct("REF-1", "45", "45N01", dt.date(2024, 1, 1), m.Verwijzer("02", "01234567")),),
    )
    start = m.StartZorg(
        header("S1", from_gemeente=False, day=dt.date(2024, 1, 8)),
        client(),
        (m.StartProduct("1001", "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8)),),
    )
    stop = m.StopZorg(
        header("E1", from_gemeente=False, day=dt.date(2024, 7, 2)),
        client(),
        (
            m.StopProduct(
                "1001", "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 6, 28), "31"
            ),
        ),
    )
    summary = ingest(
        ("v.xml", to_xml(verzoek)),
        ("t.xml", to_xml(toewijzing())),
        ("s.xml", to_xml(start)),
        ("d.xml", to_xml(declaratie(lines=(line("R1"), line("R2", begin=dt.date(2024, 1, 15)))))),
        ("e.xml", to_xml(stop)),
    )
    assert summary.accepted_messages == 5 and summary.quarantined_messages == 0
    assert summary.lines == 2 and summary.accepted_lines == 2
    assert Client.objects.count() == 1
    stored = Client.objects.get()
    assert len(stored.pseudoniem) == 64 and BSN_A not in stored.pseudoniem
    assert (stored.geboortejaar, stored.geboortemaand, stored.geslacht, stored.gemeente.cbs_code) == (
        2012,
        5,
        "2",
        VENLO,
    )
    assert VerzoekOmToewijzing.objects.get().verwijzer_type == "02"
    assert ZorgStart.objects.get().begindatum == dt.date(2024, 1, 8)
    assert ZorgStop.objects.get().reden_beeindiging == "31"
    assert DeclaratieRegel.objects.filter(client=stored).count() == 2
    assert sum(DeclaratieRegel.objects.values_list("bedrag_cent", flat=True)) == 2 * 4 * 7_200


def test_ingest_is_idempotent_for_files_and_messages():
    data = to_xml(toewijzing())
    first = ingest(("t.xml", data))
    again = ingest(("t.xml", data))
    assert (first.accepted_messages, again.duplicate_files, again.accepted_messages) == (1, 1, 0)
    # The same message in a differently named and re-serialised file: a duplicate message.
    again_other_bytes = ingest(("t2.xml", data.replace(b"?>", b"?>\n", 1)))
    assert again_other_bytes.duplicate_messages == 1
    assert Toewijzing.objects.count() == 1 and ToewijzingWijziging.objects.count() == 1
    assert Bericht.objects.count() == 1


def test_changes_and_deletion_keep_the_history():
    ingest(("t1.xml", to_xml(toewijzing("T1"))))
    ingest(("t2.xml", to_xml(toewijzing("T2", reden="04", einddatum=dt.date(2024, 12, 31)))))
    ingest(("t3.xml", to_xml(toewijzing("T3", reden="13", einddatum=dt.date(2024, 12, 31)))))
    allocation = Toewijzing.objects.get()
    assert allocation.verwijderd and allocation.versie == 3 and allocation.einddatum == dt.date(2024, 12, 31)
    assert list(allocation.wijzigingen.values_list("reden_wijziging", flat=True)) == ["", "04", "13"]


def test_the_allocation_keeps_the_reference_to_the_providers_request():
    """JW301 ReferentieAanbieder links the allocation to the JW315 request (referrer type and
    request date for the KPIs); a later version without it does not unlink them."""
    from jeugdregie.monitoring.facts import load_facts

    request = m.VerzoekOmToewijzing(
        header("V1", from_gemeente=False, day=dt.date(2023, 12, 1)),
        client(),
        (
            m.AangevraagdProduct(
                referentie_aanbieder="REF-7",
                product_categorie="45",
                product_code="45N01",
                toewijzing_ingangsdatum=dt.date(2024, 1, 1),
                verwijzer=m.Verwijzer("02", "01123456"),
            ),
        ),
    )
    ingest(("v.xml", to_xml(request)), ("t1.xml", to_xml(toewijzing("T1", referentie="REF-7"))))
    ingest(("t2.xml", to_xml(toewijzing("T2", reden="04", einddatum=dt.date(2024, 12, 31)))))
    assert Toewijzing.objects.get().referentie_aanbieder == "REF-7"
    (fact,) = load_facts(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).allocations
    assert (fact.verwijzer, fact.aangevraagd_op) == ("02", dt.date(2023, 12, 1))


def test_a_change_keeps_the_first_allocation_date():
    """Waiting times run from when the allocation was first issued; the change's date is history."""
    ingest(("t1.xml", to_xml(toewijzing("T1"))))
    extended = toewijzing(
        "T2", reden="04", einddatum=dt.date(2024, 12, 31), toewijzingsdatum=dt.date(2024, 6, 3)
    )
    ingest(("t2.xml", to_xml(extended)))
    allocation = Toewijzing.objects.get()
    assert allocation.toewijzingsdatum == dt.date(2023, 12, 20) and allocation.einddatum == dt.date(
        2024, 12, 31
    )
    assert list(allocation.wijzigingen.values_list("toewijzingsdatum", flat=True)) == [
        dt.date(2023, 12, 20),
        dt.date(2024, 6, 3),
    ]


def test_claim_on_a_deleted_allocation_is_quarantined_and_the_good_line_lands():
    ingest(("t.xml", to_xml(toewijzing())), ("t2.xml", to_xml(toewijzing("T2", nummer="1002"))))
    ingest(("del.xml", to_xml(toewijzing("T3", nummer="1002", reden="13"))))
    summary = ingest(("d.xml", to_xml(declaratie(lines=(line("R1"), line("R2", nummer="1002"))))))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 1)
    assert rules() == ["claim.deleted_allocation"]
    item = QuarantaineItem.objects.get()
    assert item.niveau == "regel" and item.regel_referentie == "R2" and item.bestandsnaam == "d.xml"
    assert "Prestatie" in item.element
    assert DeclaratieRegel.objects.get().referentienummer == "R1"


def test_credit_without_its_debit_is_quarantined_credit_with_debit_lands():
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    correction = declaratie(
        "D2", (line("R9", dc="C", vorig="R1"), line("R10"), line("R11", dc="C", vorig="NOPE")), number="101"
    )
    summary = ingest(("d2.xml", to_xml(correction)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (2, 1)
    assert rules() == ["claim.credit_without_debit"]
    # Net: R1 debit, R9 credit of R1, R10 debit: one month's amount remains.
    assert sum(DeclaratieRegel.objects.values_list("bedrag_cent", flat=True)) == 4 * 7_200


def test_credit_by_the_debits_own_reference_lands_against_the_stored_debit():
    """The older convention (TR323): a credit without VorigReferentieNummer reverses the debit with
    its own ReferentieNummer; the stored debit counts (it was not looked up before: TR323 failed)."""
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    summary = ingest(("d2.xml", to_xml(declaratie("D2", (line("R1", dc="C"),), number="101"))))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 0)
    assert sum(DeclaratieRegel.objects.values_list("bedrag_cent", flat=True)) == 0
    again = ingest(("d3.xml", to_xml(declaratie("D3", (line("R2", dc="C", vorig="R1"),), number="102"))))
    assert (again.accepted_lines, rules()) == (0, ["claim.credited_twice"])


def test_bad_input_each_gives_its_rule_and_good_messages_in_the_run_still_land(tmp_path):
    good = to_xml(toewijzing())
    bad_date = to_xml(toewijzing("T9", nummer="1009")).replace(b"2024-06-30", b"2027-06-31")
    bad_bsn = to_xml(toewijzing("T8", nummer="1008", bsn=BSN_BAD))
    wrong_ns = good.replace(b"ijw/3_2/jw301/schema", b"ijw/3_1/jw301/schema").replace(b"T1<", b"T7<")
    cut = to_xml(toewijzing("T6", nummer="1006"))
    cut = cut[: len(cut) // 2]
    malformed = b"<?xml version='1.0'?><Bericht><Header></Bericht>"
    for name, data in [
        ("good.xml", good),
        ("date.xml", bad_date),
        ("bsn.xml", bad_bsn),
        ("ns.xml", wrong_ns),
        ("cut.xml", cut),
        ("malformed.xml", malformed),
    ]:
        (tmp_path / name).write_bytes(data)
    summary = Ingester().ingest_paths([tmp_path])
    assert summary.files == 6 and summary.accepted_messages == 1 and summary.quarantined_messages == 5
    assert Toewijzing.objects.get().toewijzingnummer == "1001"
    by_file = dict(QuarantaineItem.objects.values_list("bestandsnaam", "regel"))
    assert {k.rsplit("/", 1)[1]: v for k, v in by_file.items()} == {
        "date.xml": "date.invalid",
        "bsn.xml": "bsn.elfproef",
        "ns.xml": "xml.namespace",
        "cut.xml": "xml.malformed",
        "malformed.xml": "xml.malformed",
    }
    date_item = QuarantaineItem.objects.get(regel="date.invalid")
    assert date_item.element.endswith("/Einddatum") and date_item.bericht_identificatie == "T9"
    # Nothing half-written: one client (the good one), one allocation, and no BSN in any payload.
    assert Client.objects.count() == 1
    for item in QuarantaineItem.objects.all():
        payload = bytes(item.payload)
        assert BSN_A.encode() not in payload and BSN_BAD.encode() not in payload
        assert b"Onbekend" not in payload  # the writer's placeholder name was redacted too
    assert Aanlevering.objects.filter(status="geweigerd").count() == 5


def test_a_failure_while_storing_rolls_the_whole_file_back(monkeypatch):
    ingester = Ingester()

    def explode(*args, **kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(ingest_claims, "insert_lines", explode)
    ingester.ingest_file("t.xml", to_xml(toewijzing()))
    summary = ingester.ingest_file("d.xml", to_xml(declaratie()))
    assert summary.rejected_files == 1
    assert Declaratie.objects.count() == 0 and Bericht.objects.filter(soort="JW323").count() == 0
    item = QuarantaineItem.objects.get()
    assert (item.niveau, item.regel) == ("bestand", "ingest.intern") and "schijf vol" in item.melding
    monkeypatch.undo()
    # After the cause is fixed, the quarantined file is reprocessed from its redacted payload.
    result = Ingester().reprocess(QuarantaineItem.objects.filter(status="open"))
    assert result.reprocessed == 1
    assert DeclaratieRegel.objects.count() == 1
    assert QuarantaineItem.objects.get().status == "herverwerkt"


def test_claims_before_their_allocation_wait_in_quarantine_and_land_when_it_arrives(tmp_path):
    ingest(("d.xml", to_xml(declaratie())))
    assert rules() == ["claim.unknown_allocation"]
    (tmp_path / "t.xml").write_bytes(to_xml(toewijzing()))
    summary = Ingester().ingest_paths([tmp_path])  # retries waiting items at the end of the run
    assert summary.reprocessed == 1
    assert DeclaratieRegel.objects.count() == 1
    assert QuarantaineItem.objects.get().status == "herverwerkt"


def test_start_on_an_unknown_allocation_waits_as_a_whole_message():
    start = m.StartZorg(
        header("S1", from_gemeente=False, day=dt.date(2024, 1, 8)),
        client(),
        (m.StartProduct("4242", "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8)),),
    )
    summary = ingest(("s.xml", to_xml(start)))
    assert summary.quarantined_messages == 1 and rules() == ["allocation.unknown"]
    assert Bericht.objects.count() == 0 and ZorgStart.objects.count() == 0


def test_unknown_municipality_is_refused_and_unknown_provider_is_registered_as_nga():
    other = toewijzing()
    other = replace(other, header=replace(other.header, afzender="0363"))
    ingest(("amsterdam.xml", to_xml(other)))
    assert rules() == ["party.unknown_municipality"]
    nga = toewijzing("T5", nummer="1005")
    nga = replace(nga, header=replace(nga.header, ontvanger="98999999"))
    ingest(("nga.xml", to_xml(nga)))
    assert Aanbieder.objects.get(agb_code="98999999").is_nga


def test_zip_files_and_the_commands(tmp_path, capsys):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/t.xml", to_xml(toewijzing()))
        archive.writestr("b/d.xml", to_xml(declaratie()))
    (tmp_path / "levering.zip").write_bytes(buffer.getvalue())
    call_command("ijw_validate", str(tmp_path))
    call_command("ingest", str(tmp_path), "--json")
    out = capsys.readouterr().out
    assert '"accepted_lines": 1' in out and '"accepted_messages": 2' in out
    (tmp_path / "bad.xml").write_bytes(to_xml(toewijzing("T9")).replace(b"2024-06-30", b"2027-06-31"))
    with pytest.raises(CommandError, match="Niet alle berichten zijn geldig"):
        call_command("ijw_validate", str(tmp_path / "bad.xml"))
    err = capsys.readouterr().err
    assert "bad.xml: bericht T9: " in err and "date.invalid" in err
