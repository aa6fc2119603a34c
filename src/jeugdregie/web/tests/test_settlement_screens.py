"""The settlement statements on screen with exact numbers on the hand-made year (see
settlement_fixture), and who may open which statement: every role tried with other parties' ids."""

import re

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.budget.models import Regelset, RegelsetActivering
from jeugdregie.budget.tests.settlement_support import BEESEL, VENLO
from jeugdregie.demo import region
from jeugdregie.rules.settlement import example_rule_sets

from .settlement_fixture import Y, build_year_2026, login

pytestmark = pytest.mark.django_db
CHARGE = r"<tr><td>(A|D)</td><td[^>]*>(\w+)</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>"


@pytest.fixture
def year():
    return build_year_2026()


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def row(html: str, label: str) -> list[str]:
    """The cells of the first table row that starts with `label`."""
    for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        ]
        if cells and cells[0].startswith(label):
            return cells
    raise AssertionError(f"geen rij {label}")


def test_the_demo_provider_user_is_provider_a(year):
    assert region.aanbieders()[0].agb_code == year.a.agb_code


def test_provider_statement_under_the_hard_cap_for_the_region(year):
    html = login("regio").get(f"/afrekening/aanbieder/{year.a.agb_code}/?jaar={Y}").content.decode()
    # Group A: D 10,000.00, C 8,000.00, recorded approval 500.00 -> E = paid 8,500.00, unpaid 1,500.00.
    assert row(html, "A ")[1:] == [
        "10.000,00",
        "0,00",
        "8.000,00",
        "500,00",
        "8.500,00",
        "8.500,00",
        "1.500,00",
    ]
    # Group D under its ceiling: paid what was claimed; the hard cap has no norm reduction.
    assert row(html, "D ")[1:] == ["2.000,02", "0,00", "3.000,00", "0,00", "2.000,02", "2.000,02", "0,00"]
    assert row(html, "Totaal")[1:] == [
        "12.000,02",
        "0,00",
        "11.000,00",
        "500,00",
        "10.500,02",
        "10.500,02",
        "1.500,00",
    ]
    # Charges by production: Venlo 6,000 / Beesel 4,000 of 8,500.00; the region sees small numbers.
    charges = re.findall(CHARGE, html)
    assert charges == [
        ("A", "Beesel", "4.000,00", "3.400,00"),
        ("A", "Venlo", "6.000,00", "5.100,00"),
        ("D", "Venlo", "2.000,02", "2.000,02"),
    ]
    assert "Deze regelset past geen korting na de normduur toe" in html
    assert not AuditRegel.objects.exists()


def test_provider_statement_under_the_staffel_shows_and_audits_the_norm_lines(year):
    page = login("regio").get(f"/afrekening/aanbieder/{year.a.agb_code}/?jaar={Y}&regelset=voorbeeld:staffel")
    html = page.content.decode()
    # Group A under the staffel, policy all: 7,200 + 0.95 x 800 + 0.80 x 2,000 = 9,560.00.
    assert row(html, "A ")[1:] == [
        "10.000,00",
        "0,00",
        "8.000,00",
        "2.000,00 (vastgelegd 500,00)",
        "10.000,00",
        "9.560,00",
        "440,00",
    ]
    # Group D: the March line of 1,000.01 is after the norm (path since 2025-03-01, 12 months):
    # 100,001 - round(100,001 x 0.85) = 15,000 cents; D' = 1,850.02 is paid in full.
    assert row(html, "D ")[1:] == ["2.000,02", "150,00", "3.000,00", "0,00", "1.850,02", "1.850,02", "150,00"]
    line = row(html, next(iter(re.findall(r"<tr><td>(\d+)</td><td[^>]*>D</td>", html))))
    assert line[1:] == [
        "D",
        "Venlo",
        "41/41N04",
        "01-03-2026 – 31-03-2026",
        "01-03-2025",
        "12 mnd",
        "01-03-2026",
        "1.000,01",
        "0,85",
        "150,00",
    ]
    audit = AuditRegel.objects.get()
    assert audit.actie == "afrekening: regels na normduur bekeken"
    assert audit.object_omschrijving == f"aanbieder {year.a.agb_code} {Y} (staffel)"


