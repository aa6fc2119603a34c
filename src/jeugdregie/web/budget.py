"""The ceilings screen (issue 6): per provider, municipality and category what is claimed,
committed and forecast against the ceiling or budget, and the signals, on a peildatum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from jeugdregie.accounts.models import Rol
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw.models import Bericht
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.forecast import month_end

from .access import scope_of
from .kpi_query import threshold

SIGNAL_KINDS = {
    "plafond": "Plafond",
    "gemeentebudget": "Gemeentebudget",
    "c-budget": "C-budget",
    "waterbed": "Waterbed",
    "kpi": "KPI buiten norm",
}


@dataclass(frozen=True)
class Row:
    key: str
    naam: str
    ceiling_cent: int | None
    claimed_cent: int
    committed_cent: int
    forecast_cent: int
    low_cent: float | None
    high_cent: float | None
    share: float | None

    @property
    def colour(self) -> str:
        if self.share is None:
            return "onbekend"
        return "rood" if self.share >= 1 else ("oranje" if self.share >= 0.9 else "groen")

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def data_version() -> tuple:
    """Changes whenever messages, ceilings, budgets or norms change: the key of the cached
    computations (a recalculated or overridden ceiling must show at once)."""
    from django.db.models import Count, Max, Sum

    from jeugdregie.budget.models import CBudget, Plafond, PlafondWijziging
    from jeugdregie.contracten.models import KpiNorm

    return (
        tuple(Bericht.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(Plafond.objects.aggregate(n=Count("pk"), s=Sum("bedrag_cent"), m=Max("pk")).values()),
        tuple(CBudget.objects.aggregate(s=Sum("bedrag_cent"), m=Max("pk")).values()),
        PlafondWijziging.objects.aggregate(m=Max("pk"))["m"],
        tuple(KpiNorm.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(KpiNorm.objects.values_list("minimum", "maximum").order_by("pk")),
    )


@lru_cache(maxsize=4)
def _computed(year: int, as_of: dt.date, version: tuple):
    from jeugdregie.budget.forecasting import forecast_levels, forecast_rows
    from jeugdregie.budget.signals import collect_signals

    rows = forecast_rows(year)
    levels = forecast_levels(year, as_of, rows=rows)
    return levels, collect_signals(year, as_of, rows=rows, levels=levels)


def plafonds_figures(as_of: dt.date, at: str | None = None):
    """The level forecasts and signals on `as_of`, from the screen cache."""
    from . import screen_cache

    return screen_cache.cached(
        "plafonds", (as_of,), lambda: _computed(as_of.year, as_of, data_version()), at=at
    )


def _rows(levels, level: str, names: dict[str, str], keep=lambda key: True) -> list[Row]:
    rows = []
    for f in levels:
        if f.level != level or not keep(f.key):
            continue
        use = f.usage
        rows.append(
            Row(
                f.key,
                names.get(f.key, f.key),
                f.ceiling_cent,
                f.claimed_cent,
                f.committed_cent,
                use.forecast_cent,
                f.chosen.low_cent,
                f.chosen.high_cent,
                use.forecast_share,
            )
        )
    return sorted(rows, key=lambda r: (-(r.share or 0), r.naam))


def _suppressed(levels, signals, data):
    """Outside regio: the figures of a provider or municipality with fewer clients than the
    threshold (claimed this year or in care on the peildatum) are not shown, nor its signals'
    amounts (SYSTEM.md section 6)."""
    limit = threshold()
    behind = {
        "aanbieder": data.providers,
        "gemeente": data.per_municipality,
        "categorie": data.per_category,
        "regio": data.per_category,
    }
    # A level without clients this year is small too when it still shows an amount: its forecast
    # then rests on last year's clients (e.g. a municipality whose 3 clients' care ended).
    small = {
        (f.level, f.key)
        for f in levels
        if f.level in behind
        and behind[f.level].get(f.key, 0) < limit
        and (behind[f.level].get(f.key, 0) > 0 or (f.level != "regio" and _shows_an_amount(f)))
    }
    kept = [SuppressedLevel(f) if (f.level, f.key) in small else f for f in levels]
    shown_signals = [
        replace(s, uitleg=f"Niet getoond: minder dan {limit} cliënten.")
        if (s.niveau, s.sleutel) in small
        else s
        for s in signals
    ]
    return kept, shown_signals


def _shows_an_amount(forecast) -> bool:
    return any((forecast.claimed_cent, forecast.committed_cent, round(forecast.chosen.value_cent)))


class SuppressedLevel:
    """A level forecast whose amounts are not shown: the table reads None ('-') everywhere."""

    def __init__(self, forecast) -> None:
        self.level, self.key = forecast.level, forecast.key
        self.ceiling_cent = forecast.ceiling_cent  # the ceiling is an agreement, not a figure of clients
        self.claimed_cent = self.committed_cent = None
        self.chosen = _Unknown()
        self.usage = _Unknown()


class _Unknown:
    low_cent = high_cent = forecast_cent = forecast_share = None


def last_complete_month_end(day: dt.date) -> dt.date:
    """`day` itself when it ends a month, else the end of the month before."""
    end = month_end(day.year, day.month)
    return end if day == end else day.replace(day=1) - dt.timedelta(days=1)


@login_required
def plafonds(request):
    return render(request, "web/plafonds.html", plafonds_context(request))


def plafonds_context(request) -> dict:
    """The screen's data for the request's peildatum and role (the screen and its Excel export)."""
    scope = scope_of(request.user)
    if scope.rol == Rol.VERWIJZER:
        raise PermissionDenied("Verwijzers zien het stoplicht; de plafonds zijn voor gemeenten en de regio.")
    newest = last_complete_month_end(data_complete_until())
    # Month ends of this year and last year up to the newest complete month: a forecast per tertial
    # or month, and last year's to compare with what came in.
    peildata = [
        month_end(y, m)
        for y in (newest.year, newest.year - 1)
        for m in range(12, 0, -1)
        if month_end(y, m) <= newest
    ]
    try:
        as_of = dt.date.fromisoformat(request.GET.get("peildatum", ""))
    except ValueError:
        as_of = newest
    if as_of not in peildata:
        as_of = newest
    from . import screen_cache

    at = screen_cache.version()
    # The same for every viewer with this scope: at scale 10 shaping the rows took 50 ms a view.
    shown = screen_cache.cached(
        "plafonds-scherm", (scope, as_of, threshold()), lambda: _shown_figures(scope, as_of, at), at=at
    )
    return {
        "scope": scope,
        "as_of": as_of,
        "peildata": peildata,
        **shown,
        "query": f"peildatum={as_of.isoformat()}",
    }


def _shown_figures(scope, as_of: dt.date, at: str) -> dict:
    """The Plafonds screen's rows and signals as `scope` may see them on `as_of`."""
    from .views import counts_on

    levels, signals = plafonds_figures(as_of, at)
    provider_names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    municipality_names = dict(Gemeente.objects.values_list("cbs_code", "naam"))
    if scope.suppress_small_numbers:
        levels, signals = _suppressed(levels, signals, counts_on(as_of, at))
    if scope.rol == Rol.AANBIEDER:
        providers = [r for r in _rows(levels, "aanbieder", provider_names) if r.key == scope.aanbieder]
        signals = [s for s in signals if s.niveau == "aanbieder" and s.sleutel == scope.aanbieder]
        municipalities, categories = [], []
    else:
        providers = _rows(levels, "aanbieder", provider_names)
        municipalities = _rows(levels, "gemeente", municipality_names)
        categories = _rows(
            levels,
            "categorie",
            {"A": "Categorie A", "B": "Categorie B", "C": "Categorie C en NGA (C-budget)"},
        ) + _rows(levels, "regio", {"regio": "Regio totaal"})
    context = {
        "signals": [
            {
                "signal": s,
                "soort": SIGNAL_KINDS.get(s.soort, s.soort),
                "naam": provider_names.get(s.sleutel)
                or municipality_names.get(s.sleutel)
                or ("Categorie C en NGA" if s.soort in ("c-budget", "waterbed") else s.sleutel),
            }
            for s in signals
        ],
        "providers": [r for r in providers if r.ceiling_cent],
        "municipalities": municipalities,
        "categories": categories,
        "zonder_plafonds": not any(f.ceiling_cent for f in levels if f.level == "aanbieder"),
    }
    from .settlement_outlook import outlook_context  # imports this module's data_version

    context |= outlook_context(scope, as_of, at)
    return context
