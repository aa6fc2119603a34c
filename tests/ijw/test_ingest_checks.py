"""The ingest's rules as plain functions (``ingest_checks``), which both ingest paths call: each
rule on hand-made facts, with the exact rule, element and Dutch text. No database."""

import datetime as dt

from jeugdregie.ijw import ingest_checks as checks
from jeugdregie.ijw import messages as m

D = dt.date
CLIENT = m.ClientIdentity(bsn="999990019", geboortedatum=D(2012, 5, 1), geslacht="1")
GEMEENTE, AANBIEDER, PSEUDONYM = "0983", "12345678", "p-1"


def _start(*products: tuple[str, dt.date, str]) -> m.StartZorg:
    return m.StartZorg(
        header=m.Header(AANBIEDER, GEMEENTE, "S1", D(2024, 3, 1)),
        client=CLIENT,
        producten=tuple(
            m.StartProduct(nummer, "45", "45A01", D(2024, 1, 1), begin, status)
            for nummer, begin, status in products
        ),
    )


def _stop(*products: tuple[str, dt.date, str]) -> m.StopZorg:
    return m.StopZorg(
        header=m.Header(AANBIEDER, GEMEENTE, "T1", D(2024, 3, 1)),
        client=CLIENT,
        producten=tuple(
            m.StopProduct(nummer, "45", "45A01", D(2024, 1, 1), begin, D(2024, 2, 29), "01", status)
            for nummer, begin, status in products
        ),
    )


def _found(problems) -> list[tuple[str, str, str]]:
    return [(p.element, p.rule, p.message) for p in problems]


START = "/Bericht/Client/StartProducten/StartProduct"
STOP = "/Bericht/Client/StopProducten/StopProduct"


def test_start_stop_rules_each_once_in_order():
    jan, feb = D(2024, 1, 1), D(2024, 2, 1)
    message = _start(
        ("A", feb, "3"),  # TR063: no start on A for feb
        ("B", jan, "3"),  # TR071: B started jan and stopped
        ("C", jan, "1"),  # TR074: C started jan already
        ("4004", feb, "1"),  # TR326: 4004 started jan, no stop
        ("B", feb, "1"),  # fine: B's start has a stop
        ("E", jan, "1"),  # fine: nothing stored for E
    )
    own = {("B", jan), ("C", jan), ("4004", jan)}
    problems = checks.start_stop_problems(message, "f.xml", own, stopped={"B"})
    assert _found(problems) == [
        (
            f"{START}[1]/StatusAanlevering",
            "startstop.unknown",
            "De te verwijderen start of stop is niet eerder aangeleverd.",
        ),
        (
            f"{START}[2]/StatusAanlevering",
            "startstop.already_stopped",
            "De start kan niet verwijderd worden: er is al een stop.",
        ),
        (
            f"{START}[3]/StatusAanlevering",
            "startstop.duplicate",
            "Deze start of stop met deze begindatum is al aangeleverd.",
        ),
        (f"{START}[4]/StatusAanlevering", "start.open", "Toewijzing 4004 heeft al een start zonder stop."),
    ]
    assert {(p.file, p.message_id) for p in problems} == {("f.xml", "S1")}


def test_stop_rules_ignore_the_start_only_ones():
    jan = D(2024, 1, 1)
    message = _stop(("A", jan, "3"), ("B", jan, "1"), ("B", D(2024, 2, 1), "1"))
    problems = checks.start_stop_problems(message, "f.xml", {("B", jan)}, stopped={"A", "B"})
    assert [(p.element, p.rule) for p in problems] == [
        (f"{STOP}[1]/StatusAanlevering", "startstop.unknown"),
        (f"{STOP}[2]/StatusAanlevering", "startstop.duplicate"),
    ]


def test_start_stop_allocation_unknown_or_of_another_party():
    message = _stop(("A", D(2024, 1, 1), "1"), ("B", D(2024, 1, 1), "1"), ("C", D(2024, 1, 1), "1"))
    stored = {"B": (AANBIEDER, "p-other"), "C": (AANBIEDER, PSEUDONYM)}
    assert _found(checks.start_stop_allocation_problems(message, "f.xml", PSEUDONYM, stored)) == [
        (
            f"{STOP}[1]/ToewijzingNummer",
            "allocation.unknown",
            "Toewijzing A is (nog) niet bekend bij gemeente 0983.",
        ),
        (
            f"{STOP}[2]/ToewijzingNummer",
            "allocation.other_party",
            "Toewijzing B hoort bij een andere aanbieder of cliënt.",
        ),
    ]


