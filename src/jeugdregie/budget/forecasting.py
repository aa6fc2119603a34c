"""Forecasts, utilisation and signals from the database (SYSTEM.md sections 8, 9 and 12).

The arithmetic is in jeugdregie.rules.forecast; this module selects the data as it was known on
the peildatum (claims by the date of their declaratie, allocations by their toewijzingsdatum).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Sum

from jeugdregie.catalogus.models import Tarief
from jeugdregie.monitoring.facts import product_index
from jeugdregie.rules import forecast as rules
from jeugdregie.rules.carepaths import DAYS_PER_MONTH
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

from .models import CBudget, Plafond

LEVELS = ("regio", "aanbieder", "gemeente", "groep", "aanbieder_groep")
PREFERRED = "run_rate"  # the best in the backtest at every month from March (docs/forecasting.md)


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


def claim_rows(first_year: int) -> list[ClaimRow]:
    groups = _groups()
    rows = DeclaratieRegel.objects.filter(periode_begin__gte=dt.date(first_year, 1, 1)).values_list(
        "aanbieder__agb_code",
        "aanbieder__categorie",
        "aanbieder__is_nga",
        "gemeente__cbs_code",
        "product_id",
        "periode_begin",
        "declaratie__dagtekening",
        "bedrag_cent",
    )
    return [
        ClaimRow(
            agb,
            "C" if nga else cat,
            gem,
            groups.get(pid, ""),
            rules.ClaimAmount(rules.month_of(begin), rules.month_of(received), amount),
        )
        for agb, cat, nga, gem, pid, begin, received, amount in rows.iterator(chunk_size=10_000)
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


def allocation_inputs(filter_: Callable[[str, str, str], bool]):
    """For method 3: a function as_of -> (running allocations, redemption, inflow per month), with
    the allocations known on that date (by toewijzingsdatum)."""
    tariffs = _tariffs()
    groups = _groups()
    claimed = dict(
        DeclaratieRegel.objects.values("toewijzing_id")
        .annotate(s=Sum("bedrag_cent"))
        .values_list("toewijzing_id", "s")
    )
    allocations = []
    for pk, agb, gem, pid, begin, end, volume, freq, allocated_on in Toewijzing.objects.filter(
        verwijderd=False
    ).values_list(
        "pk",
        "aanbieder__agb_code",
        "gemeente__cbs_code",
        "product_id",
        "ingangsdatum",
        "einddatum",
        "volume",
        "frequentie",
        "toewijzingsdatum",
    ):
        if pid is None or not filter_(agb, gem, groups.get(pid, "")):
            continue
        tariff = tariffs.get((pid, begin.year)) or tariffs.get((pid, (end or begin).year)) or 0
        allocations.append((pk, begin, end, allocated_on, _monthly_value(volume, freq, begin, end, tariff)))

    def at(as_of: dt.date):
        known = [a for a in allocations if a[3] <= as_of]
        ended = [a for a in known if a[2] is not None and as_of - dt.timedelta(days=365) <= a[2] <= as_of]
        allocated_value = sum(
            v * max(1.0, ((end - begin).days + 1) / DAYS_PER_MONTH) for _, begin, end, _, v in ended
        )
        redemption = (
            (sum(claimed.get(pk, 0) for pk, *_ in ended) / allocated_value) if allocated_value else 0.75
        )
        month = rules.month_of(as_of)
        running = [
            rules.RunningAllocation(rules.month_of(begin), rules.month_of(end) if end else None, value)
            for _, begin, end, _, value in known
            if end is None or end > as_of
        ]
        recent = [v for _, begin, _, _, v in known if month - 3 < rules.month_of(begin) <= month]
        inflow = sum(recent) / 3 * redemption
        return running, redemption, inflow

    return at


@dataclass(frozen=True)
class LevelForecast:
    level: str
    key: str
    forecasts: dict[str, rules.Forecast]
    chosen: rules.Forecast
    claimed_cent: int  # received so far for the year
    ceiling_cent: int | None

    @property
    def projected_utilisation(self) -> float | None:
        return self.chosen.value_cent / self.ceiling_cent if self.ceiling_cent else None


def _key(row: ClaimRow, level: str) -> str:
    return {
        "regio": "regio",
        "aanbieder": row.aanbieder,
        "gemeente": row.gemeente,
        "groep": row.groep,
        "aanbieder_groep": f"{row.aanbieder}/{row.groep}",
    }[level]


def forecast_levels(year: int, as_of: dt.date, *, backtest_mape: dict[int, dict[str, float]] | None = None):
    """Forecasts for the region and per provider, municipality and product group."""
    rows = claim_rows(year - 3)
    profile = rules.lag_profile([r.amount for r in rows], rules.month_of(as_of))
    ceilings: dict[tuple[str, str], int] = defaultdict(int)
    for agb, groep, cents in Plafond.objects.filter(jaar=year).values_list(
        "aanbieder__agb_code", "groep__code", "bedrag_cent"
    ):
        ceilings[("aanbieder", agb)] += cents
        ceilings[("aanbieder_groep", f"{agb}/{groep}")] += cents
        # No ceiling on the group level: a group's spend includes category C and NGA, its A/B
        # ceilings do not (the C budget is regional), so the ratio would mislead.
        ceilings[("regio", "regio")] += cents
    c_budget = CBudget.objects.filter(jaar=year).first()
    if c_budget:
        ceilings[("regio", "regio")] += c_budget.bedrag_cent
    mape = (backtest_mape or {}).get(as_of.month, {})
    first, last = rules.month_index(year, 1), rules.month_of(as_of)
    results = []
    for level in LEVELS:
        by_key: dict[str, list[rules.ClaimAmount]] = defaultdict(list)
        for r in rows:
            by_key[_key(r, level)].append(r.amount)
        for key, amounts in sorted(by_key.items()):
            found = rules.forecast_year(amounts, year, as_of, profile=profile)
            chosen = found.get(PREFERRED) or found["run_rate"]
            chosen = rules.with_band(chosen, mape.get(chosen.method))
            claimed = sum(
                a.bedrag_cent for a in amounts if first <= a.care_month <= last and a.received_month <= last
            )
            results.append(LevelForecast(level, key, found, chosen, claimed, ceilings.get((level, key))))
    return results
