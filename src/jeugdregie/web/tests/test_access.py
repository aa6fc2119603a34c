"""Access rules tried as each demo role would (SYSTEM.md section 6): small numbers suppressed in
the query layer outside regio, other parties' codes refused, parameters validated, Dutch error
pages, audit of client-level admin views, login throttling and security headers."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import Toewijzing
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date
ROLES = ("regio", "gemeente-venlo", "aanbieder", "verwijzer", "beheer")


@pytest.fixture(autouse=True)
def care():
    load_demo_region()
    return build_care()


def build_care():
    """2024: six clients of Venlo and two of Venray at the demo provider user's provider (own),
    one client of Venray at another provider; every allocation 45N01 from January to March with
    EUR 1,000 a month claimed, and for two Venlo clients EUR 1,000 more in May (second tertial).
    The data runs to 31 January 2025."""
    venlo, venray = Gemeente.objects.get(cbs_code="0983"), Gemeente.objects.get(cbs_code="0984")
    own = Aanbieder.objects.get(agb_code=region.aanbieders()[0].agb_code)
    other = Aanbieder.objects.get(agb_code=region.aanbieders()[5].agb_code)
    rows = CareRows(D(2025, 1, 31))
    people = [(k, venlo, own) for k in "abcdef"] + [(k, venray, own) for k in "gh"] + [("i", venray, other)]
    for key, gemeente, aanbieder in people:
        allocation = rows.allocation(
            rows.client(key, gemeente), aanbieder, f"T-{key}", D(2024, 1, 1), D(2024, 3, 31)
        )
        for month in (1, 2, 3):
            rows.line(allocation, D(2024, month, 1), D(2024, month, 28), 100_000)
        if key in "ab":  # two clients with a late claim in the second tertial
            rows.line(allocation, D(2024, 5, 1), D(2024, 5, 28), 100_000)
    rows.message("JW301")
    return own, other


def cells(html: str, label: str) -> list[str]:
    """The year and tertial cells of a KPI row."""
    row = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", html, re.S)
    assert row, label
    # A shown number links to its drill-down (/onderbouwing/): compare the text, not the link.
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def kpi_page(client, query):
    response = client.get(f"/kpi/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_region_sees_every_small_number():
    html = kpi_page(login("regio"), "jaar=2024&gemeente=0984")
    assert cells(html, "Cliënten") == ["3", "3", "-", "-"]
    assert cells(html, "Kosten") == ["EUR 9.000", "EUR 9.000", "-", "-"]  # nothing claimed after T1
    assert cells(html, "Herhaald beroep (recidive)")[1] == "0,0%"  # T1 has 183 days of follow-up
    assert "45N01" in cells(html, "Meest voorkomende zorgpaden")[0]


@pytest.mark.parametrize("username", ["aanbieder", "gemeente-venlo", "beheer"])
def test_outside_the_region_nothing_rests_on_fewer_than_five_clients(username):
    client = login(username)
    if username == "gemeente-venlo":  # another municipality: refused (test below)
        assert client.get("/kpi/?jaar=2024&gemeente=0984").status_code == 403
    else:
        html = kpi_page(client, "jaar=2024&gemeente=0984")  # 2 or 3 clients in Venray
        assert "minder dan 5 cliënten" in html
        for label in (
            "Cliënten",
            "Kosten",
            "Kosten per cliënt",
            "Herhaald beroep (recidive)",
            "Gemiddelde duur zorgpad",
        ):
            assert set(cells(html, label)) == {"-"}, label
        assert cells(html, "Meest voorkomende zorgpaden") == ["-"] * 4
    # Six clients in Venlo: shown, with units and the product's name beside its code.
    html = kpi_page(client, "jaar=2024&gemeente=0983")
    assert cells(html, "Cliënten") == ["6", "6", "-", "-"]  # 2 clients in T2
    assert cells(html, "Kosten")[0] == "EUR 20.000"
    assert cells(html, "Gemiddelde duur zorgpad")[0] == "3,0 maanden"
    name = Product.objects.filter(code="45N01").values_list("naam", flat=True).first()
    assert cells(html, "Meest voorkomende zorgpaden")[0] == f"45N01 {name} (6)"


def test_a_municipality_asking_for_another_municipality_is_refused(care):
    """Not its suppressed figures but a 403, as on /overzicht/ (every URL: test_other_parties);
    the selector offers the own municipality and the whole region only."""
    _, other = care
    client = login("gemeente-venlo")
    response = client.get(f"/kpi/?jaar=2024&gemeente=0984&aanbieder={other.agb_code}")
    html = response.content.decode()
    assert response.status_code == 403 and "<h1>Geen toegang</h1>" in html
    assert "Een gemeente ziet alleen de eigen gemeente" in html and "EUR" not in html
    select = re.search(r'<select name="gemeente">(.*?)</select>', kpi_page(client, "jaar=2024"), re.S)
    assert select and re.findall(r'value="(\d*)"', select.group(1)) == ["", "0983"]


@override_settings(SMALL_NUMBER_THRESHOLD=2)
def test_the_threshold_is_configuration():
    html = kpi_page(login("aanbieder"), "jaar=2024&gemeente=0984")
    assert cells(html, "Cliënten")[0] == "2"
    assert "minder dan 2 cliënten" in html


def test_tertials_of_a_sum_are_hidden_together():
    """Spend of Venlo at the own provider in T2 rests on 2 clients; T1 on 6. Shown with the year,
    T1 would give T2 away (year minus T1), so a sum's tertials are hidden together."""
    assert cells(kpi_page(login("regio"), "jaar=2024&gemeente=0983"), "Kosten") == [
        "EUR 20.000",
        "EUR 18.000",
        "EUR 2.000",
        "-",
    ]
    html = kpi_page(login("aanbieder"), "jaar=2024&gemeente=0983")
    assert cells(html, "Kosten") == ["EUR 20.000", "-", "-", "-"]
    assert cells(html, "Cliënten") == ["6", "6", "-", "-"]  # a count of clients is no sum


