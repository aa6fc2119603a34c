"""The settlement workbooks, downloaded as each role would and opened with openpyxl: their
formulas, evaluated as Excel would (xlsx_eval), give the service's numbers to the cent."""

import io

import pytest
from openpyxl import load_workbook

from jeugdregie.budget.tests.settlement_support import BEESEL, VENLO
from jeugdregie.web.afrekening_service import settled

from .settlement_fixture import Y, build_year_2026, login
from .xlsx_eval import Evaluator, excel_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return build_year_2026()


def workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return load_workbook(io.BytesIO(response.content))


def cents(value) -> int:
    return round(value * 100)


def test_excel_round_is_excels():
    assert excel_round(9000 + 0.95 * 0.01, 2) == 9000.01  # float 9000.009499999... in Python
    assert excel_round(-0.085, 2) == -0.09
    assert excel_round(2.675, 2) == 2.68


@pytest.mark.parametrize(
    "rules", ["voorbeeld:harde-plafond", "voorbeeld:staffel", "voorbeeld:donut-5", "voorbeeld:donut-staffel"]
)
def test_provider_workbook_formulas_give_the_service_numbers(year, rules):
    wb = workbook(login("regio"), f"/afrekening/aanbieder/{year.a.agb_code}/excel/?jaar={Y}&regelset={rules}")
    assert wb.sheetnames == ["Invoer", "Afrekening", "Toerekening", "Normduur"]
    ws = wb["Afrekening"]
    assert ws.freeze_panes == "C2"
    assert ws["C2"].number_format == "#,##0.00"
    assert ws.column_dimensions["B"].width == 28
    service = {g.groep: g for g in settled(Y, rules).for_provider(year.a.agb_code)}
    ev = Evaluator(wb)
    rows = {ws[f"A{r}"].value: r for r in range(2, ws.max_row + 1)}
    assert set(rows) == {"A", "D", "Totaal"}
    for groep, g in service.items():
        r, o = rows[groep], g.outcome
        got = {col: ev.value("Afrekening", f"{col}{r}") for col in "CDEFGHIJKL"}
        assert cents(got["C"]) == o.claimed_cents
        assert cents(got["D"]) == o.after_norm_reduction_cents
        assert cents(got["E"]) == o.ceiling_cents
        assert cents(got["G"]) == o.approved_overrun_cents
        assert cents(got["H"]) == o.eligible_cents
        assert cents(got["I"]) == o.paid_cents  # the tier formula as Excel computes it
        assert cents(got["J"]) == o.unpaid_cents
        assert got["L"] == 0
    total = rows["Totaal"]
    assert cents(ev.value("Afrekening", f"I{total}")) == sum(g.outcome.paid_cents for g in service.values())
    # The paid amount is a real formula on the tiers of the sheet "Invoer".
    assert ws[f"I{rows['A']}"].value.startswith("=ROUND(Invoer!$D$12*MAX(0,")


def test_provider_workbook_under_the_staffel_by_hand(year):
    wb = workbook(
        login("regio"), f"/afrekening/aanbieder/{year.a.agb_code}/excel/?jaar={Y}&regelset=voorbeeld:staffel"
    )
    ev = Evaluator(wb)
    inputs = wb["Invoer"]
    assert [inputs[f"{c}12"].value for c in "ABCD"] == [1, 0, 0.9, 1]
    assert [inputs[f"{c}14"].value for c in "ABCD"] == [3, 1, None, 0.8]
    assert inputs["B4"].value == "staffel"
    # Group A: 7,200 + 0.95 x 800 + 0.80 x 2,000.
    assert wb["Afrekening"]["I2"].value == (
        "=ROUND(Invoer!$D$12*MAX(0,MIN(H2,Invoer!$C$12*E2)-Invoer!$B$12*E2)"
        "+Invoer!$D$13*MAX(0,MIN(H2,Invoer!$C$13*E2)-Invoer!$B$13*E2)"
        "+Invoer!$D$14*MAX(0,H2-Invoer!$B$14*E2),2)"
    )
    assert wb["Afrekening"]["H2"].value == "=MAX(0,MIN(C2-D2,E2+G2))"
    assert wb["Afrekening"]["G2"].value == "=MAX(0,C2-D2-E2)"  # policy "all"
    assert ev.value("Afrekening", "I2") == 9560.0
    # The norm line: 1,000.01 - ROUND(1,000.01 x 0.85; 2) = 150.00, summed into R of group D.
    lines = wb["Normduur"]
    assert lines.max_row == 2
    assert [lines[f"{c}2"].value for c in "BCDHJK"] == ["D", VENLO, "41/41N04", 12, 1000.01, 0.85]
    assert lines["L2"].value == "=J2-ROUND(J2*K2,2)"
    assert ev.value("Normduur", "L2") == pytest.approx(150.0)
    assert wb["Afrekening"]["D3"].value == "=SUM(Normduur!L2:L2)"
    assert cents(ev.value("Afrekening", "I3")) == 185_002
    # Charges: values by largest remainder, the exact share beside them as a formula.
    charges = wb["Toerekening"]
    got = {(charges[f"A{r}"].value, charges[f"B{r}"].value): r for r in range(2, charges.max_row + 1)}
    beesel, venlo = got[("A", BEESEL)], got[("A", VENLO)]
    assert charges[f"G{beesel}"].value == 3824.0 and charges[f"G{venlo}"].value == 5736.0
    assert ev.value("Toerekening", f"F{venlo}") == pytest.approx(5736.0)


