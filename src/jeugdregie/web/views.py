import datetime as dt
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.catalogus.models import ProductBoek
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente

from .access import choose_year, filter_context, known_code, scope_of, years_with_data
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
        "berichten_aantal": Bericht.objects.count(),
        "tot": data_complete_until() if Bericht.objects.exists() else None,
    }
    return render(request, "web/home.html", context)


@login_required
def kpis(request):
    scope = scope_of(request.user)
    latest = data_complete_until()
    default = latest.year if latest.month == 12 else latest.year - 1
    jaar, melding = choose_year(request.GET.get("jaar"), years_with_data(latest), default)
    gemeente, aanbieder = scope.allowed_filter(
        known_code(request.GET.get("gemeente") or None, Gemeente, "cbs_code"),
        known_code(request.GET.get("aanbieder") or None, Aanbieder, "agb_code"),
    )
    kpi_rows, as_of = scoped_kpi_rows(scope, jaar, gemeente, aanbieder)
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
    }
    return render(request, "web/kpis.html", context)


@lru_cache(maxsize=4)
def _lights(as_of: dt.date, version: tuple):
    from jeugdregie.budget.traffic import provider_product_lights

    return provider_product_lights(as_of)


@login_required
def stoplicht(request):
    scope = scope_of(request.user)
    if scope.rol == Rol.AANBIEDER:
        raise PermissionDenied("Het stoplicht is voor verwijzers, gemeenten en de regio.")
    as_of = last_complete_month_end(data_complete_until())
    lights = _lights(as_of, data_version())
    zoek = (request.GET.get("zoek") or "").strip().lower()
    if zoek:
        lights = [x for x in lights if zoek in x.aanbieder_naam.lower() or zoek in x.product_naam.lower()]
    kleur = request.GET.get("kleur")
    if kleur:
        lights = [x for x in lights if x.light.colour.label == kleur]
    context = {
        "scope": scope,
        "lights": lights[:500],
        "totaal": len(lights),
        "as_of": as_of,
        "zoek": zoek,
        "kleur": kleur,
    }
    return render(request, "web/stoplicht.html", context)
