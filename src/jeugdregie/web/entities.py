"""The pages of one municipality, one provider and one product (issue 12).

Who sees what (SYSTEM.md section 6), decided here before anything is selected: the municipality
page is for regio and beheer (every municipality) and a gemeente user (its own only); the provider
page for regio, beheer and gemeente users, and for an aanbieder its own AGB only; the product page
for everyone but the verwijzer, an aanbieder seeing its own figures only. Outside regio every
figure that rests on fewer clients than the threshold is shown as '-' (web.kpi_query for the KPIs,
`_shown` here for the amounts per segment, group, year and provider). Every number links to its
drill-down (web.drilldown), which lists what it rests on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from jeugdregie.accounts.models import Rol
from jeugdregie.catalogus.models import Product, ProductMapping, Segment, Tarief
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.contracten.stuuropdracht import norm_rows
from jeugdregie.monitoring.facts import computed, data_complete_until, product_index
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import kpi as rules
from jeugdregie.rules.stuuropdracht import MIN_PEERS
from jeugdregie.rules.suppression import hidden_rows
from jeugdregie.zorg.models import DeclaratieRegel

from . import screen_cache
from .access import Scope, choose_year, newest_whole_year, scope_of, years_with_data
from .budget import _rows, last_complete_month_end, plafonds_figures
from .drilldown import TERTIAL_MONTHS, drill_url, exact_euro, year_facts
from .formatting import euro, format_kpi, number, percent, product_label, product_names
from .kpi_query import scoped_kpi_rows, threshold
from .settlement_rows import group_names


def _year(request) -> tuple[int, str | None, dt.date]:
    latest = data_complete_until()
    jaar, melding = choose_year(request.GET.get("jaar"), years_with_data(latest), newest_whole_year(latest))
    return jaar, melding, latest


def municipality_figures(scope: Scope, jaar: int, cbs: str, at: str | None = None) -> dict[str, Any]:
    """`_municipality_figures` from the screen cache (warmed by `jeugdregie precompute`)."""
    return screen_cache.cached(
        "gemeentepagina",
        (scope.suppress_small_numbers, threshold(), jaar, cbs),
        lambda: _municipality_figures(scope, jaar, cbs),
        at=at,
    )


def provider_figures(scope: Scope, jaar: int, agb: str, at: str | None = None) -> dict[str, Any]:
    """`_provider_figures` from the screen cache (warmed by `jeugdregie precompute`)."""
    return screen_cache.cached(
        "aanbiederpagina",
        (scope.suppress_small_numbers, threshold(), jaar, agb),
        lambda: _provider_figures(scope, jaar, agb),
        at=at,
    )


def _count(n: int | None) -> str:
    return "-" if n is None else number(n)


def _shown(value: Any, clients: int, scope: Scope) -> Any:
    """`value` unless it rests on fewer clients than the threshold and the user is not regio."""
    return None if scope.suppress_small_numbers and 0 < clients < threshold() else value


def _hidden(clients: list[int], scope: Scope) -> list[bool]:
    """Rows of a table whose total is shown as well: the small ones and, with them, as many of
    the smallest others as needed so that the total cannot give a hidden row away
    (jeugdregie.rules.suppression). Nothing is hidden for regio."""
    if not scope.suppress_small_numbers:
        return [False] * len(clients)
    return hidden_rows(clients, threshold())


def _kpi_rows(scope: Scope, jaar: int, gemeente: str | None = None, aanbieder: str | None = None):
    """The KPI rows as the KPI screen computes them, under the same screen-cache entry (which
    `jeugdregie precompute` warms for every municipality and provider)."""
    return screen_cache.cached(
        "kpi",
        (scope.suppress_small_numbers, threshold(), jaar, gemeente, aanbieder),
        lambda: scoped_kpi_rows(scope, jaar, gemeente, aanbieder, facts=year_facts(jaar)),
    )


def _kpi_table(scope: Scope, jaar: int, names, **cut: str) -> list[dict[str, Any]]:
    rows, _ = _kpi_rows(scope, jaar, cut.get("gemeente"), cut.get("aanbieder"))
    return [
        {
            **row,
            "cells": [
                (format_kpi(v, row["unit"], names), drill_url(row["id"], jaar, TERTIAL_MONTHS[p], **cut))
                for p, v in zip(
                    ("jaar", "T1", "T2", "T3"), (row["value"], *row["tertials"].values()), strict=True
                )
            ],
        }
        for row in rows
    ]


def segment_names() -> dict[str, str]:
    return {"": "Vervoer", **dict(Segment.objects.values_list("code", "naam"))}


def spend_by(facts: rules.Facts, jaar: int, cut: str, **where: str) -> dict[str, tuple[int, int]]:
    """{value of `cut`: (net spend in cents, clients)} of the year's accepted claims within `where`,
    with the KPI engine's own definitions of spend and clients."""
    by = tuple(where) + (cut,)
    period = rules.year(jaar)
    spend = computed("spend", facts, period, by)  # once for every party inside `shared_facts()`
    clients = computed("clients", facts, period, by)
    prefix = tuple(where.values())
    return {key[-1]: (spend[key], clients[key]) for key in spend if key[:-1] == prefix}


