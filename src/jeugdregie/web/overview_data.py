"""The numbers behind the overview screen (issue 12): spend and clients per month against last year
(the KPI engine, per month), the ceiling burn-up with the forecast and its band (the forecast
service of the ceilings screen), the cost-growth decomposition (jeugdregie.rules.cost_growth) and
the signals. Small numbers are suppressed here, where the numbers are selected (SYSTEM.md 6)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Sum
from django.db.models.functions import ExtractMonth

from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw.codes import TYPE_VERWIJZER
from jeugdregie.monitoring.facts import claim_facts, product_index
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import cost_growth
from jeugdregie.rules import kpi as kpi_rules
from jeugdregie.rules.kpi import ClaimFact
from jeugdregie.zorg.models import DeclaratieRegel

from . import screen_cache
from .kpi_query import threshold

CUTS = {"segment": "Segment", "aanbieder": "Aanbieder", "verwijzer": "Type verwijzer"}
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
OTHER = "Overig (groepen met minder dan {n} cliënten)"


@dataclass(frozen=True)
class Selection:
    """What one overview shows: a year (compared with the year before over the same months) for
    the region, a municipality and/or a provider, with or without small-number suppression."""

    year: int
    last_month: int  # the months 1..last_month of both years are compared
    gemeente: str | None
    aanbieder: str | None
    suppress: bool
    cut: str = "segment"


def selection(
    newest: dt.date,
    year: int,
    gemeente: str | None,
    aanbieder: str | None,
    suppress: bool,
    cut: str = "segment",
) -> Selection:
    """The overview's selection of `year` when `newest` is the newest complete month end: the
    running year up to that month, an earlier year whole (the screen and `precompute` alike)."""
    return Selection(year, newest.month if year == newest.year else 12, gemeente, aanbieder, suppress, cut)


def cached_monthly(sel: Selection, at: str, newest: dt.date) -> Monthly:
    """`monthly` from the screen cache for data version `at` (warmed by `jeugdregie precompute`)."""
    return screen_cache.cached("overzicht-maanden", (sel, newest), lambda: monthly(sel, (at,), newest), at=at)


def cached_growth(sel: Selection, at: str, as_of: dt.date) -> GrowthTable:
    """`growth` from the screen cache for data version `at` (warmed by `jeugdregie precompute`)."""
    return screen_cache.cached("overzicht-groei", (sel, as_of), lambda: growth(sel, (at,), as_of), at=at)


@dataclass
class Monthly:
    """Spend (cents) and clients per month 1..12 of the year and the year before; None where a
    month has no data yet or is suppressed."""

    spend: list[int | None]
    clients: list[int | None]
    spend_previous: list[int | None]
    clients_previous: list[int | None]
    hidden: bool = False  # some figures were suppressed
    incomplete: list[bool] = field(default_factory=lambda: [False] * 12)  # this year's months not yet in


def _selected(line: ClaimFact | GrowthLine, gemeente: str | None, aanbieder: str | None) -> bool:
    return (not gemeente or line.gemeente == gemeente) and (not aanbieder or line.aanbieder == aanbieder)


@lru_cache(maxsize=4)  # a region-wide entry holds two years of claim lines
def claims(year: int, gemeente: str | None, aanbieder: str | None, version: tuple) -> kpi_rules.Facts:
    """The accepted claim lines of `year` and the year before for the selection (the KPI facts):
    a municipality's or provider's are taken from the region's (read once for every selection;
    the figures computed from them do not depend on the lines' order)."""
    if gemeente or aanbieder:
        region = claims(year, None, None, version)
        return kpi_rules.claim_only(c for c in region.claims if _selected(c, gemeente, aanbieder))
    return kpi_rules.claim_only(claim_facts(dt.date(year - 1, 1, 1), dt.date(year, 12, 31)))


def _month_values(
    facts: kpi_rules.Facts, year: int, last_month: int, suppress: bool
) -> tuple[list, list, bool]:
    spend: list[int | None] = []
    clients: list[int | None] = []
    hidden = False
    limit = threshold()
    behind_by_month: dict[int, set[str]] = defaultdict(set)  # every client with a line that month
    for c in facts.claims:
        if c.periode_begin.year == year:
            behind_by_month[c.periode_begin.month].add(c.client)
    for m in range(1, 13):
        if m > last_month:
            spend.append(None)
            clients.append(None)
            continue
        period = kpi_rules.month(year, m)
        value = kpi_rules.compute("spend", facts, period)[()]
        count = kpi_rules.compute("clients", facts, period)[()]
        behind = len(behind_by_month[m])
        if suppress and (0 < behind < limit or 0 < count < limit):
            value = count = None
            hidden = True
        spend.append(value)
        clients.append(count)
    if hidden:
        # Spend adds up over months: the year (shown elsewhere) minus the other months would give
        # a hidden month away, so a year with a hidden month shows no monthly spend at all.
        spend = [None] * 12
    return spend, clients, hidden


