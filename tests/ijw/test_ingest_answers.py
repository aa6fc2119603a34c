"""Ingest of JW325 (claim answer), JW317 (change request) and JW319 (answer to a request) on
hand-made messages: what lands, idempotence, and the waiting quarantine for what is not yet known."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from test_ingest import AGB, BSN_A, BSN_B, VENLO, declaratie, header, ingest, line, parties, rules, toewijzing  # noqa: F401

from jeugdregie.ijw import messages as m
from jeugdregie.ijw.ingest_answers import (
    ANSWER_UNKNOWN_CLAIM_LINE,
    REQUEST_UNKNOWN,
    REQUEST_UNKNOWN_ALLOCATION,
)
from jeugdregie.ijw.models import QuarantaineItem
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import (
    AntwoordRegel,
    AntwoordVerzoek,
    DeclaratieAntwoord,
    DeclaratieRegel,
    GevraagdeWijziging,
    VerzoekOmWijziging,
)
from jeugdregie.zorg.requests import AFGEWEZEN, IN_ONDERZOEK, OPEN, TOEGEKEND, request_outcomes

pytestmark = pytest.mark.django_db
D = dt.date

CLAIM = declaratie(lines=(line("R1"), line("R2", begin=D(2024, 1, 1)), line("R3", tarief=5_000)))
# R1 and R3 claim 4 x 72.00 and 4 x 50.00; R2 4 x 72.00. The answer rejects R2 (8021, 0611).
ANSWER = m.claim_answer(CLAIM, {"R2": ("8021", "0611")}, identificatie="A1", dagtekening=D(2024, 2, 20))


def rejected() -> list[tuple[str, bool, str]]:
    return list(
        DeclaratieRegel.objects.order_by("referentienummer").values_list(
            "referentienummer", "afgewezen", "afgewezen_retourcode"
        )
    )


def test_a_claim_answer_marks_the_rejected_lines_with_their_first_code():
    summary = ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(CLAIM)), ("a.xml", to_xml(ANSWER)))
    assert summary.accepted_messages == 3 and summary.quarantined_messages == 0
    assert rejected() == [("R1", False, ""), ("R2", True, "8021"), ("R3", False, "")]
    antwoord = DeclaratieAntwoord.objects.get()
    assert (antwoord.totaal_ingediend_cent, antwoord.totaal_toegekend_cent, antwoord.afgewezen_cent) == (
        2 * 28_800 + 20_000,
        28_800 + 20_000,
        28_800,
    )
    assert antwoord.beantwoord_op == D(2024, 2, 20) and antwoord.retourcodes == "0200"
    assert list(AntwoordRegel.objects.values_list("regel__referentienummer", "retourcodes", "afgewezen")) == [
        ("R2", "8021 0611", True)
    ]
    # accepted claims: submitted minus rejected
    accepted = DeclaratieRegel.objects.filter(afgewezen=False).values_list("bedrag_cent", flat=True)
    assert sum(accepted) == 48_800


def test_a_claim_answer_is_idempotent():
    ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(CLAIM)), ("a.xml", to_xml(ANSWER)))
    again = ingest(("a2.xml", to_xml(ANSWER).replace(b"?>", b"?>\n", 1)))
    assert again.duplicate_messages == 1 and DeclaratieAntwoord.objects.count() == 1
    assert AntwoordRegel.objects.count() == 1


def test_a_fully_granted_claim_rejects_nothing():
    full = m.claim_answer(CLAIM, {}, identificatie="A2", dagtekening=D(2024, 2, 20))
    ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(CLAIM)), ("a.xml", to_xml(full)))
    assert DeclaratieAntwoord.objects.get().retourcodes == "0200 8001"
    assert not DeclaratieRegel.objects.filter(afgewezen=True).exists()


def test_a_claim_rejected_as_a_whole_rejects_every_line():
    whole = m.DeclaratieAntwoord(
        header("A9", from_gemeente=True, day=D(2024, 2, 20)),
        "D1",
        D(2024, 2, 10),
        "",
        0,
        0,
        (),
        ("0001",),
        (),
    )
    ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(CLAIM)), ("a.xml", to_xml(whole)))
    assert rejected() == [("R1", True, "0001"), ("R2", True, "0001"), ("R3", True, "0001")]
    antwoord = DeclaratieAntwoord.objects.get()
    assert (antwoord.totaal_ingediend_cent, antwoord.totaal_toegekend_cent, antwoord.retourcodes) == (
        77_600,
        0,
        "0001",
    )


def test_an_answer_before_its_claim_waits_and_lands_when_the_claim_arrives(tmp_path):
    # Files are ingested in name order: the answer comes first and waits in the quarantine.
    (tmp_path / "1_t.xml").write_bytes(to_xml(toewijzing()))
    (tmp_path / "2_a.xml").write_bytes(to_xml(ANSWER))
    ingester = Ingester()
    first = ingester.ingest_paths([tmp_path / "1_t.xml", tmp_path / "2_a.xml"])
    assert first.quarantined_messages == 1 and rules() == [ANSWER_UNKNOWN_CLAIM_LINE]
    item = QuarantaineItem.objects.get()
    assert item.element == "/Bericht/Header/DeclaratieIdentificatie/Identificatie" and item.soort == "JW325"
    assert b"999990019" not in bytes(item.payload)  # the payload is redacted
    (tmp_path / "3_d.xml").write_bytes(to_xml(CLAIM))
    second = ingester.ingest_paths([tmp_path / "3_d.xml"])
    assert second.reprocessed == 1
    assert QuarantaineItem.objects.get().status == "herverwerkt"
    assert rejected()[1] == ("R2", True, "8021")


def test_an_answer_naming_an_unknown_line_waits_with_the_path():
    other = m.claim_answer(
        declaratie(lines=(line("R9"),)), {"R9": ("8021",)}, identificatie="A3", dagtekening=D(2024, 2, 20)
    )
    summary = ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(CLAIM)), ("a.xml", to_xml(other)))
    assert summary.quarantined_messages == 1
    item = QuarantaineItem.objects.get()
    assert (item.regel, item.element) == (
        ANSWER_UNKNOWN_CLAIM_LINE,
        "/Bericht/DeclaratieAntwoord/Clienten/Client[1]/Prestaties/Prestatie[1]/ProductReferentie/ReferentieNummer",
    )
    assert not DeclaratieRegel.objects.filter(afgewezen=True).exists()


def request(
    ident="W1", ref="VW-1", *, einddatum=D(2024, 12, 31), nummer="1001", bsn=BSN_A, day=D(2024, 6, 1)
):
    return m.VerzoekOmWijziging(
        header(ident, from_gemeente=False, day=day),
        bsn,
        ref,
        "2",
        te_wijzigen_producten=(
            m.TeWijzigenProduct(nummer, D(2024, 1, 1), einddatum, m.Omvang(10, "04", "2")),
        ),
        nieuwe_producten=(m.NieuwProduct("45", "45N01", D(2024, 7, 1), D(2024, 12, 31)),),
    )


def answer(ident, ref="VW-1", code="1", *, day=D(2024, 6, 11)) -> m.AntwoordVerzoek:
    return m.AntwoordVerzoek(
        header(ident, from_gemeente=True, day=day), ref, code, "2" if code == "1" else None
    )


def test_a_change_request_lands_with_its_products():
    summary = ingest(("t.xml", to_xml(toewijzing())), ("w.xml", to_xml(request())))
    assert summary.accepted_messages == 2
    verzoek = VerzoekOmWijziging.objects.get()
    assert (verzoek.referentie_aanbieder, verzoek.reden_verzoek, verzoek.aangevraagd_op) == (
        "VW-1",
        "2",
        D(2024, 6, 1),
    )
    assert verzoek.client.pseudoniem != BSN_A and len(verzoek.client.pseudoniem) == 64
    products = list(
        GevraagdeWijziging.objects.order_by("soort").values_list(
            "soort", "toewijzing__toewijzingnummer", "verlenging"
        )
    )
    assert products == [("nieuw", None, False), ("wijzigen", "1001", True)]
    assert request_outcomes() == {verzoek.pk: (OPEN, None)}


def test_request_outcomes_granted_by_a_jw301_refused_by_a_jw319():
    granted_version = toewijzing(
        "T2", reden="04", einddatum=D(2024, 12, 31), referentie="VW-1", toewijzingsdatum=D(2024, 6, 20)
    )
    granted_version = replace(granted_version, header=header("T2", from_gemeente=True, day=D(2024, 6, 20)))
    ingest(
        ("t.xml", to_xml(toewijzing())),
        ("w1.xml", to_xml(request())),
        ("w2.xml", to_xml(request("W2", "VW-2", day=D(2024, 6, 2)))),
        ("w3.xml", to_xml(request("W3", "VW-3", day=D(2024, 6, 3)))),
        ("a1.xml", to_xml(answer("V1", "VW-1", "2", day=D(2024, 6, 4)))),  # in onderzoek, then granted
        ("t2.xml", to_xml(granted_version)),
        ("a2.xml", to_xml(answer("V2", "VW-2", "1", day=D(2024, 6, 12)))),
        ("a3.xml", to_xml(answer("V3", "VW-3", "2", day=D(2024, 6, 5)))),
    )
    by_ref = {v.referentie_aanbieder: v.pk for v in VerzoekOmWijziging.objects.all()}
    outcomes = request_outcomes()
    assert outcomes[by_ref["VW-1"]] == (TOEGEKEND, D(2024, 6, 20))
    assert outcomes[by_ref["VW-2"]] == (AFGEWEZEN, D(2024, 6, 12))
    assert outcomes[by_ref["VW-3"]] == (IN_ONDERZOEK, None)
    assert AntwoordVerzoek.objects.filter(verzoek_wijziging__isnull=False).count() == 3
    # The granting version keeps the request's reference.
    from jeugdregie.zorg.models import ToewijzingWijziging

    assert list(ToewijzingWijziging.objects.values_list("volgnummer", "referentie_aanbieder")) == [
        (1, ""),
        (2, "VW-1"),
    ]


def test_a_repeated_allocation_carrying_a_new_reference_is_a_version():
    ingest(("t.xml", to_xml(toewijzing(referentie="REF-315"))), ("w.xml", to_xml(request())))
    repeat = toewijzing("T2", referentie="VW-1")  # same values, only the reference of the request
    ingest(("t2.xml", to_xml(repeat)))
    ingest(("t3.xml", to_xml(toewijzing("T3", referentie="VW-1"))))  # repeated again: no new version
    from jeugdregie.zorg.models import Toewijzing

    allocation = Toewijzing.objects.get()
    assert allocation.referentie_aanbieder == "REF-315"  # the JW315 link stays
    assert list(allocation.wijzigingen.values_list("referentie_aanbieder", flat=True)) == ["REF-315", "VW-1"]
    assert request_outcomes()[VerzoekOmWijziging.objects.get().pk] == (TOEGEKEND, D(2024, 1, 5))


def test_a_request_on_an_unknown_allocation_and_an_answer_to_an_unknown_request_wait(tmp_path):
    for name, msg in (("1_w.xml", request()), ("2_a.xml", answer("V1"))):
        (tmp_path / name).write_bytes(to_xml(msg))
    ingester = Ingester()
    ingester.ingest_paths([tmp_path / "1_w.xml", tmp_path / "2_a.xml"])
    assert rules() == [REQUEST_UNKNOWN, REQUEST_UNKNOWN_ALLOCATION]
    elements = set(QuarantaineItem.objects.values_list("element", flat=True))
    assert elements == {
        "/Bericht/Antwoord/ReferentieAanbieder",
        "/Bericht/Client/Verzoek/TeWijzigenProducten/TeWijzigenProduct[1]/ToewijzingNummer",
    }
    (tmp_path / "0_t.xml").write_bytes(to_xml(toewijzing()))
    summary = ingester.ingest_paths([tmp_path / "0_t.xml"])
    assert summary.reprocessed == 2  # the request first (older), then its answer
    assert set(QuarantaineItem.objects.values_list("status", flat=True)) == {"herverwerkt"}
    assert AntwoordVerzoek.objects.get().verzoek_wijziging == VerzoekOmWijziging.objects.get()


def test_a_request_of_another_client_and_a_reused_reference_are_refused():
    summary = ingest(
        ("t.xml", to_xml(toewijzing())),
        ("w.xml", to_xml(request(bsn=BSN_B))),
        ("w2.xml", to_xml(request("W2", "VW-2"))),
        ("w3.xml", to_xml(request("W3", "VW-2"))),
    )
    assert summary.accepted_messages == 2 and summary.quarantined_messages == 2
    assert rules() == ["request.other_party", "request.reference_used"]
    found = {i.regel: (i.element, i.melding) for i in QuarantaineItem.objects.all()}
    assert found["request.reference_used"][0] == "/Bericht/Client/Verzoek/ReferentieAanbieder"


def test_the_kpi_facts_read_accepted_claims_rejections_and_requests():
    """After ingest: spend counts accepted lines only, the rejected line carries its code, and a
    granted request has its decision date (load_facts, as every screen and command reads them)."""
    from jeugdregie.monitoring.facts import load_facts
    from jeugdregie.rules.kpi import compute, year

    grant = toewijzing("T2", reden="04", einddatum=D(2024, 12, 31), referentie="VW-1")
    grant = replace(grant, header=header("T2", from_gemeente=True, day=D(2024, 6, 15)))
    ingest(
        ("t.xml", to_xml(toewijzing())),
        ("d.xml", to_xml(CLAIM)),
        ("a.xml", to_xml(ANSWER)),
        ("w.xml", to_xml(request())),
        ("t2.xml", to_xml(grant)),
    )
    facts = load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=D(2025, 1, 31))
    assert sorted(c.bedrag_cent for c in facts.claims) == [20_000, 28_800]
    assert [(c.bedrag_cent, c.afgewezen, c.retourcode) for c in facts.rejected_claims] == [
        (28_800, True, "8021")
    ]
    assert compute("spend", facts, year(2024)) == {(): 48_800}
    assert compute("rejected_share", facts, year(2024)) == {(): pytest.approx(28_800 / 77_600)}
    [fact] = facts.change_requests
    assert (fact.aanbieder, fact.gemeente, fact.uitkomst, fact.beslist_op, fact.verlenging) == (
        AGB,
        VENLO,
        TOEGEKEND,
        D(2024, 6, 15),
        True,
    )
    assert compute("change_request_days", facts, year(2024)) == {(): 14}
    assert compute("change_requests_granted", facts, year(2024)) == {(): 1.0}
    [allocation] = facts.allocations
    assert allocation.toegewezen_product == "45N01" and allocation.claimed_volume == 8  # R1 + R3, not R2
