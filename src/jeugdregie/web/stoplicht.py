"""The referrers' traffic light as a screen: search, filters (colour, municipality, segment,
product), paging, and small numbers suppressed outside regio (SYSTEM.md section 6).

The light itself is computed region-wide by `budget.traffic`; this module decides what a role
sees of it. Outside regio a part of the light that rests on fewer clients than the threshold is
not shown and does not colour the light: the waiting time of a provider x product with fewer
starting clients in the last 90 days, the budget of a provider x group with fewer claimed clients
this year, the KPIs of a provider with fewer clients this year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from django.core.paginator import Paginator
from django.db.models import Min

from jeugdregie.budget.traffic import WAITING_WINDOW_DAYS, ProviderProductLight
from jeugdregie.catalogus.models import Product
from jeugdregie.monitoring.facts import product_index
from jeugdregie.rules.traffic_light import Colour, Light
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

from .kpi_query import threshold

PER_PAGE = 50
PART_PREFIX = {"wachttijd": "wachttijd:", "budget": "budget:", "kpi": "KPI's"}
SUPPRESSED_REASON = {
    "wachttijd": "wachttijd: niet getoond, minder dan {n} cliënten gestart in de laatste 90 dagen",
    "budget": "budget: niet getoond, minder dan {n} cliënten in deze productgroep",
    "kpi": "KPI's: niet getoond, minder dan {n} cliënten bij deze aanbieder",
}


@dataclass(frozen=True)
class Counts:
    """Distinct clients behind each part of the lights, and who serves which municipality."""

    starts: dict[tuple[str, str], int]  # (AGB, product code) -> clients starting in the window
    groups: dict[tuple[str, str], int]  # (AGB, product group) -> clients claimed this year
    providers: dict[str, int]  # AGB -> clients claimed this year or in care on the peildatum
    municipalities: dict[str, set[str]]  # AGB -> CBS codes of its clients in the last year
    per_municipality: dict[str, int]  # CBS code -> clients claimed this year or in care on the peildatum
    per_category: dict[str, int]  # A / B / C (C with NGA) -> the same, and "regio" -> all of them


@lru_cache(maxsize=4)
def counts(as_of: dt.date, version: tuple) -> Counts:
    index = product_index()
    window_begin = as_of - dt.timedelta(days=WAITING_WINDOW_DAYS)
    starts: dict[tuple[str, str], set[int]] = defaultdict(set)
    started = (
        Toewijzing.objects.filter(verwijderd=False, product__isnull=False)
        .annotate(first_start=Min("starts__begindatum"))
        .filter(first_start__gt=window_begin, first_start__lte=as_of)
        .values_list("aanbieder__agb_code", "product_id", "client_id")
    )
    for agb, product_id, client in started:
        starts[(agb, index[product_id][2])].add(client)
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    providers: dict[str, set[int]] = defaultdict(set)
    claimed = DeclaratieRegel.objects.filter(
        periode_begin__gte=dt.date(as_of.year, 1, 1), periode_begin__lte=as_of, product__isnull=False
    ).values_list("aanbieder__agb_code", "product_id", "client_id")
    for agb, product_id, client in claimed.iterator(chunk_size=10_000):
        groups[(agb, index[product_id][1])].add(client)
        providers[agb].add(client)
    per_municipality: dict[str, set[int]] = defaultdict(set)
    per_category: dict[str, set[int]] = defaultdict(set)
    for agb, cbs, categorie, nga, client in claimed_by_municipality(as_of):
        providers[agb].add(client)
        per_municipality[cbs].add(client)
        per_category["C" if nga else categorie].add(client)
        per_category["regio"].add(client)
    municipalities: dict[str, set[str]] = defaultdict(set)
    year_ago = as_of - dt.timedelta(days=365)
    served = (
        Toewijzing.objects.filter(verwijderd=False, ingangsdatum__lte=as_of)
        .exclude(einddatum__lt=year_ago)
        .values_list("aanbieder__agb_code", "gemeente__cbs_code")
        .distinct()
    )
    for agb, cbs in served:
        municipalities[agb].add(cbs)
    return Counts(
        {k: len(v) for k, v in starts.items()},
        {k: len(v) for k, v in groups.items()},
        {k: len(v) for k, v in providers.items()},
        dict(municipalities),
        {k: len(v) for k, v in per_municipality.items()},
        {k: len(v) for k, v in per_category.items()},
    )


def claimed_by_municipality(as_of: dt.date):
    """(AGB, CBS code, category, NGA, client) of this year's claims and of allocations valid on the
    peildatum."""
    claims = DeclaratieRegel.objects.filter(
        periode_begin__gte=dt.date(as_of.year, 1, 1), periode_begin__lte=as_of
    ).values_list(
        "aanbieder__agb_code", "gemeente__cbs_code", "aanbieder__categorie", "aanbieder__is_nga", "client_id"
    )
    yield from claims.distinct().iterator(chunk_size=10_000)
    valid = (
        Toewijzing.objects.filter(verwijderd=False, ingangsdatum__lte=as_of)
        .exclude(einddatum__lt=as_of)
        .values_list(
            "aanbieder__agb_code",
            "gemeente__cbs_code",
            "aanbieder__categorie",
            "aanbieder__is_nga",
            "client_id",
        )
    )
    yield from valid.distinct().iterator(chunk_size=10_000)


def product_info() -> dict[str, tuple[str, str, str]]:
    """Product code -> (group code, segment code, segment name), the newest book's where a code recurs."""
    return {
        code: (groep, segment or "", segment_naam or "")
        for code, groep, segment, segment_naam in Product.objects.order_by("boek__geldig_van").values_list(
            "code", "groep__code", "groep__segment__code", "groep__segment__naam"
        )
    }


