"""Catalogue services: indexation runs and tariff lookup."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from jeugdregie.rules.money import index_cents

from .models import Indexering, Product, Tarief


@transaction.atomic
def run_indexation(
    van_jaar: int,
    naar_jaar: int,
    percentage: Decimal | str,
    *,
    user=None,
    toelichting: str = "",
    products=None,
) -> Indexering:
    """Create the tariffs of `naar_jaar` from those of `van_jaar` times (1 + percentage). Tariffs that
    already exist for `naar_jaar` are left alone (set by hand or by an earlier run)."""
    run = Indexering.objects.create(
        van_jaar=van_jaar,
        naar_jaar=naar_jaar,
        percentage=Decimal(percentage),
        uitgevoerd_door=user,
        toelichting=toelichting,
    )
    source = Tarief.objects.filter(jaar=van_jaar)
    if products is not None:
        source = source.filter(product__in=products)
    existing = set(Tarief.objects.filter(jaar=naar_jaar).values_list("product_id", flat=True))
    Tarief.objects.bulk_create(
        Tarief(
            product_id=t.product_id,
            jaar=naar_jaar,
            bedrag_cent=index_cents(t.bedrag_cent, run.percentage),
            indexering=run,
        )
        for t in source
        if t.product_id not in existing
    )
    return run


def tariff_on(product: Product, day: dt.date) -> int:
    """The tariff in cents of a product on a date."""
    return product.tarief_op(day).bedrag_cent