def test_municipality_workbook(year):
    wb = workbook(login("gemeente-venlo"), f"/afrekening/gemeente/{VENLO}/excel/?jaar={Y}")
    assert wb.sheetnames == ["Invoer", "Toerekening", "Solidariteit", "Saldo"]
    ev = Evaluator(wb)
    ws = wb["Toerekening"]
    # Provider A group A (6 clients) on its own, the rest (2 combinations of 1 client) together.
    assert ws.max_row == 4
    assert [ws[f"{c}2"].value for c in "ACEF"] == [year.a.agb_code, "A", 6000.0, 5100.0]
    assert ws["B3"].value.startswith("Overige aanbieders (2 combinaties")
    assert ev.value("Toerekening", "F4") == pytest.approx(9600.02)
    sol = wb["Solidariteit"]
    seg4 = next(r for r in range(2, sol.max_row) if sol[f"A{r}"].value == "segment 4")
    assert sol[f"E{seg4}"].value == pytest.approx(1000.0)  # (3,000.00 in 2025) / 3 years
    assert ev.value("Solidariteit", f"K{seg4}") == pytest.approx(-3933.33)
    assert ev.value("Solidariteit", f"J{seg4}") == pytest.approx(3666.6667, abs=0.0001)
    assert ev.value("Saldo", "B4") == pytest.approx(5666.69)
    assert wb["Saldo"]["B5"].value == 5666.69


def test_comparison_workbook_differences_are_formulas(year):
    url = f"/afrekening/vergelijking/excel/?jaar={Y}&regelset=voorbeeld:harde-plafond&regelset=voorbeeld:staffel"
    wb = workbook(login("regio"), url)
    assert wb.sheetnames == ["Regelsets", "Aanbieders", "Gemeenten"]
    ev = Evaluator(wb)
    ws = wb["Aanbieders"]
    assert [ws.cell(row=1, column=c).value for c in range(6, 10)] == [
        "Uitbetaald harde-plafond",
        "Uitbetaald staffel",
        "Verschil harde-plafond − harde-plafond",
        "Verschil staffel − harde-plafond",
    ]
    a = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws[f"A{r}"].value == year.a.agb_code and ws[f"C{r}"].value == "A"
    )
    assert (ws[f"F{a}"].value, ws[f"G{a}"].value, ws[f"I{a}"].value) == (8500.0, 9560.0, f"=G{a}-F{a}")
    assert ev.value("Aanbieders", f"I{a}") == 1060.0
    total = ws.max_row
    assert cents(ev.value("Aanbieders", f"F{total}")) == 1_300_002
    assert cents(ev.value("Aanbieders", f"G{total}")) == 1_391_002
    assert cents(ev.value("Aanbieders", f"I{total}")) == 91_000
    gem = wb["Gemeenten"]
    venlo = next(r for r in range(2, gem.max_row + 1) if gem[f"A{r}"].value == VENLO)
    assert (gem[f"D{venlo}"].value, gem[f"E{venlo}"].value) == (9600.02, 10086.02)
    assert ev.value("Gemeenten", f"G{venlo}") == pytest.approx(486.0)


def test_a_municipality_gets_only_its_own_row_in_the_comparison_workbook(year):
    wb = workbook(login("gemeente-venlo"), f"/afrekening/vergelijking/excel/?jaar={Y}")
    assert wb.sheetnames == ["Regelsets", "Gemeenten"]
    assert [wb["Gemeenten"][f"A{r}"].value for r in range(2, wb["Gemeenten"].max_row + 1)] == [
        VENLO,
        "Totaal",
    ]
