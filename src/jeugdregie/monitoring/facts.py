"""Reads the care facts from the database as the plain records the KPI rules take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from jeugdregie.catalogus.models import Product
from jeugdregie.rules.kpi import ClaimFact
from jeugdregie.zorg.models import DeclaratieRegel


def _product_index() -> dict[int, tuple[str, str, str, str]]:
    """product id -> (segment, group, product code in the current book, meerwerk/maatwerk flag).
    Legacy products are reported as their mapped new product so history stays comparable; the
    group and segment are the new product's, the flag the claimed product's own."""
    index = {}
    for product in Product.objects.select_related("groep__segment", "mapping__nieuw_product__groep__segment"):
        current = product.mapping.nieuw_product if hasattr(product, "mapping") else product
        segment = current.groep.segment.code if current.groep.segment else ""
        index[product.pk] = (segment, current.groep.code, current.code, product.meerwerk_maatwerk)
    return index


def claim_facts(
    begin: dt.date, end: dt.date, *, gemeente: str | None = None, aanbieder: str | None = None
) -> Iterator[ClaimFact]:
    """Claim lines whose ProductPeriode begins in [begin, end]."""
    products = _product_index()
    rows = DeclaratieRegel.objects.filter(periode_begin__gte=begin, periode_begin__lte=end)
    if gemeente:
        rows = rows.filter(gemeente__cbs_code=gemeente)
    if aanbieder:
        rows = rows.filter(aanbieder__agb_code=aanbieder)
    fields = (
        "client__pseudoniem",
        "gemeente__cbs_code",
        "aanbieder__agb_code",
        "aanbieder__categorie",
        "aanbieder__is_nga",
        "product_id",
        "periode_begin",
        "bedrag_cent",
        "volume",
    )
    for client, gem, agb, cat, nga, product_id, begin_day, bedrag, volume in rows.values_list(
        *fields
    ).iterator(chunk_size=5000):
        segment, groep, code, custom = products.get(product_id, ("", "", "", ""))
        yield ClaimFact(client, gem, agb, cat, nga, segment, groep, code, custom, begin_day, bedrag, volume)
