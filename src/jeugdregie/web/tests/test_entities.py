"""The municipality, provider and product pages (web.entities): who may open which, the figures
against direct ORM aggregates of the hand-made year, small numbers suppressed outside regio."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from jeugdregie.accounts.testing import login
from jeugdregie.zorg.models import DeclaratieRegel

from .entities_fixture import YEAR, build

pytestmark = pytest.mark.django_db

VENLO_CENT = 198_037 + 200_170 + 25_165 + 15_554  # see entities_fixture
BEESEL_CENT = 9_003 + 8_888


@pytest.fixture
def world():
    return build()


def spend(**where) -> int:
    rows = DeclaratieRegel.objects.filter(periode_begin__year=YEAR, afgewezen=False, **where)
    return rows.aggregate(s=Sum("bedrag_cent"))["s"]


# ---------------------------------------------------------------- who may open which page


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("regio", "/gemeente/0983/", 200),
        ("regio", "/gemeente/0889/", 200),
        ("regio", "/gemeente/9999/", 404),
        ("beheer", "/gemeente/0889/", 200),
        ("gemeente-venlo", "/gemeente/0983/", 200),
        ("gemeente-venlo", "/gemeente/0889/", 403),
        ("gemeente-venlo", "/gemeente/9999/", 403),
        ("aanbieder", "/gemeente/0983/", 403),
        ("verwijzer", "/gemeente/0983/", 403),
        ("regio", "/product/45N02/", 200),
        ("regio", "/product/XXXXX/", 404),
        ("gemeente-venlo", "/product/45N02/", 200),
        ("aanbieder", "/product/45N02/", 200),
        ("verwijzer", "/product/45N02/", 403),
    ],
)
def test_who_opens_which_page(world, user, path, status):
    page = login(user).get(f"{path}?jaar={YEAR}")
    assert page.status_code == status
    if status != 200:
        assert "EUR" not in page.content.decode()


def test_provider_page_access(world):
    own, other = world.p0.agb_code, world.p2.agb_code
    provider = login("aanbieder")
    assert provider.get(f"/aanbieder/{own}/?jaar={YEAR}").status_code == 200
    for path in (f"/aanbieder/{other}/", "/aanbieder/98999999/"):
        page = provider.get(path)
        assert page.status_code == 403 and world.p2.naam not in page.content.decode()
    assert login("regio").get(f"/aanbieder/{other}/").status_code == 200
    assert login("regio").get("/aanbieder/98999999/").status_code == 404
    assert login("gemeente-venlo").get(f"/aanbieder/{other}/").status_code == 200
    assert login("verwijzer").get(f"/aanbieder/{own}/").status_code == 403


# ---------------------------------------------------------------- the municipality page


def test_municipality_page_own_figures_beside_the_region(world):
    page = login("gemeente-venlo").get(f"/gemeente/0983/?jaar={YEAR}")
    html = page.content.decode()
    assert "Gemeente Venlo" in html and "CBS 0983" in html
    region = spend()
    assert (spend(gemeente__cbs_code="0983"), region) == (VENLO_CENT, VENLO_CENT + BEESEL_CENT)
    # Share: 438,926 / 456,817 = 96.08%.
    assert page.context["aandeel"] == "96,1%"
    assert page.context["totaal_eigen"] == "EUR 4.389" and page.context["totaal_regio"] == "EUR 4.568"
    kpis = {k["label"]: k for k in page.context["kpis"]}
    assert kpis["Kosten"]["eigen"][0] == "EUR 4.389" and kpis["Kosten"]["regio"][0] == "EUR 4.568"
    assert kpis["Kosten"]["eigen"][1] == f"/onderbouwing/?kpi=spend&jaar={YEAR}&gemeente=0983"
    # Clients: 5 + 5 + 5 + 2 in Venlo, 4 more in Beesel.
    assert (kpis["Cliënten"]["eigen"][0], kpis["Cliënten"]["regio"][0]) == ("17", "21")


def test_municipality_page_suppresses_small_segments_outside_regio(world):
    # Segment 3 (dagbesteding) rests on Beesel's one client: not shown to Venlo's user, the region is.
    venlo = {
        r["key"]: r for r in login("gemeente-venlo").get(f"/gemeente/0983/?jaar={YEAR}").context["segmenten"]
    }
    regio = {r["key"]: r for r in login("regio").get(f"/gemeente/0983/?jaar={YEAR}").context["segmenten"]}
    assert (venlo["3"]["regio"], regio["3"]["regio"]) == ("-", "EUR 89")  # 2 x 44.44
    assert venlo["3"]["aandeel"] == "-" and regio["3"]["aandeel"] == "0,0%"
    # Segment 4: Venlo 438,926 of 447,929 (with Beesel's 45N01) = 97.99%, for the region role.
    assert regio["4"]["regio"] == "EUR 4.479" and regio["4"]["aandeel"] == "98,0%"
    # Outside regio the region's segment 4 is hidden with segment 3 (complementary suppression):
    # the region's total, EUR 4.568 (447,929 + 8,888), minus segment 4 would give Beesel's one
    # client away (EUR 89). Venlo's own column rests on 17 clients in one segment: shown.
    page = login("gemeente-venlo").get(f"/gemeente/0983/?jaar={YEAR}").context
    assert page["totaal_regio"] == "EUR 4.568"
    assert venlo["4"]["eigen"] == "EUR 4.389" and (venlo["4"]["regio"], venlo["4"]["aandeel"]) == ("-", "-")
    assert venlo["4"]["eigen_clienten"] == "17"
    # Beesel's own page for the regio role: 4 clients, shown in full.
    beesel = login("regio").get(f"/gemeente/0889/?jaar={YEAR}")
    assert beesel.context["totaal_eigen"] == "EUR 179"  # 9,003 + 8,888


# ---------------------------------------------------------------- the provider page


def test_provider_page_names_the_provider_and_ranks_it(world):
    page = login("aanbieder").get(f"/aanbieder/{world.p0.agb_code}/?jaar={YEAR}")
    html = page.content.decode()
    assert world.p0.naam in html and f"AGB-code <strong>{world.p0.agb_code}</strong>" in html
    from jeugdregie.catalogus.models import Product

    group = Product.objects.get(code="45N02").groep.code
    ranked = {r["naam"]: r for r in page.context["groepen"]}
    row = next(r for r in page.context["groepen"] if r["url"].endswith(f"groep={group}"))
    # Cost per client in the group among providers with >= 5 clients: P3 50.33, P2 400.34 and P0
    # (197,037 cents over 5 clients in Venlo; with 45N01 in the same group 206,040 over 8):
    # P0 is second of three either way; P1 (2 clients) is not compared.
    assert (row["plaats"], row["vergeleken"], row["percentiel"]) == (2, 3, 50)
    assert ranked and world.p2.naam not in html and world.p3.naam not in html
    # The ceiling of EUR 5,000 in the group, as the Plafonds screen computes it.
    assert any(r.ceiling_cent == 500_000 for r in page.context["plafonds"])
    assert "EUR 5.000" in html


def test_provider_norms_are_shown(world):
    page = login("regio").get(f"/aanbieder/{world.p0.agb_code}/?jaar={YEAR}")
    labels = {n["kpi"] for n in page.context["normen"]}
    # The demo's regional norms for A and B providers.
    assert {"avg_duration_months", "relapse_rate", "dropout_rate"} <= labels


def test_small_provider_is_suppressed_outside_regio(world):
    p1 = world.p1.agb_code
    venlo = login("gemeente-venlo").get(f"/aanbieder/{p1}/?jaar={YEAR}").context
    regio = login("regio").get(f"/aanbieder/{p1}/?jaar={YEAR}").context
    assert {r["bedrag"] for r in venlo["groepen"]} == {"-"}
    assert {r["clienten"] for r in venlo["groepen"]} == {"-"}
    assert {r["bedrag"] for r in regio["groepen"]} == {"EUR 156"}  # 2 x 77.77
    kpis_venlo = {r["id"]: r["cells"][0][0] for r in venlo["kpis"]}
    assert kpis_venlo["spend"] == "-"


# ---------------------------------------------------------------- the product page


def test_product_page_name_tariff_years_and_providers(world):
    from jeugdregie.catalogus.models import Product, Tarief

    product = Product.objects.get(code="45N02")
    page = login("regio").get(f"/product/45N02/?jaar={YEAR}")
    html = page.content.decode()
    assert f"45N02 {product.naam}" in html
    tariff = Tarief.objects.filter(product=product).latest("jaar").bedrag_cent
    assert f"EUR {tariff // 100:,}".replace(",", ".") + f",{tariff % 100:02d}" in html
    years = {r["jaar"]: r for r in page.context["per_jaar"]}
    assert years[YEAR]["clienten"] == "17"
    assert spend(product__code="45N02") == VENLO_CENT
    assert years[YEAR]["bedrag"] == "EUR 4.389"
    providers = {r["agb"]: r for r in page.context["aanbieders"]}
    assert set(providers) == {world.p0.agb_code, world.p1.agb_code, world.p2.agb_code, world.p3.agb_code}
    assert providers[world.p1.agb_code]["bedrag"] == "EUR 156"


def test_product_page_is_scoped(world):
    provider = login("aanbieder").get(f"/product/45N02/?jaar={YEAR}")
    providers = {r["agb"] for r in provider.context["aanbieders"]}
    assert providers == {world.p0.agb_code}
    assert {r["jaar"]: r["bedrag"] for r in provider.context["per_jaar"]}[YEAR] == "EUR 1.980"  # 198,037
    assert world.p2.naam not in provider.content.decode()
    venlo = login("gemeente-venlo").get(f"/product/45N02/?jaar={YEAR}")
    shown = {r["agb"]: r["bedrag"] for r in venlo.context["aanbieders"]}
    assert shown[world.p1.agb_code] == "-" and shown[world.p2.agb_code] == "EUR 2.002"
    # P1 rests on 2 clients; the year's row above (EUR 4.389, 17 clients) minus the three others
    # would give it away, so the provider with 5 clients and the smallest amount, P3 (EUR 252), is
    # hidden with it (complementary suppression): 7 clients together.
    assert {r["jaar"]: r["bedrag"] for r in venlo.context["per_jaar"]}[YEAR] == "EUR 4.389"
    assert (shown[world.p3.agb_code], shown[world.p0.agb_code]) == ("-", "EUR 1.980")
    clients = {r["agb"]: r["clienten"] for r in venlo.context["aanbieders"]}
    assert (clients[world.p1.agb_code], clients[world.p3.agb_code], clients[world.p2.agb_code]) == (
        "-",
        "-",
        "5",
    )
