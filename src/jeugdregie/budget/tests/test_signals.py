"""Utilisation (claimed, committed, forecast), municipality budgets, signals and the per-level
backtest on a small hand-made database."""

import datetime as dt
import itertools
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jeugdregie.budget.forecasting import forecast_levels
from jeugdregie.budget.models import CBudget, Plafond, PlafondVerdeling
from jeugdregie.budget.signals import kpi_norm_signals
from jeugdregie.catalogus.models import ProductGroep, Tarief
from jeugdregie.contracten.models import Aanbieder, KpiNorm, effective_kpi_norms
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.kpi import Facts
from jeugdregie.zorg.testing import CareRows, month_end

pytestmark = pytest.mark.django_db
_n = itertools.count(1)
D = dt.date
ROWS = CareRows(D(2026, 6, 30))


def allocation(aanbieder, gemeente_code, code, begin, end, *, volume=10, frequentie="2"):
    """An allocation of `volume` per `frequentie` for a new client, issued on its first day."""
    n = next(_n)
    client = ROWS.client(f"c{n}-", Gemeente.objects.get(cbs_code=gemeente_code))
    return ROWS.allocation(
        client,
        aanbieder,
        f"T{n}",
        begin,
        end,
        product_code=code,
        volume=volume,
        frequentie=frequentie,
        toewijzingsdatum=begin,
    )


def claim(toewijzing, month_begin: dt.date, cents: int) -> None:
    """A month of care claimed in that month (no claim lag)."""
    ROWS.line(toewijzing, month_begin, month_end(month_begin), cents, received=month_end(month_begin))


@pytest.fixture
def year_2026():
    return build_year_2026()


def build_year_2026():
    """Provider A (category A) claims EUR 4,000 a month in Venlo from January to June 2026 on one
    allocation of 10 hours a week for the whole year; its group A ceiling is EUR 40,000 (Venlo 24,000,
    Beesel 16,000). A category C provider produced EUR 50 in Beesel in 2024, the C budget's reference."""
    load_demo_region(users=False)
    specs = region.aanbieders()
    a = Aanbieder.objects.get(agb_code=next(s.agb_code for s in specs if s.categorie == "A"))
    c = Aanbieder.objects.get(agb_code=next(s.agb_code for s in specs if s.categorie == "C" and not s.is_nga))
    running = allocation(a, "0983", "45N02", D(2026, 1, 1), D(2026, 12, 31))
    for month in range(1, 7):
        claim(running, D(2026, month, 1), 400_000)
    claim(allocation(c, "0889", "45L09", D(2024, 3, 1), D(2024, 3, 31)), D(2024, 3, 1), 5_000)
    groep = ProductGroep.objects.get(code="A", boek__naam__contains="2026")
    plafond = Plafond.objects.create(
        aanbieder=a,
        groep=groep,
        jaar=2026,
        referentiejaar=2024,
        referentie_cent=0,
        berekend_cent=4_000_000,
        bedrag_cent=4_000_000,
        basis="test",
    )
    PlafondVerdeling.objects.create(
        plafond=plafond, gemeente=Gemeente.objects.get(cbs_code="0983"), bedrag_cent=2_400_000
    )
    PlafondVerdeling.objects.create(
        plafond=plafond, gemeente=Gemeente.objects.get(cbs_code="0889"), bedrag_cent=1_600_000
    )
    CBudget.objects.create(jaar=2026, referentiejaar=2024, bedrag_cent=10_000)
    return a, c


