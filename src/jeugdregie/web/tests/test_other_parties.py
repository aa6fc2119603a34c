"""Another party's code or id, tried on every URL of the project as a municipality and as a
provider (issue 12: access rules that hold everywhere).

The URLs are collected from the URLconf, so a new screen, export or API endpoint is tried the day
it is added; a path parameter this test does not know fails the test until it is given a meaning
below. For each pattern the user asks for another party's page (a municipality's code in a path,
for a provider also another provider's AGB code, contract or admission request) and adds another
party's code to the query string. The answer must be a refusal (403, in the site's Dutch layout
or the API's Dutch JSON) or 404, or, for a page without such a parameter in its path, exactly the
page it shows without the code (the parameter is ignored): never another party's figures.

Not walked: the admin (staff only; these roles are no staff, tried at the end) and Django's own
login, logout and password views (no party data)."""

import datetime as dt
import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver

from jeugdregie.accounts.testing import login
from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.admission_models import Aanvraag, Toetredingsvenster
from jeugdregie.contracten.models import Raamovereenkomst
from jeugdregie.demo.loader import load_demo_region

from .test_access import build_care

pytestmark = pytest.mark.django_db
NOT_WALKED = ("admin/", "accounts/")
# Path parameters that name no party: a value that exists, so the page itself is reached.
NEUTRAL = {"code": "45N01", "naam": "kosten"}
# Path parameters naming a party, per role: which of them are another party's for that role (a
# municipality may open any provider's page, a provider no municipality's page).
OWN_KIND = {"gemeente-venlo": {"cbs"}, "aanbieder": {"cbs", "agb", "kenmerk", "pk"}}
QUERY = {"gemeente-venlo": "gemeente", "aanbieder": "aanbieder"}


def patterns(resolvers=None, prefix=""):
    """(route, parameter names) of every URL pattern outside NOT_WALKED."""
    for p in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + str(p.pattern)
        if route.startswith(NOT_WALKED):
            continue
        if isinstance(p, URLResolver):
            yield from patterns(p.url_patterns, route)
        else:
            assert isinstance(p, URLPattern)
            yield route, list(p.pattern.regex.groupindex)


def fill(route: str, values: dict[str, str]) -> str:
    if route.endswith("^.*$"):  # the API's catch-all: any other path under /api/
        return "/" + route.replace("^.*$", "onbekend/")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


@pytest.fixture
def parties():
    """Own and other parties' codes and ids: the municipalities Venlo (the gemeente user's) and
    Venray, the demo provider user's provider and another one with a contract and an admission
    request; and codes that do not exist."""
    load_demo_region()
    own, other = build_care()
    contract = Raamovereenkomst.objects.exclude(aanbieder=own).order_by("kenmerk").first()
    assert contract is not None
    window = Toetredingsvenster.objects.create(
        categorie="C", opent_op=dt.date(2026, 3, 1), sluit_op=dt.date(2026, 3, 31)
    )
    request = Aanvraag.objects.create(
        agb_code=other.agb_code,
        organisatienaam=other.naam,
        categorie="C",
        soort=Aanvraag.Soort.UITBREIDING,
        ingediend_op=dt.date(2026, 3, 10),
        venster=window,
        geregistreerd_door=User.objects.get(username="regio"),
    )
    request.producten.set(Product.objects.filter(code="45N01")[:1])
    other_party = {"cbs": "0984", "agb": other.agb_code, "kenmerk": contract.kenmerk, "pk": request.pk}
    unknown = {"cbs": "9999", "agb": "99999999", "kenmerk": "BESTAAT-NIET", "pk": 999999}
    neutral = {"cbs": "0983", "agb": own.agb_code, "kenmerk": contract.kenmerk, "pk": request.pk}
    return {"other": other_party, "unknown": unknown, "neutral": neutral}


def body(response) -> object:
    """What a response shows, without what differs between two requests for the same page (the
    CSRF token, the CSP nonce, a workbook's creation time)."""
    follow = response.get("Content-Type", "")
    if "spreadsheetml" in follow:
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        return [[[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    text = response.content.decode(errors="replace")
    text = re.sub(r'(csrfmiddlewaretoken" value=|nonce=)"[^"]*"', r"\1", text)
    return text


def refused(response, url) -> bool:
    """A 403 or 404 in the site's Dutch layout (an API path: Dutch JSON)."""
    if response.status_code not in (403, 404):
        return False
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/json", url
        assert response.json()["detail"], url
        return True
    html = response.content.decode()
    heading = "Geen toegang" if response.status_code == 403 else "Pagina niet gevonden"
    assert f"<h1>{heading}</h1>" in html and 'aria-label="Hoofdmenu"' in html, url
    return True


@pytest.mark.parametrize("username", ["gemeente-venlo", "aanbieder"])
def test_another_partys_code_is_refused_on_every_url(username, parties):
    client = login(username)
    walked = []
    for route, params in patterns():
        unknown_params = set(params) - set(NEUTRAL) - set(parties["other"])
        assert not unknown_params, (
            f"{route}: wat betekent {unknown_params}? Geef het een waarde in deze test."
        )
        party_params = [p for p in params if p in OWN_KIND[username]]
        for kind in ("other", "unknown"):
            values = {**NEUTRAL, **parties["neutral"], **{p: parties[kind][p] for p in party_params}}
            url = fill(route, values)
            code = parties[kind]["cbs" if username == "gemeente-venlo" else "agb"]
            asked = f"{url}?{urlencode({QUERY[username]: code})}"
            response = client.get(asked, follow=True)
            walked.append((asked, response.status_code))
            if refused(response, asked):
                continue
            assert not party_params, (asked, response.status_code)  # another party's page: shown
            # The code in the query string was not refused: then it must have been ignored.
            plain = client.get(url, follow=True)
            assert response.status_code == plain.status_code, (asked, response.status_code, plain.status_code)
            assert body(response) == body(plain), f"{asked}: toont iets anders dan {url}"
    assert len(walked) >= 2 * 40
    # The pages with another party in their path are all refused (listed so a failure says where).
    by_url = dict(walked)
    if username == "gemeente-venlo":
        for url in ("/gemeente/0984/", "/afrekening/gemeente/0984/", "/afrekening/gemeente/0984/excel/"):
            assert by_url[f"{url}?gemeente=0984"] == 403, url
        for url in ("/kpi/", "/kpi/excel/", "/datakwaliteit/", "/datakwaliteit/excel/", "/onderbouwing/"):
            assert by_url[f"{url}?gemeente=0984"] == 403, url
        for url in ("/stoplicht/", "/overzicht/", "/api/kpi/", "/api/plafonds/", "/api/stoplicht/"):
            assert by_url[f"{url}?gemeente=0984"] == 403, url
    # No staff rights: the admin sends these users to its login page.
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
