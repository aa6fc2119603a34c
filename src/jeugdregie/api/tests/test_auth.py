"""Tokens for systems (created with `manage drf_create_token`), refused when wrong; the audit line
the KPI screen writes is written for the API as well."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.web.tests.test_access import build_care

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def care():
    load_demo_region()
    return build_care()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create_token(username: str, *args: str) -> str:
    out = io.StringIO()
    call_command("drf_create_token", username, *args, stdout=out)
    return out.getvalue().split()[2]  # "Generated token <key> for user <name>"


def test_a_token_from_the_command_works_and_a_wrong_one_is_refused():
    key = create_token("gemeente-venlo")
    assert len(key) == 40
    response = with_token(key).get("/api/kpi/?jaar=2024")
    assert response.status_code == 200 and response.json()["onderdrukt"] is True
    for wrong in (key[:-1] + ("0" if key[-1] != "0" else "1"), "", "x" * 40):
        response = with_token(wrong).get("/api/kpi/")
        assert response.status_code == 401, wrong
        assert response.json()["detail"] in (
            "Het token of de inloggegevens zijn ongeldig.",
            "Niet ingelogd: geef een token mee (Authorization: Token <sleutel>) of log in.",
        )
    response = with_token(key[:-1] + ("0" if key[-1] != "0" else "1")).get("/api/kpi/")
    assert response.json() == {"detail": "Het token of de inloggegevens zijn ongeldig."}


def test_a_renewed_token_replaces_the_old_one_and_an_inactive_user_is_refused():
    old = create_token("regio")
    new = create_token("regio", "--reset")
    assert new != old
    assert with_token(old).get("/api/kpi/").status_code == 401
    assert with_token(new).get("/api/kpi/").status_code == 200
    User.objects.filter(username="regio").update(is_active=False)
    assert with_token(new).get("/api/kpi/").status_code == 401


def test_the_municipalitys_own_kpis_are_audited_as_on_the_screen():
    client = with_token(create_token("gemeente-venlo"))
    AuditRegel.objects.all().delete()
    assert client.get("/api/kpi/?jaar=2024&gemeente=0983").status_code == 200
    line = AuditRegel.objects.get()
    assert (line.user.username, line.actie, line.object_omschrijving) == (
        "gemeente-venlo",
        "kpi bekeken",
        "gemeente 0983 2024 via de API",
    )
    # Another municipality is refused; the region's view is not audited by the screen either.
    assert client.get("/api/kpi/?jaar=2024&gemeente=0984").status_code == 403
    assert client.get("/api/kpi/?jaar=2024").status_code == 200
    assert with_token(create_token("regio")).get("/api/kpi/?jaar=2024&gemeente=0983").status_code == 200
    assert AuditRegel.objects.count() == 1
    # The screen writes the same line for the same view.
    from jeugdregie.accounts.testing import login

    login("gemeente-venlo").get("/kpi/?jaar=2024&gemeente=0983")
    assert (
        AuditRegel.objects.filter(actie="kpi bekeken", object_omschrijving="gemeente 0983 2024").count() == 1
    )


def test_the_admin_hands_out_tokens_to_beheer_only():
    from jeugdregie.accounts.testing import login

    beheer = login("beheer")
    assert beheer.get("/admin/authtoken/tokenproxy/").status_code == 200
    regio_user = User.objects.get(username="regio")
    response = beheer.post("/admin/authtoken/tokenproxy/add/", {"user": regio_user.pk})
    assert response.status_code == 302
    key = regio_user.auth_token.key
    assert with_token(key).get("/api/kpi/").status_code == 200
    # The regio role is staff (it uses the admin) but may not see or make tokens.
    assert login("regio").get("/admin/authtoken/tokenproxy/").status_code == 403


def test_the_schema_needs_a_login_or_a_token():
    """The schema names every endpoint and parameter: refused without credentials, as the endpoints."""
    for url in ("/api/schema/", "/api/schema/?format=json"):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert response.json() == {
            "detail": "Niet ingelogd: geef een token mee (Authorization: Token <sleutel>) of log in."
        }
        assert with_token("x" * 40).get(url).status_code == 401
    response = with_token(create_token("aanbieder")).get("/api/schema/?format=json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "Jeugdregie lees-API"
    from jeugdregie.accounts.testing import login

    response = login("gemeente-venlo").get("/api/schema/")  # a logged-in browser: the YAML
    assert response.status_code == 200 and b"title: Jeugdregie lees-API" in response.content