@pytest.mark.parametrize("username", ROLES)
def test_bad_parameters_give_a_dutch_message_not_a_server_error(username):
    client = login(username)
    for query in ("jaar=99999", "jaar=abc", "jaar=-1", "jaar=2024&peildatum=x"):
        response = client.get(f"/kpi/?{query}")
        if username == "verwijzer":
            assert response.status_code == 403
            continue
        assert response.status_code == 200, query
        html = response.content.decode()
        if "2024" not in query:
            assert 'role="alert"' in html and "u ziet 2024" in html, query
        assert "KPI's 2024" in html  # the newest complete year of the data


def test_unknown_codes_are_a_dutch_404_in_the_layout():
    for url in (
        "/kpi/?gemeente=9999",
        "/kpi/?aanbieder=00000000",
        "/datakwaliteit/?gemeente=x",
        "/bestaat-niet/",
    ):
        response = login("regio").get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "Pagina niet gevonden" in html and "Terug naar het overzicht" in html and "Uitloggen" in html


def test_years_before_2022_are_offered_when_there_is_data():
    rows = CareRows(D(2025, 1, 31))
    venlo = Gemeente.objects.get(cbs_code="0983")
    own = Aanbieder.objects.get(agb_code=region.aanbieders()[0].agb_code)
    rows.allocation(rows.client("z", venlo), own, "OUD", D(2019, 3, 1), D(2019, 6, 30))
    html = kpi_page(login("regio"), "jaar=2019")
    assert "KPI's 2019" in html and '<option value="2019" selected>' in html
    assert all(f'<option value="{y}"' in html for y in range(2019, 2026))


@pytest.mark.parametrize(
    ("username", "url", "reason"),
    [
        ("verwijzer", "/kpi/", "Verwijzers zien het stoplicht"),
        ("verwijzer", "/plafonds/", "Verwijzers zien het stoplicht"),
        ("verwijzer", "/datakwaliteit/", "Verwijzers zien het stoplicht"),
        ("aanbieder", "/stoplicht/", "Het stoplicht is voor verwijzers"),
        ("aanbieder", "/kpi/?aanbieder={other}", "alleen de eigen gegevens"),
        ("aanbieder", "/datakwaliteit/?aanbieder={other}", "alleen de eigen gegevens"),
        ("gemeente-venlo", "/admin/", None),
        ("aanbieder", "/admin/zorg/client/", None),
    ],
)
def test_refusals_are_dutch_pages_that_say_why(care, username, url, reason):
    _, other = care
    response = login(username).get(url.format(other=other.agb_code))
    if reason is None:  # the admin sends users without staff rights to its login
        assert response.status_code == 302 and "/admin/login/" in response.url
        return
    assert response.status_code == 403
    html = response.content.decode()
    assert "Geen toegang" in html and reason in html and 'href="/"' in html and "Uitloggen" in html


