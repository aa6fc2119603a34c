import datetime as dt
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.http import urlencode

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.catalogus.models import ProductBoek
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente

from . import screen_cache
from . import stoplicht as traffic_screen
from .access import choose_year, filter_context, known_code, newest_whole_year, scope_of, years_with_data
from .budget import data_version, last_complete_month_end
from .formatting import format_kpi, product_names
from .kpi_query import scoped_kpi_rows, threshold


def _demo_progress() -> dict | None:
    """While `jeugdregie demo` ingests its traffic in the background: how far it is."""
    import json

    from jeugdregie.demo.management.commands.demo_ingest import demo_data_dir, ingest_marker

    manifest = demo_data_dir() / "manifest.json"
    if not manifest.exists() or ingest_marker().exists():
        return None
    total = json.loads(manifest.read_text())["aantallen"]["berichten"]
    done = Aanlevering.objects.count()
    return {"done": done, "total": total, "percent": round(100 * done / total) if total else 100}


@login_required
def home(request):
    scope = scope_of(request.user)
    context = {
        "demo_progress": _demo_progress(),
        "scope": scope,
        "gemeenten": Gemeente.objects.all(),
        "boeken": ProductBoek.objects.all(),
        "aanbieders_aantal": Aanbieder.objects.count(),
        # Counting every message took 0.2 s at scale 10 on each home page view: once per data version.
        "berichten_aantal": screen_cache.cached("berichten-aantal", (), Bericht.objects.count),
        "tot": data_complete_until() if Bericht.objects.exists() else None,
    }
    return render(request, "web/home.html", context)


@login_required
def kpis(request):
    return render(request, "web/kpis.html", kpi_context(request))


def kpi_context(request) -> dict:
    """The KPI screen's data for the request's filters and role (the screen and its Excel export)."""
    scope = scope_of(request.user)
    latest = data_complete_until()
    jaar, melding = choose_year(request.GET.get("jaar"), years_with_data(latest), newest_whole_year(latest))
    gemeente, aanbieder = scope.allowed_filter(
        known_code(request.GET.get("gemeente") or None, Gemeente, "cbs_code"),
        known_code(request.GET.get("aanbieder") or None, Aanbieder, "agb_code"),
    )
    kpi_rows, as_of = screen_cache.cached(
        "kpi",
        (scope.suppress_small_numbers, threshold(), jaar, gemeente, aanbieder),
        lambda: scoped_kpi_rows(scope, jaar, gemeente, aanbieder),
    )
    names = product_names()
    rows = [
        {
            **row,
            "cells": [
                format_kpi(value, row["unit"], names) for value in (row["value"], *row["tertials"].values())
            ],
        }
        for row in kpi_rows
    ]
    if gemeente and scope.rol == Rol.GEMEENTE and gemeente == scope.gemeente:
        AuditRegel.objects.create(
            user=request.user, actie="kpi bekeken", object_omschrijving=f"gemeente {gemeente} {jaar}"
        )
    context = {
        **filter_context(scope, jaar, gemeente, aanbieder, latest),
        "rows": rows,
        "tot": as_of,
        "melding": melding,
        "drempel": threshold(),
        "query": urlencode({"jaar": jaar, "gemeente": gemeente or "", "aanbieder": aanbieder or ""}),
    }
    return context


@lru_cache(maxsize=4)
def _lights(as_of: dt.date, version: tuple):
    from jeugdregie.budget.traffic import provider_product_lights

    return provider_product_lights(as_of)


def stoplicht_figures(as_of: dt.date, at: str | None = None):
    """The region's lights and the client counts behind them on `as_of`, from the screen cache."""
    at = at or screen_cache.version()
    lights = screen_cache.cached("stoplicht", (as_of,), lambda: _lights(as_of, data_version()), at=at)
    return lights, counts_on(as_of, at)


def counts_on(as_of: dt.date, at: str | None = None):
    return screen_cache.cached(
        "counts", (as_of,), lambda: traffic_screen.counts(as_of, data_version()), at=at
    )


@login_required
def stoplicht(request):
    return render(request, "web/stoplicht.html", stoplicht_context(request))


def stoplicht_context(request) -> dict:
    """The traffic light for the request's search, filters and role; `selected` holds every match,
    `lights` the page shown (the screen and its Excel export)."""
    scope = scope_of(request.user)
    if scope.rol == Rol.AANBIEDER:
        raise PermissionDenied("Het stoplicht is voor verwijzers, gemeenten en de regio.")
    as_of = last_complete_month_end(data_complete_until())
    lights, data = stoplicht_figures(as_of)
    info = screen_cache.cached("productinfo", (), traffic_screen.product_info)
    if scope.suppress_small_numbers:
        # The same for every viewer outside the region: at scale 10 about 0.1 s a view.
        lights = screen_cache.cached(
            "stoplicht-onderdrukt",
            (as_of, threshold()),
            lambda: traffic_screen.suppressed(lights, data, info),
        )
    chosen = {
        "zoek": (request.GET.get("zoek") or "").strip()[:100],
        "kleur": request.GET.get("kleur") if request.GET.get("kleur") in ("groen", "oranje", "rood") else "",
        "gemeente": known_code(request.GET.get("gemeente") or None, Gemeente, "cbs_code") or "",
        "segment": request.GET.get("segment") or "",
        "product": request.GET.get("product") or "",
    }
    scope.refuse_other_municipality(chosen["gemeente"])
    selected = traffic_screen.select(lights, **chosen, data=data, info=info)
    page = traffic_screen.page_of(selected, request.GET.get("pagina"))
    query = {k: v for k, v in chosen.items() if v}
    context = {
        "scope": scope,
        "page": page,
        "lights": page.object_list,
        "selected": selected,
        "totaal": len(lights),
        "gevonden": len(selected),
        "as_of": as_of,
        **chosen,
        "query": urlencode(query),
        "gemeenten": Gemeente.objects.filter(cbs_code=scope.gemeente)
        if scope.rol == Rol.GEMEENTE
        else Gemeente.objects.all(),
        "segmenten": sorted({(seg, naam) for _, seg, naam in info.values() if seg}),
        "producten": sorted({(x.product, x.product_naam) for x in lights}),
        "drempel": threshold(),
    }
    return context
