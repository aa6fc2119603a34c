import pytest

from jeugdregie.accounts.testing import login
from jeugdregie.budget.tests.test_signals import build_year_2026
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2026():
    a, c = build_year_2026()
    create_demo_users(region.aanbieders())
    return a, c


def test_region_sees_signals_providers_and_municipalities(year_2026):
    a, _ = year_2026
    page = login("regio").get("/plafonds/?peildatum=2026-06-30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Peildatum 30 juni 2026" in html
    assert "Signalen (2)" in html
    assert "Verwachte productie EUR 48.000 is 120% van het plafond EUR 40.000" in html
    assert "<td>Plafond</td>" in html and "<td>Gemeentebudget</td>" in html
    assert a.naam in html and "Venlo" in html and "Categorie C en NGA (C-budget)" in html
    # Provider A: ceiling 40,000, claimed 24,000, committed 24,183 (184 days of 10 h/week at EUR 92), forecast 48,000.
    assert "EUR 40.000" in html and "EUR 24.000" in html and "EUR 24.183" in html and "120%" in html


def test_provider_sees_only_its_own_ceiling_and_signals(year_2026):
    a, _ = year_2026
    html = login("aanbieder").get("/plafonds/?peildatum=2026-06-30").content.decode()
    # The demo user "aanbieder" is the first provider, A here.
    assert region.aanbieders()[0].agb_code == a.agb_code
    assert "Signalen (1)" in html and a.naam in html
    assert "Venlo" not in html and "Gemeenten" not in html


def test_referrer_is_sent_to_the_traffic_light(year_2026):
    assert login("verwijzer").get("/plafonds/").status_code == 403


def test_unknown_peildatum_falls_back_to_the_newest_complete_month(year_2026):
    html = login("regio").get("/plafonds/?peildatum=2031-13-01").content.decode()
    assert "Peildatum 30 juni 2026" in html


def test_a_changed_ceiling_shows_at_once(year_2026):
    from jeugdregie.budget.models import Plafond

    client = login("regio")
    assert "120%" in client.get("/plafonds/?peildatum=2026-06-30").content.decode()
    Plafond.objects.update(bedrag_cent=6_000_000)  # as a recalculation or override would
    assert "80%" in client.get("/plafonds/?peildatum=2026-06-30").content.decode()


def test_a_municipality_does_not_see_the_figures_of_a_provider_with_fewer_than_five_clients(year_2026):
    a, _ = year_2026
    html = login("gemeente-venlo").get("/plafonds/?peildatum=2026-06-30").content.decode()
    # Provider A has one client: its ceiling (an agreement) is shown, its use and signal are not.
    assert a.naam in html and "EUR 40.000" in html
    assert "EUR 24.183" not in html and "120%" not in html
    assert "Niet getoond: minder dan 5 cliënten." in html
    # Venlo's use rests on that one client as well: its budget (EUR 24,000) is shown, its use not.
    assert (
        'EUR 24.000</td><td class="num">-</td><td class="num">-</td>' in html.split("<h2>Gemeenten</h2>")[1]
    )
    regio = login("regio").get("/plafonds/?peildatum=2026-06-30").content.decode()
    assert "EUR 24.183" in regio and "120%" in regio and "Niet getoond" not in regio
