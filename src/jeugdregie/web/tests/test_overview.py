"""The overview screen (/overzicht/): figures against an independent ORM aggregate and hand-worked
numbers, each role's slice, refused codes, suppression, and the charts as SVG and PNG."""

import datetime as dt

import pytest
from django.db.models import Sum

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.budget.forecasting import forecast_levels
from jeugdregie.budget.tests.test_signals import ROWS, allocation, build_year_2026, claim
from jeugdregie.contracten.models import Aanbieder, Raamovereenkomst
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users
from jeugdregie.web import overview_data as data
from jeugdregie.web.budget import data_version
from jeugdregie.zorg.models import DeclaratieRegel
from jeugdregie.zorg.testing import month_end

pytestmark = pytest.mark.django_db
D = dt.date
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def overview_region():
    """build_year_2026 (provider A: one client in Venlo at EUR 4,000 a month Jan-Jun 2026, 1 unit
    a line; ceiling A/group A EUR 40,000), plus in Venlo, 45N02 (hours):
    - provider A: 5 clients 10 h a month Jan-Jun 2025 at EUR 100/h, the same 5 in 2026 at EUR 110/h;
    - provider B (category B): 2 clients 5 h a month Jan-Jun 2025 at EUR 100/h, 2026 at EUR 110/h."""
    a, c = build_year_2026()
    b = Aanbieder.objects.get(agb_code=next(s.agb_code for s in region.aanbieders() if s.categorie == "B"))
    for provider, n, hours in ((a, 5, 10), (b, 2, 5)):
        for _ in range(n):
            t = allocation(provider, "0983", "45N02", D(2025, 1, 1), D(2026, 12, 31))
            for year, price in ((2025, 10_000), (2026, 11_000)):
                for month in range(1, 7):
                    begin = D(year, month, 1)
                    ROWS.line(
                        t, begin, month_end(begin), hours * price, volume=hours, received=month_end(begin)
                    )
    create_demo_users(region.aanbieders())
    return a, b


def _orm_month(year: int, month: int, **filters) -> tuple[int, int]:
    """Spend and clients (net positive) of a month straight from the claim lines."""
    rows = DeclaratieRegel.objects.filter(
        afgewezen=False, periode_begin__year=year, periode_begin__month=month, **filters
    )
    spend = rows.aggregate(s=Sum("bedrag_cent"))["s"] or 0
    clients = rows.values("client").annotate(s=Sum("bedrag_cent")).filter(s__gt=0).count()
    return spend, clients


def test_monthly_series_equal_an_orm_aggregate_and_the_hand_worked_figures(overview_region):
    a, _ = overview_region
    for gemeente, aanbieder, filters in ((None, None, {}), (None, a.agb_code, {"aanbieder": a})):
        sel = data.Selection(2026, 6, gemeente, aanbieder, False)
        found = data.monthly(sel, data_version())
        for m in range(1, 13):
            spend, clients = _orm_month(2026, m, **filters)
            assert (found.spend[m - 1], found.clients[m - 1]) == (
                (spend, clients) if m <= 6 else (None, None)
            )
            assert (found.spend_previous[m - 1], found.clients_previous[m - 1]) == _orm_month(
                2025, m, **filters
            )
    whole = data.monthly(data.Selection(2026, 6, None, None, False), data_version())
    # 2026: 400,000 + 5 x 110,000 + 2 x 55,000 a month for 8 clients; 2025: 5 x 100,000 + 2 x 50,000, 7.
    assert whole.spend[:6] == [1_060_000] * 6 and whole.clients[:6] == [8] * 6
    assert whole.spend_previous == [600_000] * 6 + [0] * 6
    assert whole.clients_previous == [7] * 6 + [0] * 6


