import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from jeugdregie.budget.models import Beleidsaanpassing, CBudget, Plafond
from jeugdregie.budget.services import calculate_ceilings, override_ceiling
from jeugdregie.catalogus.models import Product, Segment
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import Client, Declaratie, DeclaratieRegel, Toewijzing

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def claim(aanbieder, gemeente_code, product_code, cents, begin=dt.date(2024, 6, 1)):
    n = [next(_numbers)]
    gemeente = Gemeente.objects.get(cbs_code=gemeente_code)
    product = Product.objects.get(code=product_code)
    delivery, _ = Aanlevering.objects.get_or_create(
        sha256="f" * 64, defaults={"bestandsnaam": "x", "status": "verwerkt"}
    )
    bericht = Bericht.objects.create(
        aanlevering=delivery,
        soort="JW323",
        afzender=aanbieder.agb_code,
        ontvanger=gemeente_code,
        identificatie=f"B{n[0]}",
        dagtekening=dt.date(2024, 7, 1),
    )
    client = Client.objects.create(pseudoniem=f"{n[0]:064d}", gemeente=gemeente)
    toewijzing = Toewijzing.objects.create(
        gemeente=gemeente,
        toewijzingnummer=str(n[0]),
        client=client,
        aanbieder=aanbieder,
        product=product,
        toewijzingsdatum=dt.date(2024, 1, 1),
        ingangsdatum=dt.date(2024, 1, 1),
    )
    declaratie = Declaratie.objects.create(
        aanbieder=aanbieder,
        gemeente=gemeente,
        bericht=bericht,
        declaratienummer=str(n[0]),
        periode_begin=dt.date(2024, 6, 1),
        periode_eind=dt.date(2024, 6, 30),
        dagtekening=dt.date(2024, 7, 1),
        totaal_cent=cents,
    )
    DeclaratieRegel.objects.create(
        declaratie=declaratie,
        toewijzing=toewijzing,
        client=client,
        aanbieder=aanbieder,
        gemeente=gemeente,
        product=product,
        referentienummer=f"R{n[0]}",
        periode_begin=begin,
        periode_eind=begin + dt.timedelta(days=29),
        volume=1,
        eenheid=product.eenheid,
        bedrag_cent=cents,
        debet_credit="D",
    )


@pytest.fixture
def region_2024():
    load_demo_region(users=False)
    specs = region.aanbieders()
    a = Aanbieder.objects.get(agb_code=next(s.agb_code for s in specs if s.categorie == "A"))
    w_only = Aanbieder.objects.get(
        agb_code=next(s.agb_code for s in specs if s.categorie == "B" and s.groepen == ("W",))
    )
    c = Aanbieder.objects.get(agb_code=next(s.agb_code for s in specs if s.categorie == "C" and not s.is_nga))
    claim(a, "0983", "45L09", 100_000)  # legacy meerwerk -> 45N01, group A
    claim(a, "0889", "45L01", 50_000)  # legacy trajectory -> 45N01, group A
    claim(a, "0983", "41L08", 20_000)  # naschoolse dagbesteding -> 41N01, group D
    claim(c, "0983", "45L09", 30_000)
    return a, w_only, c


def test_ceilings_from_reference_production_with_index_and_split(region_2024):
    a, w_only, c = region_2024
    plafonds, c_budget = calculate_ceilings(2026, 2024)
    mine = {p.groep.code: p for p in plafonds if p.aanbieder == a}
    # index 2024 -> 2026: 2025 +3.60%, 2026 no run (new book) -> x 1.036
    assert mine["A"].bedrag_cent == 155_400 and mine["A"].referentie_cent == 150_000
    assert {v.gemeente.cbs_code: v.bedrag_cent for v in mine["A"].verdeling.all()} == {
        "0983": 103_600,
        "0889": 51_800,
    }
    assert mine["D"].bedrag_cent == 20_720
    # Groups it is admitted to but had no production in: 0, to be set by hand.
    assert mine["W"].bedrag_cent == 0 and mine["W"].basis == "geen referentieproductie"
    assert not Plafond.objects.filter(aanbieder=c).exists()
    assert c_budget.bedrag_cent == 31_080
    assert Plafond.objects.get(aanbieder=w_only).basis == "geen referentieproductie"


def test_policy_adjustment_most_specific_wins(region_2024):
    a, _, _ = region_2024
    Beleidsaanpassing.objects.create(jaar=2026, percentage=Decimal("-3"))
    Beleidsaanpassing.objects.create(
        jaar=2026, segment=Segment.objects.get(code="4"), percentage=Decimal("-5")
    )
    calculate_ceilings(2026, 2024)
    assert Plafond.objects.get(aanbieder=a, groep__code="A").bedrag_cent == 147_630  # 155,400 x 0.95
    assert Plafond.objects.get(aanbieder=a, groep__code="D").bedrag_cent == 20_098  # 20,720 x 0.97 = 20,098.4
    assert CBudget.objects.get(jaar=2026).bedrag_cent == 30_148  # 31,080 x 0.97 = 30,147.6