def test_municipality_statement_for_the_region(year):
    html = login("regio").get(f"/afrekening/gemeente/{VENLO}/?jaar={Y}").content.decode()
    # Venlo is charged 5,100.00 (A at provider A) + 2,000.02 (D) + 2,500.00 (category C provider).
    assert row(html, "Toegerekend (eigen kosten)")[1] == "9.600,02"
    assert row(html, "Gedeclareerd voor inwoners")[1] == "10.500,02"
    # Segment 4 (group A) on the 3-year average of claims 2023-2025: Venlo 1,000 / Beesel 2,000 a
    # year -> shares 1/3, 2/3 of the cost 11,000.00: Venlo contributes 3,666.67 against its own
    # 7,600.00: balance -3,933.33 (it receives). Group D has no history: own cost, balance 0.
    assert row(html, "segment 4")[2:] == ["33,33%", "11.000,00", "7.600,00", "3.666,67", "-3.933,33"]
    assert row(html, "segment 3")[-1] == "0,00"
    assert row(html, "Saldo solidariteit")[1] == "-3.933,33"
    assert row(html, "Te dragen na solidariteit")[1] == "5.666,69"
    assert "Overige aanbieders" not in html  # the region sees every row


def test_overview_for_the_region(year):
    html = login("regio").get(f"/afrekening/?jaar={Y}").content.decode()
    assert row(html, "Uitbetaald")[1] == "13.000,02"  # 8,500.00 + 2,000.02 + 2,500.00
    assert row(html, "Niet uitbetaald")[1] == "1.500,00"
    assert row(html, "Beesel")[1:5] == ["4.000,00", "3.400,00", "3.933,33", "7.333,33"]


def test_overview_says_by_how_much_the_c_budget_is_overrun(year):
    from jeugdregie.budget.models import CBudget
    from jeugdregie.budget.settlement import settle

    CBudget.objects.create(jaar=Y, referentiejaar=Y - 2, bedrag_cent=100_000)
    paid_c = settle(Y).c_budget.paid_cents
    assert paid_c > 100_000
    html = login("regio").get(f"/afrekening/?jaar={Y}").content.decode()
    euros = f"{(paid_c - 100_000) // 100:,}".replace(",", ".") + f",{(paid_c - 100_000) % 100:02d}"
    assert row(html, "C-budget")[1] == f"1.000,00 (overschreden met {euros})"


def test_a_municipality_sees_its_own_statement_with_small_numbers_together(year):
    client = login("gemeente-venlo")
    overview = client.get(f"/afrekening/?jaar={Y}")
    assert overview.status_code == 302 and overview["Location"].startswith(f"/afrekening/gemeente/{VENLO}/")
    html = client.get(f"/afrekening/gemeente/{VENLO}/?jaar={Y}").content.decode()
    # Provider A group A rests on 6 Venlo clients: shown. Group D (1 client) and the C provider
    # (1 client) together on one line.
    assert row(html, region.aanbieders()[0].naam)[2:] == ["6.000,00", "5.100,00"]
    assert row(html, "Overige aanbieders (2 combinaties")[2:] == ["4.500,02", "4.500,02"]
    assert row(html, "Totaal")[2:] == ["10.500,02", "9.600,02"]
    assert row(html, "Te dragen na solidariteit")[1] == "5.666,69"


def test_a_provider_sees_its_own_statement_with_small_charges_suppressed(year):
    html = login("aanbieder").get(f"/afrekening/?jaar={Y}", follow=True).content.decode()
    assert row(html, "A ")[6] == "8.500,00"
    charges = re.findall(CHARGE, html)
    # Beesel (2 clients) and group D in Venlo (1 client) rest on fewer than 5 clients.
    assert charges == [
        ("A", "Beesel", "-", "-"),
        ("A", "Venlo", "6.000,00", "5.100,00"),
        ("D", "Venlo", "-", "-"),
    ]
    assert "2 bedrag(en) rusten op minder dan 5 cliënten" in html


