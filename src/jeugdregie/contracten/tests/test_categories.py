"""Category advice beside the decided category; the decision with who, when and why (step 2)."""

import datetime as dt

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.contracten.categories import category_rows, market_positions
from jeugdregie.contracten.models import Aanbieder, Categoriebesluit
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def market():
    """2024: provider X (demo category C) EUR 60.000 in segment 2 (45N01) and EUR 30.000 in
    another segment (44N01, wonen); provider Y EUR 10.000 in segment 2; 2023: X EUR 40.000. Region 2024 EUR
    100.000: X 90% in 2 segments -> A; Y 10% -> B."""
    load_demo_region()
    venlo = Gemeente.objects.get(cbs_code="0983")
    x = Aanbieder.objects.get(agb_code=region.aanbieders()[40].agb_code)
    y = Aanbieder.objects.get(agb_code=region.aanbieders()[41].agb_code)
    rows = CareRows(D(2025, 1, 31))
    a = rows.allocation(rows.client("a", venlo), x, "T-a", D(2023, 1, 1), None)
    b = rows.allocation(rows.client("b", venlo), x, "T-b", D(2024, 1, 1), None, product_code="44N01")
    c = rows.allocation(rows.client("c", venlo), y, "T-c", D(2024, 1, 1), None)
    rows.line(a, D(2023, 5, 1), D(2023, 5, 31), 4_000_000)
    rows.line(a, D(2024, 5, 1), D(2024, 5, 31), 6_000_000)
    rows.line(b, D(2024, 5, 1), D(2024, 5, 31), 3_000_000)
    rows.line(c, D(2024, 5, 1), D(2024, 5, 31), 1_000_000)
    rows.message("JW301")
    return x, y


def test_market_positions_and_advice(market):
    x, y = market
    positions = market_positions(2024)
    px = positions[x.agb_code]
    assert (px.spend_cent, px.spend_before_cent, px.segments, px.region_spend_cent) == (
        9_000_000,
        4_000_000,
        2,
        10_000_000,
    )
    assert px.growth == pytest.approx(1.25)
    rows = {r.aanbieder.agb_code: r for r in category_rows(2024)}
    assert rows[x.agb_code].advice.categorie == "A" and rows[x.agb_code].differs
    assert rows[y.agb_code].advice.categorie == "B"


def test_region_decides_with_who_when_why(market):
    x, _ = market
    client = login("regio")
    html = client.get("/contracten/categorieen/?jaar=2024").content.decode()
    assert "90,0%" in html and "wijkt af" in html
    response = client.post(
        "/contracten/categorieen/?jaar=2024",
        {"jaar": "2024", "aanbieder": x.agb_code, "categorie": "A", "reden": "Breed aanbod"},
    )
    assert response.status_code == 302
    decision = Categoriebesluit.objects.get(aanbieder=x)
    assert (decision.oud, decision.categorie, decision.advies, decision.jaar, decision.door.username) == (
        x.categorie,
        "A",
        "A",
        2024,
        "regio",
    )
    x.refresh_from_db()
    assert x.categorie == "A"
    assert AuditRegel.objects.filter(
        actie="categoriebesluit", object_omschrijving__startswith=x.agb_code
    ).exists()
    html = client.get("/contracten/categorieen/?jaar=2024").content.decode()
    assert "door regio" in html and "Breed aanbod" in html


def test_a_decision_needs_a_reason(market):
    x, _ = market
    response = login("regio").post(
        "/contracten/categorieen/", {"jaar": "2024", "aanbieder": x.agb_code, "categorie": "A", "reden": ""}
    )
    assert response.status_code == 200 and "reden" in response.content.decode()
    assert not Categoriebesluit.objects.exists()


@pytest.mark.parametrize("username", ["aanbieder", "gemeente-venlo", "verwijzer"])
def test_only_the_region_sees_and_decides_categories(market, username):
    x, _ = market
    client = login(username)
    assert client.get("/contracten/categorieen/").status_code == 403
    assert (
        client.post(
            "/contracten/categorieen/", {"aanbieder": x.agb_code, "categorie": "A", "reden": "x"}
        ).status_code
        == 403
    )
    assert not Categoriebesluit.objects.exists()
