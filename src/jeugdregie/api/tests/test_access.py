"""Every endpoint as each of the five demo roles would call it, with its own and other parties'
codes: the same refusals as the screens (Dutch JSON, never data), unknown codes 404, bad
parameters 400, errors and headers fit for JSON."""

import pytest
from django.test import Client

from jeugdregie.accounts.testing import login
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.web.tests.test_access import build_care

from .support import ENDPOINTS, ROLES, get, token_client

pytestmark = pytest.mark.django_db

# Who may open what without a filter: the screens' rules (web/views.py, web/budget.py).
REFUSED = {("verwijzer", e) for e in ("kpi", "plafonds", "prognoses", "signalen")} | {
    ("aanbieder", "stoplicht")
}


@pytest.fixture(autouse=True)
def care():
    load_demo_region()
    return build_care()


def assert_refusal(response, body, status):
    """A refusal carries one Dutch sentence and nothing else."""
    assert response.status_code == status
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]


def test_each_role_opens_what_its_screen_shows():
    for username in ROLES:
        for endpoint in ENDPOINTS:
            response, body = get(username, f"/api/{endpoint}/")
            if (username, endpoint) in REFUSED:
                assert_refusal(response, body, 403)
                assert "zien" in body["detail"] or "is voor" in body["detail"]
            else:
                assert response.status_code == 200, (username, endpoint)
                assert "detail" not in body


def test_another_providers_code(care):
    """A provider asking for another provider's figures is refused, whatever the endpoint; the
    others may ask for any provider as on the screens (suppressed outside regio)."""
    own, other = care
    for username in ROLES:
        for endpoint in ENDPOINTS:
            response, body = get(username, f"/api/{endpoint}/?aanbieder={other.agb_code}")
            if username == "aanbieder" and endpoint != "stoplicht":
                assert_refusal(response, body, 403)
                assert body["detail"] == "Een aanbieder ziet alleen de eigen gegevens."
                assert get(username, f"/api/{endpoint}/?aanbieder={own.agb_code}")[0].status_code == 200
            elif (username, endpoint) in REFUSED:
                assert_refusal(response, body, 403)
            else:
                assert response.status_code == 200, (username, endpoint)


def test_another_municipalitys_code():
    """A municipality asking for another municipality is refused, as on the screens (every URL:
    web/tests/test_other_parties); a provider sees no municipality rows; a referrer nothing."""
    for username in ROLES:
        for endpoint in ("kpi", "plafonds", "prognoses", "signalen", "stoplicht"):
            response, body = get(username, f"/api/{endpoint}/?gemeente=0984")
            if (username, endpoint) in REFUSED or username == "gemeente-venlo":
                assert_refusal(response, body, 403)
                continue
            assert response.status_code == 200, (username, endpoint)
            if username == "aanbieder" and endpoint != "kpi":
                rows = body.get("prognoses", []) + body.get("gemeenten", []) + body.get("signalen", [])
                assert all(r["niveau"] == "aanbieder" for r in rows)


def test_unknown_codes_are_a_dutch_404():
    for endpoint in ENDPOINTS:
        for query in ("gemeente=9999", "aanbieder=00000000"):
            if endpoint == "stoplicht" and query.startswith("aanbieder"):
                continue  # the traffic light has no provider filter (search with zoek=)
            response, body = get("regio", f"/api/{endpoint}/?{query}")
            assert_refusal(response, body, 404)
            assert body["detail"].startswith("Onbekende code: ")


def test_a_provider_sees_only_its_own_rows_and_signals(care):
    own, _ = care
    for endpoint, key in (("plafonds", "aanbieders"), ("prognoses", "prognoses"), ("signalen", "signalen")):
        response, body = get("aanbieder", f"/api/{endpoint}/")
        assert response.status_code == 200
        rows = body[key]
        assert {(r["niveau"], r["sleutel"]) for r in rows} <= {("aanbieder", own.agb_code)}
    _, body = get("aanbieder", "/api/prognoses/")
    assert [r["sleutel"] for r in body["prognoses"]] == [own.agb_code]
    _, body = get("aanbieder", "/api/plafonds/")
    assert body["gemeenten"] == [] and body["categorieen"] == []


