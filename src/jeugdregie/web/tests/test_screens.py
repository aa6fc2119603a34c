import datetime as dt

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_region():
    load_demo_region()


def test_kpi_page_for_the_region():
    page = login("regio").get("/kpi/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kosten per cliënt" in html and "Verzilvering" in html


def test_a_year_without_data_says_so_on_the_year_shown():
    html = login("regio").get("/kpi/?jaar=2024").content.decode()
    # An empty database: only this year's (empty) figures, and the heading agrees with the selector.
    shown = dt.date.today().year - (0 if dt.date.today().month == 12 else 1)
    assert "Voor 2024 zijn er geen gegevens" in html and f"KPI's {shown}" in html
    assert f'<option value="{shown}" selected>' in html


def test_provider_sees_only_its_own_data():
    client = login("aanbieder")
    other = region.aanbieders()[5].agb_code
    assert client.get(f"/kpi/?jaar=2024&aanbieder={other}").status_code == 403
    assert client.get("/kpi/?jaar=2024").status_code == 200
    assert client.get("/stoplicht/").status_code == 403


def test_referrer_sees_the_traffic_light_not_the_kpis():
    client = login("verwijzer")
    assert client.get("/kpi/").status_code == 403
    page = client.get("/stoplicht/")
    assert page.status_code == 200
    assert "welke aanbieder heeft ruimte" in page.content.decode()


def test_small_numbers_are_suppressed_outside_the_region_and_own_municipality_views_are_audited():
    client = login("gemeente-venlo")
    page = client.get("/kpi/?gemeente=0983").content.decode()
    assert "minder dan 5 cliënten" in page
    shown = dt.date.today().year - (0 if dt.date.today().month == 12 else 1)
    assert (
        AuditRegel.objects.filter(actie="kpi bekeken", object_omschrijving=f"gemeente 0983 {shown}").count()
        == 1
    )
