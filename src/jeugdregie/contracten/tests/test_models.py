import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jeugdregie.contracten.models import Aanbieder, Raamovereenkomst

pytestmark = pytest.mark.django_db


def test_one_framework_agreement_per_provider():
    aanbieder = Aanbieder.objects.create(agb_code="98000001", naam="Zorggroep De Linde", categorie="A")
    Raamovereenkomst.objects.create(aanbieder=aanbieder, kenmerk="RO-1", ingangsdatum=dt.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Raamovereenkomst.objects.create(aanbieder=aanbieder, kenmerk="RO-2", ingangsdatum=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="bestaat al"):
        Raamovereenkomst(aanbieder=aanbieder, kenmerk="RO-3", ingangsdatum=dt.date(2026, 1, 1)).full_clean()


def test_terms_initial_five_years_one_extension_of_four():
    aanbieder = Aanbieder.objects.create(agb_code="98000002", naam="Praktijk Kei")
    ro = Raamovereenkomst(aanbieder=aanbieder, kenmerk="RO-1", ingangsdatum=dt.date(2026, 1, 1))
    assert ro.einddatum == dt.date(2030, 12, 31)
    assert ro.uiterste_einddatum == dt.date(2034, 12, 31)
    ro.verlengingen_benut = 1
    assert ro.einddatum == dt.date(2034, 12, 31)
    assert ro.is_actief_op(dt.date(2034, 12, 31)) and not ro.is_actief_op(dt.date(2035, 1, 1))
    ro.verlengingen_benut = 2
    with pytest.raises(ValidationError, match="Meer verlengingen benut"):
        ro.full_clean()


def test_signed_three_months_before_start():
    aanbieder = Aanbieder.objects.create(agb_code="98000003", naam="Stichting Het Anker")
    ro = Raamovereenkomst(aanbieder=aanbieder, kenmerk="RO-1", ingangsdatum=dt.date(2026, 1, 1))
    assert ro.tijdig_ondertekend is None
    ro.ondertekend_op = dt.date(2025, 10, 1)
    assert ro.tijdig_ondertekend is True
    ro.ondertekend_op = dt.date(2025, 10, 2)
    assert ro.tijdig_ondertekend is False


def test_nga_provider_has_no_agreement():
    nga = Aanbieder.objects.create(agb_code="98000004", naam="Particuliere praktijk", is_nga=True)
    with pytest.raises(ValidationError, match="niet-gecontracteerde aanbieder"):
        Raamovereenkomst(aanbieder=nga, kenmerk="RO-9", ingangsdatum=dt.date(2026, 1, 1)).full_clean()


def test_agb_code_is_eight_digits():
    with pytest.raises(ValidationError, match="8 cijfers"):
        Aanbieder(agb_code="1234567", naam="Te kort").full_clean()