@lru_cache(maxsize=16)
def monthly(sel: Selection, version: tuple, as_of: dt.date | None = None) -> Monthly:
    facts = claims(sel.year, sel.gemeente, sel.aanbieder, version)
    spend, clients, hidden = _month_values(facts, sel.year, sel.last_month, sel.suppress)
    spend0, clients0, hidden0 = _month_values(facts, sel.year - 1, 12, sel.suppress)
    incomplete = incomplete_months(sel.year, sel.last_month, as_of, version) if as_of else [False] * 12
    return Monthly(spend, clients, spend0, clients0, hidden or hidden0, incomplete)


COMPLETE = 0.9  # a care month counts as complete once this share of its claims is usually in


def incomplete_months(year: int, last_month: int, as_of: dt.date, version: tuple) -> list[bool]:
    """Per month of `year`: not yet complete on `as_of` by the region's claim lag profile (the
    forecast's chain ladder, jeugdregie.rules.forecast.lag_profile): less than COMPLETE of a care
    month's final amount is usually received that many months after it. Region-wide, so the same
    for every selection: computed once per data version."""
    return list(_incomplete_months(year, last_month, as_of, version))


@lru_cache(maxsize=4)
def _incomplete_months(year: int, last_month: int, as_of: dt.date, version: tuple) -> tuple[bool, ...]:
    from jeugdregie.rules import forecast as fc

    known = fc.month_of(as_of)
    amounts = [
        fc.ClaimAmount(fc.month_of(c.periode_begin), fc.month_of(c.received), c.bedrag_cent)
        for c in growth_lines(year, None, None, version)
    ]
    profile = fc.lag_profile(amounts, known)
    return tuple(
        m <= last_month and profile[max(0, min(known - fc.month_index(year, m), fc.MAX_LAG))] < COMPLETE
        for m in range(1, 13)
    )


# ---------------------------------------------------------------- cost growth


@dataclass
class GrowthRow:
    key: str
    naam: str
    growth: cost_growth.Growth
    combined: bool = False  # the sum of several rows: its client count would double-count


MAX_ROWS = 15  # rows of the breakdown shown; the rest are summed into one


def _summed(rows: list[GrowthRow]) -> cost_growth.Growth:
    """Rows added up part by part (each row's parts sum to its change, so the sums do too)."""
    fields = ("previous_cent", "current_cent", "clients_previous", "clients_current")
    totals = [sum(getattr(r.growth, f) for r in rows) for f in fields]
    parts = [sum(r.growth.parts[i] for r in rows) for i in range(3)]
    return cost_growth.Growth(*totals, *parts)


@dataclass
class GrowthTable:
    total: cost_growth.Growth | None  # None: suppressed
    rows: list[GrowthRow] = field(default_factory=list)
    rows_hidden: bool = False  # the breakdown rests on too few clients to show
    running: bool = False  # last year as known a year before the peildatum


def _group_names(cut: str) -> dict[str, str]:
    if cut == "aanbieder":
        return dict(Aanbieder.objects.values_list("agb_code", "naam"))
    if cut == "verwijzer":
        return dict(TYPE_VERWIJZER)
    from jeugdregie.catalogus.models import Segment

    return {"": "Vervoer", **dict(Segment.objects.values_list("code", "naam"))}


def _small(g: cost_growth.Growth, limit: int) -> bool:
    return 0 < g.clients_previous < limit or 0 < g.clients_current < limit


@dataclass(frozen=True)
class GrowthLine:
    """A claim line as the cost-growth decomposition reads it, with the date it was received."""

    client: str
    product: str  # the code as claimed: its volume is in that product's own unit (see growth_lines)
    bedrag_cent: int
    volume: int
    segment: str
    aanbieder: str
    verwijzer: str
    periode_begin: dt.date
    received: dt.date
    gemeente: str = ""


