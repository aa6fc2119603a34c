import datetime as dt

import pytest
from django.contrib.auth.models import User

from jeugdregie.catalogus.models import Product, ProductBoek, ProductMapping
from jeugdregie.catalogus.services import tariff_on
from jeugdregie.contracten.models import Aanbieder, Raamovereenkomst
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region

pytestmark = pytest.mark.django_db


def test_demo_region_loads_catalogue_contracts_and_users_idempotently():
    first = load_demo_region()
    second = load_demo_region()
    assert first == second
    assert first["gemeenten"] == 7
    # The generated market plus the idle C provider of the contract cases (no traffic).
    assert first["aanbieders"] == len(region.aanbieders()) + 1 == 141
    contracted = sum(1 for a in region.aanbieders() if not a.is_nga)
    assert first["raamovereenkomsten"] == contracted + 1 == 81
    assert Aanbieder.objects.filter(is_nga=True, raamovereenkomst__isnull=False).count() == 0
    assert set(User.objects.values_list("username", flat=True)) == {u for u, _, _ in region.DEMO_GEBRUIKERS}


def test_demo_tariffs_are_the_brief_figures_and_indexed_yearly():
    load_demo_region(users=False)
    gezinshuis = Product.objects.get(code="43N01")
    assert tariff_on(gezinshuis, dt.date(2026, 3, 1)) == 23_500  # EUR 235 per etmaal (SYSTEM.md section 4)
    assert tariff_on(gezinshuis, dt.date(2027, 3, 1)) == 24_205  # +3.00%
    pleegzorg_oud = Product.objects.get(code="44L01")
    # 5000 -> x1.0474 = 5237 -> x1.0610 = 5556.457 -> 5556 -> x1.0360 = 5756.016 -> 5756
    assert [tariff_on(pleegzorg_oud, dt.date(y, 1, 1)) for y in (2022, 2023, 2024, 2025)] == [
        5000,
        5237,
        5556,
        5756,
    ]
    assert region.tarief_cent("44L01", 2025) == 5756


def test_every_legacy_product_maps_into_the_new_book():
    load_demo_region(users=False)
    legacy = ProductBoek.objects.get(geldig_van=dt.date(2022, 1, 1))
    new = ProductBoek.geldig_op(dt.date(2026, 1, 1))
    assert ProductMapping.objects.count() == legacy.producten.count()
    assert all(p.nieuw_product().boek == new for p in legacy.producten.all())


def test_agreements_admit_the_new_products_of_the_providers_groups():
    load_demo_region(users=False)
    spec = next(a for a in region.aanbieders() if a.categorie == "B" and a.groepen == ("W",))
    ro = Raamovereenkomst.objects.get(aanbieder__agb_code=spec.agb_code)
    assert set(ro.toegelaten_producten.values_list("groep__code", flat=True)) == {"W"}
    assert ro.toegelaten_producten.count() == 5
