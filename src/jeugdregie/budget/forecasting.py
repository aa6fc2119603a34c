"""Forecasts, utilisation and signals from the database (SYSTEM.md sections 8, 9 and 12).

The arithmetic is in jeugdregie.rules.forecast; this module selects the data as it was known on
the peildatum (claims by the date of their declaratie, allocations by their toewijzingsdatum).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from jeugdregie.catalogus.models import Tarief
from jeugdregie.monitoring.facts import derived, product_index, shared
from jeugdregie.monitoring.large_aggregates import make_room
from jeugdregie.rules import forecast as rules
from jeugdregie.rules import utilisation
from jeugdregie.rules.carepaths import DAYS_PER_MONTH

from .models import CBudget, Plafond
from .services import municipality_budgets

LEVELS = ("regio", "categorie", "aanbieder", "gemeente", "groep", "aanbieder_groep")
BAND_YEARS = 3  # past years of the series' own backtest that size its uncertainty band
# The method per level, from the backtest on the demo region 2023-2025 (docs/forecasting.md): the
# run rate for large series; for providers (and provider x group) the blend with last year's total,
# whose error per euro is a third of the run rate's in March and still lower in November.
PREFERRED = {
    "regio": "run_rate",
    "categorie": "run_rate",
    "gemeente": "run_rate",
    "groep": "run_rate",
    "aanbieder": "blend",
    "aanbieder_groep": "blend",
}


@dataclass(frozen=True)
class ClaimRow:
    aanbieder: str
    categorie: str
    gemeente: str
    groep: str
    amount: rules.ClaimAmount


def _groups() -> dict[int, str]:
    """product id -> product group in the current book (legacy products mapped)."""
    return {pk: groep for pk, (_segment, groep, *_rest) in product_index().items()}


def _month_sql(column: str) -> str:
    """SQL for the month index (``rules.forecast.month_of``) of a date column."""
    if connection.vendor == "sqlite":  # dates are stored as ISO text
        return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"
    return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"


def claim_rows(first_year: int) -> list[ClaimRow]:
    """The accepted claims from `first_year` on as totals per provider, municipality, product
    group, care month and month received (one row each), in the order of their first claim line
    by (ProductPeriode begin, id).

    Every forecast only sums amounts per (care month, month received) of a series, in integers, so
    the totals give the same figures as the claim lines, which the database adds up instead of
    Python (issue 13: 5x fewer rows at the demo's size). The order keeps the floats the same too:
    the months of a series and the keys of a level are summed in the order they first appear, and
    that is the order of the lines read by the ProductPeriode index, which the reader used."""
    groups = _groups()
    care, received = _month_sql("r.periode_begin"), _month_sql("d.dagtekening")
    if connection.vendor == "sqlite":
        first_line = "printf('%%s%%012d', r.periode_begin, r.id)"
    else:  # (begin, id) as one number, days x 10^12 + id: the order of the text key, without
        # building and comparing (by collation) a string per line (a third of the query at scale 10)
        first_line = "(r.periode_begin - DATE '1970-01-01')::bigint * 1000000000000 + r.id"
    # Accepted claims: the lines a claim answer (JW325) rejected are not spend.
    sql = f"""
        SELECT a.agb_code, a.categorie, a.is_nga, g.cbs_code, r.product_id,
               {care} AS care, {received} AS received, SUM(r.bedrag_cent), MIN({first_line}) AS first_line
        FROM zorg_declaratieregel r
        JOIN contracten_aanbieder a ON a.id = r.aanbieder_id
        JOIN regio_gemeente g ON g.id = r.gemeente_id
        JOIN zorg_declaratie d ON d.id = r.declaratie_id
        WHERE r.periode_begin >= %s AND NOT r.afgewezen
        GROUP BY a.agb_code, a.categorie, a.is_nga, g.cbs_code, r.product_id, care, received
        ORDER BY first_line
    """  # nosec B608 - only this module's own SQL fragments are formatted in; values are parameters
    # products of one group are one series: their totals added (in integers), first one's place kept
    totals: dict[tuple[str, str, str, str, int, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [dt.date(first_year, 1, 1)])
        while block := cursor.fetchmany(10_000):
            for agb, cat, nga, gem, pid, care_month, received_month, cents, _first in block:
                key = (agb, "C" if nga else cat, gem, groups.get(pid, ""), care_month, received_month)
                totals[key] = totals.get(key, 0) + int(cents)
    return [
        ClaimRow(agb, cat, gem, groep, rules.ClaimAmount(care_month, received_month, cents))
        for (agb, cat, gem, groep, care_month, received_month), cents in totals.items()
    ]


def _tariffs() -> dict[tuple[int, int], int]:
    return {
        (pid, jaar): cents
        for pid, jaar, cents in Tarief.objects.values_list("product_id", "jaar", "bedrag_cent")
    }


def _monthly_value(volume, frequentie, begin: dt.date, end: dt.date | None, tariff: int) -> float:
    """Allocated value per month: volume per frequency period, over the months of validity."""
    per_month = {"1": DAYS_PER_MONTH, "2": DAYS_PER_MONTH / 7, "4": 1.0}.get(frequentie)
    if per_month is not None:
        return (volume or 0) * per_month * tariff
    if frequentie == "6" and end is not None:  # total over the validity
        months = max(1.0, ((end - begin).days + 1) / DAYS_PER_MONTH)
        return (volume or 0) / months * tariff
    return 0.0


@dataclass(frozen=True)
class AllocationRow:
    pk: int
    aanbieder: str
    categorie: str  # A / B / C (NGA counts as C)
    gemeente: str
    groep: str
    toewijzingsdatum: dt.date
    valued: utilisation.ValuedAllocation


def allocation_rows() -> list[AllocationRow]:
    """Every allocation that is not deleted, valued at its product's tariff, with what was claimed
    on it; in id order. Plain SQL read from the cursor (issue 13): Django's per-value converters
    cost more than the query."""
    tariffs = _tariffs()
    groups = _groups()
    claimed: dict[int, int] = {}
    text = "CAST({} AS TEXT)" if connection.vendor == "sqlite" else "{}"
    day = dt.date.fromisoformat

    def as_date(value):
        return day(value) if isinstance(value, str) else value

    sql = f"""
        SELECT t.id, a.agb_code, a.categorie, a.is_nga, g.cbs_code, t.product_id,
               {text.format("t.ingangsdatum")}, {text.format("t.einddatum")}, t.volume, t.frequentie,
               {text.format("t.toewijzingsdatum")}
        FROM zorg_toewijzing t
        JOIN contracten_aanbieder a ON a.id = t.aanbieder_id
        JOIN regio_gemeente g ON g.id = t.gemeente_id
        WHERE NOT t.verwijderd AND t.product_id IS NOT NULL
        ORDER BY t.id
    """  # nosec B608 - only this module's own SQL fragments are formatted in; values are parameters
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        make_room(cursor)  # for the claimed cents per allocation
        cursor.execute(
            "SELECT toewijzing_id, SUM(bedrag_cent) FROM zorg_declaratieregel WHERE NOT afgewezen "
            "GROUP BY toewijzing_id"
        )
        claimed = {pk: int(cents) for pk, cents in cursor.fetchall() if cents is not None}
        cursor.execute(sql)
        while block := cursor.fetchmany(10_000):
            for pk, agb, cat, nga, gem, pid, begin, end, volume, freq, allocated_on in block:
                begin, end, allocated_on = as_date(begin), as_date(end), as_date(allocated_on)
                tariff = tariffs.get((pid, begin.year)) or tariffs.get((pid, (end or begin).year)) or 0
                monthly = _monthly_value(volume, freq, begin, end, tariff)
                found.append(
                    AllocationRow(
                        pk,
                        agb,
                        "C" if nga else cat,
                        gem,
                        groups.get(pid, ""),
                        allocated_on,
                        utilisation.ValuedAllocation(begin, end, monthly, claimed.get(pk) or 0),
                    )
                )
    return found


def allocation_inputs(filter_: Callable[[str, str, str], bool], rows: list[AllocationRow] | None = None):
    """For method 3: a function as_of -> (running allocations, redemption, inflow per month), with
    the allocations known on that date (by toewijzingsdatum)."""
    allocations = [
        r
        for r in (rows if rows is not None else allocation_rows())
        if filter_(r.aanbieder, r.gemeente, r.groep)
    ]

    # What does not depend on the date, once (the backtest asks at 33 month ends; issue 13).
    prepared = [
        (
            r.toewijzingsdatum,
            r.valued,
            rules.month_of(r.valued.ingangsdatum),
            rules.RunningAllocation(
                rules.month_of(r.valued.ingangsdatum),
                rules.month_of(r.valued.einddatum) if r.valued.einddatum else None,
                r.valued.monthly_value_cent,
            ),
        )
        for r in allocations
    ]

    def at(as_of: dt.date):
        since = as_of - dt.timedelta(days=utilisation.REDEMPTION_WINDOW_DAYS)
        month = rules.month_of(as_of)
        # One pass over the allocations known then, in their order (the float sums add in it):
        # those that ended in the redemption window (the only ones `redemption` counts), those
        # still running and the value of those that began in the last three months.
        ended, running, recent = [], [], []
        for allocated_on, a, begin_month, running_allocation in prepared:
            if allocated_on > as_of:
                continue
            end = a.einddatum
            if end is None or end > as_of:
                running.append(running_allocation)
            elif since < end:
                ended.append(a)
            if month - 3 < begin_month <= month:
                recent.append(a.monthly_value_cent)
        redemption = utilisation.redemption_rate(utilisation.redemption(ended, as_of), 0.75, 0)
        inflow = sum(recent) / 3 * redemption
        return running, redemption, inflow

    return at


def committed_by_key(as_of: dt.date, rows: list[AllocationRow] | None = None) -> dict[tuple[str, str], int]:
    """(level, key) -> committed cents for the rest of the year of `as_of`: the open allocations
    known then, each at its provider's historic redemption (the region's when it has too little)."""
    rows = rows if rows is not None else shared(("allocation rows",), allocation_rows)
    known = [r for r in rows if r.toewijzingsdatum <= as_of]
    fallback = utilisation.redemption_rate(utilisation.redemption((r.valued for r in known), as_of), 1.0, 0)
    by_provider: dict[str, list[utilisation.ValuedAllocation]] = defaultdict(list)
    for r in known:
        by_provider[r.aanbieder].append(r.valued)
    rates = {
        agb: utilisation.redemption_rate(utilisation.redemption(items, as_of), fallback)
        for agb, items in by_provider.items()
    }
    committed: dict[tuple[str, str], int] = defaultdict(int)
    for r in known:
        cents = utilisation.committed_cent([r.valued], as_of, rates[r.aanbieder])
        if cents:
            for level in LEVELS:
                committed[(level, level_key(r, level))] += cents
    return dict(committed)


@dataclass(frozen=True)
class LevelForecast:
    level: str
    key: str
    forecasts: dict[str, rules.Forecast]
    chosen: rules.Forecast
    claimed_cent: int  # received so far for the year
    ceiling_cent: int | None
    committed_cent: int = 0  # expected from the allocations running after the peildatum

    @property
    def usage(self) -> utilisation.Utilisation:
        return utilisation.Utilisation(
            self.ceiling_cent, self.claimed_cent, self.committed_cent, round(self.chosen.value_cent)
        )

    @property
    def projected_utilisation(self) -> float | None:
        return self.chosen.value_cent / self.ceiling_cent if self.ceiling_cent else None


KEY_OF: dict[str, Callable[[ClaimRow | AllocationRow], str]] = {
    "regio": lambda row: "regio",
    "categorie": lambda row: row.categorie,
    "aanbieder": lambda row: row.aanbieder,
    "gemeente": lambda row: row.gemeente,
    "groep": lambda row: row.groep,
    "aanbieder_groep": lambda row: f"{row.aanbieder}/{row.groep}",
}


def level_key(row: ClaimRow | AllocationRow, level: str) -> str:
    return KEY_OF[level](row)


def series(rows: list[ClaimRow], level: str) -> dict[str, list[rules.ClaimAmount]]:
    """key of `level` -> its claims as totals per (care month, month received), keys and months
    in the order first seen. The forecasts only sum these amounts in integers and add the months
    in the order they first appear, so the totals give the same figures as the rows."""
    key_of = KEY_OF[level]
    merged: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for r in rows:
        a = r.amount
        months = merged[key_of(r)]
        at = (a.care_month, a.received_month)
        months[at] = months.get(at, 0) + a.bedrag_cent
    return {
        key: [rules.ClaimAmount(care, received, cents) for (care, received), cents in months.items()]
        for key, months in merged.items()
    }


def forecast_rows(year: int) -> list[ClaimRow]:
    """The claims every forecast of `year` reads: the band's past years and the year before them
    (the lag profile is learnt from all of them, so every caller must read the same). Read once
    inside `shared_facts()` (the screens' precompute: Stoplicht, Plafonds, settlement, report)."""
    return shared(("forecast rows", year), lambda: claim_rows(year - BAND_YEARS - 1))


def forecast_levels(
    year: int,
    as_of: dt.date,
    *,
    rows: list[ClaimRow] | None = None,
    levels: tuple[str, ...] = LEVELS,
    committed: bool = True,
):
    """Forecasts for the region and per provider category, provider, municipality and product
    group, with what is claimed, committed and the ceiling (or budget) of each. `levels` limits
    the levels computed; `committed=False` skips the open allocations (committed_cent 0). Inside
    `shared_facts()` computed once per arguments and `rows` (callers must not alter the result)."""
    rows = rows if rows is not None else forecast_rows(year)
    memo = derived(rows)
    key = ("forecast levels", year, as_of, levels, committed)
    if key not in memo:
        memo[key] = _forecast_levels(year, as_of, rows, levels, committed)
    return memo[key]


def _forecast_levels(
    year: int, as_of: dt.date, rows: list[ClaimRow], levels: tuple[str, ...], committed: bool
) -> list[LevelForecast]:
    committed_cents = committed_by_key(as_of) if committed else {}
    profile = rules.lag_profile([r.amount for r in rows], rules.month_of(as_of))
    ceilings: dict[tuple[str, str], int] = defaultdict(int)
    for agb, categorie, groep, cents in Plafond.objects.filter(jaar=year).values_list(
        "aanbieder__agb_code", "aanbieder__categorie", "groep__code", "bedrag_cent"
    ):
        ceilings[("aanbieder", agb)] += cents
        ceilings[("categorie", categorie)] += cents
        ceilings[("aanbieder_groep", f"{agb}/{groep}")] += cents
        # No ceiling on the group level: a group's spend includes category C and NGA, its A/B
        # ceilings do not (the C budget is regional), so the ratio would mislead.
        ceilings[("regio", "regio")] += cents
    c_budget = CBudget.objects.filter(jaar=year).first()
    if c_budget:
        ceilings[("regio", "regio")] += c_budget.bedrag_cent
        ceilings[("categorie", "C")] += c_budget.bedrag_cent
    for gemeente, cents in municipality_budgets(year).items():
        ceilings[("gemeente", gemeente)] = cents
    amounts_all = [r.amount for r in rows]
    past_profiles = {
        y: rules.lag_profile(amounts_all, rules.month_index(y, as_of.month))
        for y in range(year - BAND_YEARS, year)
    }
    first, last = rules.month_index(year, 1), rules.month_of(as_of)
    results = []
    for level in levels:
        for key, amounts in sorted(series(rows, level).items()):
            found = rules.forecast_year(amounts, year, as_of, profile=profile)
            chosen = found.get(PREFERRED[level]) or found["run_rate"]
            # The band: this series' own error at this month in the years before (its backtest).
            mape = rules.past_mape(amounts, year, as_of.month, chosen.method, profiles=past_profiles)
            chosen = rules.with_band(chosen, mape)
            claimed = sum(
                a.bedrag_cent for a in amounts if first <= a.care_month <= last and a.received_month <= last
            )
            results.append(
                LevelForecast(
                    level,
                    key,
                    found,
                    chosen,
                    claimed,
                    ceilings.get((level, key)),
                    committed_cents.get((level, key), 0),
                )
            )
    return results