def test_claimed_committed_and_forecast_per_level(year_2026):
    a, _ = year_2026
    assert Tarief.objects.get(product__code="45N02", jaar=2026).bedrag_cent == 9_200
    found = {(f.level, f.key): f for f in forecast_levels(2026, D(2026, 6, 30))}
    provider = found[("aanbieder", a.agb_code)]
    assert provider.claimed_cent == 2_400_000
    assert provider.chosen.value_cent == pytest.approx(2_400_000 / 6 * 12)
    # Committed: 10 hours a week at EUR 92 from 1 July to 31 December (184 days), no allocation has
    # ended yet so there is no redemption history: rate 1. 184 x 10 / 7 x 9,200 = 2,418,285.7.
    assert provider.committed_cent == 2_418_286
    use = provider.usage
    assert (use.ceiling_cent, use.forecast_share) == (4_000_000, pytest.approx(1.2))
    assert use.claimed_and_committed_share == pytest.approx((2_400_000 + 2_418_286) / 4_000_000)
    assert found[("categorie", "A")].ceiling_cent == 4_000_000
    assert found[("categorie", "C")].ceiling_cent == 10_000
    # A municipality's budget: its ceiling splits plus its share of the C budget by C production in 2024.
    assert found[("gemeente", "0983")].ceiling_cent == 2_400_000
    assert found[("gemeente", "0889")].ceiling_cent == 1_600_000 + 10_000
    assert found[("regio", "regio")].ceiling_cent == 4_010_000


def test_signals_command(year_2026, capsys):
    a, _ = year_2026
    call_command("signals", "--year", "2026", "--as-of", "2026-06-30", "--json")
    data = json.loads(capsys.readouterr().out)
    assert [(s["soort"], s["niveau"], s["sleutel"], s["ernst"]) for s in data["signals"]] == [
        ("gemeentebudget", "gemeente", "0983", "kritiek"),
        ("plafond", "aanbieder", a.agb_code, "kritiek"),
    ]
    assert (
        data["signals"][0]["uitleg"] == "Verwachte uitgaven EUR 48.000 boven het budget EUR 24.000 (+100,0%)."
    )
    assert data["signals"][1]["uitleg"] == (
        "Verwachte productie EUR 48.000 is 120% van het plafond EUR 40.000: overschrijding, overleg en "
        "goedkeuring nodig."
    )
    call_command("signals", "--year", "2026", "--as-of", "2026-06-30")
    assert "Signalen 2026, peildatum 2026-06-30: 2" in capsys.readouterr().out
    call_command("signals", "--year", "2026", "--as-of", "2026-06-30", "--json", "--engine", "duckdb")
    assert json.loads(capsys.readouterr().out) == data


def test_kpi_norms_regional_with_a_provider_own_norm(year_2026):
    a, c = year_2026
    b = Aanbieder.objects.filter(categorie="B").first()
    # The demo's regional norms hold for every A and B provider; C providers have no stuuropdracht.
    assert effective_kpi_norms()[b.agb_code]["avg_duration_months"] == (None, 12.0)
    assert c.agb_code not in effective_kpi_norms()
    long_path = [
        AllocationFact(
            i, f"client{i}", "0983", agb, cat, False, "4", "A", "45N02", "45", D(2024, 1, 1), D(2025, 2, 3)
        )
        for i, (agb, cat) in enumerate([(a.agb_code, "A"), (b.agb_code, "B")])
    ]  # 2024-01-01 to 2025-02-03: 399 days / 30.4375 = 13.11 months, ended in 2025
    facts = Facts(claims=[], allocations=long_path, as_of=D(2026, 6, 30))
    assert [s.sleutel for s in kpi_norm_signals(D(2026, 6, 30), facts)] == sorted([a.agb_code, b.agb_code])
    KpiNorm.objects.create(
        aanbieder=a, kpi="avg_duration_months", maximum=14.0, toelichting="Zware doelgroep"
    )
    (signal,) = kpi_norm_signals(D(2026, 6, 30), facts)
    assert signal.sleutel == b.agb_code
    assert signal.uitleg == "Gemiddelde duur zorgpad 2025: 13,11 buiten de norm (maximaal 12,00)."


