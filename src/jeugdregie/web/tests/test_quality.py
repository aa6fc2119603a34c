"""The Datakwaliteit screen: who sees which findings (SYSTEM.md section 6) and the audit log."""

import datetime as dt

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.web import quality
from jeugdregie.zorg.testing import CareRows

from .test_screen_cache import cache_on  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = dt.date
OWN = "aaaaaaaaaa"  # shortened pseudonym of the demo provider user's client
OTHER = "bbbbbbbbbb"  # of another provider's client


@pytest.fixture(autouse=True)
def findings():
    """Two allocations of March 2024 in Venlo that never started (more than 90 days before the data's
    date, 31 January 2025): one at the demo provider user's own provider, one at another."""
    load_demo_region()
    venlo = Gemeente.objects.get(cbs_code="0983")
    own = Aanbieder.objects.get(agb_code=region.aanbieders()[0].agb_code)
    other = Aanbieder.objects.get(agb_code=region.aanbieders()[5].agb_code)
    rows = CareRows(D(2025, 1, 31))
    rows.allocation(rows.client("a", venlo), own, "EIGEN-1", D(2024, 3, 1), D(2024, 12, 31))
    rows.allocation(rows.client("b", venlo), other, "ANDER-1", D(2024, 3, 1), D(2024, 12, 31))
    rows.message("JW301")  # dates the data: 31 January 2025
    return own, other


def page(client, query="jaar=2024"):
    response = client.get(f"/datakwaliteit/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_region_sees_every_finding_with_its_explanation():
    html = page(login("regio"))
    assert "Datakwaliteit 2024" in html and "Toewijzingen nooit gestart" in html
    assert "Declaraties buiten de toewijzing" in html and "Meerdere korte trajecten" in html
    assert f"{OWN}…" in html and f"{OTHER}…" in html and "EIGEN-1" in html and "ANDER-1" in html
    assert "zonder startbericht (JW305)" in html
    assert "a" * 11 not in html  # never the whole pseudonym
    assert 'href="/datakwaliteit/"' in html  # in the navigation
    assert (
        AuditRegel.objects.filter(actie="datakwaliteit bekeken", object_omschrijving="regio 2024").count()
        == 1
    )


def test_a_provider_sees_only_its_own_findings(findings):
    own, other = findings
    client = login("aanbieder")
    html = page(client)
    assert f"{OWN}…" in html and "EIGEN-1" in html
    assert OTHER not in html and "ANDER-1" not in html and other.naam not in html
    # Asking for another provider is refused, not silently widened.
    assert client.get(f"/datakwaliteit/?jaar=2024&aanbieder={other.agb_code}").status_code == 403
    # A municipality filter keeps it on its own data.
    html = page(client, "jaar=2024&gemeente=0983")
    assert "EIGEN-1" in html and "ANDER-1" not in html
    assert AuditRegel.objects.filter(
        actie="datakwaliteit bekeken", object_omschrijving=f"aanbieder {own.agb_code} 2024"
    ).exists()


def test_a_municipality_sees_its_own_findings_and_elsewhere_only_suppressed_aggregates():
    client = login("gemeente-venlo")
    html = page(client)  # starts on its own municipality
    assert "EIGEN-1" in html and "ANDER-1" in html
    assert AuditRegel.objects.filter(object_omschrijving="gemeente 0983 2024").count() == 1
    region_wide = page(client, "jaar=2024&gemeente=")
    assert "EIGEN-1" not in region_wide and OWN not in region_wide and OTHER not in region_wide
    assert "minder dan 5 cliënten" in region_wide  # 2 clients: the count is suppressed ...
    assert "<strong>-</strong> bevinding(en)" in region_wide
    assert "<strong>0</strong> bevinding(en)" in region_wide  # ... a count of nothing is not
    assert "toon de bevindingen van uw gemeente" in region_wide
    assert AuditRegel.objects.count() == 1  # aggregates only: nothing client-level to audit


def test_a_referrer_has_no_access():
    assert login("verwijzer").get("/datakwaliteit/").status_code == 403


def test_an_unusable_year_falls_back_to_the_year_of_the_data():
    assert "Datakwaliteit 2025" in page(login("regio"), "jaar=99999")


def test_long_lists_link_to_all_findings(monkeypatch):
    monkeypatch.setattr(quality, "SHOWN_PER_CHECK", 1)
    client = login("regio")
    html = page(client)
    assert "Toon alle 2 bevindingen" in html
    assert ("EIGEN-1" in html) != ("ANDER-1" in html)  # one of the two shown
    html = page(client, "jaar=2024&gemeente=&toon=never_started")
    assert "EIGEN-1" in html and "ANDER-1" in html and "Toon alle" not in html


@pytest.mark.usefixtures("cache_on")
def test_a_cached_page_does_not_pass_admin_links_to_a_user_without_the_right():
    """The findings' allocation numbers link into the admin for staff with the right to see
    allocations. The fragment cache is per role and query, so its key must also say whether the
    links were there: a regio user without staff rights never gets a staff user's links."""
    from django.contrib.auth import get_user_model

    from jeugdregie.accounts.models import Profiel, Rol

    user = get_user_model().objects.create_user("regio-lezer", password=region.DEMO_WACHTWOORD)
    Profiel.objects.create(user=user, rol=Rol.REGIO)
    link = "/admin/zorg/toewijzing/"
    assert link in page(login("regio"))  # staff with the right: rendered and cached
    assert link not in page(login("regio-lezer")) and "EIGEN-1" in page(login("regio-lezer"))
    assert link in page(login("regio"))
