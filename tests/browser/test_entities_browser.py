"""The overview in charts and the municipality, provider and product pages in Chromium, as regio,
gemeente and aanbieder, at 1400 px and at phone width (390 px): nothing wider than the window,
the charts drawn, the headings Dutch, and another party's page the Dutch 403 in the site's
layout. Screenshots (JEUGDREGIE_SCREENSHOTS, default var/screenshots) to look at:
entiteit-<user>-<page>-<breed|telefoon>.png."""

import re

import pytest

from tests.browser.conftest import SHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"breed": 1400, "telefoon": 390}
YEAR = 2024  # the care of the fixture (web.tests.test_access.build_care)


def pages_of(username: str, own, other) -> tuple[dict[str, str], list[str]]:
    """The pages the user walks ({name: url}) and another party's pages it must be refused."""
    common = {"overzicht": f"/overzicht/?jaar={YEAR}", "product": f"/product/45N01/?jaar={YEAR}"}
    if username == "regio":
        return {
            **common,
            "gemeente": f"/gemeente/0984/?jaar={YEAR}",
            "aanbieder": f"/aanbieder/{own.agb_code}/?jaar={YEAR}",
        }, []
    if username == "gemeente-venlo":
        return {
            **common,
            "gemeente": f"/gemeente/0983/?jaar={YEAR}",
            "aanbieder": f"/aanbieder/{own.agb_code}/?jaar={YEAR}",
        }, ["/gemeente/0984/", f"/overzicht/?gemeente=0984&jaar={YEAR}", "/kpi/?gemeente=0984"]
    return {**common, "aanbieder": f"/aanbieder/{own.agb_code}/?jaar={YEAR}"}, [
        f"/aanbieder/{other.agb_code}/",
        "/gemeente/0983/",
        f"/overzicht/?aanbieder={other.agb_code}",
    ]


# Headings every page type must show (all Dutch; the h1 names the subject).
HEADINGS = {
    "overzicht": ["Kosten en cliënten per maand", "Plafondverbruik en prognose", "Waarom stijgen of dalen"],
    "gemeente": [f"KPI's {YEAR}: gemeente en regio", "Kosten per segment"],
    "aanbieder": ["Plafondbenutting per productgroep", "Prestatieafspraken (stuuropdracht)", f"KPI's {YEAR}"],
    "product": ["Tarief", "Cliënten en kosten per jaar", f"Aanbieders die dit product leveren in {YEAR}"],
}
ENGLISH = re.compile(r"\b(the|and|page|not found|forbidden|error|total|clients|costs|month)\b", re.I)


def check_page(page, username: str, name: str, url: str) -> None:
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        assert response.status == 200, (username, url, response.status)
        page.wait_for_load_state("networkidle")
        headings = page.eval_on_selector_all("main h1, main h2", "els => els.map(e => e.innerText)")
        assert headings and headings[0], (username, url)
        for wanted in HEADINGS[name]:
            assert any(h.startswith(wanted) for h in headings), (username, url, wanted, headings)
        assert not [h for h in headings if ENGLISH.search(h)], (username, url, headings)
        if name == "overzicht":
            # The charts, drawn: each image loaded with a width (SVG through <picture>). Spend and
            # clients per month always; the ceiling burn-up only where there is a ceiling (none in
            # the fixture's 2024: the page says so), the cost growth where it is not suppressed.
            sizes = page.eval_on_selector_all(
                "main img.chart",
                "els => els.map(e => [e.complete, e.naturalWidth, e.getBoundingClientRect().width])",
            )
            assert len(sizes) >= 2, (username, url, sizes)
            assert all(done and natural > 0 and 0 < shown <= width for done, natural, shown in sizes), sizes
            assert page.locator("#kop-plafond").count() == 1
        # No link without text (an empty KPI table once showed as an empty link: now "geen").
        empty = page.eval_on_selector_all("main a", "els => els.filter(e => !e.innerText.trim()).length")
        assert empty == 0, (username, url, empty)
        if name == "product" and width < 500:
            # The tariff, the product page's first figure, is on the screen (cards, not a table
            # scrolled out of view: the screenshot showed the column cut off at 390 px).
            box = page.locator("main td[data-label='Tarief per eenheid']").first.bounding_box()
            assert box and box["x"] + box["width"] <= width, (username, box)
        # Nothing wider than the window: tables scroll inside their own container.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (username, url, width, overflow)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"entiteit-{username}-{name}-{label}.png"), full_page=True)


def test_overview_and_entity_pages_per_role_and_width(live_server, browser, care_data):
    own, other = care_data
    base = live_server.url
    for username in ("regio", "gemeente-venlo", "aanbieder"):
        context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 900})
        page = context.new_page()
        log_in(page, base, username)
        walk, refused = pages_of(username, own, other)
        for name, url in walk.items():
            check_page(page, username, name, f"{base}{url}")
        for n, url in enumerate(refused):
            for label, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{base}{url}")
                assert response.status == 403, (username, url, response.status)
                assert page.locator("main h1").inner_text() == "Geen toegang"
                why = page.locator("main [role=alert]").inner_text()  # says why, in Dutch
                assert why.endswith(".") and " ziet " in why or "is voor" in why, why
                assert page.locator("nav[aria-label=Hoofdmenu]").count() == 1  # the site's layout
                assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
                page.screenshot(path=str(SHOTS / f"entiteit-{username}-403-{n}-{label}.png"), full_page=True)
        context.close()