def test_cost_growth_hand_worked(overview_region):
    a, b = overview_region
    table = data.growth(
        data.Selection(2026, 6, None, None, False, "aanbieder"), data_version(), D(2026, 6, 30)
    )
    g = table.total
    # S0 = 3,600,000 (7 clients), S1 = 6,360,000 (8). Price last year 10,000 per hour; this year's
    # 366 units at that price Q1 = 3,660,000. Clients 1 x 3,600,000 / 7 = 514,285.71; care
    # 3,660,000 - 8 x 514,285.71 = -454,285.71; tariff 6,360,000 - 3,660,000 = 2,700,000; the cent
    # goes to the clients part (largest remainder .71).
    assert (g.previous_cent, g.current_cent, g.clients_previous, g.clients_current) == (
        3_600_000,
        6_360_000,
        7,
        8,
    )
    assert g.parts == (514_286, -454_286, 2_700_000)
    rows = {r.key: r.growth for r in table.rows}
    assert set(rows) == {a.agb_code, b.agb_code}
    # B: 2 clients both years, 60 h both years, EUR 100 -> 110 per hour: all tariff.
    assert rows[b.agb_code].parts == (0, 0, 60_000)
    assert sum(r.change_cent for r in rows.values()) == g.change_cent


def test_running_year_compares_with_last_year_as_known_a_year_before(overview_region):
    a, _ = overview_region
    # A line for June 2025 that came in on 31 August 2025: in the monthly series (and the KPI) of
    # June 2025, but not in the comparison of Jan-Jun 2026 (peildatum 30 June) with Jan-Jun 2025 as
    # known on 30 June 2025.
    t = allocation(a, "0983", "45N02", D(2025, 6, 1), D(2025, 6, 30))
    ROWS.line(t, D(2025, 6, 1), D(2025, 6, 30), 77_000, volume=7, received=D(2025, 8, 31))
    version = data_version()
    assert data.monthly(data.Selection(2026, 6, None, None, False), version).spend_previous[5] == 677_000
    running = data.growth(data.Selection(2026, 6, None, None, False), version, D(2026, 6, 30))
    assert (running.total.previous_cent, running.total.clients_previous, running.running) == (
        3_600_000,
        7,
        True,
    )
    # A finished year is compared with all that is known of the year before: the KPI's spend.
    whole = data.growth(data.Selection(2025, 12, None, None, False), version, D(2025, 12, 31))
    spend_2025 = DeclaratieRegel.objects.filter(afgewezen=False, periode_begin__year=2025).aggregate(
        s=Sum("bedrag_cent")
    )["s"]
    assert (whole.total.current_cent, whole.total.previous_cent, whole.running) == (spend_2025, 5_000, False)
    assert spend_2025 == 3_600_000 + 77_000


def test_region_page_shows_the_figures_and_audits(overview_region):
    html = login("regio").get("/overzicht/?jaar=2026&uitsplitsing=aanbieder").content.decode()
    assert "Overzicht 2026: hele regio" in html
    assert "Gedeclareerd jan-jun 2026: <strong>€ 63.600</strong>; jan-jun 2025: € 36.000." in html
    assert "+€ 27.000" in html  # the tariff part
    assert "€ 10.600" in html  # a month of 2026 in the table
    assert "grafiek/plafond/?" in html and "format=png" in html
    assert AuditRegel.objects.filter(actie="overzicht bekeken").count() == 1


