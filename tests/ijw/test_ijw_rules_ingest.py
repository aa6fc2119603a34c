"""Official iJw rules at ingest, on hand-made messages: the TR code, the return code and the element
of every rejection, in the quarantine; the late claim of TR319 lands in its own month."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from test_ingest import declaratie, header, ingest, line, parties, toewijzing  # noqa: F401 (fixture)

from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import QuarantaineItem
from jeugdregie.ijw.writer import to_xml
from jeugdregie.monitoring.facts import claim_facts
from jeugdregie.zorg.models import DeclaratieRegel, ZorgStart

pytestmark = pytest.mark.django_db

D = dt.date
C1 = "/Bericht/Declaratie/Clienten/Client/Prestaties/Prestatie"


def at(ref: str, element: str) -> str:
    return f"{C1}[ProductReferentie/ReferentieNummer='{ref}']/{element}"


def quarantined() -> list[tuple[str, str, str, str]]:
    """(tr, retourcode, rule, element) of every quarantined item, sorted."""
    return sorted(QuarantaineItem.objects.values_list("tr", "retourcode", "regel", "element"))


def april_claim(*lines: m.Prestatie, ident: str = "D4", number: str = "400") -> m.Declaratie:
    """A JW323 for April 2024, dated 5 May 2024."""
    return m.Declaratie(
        m.Header("98000001", "0983", ident, D(2024, 5, 5)),
        number,
        D(2024, 4, 1),
        D(2024, 4, 30),
        D(2024, 5, 5),
        (m.DeclaratieClient("999990019", lines),),
    )


def month(ref: str, first: dt.date, last: dt.date, **kw) -> m.Prestatie:
    return line(ref, begin=first, end=last, **kw)


# ---------------------------------------------------------------- TR319 late claims


def test_tr319_late_line_for_march_in_the_april_claim_lands_in_march():
    ingest(("t.xml", to_xml(toewijzing())))
    claim = april_claim(
        month("A1", D(2024, 4, 1), D(2024, 4, 30), volume=4),
        month("M1", D(2024, 3, 1), D(2024, 3, 31), volume=3),  # late: March, declared in April
    )
    summary = ingest(("d.xml", to_xml(claim)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (2, 0)
    assert QuarantaineItem.objects.count() == 0
    by_month = {
        r.periode_begin: (r.referentienummer, r.bedrag_cent, r.declaratie.periode_begin)
        for r in DeclaratieRegel.objects.select_related("declaratie")
    }
    # The March line is attributed to March, although its claim is for April.
    assert by_month == {
        D(2024, 4, 1): ("A1", 4 * 7_200, D(2024, 4, 1)),
        D(2024, 3, 1): ("M1", 3 * 7_200, D(2024, 4, 1)),
    }
    # The KPIs read the same: March spend is the late line's amount.
    march = list(claim_facts(D(2024, 3, 1), D(2024, 3, 31)))
    april = list(claim_facts(D(2024, 4, 1), D(2024, 4, 30)))
    assert [f.bedrag_cent for f in march] == [3 * 7_200]
    assert [f.bedrag_cent for f in april] == [4 * 7_200]


def test_tr319_a_period_after_the_claim_period_or_across_a_month_is_rejected():
    ingest(("t.xml", to_xml(toewijzing())))
    claim = april_claim(
        month("A1", D(2024, 4, 1), D(2024, 4, 30)),
        month("L1", D(2024, 5, 1), D(2024, 5, 31)),  # after the declaration period
        month("X1", D(2024, 3, 15), D(2024, 4, 14)),  # two calendar months
    )
    summary = ingest(("d.xml", to_xml(claim)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 2)
    base = "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie"
    assert quarantined() == [
        ("TR319", "9319", "date.outside_period", f"{base}[2]/ProductPeriode"),
        ("TR319", "9319", "date.outside_period", f"{base}[3]/ProductPeriode"),
    ]
    assert list(DeclaratieRegel.objects.values_list("referentienummer", flat=True)) == ["A1"]


# ---------------------------------------------------------------- rules on claim lines


def test_tr314_reference_number_used_in_an_earlier_message_is_rejected():
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    again = declaratie("D2", (line("R1", begin=D(2024, 1, 1)), line("R2")), number="101")
    summary = ingest(("d2.xml", to_xml(again)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 1)
    assert quarantined() == [
        ("TR314", "8021", "claim.reference_used", at("R1", "ProductReferentie/ReferentieNummer"))
    ]


def test_tr323_credit_without_debit_and_tr390_credit_twice():
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    ingest(("d2.xml", to_xml(declaratie("D2", (line("C1", dc="C", vorig="R1"),), number="101"))))
    assert QuarantaineItem.objects.count() == 0
    third = declaratie("D3", (line("C2", dc="C", vorig="R1"), line("C3", dc="C", vorig="NOPE")), number="102")
    summary = ingest(("d3.xml", to_xml(third)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (0, 2)
    assert quarantined() == [
        ("TR323", "8017", "claim.credit_without_debit", at("C3", "ProductReferentie")),
        ("TR390", "9390", "claim.credited_twice", at("C2", "ProductReferentie")),
    ]


def test_tr315_and_tr316_inside_one_claim():
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    claim = declaratie(
        "D2",
        (
            line("R2"),
            line("C2", dc="C", vorig="R2"),  # TR316: credits a debit of this same message
            line("C1", dc="C", vorig="R1"),
            line("C9", dc="C", vorig="R1"),  # TR315: VorigReferentieNummer R1 again
        ),
        number="101",
    )
    summary = ingest(("d2.xml", to_xml(claim)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (2, 2)
    assert quarantined() == [
        (
            "TR315",
            "0001",
            "claim.duplicate_previous_reference",
            at("C9", "ProductReferentie/VorigReferentieNummer"),
        ),
        ("TR316", "0001", "claim.credit_same_message", at("C2", "ProductReferentie")),
    ]


def test_tr307_tr308_tr338_tr384_on_the_allocation():
    ingest(("t.xml", to_xml(toewijzing())), ("t2.xml", to_xml(toewijzing("T2", nummer="1002"))))
    ingest(("del.xml", to_xml(toewijzing("T3", nummer="1002", reden="13"))))
    claim = m.Declaratie(
        m.Header("98000001", "0983", "D9", D(2024, 8, 5)),
        "900",
        D(2024, 7, 1),
        D(2024, 7, 31),
        D(2024, 8, 5),
        (
            m.DeclaratieClient(
                "999990019",
                (
                    month("B1", D(2023, 12, 1), D(2023, 12, 31)),  # before the allocation's start
                    month("E1", D(2024, 7, 1), D(2024, 7, 31)),  # after its end (30 June)
                    month("U1", D(2024, 1, 1), D(2024, 1, 31), nummer="4444"),  # unknown
                    month("V1", D(2024, 1, 1), D(2024, 1, 31), nummer="1002"),  # deleted (13)
                    month("OK", D(2024, 6, 1), D(2024, 6, 30)),
                ),
            ),
        ),
    )
    summary = ingest(("d.xml", to_xml(claim)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 4)
    assert quarantined() == [
        ("TR307", "9307", "claim.outside_allocation", at("B1", "ProductPeriode")),
        ("TR308", "9308", "claim.outside_allocation", at("E1", "ProductPeriode")),
        ("TR338", "9338", "claim.unknown_allocation", at("U1", "ToewijzingNummer")),
        ("TR384", "9384", "claim.deleted_allocation", at("V1", "ToewijzingNummer")),
    ]


def test_tr304_tr339_tr340_tr341_product_client_and_unit():
    ingest(
        ("t.xml", to_xml(toewijzing())), ("t2.xml", to_xml(toewijzing("T2", nummer="1002", bsn="999990020")))
    )
    base = line("X")
    claim = declaratie(
        "D1",
        (
            replace(base, referentie_nummer="P1", product_categorie="43"),
            replace(base, referentie_nummer="P2", product_code="45N02"),
            replace(base, referentie_nummer="P3", eenheid="14"),
            replace(base, referentie_nummer="P4", eenheid="01"),  # hours may be claimed in minutes
            replace(base, referentie_nummer="P5", toewijzing_nummer="1002"),  # another client's
        ),
    )
    summary = ingest(("d.xml", to_xml(claim)))
    assert (summary.accepted_lines, summary.quarantined_lines) == (1, 4)
    assert quarantined() == [
        ("TR304", "8187", "claim.other_client", at("P5", "ToewijzingNummer")),
        ("TR339", "9339", "claim.other_product", at("P1", "ProductCategorie")),
        ("TR340", "9340", "claim.other_product", at("P2", "ProductCode")),
        ("TR341", "9341", "claim.other_unit", at("P3", "Eenheid")),
    ]


def test_tr333_declaratienummer_used_twice_rejects_the_message():
    ingest(("t.xml", to_xml(toewijzing())), ("d1.xml", to_xml(declaratie("D1", (line("R1"),)))))
    summary = ingest(("d2.xml", to_xml(declaratie("D2", (line("R2"),), number="100"))))
    assert (summary.accepted_messages, summary.quarantined_messages) == (0, 1)
    assert quarantined() == [
        ("TR333", "9333", "claim.duplicate_declaratienummer", "/Bericht/Declaratie/DeclaratieNummer")
    ]


# ---------------------------------------------------------------- allocations, starts and stops


def test_tr332_allocation_number_of_another_client_is_rejected():
    ingest(("t.xml", to_xml(toewijzing())))
    ingest(("t2.xml", to_xml(toewijzing("T2", bsn="999990020"))))
    assert quarantined() == [
        (
            "TR332",
            "9332",
            "allocation.number_taken",
            "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[1]/ToewijzingNummer",
        )
    ]
    ingest(("t3.xml", to_xml(toewijzing("T3", volume=12))))  # the same client: a change, fine
    assert QuarantaineItem.objects.count() == 1


def start(ident: str, begin: dt.date, status: str = "1") -> m.StartZorg:
    from test_ingest import client

    return m.StartZorg(
        header(ident, from_gemeente=False, day=D(2024, 7, 10)),
        client(),
        (m.StartProduct("1001", "45", "45N01", D(2024, 1, 1), begin, status),),
    )


def stop(ident: str, begin: dt.date, end: dt.date, status: str = "1") -> m.StopZorg:
    from test_ingest import client

    return m.StopZorg(
        header(ident, from_gemeente=False, day=D(2024, 7, 10)),
        client(),
        (m.StopProduct("1001", "45", "45N01", D(2024, 1, 1), begin, end, "31", status),),
    )


START_PATH = "/Bericht/Client/StartProducten/StartProduct[1]/StatusAanlevering"
STOP_PATH = "/Bericht/Client/StopProducten/StopProduct[1]/StatusAanlevering"


def test_tr063_tr074_tr326_tr071_on_starts_and_stops():
    ingest(("t.xml", to_xml(toewijzing())), ("s1.xml", to_xml(start("S1", D(2024, 1, 8)))))
    ingest(("s2.xml", to_xml(start("S2", D(2024, 1, 8)))))  # TR074: the same start again
    ingest(("s3.xml", to_xml(start("S3", D(2024, 2, 1)))))  # TR326: the first has no stop
    ingest(("s4.xml", to_xml(start("S4", D(2024, 1, 9), status="3"))))  # TR063: unknown start
    ingest(("p1.xml", to_xml(stop("P1", D(2024, 1, 8), D(2024, 3, 31)))))
    ingest(("s5.xml", to_xml(start("S5", D(2024, 1, 8), status="3"))))  # TR071: stopped already
    ingest(("p2.xml", to_xml(stop("P2", D(2024, 2, 8), D(2024, 3, 31), status="3"))))  # TR063
    assert quarantined() == [
        ("TR063", "9063", "startstop.unknown", START_PATH),
        ("TR063", "9063", "startstop.unknown", STOP_PATH),
        ("TR071", "9071", "startstop.already_stopped", START_PATH),
        ("TR074", "9074", "startstop.duplicate", START_PATH),
        ("TR326", "9326", "start.open", START_PATH),
    ]
    assert ZorgStart.objects.count() == 1


def test_tr019_start_on_an_unknown_allocation_keeps_waiting():
    ingest(("s1.xml", to_xml(start("S1", D(2024, 1, 8)))))
    assert quarantined() == [
        (
            "TR019",
            "9019",
            "allocation.unknown",
            "/Bericht/Client/StartProducten/StartProduct[1]/ToewijzingNummer",
        )
    ]
    item = QuarantaineItem.objects.get()
    assert str(item).endswith("allocation.unknown (TR019 / 9019)")


def test_tr101_and_tr134_inside_one_message_reject_it_at_ingest_tr302_does_not():
    allocation = toewijzing()
    twice = replace(allocation, producten=allocation.producten * 2)  # the same allocation twice
    ingest(("t.xml", to_xml(twice)))
    early = start("S1", D(2024, 1, 8))
    ingest(("s.xml", to_xml(replace(early, header=replace(early.header, dagtekening=D(2024, 1, 7))))))
    assert quarantined() == [
        (
            "TR101",
            "0001",
            "key.duplicate",
            "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[2]",
        ),
        (
            "TR134",
            "0001",
            "date.after_dagtekening",
            "/Bericht/Client/StartProducten/StartProduct[1]/Begindatum",
        ),
    ]


@pytest.mark.parametrize("files_per_transaction", [None, 1, 100])
def test_the_rules_inside_one_message_check_the_readers_tree_without_parsing_again(
    files_per_transaction, monkeypatch, tmp_path
):
    """Issue 13: each message is parsed once; TR101 and TR134 are found on the reader's tree, on the
    per-message path (``ingest_file``, one file per transaction) and on the batch path alike."""
    from jeugdregie.ijw import read_ahead
    from jeugdregie.ijw.services import Ingester

    def parsed_again(data: bytes):
        raise AssertionError("the message was parsed a second time")

    monkeypatch.setattr(read_ahead, "parse_message", parsed_again)
    allocation = toewijzing()
    early = start("S1", D(2024, 1, 8))
    files = {
        "1-t.xml": to_xml(replace(allocation, producten=allocation.producten * 2)),
        "2-s.xml": to_xml(replace(early, header=replace(early.header, dagtekening=D(2024, 1, 7)))),
    }
    if files_per_transaction is None:
        ingest(*files.items())
    else:
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
        Ingester(files_per_transaction=files_per_transaction).ingest_paths([tmp_path], retry_waiting=False)
    assert [(tr, rule) for tr, _code, rule, _element in quarantined()] == [
        ("TR101", "key.duplicate"),
        ("TR134", "date.after_dagtekening"),
    ]
