"""The Excel downloads of the KPI, Datakwaliteit, Plafonds en signalen and Stoplicht screens: each
workbook holds exactly what the screen (or the service behind it) gives for the same filters and
role, with numbers as numbers in Dutch formats, suppressed cells suppressed, and the same refusals
for another party's codes."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.budget.tests.test_signals import build_year_2026
from jeugdregie.contracten.models import Raamovereenkomst
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users, load_demo_region
from jeugdregie.monitoring.dataquality import data_quality_report
from jeugdregie.web.access import scope_of
from jeugdregie.web.excel import COUNT, MONEY, PERCENT, header_row_index
from jeugdregie.web.kpi_query import scoped_kpi_rows

from .test_access import build_care

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def care():
    """The hand-made care of 2024 of test_access (nine clients, two provider, Venlo and Venray)."""
    load_demo_region()
    return build_care()


@pytest.fixture
def year_2026():
    """The ceilings year of test_signals: provider A with one client, ceiling EUR 40,000."""
    a, c = build_year_2026()
    create_demo_users(region.aanbieders())
    return a, c


def workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return load_workbook(io.BytesIO(response.content))


def body(ws):
    """Header and data rows of a table sheet, and the data cells (for their formats)."""
    head = header_row_index(ws)
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.auto_filter.ref.startswith(f"A{head}:")
    assert ws.auto_filter.ref.endswith(str(max(ws.max_row, head)))
    header = [c.value for c in ws[head]]
    assert all(ws.column_dimensions[c.column_letter].width for c in ws[head])
    cells = [list(r) for r in ws.iter_rows(min_row=head + 1)]
    return header, [[c.value for c in r] for r in cells], cells


def expected_kpi(value, unit):
    """The KPI cell as worked out independently of the export: (value, number format)."""
    if value is None:
        return "-", "General"
    if unit == "cent":
        return round(value) / 100, MONEY
    if unit == "tabel":
        return None, "General"  # text as on the screen, compared there
    digits = value if isinstance(value, int) else float(f"{value:.15g}")  # Excel keeps 15 digits
    if unit == "fractie":
        return digits, PERCENT
    if unit == "aantal":
        return digits, COUNT
    if unit == "dagen":
        return digits, '#,##0 "dagen"' if float(value).is_integer() else '#,##0.0 "dagen"'
    if unit == "maanden":
        return digits, '#,##0.0 "maanden"'
    raise AssertionError(unit)


@pytest.mark.parametrize(
    "username,gemeente,suppressed",
    [
        ("regio", "0984", None),
        ("regio", "0983", None),
        ("beheer", "0984", 4),  # a gemeente user asking for another municipality: 403 (below)
        ("gemeente-venlo", "0983", 3),
    ],
)
def test_kpi_export_is_the_screens_table_cell_by_cell(care, username, gemeente, suppressed):
    """`suppressed`: how many of the four spend cells are suppressed (None: not a suppressing role)."""
    client = login(username)
    wb = workbook(client, f"/kpi/excel/?jaar=2024&gemeente={gemeente}")
    ws = wb["KPI's"]
    screen = client.get(f"/kpi/?jaar=2024&gemeente={gemeente}").context
    rows, as_of = scoped_kpi_rows(scope_of(screen["user"]), 2024, gemeente, None)
    header, values, cells = body(ws)
    assert header == ["KPI", "Jaar", "T1", "T2", "T3"]
    assert len(values) == len(rows) == len(screen["rows"])
    for got, got_cells, row, shown in zip(values, cells, rows, screen["rows"], strict=True):
        assert got[0] == row["label"]
        for value, cell, raw, text in zip(
            got[1:], got_cells[1:], (row["value"], *row["tertials"].values()), shown["cells"], strict=True
        ):
            want, fmt = expected_kpi(raw, row["unit"])
            if row["unit"] == "tabel" and raw is not None:
                want = text or None  # the top care paths: the screen's text (empty: an empty cell)
            assert (value, cell.number_format) == (want, fmt), (row["id"], raw)
            assert (value == "-") == (text == "-")  # suppressed exactly where the screen suppresses
    naam = {"0984": "Venray", "0983": "Venlo"}[gemeente]
    assert ws["A1"].value.startswith(f"KPI's 2024: gemeente {naam} ({gemeente}), alle aanbieders; rol: ")
    assert ws["B2"].value.date() == as_of and ws["B2"].number_format == "dd-mm-yyyy"
    spend = values[[r["id"] for r in rows].index("spend")]
    clients = values[[r["id"] for r in rows].index("clients")]
    # Worked by hand from the fixture: Venray has three clients (EUR 1,000 a month, January to
    # March); Venlo six, two of them with EUR 1,000 more in May (T2). A tertial without claims has no
    # value ("-"). Outside regio Venray rests on three clients: all hidden; Venlo's tertials are
    # hidden together because T2 rests on two clients.
    want_spend, want_clients = {
        ("regio", "0984"): (["Kosten", 9000, 9000, "-", "-"], ["Cliënten", 3, 3, "-", "-"]),
        ("regio", "0983"): (["Kosten", 20000, 18000, 2000, "-"], ["Cliënten", 6, 6, 2, "-"]),
        ("beheer", "0984"): (["Kosten", "-", "-", "-", "-"], ["Cliënten", "-", "-", "-", "-"]),
        ("gemeente-venlo", "0983"): (["Kosten", 20000, "-", "-", "-"], ["Cliënten", 6, 6, "-", "-"]),
    }[(username, gemeente)]
    assert (spend, clients) == (want_spend, want_clients)
    notes = " ".join(str(ws.cell(row=r, column=1).value) for r in range(3, header_row_index(ws)))
    assert ("niet getoond" in notes) == (suppressed is not None)


def test_kpi_export_refuses_what_the_screen_refuses(care):
    own, other = care
    provider = login("aanbieder")
    assert provider.get(f"/kpi/excel/?aanbieder={other.agb_code}").status_code == 403
    assert provider.get(f"/kpi/excel/?aanbieder={own.agb_code}").status_code == 200
    assert login("regio").get("/kpi/excel/?gemeente=9999").status_code == 404
    venlo = login("gemeente-venlo")
    for url in ("/kpi/excel/", "/datakwaliteit/excel/", "/stoplicht/excel/"):  # another municipality
        response = venlo.get(f"{url}?gemeente=0984")
        assert response.status_code == 403 and "<h1>Geen toegang</h1>" in response.content.decode(), url
    assert login("regio").get("/kpi/excel/?aanbieder=00000000").status_code == 404
    referrer = login("verwijzer")
    for url in ("/kpi/excel/", "/datakwaliteit/excel/", "/plafonds/excel/"):
        assert referrer.get(url).status_code == 403
    assert provider.get("/stoplicht/excel/").status_code == 403
    assert provider.get(f"/datakwaliteit/excel/?aanbieder={other.agb_code}").status_code == 403
    # Not logged in: to the login page, never a workbook.
    from django.test import Client

    assert Client().get("/kpi/excel/").status_code == 302


def test_provider_kpi_export_holds_its_own_figures_only(care):
    own, _ = care
    ws = workbook(login("aanbieder"), "/kpi/excel/?jaar=2024")["KPI's"]
    _, values, _ = body(ws)
    spend = next(v for v in values if v[0] == "Kosten")
    # Own provider: eight clients x three months x EUR 1,000 and two late claims in May; the
    # tertials are hidden together, T2 resting on two clients.
    assert spend == ["Kosten", 26000, "-", "-", "-"]
    assert f"aanbieder {own.naam} (AGB {own.agb_code})" in ws["A1"].value
    assert "rol: " + own.naam in ws["A1"].value


def _expected_summary(report, shows_findings):
    """Findings, clients and amount per check as worked out from the report: everything where the
    findings are shown; else 0 for a check without findings and "-" for one on fewer than five
    clients (a check that counts no clients, like reused identifications, is not hidden)."""
    rows = []
    for c in report["checks"]:
        small = c["clients"] is not None and c["clients"] < 5
        if shows_findings or (c["count"] and not small):
            n, k, cents = c["count"], c["clients"], c["bedrag_cent"]
            rows.append(["-" if v is None else v for v in (n, k)] + ["-" if cents is None else cents / 100])
        elif c["count"] == 0:
            rows.append([0, 0, 0])
        else:
            rows.append(["-", "-", "-"])
    return rows


@pytest.mark.parametrize(
    "username,query,shows", [("regio", "", True), ("gemeente-venlo", "&gemeente=", False)]
)
def test_quality_export_summary_and_findings_equal_the_report(care, username, query, shows):
    client = login(username)
    wb = workbook(client, f"/datakwaliteit/excel/?jaar=2024{query}")
    report = data_quality_report(2024)
    header, values, cells = body(wb["Samenvatting"])
    assert header == ["Controle", "Ernst", "Bevindingen", "Cliënten", "Bedrag"]
    assert [v[0] for v in values] == [c["label"] for c in report["checks"]]
    assert [v[2:] for v in values] == _expected_summary(report, shows)
    for row in cells:
        for cell, fmt in zip(row[2:], (COUNT, COUNT, MONEY), strict=True):
            assert cell.number_format == (fmt if cell.value != "-" else "General")
    assert ("Bevindingen" in wb.sheetnames) == shows
    screen = client.get(f"/datakwaliteit/?jaar=2024{query}").context
    rules = report.get("ijw_regels", [])
    assert ("iJw-regels" in wb.sheetnames) == bool(rules)
    if rules:
        _, got, _ = body(wb["iJw-regels"])
        assert [r[:3] for r in got] == [[c["tr"], c["retourcode"], c["label"]] for c in rules]
        assert [r[4:] for r in got] == _expected_summary({"checks": rules}, shows)
    answers = report.get("antwoorden")
    if answers:  # the municipality's answers: numbers where the screen shows them, "-" where not
        _, got, _ = body(wb["Afwijzingen per aanbieder"])
        shown = screen["antwoorden"]["afwijzingen"]
        assert [r[1] for r in got] == [r["aanbieder"] for r in shown["per_aanbieder"]] + [None]
        raw = [*answers["afwijzingen"]["per_aanbieder"], answers["afwijzingen"]["totaal"]]
        for row, text, numbers in zip(got, [*shown["per_aanbieder"], shown["totaal"]], raw, strict=True):
            assert (row[2] == "-") == (text["regels"] == "-")
            if row[2] != "-":
                assert row[2:7] == [
                    numbers["regels"],
                    numbers["afgewezen_regels"],
                    numbers["ingediend_cent"] / 100,
                    numbers["afgewezen_cent"] / 100,
                    "-" if numbers["aandeel"] is None else numbers["aandeel"],
                ]
        _, got, _ = body(wb["Wijzigingsverzoeken"])
        shown = screen["antwoorden"]["verzoeken"]
        raw = [*answers["verzoeken"]["per_aanbieder"], answers["verzoeken"]["totaal"]]
        for row, text, numbers in zip(got, [*shown["per_aanbieder"], shown["totaal"]], raw, strict=True):
            assert (row[2] == "-") == (text["ingediend"] == "-")
            if row[2] != "-":
                assert row[2:6] == [numbers[k] for k in ("ingediend", "beslist", "toegekend", "afgewezen")]
    if shows:
        _, found, found_cells = body(wb["Bevindingen"])
        expected = [
            [c["label"], f["client"], dt.date.fromisoformat(f["begin"]), f["bedrag_cent"] / 100, f["uitleg"]]
            for c in report["checks"]
            for f in c["findings"]
        ]
        assert [[r[0], r[3], r[6].date(), r[8], r[9]] for r in found] == expected + [
            [f"{c['tr']} {c['label']}", f["client"] or "-", dt.date.fromisoformat(f["begin"])]
            + [f["bedrag_cent"] / 100, f["uitleg"]]
            for c in rules
            for f in c["findings"]
        ]
        assert all(r[8].number_format == MONEY and r[6].number_format == "dd-mm-yyyy" for r in found_cells)
        assert AuditRegel.objects.filter(actie="datakwaliteit gedownload (Excel)").count() == (
            1 if found else 0
        )
    else:
        assert "niet getoond" in " ".join(str(c.value) for c in wb["Samenvatting"]["A"][:5])


def _level_rows(rows):
    """The screen's rows of a Plafonds table as the export must hold them."""
    return [
        [r.colour, r.naam]
        + ["-" if v is None else round(v) / 100 for v in (r.ceiling_cent, r.claimed_cent, r.committed_cent)]
        + ["-" if v is None else round(v) / 100 for v in (r.forecast_cent, r.low_cent, r.high_cent)]
        + ["-" if r.share is None else float(f"{r.share:.15g}")]
        for r in rows
    ]


