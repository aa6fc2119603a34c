"""A walk through the contract screens and the tertiaalrapportage as the regio role, in Chromium,
with screenshots in /work/notes/screens (or var/screenshots) for a person to look at."""

import os
from pathlib import Path

import pytest

from jeugdregie.contracten.models import Raamovereenkomst, Toetredingscriterium, Toetredingsvenster
from jeugdregie.demo import region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("JEUGDREGIE_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"contracts-{name}.png"), full_page=True)


def _workbook(path, rows):
    from openpyxl import Workbook

    from jeugdregie.rules.outcomes import HEADER

    wb = Workbook()
    wb.active.append(list(HEADER))
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)


def test_regio_walks_the_contract_screens_and_the_report(live_server, page, tmp_path):
    import datetime as dt

    from jeugdregie.rapportage.tests.dataset import build_dataset

    found = build_dataset()
    today = dt.date.today()
    Toetredingsvenster.objects.create(
        categorie="C", opent_op=today - dt.timedelta(days=5), sluit_op=today + dt.timedelta(days=20)
    )
    Toetredingscriterium.objects.create(categorie="C", omschrijving="Inschrijving KvK", volgorde=1)
    late = Raamovereenkomst.objects.get(aanbieder=found["providers"][0])
    late.ondertekend_op = dt.date(2025, 12, 1)
    late.save()

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "regio")
    page.fill("#id_password", region.DEMO_WACHTWOORD)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Contracten").click()
    page.wait_for_selector("[data-testid=contractsignalen]")
    assert "Te laat ondertekend" in page.locator("[data-testid=contractsignalen]").inner_text()
    shot(page, "werklijst")

    page.locator("[data-testid=register]").get_by_role("link", name=late.kenmerk).click()
    page.wait_for_selector("[data-testid=kerngegevens]")
    page.select_option("#id_besluit", "verlengd")
    page.fill("#id_reden", "Goede resultaten en breed aanbod")
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_selector("text=Besluit over verlengingsoptie 1 vastgelegd.")
    assert "Goede resultaten en breed aanbod" in page.content()
    shot(page, "overeenkomst")

    page.goto(f"{live_server.url}/contracten/categorieen/?jaar=2026")
    page.wait_for_selector("[data-testid=categorieen]")
    shot(page, "categorieen")

    page.goto(f"{live_server.url}/contracten/stuuropdracht/{late.aanbieder.agb_code}/?jaar=2027")
    page.wait_for_selector("[data-testid=normen]")
    page.fill("#id_datum", "2027-09-05")
    page.fill("#id_deelnemers", "contractmanager regio, directeur aanbieder")
    page.fill("#id_afspraken", "Wachttijd terugbrengen; plan voor zorgduur.")
    page.fill("#id_actie_1", "Plan zorgduur aanleveren")
    page.fill("#id_eigenaar_1", "aanbieder")
    page.fill("#id_deadline_1", "2027-10-01")
    page.get_by_role("button", name="Gesprek vastleggen").click()
    page.wait_for_selector("text=Contractgesprek vastgelegd.")
    shot(page, "stuuropdracht")

    page.goto(f"{live_server.url}/contracten/gesprekken/")
    page.wait_for_selector("[data-testid=gespreksplanning]")
    assert "Plan zorgduur aanleveren" in page.content()
    shot(page, "gesprekken")

    # Outcomes by Excel upload: one bad row stores nothing and is named; the mended file is stored.
    agb = late.aanbieder.agb_code
    bad = tmp_path / "uitkomsten-fout.xlsx"
    good = tmp_path / "uitkomsten.xlsx"
    _workbook(bad, [(agb, "2026-T2", "doelrealisatie", 40, 30), (agb, "2026-T2", "tevredenheid", 40, 41)])
    _workbook(good, [(agb, "2026-T2", "doelrealisatie", 40, 30), (agb, "2026-T2", "tevredenheid", 40, 35)])
    page.goto(f"{live_server.url}/contracten/uitkomsten/")
    page.set_input_files("#id_bestand", str(bad))
    page.get_by_role("button", name="Bestand inlezen").click()
    page.wait_for_selector("[data-testid=rijfouten]")
    assert "Er is niets opgeslagen: 1 rij(en) met fouten." in page.content()
    assert "aantal positief (41) is groter dan aantal gemeten (40)" in page.inner_text(
        "[data-testid=rijfouten]"
    )
    assert "Nog geen metingen." in page.inner_text("[data-testid=metingen]")
    shot(page, "uitkomsten-fout")
    page.set_input_files("#id_bestand", str(good))
    page.get_by_role("button", name="Bestand inlezen").click()
    page.wait_for_selector("text=2 meting(en) opgeslagen.")
    assert page.locator("[data-testid=metingen] tbody tr").count() == 2
    shot(page, "uitkomsten")

    page.goto(f"{live_server.url}/contracten/toetreding/")
    page.fill("#id_agb", "97005555")
    page.fill("#id_naam", "Praktijk Nieuw Begin")
    page.select_option("#id_categorie", "C")
    page.locator("#id_producten").select_option(index=0)
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_selector("[data-testid=checklist]")
    page.locator("[data-testid=checklist] select").first.select_option("ja")
    page.select_option("#besluit", "toegelaten")
    page.fill("#motivering", "Voldoet aan de criteria van categorie C")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_selector("text=Besluit vastgelegd.")
    assert "Toegelaten" in page.locator("[data-testid=status]").inner_text()
    shot(page, "aanvraag")

    page.get_by_role("link", name="Tertiaalrapportage").click()
    page.wait_for_selector("text=Tertiaalrapportage 2027-T2")
    assert page.locator("img.chart").count() == 3
    shot(page, "rapportage")
