import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jeugdregie.catalogus.models import (
    Norm,
    Product,
    ProductBoek,
    ProductGroep,
    ProductMapping,
    Segment,
    Tarief,
)
from jeugdregie.catalogus.services import run_indexation, tariff_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    oud = ProductBoek.objects.create(
        naam="Oud", geldig_van=dt.date(2022, 1, 1), geldig_tot=dt.date(2025, 12, 31)
    )
    nieuw = ProductBoek.objects.create(naam="Nieuw", geldig_van=dt.date(2026, 1, 1))
    return oud, nieuw


def make_product(boek, code, naam="Product", categorie="45", eenheid="04"):
    segment, _ = Segment.objects.get_or_create(code="4", defaults={"naam": "Ambulant"})
    groep, _ = ProductGroep.objects.get_or_create(
        boek=boek, code="A", defaults={"naam": "Ambulant", "segment": segment}
    )
    return Product.objects.create(
        boek=boek, groep=groep, categorie=categorie, code=code, naam=naam, eenheid=eenheid
    )


class TestProductBoekValidity:
    def test_book_valid_on_boundaries(self, books):
        oud, nieuw = books
        assert oud.is_geldig_op(dt.date(2022, 1, 1))
        assert oud.is_geldig_op(dt.date(2025, 12, 31))
        assert not oud.is_geldig_op(dt.date(2026, 1, 1))
        assert not oud.is_geldig_op(dt.date(2021, 12, 31))
        assert nieuw.is_geldig_op(dt.date(2040, 1, 1))  # open-ended

    def test_book_in_force_on_a_date(self, books):
        oud, nieuw = books
        assert ProductBoek.geldig_op(dt.date(2025, 12, 31)) == oud
        assert ProductBoek.geldig_op(dt.date(2026, 1, 1)) == nieuw
        assert ProductBoek.geldig_op(dt.date(2021, 6, 1)) is None

    def test_end_before_start_is_refused(self):
        boek = ProductBoek(naam="Fout", geldig_van=dt.date(2026, 1, 1), geldig_tot=dt.date(2025, 1, 1))
        with pytest.raises(ValidationError, match="einddatum ligt voor de begindatum"):
            boek.full_clean()

    def test_overlapping_books_are_refused(self, books):
        overlap = ProductBoek(naam="Overlap", geldig_van=dt.date(2025, 7, 1), geldig_tot=dt.date(2026, 6, 30))
        with pytest.raises(ValidationError, match="overlapt met productboek 'Oud'"):
            overlap.full_clean()
        after_open_ended = ProductBoek(naam="Later", geldig_van=dt.date(2030, 1, 1))
        with pytest.raises(ValidationError, match="overlapt met productboek 'Nieuw'"):
            after_open_ended.full_clean()

    def test_adjacent_book_is_fine(self, books):
        oud, nieuw = books
        nieuw.geldig_tot = dt.date(2029, 12, 31)
        nieuw.save()
        ProductBoek(naam="Daarna", geldig_van=dt.date(2030, 1, 1)).full_clean()


class TestTariffs:
    def test_lookup_by_date_uses_the_calendar_year(self, books):
        oud, _ = books
        product = make_product(oud, "45L01")
        Tarief.objects.create(product=product, jaar=2022, bedrag_cent=8000)
        Tarief.objects.create(product=product, jaar=2023, bedrag_cent=8379)
        assert tariff_on(product, dt.date(2022, 12, 31)) == 8000
        assert tariff_on(product, dt.date(2023, 1, 1)) == 8379
        with pytest.raises(Tarief.DoesNotExist, match="Geen tarief voor 45/45L01 Product in 2024"):
            tariff_on(product, dt.date(2024, 3, 1))

    def test_indexation_rounds_half_up_per_tariff_and_keeps_manual_tariffs(self, books):
        oud, _ = books
        a = make_product(oud, "45L01")
        b = make_product(oud, "45L02")
        Tarief.objects.create(product=a, jaar=2022, bedrag_cent=8000)  # x 1.0474 = 8379.2  -> 8379
        Tarief.objects.create(product=b, jaar=2022, bedrag_cent=12_345)  # x 1.0474 = 12930.153 -> 12930
        c = make_product(oud, "45L03")
        Tarief.objects.create(product=c, jaar=2022, bedrag_cent=250)  # x 1.0474 = 261.85 -> 262
        Tarief.objects.create(product=b, jaar=2023, bedrag_cent=13_000)  # set by hand before the run
        run = run_indexation(2022, 2023, "4.74")
        assert tariff_on(a, dt.date(2023, 6, 1)) == 8379
        assert tariff_on(c, dt.date(2023, 6, 1)) == 262
        assert tariff_on(b, dt.date(2023, 6, 1)) == 13_000
        assert set(run.tarieven.values_list("product__code", flat=True)) == {"45L01", "45L03"}
        assert run.factor == Decimal("1.0474")


class TestMapping:
    def test_legacy_product_maps_to_the_new_book(self, books):
        oud, nieuw = books
        legacy = make_product(oud, "45L01", "Perspectief 1 licht")
        new = make_product(nieuw, "45N01", "Ambulante hulp thuis Basis")
        ProductMapping.objects.create(oud_product=legacy, nieuw_product=new)
        assert legacy.nieuw_product() == new
        assert new.nieuw_product() == new  # a new-book product is its own mapping

    def test_unmapped_legacy_product_stays_itself(self, books):
        oud, _ = books
        legacy = make_product(oud, "45L02")
        assert legacy.nieuw_product() == legacy

    def test_mapping_within_one_book_or_backwards_is_refused(self, books):
        oud, nieuw = books
        a, b = make_product(oud, "45L01"), make_product(oud, "45L02")
        with pytest.raises(ValidationError, match="twee verschillende productboeken"):
            ProductMapping(oud_product=a, nieuw_product=b).full_clean()
        new = make_product(nieuw, "45N01")
        with pytest.raises(ValidationError, match="later productboek"):
            ProductMapping(oud_product=new, nieuw_product=a).full_clean()

    def test_one_mapping_per_legacy_product(self, books):
        oud, nieuw = books
        legacy = make_product(oud, "45L01")
        ProductMapping.objects.create(oud_product=legacy, nieuw_product=make_product(nieuw, "45N01"))
        with pytest.raises(ValidationError):
            ProductMapping(oud_product=legacy, nieuw_product=make_product(nieuw, "45N02")).full_clean()


class TestProductAndNorm:
    def test_product_code_format(self, books):
        oud, _ = books
        product = make_product(oud, "45L01")
        product.code = "45l0"
        with pytest.raises(ValidationError, match="5 tekens"):
            product.full_clean()

    def test_group_of_another_book_is_refused(self, books):
        oud, nieuw = books
        product = make_product(oud, "45L01")
        product.groep = ProductGroep.objects.create(boek=nieuw, code="A", naam="Ambulant")
        with pytest.raises(ValidationError, match="ander productboek"):
            product.full_clean()

    def test_norm_ranges_and_factor(self, books):
        oud, _ = books
        product = make_product(oud, "45L01")
        with pytest.raises(ValidationError, match="maximum ligt onder het minimum"):
            Norm(product=product, duur_min_maanden=12, duur_max_maanden=6).full_clean()
        with pytest.raises(ValidationError, match="tussen 0 en 1"):
            Norm(product=product, tarieffactor_na_normduur=Decimal("1.200")).full_clean()
        Norm(
            product=product,
            duur_min_maanden=3,
            duur_max_maanden=12,
            tarieffactor_na_normduur=Decimal("0.850"),
        ).full_clean()
