"""The overview screen (issue 12): spend and clients per month against last year, the ceiling
burn-up with forecast and band, the cost-growth explanation and the signals worklist, with each
chart downloadable as SVG or PNG (/overzicht/grafiek/<naam>/?format=svg|png).

The region sees everything and may filter on a municipality or provider; a municipality sees its
own municipality, a provider its own data; small numbers are suppressed outside the region.
Another party's code in the query string is refused (403), an unknown code is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente

from . import overview_charts as charts
from . import overview_data as data
from . import screen_cache
from .access import Scope, choose_year, known_code, scope_of, years_with_data
from .budget import SIGNAL_KINDS, _suppressed, last_complete_month_end, plafonds_figures
from .charting import CONTENT_TYPES, euro_compact
from .charting import render as render_chart
from .kpi_query import threshold

CHARTS = ("kosten", "clienten", "plafond", "groei")


@dataclass
class Request:
    scope: Scope
    sel: data.Selection
    as_of: dt.date  # peildatum of the forecast and signals
    years: list[int]
    message: str | None
    plafond: str | None
    at: str  # the screen cache's data version (web.screen_cache.version)
    newest: dt.date  # the newest complete month end: what is known

    @property
    def subject(self) -> str:
        parts = []
        if self.sel.gemeente:
            parts.append(Gemeente.objects.get(cbs_code=self.sel.gemeente).naam)
        if self.sel.aanbieder:
            parts.append(Aanbieder.objects.get(agb_code=self.sel.aanbieder).naam)
        return ", ".join(parts) or "hele regio"

    @property
    def months(self) -> str:
        last = data.month_label(self.sel.last_month)
        return "jan" if last == "jan" else f"jan-{last}"

    def query(self, **extra) -> str:
        pairs = {
            "jaar": self.sel.year,
            "gemeente": self.sel.gemeente,
            "aanbieder": self.sel.aanbieder,
            "uitsplitsing": self.sel.cut,
            "plafond": self.plafond,
            **extra,
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def _parse(request) -> Request:
    scope = scope_of(request.user)
    if scope.rol not in (Rol.REGIO, Rol.GEMEENTE, Rol.AANBIEDER):
        raise PermissionDenied("Het overzicht is voor de regio, gemeenten en aanbieders.")
    gemeente = known_code(request.GET.get("gemeente") or None, Gemeente, "cbs_code")
    aanbieder = known_code(request.GET.get("aanbieder") or None, Aanbieder, "agb_code")
    if scope.rol == Rol.GEMEENTE:
        if gemeente not in (None, scope.gemeente):
            raise PermissionDenied("Een gemeente ziet in het overzicht alleen de eigen gemeente.")
        gemeente = scope.gemeente
    if scope.rol == Rol.AANBIEDER:
        if aanbieder not in (None, scope.aanbieder):
            raise PermissionDenied("Een aanbieder ziet alleen de eigen gegevens.")
        aanbieder = scope.aanbieder
    latest = data_complete_until()
    newest = last_complete_month_end(latest)
    years = [y for y in years_with_data(latest) if y <= newest.year]
    # The running year by default: the burn-up of this year's ceilings is what needs watching.
    year, message = choose_year(request.GET.get("jaar"), years, newest.year)
    cut = request.GET.get("uitsplitsing")
    if cut not in data.CUTS:
        cut = "segment"
    sel = data.selection(newest, year, gemeente, aanbieder, scope.suppress_small_numbers, cut)
    as_of = min(newest, dt.date(year, 12, 31))
    return Request(
        scope,
        sel,
        as_of,
        years,
        message,
        request.GET.get("plafond") or None,
        screen_cache.version(),
        newest,
    )


def _levels_and_signals(req: Request):
    """The Plafonds screen's forecasts and signals on the peildatum, from the same screen-cache
    entries (warmed by `jeugdregie precompute`)."""
    from .views import counts_on

    levels, signals = plafonds_figures(req.as_of, req.at)
    if req.scope.suppress_small_numbers:
        levels, signals = _suppressed(levels, signals, counts_on(req.as_of, req.at))
    return levels, signals


def _own_signals(req: Request, signals) -> list:
    if req.scope.rol == Rol.AANBIEDER:
        return [s for s in signals if s.niveau == "aanbieder" and s.sleutel == req.sel.aanbieder]
    if req.scope.rol == Rol.GEMEENTE:
        return [
            s
            for s in signals
            if s.niveau == "regio" or (s.niveau, s.sleutel) == ("gemeente", req.sel.gemeente)
        ]
    if req.sel.aanbieder:
        return [s for s in signals if s.niveau == "aanbieder" and s.sleutel == req.sel.aanbieder]
    if req.sel.gemeente:
        return [s for s in signals if (s.niveau, s.sleutel) == ("gemeente", req.sel.gemeente)]
    return list(signals)


def _contract_signals(req: Request) -> int | None:
    """The region's open contract signals today (the /contracten/ worklist), for the region only;
    kept per data version and day (a change to the contract register is a new version)."""
    if req.scope.rol != Rol.REGIO:
        return None
    from jeugdregie.contracten import views as contract_views
    from jeugdregie.contracten.register import open_signals

    day = contract_views.today()
    return screen_cache.cached("overzicht-contracten", (day,), lambda: len(open_signals(day)), at=req.at)


def _burnup(req: Request, levels) -> tuple[list[tuple[str, str]], str | None, data.BurnUp | None]:
    """The ceilings this user may choose, the chosen one (403 for one it may not) and its burn-up."""
    options = data.burnup_options(levels, req.scope.rol, req.sel.gemeente, req.sel.aanbieder)
    chosen = req.plafond
    if chosen and chosen not in dict(options):
        everything = data.burnup_options(levels, Rol.REGIO, None, None)
        if chosen in dict(everything):
            raise PermissionDenied("Dit plafond valt buiten uw gegevens.")
        raise Http404("Onbekend plafond.")
    chosen = chosen or (options[0][0] if options else None)
    if chosen is None:
        return options, None, None
    return options, chosen, data.burnup(levels, chosen, dict(options)[chosen], req.as_of.year, req.as_of)


@login_required
def overzicht(request):
    req = _parse(request)
    monthly = data.cached_monthly(req.sel, req.at, req.newest)
    growth = data.cached_growth(req.sel, req.at, req.as_of)
    levels, signals = _levels_and_signals(req)
    options, chosen, burn = _burnup(req, levels)
    req.plafond = chosen
    provider_names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    municipality_names = dict(Gemeente.objects.values_list("cbs_code", "naam"))
    AuditRegel.objects.create(
        user=request.user,
        actie="overzicht bekeken",
        object_omschrijving=f"{req.subject} {req.sel.year}"[:300],
    )
    months = req.sel.last_month
    spend_now = (
        sum(v for v in monthly.spend[:months] if v is not None)
        if None not in monthly.spend[:months]
        else None
    )
    spend_before = (
        sum(v for v in monthly.spend_previous[:months])
        if None not in monthly.spend_previous[:months]
        else None
    )
    context = {
        "scope": req.scope,
        "r": req,
        "sel": req.sel,
        "jaren": req.years,
        "melding": req.message,
        "gemeenten": Gemeente.objects.all() if req.scope.rol == Rol.REGIO else [],
        "aanbieders": Aanbieder.objects.all() if req.scope.rol != Rol.AANBIEDER else [],
        "kies_aanbieder": req.scope.rol != Rol.AANBIEDER,
        "uitsplitsingen": [
            (k, v) for k, v in data.CUTS.items() if not (k == "aanbieder" and req.sel.aanbieder)
        ],
        "uitsplitsing_naam": data.CUTS[req.sel.cut],
        "maanden": data.series_rows(monthly, req.sel.year),
        "verborgen": monthly.hidden,
        "onvolledig": any(monthly.incomplete),
        "compleet_procent": round(data.COMPLETE * 100),
        "kosten_nu": spend_now,
        "kosten_vorig": spend_before,
        "groei": growth,
        "vorig_peil": data.year_before(req.as_of),
        "max_rijen": data.MAX_ROWS,
        "plafonden": options,
        "plafond": chosen,
        "burnup": burn,
        "signalen": [
            {
                "signal": s,
                "soort": SIGNAL_KINDS.get(s.soort, s.soort),
                "naam": provider_names.get(s.sleutel)
                or municipality_names.get(s.sleutel)
                or ("Categorie C en NGA" if s.soort in ("c-budget", "waterbed") else s.sleutel),
            }
            for s in _own_signals(req, signals)
        ],
        "contractsignalen": _contract_signals(req),
        "grafieken": {name: f"grafiek/{name}/?{req.query()}" for name in CHARTS},
        "drempel": threshold(),
        "lopend_jaar": req.sel.last_month < 12,
        "euro_compact": euro_compact,
    }
    return render(request, "web/overzicht.html", context)


@login_required
def grafiek(request, naam: str):
    if naam not in CHARTS:
        raise Http404("Onbekende grafiek.")
    fmt = request.GET.get("format") or "svg"
    if fmt not in CONTENT_TYPES:
        raise Http404("Formaat svg of png.")
    req = _parse(request)
    width = charts.NARROW if request.GET.get("breedte") == "smal" else charts.WIDTH
    # Drawn once per data version, viewer's scope and query: a browser opening the overview asks
    # for four charts, each 0.2-0.3 s of matplotlib at scale 10.
    body = screen_cache.cached(
        "grafiek",
        (req.scope, threshold(), request.get_full_path()),  # the path names chart, format and width
        lambda: render_chart(_figure(req, naam, width), fmt),
        at=req.at,
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="overzicht-{naam}-{req.sel.year}.{fmt}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _figure(req: Request, naam: str, width: float):
    if naam == "kosten":
        fig = charts.spend_figure(
            data.cached_monthly(req.sel, req.at, req.newest), req.sel.year, req.subject, width
        )
    elif naam == "clienten":
        fig = charts.clients_figure(
            data.cached_monthly(req.sel, req.at, req.newest), req.sel.year, req.subject, width
        )
    elif naam == "groei":
        fig = charts.growth_figure(
            data.cached_growth(req.sel, req.at, req.as_of), req.sel.year, req.months, width
        )
    else:
        levels, _signals = _levels_and_signals(req)
        _options, chosen, burn = _burnup(req, levels)
        message = (
            "Niet getoond: minder dan 5 cliënten" if chosen and burn is None else "Geen plafond of budget"
        )
        fig = charts.burnup_figure(burn, message, width)
    return fig