def test_allocation_number_taken_by_another_provider_or_client():
    product = m.ToegewezenProduct("N1", "45", "45A01", D(2024, 1, 1), D(2024, 1, 1))
    message = m.Toewijzing(
        header=m.Header(GEMEENTE, AANBIEDER, "W1", D(2024, 1, 1)),
        client=CLIENT,
        producten=(product, m.ToegewezenProduct("N2", "45", "45A01", D(2024, 1, 1), D(2024, 1, 1)), product),
    )
    own = {"N1": ("87654321", PSEUDONYM), "N2": (AANBIEDER, PSEUDONYM)}
    element = "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[{}]/ToewijzingNummer"
    text = "ToewijzingNummer N1 is bij gemeente 0983 al gebruikt voor een andere cliënt of aanbieder."
    assert _found(checks.allocation_number_problems(message, "f.xml", PSEUDONYM, own)) == [
        (element.format(1), "allocation.number_taken", text),
        (element.format(3), "allocation.number_taken", text),
    ]
    assert (
        checks.allocation_number_problems(message, "f.xml", PSEUDONYM, {"N2": (AANBIEDER, PSEUDONYM)}) == []
    )


def test_grants_request_asks_the_versions_only_when_it_matters():
    asked: list[str] = []

    def on_a_version(ref: str) -> bool:
        asked.append(ref)
        return ref == "R2"

    assert checks.grants_request(None, "R1", on_a_version) is False
    assert checks.grants_request("R1", "R1", on_a_version) is False
    assert asked == []
    assert checks.grants_request("R2", "R1", on_a_version) is False
    assert checks.grants_request("R3", "R1", on_a_version) is True
    assert asked == ["R2", "R3"]


def test_allocation_values_keep_the_first_date_and_reference():
    product = m.ToegewezenProduct(
        "N1",
        None,
        "45A01",
        D(2024, 3, 1),
        D(2024, 3, 1),
        reden_wijziging="13",
        omvang=m.Omvang(8, "04", "2"),
        budget=125_000,
        referentie_aanbieder="R2",
    )
    values = checks.allocation_values(product, "client", "aanbieder", None)
    assert values["verwijderd"] is True and values["product_categorie"] == ""
    assert (values["volume"], values["eenheid"], values["frequentie"]) == (8, "04", "2")
    checks.keep_first(values, D(2024, 1, 15), "R1")
    assert (values["toewijzingsdatum"], values["referentie_aanbieder"]) == (D(2024, 1, 15), "R1")
    checks.keep_first(values, D(2024, 5, 1), "")
    assert (values["toewijzingsdatum"], values["referentie_aanbieder"]) == (D(2024, 1, 15), "R1")
    version = checks.version_values(product)
    assert (version["toewijzingsdatum"], version["referentie_aanbieder"], version["budget_cent"]) == (
        D(2024, 3, 1),
        "R2",
        125_000,
    )


def test_refusal_blocks_on_message_errors_and_levels_by_header():
    from jeugdregie.ijw.errors import ValidationError
    from jeugdregie.ijw.services import IngestSummary

    line = ValidationError("f.xml", "S1", "/x", "r.line", "Regel.", scope="line")
    whole = ValidationError("f.xml", "S1", "/y", "r.message", "Bericht.")
    message = _start(("A", D(2024, 1, 1), "1"))
    assert checks.refusal(message, [line], header_known=True) is None
    assert checks.refusal(message, [line, whole], header_known=False) == ([whole], "bericht")
    assert checks.refusal(None, [line], header_known=True) == ([line], "bericht")
    assert checks.refusal(None, [line], header_known=False) == ([line], "bestand")

    summary = IngestSummary(messages=1)
    assert checks.count_refused(summary, ([whole], "bericht")) == ([whole], "bericht")
    assert (summary.quarantined_messages, summary.errors) == (1, [whole])
    totals = checks.delivery_totals(summary, "verwerkt")
    assert totals == {
        "berichten": 1,
        "regels": 0,
        "geaccepteerd": 0,
        "in_quarantaine": 1,
        "dubbel": 0,
        "status": "geweigerd",
    }
    summary.accepted_messages = 1
    assert checks.delivery_totals(summary, "verwerkt")["status"] == "deels"
    assert (
        checks.delivery_totals(IngestSummary(messages=1, accepted_messages=1), "verwerkt")["status"]
        == "verwerkt"
    )


def test_an_allocation_number_with_letters_keeps_its_case_in_the_message():
    message = _start(("D1", D(2024, 2, 1), "1"))
    problems = checks.start_stop_problems(message, "f.xml", {("D1", D(2024, 1, 1))}, stopped=set())
    assert [p.message for p in problems] == ["Toewijzing D1 heeft al een start zonder stop."]
