"""The database -> facts step: deleted allocations, credits, referrers, starts and stops."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.monitoring.facts import load_facts
from jeugdregie.monitoring.services import kpi_report
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import kpi
from jeugdregie.zorg.models import (
    Client,
    Declaratie,
    DeclaratieRegel,
    Toewijzing,
    VerzoekOmToewijzing,
    ZorgStart,
    ZorgStop,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    load_demo_region(users=False)
    venlo = Gemeente.objects.get(cbs_code="0983")
    aanbieder = Aanbieder.objects.filter(is_nga=False).first()
    delivery = Aanlevering.objects.create(bestandsnaam="x", sha256="0" * 64, status="verwerkt")
    counter = iter(range(1, 1000))

    def bericht(day=D(2025, 1, 31)):
        return Bericht.objects.create(
            aanlevering=delivery,
            soort="JW301",
            afzender="0983",
            ontvanger="x",
            identificatie=str(next(counter)),
            dagtekening=day,
        )

    return venlo, aanbieder, bericht


def make_allocation(
    world, client, nummer, product_code, begin, end, *, deleted=False, volume=4, freq="2", ref=""
):
    venlo, aanbieder, _ = world
    product = Product.objects.get(code=product_code)
    return Toewijzing.objects.create(
        gemeente=venlo,
        toewijzingnummer=nummer,
        client=client,
        aanbieder=aanbieder,
        product=product,
        product_categorie=product.categorie,
        product_code=product.code,
        toewijzingsdatum=begin - dt.timedelta(days=10),
        ingangsdatum=begin,
        einddatum=end,
        volume=volume,
        eenheid=product.eenheid,
        frequentie=freq,
        verwijderd=deleted,
        referentie_aanbieder=ref,
    )


def add_line(world, toewijzing, ref, amount, volume, day, dc="D"):
    venlo, aanbieder, bericht = world
    declaratie = Declaratie.objects.create(
        aanbieder=aanbieder,
        gemeente=venlo,
        bericht=bericht(),
        declaratienummer=ref,
        periode_begin=day,
        periode_eind=day,
        dagtekening=day,
        totaal_cent=amount,
    )
    sign = 1 if dc == "D" else -1
    DeclaratieRegel.objects.create(
        declaratie=declaratie,
        toewijzing=toewijzing,
        client=toewijzing.client,
        aanbieder=aanbieder,
        gemeente=venlo,
        product=toewijzing.product,
        referentienummer=ref,
        periode_begin=day,
        periode_eind=day,
        volume=sign * volume,
        eenheid=toewijzing.eenheid,
        tarief_cent=amount // volume,
        bedrag_cent=sign * amount,
        debet_credit=dc,
    )


def test_facts_from_the_database(world):
    venlo, aanbieder, bericht = world
    client = Client.objects.create(pseudoniem="a" * 64, gemeente=venlo)
    other = Client.objects.create(pseudoniem="b" * 64, gemeente=venlo)
    legacy = make_allocation(world, client, "1", "45L09", D(2024, 1, 1), D(2024, 3, 31), ref="REF-1")
    make_allocation(world, other, "2", "45N01", D(2024, 2, 1), D(2024, 2, 28), deleted=True)
    open_ended = make_allocation(world, other, "3", "41N01", D(2024, 2, 1), None)
    VerzoekOmToewijzing.objects.create(
        aanbieder=aanbieder,
        gemeente=venlo,
        client=client,
        bericht=bericht(),
        referentie_aanbieder="REF-1",
        aangevraagd_op=D(2023, 12, 1),
        toewijzing_ingangsdatum=D(2024, 1, 1),
        verwijzer_type="02",
    )
    ZorgStart.objects.create(toewijzing=legacy, bericht=bericht(), begindatum=D(2024, 1, 8))
    ZorgStop.objects.create(
        toewijzing=legacy,
        bericht=bericht(),
        begindatum=D(2024, 1, 8),
        einddatum=D(2024, 3, 20),
        reden_beeindiging="33",
    )
    add_line(world, legacy, "R1", 80_000, 10, D(2024, 1, 1))
    add_line(world, legacy, "R2", 80_000, 10, D(2024, 2, 1))
    add_line(world, legacy, "R3", 80_000, 10, D(2024, 2, 1), dc="C")  # credit of February
    add_line(world, open_ended, "R4", 6_200, 1, D(2024, 2, 1))

    facts = load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=D(2025, 1, 31))
    assert sorted(a.id for a in facts.allocations) == sorted(
        [legacy.pk, open_ended.pk]
    )  # deleted one left out
    fact = next(a for a in facts.allocations if a.id == legacy.pk)
    # Legacy meerwerk maps to the new book's basic ambulant product; P x Q per hour.
    assert (fact.product, fact.segment, fact.groep, fact.pxq) == ("45N01", "4", "A", True)
    assert (fact.verwijzer, fact.aangevraagd_op, fact.zorg_start, fact.stop_reden) == (
        "02",
        D(2023, 12, 1),
        D(2024, 1, 8),
        "33",
    )
    assert fact.claimed_volume == 10  # 10 + 10 - 10
    year = kpi.year(2024)
    assert kpi.compute("spend", facts, year) == {(): 86_200}
    assert kpi.compute("clients", facts, year) == {(): 2}
    assert kpi.compute("custom_share", facts, year) == {(): pytest.approx(80_000 / 86_200)}  # meerwerk
    assert kpi.compute("spend", facts, year, ("verwijzer",)) == {("01",): 6_200, ("02",): 80_000}
    assert kpi.compute("waiting_days", facts, year) == {(): 38}  # 2023-12-01 -> 2024-01-08
    # 7 weeks... allocated 4 per week over 91 days = 52 units; claimed 10.
    assert kpi.compute("redemption_rate", facts, year) == {(): pytest.approx(10 / 52)}
    assert kpi.compute("dropout_rate", facts, year) == {(): 1.0}


def test_kpi_report_and_command_for_a_municipality(world, capsys):
    venlo, _, _ = world
    client = Client.objects.create(pseudoniem="c" * 64, gemeente=venlo)
    allocation = make_allocation(world, client, "9", "45N01", D(2024, 5, 1), D(2024, 8, 31))
    add_line(world, allocation, "R9", 72_000, 10, D(2024, 6, 1))
    report = kpi_report(2024, gemeente="0983")
    rows = {r["id"]: r for r in report["kpis"]}
    assert rows["spend"]["value"] == 72_000 and rows["spend"]["tertials"] == {
        "T1": None,
        "T2": 72_000,
        "T3": None,
    }
    assert rows["clients_in_care"]["value"] == 1
    assert kpi_report(2024, gemeente="0889")["kpis"][0]["value"] is None  # nothing in Beesel
    call_command("kpi", "--year", "2024", "--municipality", "0983", "--json")
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["kpis"][0]["id"] == "spend" and parsed["kpis"][0]["value"] == 72_000
    call_command("kpi", "--year", "2024")
    out = capsys.readouterr().out
    assert "Kosten" in out and "EUR 720" in out


def test_a_care_path_that_began_long_before_the_year_is_loaded_whole(world):
    """A path ending in 2024 that began in January 2022: its first allocation ended more than 190
    days before 2024 (outside the margin), yet belongs to the path."""
    venlo, _, _ = world
    client = Client.objects.create(pseudoniem="d" * 64, gemeente=venlo)
    make_allocation(world, client, "P-1", "45N01", D(2022, 1, 1), D(2022, 12, 31))
    make_allocation(world, client, "P-2", "45N01", D(2023, 1, 10), D(2024, 6, 30))  # 10 days later: same path
    facts = load_facts(D(2024, 1, 1), D(2024, 12, 31))
    duration = kpi.compute("avg_duration_months", facts, kpi.year(2024))[()]
    assert duration == pytest.approx((D(2024, 6, 30) - D(2022, 1, 1)).days / (365.25 / 12))  # 911 days