def _without(light: Light, hidden: dict[str, str]) -> Light:
    """The light with the `hidden` parts ({part: reason}) unknown: they no longer colour it."""
    parts = {k: (Colour.ONBEKEND if k in hidden else c) for k, c in light.parts.items()}
    reasons = tuple(
        next((hidden[k] for k in hidden if reason.startswith(PART_PREFIX[k])), reason)
        for reason in light.reasons
    )
    return replace(light, colour=max(parts.values(), default=Colour.ONBEKEND), reasons=reasons, parts=parts)


def suppressed(lights: list[ProviderProductLight], data: Counts, info: dict) -> list[ProviderProductLight]:
    limit = threshold()
    shown = []
    for x in lights:
        groep = info.get(x.product, ("",))[0]
        behind = {
            "wachttijd": data.starts.get((x.aanbieder, x.product), 0),
            "budget": data.groups.get((x.aanbieder, groep), 0),
            "kpi": data.providers.get(x.aanbieder, 0),
        }
        hidden = {
            part: SUPPRESSED_REASON[part].format(n=limit) for part, n in behind.items() if 0 < n < limit
        }
        shown.append(replace(x, light=_without(x.light, hidden)) if hidden else x)
    return shown


def select(lights, *, zoek: str, kleur: str, gemeente: str, segment: str, product: str, data: Counts, info):
    """The lights matching the search and filters."""
    if zoek:
        words = zoek.lower().split()
        lights = [
            x
            for x in lights
            if all(
                w in f"{x.aanbieder_naam} {x.aanbieder} {x.product} {x.product_naam}".lower() for w in words
            )
        ]
    if kleur:
        lights = [x for x in lights if x.light.colour.label == kleur]
    if gemeente:
        lights = [x for x in lights if gemeente in data.municipalities.get(x.aanbieder, ())]
    if segment:
        lights = [x for x in lights if info.get(x.product, ("", ""))[1] == segment]
    if product:
        lights = [x for x in lights if x.product == product]
    return lights


def page_of(items: list, number: str | None):
    return Paginator(items, PER_PAGE).get_page(number)