def test_a_provider_sees_its_norm_lines_under_the_activated_rule_set(year):
    staffel = example_rule_sets()["staffel"].read_text()
    stored = Regelset.objects.create(naam="staffel-2026", toml=staffel, door=year.regio)
    RegelsetActivering.objects.create(jaar=Y, regelset=stored, door=year.regio)
    client = login("aanbieder")
    html = client.get(
        f"/afrekening/aanbieder/{year.a.agb_code}/?jaar={Y}&regelset=voorbeeld:harde-plafond"
    ).content.decode()
    # A provider cannot choose a rule set: the activated one applies.
    assert "staffel-2026" in html and row(html, "A ")[6] == "9.560,00"
    assert "Regels na de normduur (1)" in html
    assert AuditRegel.objects.filter(user__username="aanbieder").count() == 1


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        # A municipality: not another municipality, no provider statement, no workbook of others.
        ("gemeente-venlo", "/afrekening/gemeente/0889/", 403),
        ("gemeente-venlo", "/afrekening/gemeente/0889/excel/", 403),
        ("gemeente-venlo", "/afrekening/aanbieder/{a}/", 403),
        ("gemeente-venlo", "/afrekening/aanbieder/{a}/excel/", 403),
        ("gemeente-venlo", "/afrekening/overschrijdingen/", 403),
        ("gemeente-venlo", "/afrekening/gemeente/9999/", 403),
        # A provider: not another provider, no municipality statement, no comparison.
        ("aanbieder", "/afrekening/aanbieder/{c}/", 403),
        ("aanbieder", "/afrekening/aanbieder/{c}/excel/", 403),
        ("aanbieder", "/afrekening/aanbieder/99999999/", 403),
        ("aanbieder", "/afrekening/gemeente/0983/", 403),
        ("aanbieder", "/afrekening/vergelijking/", 403),
        ("aanbieder", "/afrekening/overschrijdingen/", 403),
        # A referrer and beheer: nothing.
        ("verwijzer", "/afrekening/", 403),
        ("verwijzer", "/afrekening/aanbieder/{a}/", 403),
        ("verwijzer", "/afrekening/gemeente/0983/", 403),
        ("verwijzer", "/afrekening/vergelijking/", 403),
        ("verwijzer", "/afrekening/overschrijdingen/", 403),
        ("beheer", "/afrekening/", 403),
        ("beheer", "/afrekening/gemeente/0983/excel/", 403),
        # The region: unknown codes are 404, a rule set is never a path.
        ("regio", "/afrekening/aanbieder/99999999/", 404),
        ("regio", "/afrekening/gemeente/9999/", 404),
        ("regio", "/afrekening/?regelset=/etc/passwd", 403),
        ("regio", "/afrekening/vergelijking/?regelset=../../x.toml&regelset=voorbeeld:staffel", 403),
    ],
)
def test_other_parties_ids_are_refused(year, username, path, status):
    path = path.format(a=year.a.agb_code, c=year.c.agb_code)
    sep = "&" if "?" in path else "?"
    assert login(username).get(f"{path}{sep}jaar={Y}").status_code == status


def test_the_own_statements_open(year):
    assert login("aanbieder").get(f"/afrekening/aanbieder/{year.a.agb_code}/?jaar={Y}").status_code == 200
    assert login("gemeente-venlo").get(f"/afrekening/gemeente/{VENLO}/?jaar={Y}").status_code == 200
    assert login("regio").get(f"/afrekening/gemeente/{BEESEL}/?jaar={Y}").status_code == 200


def test_comparison_of_the_four_examples_for_the_region(year):
    html = login("regio").get(f"/afrekening/vergelijking/?jaar={Y}").content.decode()
    # Default: the four examples, alphabetically: donut-5, donut-staffel, harde-plafond, staffel.
    # donut-5 pays 8,000 + (10,000 - 8,400) = 9,600 on group A; donut-staffel 7,200 + 760 +
    # 0.80 x 1,600 = 9,240; harde-plafond 8,500 (the approval); staffel 9,560 (and 150 less on D).
    assert row(html, "Uitbetaald")[1:] == ["14.100,02", "13.740,02", "13.000,02", "13.910,02"]
    assert row(html, "Verschil")[1:] == ["0,00", "-360,00", "-1.100,00", "-190,00"]
    assert row(html, region.aanbieders()[0].naam)[4:] == [
        "9.600,00",
        "9.240,00",
        "8.500,00",
        "9.560,00",
        "-360,00",
        "-1.100,00",
        "-40,00",
    ]
    venlo = row(html, "Venlo")
    assert venlo[1] == "10.500,02"
    assert venlo[2:6] == ["10.260,02", "10.044,02", "9.600,02", "10.086,02"]


def test_comparison_for_a_municipality_shows_only_its_own_row(year):
    html = login("gemeente-venlo").get(f"/afrekening/vergelijking/?jaar={Y}").content.decode()
    assert row(html, "Venlo")[2:6] == ["10.260,02", "10.044,02", "9.600,02", "10.086,02"]
    assert "Beesel</td>" not in html and region.aanbieders()[0].naam not in html


def test_comparison_needs_two_rule_sets(year):
    html = (
        login("regio").get(f"/afrekening/vergelijking/?jaar={Y}&regelset=voorbeeld:staffel").content.decode()
    )
    assert "Kies ten minste twee regelsets" in html


def test_a_database_rule_set_in_the_comparison(year):
    # A rule set the region stored: the hard cap with every overrun approved pays D on group A.
    text = (
        example_rule_sets()["harde-plafond"].read_text().replace('overruns = "recorded"', 'overruns = "all"')
    )
    Regelset.objects.create(naam="alles-goedgekeurd", toml=text, door=year.regio)
    url = f"/afrekening/vergelijking/?jaar={Y}&regelset=voorbeeld:harde-plafond&regelset=db:alles-goedgekeurd"
    html = login("regio").get(url).content.decode()
    assert "Database: alles-goedgekeurd" in html
    # 13,000.02 with the recorded approval; 14,500.02 (everything claimed) with all approved.
    assert row(html, "Uitbetaald")[1:] == ["13.000,02", "14.500,02"]
    assert row(html, "Verschil")[1:] == ["0,00", "1.500,00"]
