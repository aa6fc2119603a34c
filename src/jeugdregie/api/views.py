"""Read-only endpoints. Every number comes from the same service functions the screens call
(web.kpi_query, web.budget, web.stoplicht, web.views), under the screens' own entries in the
screen cache (web/screen_cache.py, warmed by `jeugdregie precompute`), with the same scope per
role, the same small-number suppression and the same audit line; these views only choose and
serialize."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.forecast import month_end
from jeugdregie.web import screen_cache
from jeugdregie.web import stoplicht as traffic_screen
from jeugdregie.web.access import Scope, known_code, newest_whole_year, scope_of, years_with_data
from jeugdregie.web.budget import SIGNAL_KINDS, _rows, _suppressed, last_complete_month_end, plafonds_figures
from jeugdregie.web.kpi_query import scoped_kpi_rows, threshold
from jeugdregie.web.views import counts_on, stoplicht_figures

from . import serializers as s
from .pagination import Pagina

CATEGORY_NAMES = {"A": "Categorie A", "B": "Categorie B", "C": "Categorie C en NGA (C-budget)"}
ERRORS = {
    400: OpenApiResponse(s.FoutVelden, description="Ongeldige parameter."),
    401: OpenApiResponse(s.Fout, description="Niet ingelogd of ongeldig token."),
    403: OpenApiResponse(s.Fout, description="Deze rol mag dit niet zien (bijv. een andere aanbieder)."),
    404: OpenApiResponse(s.Fout, description="Onbekende gemeente- of aanbiedercode."),
}


def _params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise exceptions.ValidationError({"detail": "Ongeldige parameters.", "velden": serializer.errors})
    return {k: v for k, v in serializer.validated_data.items() if v not in ("", None)}


def _refuse_referrer(scope: Scope) -> None:
    if scope.rol == Rol.VERWIJZER:
        raise exceptions.PermissionDenied(
            "Verwijzers zien het stoplicht; de plafonds zijn voor gemeenten en de regio."
        )


def _party_filter(scope: Scope, params: dict) -> tuple[str | None, str | None]:
    """The municipality and provider asked for, known (an unknown code: 404) and as `scope` may
    ask (another provider, or another municipality for a gemeente user: 403), as the screens."""
    return scope.allowed_filter(
        known_code(params.get("gemeente"), Gemeente, "cbs_code"),
        known_code(params.get("aanbieder"), Aanbieder, "agb_code"),
    )


class KpiView(APIView):
    @extend_schema(
        summary="KPI's van een jaar en zijn tertialen",
        description="Dezelfde KPI-tabel als het scherm /kpi/, voor de regio of een gemeente en/of aanbieder. "
        "Buiten de rol regio is een waarde die op minder dan `drempel` cliënten rust null.",
        parameters=[s.KpiQuery],
        responses={200: s.KpiAntwoord, **ERRORS},
    )
    def get(self, request):
        scope = scope_of(request.user)
        params = _params(s.KpiQuery, request)
        gemeente, aanbieder = _party_filter(scope, params)
        latest = data_complete_until()
        years = years_with_data(latest)
        jaar = params.get("jaar", newest_whole_year(latest))
        if "jaar" in params and jaar not in years:
            raise exceptions.ValidationError(
                {"detail": f"Voor {jaar} zijn er geen gegevens (wel voor {years[0]} tot en met {years[-1]})."}
            )
        # The KPI screen's computation under the KPI screen's cache entry (web/views.kpi_context).
        rows, as_of = screen_cache.cached(
            "kpi",
            (scope.suppress_small_numbers, threshold(), jaar, gemeente, aanbieder),
            lambda: scoped_kpi_rows(scope, jaar, gemeente, aanbieder),
        )
        if "kpi" in params:
            rows = [r for r in rows if r["id"] == params["kpi"]]
        if gemeente and scope.rol == Rol.GEMEENTE and gemeente == scope.gemeente:  # as the screen does
            AuditRegel.objects.create(
                user=request.user,
                actie="kpi bekeken",
                object_omschrijving=f"gemeente {gemeente} {jaar} via de API",
            )
        answer = {
            "jaar": jaar,
            "gemeente": gemeente,
            "aanbieder": aanbieder,
            "tot": as_of,
            "drempel": threshold(),
            "onderdrukt": scope.suppress_small_numbers,
            "kpis": [
                {
                    "id": r["id"],
                    "label": r["label"],
                    "eenheid": r["unit"],
                    "goed": r["good"],
                    "definitie": r["definition"],
                    "waarde": r["value"],
                    "tertialen": r["tertials"],
                }
                for r in rows
            ],
        }
        return Response(s.KpiAntwoord(answer).data)


def _peildatum(params: dict) -> dt.date:
    """The peildatum asked for, or the newest complete month end; the choices of the screen."""
    newest = last_complete_month_end(data_complete_until())
    asked = params.get("peildatum")
    if asked is None:
        return newest
    first = dt.date(newest.year - 1, 1, 31)
    if not (first <= asked <= newest and asked == month_end(asked.year, asked.month)):
        raise exceptions.ValidationError(
            {"detail": f"Kies als peildatum een maandeinde van {first} tot en met {newest}."}
        )
    return asked


class _Ceilings:
    """What the Plafonds screen computes for a peildatum, as `scope` may see it."""

    def __init__(self, request, params: dict) -> None:
        self.scope = scope = scope_of(request.user)
        _refuse_referrer(scope)
        self.gemeente, self.aanbieder = _party_filter(scope, params)
        self.as_of = _peildatum(params)
        at = screen_cache.version()
        levels, signals = plafonds_figures(self.as_of, at)  # as the Plafonds screen, from its cache
        if scope.suppress_small_numbers:
            levels, signals = _suppressed(levels, signals, counts_on(self.as_of, at))
        self.levels, self.signals = levels, signals
        self.names = {
            "aanbieder": dict(Aanbieder.objects.values_list("agb_code", "naam")),
            "gemeente": dict(Gemeente.objects.values_list("cbs_code", "naam")),
            "categorie": CATEGORY_NAMES,
            "regio": {"regio": "Regio totaal"},
        }

    def keep(self, level: str, key: str) -> bool:
        """A provider sees its own row only (as on the screen); a filter keeps its party's rows."""
        if self.scope.rol == Rol.AANBIEDER:
            return level == "aanbieder" and key == self.scope.aanbieder
        if self.gemeente or self.aanbieder:
            return (level, key) in {("gemeente", self.gemeente), ("aanbieder", self.aanbieder)}
        return True

    def rows(self, level: str) -> list[dict]:
        methods = {f.key: getattr(f.chosen, "method", None) for f in self.levels if f.level == level}
        return [
            {
                "niveau": level,
                "sleutel": r.key,
                "naam": r.naam,
                "plafond_cent": r.ceiling_cent,
                "gedeclareerd_cent": r.claimed_cent,
                "verplicht_cent": r.committed_cent,
                "prognose_cent": r.forecast_cent,
                "prognose_laag_cent": None if r.low_cent is None else round(r.low_cent),
                "prognose_hoog_cent": None if r.high_cent is None else round(r.high_cent),
                "benutting": r.share,
                "kleur": r.colour,
                "methode": methods.get(r.key),
            }
            for r in _rows(self.levels, level, self.names[level], keep=lambda key: self.keep(level, key))
        ]

    def header(self) -> dict:
        return {
            "peildatum": self.as_of,
            "drempel": threshold(),
            "onderdrukt": self.scope.suppress_small_numbers,
        }