@pytest.mark.parametrize("username", ["regio", "gemeente-venlo", "aanbieder"])
def test_plafonds_export_is_every_table_of_the_screen(year_2026, username):
    a, _ = year_2026
    client = login(username)
    screen = client.get("/plafonds/?peildatum=2026-06-30").context
    wb = workbook(client, "/plafonds/excel/?peildatum=2026-06-30")
    sheets = {"Aanbieders": screen["providers"], "Regio en categorieën": screen["categories"]}
    sheets["Gemeenten"] = screen["municipalities"]
    for sheet, rows in sheets.items():
        assert (sheet in wb.sheetnames) == (sheet == "Aanbieders" or bool(rows)), sheet
        if sheet not in wb.sheetnames:
            continue
        _, values, cells = body(wb[sheet])
        assert values == _level_rows(rows), sheet
        for row in cells:
            assert all(c.number_format == MONEY for c in row[2:8] if c.value != "-")
            assert row[8].value == "-" or row[8].number_format == PERCENT
    _, signals, _ = body(wb["Signalen"])
    assert signals == [
        [s["signal"].ernst, s["soort"], s["naam"], s["signal"].uitleg] for s in screen["signals"]
    ]
    assert wb["Signalen"]["B2"].value.date() == dt.date(2026, 6, 30)
    # Worked by hand in test_plafonds: provider A, ceiling EUR 40,000, claimed EUR 24,000, forecast
    # EUR 48,000 (120%); committed 184 days of 10 hours a week at EUR 92 = EUR 24,182.86.
    _, providers, _ = body(wb["Aanbieders"])
    row = next(r for r in providers if r[1] == a.naam)
    if username != "regio":  # A rests on one client: outside regio its ceiling only, also to A itself
        assert row == ["onbekend", a.naam, 40000, "-", "-", "-", "-", "-", "-"]
        assert "Niet getoond: minder dan 5 cliënten." in [s[3] for s in signals]
    else:
        assert row[:4] == ["rood", a.naam, 40000, 24000] and row[5] == 48000 and row[8] == 1.2
        assert round(row[4]) == 24183
        assert any("120% van het plafond EUR 40.000" in s[3] for s in signals)
    if username == "aanbieder":
        assert [r[1] for r in providers] == [a.naam] and len(signals) == 1
    outlook = screen.get("vooruitblik")
    assert ("Vooruitblik aanbieders" in wb.sheetnames) == bool(outlook and not outlook.get("fout"))
    if "Vooruitblik aanbieders" in wb.sheetnames:
        _, got, _ = body(wb["Vooruitblik aanbieders"])
        assert got == [
            [r["naam"], r["agb"], r["groep"], r["groepnaam"]]
            + [None if v is None else v / 100 for v in (r["plafond"], r["goedgekeurd"], r["gedeclareerd"])]
            + [v / 100 for key in ("prognose", "betaald", "ingehouden") for v in r[key]]
            for r in outlook["rows"]
        ]
        _, totals, _ = body(wb["Vooruitblik regio"])
        assert totals == [
            [t["band"], t["prognose"] / 100, t["betaald"] / 100, t["ingehouden"] / 100]
            for t in outlook["totaal"]
        ]