@pytest.mark.parametrize("naam", ["kosten", "clienten", "plafond", "groei"])
@pytest.mark.parametrize("user", ["regio", "gemeente-venlo", "aanbieder"])
def test_charts_are_valid_svg_and_png(overview_region, naam, user):
    client = login(user)
    svg = client.get(f"/overzicht/grafiek/{naam}/?jaar=2026&format=svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content[:500] and svg.content.rstrip().endswith(b"</svg>")
    png = client.get(f"/overzicht/grafiek/{naam}/?jaar=2026&format=png&download=1")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(PNG_MAGIC)
    assert f'filename="overzicht-{naam}-2026.png"' in png["Content-Disposition"]


def test_chart_text_is_dutch(overview_region):
    svg = login("regio").get("/overzicht/grafiek/groei/?jaar=2026&format=svg").content.decode()
    assert "cliënten" in svg and "tarieven" in svg and "+€ 27.000" in svg
    assert "Kostengroei jan-jun 2026 t.o.v. 2025" in svg


def test_burnup_ends_at_what_the_forecast_counts_as_claimed(overview_region):
    a, _ = overview_region
    key = f"{a.agb_code}/A"
    cumulative = data.cumulative_claimed("aanbieder_groep", key, 2026, D(2026, 6, 30))
    # A: 400,000 + 5 x 110,000 a month.
    assert cumulative == [950_000 * m for m in range(1, 7)] + [None] * 6
    level = next(
        f for f in forecast_levels(2026, D(2026, 6, 30)) if (f.level, f.key) == ("aanbieder_groep", key)
    )
    assert level.claimed_cent == cumulative[5]
    html = login("regio").get(f"/overzicht/?jaar=2026&plafond=aanbieder_groep:{key}").content.decode()
    assert "Gedeclareerd tot de peildatum <strong>€ 57.000</strong>" in html
    assert "plafond € 40.000" in html


def test_municipality_sees_its_own_slice_only(overview_region):
    client = login("gemeente-venlo")
    html = client.get("/overzicht/?jaar=2026").content.decode()
    assert "Overzicht 2026: Venlo" in html and "Budget gemeente Venlo" in html
    assert "productgroep" not in html  # provider ceilings are the region's
    assert client.get("/overzicht/?gemeente=0889").status_code == 403
    assert client.get("/overzicht/grafiek/kosten/?gemeente=0889&format=png").status_code == 403
    a, _ = overview_region
    assert client.get(f"/overzicht/?plafond=aanbieder_groep:{a.agb_code}/A&jaar=2026").status_code == 403
    assert client.get("/overzicht/?plafond=gemeente:0889&jaar=2026").status_code == 403
    assert client.get("/overzicht/?gemeente=9999").status_code == 404


def test_provider_sees_its_own_data_only(overview_region):
    a, b = overview_region
    client = login("aanbieder")
    html = client.get("/overzicht/?jaar=2026").content.decode()
    assert f"Overzicht 2026: {a.naam}" in html and b.naam not in html
    # Its own 2026: 950,000 a month; 2025: 500,000.
    assert "Gedeclareerd jan-jun 2026: <strong>€ 57.000</strong>; jan-jun 2025: € 30.000." in html
    assert client.get(f"/overzicht/?aanbieder={b.agb_code}").status_code == 403
    assert client.get(f"/overzicht/grafiek/groei/?aanbieder={b.agb_code}&format=svg").status_code == 403
    assert client.get("/overzicht/?plafond=gemeente:0983&jaar=2026").status_code == 403
    assert login("verwijzer").get("/overzicht/").status_code == 403


def test_small_numbers_are_suppressed_outside_the_region(overview_region):
    _, b = overview_region
    # Provider B has 2 clients: the municipality does not see its months nor its growth.
    html = login("gemeente-venlo").get(f"/overzicht/?jaar=2026&aanbieder={b.agb_code}").content.decode()
    assert "€ 1.100" not in html and "+€ 600" not in html
    assert "Niet getoond: minder dan 5 cliënten." in html
    sel = data.Selection(2026, 6, "0983", b.agb_code, True)
    hidden = data.monthly(sel, data_version())
    assert hidden.hidden and hidden.spend == [None] * 12 and hidden.clients[:6] == [None] * 6
    # Per provider for Venlo: B alone (2 clients) would be a small group and the 'other' row it
    # would go into rests on the same 2: the breakdown is left out, the total stays.
    table = data.growth(
        data.Selection(2026, 6, "0983", None, True, "aanbieder"), data_version(), D(2026, 6, 30)
    )
    assert table.total is not None and table.rows == [] and table.rows_hidden and table.running
    regio = login("regio").get(f"/overzicht/?jaar=2026&aanbieder={b.agb_code}").content.decode()
    assert "€ 1.100" in regio  # B's month in 2026: 2 x 55,000 cents


def test_a_month_of_clients_below_the_threshold_hides_the_whole_year_of_spend(overview_region):
    a, _ = overview_region
    # One more client of A in Venlo, in July 2025 only: a month with 1 client for A.
    t = allocation(a, "0983", "45N02", D(2025, 7, 1), D(2025, 7, 31))
    claim(t, D(2025, 7, 1), 100_000)
    found = data.monthly(data.Selection(2026, 6, None, a.agb_code, True), data_version())
    assert found.spend_previous == [None] * 12 and found.clients_previous[6] is None
    assert found.clients_previous[:6] == [5] * 6


def test_many_groups_keep_the_largest_and_sum_the_rest(overview_region, monkeypatch):
    monkeypatch.setattr(data, "MAX_ROWS", 1)
    table = data.growth(
        data.Selection(2026, 6, None, None, False, "aanbieder"), data_version(), D(2026, 6, 30)
    )
    [row] = table.rows
    assert row.combined and row.naam == "Overige 2 (opgeteld)"
    # A: 3,000,000 -> 5,700,000; B: 600,000 -> 660,000 (B's parts 0, 0, 60,000).
    assert (row.growth.previous_cent, row.growth.current_cent) == (3_600_000, 6_360_000)
    assert sum(row.growth.parts) == row.growth.change_cent == table.total.change_cent


def test_narrow_charts_for_phones(overview_region):
    client = login("regio")
    wide = client.get("/overzicht/grafiek/groei/?jaar=2026&format=svg").content
    narrow = client.get("/overzicht/grafiek/groei/?jaar=2026&format=svg&breedte=smal").content
    width = lambda svg: float(svg.split(b'width="', 1)[1].split(b"pt", 1)[0])  # noqa: E731
    assert narrow.startswith(b"<?xml") and width(narrow) < width(wide) * 0.7
    html = client.get("/overzicht/?jaar=2026").content.decode()
    assert '<source media="(max-width: 40rem)" srcset="grafiek/groei/?jaar=2026' in html


def test_months_not_yet_complete_by_the_lag_profile(overview_region):
    a, _ = overview_region
    # Besides the 600,000 a month received in the month itself, 600,000 a month of Jan-Jun 2025
    # comes in two months late: half a month is in at lag 0 and 1, all at lag 2. On 30 June 2026
    # June (lag 0) and May (lag 1) are not complete, April (lag 2) is.
    t = allocation(a, "0983", "45N02", D(2025, 1, 1), D(2025, 6, 30))
    for month in range(1, 7):
        begin = D(2025, month, 1)
        ROWS.line(t, begin, month_end(begin), 600_000, volume=60, received=month_end(D(2025, month + 2, 1)))
    found = data.incomplete_months(2026, 6, D(2026, 6, 30), data_version())
    assert found == [False] * 4 + [True, True] + [False] * 6
    svg = login("regio").get("/overzicht/grafiek/kosten/?jaar=2026&format=svg").content.decode()
    assert "2026, nog niet compleet" in svg


def test_a_book_change_with_another_unit_is_care_not_tariff(overview_region):
    """One client in Beesel: 2025 the legacy trajectory 45L01 (1 unit a month, EUR 3,000), 2026 its
    successor in the new book (20 hours a month at EUR 110). Prices compare per product as claimed:
    the successor has no price last year, so the whole change is care (S0 1,800,000, S1 1,320,000,
    same client: care -480,000, tariff 0). Mapped to one code, last year's EUR 3,000 'per unit'
    against 120 hours gave care +34,200,000 and tariff -34,680,000."""
    from jeugdregie.budget.tests.test_signals import ROWS
    from jeugdregie.catalogus.models import ProductMapping
    from jeugdregie.regio.models import Gemeente

    _, b = overview_region
    successor = ProductMapping.objects.get(oud_product__code="45L01").nieuw_product.code
    client = ROWS.client("boek-", Gemeente.objects.get(cbs_code="0889"))
    for number, code, year, volume, cents in (
        ("TB1", "45L01", 2025, 1, 300_000),
        ("TB2", successor, 2026, 20, 220_000),
    ):
        t = ROWS.allocation(
            client, b, number, D(year, 1, 1), D(year, 12, 31), product_code=code, volume=volume,
            toewijzingsdatum=D(year, 1, 1),
        )  # fmt: skip
        for month in range(1, 7):
            begin = D(year, month, 1)
            ROWS.line(t, begin, month_end(begin), cents, volume=volume, received=month_end(begin))
    g = data.growth(
        data.Selection(2026, 6, "0889", None, False, "segment"), data_version(), D(2026, 6, 30)
    ).total
    assert (g.previous_cent, g.current_cent, g.clients_previous, g.clients_current) == (
        1_800_000,
        1_320_000,
        1,
        1,
    )
    assert g.parts == (0, -480_000, 0)


def test_a_hidden_year_beside_an_empty_year_is_a_message_not_an_axis_of_zeros():
    """Seen in the browser test's screenshot (Venlo 2024 at 390 px): every month of the year hidden
    and nothing claimed the year before drew an empty axis with five '€ 0' ticks."""
    from jeugdregie.web import overview_charts as charts
    from jeugdregie.web.charting import render

    hidden = data.Monthly([None] * 12, [6, 6, 6] + [None] * 9, [0] * 12, [0] * 12, hidden=True)
    svg = render(charts.spend_figure(hidden, 2024, "Venlo", charts.NARROW)).decode()
    assert "Niet getoond: minder dan 5 cliënten in een maand" in svg and "€ 0" not in svg
    shown = data.Monthly([100_000] + [0] * 11, [6] + [0] * 11, [0] * 12, [0] * 12)
    assert "€ 1.000" in render(charts.spend_figure(shown, 2024, "Venlo")).decode()


def test_region_sees_its_open_contract_signals_with_a_link(monkeypatch):
    """The demo's contract cases loaded and seen on 7-12-2026: four open signals on the contract
    worklist (demo.contract_cases), counted under the signals; not for a municipality or provider."""
    from jeugdregie.contracten import register, views
    from jeugdregie.contracten.register_models import ContractDocument, DocumentSoort
    from jeugdregie.demo import contract_cases
    from jeugdregie.demo.loader import load_demo_region

    load_demo_region(users=False, today=D(2026, 12, 7))
    build_year_2026()
    create_demo_users(region.aanbieders())
    monkeypatch.setattr(views, "today", lambda: D(2026, 12, 7))
    assert len(register.open_signals(D(2026, 12, 7))) == 4
    html = login("regio").get("/overzicht/?jaar=2026").content.decode()
    assert (
        '<p data-testid="contractsignalen">Contractbeheer: <a href="/contracten/">4 open contractsignalen</a>'
    ) in html
    for user in ("gemeente-venlo", "aanbieder"):
        assert "contractsignalen" not in login(user).get("/overzicht/?jaar=2026").content.decode()
    # A continuity plan for the ending agreement is a new data version: three left.
    ending = region.aanbieders()[contract_cases.ENDING].agb_code
    ContractDocument.objects.create(
        raamovereenkomst=Raamovereenkomst.objects.get(aanbieder__agb_code=ending),
        soort=DocumentSoort.CONTINUITEIT,
        titel="Continuïteitsplan",
    )
    html = login("regio").get("/overzicht/?jaar=2026").content.decode()
    assert '<a href="/contracten/">3 open contractsignalen</a>' in html
