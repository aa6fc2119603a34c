"""The settlement outlook on the Plafonds screen and the approved-overrun screen of the region."""

import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from jeugdregie.budget.models import GoedgekeurdeOverschrijding, Plafond
from jeugdregie.budget.tests.test_signals import build_year_2026
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users
from jeugdregie.web.afrekening_service import clear_caches
from jeugdregie.web.overruns import parse_euros

from .settlement_fixture import login

pytestmark = pytest.mark.django_db


def cells(html: str, label: str) -> list[str]:
    for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        found = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        ]
        if found and found[0].startswith(label):
            return found
    raise AssertionError(label)


def middle(cell: str) -> str:
    """The mid amount of an outlook cell: "L x M y H z" with a band, else the one amount."""
    parts = cell.split()
    return parts[parts.index("M") + 1] if "M" in parts else cell


@pytest.fixture
def year_2026():
    clear_caches()
    a, c = build_year_2026()
    create_demo_users(region.aanbieders())
    return a, c


def test_outlook_on_the_plafonds_screen(year_2026):
    a, _ = year_2026
    html = login("regio").get("/plafonds/?peildatum=2026-06-30").content.decode()
    assert "Vooruitblik afrekening 2026" in html and "harde-plafond" in html
    # Provider A: ceiling 40,000.00, claimed 24,000.00 by 30 June, forecast (mid) 48,000.00: the
    # hard cap pays 40,000.00 and withholds 8,000.00.
    row = cells(html, a.naam)  # the outlook row (a row of the ceilings table starts with its dot)
    assert row[2:5] == ["40.000,00", "24.000,00", "48.000,00"]
    assert middle(row[5]) == "40.000,00"
    assert middle(row[6]) == "8.000,00"
    assert cells(html, "Midden")[1:] == ["48.000,00", "40.000,00", "8.000,00"]


def test_outlook_counts_an_approved_overrun(year_2026):
    a, _ = year_2026
    plafond = Plafond.objects.get(aanbieder=a, jaar=2026)
    GoedgekeurdeOverschrijding.objects.create(
        aanbieder=a,
        groep=plafond.groep,
        jaar=2026,
        bedrag_cent=500_000,
        door=User.objects.get(username="regio"),
        reden="x",
    )
    html = login("regio").get("/plafonds/?peildatum=2026-06-30").content.decode()
    assert cells(html, "Midden")[1:] == ["48.000,00", "45.000,00", "3.000,00"]


@pytest.mark.parametrize("username", ["gemeente-venlo", "aanbieder"])
def test_the_outlook_is_for_the_region(year_2026, username):
    html = login(username).get("/plafonds/?peildatum=2026-06-30").content.decode()
    assert "Vooruitblik afrekening" not in html


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.500,00", 1_250_000),
        ("12500,5", 1_250_050),
        ("12500.50", 1_250_050),
        ("1.250", 125_000),
        ("EUR 7", 700),
    ],
)
def test_parse_euros(text, cents):
    assert parse_euros(text) == cents


def test_region_records_an_approved_overrun(year_2026):
    a, _ = year_2026
    client = login("regio")
    page = client.get("/afrekening/overschrijdingen/?jaar=2026")
    assert page.status_code == 200 and "Geen goedgekeurde overschrijdingen in 2026" in page.content.decode()
    response = client.post(
        "/afrekening/overschrijdingen/?jaar=2026",
        {
            "aanbieder": a.agb_code,
            "groep": "A",
            "jaar": "2026",
            "bedrag": "2.500,00",
            "reden": "Wachtlijst weggewerkt",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Vastgelegd: EUR 2.500,00" in html
    record = GoedgekeurdeOverschrijding.objects.get()
    assert (record.bedrag_cent, record.door.username, record.reden) == (
        250_000,
        "regio",
        "Wachtlijst weggewerkt",
    )
    # Compare in the site's time zone: just after midnight in Amsterdam the UTC date is yesterday.
    assert timezone.localdate(record.op) == timezone.localdate()
    assert cells(html, a.naam)[1:3] == ["A", "2.500,00"]
    # The settlement counts it at once (the cache key includes the approvals).
    statement = client.get(f"/afrekening/aanbieder/{a.agb_code}/?jaar=2026").content.decode()
    assert "2.500,00" in statement


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        # Django's "Dit veld is verplicht." reads "Dit veld is vereist." since Django REST framework's Dutch
        # catalogue (an installed app) takes precedence over Django's own.
        ({"bedrag": "abc"}, "bedrag", "Geef een bedrag in euro"),
        ({"bedrag": "0"}, "bedrag", "groter dan 0"),
        ({"reden": "  "}, "reden", "Dit veld is vereist"),
        ({"groep": "D"}, "groep", "heeft geen plafond voor groep D in 2026"),
    ],
)
def test_overrun_form_refuses_in_dutch(year_2026, data, field, message):
    a, _ = year_2026
    post = {"aanbieder": a.agb_code, "groep": "A", "jaar": "2026", "bedrag": "100", "reden": "r", **data}
    html = login("regio").post("/afrekening/overschrijdingen/", post).content.decode()
    assert message in html
    assert not GoedgekeurdeOverschrijding.objects.exists()
