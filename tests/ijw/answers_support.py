"""Hand-made JW325 / JW317 / JW319 messages shared by the writer, reader and ingest tests.

The claim is the one a provider (AGB 12345678) sends to Venlo (0983) for January 2024: two
clients, three debit lines and one credit. The answer rejects R2 (8021 and 0611) and the credit
C1 (8017); R1 and R3 are granted and not listed.
"""

from __future__ import annotations

import datetime as dt

from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    DeclaratieClient,
    Header,
    NieuwProduct,
    Omvang,
    Prestatie,
    TeWijzigenProduct,
    VerzoekOmWijziging,
    claim_answer,
)

D = dt.date
AGB = "12345678"
GEMEENTE = "0983"
BSN_A = "123456782"
BSN_B = "111222333"


def line(ref: str, nummer: str, bedrag: int, *, dc: str = "D", vorig: str | None = None) -> Prestatie:
    return Prestatie(
        ref, nummer, "45", "45A01", D(2024, 1, 1), D(2024, 1, 31), 4, "04", bedrag // 4, bedrag, dc, vorig
    )


CLAIM = Declaratie(
    Header(AGB, GEMEENTE, "D2024000001", D(2024, 2, 5)),
    "D2024000001",
    D(2024, 1, 1),
    D(2024, 1, 31),
    D(2024, 2, 5),
    (
        DeclaratieClient(BSN_A, (line("R1", "1001", 40000), line("R2", "1001", 20000))),
        DeclaratieClient(BSN_B, (line("R3", "1002", 10000), line("C1", "1002", 8000, dc="C", vorig="R0"))),
    ),
)

ANSWER = claim_answer(
    CLAIM,
    {"R2": ("8021", "0611"), "C1": ("8017",)},
    identificatie="A2024000001",
    dagtekening=D(2024, 2, 20),
)

ANSWER_FULL = claim_answer(CLAIM, {}, identificatie="A2024000002", dagtekening=D(2024, 2, 21))

# The claim message rejected as a whole: no DeclaratieAntwoord, 0001 in the header.
ANSWER_WHOLE = DeclaratieAntwoord(
    Header(GEMEENTE, AGB, "A2024000003", D(2024, 2, 22)),
    "D2024000001",
    D(2024, 2, 5),
    "",
    0,
    0,
    (),
    ("0001",),
    (),
)

REQUEST = VerzoekOmWijziging(
    Header(AGB, GEMEENTE, "W2024000001", D(2024, 3, 1)),
    BSN_A,
    "VW-1001-1",
    "2",
    ongewijzigde_producten=("1003",),
    te_wijzigen_producten=(
        TeWijzigenProduct("1001", D(2024, 1, 1), D(2024, 12, 31), Omvang(6, "04", "4"), None),
    ),
    nieuwe_producten=(NieuwProduct("45", "45A02", D(2024, 4, 1), D(2024, 9, 30), Omvang(10, "04", "6")),),
)

REFUSAL = AntwoordVerzoek(Header(GEMEENTE, AGB, "V2024000001", D(2024, 3, 8)), "VW-1001-1", "1", "2")
UNDER_INVESTIGATION = AntwoordVerzoek(Header(GEMEENTE, AGB, "V2024000002", D(2024, 3, 4)), "VW-1001-1", "2")
WOONPLAATS = AntwoordVerzoek(
    Header(GEMEENTE, AGB, "V2024000003", D(2024, 3, 9)),
    "VW-1001-2",
    "1",
    "8",
    woonplaatsbeginsel_gemeente="0889",
)
