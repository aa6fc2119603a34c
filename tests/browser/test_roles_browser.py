"""Each demo role in Chromium: log in, walk the pages of the menu, no server error, the logged-in
party in the header, small numbers suppressed outside regio, nothing blocked by the
Content-Security-Policy; screenshots at 1400 and 390 px wide (JEUGDREGIE_SCREENSHOTS, default
var/screenshots) to look at."""

import re
import time

import pytest

from jeugdregie.demo import region
from tests.browser.conftest import SHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"breed": 1400, "telefoon": 390}
# The screens this test photographs and holds to the phone width; other screens only to no error.
ACCESS_SCREENS = {"/", "/kpi/", "/datakwaliteit/", "/plafonds/", "/stoplicht/", "/rapportage/"}
TIMINGS: list = []


def walk(page, base, username, extra=()):
    """Every page of the menu (and `extra` urls): status below 500, no CSP violation; screenshots."""
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    links = page.eval_on_selector_all("header nav a", "els => els.map(e => e.getAttribute('href'))")
    urls = [u for u in links if not u.startswith("/admin")] + list(extra)
    for url in urls:
        started = time.monotonic()
        page.set_viewport_size({"width": WIDTHS["breed"], "height": 900})
        response = page.goto(f"{base}{url}")
        TIMINGS.append((round(time.monotonic() - started, 2), username, url))
        assert response.status < 500, (username, url, response.status)
        assert response.status == 200, (username, url, response.status)
        name = re.sub(r"[^a-z0-9]+", "-", url.strip("/").lower()) or "overzicht"
        SHOTS.mkdir(parents=True, exist_ok=True)
        if url.split("?")[0] not in ACCESS_SCREENS:
            continue  # other screens: no server error is what this test asks of them
        for label, width in WIDTHS.items():  # the same page, narrowed: the layout follows the window
            page.set_viewport_size({"width": width, "height": 900})
            # The whole page wide; on a phone the first screens (a full card list is 8,000 px tall).
            page.screenshot(path=str(SHOTS / f"{username}-{name}-{label}.png"), full_page=label == "breed")
            # Nothing wider than the window at phone width: tables scroll inside their container.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (username, url, width, overflow)
    assert not violations, violations
    return urls


def test_every_role_walks_its_pages(live_server, browser, care_data):
    own, other = care_data
    base = live_server.url
    seen = {}
    for username in ("regio", "gemeente-venlo", "aanbieder", "verwijzer", "beheer"):
        context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 900})
        page = context.new_page()
        log_in(page, base, username)
        header = page.locator("[data-testid=ingelogd-als]").inner_text()
        # Venray (0984) is another municipality for the Venlo user: refused (below).
        venray = "0983" if username == "gemeente-venlo" else "0984"
        extra = [f"/kpi/?jaar=2024&gemeente={venray}"] if username != "verwijzer" else []
        seen[username] = walk(page, base, username, extra)
        if username == "aanbieder":
            assert f"{own.naam} (AGB {own.agb_code})" in header
        if username == "gemeente-venlo":
            assert "gemeente Venlo" in header
        if username not in ("verwijzer", "gemeente-venlo"):
            page.goto(f"{base}/kpi/?jaar=2024&gemeente=0984")
            clients = page.locator("tr", has_text="Cliënten").first.locator("td").nth(1).inner_text()
            assert clients == ("3" if username == "regio" else "-"), username
        refused = {
            "aanbieder": ("/stoplicht/", 403, "Geen toegang"),
            "gemeente-venlo": ("/bestaat-niet/", 404, "Pagina niet gevonden"),
        }
        if username == "gemeente-venlo":
            response = page.goto(f"{base}/kpi/?jaar=2024&gemeente=0984")
            assert response.status == 403 and page.locator("h1").inner_text() == "Geen toegang"
        if username in refused:
            url, status, heading = refused[username]
            page.set_viewport_size({"width": WIDTHS["breed"], "height": 900})
            response = page.goto(f"{base}{url}")
            assert response.status == status and page.locator("h1").inner_text() == heading
            assert page.locator("text=Terug naar het overzicht").count() == 1
            page.screenshot(path=str(SHOTS / f"{username}-{status}-breed.png"))
        page.click("text=Uitloggen")
        page.wait_for_selector("text=U bent uitgelogd")
        page.screenshot(path=str(SHOTS / "uitgelogd-breed.png"))
        context.close()
    # Five wrong passwords, then the right one: a Dutch lockout page, not logged in.
    page = browser.new_page(locale="nl-NL")
    for password in ["fout"] * 5 + [region.DEMO_WACHTWOORD]:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "verwijzer")
        page.fill("#id_password", password)
        page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Inloggen tijdelijk geblokkeerd"
    page.screenshot(path=str(SHOTS / "geblokkeerd-breed.png"))
    page.close()
    print("Traagste pagina's (s):", sorted(TIMINGS, reverse=True)[:5])
    assert "/stoplicht/" not in seen["aanbieder"] and "/kpi/" not in seen["verwijzer"]