def share_rows(
    facts: rules.Facts, jaar: int, cut: str, cbs: str, scope: Scope, labels: dict[str, str]
) -> list[dict[str, Any]]:
    """Per segment or group: the municipality's spend, the region's, and the municipality's share."""
    own = spend_by(facts, jaar, cut, gemeente=cbs)
    region = spend_by(facts, jaar, cut)
    ordered = sorted(region.items(), key=lambda kv: -kv[1][0])
    # Each column adds up to a total on the page (the municipality's, the region's).
    own_hidden = _hidden([own.get(key, (0, 0))[1] for key, _ in ordered], scope)
    region_hidden = _hidden([n for _, (_, n) in ordered], scope)
    rows = []
    for i, (key, (region_cent, _region_clients)) in enumerate(ordered):
        own_cent, own_clients = own.get(key, (0, 0))
        own_shown = None if own_hidden[i] else own_cent
        region_shown = None if region_hidden[i] else region_cent
        share = own_shown / region_shown if own_shown is not None and region_shown else None
        rows.append(
            {
                "key": key,
                "naam": labels.get(key, key) if cut != "product" else product_label(key, labels),
                "eigen": euro(own_shown),
                "eigen_clienten": _count(None if own_hidden[i] else own_clients),
                "regio": euro(region_shown),
                "aandeel": percent(share) if share is not None else "-",
                "eigen_url": drill_url("spend", jaar, gemeente=cbs, **{cut: key}),
                "regio_url": drill_url("spend", jaar, **{cut: key}),
            }
        )
    return rows


def _municipality_figures(scope: Scope, jaar: int, cbs: str) -> dict[str, Any]:
    """Spend per segment and group beside the region's, and the totals (suppressed for `scope`)."""
    facts = year_facts(jaar)
    own_cent, own_clients = spend_by(facts, jaar, "gemeente").get(cbs, (0, 0))
    return {
        "segments": share_rows(facts, jaar, "segment", cbs, scope, segment_names()),
        "groups": share_rows(facts, jaar, "groep", cbs, scope, group_names()),
        "own_total": _shown(own_cent, own_clients, scope),
        "total_region": computed("spend", facts, rules.year(jaar)).get((), 0),
    }


def _same(a: list[dict], b: list[dict], fields: tuple[str, ...]) -> bool:
    def key(rows):
        return sorted(tuple(str(r[f]) for f in fields) for r in rows)

    return key(a) == key(b)