def test_stoplicht_export_holds_every_match_not_one_page(care):
    own, _ = care
    client = login("verwijzer")
    total = sum(a.toegelaten_producten.count() for a in Raamovereenkomst.objects.all())
    assert total > 50
    _, values, _ = body(workbook(client, "/stoplicht/excel/")["Stoplicht"])
    assert len(values) == total
    screen = client.get(f"/stoplicht/?zoek={own.agb_code}").context
    ws = workbook(client, f"/stoplicht/excel/?zoek={own.agb_code}")["Stoplicht"]
    _, values, _ = body(ws)
    assert values == [
        [
            x.light.colour.label,
            x.aanbieder_naam,
            x.aanbieder,
            x.product,
            x.product_naam,
            "; ".join(x.light.reasons),
        ]
        for x in screen["selected"]
    ]
    products = set(
        Raamovereenkomst.objects.get(aanbieder=own).toegelaten_producten.values_list("code", flat=True)
    )
    assert {v[3] for v in values} == products and len(values) == len(products)
    assert f"zoek '{own.agb_code}'" in ws["A1"].value and "rol: verwijzer" in ws["A1"].value


def test_stoplicht_export_keeps_a_small_waiting_time_suppressed(care):
    from itertools import count

    from jeugdregie.zorg.models import Toewijzing
    from jeugdregie.zorg.testing import CareRows

    own, _ = care
    rows = CareRows(dt.date(2025, 1, 31))
    rows.numbers = count(10_000)
    for allocation in Toewijzing.objects.filter(aanbieder=own, gemeente__cbs_code="0984"):
        rows.start(allocation, dt.date(2024, 12, 1))
    query = f"?zoek={own.agb_code}&product=45N01"
    regio = body(workbook(login("regio"), "/stoplicht/excel/" + query)["Stoplicht"])[1]
    venlo = body(workbook(login("gemeente-venlo"), "/stoplicht/excel/" + query)["Stoplicht"])[1]
    assert len(regio) == len(venlo) == 1
    assert "wachttijd: mediaan" in regio[0][5]
    assert "wachttijd: mediaan" not in venlo[0][5]
    assert "wachttijd: niet getoond, minder dan 5 cliënten" in venlo[0][5]


def test_every_screen_links_its_export(care):
    client = login("regio")
    for screen, export in (
        ("/kpi/?jaar=2024&gemeente=0984", "/kpi/excel/?jaar=2024&amp;gemeente=0984&amp;aanbieder="),
        ("/datakwaliteit/?jaar=2024", "/datakwaliteit/excel/?jaar=2024"),
        ("/plafonds/", "/plafonds/excel/?peildatum="),
        ("/stoplicht/?zoek=abc", "/stoplicht/excel/?zoek=abc"),
    ):
        html = client.get(screen).content.decode()
        assert f'href="{export}' in html and "Download Excel" in html, screen