class PlafondsView(APIView):
    @extend_schema(
        summary="Plafonds en budgetten met hun benutting",
        description="De tabellen van het scherm /plafonds/: aanbieders met een plafond, gemeentebudgetten, "
        "categorieën en de regio, met gedeclareerd, verplicht, prognose en benutting op de peildatum.",
        parameters=[s.PeildatumQuery],
        responses={200: s.PlafondsAntwoord, **ERRORS},
    )
    def get(self, request):
        c = _Ceilings(request, _params(s.PeildatumQuery, request))
        answer = {
            **c.header(),
            "aanbieders": [r for r in c.rows("aanbieder") if r["plafond_cent"]],
            "gemeenten": c.rows("gemeente"),
            "categorieen": c.rows("categorie") + c.rows("regio"),
        }
        return Response(s.PlafondsAntwoord(answer).data)


class PrognosesView(APIView):
    @extend_schema(
        summary="Jaarprognoses per regio, categorie, aanbieder en gemeente",
        description="De prognose van het jaar van de peildatum met band (laag-hoog) en gekozen methode, "
        "voor elke aanbieder en gemeente met declaraties (ook zonder plafond).",
        parameters=[s.PeildatumQuery],
        responses={200: s.PrognosesAntwoord, **ERRORS},
    )
    def get(self, request):
        c = _Ceilings(request, _params(s.PeildatumQuery, request))
        answer = {**c.header(), "prognoses": [r for level in s.LEVELS for r in c.rows(level)]}
        return Response(s.PrognosesAntwoord(answer).data)


