"""Validation of reported outcomes (client satisfaction, goal attainment): a Dutch error per row."""

import datetime as dt

from jeugdregie.rules.outcomes import OutcomeRow, validate_rows

CATEGORIES = {"98000001": "A", "98000011": "B", "98000041": "C"}
TODAY = dt.date(2025, 9, 1)


def test_valid_rows_with_aliases_and_numbers_from_excel():
    rows, errors = validate_rows(
        [
            ("98000001", "2025-t2", "Cliënttevredenheid", 40, 31),
            (98000011.0, "2025-T1", "doelrealisatie", 12.0, "9"),
            (None, None, "", None, None),  # empty row: skipped
        ],
        CATEGORIES,
        TODAY,
    )
    assert errors == []
    assert rows == [
        OutcomeRow("98000001", "2025-T2", "clienttevredenheid", 40, 31),
        OutcomeRow("98000011", "2025-T1", "doelrealisatie", 12, 9),
    ]
    assert rows[0].share == 31 / 40


def test_every_problem_of_a_row_in_one_dutch_message():
    _, errors = validate_rows(
        [
            ("1234", "2025-T4", "geluk", -1, 2.5),
            ("98000041", "2025-T3", "doelrealisatie", 5, 6),
            ("98000001", "2025-T2", "doelrealisatie", 5, 6),
            ("98000099", "2025-T1", "doelrealisatie", 5, 5),
        ],
        CATEGORIES,
        TODAY,
    )
    assert errors == [
        (
            2,
            "AGB-code '1234' bestaat niet uit 8 cijfers; tertiaal '2025-T4' schrijft u als JJJJ-T1, -T2 of -T3; "
            "indicator 'geluk' onbekend (kies Cliënttevredenheid of Doelrealisatie); aantal gemeten moet 0 of meer zijn; "
            "aantal positief '2.5' is geen geheel getal.",
        ),
        (
            3,
            "aanbieder 98000041 is categorie C; alleen A en B leveren uitkomsten aan; tertiaal 2025-T3 is nog niet "
            "voorbij; aantal positief (6) is groter dan aantal gemeten (5).",
        ),
        (4, "aantal positief (6) is groter dan aantal gemeten (5)."),
        (5, "AGB-code 98000099 is geen gecontracteerde aanbieder."),
    ]


def test_duplicates_and_other_providers_are_refused():
    _, errors = validate_rows(
        [
            ("98000001", "2025-T2", "doelrealisatie", 5, 4),
            ("98000001", "2025-T2", "Doelrealisatie", 6, 4),
            ("98000011", "2025-T2", "doelrealisatie", 6, 4),
        ],
        CATEGORIES,
        TODAY,
        only_provider="98000001",
    )
    assert errors == [
        (3, "dubbel: dezelfde aanbieder, tertiaal en indicator staan ook in rij 2."),
        (4, "u levert alleen voor uw eigen organisatie aan (AGB 98000001), niet voor 98000011."),
    ]
