"""The Excel downloads and the Stoplicht on a phone, in Chromium: the KPI screen's "Download
Excel" link gives a workbook openpyxl reads with the screen's numbers; the Stoplicht search at
390 px finds the provider, shows cards no wider than the phone, and says how many it found.
Screenshots in JEUGDREGIE_SCREENSHOTS (default var/screenshots)."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jeugdregie.contracten.models import Raamovereenkomst
from jeugdregie.web.excel import MONEY, header_row_index
from tests.browser.conftest import SHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_kpi_download_opens_in_openpyxl_with_the_screens_numbers(live_server, browser, care_data):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "regio")
    page.goto(f"{live_server.url}/kpi/?jaar=2024&gemeente=0983")
    screen_spend = page.locator("tr", has=page.locator("td", has_text="Kosten")).first.inner_text()
    with page.expect_download() as info:
        page.click("text=Download Excel")
    download = info.value
    assert download.suggested_filename == "kpi-2024-0983.xlsx"
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    ws = wb["KPI's"]
    head = header_row_index(ws)
    spend = next(r for r in ws.iter_rows(min_row=head + 1) if r[0].value == "Kosten")
    # Venlo 2024, worked by hand: six clients x three months x EUR 1,000, two of them EUR 1,000 in May.
    assert [c.value for c in spend[:4]] == ["Kosten", 20000, 18000, 2000]
    assert all(c.number_format == MONEY for c in spend[1:4])
    assert "EUR 20.000" in screen_spend and "EUR 18.000" in screen_spend
    assert ws["A1"].value.startswith("KPI's 2024: gemeente Venlo (0983), alle aanbieders; rol: regio")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "export-kpi-download-breed.png"))
    context.close()


def test_stoplicht_search_on_a_phone(live_server, browser, care_data):
    own, _ = care_data
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, "verwijzer")
    page.goto(f"{live_server.url}/stoplicht/")
    total = sum(a.toegelaten_producten.count() for a in Raamovereenkomst.objects.all())
    assert page.get_by_role("status").inner_text() == (
        f"{total} combinaties van aanbieder en product; u ziet 1-50 van {total}."
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "export-stoplicht-telefoon.png"))
    page.fill("input[name=zoek]", own.agb_code)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"zoek=" + own.agb_code))
    own_products = Raamovereenkomst.objects.get(aanbieder=own).toegelaten_producten.count()
    assert page.get_by_role("status").inner_text() == (
        f"{own_products} van de {total} combinaties van aanbieder en product gevonden."
    )
    cards = page.locator("table.cards tbody tr")
    assert cards.count() == own_products
    assert all(own.naam in cards.nth(i).inner_text() for i in range(cards.count()))
    # Cards, not a table: the header row is hidden and each card fits the phone.
    assert not page.locator("table.cards thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    box = cards.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SHOTS / "export-stoplicht-zoeken-telefoon.png"), full_page=True)
    context.close()
