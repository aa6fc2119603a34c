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

from jeugdregie.monitoring.alongside import start
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


def _date_part_sql(column: str, part: str) -> str:
    """SQL for the year or the month (1-12) of a date column, as an integer."""
    if connection.vendor == "sqlite":  # dates are stored as ISO text
        start, length = {"year": (1, 4), "month": (6, 2)}[part]
        return f"CAST(substr({column}, {start}, {length}) AS INTEGER)"
    # date_part gives a float; EXTRACT a numeric (since PostgreSQL 14), slower per claim line
    return f"CAST(date_part('{part}', {column}) AS INTEGER)"


def _month_sql(column: str) -> str:
    """SQL for the month index (``rules.forecast.month_of``) of a date column."""
    return f"({_date_part_sql(column, 'year')} * 12 + {_date_part_sql(column, 'month')} - 1)"


def claim_rows(first_year: int) -> list[ClaimRow]:
    """The accepted claims from `first_year` on as totals per provider, municipality, product
    group, care month and month received (one row each), in the order of their first claim line
    by (ProductPeriode begin, id).

    Every forecast only sums amounts per (care month, month received) of a series, in integers, so
    the totals give the same figures as the claim lines, which the database adds up instead of
    Python (issue 13: 5x fewer rows at the demo's size). The order keeps the floats the same too:
    the months of a series and the keys of a level are summed in the order they first appear, and
    that is the order of the lines read by the ProductPeriode index, which the reader used.

    The database groups by the ids of provider and municipality and by product group (the book's
    groups, legacy products mapped, handed in as a VALUES list), and names them after grouping: at
    scale 60 that is 1.2 million totals of integer keys instead of 3.3 million of text keys
    merged in Python (the query 25 -> 16 s)."""
    groups = sorted(_groups().items())
    care, received = _month_sql("r.periode_begin"), _month_sql("d.dagtekening")
    if connection.vendor == "sqlite":
        first_line = "printf('%%s%%012d', r.periode_begin, r.id)"
    else:  # (begin, id) as one number, days x 10^12 + id: the order of the text key, without
        # building and comparing (by collation) a string per line (a third of the query at scale 10)
        first_line = "(r.periode_begin - DATE '1970-01-01')::bigint * 1000000000000 + r.id"
    # (0, '') when the book has no product: a VALUES list needs a row
    product_groups = ", ".join(["(%s, %s)"] * len(groups)) or "(0, '')"
    # Accepted claims: the lines a claim answer (JW325) rejected are not spend.
    sql = f"""
        WITH product_group(id, groep) AS (VALUES {product_groups}),
        totals AS (
            SELECT r.aanbieder_id, r.gemeente_id, coalesce(pg.groep, '') AS groep,
                   {care} AS care, {received} AS received, SUM(r.bedrag_cent) AS cents,
                   MIN({first_line}) AS first_line
            FROM zorg_declaratieregel r
            JOIN zorg_declaratie d ON d.id = r.declaratie_id
            LEFT JOIN product_group pg ON pg.id = r.product_id
            WHERE r.periode_begin >= %s AND NOT r.afgewezen
            GROUP BY r.aanbieder_id, r.gemeente_id, coalesce(pg.groep, ''), care, received
        )
        SELECT a.agb_code, CASE WHEN a.is_nga THEN 'C' ELSE a.categorie END, g.cbs_code, t.groep,
               t.care, t.received, t.cents
        FROM totals t
        JOIN contracten_aanbieder a ON a.id = t.aanbieder_id
        JOIN regio_gemeente g ON g.id = t.gemeente_id
        ORDER BY t.first_line
    """  # nosec B608 - only this module's own SQL fragments are formatted in; values are parameters
    params: list = [value for pair in groups for value in pair] + [dt.date(first_year, 1, 1)]
    found = []
    amount = rules.ClaimAmount
    with transaction.atomic(), connection.cursor() as cursor:
        # room for the hash of the totals; no parallel workers: this query and the allocations'
        # run alongside each other, a core each (scale 60: 43 s for both with workers, 30 without)
        make_room(cursor, parallel=False)
        cursor.execute(sql, params)
        while block := cursor.fetchmany(10_000):
            found.extend(
                ClaimRow(agb, cat, gem, groep, amount(care_month, received_month, int(cents)))
                for agb, cat, gem, groep, care_month, received_month, cents in block
            )
    return found


@dataclass(frozen=True)
class AllocationRow:
    pk: int
    aanbieder: str
    categorie: str  # A / B / C (NGA counts as C)
    gemeente: str
    groep: str
    toewijzingsdatum: dt.date
    valued: utilisation.ValuedAllocation


