"""check_claim_against_state with an in-memory ClaimState."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import Declaratie, DeclaratieClient, Header, Prestatie
from jeugdregie.ijw.pseudonym import pseudonymise
from jeugdregie.ijw.validation import AllocationView, ClaimState, check_claim_against_state

D = dt.date
KEY = b"test-key"
AGB = "12345678"
BSN = "123456782"
OTHER_BSN = "111222333"


class FakeState:
    def __init__(
        self, allocations: dict[tuple[str, str], AllocationView], debits: set[tuple[str, str]]
    ) -> None:
        self.allocations = allocations
        self.debits = debits
        self.allocation_calls = 0
        self.used: set[tuple[str, str, str]] = set()
        self.credits: set[tuple[str, str]] = set()

    def allocation(self, gemeente: str, toewijzing_nummer: str) -> AllocationView | None:
        self.allocation_calls += 1
        return self.allocations.get((gemeente, toewijzing_nummer))

    def debit_line(self, aanbieder: str, referentie_nummer: str) -> bool:
        return (aanbieder, referentie_nummer) in self.debits

    def reference_used(self, aanbieder: str, referentie_nummer: str, debet_credit: str) -> bool:
        return (aanbieder, referentie_nummer, debet_credit) in self.used

    def credited(self, aanbieder: str, referentie_nummer: str) -> bool:
        return (aanbieder, referentie_nummer) in self.credits

    def pseudonym_of(self, bsn: str) -> str:
        return pseudonymise(bsn, KEY)


JAN_1 = D(2024, 1, 1)
ALLOC = AllocationView(pseudonymise(BSN, KEY), AGB, D(2024, 1, 1), D(2024, 6, 30), False, "45", "AMB01")


def line(
    ref: str, nr: str = "1001", dc: str = "D", vorig: str | None = None, begin: dt.date = JAN_1
) -> Prestatie:
    return Prestatie(ref, nr, "45", "AMB01", begin, D(2024, 1, 31), 1, "04", 100, 100, dc, vorig)


def decl(*lines: Prestatie, bsn: str = BSN) -> Declaratie:
    return Declaratie(
        Header(AGB, "0983", "D1", D(2024, 2, 5)),
        "D1",
        D(2024, 1, 1),
        D(2024, 1, 31),
        D(2024, 2, 5),
        (DeclaratieClient(bsn, lines),),
    )


def state(alloc: AllocationView | None = ALLOC, debits: set[tuple[str, str]] | None = None) -> FakeState:
    allocations = {} if alloc is None else {("0983", "1001"): alloc}
    return FakeState(allocations, debits or set())


def path(ref: str, element: str) -> str:
    return f"/Bericht/Declaratie/Clienten/Client/Prestaties/Prestatie[ProductReferentie/ReferentieNummer='{ref}']/{element}"


def test_fake_state_satisfies_protocol() -> None:
    s: ClaimState = state()
    assert s.pseudonym_of(BSN) == ALLOC.client_key


def test_valid_claim_has_no_errors() -> None:
    assert check_claim_against_state(decl(line("R1")), state()) == []


def test_unknown_allocation() -> None:
    assert check_claim_against_state(decl(line("R1", nr="999")), state(), "f.xml") == [
        ValidationError(
            "f.xml",
            "D1",
            path("R1", "ToewijzingNummer"),
            "claim.unknown_allocation",
            "toewijzing 999 is niet bekend bij gemeente 0983",
            None,
            "line",
            "R1",
        )
    ]


def test_deleted_allocation() -> None:
    errors = check_claim_against_state(decl(line("R1")), state(replace(ALLOC, deleted=True)))
    assert [(e.rule, e.element, e.message, e.ref) for e in errors] == [
        ("claim.deleted_allocation", path("R1", "ToewijzingNummer"), "toewijzing 1001 is verwijderd", "R1")
    ]


def test_outside_allocation() -> None:
    errors = check_claim_against_state(decl(line("R1", begin=D(2023, 12, 31))), state())
    assert [(e.rule, e.element, e.message) for e in errors] == [
        (
            "claim.outside_allocation",
            path("R1", "ProductPeriode"),
            "ProductPeriode 2023-12-31 t/m 2024-01-31 valt buiten toewijzing 1001 (2024-01-01 t/m 2024-06-30)",
        )
    ]
    open_ended = replace(ALLOC, einddatum=None, ingangsdatum=D(2024, 1, 15))
    errors = check_claim_against_state(decl(line("R1")), state(open_ended))
    assert [e.message for e in errors] == [
        "ProductPeriode 2024-01-01 t/m 2024-01-31 valt buiten toewijzing 1001 (2024-01-15 t/m open einde)"
    ]


def test_other_client() -> None:
    errors = check_claim_against_state(decl(line("R1"), bsn=OTHER_BSN), state())
    assert [(e.rule, e.message) for e in errors] == [
        ("claim.other_client", "toewijzing 1001 hoort bij een andere client")
    ]
    assert OTHER_BSN not in str(errors[0]) and BSN not in str(errors[0])


def test_pseudonymised_client_is_compared_on_pseudonym() -> None:
    marker = "P:" + pseudonymise(BSN, KEY)
    assert check_claim_against_state(decl(line("R1"), bsn=marker), state()) == []


def test_other_provider() -> None:
    errors = check_claim_against_state(decl(line("R1")), state(replace(ALLOC, aanbieder="87654321")))
    assert [(e.rule, e.message) for e in errors] == [
        ("claim.other_provider", "toewijzing 1001 is toegewezen aan aanbieder 87654321, niet aan 12345678")
    ]


def test_other_product() -> None:
    errors = check_claim_against_state(decl(line("R1")), state(replace(ALLOC, product_code="GGZ01")))
    assert [(e.rule, e.element, e.message) for e in errors] == [
        (
            "claim.other_product",
            path("R1", "ProductCode"),
            "product 45/AMB01 hoort niet bij toewijzing 1001 (45/GGZ01)",
        )
    ]
    category_only = replace(ALLOC, product_code=None)
    assert check_claim_against_state(decl(line("R1")), state(category_only)) == []


def test_credit_without_debit() -> None:
    errors = check_claim_against_state(decl(line("C1", dc="C", vorig="R0")), state())
    assert [(e.rule, e.element, e.message, e.ref) for e in errors] == [
        (
            "claim.credit_without_debit",
            path("C1", "ProductReferentie"),
            "creditregel verwijst naar debetregel 'R0' die niet bekend is bij aanbieder 12345678",
            "C1",
        )
    ]


def test_credit_with_stored_debit_or_debit_in_same_message() -> None:
    assert check_claim_against_state(decl(line("C1", dc="C", vorig="R0")), state(debits={(AGB, "R0")})) == []
    # iJw convention: no VorigReferentieNummer, the credit carries the debit's own ReferentieNummer
    assert check_claim_against_state(decl(line("R0", dc="C")), state(debits={(AGB, "R0")})) == []
    assert check_claim_against_state(decl(line("R5"), line("C5", dc="C", vorig="R5")), state()) == []


def test_credit_on_deleted_allocation_is_allowed() -> None:
    deleted = replace(ALLOC, deleted=True, einddatum=D(2023, 1, 1))
    assert check_claim_against_state(decl(line("R0", dc="C")), state(deleted, {(AGB, "R0")})) == []


def test_allocation_looked_up_once_per_number() -> None:
    s = state()
    assert check_claim_against_state(decl(line("R1"), line("R2"), line("R3")), s) == []
    assert s.allocation_calls == 1


def test_reference_with_quote_in_path() -> None:
    errors = check_claim_against_state(decl(line("R'1", nr="999")), state())
    assert errors[0].element == (
        "/Bericht/Declaratie/Clienten/Client/Prestaties/Prestatie"
        '[ProductReferentie/ReferentieNummer="R\'1"]/ToewijzingNummer'
    )