@lru_cache(maxsize=4)  # a region-wide entry holds two years of claim lines
def growth_lines(year: int, gemeente: str | None, aanbieder: str | None, version: tuple) -> list[GrowthLine]:
    """Accepted claim lines of `year` and the year before for the selection, with their
    declaratie's date (claim_facts has no received date). A municipality's or provider's are
    taken from the region's (read once for every selection; the decomposition sums exactly and
    sorts its groups, so the lines' order does not matter)."""
    if gemeente or aanbieder:
        return [
            line for line in growth_lines(year, None, None, version) if _selected(line, gemeente, aanbieder)
        ]
    from jeugdregie.monitoring.facts import referrers_by_allocation

    products, referrers = product_index(), referrers_by_allocation()
    # Prices per unit are compared per product as claimed, not as mapped to the current book: a
    # legacy trajectory (per month) and its successor in hours have other units, and comparing them
    # showed EUR +54 mln "more care" against EUR -53 mln "lower tariffs" for 2026 on the demo. A
    # successor without a price last year counts as care (rules.cost_growth).
    own_codes = dict(Product.objects.values_list("pk", "code"))
    rows = DeclaratieRegel.objects.filter(
        periode_begin__gte=dt.date(year - 1, 1, 1), periode_begin__lte=dt.date(year, 12, 31), afgewezen=False
    )
    found = []
    for client, agb, product_id, begin, cents, volume, toewijzing, received, gem in rows.values_list(
        "client__pseudoniem",
        "aanbieder__agb_code",
        "product_id",
        "periode_begin",
        "bedrag_cent",
        "volume",
        "toewijzing_id",
        "declaratie__dagtekening",
        "gemeente__cbs_code",
    ).iterator(chunk_size=10_000):
        segment, _groep, _mapped, _custom, _pxq = products.get(product_id, ("", "", "", "", False))
        code = own_codes.get(product_id, "")
        verwijzer = referrers.get(toewijzing, ("01", None))[0]
        found.append(GrowthLine(client, code, cents, volume, segment, agb, verwijzer, begin, received, gem))
    return found


def year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February: the 28th)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def growth(sel: Selection, version: tuple, as_of: dt.date) -> GrowthTable:
    """The cost-growth table (see _growth), computed once per selection and data version."""
    return _growth(sel, version, as_of, MAX_ROWS)


@lru_cache(maxsize=16)
def _growth(sel: Selection, version: tuple, as_of: dt.date, max_rows: int) -> GrowthTable:
    """The change over months 1..last_month against the same months last year, for the whole and
    per group of the chosen cut. In a running year last year's lines count as they were known a
    year before `as_of` (claims come in months late: this year's last months are not complete
    yet, last year's are); a finished year is compared with everything known of the year before.
    Outside regio groups with too few clients go into one 'other' row, and the breakdown is left
    out when that row is itself too small."""
    lines = growth_lines(sel.year, sel.gemeente, sel.aanbieder, version)
    first = dt.date(sel.year, 1, 1)
    end = kpi_rules.month(sel.year, sel.last_month).end
    running = sel.last_month < 12
    year_ago = year_before(as_of)
    current = [c for c in lines if first <= c.periode_begin <= end and (not running or c.received <= as_of)]
    previous = [
        c
        for c in lines
        if first.replace(year=sel.year - 1) <= c.periode_begin <= end.replace(year=sel.year - 1)
        and (not running or c.received <= year_ago)
    ]
    total = cost_growth.decompose(previous, current)
    limit = threshold()
    if sel.suppress and _small(total, limit):
        return GrowthTable(None, [], True, running)
    per = cost_growth.decompose_by(previous, current, key=lambda c: getattr(c, sel.cut))
    names = _group_names(sel.cut)
    rows = [GrowthRow(str(k), names.get(str(k), str(k)), g) for k, g in per.items()]
    if sel.suppress and any(_small(r.growth, limit) for r in rows):
        small = {r.key for r in rows if _small(r.growth, limit)}
        rest = cost_growth.decompose(
            [c for c in previous if getattr(c, sel.cut) in small],
            [c for c in current if getattr(c, sel.cut) in small],
        )
        if _small(rest, limit):
            return GrowthTable(total, [], True, running)
        rows = [r for r in rows if r.key not in small] + [GrowthRow("", OTHER.format(n=limit), rest)]
    rows.sort(key=lambda r: -abs(r.growth.change_cent))
    if len(rows) > max_rows:
        rest = rows[max_rows - 1 :]
        rows = rows[: max_rows - 1] + [GrowthRow("", f"Overige {len(rest)} (opgeteld)", _summed(rest), True)]
    return GrowthTable(total, rows, running=running)