@login_required
def gemeente(request, cbs: str):
    scope = scope_of(request.user)
    if scope.rol not in (Rol.REGIO, Rol.BEHEER, Rol.GEMEENTE):
        raise PermissionDenied("De gemeentepagina is voor de regio en de gemeente zelf.")
    if scope.rol == Rol.GEMEENTE and cbs != scope.gemeente:
        raise PermissionDenied("Een gemeente ziet alleen de eigen gemeentepagina.")
    municipality = get_object_or_404(Gemeente, cbs_code=cbs)
    jaar, melding, latest = _year(request)
    names = product_names()
    own = _kpi_table(scope, jaar, names, gemeente=cbs)
    region = _kpi_table(scope, jaar, names)
    figures = municipality_figures(scope, jaar, cbs)
    segments, groups = figures["segments"], figures["groups"]
    own_total, total_region = figures["own_total"], figures["total_region"]
    context = {
        "scope": scope,
        "gemeente": municipality,
        "jaar": jaar,
        "jaren": years_with_data(latest),
        "melding": melding,
        "tot": _kpi_rows(scope, jaar)[1],
        "drempel": threshold(),
        "kpis": [
            {
                "label": o["label"],
                "definition": o["definition"],
                "unit": o["unit"],
                "eigen": o["cells"][0],
                "regio": r["cells"][0],
            }
            for o, r in zip(own, region, strict=True)
        ],
        "segmenten": segments,
        # In a region whose product groups are its segments the second table would repeat the first.
        "groepen": [] if _same(groups, segments, ("naam", "eigen", "regio")) else groups,
        "totaal_eigen": euro(own_total),
        "totaal_regio": euro(total_region),
        "aandeel": percent(own_total / total_region) if own_total is not None and total_region else "-",
        "totaal_url": drill_url("spend", jaar, gemeente=cbs),
    }
    return render(request, "web/gemeente.html", context)


def ranking(facts: rules.Facts, jaar: int, cut: str, agb: str, scope: Scope, labels) -> list[dict[str, Any]]:
    """The provider's place per segment or group among the providers with at least the threshold of
    clients there, by cost per client (1 = the lowest). Only the place and the number of providers
    are shown, never another provider's figure; no place with fewer than MIN_PEERS providers."""
    period = rules.year(jaar)
    spend = rules.compute("spend", facts, period, (cut, "aanbieder"))
    clients = rules.compute("clients", facts, period, (cut, "aanbieder"))
    per_key: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for (key, provider), cents in spend.items():
        per_key[key][provider] = (cents, clients[(key, provider)])
    rows = []
    own_keys = [key for key, providers in sorted(per_key.items()) if agb in providers]
    # The provider's rows add up to its total on the same page (the KPI table).
    hidden = dict(zip(own_keys, _hidden([per_key[k][agb][1] for k in own_keys], scope), strict=True))
    for key in own_keys:
        providers = per_key[key]
        cents, n = providers[agb]
        enough = {p: c / k for p, (c, k) in providers.items() if k >= threshold()}
        place = None
        if agb in enough and len(enough) >= MIN_PEERS:
            place = 1 + sum(1 for v in enough.values() if v < enough[agb])
        rows.append(
            {
                "naam": labels.get(key, key),
                "clienten": _count(None if hidden[key] else n),
                "bedrag": euro(None if hidden[key] else cents),
                "per_client": euro(None if hidden[key] else cents / n) if n else "-",
                "plaats": place,
                "vergeleken": len(enough),
                "percentiel": round(100 * (place - 1) / (len(enough) - 1)) if place else None,
                "url": drill_url("spend", jaar, aanbieder=agb, **{cut: key}),
            }
        )
    return rows


