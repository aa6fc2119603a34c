"""The overview's claim lines of a municipality or provider are taken from the region's (read once
for every selection, issue 13): the same lines as reading the selection from the database, and
the hand-worked figures of test_overview's region. `incomplete_months` is computed once per data
version and not shared as a list the caller could change."""

import datetime as dt
from collections import Counter

import pytest

from jeugdregie.monitoring.facts import claim_facts
from jeugdregie.web import overview_data as data
from jeugdregie.web.budget import data_version
from jeugdregie.zorg.models import DeclaratieRegel

from . import test_overview

pytestmark = pytest.mark.django_db
D = dt.date
overview_region = test_overview.overview_region  # the fixture: providers A and B in Venlo


def _db_growth_lines(**where) -> Counter:
    rows = DeclaratieRegel.objects.filter(
        afgewezen=False, periode_begin__gte=D(2025, 1, 1), periode_begin__lte=D(2026, 12, 31), **where
    )
    return Counter(
        rows.values_list("client__pseudoniem", "aanbieder__agb_code", "bedrag_cent", "periode_begin")
    )


def test_a_selections_lines_are_the_databases(overview_region):
    a, b = overview_region
    version = (data_version(),)
    selections = [
        ("0983", None, {"gemeente__cbs_code": "0983"}),
        ("0889", None, {"gemeente__cbs_code": "0889"}),
        (None, a.agb_code, {"aanbieder__agb_code": a.agb_code}),
        ("0983", b.agb_code, {"gemeente__cbs_code": "0983", "aanbieder__agb_code": b.agb_code}),
    ]
    for gemeente, aanbieder, where in selections:
        lines = data.growth_lines(2026, gemeente, aanbieder, version)
        assert Counter(
            (g.client, g.aanbieder, g.bedrag_cent, g.periode_begin) for g in lines
        ) == _db_growth_lines(**where)
        claims = data.claims(2026, gemeente, aanbieder, version).claims
        read = claim_facts(D(2025, 1, 1), D(2026, 12, 31), gemeente=gemeente, aanbieder=aanbieder)
        assert Counter(claims) == Counter(read)
    assert data.growth_lines(2026, "0889", None, version) == []
    # Provider B, Venlo: 2 clients, 5 h a month Jan-Jun at EUR 100 (2025) and EUR 110 (2026).
    assert len(data.growth_lines(2026, "0983", b.agb_code, version)) == 2 * 6 * 2


def test_the_slices_figures_are_hand_worked(overview_region):
    a, b = overview_region
    version = (data_version(),)
    sel = data.Selection(2026, 6, None, b.agb_code, False)
    table = data.growth(sel, version, D(2026, 6, 30))
    total = table.total
    assert total is not None  # provider B's figures are not suppressed for the regio
    assert (total.previous_cent, total.current_cent, total.clients_previous, total.clients_current) == (
        600_000,
        660_000,
        2,
        2,
    )
    assert total.parts == (0, 0, 60_000)  # the same care at a higher price
    monthly = data.monthly(data.Selection(2026, 6, "0983", None, False), version)
    # Venlo holds every line: 400,000 + 5 x 110,000 + 2 x 55,000 a month in 2026 for 8 clients.
    assert monthly.spend[:6] == [1_060_000] * 6 and monthly.clients[:6] == [8] * 6
    b_only = data.monthly(data.Selection(2026, 6, None, b.agb_code, False), version)
    assert b_only.spend[:6] == [110_000] * 6 and b_only.spend_previous[:6] == [100_000] * 6


def test_incomplete_months_once_and_a_fresh_list_each_time(overview_region):
    version = (data_version(),)
    first = data.incomplete_months(2026, 6, D(2026, 6, 30), version)
    first[0] = not first[0]
    again = data.incomplete_months(2026, 6, D(2026, 6, 30), version)
    assert again[0] != first[0] and len(again) == 12
    assert data._incomplete_months.cache_info().hits >= 1
