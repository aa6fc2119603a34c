"""The drill-down (web.drilldown): its rows add up to the figure they came from (checked against a
direct ORM aggregate, to the cent), client-level rows only for the roles allowed, every page of
them in the audit log, and other parties' codes in the query refused."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.catalogus.models import Segment
from jeugdregie.web import drilldown
from jeugdregie.web.access import Scope
from jeugdregie.web.kpi_query import scoped_kpi_rows
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

from .entities_fixture import YEAR, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build()


def accepted(**where):
    return DeclaratieRegel.objects.filter(periode_begin__year=YEAR, afgewezen=False, **where).aggregate(
        n=Count("pk"), s=Sum("bedrag_cent")
    )


def walk(client, query: str, per_page: int, monkeypatch) -> tuple[int, int, int]:
    """(rows, cents, pages) over every page of a drill-down."""
    monkeypatch.setattr(drilldown, "PER_PAGE", per_page)
    rows = cents = pages = 0
    number = 1
    while True:
        page = client.get(f"/onderbouwing/?{query}&pagina={number}")
        assert page.status_code == 200
        shown = page.context["rows"]
        assert len(shown) <= per_page
        rows += len(shown)
        cents += sum(r["bedrag_cent"] for r in shown)
        pages += 1
        if not page.context["page"].has_next():
            return rows, cents, pages
        number += 1


def test_spend_of_a_municipality_rests_on_its_accepted_claim_lines(world, monkeypatch):
    regio = login("regio")
    page = regio.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0983")
    expected = accepted(gemeente__cbs_code="0983")
    # By hand: P0 4 x (5 x 10,001 + 13 x 10) - 2,503 = 198,037; P2 10 x 20,017; P3 5 x 5,033; P1 2 x 7,777.
    assert expected == {"n": 20 + 1 + 10 + 5 + 2, "s": 198_037 + 200_170 + 25_165 + 15_554}
    assert (page.context["aantal_regels"], page.context["totaal_cent"]) == (expected["n"], expected["s"])
    assert page.context["totaal"] == "EUR 4.389,26"
    # ... and the KPI screen's figure for the same cut is the same number.
    kpi = {r["id"]: r for r in scoped_kpi_rows(Scope("regio"), YEAR, "0983")[0]}
    assert kpi["spend"]["value"] == expected["s"]
    # Every page together: the same rows and cents, never more than a page at a time.
    assert walk(regio, f"kpi=spend&jaar={YEAR}&gemeente=0983", 7, monkeypatch) == (38, 438_926, 6)


def test_months_provider_and_product_cuts_add_up(world):
    regio = login("regio")
    p0 = world.p0.agb_code
    page = regio.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&van=5&tot=8&aanbieder={p0}")
    expected = accepted(aanbieder=world.p0, periode_begin__month__gte=5, periode_begin__month__lte=8)
    # Months 5-8 of P0: month 5 in Venlo (5 lines) and month 7 in Beesel (3 lines).
    assert expected == {"n": 8, "s": 5 * 10_001 + 13 * 10 + 3 * 3_001}
    assert (page.context["aantal_regels"], page.context["totaal_cent"]) == (expected["n"], expected["s"])
    tertial = {r["id"]: r for r in scoped_kpi_rows(Scope("regio"), YEAR, aanbieder=p0)[0]}["spend"][
        "tertials"
    ]
    assert tertial["T2"] == expected["s"]
    page = regio.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&product=45N01")
    assert (page.context["aantal_regels"], page.context["totaal_cent"]) == (3, 9_003)
    assert "45N01 " in page.content.decode()  # the product with its name
    # Category B is P1 alone; segment 3 is Beesel's day care; every allocation here had no request
    # (referrer type 01 gemeente); referrer 02 (huisarts) has nothing.
    for query, where in (
        ("categorie=B", {"aanbieder__categorie": "B"}),
        ("segment=3", {"product__code": "41N01"}),
        ("verwijzer=01", {}),
    ):
        page = regio.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&{query}")
        expected = accepted(**where)
        assert (page.context["aantal_regels"], page.context["totaal_cent"]) == (expected["n"], expected["s"])
    assert accepted(aanbieder__categorie="B") == {"n": 2, "s": 15_554}
    assert accepted(product__code="41N01") == {"n": 2, "s": 8_888}
    nothing = regio.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&verwijzer=02")
    assert (nothing.context["aantal_regels"], nothing.context["totaal_cent"]) == (0, 0)
    html = regio.get(f"/onderbouwing/?jaar={YEAR}&segment=3").content.decode()
    assert '<option value="3" selected>' in html
    assert f"Segment <strong>3 {Segment.objects.get(code='3').naam}</strong>" in html


def test_allocations_behind_new_allocations(world):
    page = login("regio").get(f"/onderbouwing/?kpi=allocations_new&jaar={YEAR}&gemeente=0983")
    expected = Toewijzing.objects.filter(
        gemeente__cbs_code="0983", verwijderd=False, ingangsdatum__year=YEAR
    ).count()
    assert expected == 5 + 5 + 5 + 2
    assert page.context["kind"] == "toewijzingen"
    assert page.context["aantal_regels"] == expected and page.context["value"] == str(expected)


def test_client_rows_are_audited_per_page(world):
    before = AuditRegel.objects.count()
    page = login("regio").get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0889")
    assert page.context["client_rows"] and len(page.context["rows"]) == 5
    line = AuditRegel.objects.order_by("-pk").first()
    assert AuditRegel.objects.count() == before + 1
    assert (line.user.username, line.actie) == ("regio", "drill-down: regels bekeken")
    assert line.object_omschrijving == f"spend {YEAR} (gemeente 0889) pagina 1"
    html = page.content.decode()
    pseudonym = page.context["rows"][0]["client"]
    assert len(pseudonym) == 64 and pseudonym[:10] in html


def test_municipality_sees_its_own_rows_and_only_suppressed_totals_elsewhere(world):
    venlo = login("gemeente-venlo")
    before = AuditRegel.objects.count()
    own = venlo.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0983")
    assert own.context["client_rows"] and own.context["aantal_regels"] == 38
    assert AuditRegel.objects.count() == before + 1
    # Beesel, another municipality: refused (403), nothing shown and nothing audited; the
    # selector offers the own municipality only.
    other = venlo.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0889")
    assert other.status_code == 403
    assert "9.003" not in other.content.decode() and "90,03" not in other.content.decode()
    choices = {c["cut"]: c["options"] for c in own.context["keuzes"]}
    assert [code for code, _ in choices["gemeente"]] == ["0983"]
    # The whole region: totals only (38 + 5 lines, 21 clients), no rows.
    region = venlo.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}")
    assert not region.context["client_rows"] and region.context["aantal_regels"] == 43
    # Per product outside the own municipality: 45N01 rests on 3 clients and 41N01 on 1, not
    # shown; together 4, so 45N02 (17 clients) is hidden with them (complementary suppression):
    # else the total minus 45N02 would give the other two away.
    products = {p["product"]: p for p in region.context["producten"]}
    assert products["45N01"]["amount_cent"] is None and products["41N01"]["amount_cent"] is None
    assert products["45N02"]["amount_cent"] is None and products["45N02"]["clients"] is None
    assert region.context["totaal_cent"] == 438_926 + 9_003 + 8_888
    assert AuditRegel.objects.count() == before + 1


def test_provider_sees_only_its_own_rows(world):
    provider = login("aanbieder")
    page = provider.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}")
    expected = accepted(aanbieder=world.p0)
    assert (page.context["aantal_regels"], page.context["totaal_cent"]) == (expected["n"], expected["s"])
    assert {r["aanbieder"] for r in page.context["rows"]} == {world.p0.naam}
    assert world.p2.naam not in page.content.decode()
    assert (
        provider.get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&aanbieder={world.p2.agb_code}").status_code == 403
    )


@pytest.mark.parametrize(
    ("user", "query", "status"),
    [
        ("verwijzer", "kpi=spend", 403),
        ("regio", "kpi=bestaat_niet", 404),
        ("regio", "kpi=spend&gemeente=9999", 404),
        ("regio", "kpi=spend&aanbieder=98999999", 404),
        ("regio", "kpi=spend&product=%3Cscript%3E", 404),
        ("aanbieder", "kpi=spend&aanbieder=98999999", 404),
    ],
)
def test_refused_queries(world, user, query, status):
    page = login(user).get(f"/onderbouwing/?{query}&jaar={YEAR}")
    assert page.status_code == status
    assert "pseudoniem" not in page.content.decode().lower()


def test_kpi_screen_links_its_numbers_to_the_drill_down(world):
    html = login("regio").get(f"/kpi/?jaar={YEAR}&gemeente=0983").content.decode()
    assert f'href="/onderbouwing/?kpi=spend&amp;jaar={YEAR}&amp;gemeente=0983"' in html
    assert f'href="/onderbouwing/?kpi=spend&amp;jaar={YEAR}&amp;van=5&amp;tot=8&amp;gemeente=0983"' in html


def test_the_application_administrator_sees_totals_not_client_rows(world):
    before = AuditRegel.objects.count()
    page = login("beheer").get(f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0889")
    assert page.status_code == 200
    assert not page.context["client_rows"] and not page.context["rows"]
    assert AuditRegel.objects.count() == before
