"""Ceilings, forecasts and signals through the API on the hand-made year 2026 of
budget/tests/test_signals (provider A claims EUR 4,000 a month in Venlo on one allocation; its
ceiling is EUR 40,000, Venlo's share EUR 24,000): the screen's figures, per role."""

import datetime as dt

import pytest

from jeugdregie.budget.forecasting import forecast_levels
from jeugdregie.budget.tests.test_signals import build_year_2026
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users

from .support import get

pytestmark = pytest.mark.django_db
Q = "?peildatum=2026-06-30"


@pytest.fixture(autouse=True)
def year_2026():
    a, c = build_year_2026()
    create_demo_users(region.aanbieders())
    assert region.aanbieders()[0].agb_code == a.agb_code  # the demo provider user is A
    return a, c


def rows_by_key(rows):
    return {(r["niveau"], r["sleutel"]): r for r in rows}


def test_the_region_sees_the_hand_worked_use_of_the_ceiling(year_2026):
    a, _ = year_2026
    response, body = get("regio", f"/api/plafonds/{Q}")
    assert response.status_code == 200 and body["peildatum"] == "2026-06-30" and body["onderdrukt"] is False
    [row] = body["aanbieders"]  # only providers with a ceiling, as on the screen
    # Claimed 6 x EUR 4,000; committed 184 days x 10 h / 7 x EUR 92 = EUR 24,182.86; run rate x 2.
    assert (row["sleutel"], row["plafond_cent"], row["gedeclareerd_cent"], row["verplicht_cent"]) == (
        a.agb_code,
        4_000_000,
        2_400_000,
        2_418_286,
    )
    assert (row["prognose_cent"], row["benutting"], row["kleur"]) == (4_800_000, pytest.approx(1.2), "rood")
    venlo = rows_by_key(body["gemeenten"])[("gemeente", "0983")]
    assert (venlo["plafond_cent"], venlo["gedeclareerd_cent"]) == (2_400_000, 2_400_000)
    categories = rows_by_key(body["categorieen"])
    assert categories[("categorie", "C")]["plafond_cent"] == 10_000
    assert categories[("regio", "regio")]["plafond_cent"] == 4_010_000


def test_forecasts_equal_the_forecast_service_exactly():
    _, body = get("regio", f"/api/prognoses/{Q}")
    api = rows_by_key(body["prognoses"])
    expected = {
        (f.level, f.key): f
        for f in forecast_levels(2026, dt.date(2026, 6, 30))
        if f.level in ("aanbieder", "gemeente", "categorie", "regio")
    }
    assert set(api) == set(expected)
    for key, f in expected.items():
        row = api[key]
        assert row["methode"] == f.chosen.method
        assert row["prognose_cent"] == round(f.chosen.value_cent)
        assert row["prognose_laag_cent"] == (None if f.chosen.low_cent is None else round(f.chosen.low_cent))
        assert row["prognose_hoog_cent"] == (
            None if f.chosen.high_cent is None else round(f.chosen.high_cent)
        )
        assert (row["gedeclareerd_cent"], row["verplicht_cent"], row["plafond_cent"]) == (
            f.claimed_cent,
            f.committed_cent,
            f.ceiling_cent,
        )


def test_signals_per_role(year_2026):
    a, _ = year_2026
    _, body = get("regio", f"/api/signalen/{Q}")
    assert [(s["soort"], s["niveau"], s["sleutel"], s["ernst"]) for s in body["signalen"]] == [
        ("gemeentebudget", "gemeente", "0983", "kritiek"),
        ("plafond", "aanbieder", a.agb_code, "kritiek"),
    ]
    plafond = body["signalen"][1]
    assert plafond["uitleg"].startswith("Verwachte productie EUR 48.000 is 120% van het plafond EUR 40.000")
    assert (plafond["naam"], plafond["soort_label"]) == (a.naam, "Plafond")
    _, own = get("aanbieder", f"/api/signalen/{Q}")
    assert [(s["soort"], s["sleutel"]) for s in own["signalen"]] == [("plafond", a.agb_code)]
    _, venlo = get("gemeente-venlo", f"/api/signalen/{Q}")
    assert {s["uitleg"] for s in venlo["signalen"]} == {"Niet getoond: minder dan 5 cliënten."}


@pytest.mark.parametrize("username", ("gemeente-venlo", "beheer", "aanbieder"))
def test_outside_the_region_a_provider_with_one_client_shows_its_ceiling_only(year_2026, username):
    a, _ = year_2026
    _, body = get(username, f"/api/plafonds/{Q}")
    [row] = body["aanbieders"]
    assert row["sleutel"] == a.agb_code and row["plafond_cent"] == 4_000_000  # an agreement, not a figure
    for field in ("gedeclareerd_cent", "verplicht_cent", "prognose_cent", "prognose_laag_cent", "benutting"):
        assert row[field] is None, field
    assert row["kleur"] == "onbekend"
    # Venlo, category A and the region rest on that one client in 2026 as well (Beesel and the C
    # provider have no clients this year: nothing to hide).
    one_client = {("aanbieder", a.agb_code), ("gemeente", "0983"), ("categorie", "A"), ("regio", "regio")}
    if username == "aanbieder":
        one_client = {("aanbieder", a.agb_code)}
    shown = rows_by_key(body["gemeenten"] + body["categorieen"] + body["aanbieders"])
    assert set(shown) >= one_client
    _, forecasts = get(username, f"/api/prognoses/{Q}")
    forecasts = rows_by_key(forecasts["prognoses"])
    for key in one_client:
        assert shown[key]["gedeclareerd_cent"] is None and shown[key]["prognose_cent"] is None, key
        assert forecasts[key]["prognose_cent"] is None and forecasts[key]["methode"] is None, key
    _, regio = get("regio", f"/api/prognoses/{Q}")
    assert all(r["prognose_cent"] is not None for r in regio["prognoses"])