def test_filters_narrow_the_rows_to_one_party(care):
    own, _ = care
    _, body = get("regio", f"/api/prognoses/?aanbieder={own.agb_code}")
    assert [(r["niveau"], r["sleutel"]) for r in body["prognoses"]] == [("aanbieder", own.agb_code)]
    _, body = get("regio", "/api/prognoses/?gemeente=0984")
    assert [(r["niveau"], r["sleutel"]) for r in body["prognoses"]] == [("gemeente", "0984")]


def test_without_credentials_a_dutch_401():
    response = Client().get("/api/kpi/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Niet ingelogd: geef een token mee (Authorization: Token <sleutel>) of log in."
    }
    assert response["WWW-Authenticate"] == "Token"


def test_a_browser_session_works_too():
    response = login("regio").get("/api/kpi/?jaar=2024")
    assert response.status_code == 200 and response.json()["jaar"] == 2024


def test_bad_parameters_are_a_dutch_400():
    for query, field, message in (
        ("/api/kpi/?jaar=abc", "jaar", "Geef een jaartal."),
        ("/api/kpi/?kpi=bestaat-niet", "kpi", '"bestaat-niet" is een ongeldige keuze.'),
        ("/api/stoplicht/?kleur=paars", "kleur", '"paars" is een ongeldige keuze.'),
        ("/api/plafonds/?peildatum=morgen", "peildatum", "Geef een datum als JJJJ-MM-DD."),
    ):
        response, body = get("regio", query)
        assert response.status_code == 400
        assert body == {"detail": "Ongeldige parameters.", "velden": {field: [message]}}


def test_a_year_or_peildatum_without_data_is_a_400_that_says_what_there_is():
    response, body = get("regio", "/api/kpi/?jaar=1950")
    assert response.status_code == 400
    assert body == {"detail": "Voor 1950 zijn er geen gegevens (wel voor 2024 tot en met 2025)."}
    for day in ("2024-02-15", "2023-12-31", "2025-02-28"):  # not a month end; too old; after the data
        response, body = get("regio", f"/api/plafonds/?peildatum={day}")
        assert response.status_code == 400
        assert body == {"detail": "Kies als peildatum een maandeinde van 2024-01-31 tot en met 2025-01-31."}
    assert get("regio", "/api/signalen/?peildatum=2024-06-30")[0].status_code == 200


def test_unknown_api_paths_and_writes_are_json():
    response, body = get("regio", "/api/bestaat-niet/")
    assert response.status_code == 404 and body == {"detail": "Onbekend API-adres; zie /api/schema/."}
    response = token_client("regio").post("/api/kpi/", {}, format="json")
    assert response.status_code == 405 and response.json() == {"detail": "Deze API kan alleen lezen (GET)."}


def test_a_server_error_is_json_without_details(monkeypatch):
    from jeugdregie.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("geheime details")

    monkeypatch.setattr(views, "scoped_kpi_rows", broken)
    response = token_client("regio").get("/api/kpi/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Er ging iets mis op de server."}
    assert "geheime details" not in response.content.decode()


def test_answers_are_not_stored_and_carry_the_security_headers():
    for response in (token_client("verwijzer").get("/api/stoplicht/"), login("regio").get("/api/kpi/")):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_traffic_light_comes_in_pages():
    _, first = get("verwijzer", "/api/stoplicht/")
    total = first["aantal"]
    assert total > 50 and len(first["resultaten"]) == 50 and first["vorige"] is None
    assert first["volgende"].endswith("/api/stoplicht/?pagina=2")
    pages = -(-total // 50)
    _, last = get("verwijzer", f"/api/stoplicht/?pagina={pages}")
    assert len(last["resultaten"]) == total - 50 * (pages - 1) and last["volgende"] is None
    response, body = get("verwijzer", f"/api/stoplicht/?pagina={pages + 1}")
    assert_refusal(response, body, 404)
    _, big = get("verwijzer", "/api/stoplicht/?per_pagina=1000")
    assert len(big["resultaten"]) == min(200, total)
    seen = set()
    for page in range(1, pages + 1):
        _, body = get("verwijzer", f"/api/stoplicht/?pagina={page}")
        seen |= {(r["aanbieder"], r["product"]) for r in body["resultaten"]}
    assert len(seen) == total  # every combination exactly once over the pages