def _monthly_value_sql(tariff: str) -> str:
    """``rules.utilisation.monthly_value`` in SQL over ``t`` (the allocation) at `tariff` (an
    expression): the same floating-point operations in the same order (IEEE doubles on both
    databases), so the same value to the last bit (tests/budget: test_allocation_rows)."""
    sqlite = connection.vendor == "sqlite"
    if sqlite:  # dates as ISO text; REAL is a double
        dpm, days = repr(DAYS_PER_MONTH), "(julianday(t.einddatum) - julianday(t.ingangsdatum))"
        larger = "max"
    else:
        dpm, days = f"CAST({DAYS_PER_MONTH!r} AS double precision)", "(t.einddatum - t.ingangsdatum)"
        larger = "greatest"
    volume = "coalesce(t.volume, 0)"
    return f"""CASE t.frequentie
        WHEN '1' THEN {volume} * {dpm} * {tariff}
        WHEN '2' THEN {volume} * ({dpm} / 7) * {tariff}
        WHEN '4' THEN {volume} * CAST(1.0 AS {"REAL" if sqlite else "double precision"}) * {tariff}
        WHEN '6' THEN CASE WHEN t.einddatum IS NULL THEN 0.0
            ELSE {volume} / {larger}(1.0, ({days} + 1) / {dpm}) * {tariff} END
        ELSE 0.0 END"""


def allocation_rows() -> list[AllocationRow]:
    """Every allocation that is not deleted, valued at its product's tariff (of its first year,
    else of its last), with what was claimed on it; in id order. Plain SQL read from the cursor
    (issue 13): the database values the allocations and sums the claims on each (at scale 60, 1.6
    million allocations; Python's valuation and date parsing cost more than the query)."""
    groups = _groups()
    sqlite = connection.vendor == "sqlite"
    text = "CAST({} AS TEXT)" if sqlite else "{}"
    tariff = "coalesce(nullif(tb.bedrag_cent, 0), nullif(te.bedrag_cent, 0), 0)"
    sql = f"""
        SELECT t.id, a.agb_code, CASE WHEN a.is_nga THEN 'C' ELSE a.categorie END, g.cbs_code, t.product_id,
               {text.format("t.ingangsdatum")}, {text.format("t.einddatum")}, {text.format("t.toewijzingsdatum")},
               {_monthly_value_sql(tariff)}, coalesce(c.claimed, 0)
        FROM zorg_toewijzing t
        JOIN contracten_aanbieder a ON a.id = t.aanbieder_id
        JOIN regio_gemeente g ON g.id = t.gemeente_id
        LEFT JOIN catalogus_tarief tb ON tb.product_id = t.product_id AND tb.jaar = {_date_part_sql("t.ingangsdatum", "year")}
        LEFT JOIN catalogus_tarief te
            ON te.product_id = t.product_id AND te.jaar = {_date_part_sql("coalesce(t.einddatum, t.ingangsdatum)", "year")}
        LEFT JOIN (
            SELECT toewijzing_id, CAST(SUM(bedrag_cent) AS BIGINT) AS claimed
            FROM zorg_declaratieregel WHERE NOT afgewezen GROUP BY toewijzing_id
        ) c ON c.toewijzing_id = t.id
        WHERE NOT t.verwijderd AND t.product_id IS NOT NULL
        ORDER BY t.id
    """  # nosec B608 - only this module's own SQL fragments are formatted in; no values
    day = dt.date.fromisoformat
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        make_room(cursor, parallel=False)  # the claimed cents per allocation; see claim_rows
        cursor.execute(sql)
        while block := cursor.fetchmany(10_000):
            for pk, agb, cat, gem, pid, begin, end, allocated_on, monthly, claimed in block:
                if sqlite:
                    begin, end, allocated_on = day(begin), end and day(end), day(allocated_on)
                found.append(
                    AllocationRow(
                        pk,
                        agb,
                        cat,
                        gem,
                        groups.get(pid, ""),
                        allocated_on,
                        utilisation.ValuedAllocation(begin, end, float(monthly), int(claimed)),
                    )
                )
    return found


#: Allocations per block of ``allocation_inputs`` (consecutive ids).
BLOCK = 1_000