# ---------------------------------------------------------------- ceiling burn-up


@dataclass
class BurnUp:
    key: str  # "aanbieder_groep:AGB/GRP" or "gemeente:CBS"
    naam: str
    ceiling_cent: int | None
    cumulative: list[int | None]  # per month 1..12, up to the peildatum
    forecast_cent: float | None
    low_cent: float | None
    high_cent: float | None
    method: str
    as_of: dt.date
    claimed_cent: int


def burnup_options(
    levels, scope_rol: str, gemeente: str | None, aanbieder: str | None
) -> list[tuple[str, str]]:
    """(key, label) of every ceiling or budget this scope may look at, the largest expected
    overrun in euros first (a small ceiling far over matters less than a large one just over)."""
    providers = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    municipalities = dict(Gemeente.objects.values_list("cbs_code", "naam"))
    found = []
    for f in levels:
        if not f.ceiling_cent:
            continue
        if f.level == "aanbieder_groep":
            agb, groep = f.key.split("/", 1)
            if aanbieder and agb != aanbieder:
                continue
            if scope_rol == "gemeente":
                continue  # provider ceilings are regional; a municipality sees its own budget
            label = f"{providers.get(agb, agb)} – productgroep {groep}"
        elif f.level == "gemeente":
            if aanbieder or (gemeente and f.key != gemeente):
                continue
            label = f"Budget gemeente {municipalities.get(f.key, f.key)}"
        else:
            continue
        forecast = getattr(f.chosen, "value_cent", None)  # None: suppressed
        if forecast is not None:
            label += f" ({round(forecast / f.ceiling_cent * 100)}%)"
        over = forecast - f.ceiling_cent if forecast is not None else float("-inf")
        found.append((over, f"{f.level}:{f.key}", label))
    found.sort(key=lambda t: (-t[0], t[2]))
    return [(key, label) for _, key, label in found]


def cumulative_claimed(level: str, key: str, year: int, as_of: dt.date) -> list[int | None]:
    """Cumulative accepted claims per care month of `year` as received by `as_of` (what the
    forecast counts as claimed), months after the peildatum None."""
    rows = DeclaratieRegel.objects.filter(
        periode_begin__year=year, afgewezen=False, declaratie__dagtekening__lte=as_of
    )
    if level == "gemeente":
        rows = rows.filter(gemeente__cbs_code=key)
        groups = None
    else:
        agb, groep = key.split("/", 1)
        rows = rows.filter(aanbieder__agb_code=agb)
        groups = {pk for pk, (_s, g, *_r) in product_index().items() if g == groep}
    per_month: dict[int, int] = defaultdict(int)
    for product_id, month, cents in (
        rows.annotate(m=ExtractMonth("periode_begin"))
        .values("product_id", "m")
        .annotate(s=Sum("bedrag_cent"))
    ).values_list("product_id", "m", "s"):
        if groups is None or product_id in groups:
            per_month[month] += cents
    last = as_of.month if as_of.year == year else 12
    running, found = 0, []
    for m in range(1, 13):
        running += per_month.get(m, 0)
        found.append(running if m <= last else None)
    return found


def burnup(levels, option: str, label: str, year: int, as_of: dt.date) -> BurnUp | None:
    level, key = option.split(":", 1)
    chosen = next((f for f in levels if f.level == level and f.key == key), None)
    if chosen is None or chosen.claimed_cent is None:
        return None  # not there, or its amounts are suppressed
    return BurnUp(
        option,
        label,
        chosen.ceiling_cent,
        screen_cache.cached(
            "overzicht-burnup", (level, key, year, as_of), lambda: cumulative_claimed(level, key, year, as_of)
        ),
        chosen.chosen.value_cent,
        chosen.chosen.low_cent,
        chosen.chosen.high_cent,
        chosen.chosen.method,
        as_of,
        chosen.claimed_cent,
    )


def month_label(m: int) -> str:
    return MONTHS[m - 1]


def series_rows(data: Monthly, year: int) -> list[dict[str, Any]]:
    """The monthly table under the first two charts."""
    return [
        {
            "maand": month_label(m),
            "kosten": data.spend[m - 1],
            "kosten_vorig": data.spend_previous[m - 1],
            "clienten": data.clients[m - 1],
            "clienten_vorig": data.clients_previous[m - 1],
        }
        for m in range(1, 13)
    ]