def test_manual_override_keeps_who_when_why_and_survives_recalculation(region_2024):
    _, w_only, _ = region_2024
    calculate_ceilings(2026, 2024)
    user = User.objects.create(username="inkoper")
    plafond = Plafond.objects.get(aanbieder=w_only)
    with pytest.raises(ValueError, match="reden"):
        override_ceiling(plafond, 1_000_000_00, user=user, reason=" ")
    change = override_ceiling(plafond, 1_000_000_00, user=user, reason="Nieuwe aanbieder gezinshuizen")
    assert (change.oud_cent, change.nieuw_cent, change.door, change.reden) == (
        0,
        1_000_000_00,
        user,
        "Nieuwe aanbieder gezinshuizen",
    )
    split = {v.gemeente.cbs_code: v.bedrag_cent for v in plafond.verdeling.all()}
    assert sum(split.values()) == 1_000_000_00
    # Split by youth population: Venlo 18,200 of 50,800 youths.
    assert split["0983"] == 35_826_772  # 100,000,000 x 18200 / 50800 = 35,826,771.65 -> 35,826,772
    calculate_ceilings(2026, 2024)
    again = Plafond.objects.get(aanbieder=w_only)
    assert again.handmatig and again.bedrag_cent == 1_000_000_00 and again.wijzigingen.count() == 1


def test_ceilings_command_json(region_2024, capsys):
    call_command("ceilings", "--year", "2026", "--reference-year", "2024", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["c_budget_cent"] == 31_080
    assert data["total_cent"] == sum(r["plafond_cent"] for r in data["ceilings"]) == 155_400 + 20_720


def test_one_policy_adjustment_per_scope_and_year():
    from django.core.exceptions import ValidationError

    Beleidsaanpassing.objects.create(jaar=2026, percentage=Decimal("-3"))
    with pytest.raises(ValidationError, match="bestaat al een beleidsaanpassing"):
        Beleidsaanpassing(jaar=2026, percentage=Decimal("-2")).full_clean()
    Beleidsaanpassing(jaar=2027, percentage=Decimal("-2")).full_clean()


def test_forecast_levels_from_the_database(region_2024, capsys):
    from jeugdregie.budget.forecasting import forecast_levels

    results = {(r.level, r.key): r for r in forecast_levels(2024, dt.date(2024, 8, 31))}
    region_total = results[("regio", "regio")]
    # 200,000 cents of care in June 2024, received in July; no history for a lag profile or last year:
    # the run rate over the 8 complete months is the forecast.
    assert region_total.claimed_cent == 200_000
    assert region_total.chosen.method == "run_rate"
    assert region_total.chosen.value_cent == pytest.approx(200_000 / 8 * 12)
    a, _, c = region_2024
    assert results[("aanbieder", a.agb_code)].chosen.value_cent == pytest.approx(170_000 / 8 * 12)
    assert results[("groep", "D")].chosen.value_cent == pytest.approx(20_000 / 8 * 12)
    call_command("forecast", "--year", "2024", "--as-of", "2024-08-31", "--level", "regio", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["forecasts"] == [
        {
            "level": "regio",
            "key": "regio",
            "method": "run_rate",
            "forecast_cent": 300_000,
            "low_cent": None,
            "high_cent": None,
            "claimed_cent": 200_000,
            "committed_cent": 0,  # the allocations have no volume or end: nothing to commit
            "ceiling_cent": None,
            "projected_utilisation": None,
            "methods": {"run_rate": 300_000},
        }
    ]


def test_the_claims_totals_come_in_the_order_of_their_first_line_by_begin_and_id(region_2024):
    """The forecasts add floats in the order the keys first appear, so claim_rows must keep the
    order of each total's first claim line by (ProductPeriode begin, id) on both databases (on
    PostgreSQL a number days x 10^12 + id since session 10, a text key before)."""
    from jeugdregie.budget.forecasting import claim_rows

    a, _, c = region_2024
    claim(c, "0889", "45L09", 7_000, begin=dt.date(2024, 5, 1))  # the newest line, the earliest month
    claim(a, "0983", "45L09", 1_000)  # a second line of the first total: no row of its own
    found = [
        (r.aanbieder, r.gemeente, r.groep, r.amount.care_month, r.amount.bedrag_cent)
        for r in claim_rows(2024)
    ]
    june, may = 2024 * 12 + 5, 2024 * 12 + 4
    assert found == [
        (c.agb_code, "0889", "A", may, 7_000),
        (a.agb_code, "0983", "A", june, 101_000),
        (a.agb_code, "0889", "A", june, 50_000),
        (a.agb_code, "0983", "D", june, 20_000),
        (c.agb_code, "0983", "A", june, 30_000),
    ]