def allocation_inputs(filter_: Callable[[str, str, str], bool], rows: list[AllocationRow] | None = None):
    """For method 3: a function as_of -> (running allocations, redemption, inflow per month), with
    the allocations known on that date (by toewijzingsdatum)."""
    allocations = [
        r
        for r in (rows if rows is not None else allocation_rows())
        if filter_(r.aanbieder, r.gemeente, r.groep)
    ]

    # What does not depend on the date, once (the backtest asks at 33 month ends; issue 13).
    month_of = rules.month_of
    prepared = []
    for r in allocations:
        a = r.valued
        begin_month = month_of(a.ingangsdatum)
        end_month = month_of(a.einddatum) if a.einddatum else None
        running = rules.RunningAllocation(begin_month, end_month, a.monthly_value_cent)
        prepared.append((r.toewijzingsdatum, a, begin_month, running))

    # In blocks of consecutive ids, each with the first day one of them was known and the last day
    # one of them ran (None: one is open-ended): a month end that none of a block was known by yet,
    # or that all of it ended a redemption window before, skips the block; what is left keeps its
    # order. The ids follow the data's time, so most blocks are wholly past or wholly future.
    blocks = []
    for i in range(0, len(prepared), BLOCK):
        part = prepared[i : i + BLOCK]
        ends = [p[1].einddatum for p in part]
        last_day = None if None in ends else max(max(p[1].einddatum, p[1].ingangsdatum) for p in part)
        blocks.append((min(p[0] for p in part), last_day, part))

    def at(as_of: dt.date):
        since = as_of - dt.timedelta(days=utilisation.REDEMPTION_WINDOW_DAYS)
        month = rules.month_of(as_of)
        # One pass over the allocations known then, in their order (the float sums add in it):
        # those that ended in the redemption window (the only ones `redemption` counts), those
        # still running and the value of those that began in the last three months. A block that
        # all ended (and began) on or before `since` has none of these: it began a year ago.
        ended, running, recent = [], [], []
        for first_known, last_day, part in blocks:
            if first_known > as_of or (last_day is not None and last_day <= since):
                continue
            for allocated_on, a, begin_month, running_allocation in part:
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
    known then, each at its provider's historic redemption (the region's when it has too little).

    Only the allocations that ended in the redemption window count for the rates and only those
    still running after `as_of` commit anything (``rules.utilisation``), so each rule is given
    just those, in the same order (the same float sums): at scale 60 a third of the 1.6 million."""
    rows = rows if rows is not None else shared(("allocation rows",), allocation_rows)
    since = as_of - dt.timedelta(days=utilisation.REDEMPTION_WINDOW_DAYS)
    year_end = dt.date(as_of.year, 12, 31)
    ended: list[AllocationRow] = []
    running: list[AllocationRow] = []
    for r in rows:
        if r.toewijzingsdatum > as_of:
            continue
        end = r.valued.einddatum
        if end is not None and since < end <= as_of:
            ended.append(r)
        if (end is None or end > as_of) and r.valued.ingangsdatum <= year_end:
            running.append(r)
    fallback = utilisation.redemption_rate(utilisation.redemption((r.valued for r in ended), as_of), 1.0, 0)
    by_provider: dict[str, list[utilisation.ValuedAllocation]] = defaultdict(list)
    for r in ended:
        by_provider[r.aanbieder].append(r.valued)
    rates = {
        agb: utilisation.redemption_rate(utilisation.redemption(items, as_of), fallback)
        for agb, items in by_provider.items()
    }
    committed: dict[tuple[str, str], int] = defaultdict(int)
    for r in running:
        cents = utilisation.committed_cent([r.valued], as_of, rates.get(r.aanbieder, fallback))
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


def forecast_inputs(year: int) -> tuple[list[ClaimRow], list[AllocationRow]]:
    """`forecast_rows(year)` and the allocation rows, read alongside each other
    (``monitoring.alongside``): the claims' totals on a connection of their own while this one
    reads and values the allocations (at scale 60 the server sums the claim lines for 15 s)."""
    claims = start(forecast_rows, year)
    allocations = shared(("allocation rows",), allocation_rows)
    return claims.result(), allocations


def forecast_levels(
    year: int,
    as_of: dt.date,
    *,
    rows: list[ClaimRow] | None = None,
    allocations: list[AllocationRow] | None = None,
    levels: tuple[str, ...] = LEVELS,
    committed: bool = True,
):
    """Forecasts for the region and per provider category, provider, municipality and product
    group, with what is claimed, committed and the ceiling (or budget) of each. `levels` limits
    the levels computed; `committed=False` skips the open allocations (committed_cent 0). The
    claims (`rows`) and the allocations are read when not handed in. Inside `shared_facts()`
    computed once per arguments and `rows` (callers must not alter the result)."""
    if rows is None and committed and allocations is None:
        rows, allocations = forecast_inputs(year)
    rows = rows if rows is not None else forecast_rows(year)
    memo = derived(rows)
    key = ("forecast levels", year, as_of, levels, committed)
    if key not in memo:
        memo[key] = _forecast_levels(year, as_of, rows, levels, committed, allocations)
    return memo[key]


def _forecast_levels(
    year: int,
    as_of: dt.date,
    rows: list[ClaimRow],
    levels: tuple[str, ...],
    committed: bool,
    allocations: list[AllocationRow] | None,
) -> list[LevelForecast]:
    committed_cents = committed_by_key(as_of, allocations) if committed else {}
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