def test_a_server_error_is_a_dutch_page_without_details(monkeypatch):
    from jeugdregie.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("geheime details")

    monkeypatch.setattr(views, "scoped_kpi_rows", broken)
    client = login("regio")
    client.raise_request_exception = False
    response = client.get("/kpi/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Er ging iets mis" in html and "geheime details" not in html and "Traceback" not in html


def test_logging_out_lands_on_a_dutch_page_of_the_site():
    response = login("regio").post("/accounts/logout/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/uitgelogd/"
    assert "U bent uitgelogd" in html and "Opnieuw inloggen" in html and "Django" not in html


def test_provider_pages_say_which_provider_is_logged_in(care):
    own, _ = care
    for url in ("/", "/kpi/", "/datakwaliteit/"):
        html = login("aanbieder").get(url).content.decode()
        assert f"{own.naam} (AGB {own.agb_code})" in html, url
    assert "gemeente Venlo" in login("gemeente-venlo").get("/").content.decode()


@pytest.mark.parametrize("username", ROLES)
def test_navigation_links_only_to_pages_the_role_may_open(username):
    client = login(username)
    html = client.get("/").content.decode()
    nav = re.search(r"<nav.*?</nav>", html, re.S).group(0)
    for href in re.findall(r'href="([^"]+)"', nav):
        assert client.get(href, follow=True).status_code == 200, (username, href)


def test_the_ceilings_admin_link_is_shown_only_with_the_right_to_open_it():
    html = login("regio").get("/plafonds/").content.decode()
    assert "Beheer › Budgetplafonds" not in html  # regio may not open the ceilings admin
    assert login("regio").get("/admin/budget/plafond/").status_code == 403
    assert "Beheer › Budgetplafonds" in login("beheer").get("/plafonds/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/zorg/client/",
        "/admin/zorg/toewijzing/",
        "/admin/zorg/toewijzing/{toewijzing}/change/",
        "/admin/zorg/declaratieregel/",
        "/admin/zorg/declaratie/",
        "/admin/ijw/quarantaineitem/",
    ],
)
def test_every_client_level_admin_view_is_audited(url):
    toewijzing = Toewijzing.objects.first()
    client = login("regio")
    AuditRegel.objects.all().delete()
    assert client.get(url.format(toewijzing=toewijzing.pk)).status_code == 200
    line = AuditRegel.objects.get()
    assert line.user.username == "regio" and line.actie.startswith("beheer: ")
    if "change" in url:
        assert line.object_omschrijving == f"toewijzing {toewijzing.pk}"


def test_admin_pages_without_client_data_are_not_audited():
    client = login("regio")
    AuditRegel.objects.all().delete()
    assert client.get("/admin/catalogus/product/").status_code == 200
    assert not AuditRegel.objects.exists()


def test_five_wrong_passwords_lock_the_login_out_even_with_the_right_one():
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "regio", "password": "fout"})
        assert response.status_code in (200, 429)
    response = client.post("/accounts/login/", {"username": "regio", "password": region.DEMO_WACHTWOORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in html and "15 minuten" in html
    assert "_auth_user_id" not in client.session
    # Another user is not locked out by it.
    response = Client().post("/accounts/login/", {"username": "beheer", "password": region.DEMO_WACHTWOORD})
    assert response.status_code == 302


def test_a_right_password_after_a_few_wrong_ones_logs_in():
    client = Client()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "regio", "password": "fout"})
    response = client.post("/accounts/login/", {"username": "regio", "password": region.DEMO_WACHTWOORD})
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.parametrize("username", ROLES)
def test_security_headers_on_every_page(username):
    client = login(username)
    for url in ("/", "/kpi/", "/stoplicht/", "/plafonds/", "/datakwaliteit/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        if response.status_code == 200:
            html = response.content.decode()
            assert "<style" not in html and " style=" not in html and "<script>" not in html


def test_the_login_page_has_no_inline_styles_and_is_not_stored_after_login():
    html = Client().get("/accounts/login/").content.decode()
    assert "<style" not in html and " style=" not in html


def test_the_admin_login_is_throttled_as_well():
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "beheer", "password": "fout"})
    response = client.post("/admin/login/", {"username": "beheer", "password": region.DEMO_WACHTWOORD})
    assert response.status_code == 429 and "Inloggen tijdelijk geblokkeerd" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_number_of_attempts_is_configuration():
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "regio", "password": "fout"})
    response = client.post("/accounts/login/", {"username": "regio", "password": region.DEMO_WACHTWOORD})
    assert response.status_code == 429 and "2 keer een verkeerd wachtwoord" in response.content.decode()
