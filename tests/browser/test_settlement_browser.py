"""The settlement screens in Chromium at desktop (1400 px) and phone (390 px) width: the region's
statement and comparison, a provider's own statement. Screenshots go to var/screenshots/ (or
JEUGDREGIE_SCREENSHOTS) for a person to look at; they are not committed."""

import pytest

from jeugdregie.web.tests.settlement_fixture import Y, build_year_2026
from tests.browser.conftest import SHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1400, 390])
def test_settlement_screens_in_a_browser(live_server, browser, width):
    year = build_year_2026()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "regio")
    page.click("nav >> text=Afrekening")
    page.wait_for_selector(f"h1:has-text('Afrekening {Y}')")
    page.screenshot(path=str(SHOTS / f"afrekening-overzicht-{width}.png"), full_page=True)
    page.select_option("select[name=regelset]", "voorbeeld:staffel")
    page.click("form.filters button")
    page.click(f"text={year.a.naam}")
    page.wait_for_selector("text=Regels na de normduur (1)")
    assert "9.560,00" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / f"afrekening-aanbieder-{width}.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Download als Excel")
    assert download.value.suggested_filename == f"afrekening-{Y}-aanbieder-{year.a.agb_code}.xlsx"
    page.goto(f"{live_server.url}/afrekening/gemeente/0983/?jaar={Y}")
    page.wait_for_selector("text=Te dragen na solidariteit")
    page.screenshot(path=str(SHOTS / f"afrekening-gemeente-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/afrekening/vergelijking/?jaar={Y}")
    page.wait_for_selector("text=Totaal uitbetaald")
    assert "14.100,02" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / f"afrekening-vergelijking-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/afrekening/overschrijdingen/?jaar={Y}")
    page.wait_for_selector("text=Nieuwe goedkeuring vastleggen")
    page.screenshot(path=str(SHOTS / f"afrekening-overschrijdingen-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/plafonds/?peildatum={Y}-06-30")
    page.wait_for_selector(f"text=Vooruitblik afrekening {Y}")
    page.locator("#vooruitblik").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"plafonds-vooruitblik-{width}.png"), full_page=True)
    context.close()