@pytest.mark.parametrize("engine", ["registry", "duckdb"])
def test_kpi_norm_signals_from_the_database_on_either_engine(year_2026, engine):
    """The same long paths as above, now allocations in the database: the registry on the facts
    read from it and DuckDB on its own copy of them give the same signals."""
    a, _ = year_2026
    b = Aanbieder.objects.filter(categorie="B").first()
    for provider in (a, b):
        allocation(provider, "0983", "45N02", D(2024, 1, 1), D(2025, 2, 3))
    found = kpi_norm_signals(D(2026, 6, 30), engine=engine)
    assert [(s.soort, s.sleutel) for s in found] == [("kpi", a.agb_code), ("kpi", b.agb_code)]
    assert {s.uitleg for s in found} == {
        "Gemiddelde duur zorgpad 2025: 13,11 buiten de norm (maximaal 12,00)."
    }


def test_kpi_norm_signals_refuse_an_unknown_engine(year_2026):
    with pytest.raises(ValueError, match="unknown engine"):
        kpi_norm_signals(D(2026, 6, 30), engine="excel")


def test_kpi_norm_validation(year_2026):
    a, c = year_2026
    with pytest.raises(ValidationError, match="Onbekende KPI"):
        KpiNorm(kpi="geluk", maximum=1).full_clean()
    with pytest.raises(ValidationError, match="minimum, een maximum"):
        KpiNorm(kpi="relapse_rate").full_clean()
    with pytest.raises(ValidationError, match="alleen voor A- en B-aanbieders"):
        KpiNorm(aanbieder=c, kpi="relapse_rate", maximum=0.2).full_clean()
    with pytest.raises(ValidationError, match="bestaat al een norm"):
        KpiNorm(kpi="relapse_rate", maximum=0.2).full_clean()  # the demo's regional norm exists
    KpiNorm(aanbieder=a, kpi="relapse_rate", maximum=0.2).full_clean()


def test_backtest_per_level_command(year_2026, capsys):
    a, _ = year_2026
    call_command(
        "forecast_backtest", "--years", "2026", "--level", "aanbieder", "--min-euro", "1000", "--json"
    )
    rows = {(r["method"], r["month"]): r for r in json.loads(capsys.readouterr().out)}
    # Only provider A passes EUR 1,000 (C produced EUR 50 in 2024, nothing in 2026). Its 2026 total is
    # EUR 24,000 (Jan-Jun): at the end of March the run rate says 3 x 4,000 / 3 x 12 = 48,000: +100%.
    assert rows[("run_rate", 3)]["cases"] == 1
    assert rows[("run_rate", 3)]["wape"] == pytest.approx(1.0)
    assert rows[("run_rate", 6)]["wape"] == pytest.approx(1.0)
    assert rows[("run_rate", 9)]["wape"] == pytest.approx(12 / 9 - 1)  # nothing after June: 2.4M / 9 x 12


def test_waterbed_when_c_grows_while_a_b_are_full(year_2026):
    from jeugdregie.budget.signals import collect_signals

    a, c = year_2026
    last_year_a = allocation(a, "0983", "45L09", D(2025, 1, 1), D(2025, 6, 30))
    last_year_c = allocation(c, "0889", "45L09", D(2025, 1, 1), D(2025, 6, 30))
    this_year_c = allocation(c, "0889", "45N02", D(2026, 1, 1), D(2026, 6, 30))
    for month in range(1, 7):
        claim(last_year_a, D(2025, month, 1), 400_000)
        claim(last_year_c, D(2025, month, 1), 10_000)
        claim(this_year_c, D(2026, month, 1), 100_000)
    found = {s.soort: s for s in collect_signals(2026, D(2026, 6, 30))}
    # C share January-June: 60,000 / 2,460,000 = 2.4% in 2025, 600,000 / 3,000,000 = 20.0% in 2026.
    # Group A's A/B provider: with last year's history its forecast is the blend, half the run rate
    # (4,800,000) and half last year's total (2,400,000): 3,600,000, 90% of its ceiling.
    assert found["waterbed"].uitleg == (
        "Aandeel categorie C/NGA steeg van 2,4% naar 20,0% terwijl A/B-aanbieders vol raken in: A (90%). "
        "Mogelijk waterbedeffect."
    )
    assert found["c-budget"].ernst == "kritiek"  # 1.2 million expected against a C budget of EUR 100