def ceiling_rows(agb: str, scope: Scope) -> tuple[dt.date, list]:
    """The Plafonds screen's forecast per product group for this provider (web.budget), suppressed
    outside regio when fewer than the threshold of clients claimed in the group this year."""
    from .views import counts_on

    as_of = last_complete_month_end(data_complete_until())
    at = screen_cache.version()
    levels, _signals = plafonds_figures(as_of, at)
    names = {f"{agb}/{code}": g for code, g in group_names().items()}
    rows = _rows(levels, "aanbieder_groep", names, keep=lambda key: key.startswith(f"{agb}/"))
    rows += _rows(levels, "aanbieder", {agb: "Totaal"}, keep=lambda key: key == agb)
    if scope.suppress_small_numbers:
        data = counts_on(as_of, at)
        per_group, per_provider = data.groups, data.providers
        groups = [r for r in rows if "/" in r.key]
        # The groups add up to the provider's total row: hidden with complementary suppression.
        hidden = {
            r.key
            for r, h in zip(
                groups,
                _hidden([per_group.get((agb, r.key.split("/")[1]), 0) for r in groups], scope),
                strict=True,
            )
            if h
        }
        if 0 < per_provider.get(agb, 0) < threshold():
            hidden |= {r.key for r in rows}
        rows = [
            type(r)(r.key, r.naam, r.ceiling_cent, None, None, None, None, None, None)
            if r.key in hidden
            else r
            for r in rows
        ]
    return as_of, [r for r in rows if r.ceiling_cent or r.claimed_cent]


def _norm(n, names) -> dict[str, Any]:
    """A stuuropdracht norm row (contracten.stuuropdracht) as text."""
    bounds = [f"min. {format_kpi(n.low, n.unit)}" if n.low is not None else ""]
    bounds.append(f"max. {format_kpi(n.high, n.unit)}" if n.high is not None else "")
    b = n.benchmark
    return {
        "kpi": n.kpi,
        "label": n.label,
        "norm": ", ".join(x for x in bounds if x),
        "waarde": format_kpi(n.values["jaar"], n.unit, names),
        "status": n.status["jaar"],
        "benchmark": (
            f"mediaan {format_kpi(b.median, n.unit)} ({format_kpi(b.q1, n.unit)} – {format_kpi(b.q3, n.unit)}), "
            f"{b.peers} aanbieders"
            if b
            else "-"
        ),
        "positie": n.position or "-",
    }


def _provider_figures(scope: Scope, jaar: int, agb: str) -> dict[str, Any]:
    """The norms with their benchmark and the places among comparable providers (for `scope`)."""
    facts = year_facts(jaar)
    names = product_names()
    return {
        "norms": [_norm(n, names) for n in norm_rows(scope, agb, jaar, facts)],
        "groups": ranking(facts, jaar, "groep", agb, scope, group_names()),
        "segments": ranking(facts, jaar, "segment", agb, scope, segment_names()),
    }


@login_required
def aanbieder(request, agb: str):
    scope = scope_of(request.user)
    if scope.rol == Rol.VERWIJZER:
        raise PermissionDenied("Verwijzers zien het stoplicht en het gecontracteerde aanbod.")
    if scope.rol == Rol.AANBIEDER and agb != scope.aanbieder:
        raise PermissionDenied("Een aanbieder ziet alleen de eigen aanbiederspagina.")
    provider = get_object_or_404(Aanbieder, agb_code=agb)
    jaar, melding, latest = _year(request)
    names = product_names()
    as_of, ceilings = ceiling_rows(agb, scope)
    figures = provider_figures(scope, jaar, agb)
    ranked_groups, ranked_segments = figures["groups"], figures["segments"]
    context = {
        "scope": scope,
        "aanbieder": provider,
        "jaar": jaar,
        "jaren": years_with_data(latest),
        "melding": melding,
        "tot": _kpi_rows(scope, jaar, aanbieder=agb)[1],
        "drempel": threshold(),
        "kpis": _kpi_table(scope, jaar, names, aanbieder=agb),
        "normen": figures["norms"],
        "plafond_peildatum": as_of,
        "plafonds": ceilings,
        "groepen": ranked_groups,
        "segmenten": []
        if _same(ranked_groups, ranked_segments, ("naam", "bedrag", "plaats"))
        else ranked_segments,
        "min_peers": MIN_PEERS,
    }
    return render(request, "web/aanbieder.html", context)


