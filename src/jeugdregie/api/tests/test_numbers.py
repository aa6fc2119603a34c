"""The API's numbers are the screens' numbers: the KPI rows equal what the KPI query layer returns
for the same user and filter, the traffic light equals the region's lights, exactly; outside
regio nothing rests on fewer than five clients (the hand-made care of web/tests/test_access: six
clients of Venlo and two of Venray at the demo provider, one of Venray at another)."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User

from jeugdregie.accounts.testing import login
from jeugdregie.budget.traffic import provider_product_lights
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.web import screen_cache
from jeugdregie.web import stoplicht as traffic_screen
from jeugdregie.web.access import scope_of
from jeugdregie.web.budget import data_version
from jeugdregie.web.kpi_query import scoped_kpi_rows
from jeugdregie.web.tests.test_access import build_care
from jeugdregie.web.tests.test_screen_cache import cache_on  # noqa: F401 (fixture)

from .support import get

pytestmark = pytest.mark.django_db
NAMES = {
    "unit": "eenheid",
    "good": "goed",
    "definition": "definitie",
    "value": "waarde",
    "tertials": "tertialen",
}


@pytest.fixture(autouse=True)
def care():
    load_demo_region()
    return build_care()


def kpis(username, query=""):
    response, body = get(username, f"/api/kpi/?jaar=2024{query}")
    assert response.status_code == 200
    return {row["id"]: row for row in body["kpis"]}


def engine_rows(username, gemeente=None, aanbieder=None):
    scope = scope_of(User.objects.get(username=username))
    rows, _ = scoped_kpi_rows(scope, 2024, gemeente, aanbieder)
    # As JSON carries them (tuples become lists), with the API's Dutch names.
    return json.loads(json.dumps([{NAMES.get(k, k): v for k, v in row.items()} for row in rows]))


@pytest.mark.parametrize("username", ("regio", "gemeente-venlo", "aanbieder", "beheer"))
def test_kpi_rows_equal_the_query_layer_exactly(care, username):
    own, other = care
    filters = [(None, None), ("0983", None), ("0984", None), ("0984", own.agb_code)]
    if username != "aanbieder":
        filters.append((None, other.agb_code))
    for gemeente, aanbieder in filters:
        query = (f"&gemeente={gemeente}" if gemeente else "") + (
            f"&aanbieder={aanbieder}" if aanbieder else ""
        )
        response, body = get(username, f"/api/kpi/?jaar=2024{query}")
        if username == "gemeente-venlo" and gemeente == "0984":  # another municipality
            assert response.status_code == 403, query
            continue
        expected_provider = own.agb_code if username == "aanbieder" else aanbieder
        assert (body["gemeente"], body["aanbieder"]) == (gemeente, expected_provider)
        assert body["kpis"] == engine_rows(username, gemeente, expected_provider), (username, query)


def test_the_region_sees_the_hand_worked_small_numbers():
    rows = kpis("regio", "&gemeente=0984")
    assert rows["clients"]["waarde"] == 3 and rows["spend"]["waarde"] == 900_000  # 3 x 3 months x EUR 1,000
    assert rows["clients"]["tertialen"] == {"T1": 3, "T2": None, "T3": None}
    rows = kpis("regio", "&gemeente=0983")
    assert rows["spend"]["tertialen"] == {"T1": 1_800_000, "T2": 200_000, "T3": None}


@pytest.mark.parametrize("username", ("gemeente-venlo", "aanbieder", "beheer"))
def test_outside_the_region_no_count_below_five(care, username):
    own, other = care
    if username == "gemeente-venlo":  # another municipality: refused
        assert get(username, "/api/kpi/?jaar=2024&gemeente=0984")[0].status_code == 403
    else:
        venray = kpis(username, "&gemeente=0984")  # 2 or 3 clients
        for kpi in ("clients", "spend", "cost_per_client", "clients_in_care", "top_paths"):
            assert venray[kpi]["waarde"] is None, kpi
            assert set(venray[kpi]["tertialen"].values()) == {None}, kpi
    venlo = kpis(username, "&gemeente=0983")  # six clients: shown; T2 rests on two: hidden with its sum
    assert venlo["clients"]["waarde"] == 6 and venlo["spend"]["waarde"] == 2_000_000
    assert venlo["spend"]["tertialen"] == {"T1": None, "T2": None, "T3": None}
    queries = (
        ["", "&gemeente=0983"]
        + ([] if username == "gemeente-venlo" else ["&gemeente=0984"])
        + ([] if username == "aanbieder" else [f"&aanbieder={other.agb_code}"])
    )
    for query in queries:
        for row in kpis(username, query).values():
            values = [row["waarde"], *row["tertialen"].values()]
            if row["eenheid"] == "aantal":
                assert all(v is None or v == 0 or v >= 5 for v in values), (query, row["id"], values)
            if row["id"] == "top_paths":
                assert all(p["aantal"] >= 5 for v in values if v for p in v), query


def test_one_kpi_only():
    _, body = get("regio", "/api/kpi/?jaar=2024&kpi=clients")
    assert [r["id"] for r in body["kpis"]] == ["clients"] and body["kpis"][0]["waarde"] == 9


def all_lights(username):
    first = get(username, "/api/stoplicht/?per_pagina=200")[1]
    found, page = list(first["resultaten"]), 2
    while len(found) < first["aantal"]:
        found += get(username, f"/api/stoplicht/?per_pagina=200&pagina={page}")[1]["resultaten"]
        page += 1
    return found


def as_api(x):
    return {
        "aanbieder": x.aanbieder,
        "aanbieder_naam": x.aanbieder_naam,
        "product": x.product,
        "product_naam": x.product_naam,
        "kleur": x.light.colour.label,
        "redenen": list(x.light.reasons),
        "onderdelen": {k: c.label for k, c in x.light.parts.items()},
    }


def test_the_traffic_light_equals_the_regions_lights_and_the_suppressed_ones():
    as_of = dt.date(2024, 12, 31)  # the last complete month before the data's 31 January 2025
    assert as_of.month == 12 and get("regio", "/api/plafonds/")[1]["peildatum"] == "2025-01-31"
    as_of = dt.date(2025, 1, 31)
    lights = provider_product_lights(as_of)
    assert all_lights("regio") == [as_api(x) for x in lights]
    data, info = traffic_screen.counts(as_of, data_version()), traffic_screen.product_info()
    shown = traffic_screen.suppressed(lights, data, info)
    assert all_lights("verwijzer") == [as_api(x) for x in shown]


def test_traffic_light_filters_as_on_the_screen(care):
    own, _ = care
    _, body = get("verwijzer", f"/api/stoplicht/?zoek={own.agb_code}&product=45N01")
    assert [(r["aanbieder"], r["product"]) for r in body["resultaten"]] == [(own.agb_code, "45N01")]
    _, body = get("verwijzer", "/api/stoplicht/?gemeente=0984&per_pagina=200")
    assert {r["aanbieder"] for r in body["resultaten"]} == {x.agb_code for x in care}


@pytest.mark.usefixtures("cache_on")
def test_the_api_reads_the_screens_cache_entries():
    """With the screen cache on (as `jeugdregie serve` runs), an API call after the screen
    computes nothing again: it reads the very figures the screen showed."""
    assert login("gemeente-venlo").get("/kpi/?jaar=2024&gemeente=0983").status_code == 200
    assert login("verwijzer").get("/stoplicht/").status_code == 200
    assert login("regio").get("/plafonds/").status_code == 200
    before = dict(screen_cache.computed)
    assert set(before) >= {"kpi", "stoplicht", "counts", "plafonds"}
    _, body = get("gemeente-venlo", "/api/kpi/?jaar=2024&gemeente=0983")
    assert body["kpis"] == engine_rows("gemeente-venlo", "0983")
    assert get("verwijzer", "/api/stoplicht/")[0].status_code == 200
    assert get("regio", "/api/plafonds/")[0].status_code == 200
    assert dict(screen_cache.computed) == before
