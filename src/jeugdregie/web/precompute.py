"""Warm the screen cache after an ingest (issues 12 and 13): compute what the screens show by
default to each role, so that nobody waits on the first visit.

What is computed, for the data version at the end of the ingest:
- KPI's: the current and previous year, for the regio (everything), for gemeente and aanbieder
  users without a filter (suppressed), for each municipality and each provider with data;
- Datakwaliteit: the same years, for the regio, each municipality and each provider with a user
  account (every provider with data with `all_providers`, `precompute --alle-aanbieders`);
- Tertiaalrapportage: the newest complete tertial, for the same parties;
- Stoplicht and Plafonds: the newest complete month end (lights, forecasts, signals, the client
  counts behind the suppression, the settlement outlook);
- Overzicht: the monthly series and the cost growth of the running year, for the regio, each
  municipality and each provider with a user account (the forecasts are the Plafonds screen's);
- the municipality and provider pages: their figures of the newest whole year, as the regio and
  as the other roles see them, for each municipality and each provider with a user account.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from jeugdregie.ijw.models import Bericht
from jeugdregie.monitoring.facts import data_complete_until, shared_facts
from jeugdregie.regio.models import Gemeente

from . import screen_cache
from .precompute_run import Step, run_steps


def precompute(
    years: list[int] | None = None,
    *,
    providers: bool = True,
    all_providers: bool = False,
    report: Callable[[str], object] | None = None,
    workers: int | None = None,
) -> dict[str, float]:
    """Compute and store every default screen figure; returns seconds per part and "totaal" (the
    wall-clock time of all). `years` defaults to the newest year with data and the year before.
    The KPI's are computed for every provider with data (cheap: one pass serves them all); the
    report and the data-quality checks for the providers with a user account, or for all with
    `all_providers`. `workers`: 1 or 2 processes (default: `precompute_run.default_workers`)."""
    from jeugdregie.monitoring.dataquality import data_quality_report
    from jeugdregie.rapportage.data import ReportError, last_complete_tertial
    from jeugdregie.rapportage.views import cached_report

    from . import overview_data
    from .access import newest_whole_year
    from .budget import last_complete_month_end, plafonds_figures
    from .entities import municipality_figures, provider_figures
    from .kpi_query import scoped_kpi_rows, threshold
    from .settlement_outlook import outlook_figures
    from .views import stoplicht_figures

    say = report or (lambda _text: None)
    timings: dict[str, float] = {}
    if not screen_cache.enabled() or not Bericht.objects.exists():
        return timings
    latest = data_complete_until()
    years = years or [latest.year, latest.year - 1]
    at = screen_cache.version(fresh=True)
    gemeenten = list(Gemeente.objects.values_list("cbs_code", flat=True).order_by("cbs_code"))
    aanbieders = _active_providers(years) if providers else []
    with_users = aanbieders if all_providers else _providers_with_users(aanbieders)

    def step(name: str, work: Callable[[], object]) -> float:
        started = time.perf_counter()
        with shared_facts():  # each step reads its facts once for all roles
            work()
        return time.perf_counter() - started

    from .access import Scope

    regio, other = Scope("regio"), Scope("gemeente")
    limit = threshold()

    def kpi(year: int) -> None:
        wanted = [(regio, None, None), (other, None, None)]
        wanted += [(other, cbs, None) for cbs in gemeenten]
        wanted += [(other, None, agb) for agb in aanbieders]
        # The regio on a municipality's or provider's page (web.entities) sees them unsuppressed.
        wanted += [(regio, cbs, None) for cbs in gemeenten]
        wanted += [(regio, None, agb) for agb in with_users]
        for scope, gemeente, aanbieder in wanted:
            screen_cache.cached(
                "kpi",
                (scope.suppress_small_numbers, limit, year, gemeente, aanbieder),
                lambda s=scope, g=gemeente, a=aanbieder: scoped_kpi_rows(s, year, g, a),
                at=at,
            )

    def quality(year: int) -> None:
        wanted = [(None, None)] + [(cbs, None) for cbs in gemeenten] + [(None, agb) for agb in with_users]
        for gemeente, aanbieder in wanted:
            screen_cache.cached(
                "datakwaliteit",
                (year, gemeente, aanbieder),
                lambda g=gemeente, a=aanbieder: data_quality_report(year, gemeente=g, aanbieder=a),
                at=at,
            )

    def reports() -> None:
        year, t = last_complete_tertial(latest)
        wanted = [(None, None)] + [(None, cbs) for cbs in gemeenten] + [(agb, None) for agb in with_users]
        for aanbieder, gemeente in wanted:
            try:
                cached_report(year, t, aanbieder, gemeente, at)
            except ReportError:
                return  # no complete tertial yet: the screen says so at once

    def budget() -> None:
        as_of = last_complete_month_end(latest)
        stoplicht_figures(as_of, at)
        plafonds_figures(as_of, at)
        outlook_figures(as_of, at)

    def overview() -> None:
        newest = last_complete_month_end(latest)
        wanted = [(None, None, False)] + [(cbs, None, True) for cbs in gemeenten]
        wanted += [(None, agb, True) for agb in with_users]
        for gemeente, aanbieder, suppress in wanted:
            sel = overview_data.selection(newest, newest.year, gemeente, aanbieder, suppress)
            overview_data.cached_monthly(sel, at, newest)
            overview_data.cached_growth(sel, at, newest)

    def entity_pages() -> None:
        jaar = newest_whole_year(latest)
        for scope in (regio, other):
            for cbs in gemeenten:
                municipality_figures(scope, jaar, cbs, at)
            for agb in with_users:
                provider_figures(scope, jaar, agb, at)

    # Two groups of about the same work (demo region, session 7: 23 and 28 CPU s), run one after
    # the other or side by side in two processes (precompute_run).
    first: list[Step] = [("stoplicht en plafonds", budget), ("overzicht", overview)]
    first += [(f"KPI's {year}", lambda y=year: kpi(y)) for year in years]
    first += [("gemeente- en aanbiederpagina's", entity_pages)]
    second: list[Step] = [("tertiaalrapportage", reports)]
    second += [(f"datakwaliteit {year}", lambda y=year: quality(y)) for year in years]
    return run_steps((first, second), step, say, workers)


def _active_providers(years: list[int]) -> list[str]:
    """AGB codes of the providers with a claim line or an allocation in `years` (a provider
    without any has nothing to compute; its screens are fast anyway)."""
    from django.db.models import Q

    from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

    begin, end = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    claimed = DeclaratieRegel.objects.filter(periode_begin__range=(begin, end))
    allocated = Toewijzing.objects.filter(ingangsdatum__lte=end).filter(
        Q(einddatum__isnull=True) | Q(einddatum__gte=begin)
    )
    codes = set(claimed.values_list("aanbieder__agb_code", flat=True).distinct())
    codes |= set(allocated.values_list("aanbieder__agb_code", flat=True).distinct())
    return sorted(codes)


def _providers_with_users(codes: list[str]) -> list[str]:
    """Those of `codes` whose provider has a user account: the ones whose own screens are opened."""
    from jeugdregie.accounts.models import Profiel

    users = set(Profiel.objects.filter(aanbieder__isnull=False).values_list("aanbieder__agb_code", flat=True))
    return [code for code in codes if code in users]