class SignalenView(APIView):
    @extend_schema(
        summary="Signalen op de peildatum",
        description="Plafond 90%/100%, gemeentebudget, C-budget, waterbed en KPI's buiten de norm, "
        "zoals het scherm /plafonds/ ze toont.",
        parameters=[s.PeildatumQuery],
        responses={200: s.SignalenAntwoord, **ERRORS},
    )
    def get(self, request):
        c = _Ceilings(request, _params(s.PeildatumQuery, request))
        names = {**c.names["gemeente"], **c.names["aanbieder"]}  # as the screen looks them up
        answer = {
            **c.header(),
            "signalen": [
                {
                    "soort": sig.soort,
                    "soort_label": SIGNAL_KINDS.get(sig.soort, sig.soort),
                    "niveau": sig.niveau,
                    "sleutel": sig.sleutel,
                    "naam": names.get(sig.sleutel)
                    or ("Categorie C en NGA" if sig.soort in ("c-budget", "waterbed") else sig.sleutel),
                    "ernst": sig.ernst,
                    "uitleg": sig.uitleg,
                }
                for sig in c.signals
                if c.keep(sig.niveau, sig.sleutel)
            ],
        }
        return Response(s.SignalenAntwoord(answer).data)


class StoplichtView(APIView):
    pagination_class = Pagina

    @extend_schema(
        summary="Het stoplicht per aanbieder en product",
        description="Het stoplicht van het scherm /stoplicht/ met dezelfde zoekopdracht en filters, "
        "per pagina van 50 (per_pagina tot 200). Niet voor aanbieders.",
        parameters=[s.StoplichtQuery],
        responses={200: s.Stoplicht(many=True), **ERRORS},
    )
    def get(self, request):
        scope = scope_of(request.user)
        if scope.rol == Rol.AANBIEDER:
            raise exceptions.PermissionDenied("Het stoplicht is voor verwijzers, gemeenten en de regio.")
        params = _params(s.StoplichtQuery, request)
        scope.refuse_other_municipality(known_code(params.get("gemeente"), Gemeente, "cbs_code"))
        as_of = last_complete_month_end(data_complete_until())
        lights, data = stoplicht_figures(as_of)  # as the Stoplicht screen, from its cache
        info = traffic_screen.product_info()
        if scope.suppress_small_numbers:
            lights = traffic_screen.suppressed(lights, data, info)
        chosen = {k: params.get(k, "") for k in ("zoek", "kleur", "gemeente", "segment", "product")}
        chosen["zoek"] = chosen["zoek"].strip()
        selected = traffic_screen.select(lights, **chosen, data=data, info=info)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selected, request, view=self)
        items = [
            {
                "aanbieder": x.aanbieder,
                "aanbieder_naam": x.aanbieder_naam,
                "product": x.product,
                "product_naam": x.product_naam,
                "kleur": x.light.colour.label,
                "redenen": list(x.light.reasons),
                "onderdelen": {part: colour.label for part, colour in x.light.parts.items()},
            }
            for x in page
        ]
        return paginator.get_paginated_response(s.Stoplicht(items, many=True).data)
