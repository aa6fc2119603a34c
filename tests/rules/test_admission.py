"""Open-house admission rules: windows per category at their edges, decisions on the checklist."""

import datetime as dt

from jeugdregie.rules.admission import Window, application_errors, decision_errors, open_window

D = dt.date
WINDOWS = [
    Window("C", D(2026, 3, 1), D(2026, 3, 31)),
    Window("C", D(2026, 9, 1), D(2026, 9, 30)),
    Window("B", D(2026, 6, 1), D(2026, 6, 30)),
]


def test_window_edges_are_inside():
    assert open_window(WINDOWS, "C", D(2026, 3, 1)) == WINDOWS[0]
    assert open_window(WINDOWS, "C", D(2026, 3, 31)) == WINDOWS[0]
    assert open_window(WINDOWS, "C", D(2026, 4, 1)) is None
    assert open_window(WINDOWS, "C", D(2026, 2, 28)) is None
    assert open_window(WINDOWS, "B", D(2026, 3, 15)) is None


def test_application_outside_a_window_names_the_next_one():
    assert application_errors(WINDOWS, "C", D(2026, 3, 15)) == []
    assert application_errors(WINDOWS, "C", D(2026, 4, 1)) == [
        "Op 01-04-2026 is er geen toetredingsmoment open voor categorie C. Het volgende toetredingsmoment "
        "voor categorie C loopt van 01-09-2026 tot en met 30-09-2026."
    ]
    assert (
        "nog geen volgend toetredingsmoment voor categorie A"
        in application_errors(WINDOWS, "A", D(2026, 4, 1))[0]
    )


def test_decisions_follow_the_checklist():
    met = [("KvK", True), ("Kwaliteit", True)]
    assert decision_errors("toegelaten", met, "Voldoet") == []
    assert decision_errors("afgewezen", met, "Geen zin") == [
        "Afwijzen kan niet als aan alle criteria is voldaan (gelijke behandeling)."
    ]
    partly = [("KvK", True), ("Kwaliteit", False), ("VOG", None)]
    assert decision_errors("toegelaten", partly, "") == [
        "Geef de motivering van het besluit.",
        "Nog niet beoordeeld: VOG.",
        "Toelaten kan alleen als aan alle criteria is voldaan; niet voldaan: Kwaliteit.",
    ]
    assert decision_errors("afgewezen", partly, "Kwaliteit onvoldoende") == [
        "Beoordeel eerst alle criteria: VOG."
    ]
    assert decision_errors("afgewezen", [("Kwaliteit", False)], "Kwaliteit onvoldoende") == []