def product_figures(pks: list[int], scope: Scope, *, aanbieder: str | None) -> dict:
    """Accepted claims of the products: per year and, per year, per provider: (spend, clients),
    clients counted as the KPI engine counts them (net positive amount in the year)."""
    rows = DeclaratieRegel.objects.filter(product_id__in=pks, afgewezen=False)
    if aanbieder:
        rows = rows.filter(aanbieder__agb_code=aanbieder)
    per_client = (
        rows.values_list("periode_begin__year", "aanbieder__agb_code", "client_id")
        .annotate(s=Sum("bedrag_cent"))
        .order_by()
    )
    years: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    providers: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    year_client: dict[tuple[int, int], int] = defaultdict(int)
    for year, agb, client, cents in per_client:
        years[year]["spend"] += cents
        year_client[(year, client)] += cents
        providers[(year, agb)]["spend"] += cents
        providers[(year, agb)]["clients"] += 1 if cents > 0 else 0
    for (year, _client), cents in year_client.items():
        years[year]["clients"] += 1 if cents > 0 else 0
    return {"years": years, "providers": providers}


@login_required
def product(request, code: str):
    scope = scope_of(request.user)
    _gemeente, own_provider = scope.allowed_filter(None, None)  # refuses the verwijzer
    versions = list(
        Product.objects.filter(code=code)
        .select_related("boek", "groep__segment")
        .order_by("boek__geldig_van")
    )
    if not versions:
        raise Http404("Onbekend product.")
    current = versions[-1]
    predecessors = list(
        ProductMapping.objects.filter(nieuw_product__in=versions)
        .select_related("oud_product")
        .order_by("oud_product__code")
    )
    jaar, melding, latest = _year(request)
    pks = [pk for pk, (_s, _g, mapped, _c, _p) in product_index().items() if mapped == code]
    figures = product_figures(pks, scope, aanbieder=own_provider)
    provider_names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    per_year = [
        {
            "jaar": y,
            "clienten": _count(_shown(f["clients"], f["clients"], scope)),
            "bedrag": euro(_shown(f["spend"], f["clients"], scope)),
            "url": drill_url("spend", y, product=code, aanbieder=own_provider),
        }
        for y, f in sorted(figures["years"].items())
    ]
    # The providers add up to the year's row above them: complementary suppression (of providers
    # with as many clients, the one with the smallest amount first).
    in_year = sorted(
        ((agb, f) for (y, agb), f in figures["providers"].items() if y == jaar),
        key=lambda item: (item[1]["spend"], item[0]),
    )
    hidden = _hidden([f["clients"] for _, f in in_year], scope)
    delivering = sorted(
        (
            {
                "agb": agb,
                "naam": provider_names.get(agb, agb),
                "clienten": _count(None if h else f["clients"]),
                "bedrag": euro(None if h else f["spend"]),
                "spend": f["spend"],
                "url": drill_url("spend", jaar, product=code, aanbieder=agb),
            }
            for (agb, f), h in zip(in_year, hidden, strict=True)
        ),
        key=lambda r: (-r["spend"], r["naam"]),
    )
    context = {
        "scope": scope,
        "product": current,
        "label": product_label(code, product_names()),
        "versies": versions,
        "tarieven": [
            {
                "jaar": t.jaar,
                "boek": t.product.boek.naam,
                "product": f"{t.product.code} {t.product.naam}",
                "tarief": exact_euro(t.bedrag_cent),
            }
            for t in Tarief.objects.filter(product__in=[*versions, *(m.oud_product for m in predecessors)])
            .select_related("product__boek")
            .order_by("jaar", "product__code")
        ],
        "oude_producten": predecessors,
        "jaar": jaar,
        "jaren": years_with_data(latest),
        "melding": melding,
        "per_jaar": per_year,
        "aanbieders": delivering,
        "drempel": threshold(),
    }
    return render(request, "web/product.html", context)
