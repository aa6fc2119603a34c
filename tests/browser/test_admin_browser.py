from pathlib import Path

import pytest

from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_regio_user_logs_in_and_finds_the_new_product_book(live_server, page):
    load_demo_region()
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "regio")
    page.fill("#id_password", region.DEMO_WACHTWOORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_selector("text=Productcatalogus")
    page.click("text=Producten")
    page.wait_for_selector("#result_list")
    page.locator("#changelist-filter").get_by_role("link", name="Productboek 2026").first.click()
    page.wait_for_url("**boek__id__exact=*")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 19
    assert page.locator("#result_list").get_by_text("Kleinschalige woonleefgroep").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "admin-producten-2026.png"), full_page=True)


def test_login_page_is_dutch_and_rejects_a_wrong_password(live_server, page):
    load_demo_region(users=True)
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Inloggen"
    page.fill("#id_username", "regio")
    page.fill("#id_password", "fout")
    page.click("button[type=submit]")
    assert "onjuist" in page.locator("[role=alert]").inner_text()
    page.fill("#id_username", "regio")
    page.fill("#id_password", region.DEMO_WACHTWOORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Regie op jeugdhulp")
    assert "Venlo (0983)" in page.locator("main").inner_text()  # the name links to its page
