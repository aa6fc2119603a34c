"""The Stoplicht screen: paging, search and filters, readable on a phone, small numbers suppressed
outside regio."""

import datetime as dt
import html as html_lib
import re
from itertools import count

import pytest

from jeugdregie.contracten.models import Raamovereenkomst
from jeugdregie.zorg.models import Toewijzing
from jeugdregie.zorg.testing import CareRows

from .test_access import care, login  # noqa: F401  (the shared hand-made care of 2024)

pytestmark = pytest.mark.django_db


def rows_of(html):
    return re.findall(r"<tr><td class=\"nowrap\">.*?</tr>", html, re.S)


def test_every_combination_is_reachable_page_by_page():
    total = sum(a.toegelaten_producten.count() for a in Raamovereenkomst.objects.all())
    client = login("verwijzer")
    html = client.get("/stoplicht/").content.decode()
    assert f"{total} combinaties van aanbieder en product; u ziet 1-50 van {total}." in html
    assert len(rows_of(html)) == 50
    pages = -(-total // 50)
    assert f"Pagina 1 van {pages}" in html
    last = client.get(f"/stoplicht/?pagina={pages}").content.decode()
    assert len(rows_of(last)) == total - 50 * (pages - 1)
    # A page past the end shows the last page, nonsense the first.
    assert f"Pagina {pages} van {pages}" in client.get("/stoplicht/?pagina=9999").content.decode()
    assert "Pagina 1 van" in client.get("/stoplicht/?pagina=x").content.decode()


def test_search_and_filters_narrow_the_list_and_keep_them_across_pages(care):  # noqa: F811
    own, _ = care
    client = login("gemeente-venlo")
    html = client.get(f"/stoplicht/?zoek={own.agb_code}").content.decode()
    own_products = Raamovereenkomst.objects.get(aanbieder=own).toegelaten_producten.count()
    assert f"{own_products} van de" in html and len(rows_of(html)) == own_products
    html = client.get("/stoplicht/?product=45N01").content.decode()
    assert all("45N01" in row for row in rows_of(html)) and rows_of(html)
    # Only providers with clients in Venray (the own provider and the other one), for a referrer;
    # Venray is another municipality for the Venlo user: refused, as everywhere.
    assert client.get("/stoplicht/?gemeente=0984").status_code == 403
    html = login("verwijzer").get("/stoplicht/?gemeente=0984").content.decode()
    names = {own.naam, care[1].naam}
    assert rows_of(html) and all(any(n in row for n in names) for row in rows_of(html))
    html = client.get("/stoplicht/?segment=2").content.decode()
    assert "van de" in html
    html = client.get("/stoplicht/?zoek=bestaat-niet-xyz").content.decode()
    assert "Geen aanbieders gevonden voor deze zoekopdracht" in html
    html = client.get("/stoplicht/?kleur=onbekend&zoek=a").content.decode()  # not a colour: ignored
    assert 'role="status"' in html


def test_a_waiting_time_on_fewer_than_five_clients_is_shown_to_the_region_only(care):  # noqa: F811
    own, _ = care
    rows = CareRows(dt.date(2025, 1, 31))
    rows.numbers = count(10_000)  # message numbers after the fixture's
    for allocation in Toewijzing.objects.filter(aanbieder=own, gemeente__cbs_code="0984"):
        rows.start(allocation, dt.date(2024, 12, 1))
    query = f"/stoplicht/?zoek={own.agb_code}&product=45N01"
    regio = login("regio").get(query).content.decode()
    assert "wachttijd: mediaan" in regio
    for username in ("gemeente-venlo", "verwijzer"):
        html = login(username).get(query).content.decode()
        assert "wachttijd: mediaan" not in html
        assert "wachttijd: niet getoond, minder dan 5 cliënten" in html


def test_the_traffic_light_is_cards_on_a_phone():
    html = login("verwijzer").get("/stoplicht/").content.decode()
    assert '<table class="cards">' in html and 'type="search"' in html


ROW = re.compile(
    r'<tr><td class="nowrap"><span class="dot (\w+)"[^>]*></span> \w+</td>\s*<td>(.*?)</td><td>(\S+) ', re.S
)


def every_row(client, query: str) -> tuple[list[tuple[str, str, str]], str]:
    """(colour, provider name, product code) of every row over all pages, and the first page's status."""
    first = client.get(f"/stoplicht/?{query}").content.decode()
    pages = re.search(r"Pagina 1 van (\d+)", first)
    found = []
    for n in range(1, int(pages.group(1)) + 1 if pages else 2):
        page = client.get(f"/stoplicht/?{query}&pagina={n}").content.decode()
        assert len(rows_of(page)) == len(ROW.findall(page)) <= 50
        found += [(c, html_lib.unescape(name), code) for c, name, code in ROW.findall(page)]
    status = re.search(r'<p role="status">(.*?)</p>', first, re.S).group(1)
    return found, status


def combinations(keep=lambda agb, product: True) -> list[tuple[str, str]]:
    """(provider name, product code) of every contracted provider x admitted product: the lights."""
    return sorted(
        (ra.aanbieder.naam, p.code)
        for ra in Raamovereenkomst.objects.select_related("aanbieder")
        for p in ra.toegelaten_producten.select_related("groep__segment")
        if keep(ra.aanbieder, p)
    )


@pytest.mark.parametrize("username", ["verwijzer", "gemeente-venlo", "regio"])
def test_filters_search_and_paging_give_exactly_the_expected_rows(care, username):  # noqa: F811
    own, other = care
    client = login(username)
    total = len(combinations())
    cases = {
        "": combinations(),
        f"zoek={own.agb_code}": combinations(lambda a, p: a == own),
        # Only the two providers of the fixture have clients in Venray (allocations in 2024).
        "gemeente=0984": combinations(lambda a, p: a in (own, other)),
        "product=45N01": combinations(lambda a, p: p.code == "45N01"),
        "segment=2": combinations(lambda a, p: p.groep.segment and p.groep.segment.code == "2"),
        f"gemeente=0984&product=45N01&zoek={own.naam.split()[0]}+{own.agb_code}": combinations(
            lambda a, p: a == own and p.code == "45N01"
        ),
        "zoek=bestaat-niet-xyz": [],
    }
    assert all(cases[q] for q in list(cases)[:-1])  # every case but the last finds something
    for query, expected in cases.items():
        if username == "gemeente-venlo" and "gemeente=0984" in query:  # another municipality
            assert client.get(f"/stoplicht/?{query}").status_code == 403, query
            continue
        rows, status = every_row(client, query)
        assert sorted((name, code) for _, name, code in rows) == expected, query
        n = len(expected)
        head = (
            f"{total} combinaties van aanbieder en product"
            if n == total
            else f"{n} van de {total} combinaties"
        )
        assert status.startswith(head), (query, status)
        assert (f"; u ziet 1-50 van {n}." in status) == (n > 50), (query, status)
    # Every row has one colour; the colour filter splits the list without loss or overlap.
    everything, _ = every_row(client, "")
    per_colour = {c: every_row(client, f"kleur={c}")[0] for c in ("groen", "oranje", "rood")}
    for colour, rows in per_colour.items():
        assert rows == [r for r in everything if r[0] == colour]
    assert sum(map(len, per_colour.values())) + sum(r[0] == "onbekend" for r in everything) == total
