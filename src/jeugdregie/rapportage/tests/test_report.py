"""Tertiaalrapportage (issue 14, step 4): its figures against the KPI engine, suppression in the
provider and municipality versions, the region beside a municipality, the command and access."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from jeugdregie.accounts.testing import login
from jeugdregie.monitoring.facts import load_facts
from jeugdregie.rapportage.data import ReportError, build_report, last_complete_tertial, parse_tertial
from jeugdregie.rules import kpi as kpi_rules

from .dataset import END, build_dataset

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def dataset():
    return build_dataset()


def engine(kpi_id, period, by=(), key=()):
    facts = load_facts(D(2026, 1, 1), D(2027, 12, 31), as_of=END)
    return kpi_rules.compute(kpi_id, facts, period, by).get(key)


def test_tertial_parsing_and_last_complete():
    assert parse_tertial("2027-T2") == (2027, 2)
    with pytest.raises(ReportError, match="JJJJ-T1"):
        parse_tertial("2027-4")
    assert last_complete_tertial(D(2027, 8, 31)) == (2027, 2)
    assert last_complete_tertial(D(2027, 8, 30)) == (2027, 1)
    assert last_complete_tertial(D(2027, 2, 1)) == (2026, 3)


def test_region_report_figures_come_from_the_kpi_engine(dataset):
    report = build_report(2027, 2)
    kpis = {k["id"]: k for k in report.kpis}
    t2, last_t2 = kpi_rules.tertial(2027, 2), kpi_rules.tertial(2026, 2)
    for kpi_id in (
        "spend",
        "clients",
        "cost_per_client",
        "clients_in_care",
        "allocations_new",
        "waiting_days",
    ):
        assert kpis[kpi_id]["value"] == engine(kpi_id, t2), kpi_id
        assert kpis[kpi_id]["before"] == engine(kpi_id, last_t2), kpi_id
    assert [t["label"] for t in report.trend] == ["2026-T1", "2026-T2", "2026-T3", "2027-T1", "2027-T2"]
    for row in report.trend:
        year, t = parse_tertial(row["label"])
        assert row["spend"] == engine("spend", kpi_rules.tertial(year, t))
        assert row["clients"] == engine("clients", kpi_rules.tertial(year, t))
    assert sum(r["spend"] for r in report.trend) == engine("spend", kpi_rules.year(2026)) + sum(
        engine("spend", kpi_rules.tertial(2027, t)) for t in (1, 2)
    )
    assert report.ceiling["own"]["ceiling"] > 0 and report.ceiling["own"]["claimed"] == engine(
        "spend", kpi_rules.Period(D(2027, 1, 1), D(2027, 8, 31), "tot peildatum")
    )
    assert set(report.charts) == {"kosten", "clienten", "plafond"}
    assert all(c.startswith("data:image/svg+xml;base64,") for c in report.charts.values())
    assert not report.suppressed and report.settlement["claimed"] == report.ceiling["own"]["claimed"]


def test_provider_and_municipality_versions_suppress_small_numbers(dataset):
    provider = dataset["providers"][0].agb_code
    from django.contrib.auth.models import User

    from jeugdregie.contracten.outcomes import import_outcomes
    from jeugdregie.rules.outcomes import OutcomeRow

    import_outcomes(
        [
            OutcomeRow(provider, "2027-T2", "clienttevredenheid", 40, 30),
            OutcomeRow(provider, "2027-T1", "doelrealisatie", 4, 3),
        ],
        User.objects.get(username="regio"),
    )
    report = build_report(2027, 2, aanbieder=provider)
    outcomes = {n["label"]: n for n in report.norms if "eigen opgave" in n["label"]}
    assert outcomes["Cliënttevredenheid (eigen opgave)"]["value"] == 0.75
    assert outcomes["Doelrealisatie (eigen opgave)"]["year_value"] is None  # 4 clients measured: suppressed
    kpis = {k["id"]: k for k in report.kpis}
    t2 = kpi_rules.tertial(2027, 2)
    assert report.suppressed
    clients = engine("clients", t2, ("aanbieder",), (provider,))
    assert clients >= 5 and kpis["clients"]["value"] == clients
    assert kpis["spend"]["value"] == engine("spend", t2, ("aanbieder",), (provider,))
    # Paths ended in T2 at this provider rest on fewer than five clients: hidden.
    assert kpis["avg_duration_months"]["value"] is None
    assert engine("avg_duration_months", t2, ("aanbieder",), (provider,)) is not None

    venlo = build_report(2027, 2, gemeente="0983")
    kpis = {k["id"]: k for k in venlo.kpis}
    assert kpis["spend"]["region"] == engine("spend", t2) and kpis["clients"]["region"] == engine(
        "clients", t2
    )
    own = engine("clients", t2, ("gemeente",), ("0983",))
    assert kpis["clients"]["value"] == (own if own >= 5 else None)
    assert venlo.ceiling["region"] is not None and venlo.trend[-1]["region_spend"] == engine("spend", t2)


def test_command_writes_a_pdf_and_refuses_incomplete_tertials(dataset, tmp_path):
    pytest.importorskip("weasyprint")
    out = tmp_path / "t2.pdf"
    call_command(
        "report", "--tertial", "2027-T2", "--provider", dataset["providers"][0].agb_code, "--out", str(out)
    )
    assert out.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="nog niet compleet.*2027-T2"):
        call_command("report", "--tertial", "2027-T3", "--out", str(out))
    with pytest.raises(CommandError, match="Onbekende gemeente"):
        call_command("report", "--tertial", "2027-T2", "--municipality", "9999", "--out", str(out))


def test_screen_access_per_role(dataset):
    own = dataset["providers"][0].agb_code
    other = dataset["providers"][1].agb_code
    html = login("regio").get(f"/rapportage/?tertiaal=2027-T2&aanbieder={other}").content.decode()
    assert "Tertiaalrapportage 2027-T2" in html and other in html
    region = login("regio").get("/rapportage/?tertiaal=2027-T2").content.decode()
    assert "Een streepje (-) betekent: nog niet te meten" in region and "minder dan 5 cliënten" not in region
    provider = login("aanbieder")
    assert provider.get(f"/rapportage/?tertiaal=2027-T2&aanbieder={other}").status_code == 403
    assert provider.get("/rapportage/?tertiaal=2027-T2&gemeente=0983").status_code == 403
    assert provider.get(f"/rapportage/pdf/?tertiaal=2027-T2&aanbieder={other}").status_code == 403
    assert provider.get("/rapportage/pdf/?tertiaal=2027-T2&gemeente=0983").status_code == 403
    html = provider.get("/rapportage/?tertiaal=2027-T2").content.decode()
    assert own in html
    # No outcomes reported: said so, not a row of dashes; the dash is explained, with suppression.
    assert html.count('<td class="num" colspan="3">niet aangeleverd</td>') == 2
    assert "Een streepje (-) betekent: nog niet te meten" in html
    assert "of weggelaten omdat het cijfer op minder dan 5 cliënten rust." in html
    municipality = login("gemeente-venlo")
    assert municipality.get("/rapportage/?tertiaal=2027-T2&gemeente=0984").status_code == 403
    assert municipality.get("/rapportage/pdf/?tertiaal=2027-T2&gemeente=0984").status_code == 403
    assert municipality.get(f"/rapportage/?tertiaal=2027-T2&aanbieder={own}").status_code == 403
    assert municipality.get(f"/rapportage/pdf/?tertiaal=2027-T2&aanbieder={own}").status_code == 403
    assert "gemeente Venlo" in municipality.get("/rapportage/?tertiaal=2027-T2").content.decode()
    assert login("verwijzer").get("/rapportage/").status_code == 403
    bad = login("regio").get("/rapportage/?tertiaal=2027-T3")
    assert bad.status_code == 400 and "nog niet compleet" in bad.content.decode()
