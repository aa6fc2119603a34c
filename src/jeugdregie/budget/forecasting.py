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
from jeugdregie.rules import utilisation
from jeugdregie.rules.carepaths import DAYS_PER_MONTH
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

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


def claim_rows(first_year: int) -> list[ClaimRow]:
    groups = _groups()
    # Accepted claims: the lines a claim answer (JW325) rejected are not spend.
    rows = DeclaratieRegel.objects.filter(
        periode_begin__gte=dt.date(first_year, 1, 1), afgewezen=False
    ).values_list(
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
    """Every allocation that is not deleted, valued at its product's tariff, with what was claimed on it."""
    tariffs = _tariffs()
    groups = _groups()
    claimed = dict(
        DeclaratieRegel.objects.filter(afgewezen=False)
        .values("toewijzing_id")
        .annotate(s=Sum("bedrag_cent"))
        .values_list("toewijzing_id", "s")
    )
    found = []
    for pk, agb, cat, nga, gem, pid, begin, end, volume, freq, allocated_on in (
        Toewijzing.objects.filter(verwijderd=False, product__isnull=False)
        .values_list(
            "pk",
            "aanbieder__agb_code",
            "aanbieder__categorie",
            "aanbieder__is_nga",
            "gemeente__cbs_code",
            "product_id",
            "ingangsdatum",
            "einddatum",
            "volume",
            "frequentie",
            "toewijzingsdatum",
        )
        .iterator(chunk_size=10_000)
    ):
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

    def at(as_of: dt.date):
        known = [r.valued for r in allocations if r.toewijzingsdatum <= as_of]
        redemption = utilisation.redemption_rate(utilisation.redemption(known, as_of), 0.75, 0)
        month = rules.month_of(as_of)
        running = [
            rules.RunningAllocation(
                rules.month_of(a.ingangsdatum),
                rules.month_of(a.einddatum) if a.einddatum else None,
                a.monthly_value_cent,
            )
            for a in known
            if a.einddatum is None or a.einddatum > as_of
        ]
        recent = [a.monthly_value_cent for a in known if month - 3 < rules.month_of(a.ingangsdatum) <= month]
        inflow = sum(recent) / 3 * redemption
        return running, redemption, inflow

    return at


def committed_by_key(as_of: dt.date, rows: list[AllocationRow] | None = None) -> dict[tuple[str, str], int]:
    """(level, key) -> committed cents for the rest of the year of `as_of`: the open allocations
    known then, each at its provider's historic redemption (the region's when it has too little)."""
    known = [r for r in (rows if rows is not None else allocation_rows()) if r.toewijzingsdatum <= as_of]
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


def level_key(row: ClaimRow | AllocationRow, level: str) -> str:
    return {
        "regio": "regio",
        "categorie": row.categorie,
        "aanbieder": row.aanbieder,
        "gemeente": row.gemeente,
        "groep": row.groep,
        "aanbieder_groep": f"{row.aanbieder}/{row.groep}",
    }[level]


def forecast_rows(year: int) -> list[ClaimRow]:
    """The claims every forecast of `year` reads: the band's past years and the year before them
    (the lag profile is learnt from all of them, so every caller must read the same)."""
    return claim_rows(year - BAND_YEARS - 1)


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
    the levels computed; `committed=False` skips the open allocations (committed_cent 0)."""
    rows = rows if rows is not None else forecast_rows(year)
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
        by_key: dict[str, list[rules.ClaimAmount]] = defaultdict(list)
        for r in rows:
            by_key[level_key(r, level)].append(r.amount)
        for key, amounts in sorted(by_key.items()):
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
