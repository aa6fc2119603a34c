"""The Stoplicht screen: paging, search and filters, readable on a phone, small numbers suppressed
outside regio."""

import datetime as dt
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
    assert f"{total} combinaties van aanbieder en product; u ziet 1 tot en met 50." in html
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
    # Only providers with clients in Venray (the own provider and the other one).
    html = client.get("/stoplicht/?gemeente=0984").content.decode()
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
