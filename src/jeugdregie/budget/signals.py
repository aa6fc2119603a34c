"""Signals for contract managers from the database (issue 6): providers near or over their ceiling,
municipalities over their part of the ceilings, the C budget, a waterbed shift to category C and
stuuropdracht KPIs out of norm. The rules and the wording are in jeugdregie.rules.signals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from jeugdregie.contracten.models import effective_kpi_norms
from jeugdregie.monitoring.alongside import start
from jeugdregie.monitoring.facts import load_facts
from jeugdregie.monitoring.services import ENGINES
from jeugdregie.rules import forecast as forecast_rules
from jeugdregie.rules import kpi as kpi_rules
from jeugdregie.rules import signals as rules

from .forecasting import LevelForecast, forecast_inputs, forecast_levels

ORDER = {"kritiek": 0, "waarschuwing": 1}


def kpi_norm_signals(
    as_of: dt.date, facts: kpi_rules.Facts | None = None, *, engine: str = "registry"
) -> list[rules.Signal]:
    """Stuuropdracht KPIs of the A and B providers over the last complete year before `as_of`.
    Without `facts` they are read from the database; ``engine="duckdb"`` computes the KPIs there
    with DuckDB (``monitoring.kpi_duckdb_reader``, the same numbers, for a national batch)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine: {engine}")
    norms = effective_kpi_norms()
    kpi_ids = sorted({kpi for own in norms.values() for kpi in own})
    if not kpi_ids:
        return []
    begin, by = dt.date(as_of.year - 1, 1, 1), ("aanbieder",)
    last_year = kpi_rules.year(as_of.year - 1)
    if facts is None and engine == "duckdb":
        from jeugdregie.monitoring.kpi_duckdb_reader import kpi_set

        results, _ = kpi_set(begin, as_of, [last_year], [by], as_of=as_of, kpis=kpi_ids)

        def value_of(kpi_id: str) -> dict[tuple, Any]:
            return results[(kpi_id, last_year.label, by)]
    else:
        read = facts or load_facts(begin, as_of, as_of=as_of)

        def value_of(kpi_id: str) -> dict[tuple, Any]:
            return kpi_rules.compute(kpi_id, read, last_year, by)

    values = []
    for kpi_id in kpi_ids:
        label = f"{kpi_rules.REGISTRY[kpi_id].label} {last_year.label}"
        for (aanbieder,), value in value_of(kpi_id).items():
            if aanbieder in norms:
                values.append((aanbieder, kpi_id, label, value))
    return rules.kpi_signals(values, norms, {k: kpi_rules.REGISTRY[k].unit for k in kpi_ids})


def _waterbed(levels: list[LevelForecast], rows, year: int, as_of: dt.date) -> rules.Signal | None:
    known_until = forecast_rules.month_of(as_of)
    profile = forecast_rules.lag_profile([r.amount for r in rows], known_until)
    first, last = (
        forecast_rules.month_index(year, 1),
        forecast_rules.last_developed_month(profile, known_until),
    )
    if last < first:
        return None
    amounts = [
        (r.categorie == "C", r.amount.care_month, r.amount.received_month, r.amount.bedrag_cent) for r in rows
    ]
    now = rules.comparable_share(amounts, first, last, known_until)
    before = rules.comparable_share(amounts, first - 12, last - 12, known_until - 12)
    if now is None or before is None:
        return None
    forecast: dict[str, float] = defaultdict(float)
    ceiling: dict[str, int] = defaultdict(int)
    for f in levels:
        if f.level == "aanbieder_groep" and f.ceiling_cent:
            groep = f.key.split("/", 1)[1]
            forecast[groep] += f.chosen.value_cent
            ceiling[groep] += f.ceiling_cent
    full = {g: forecast[g] / c for g, c in ceiling.items() if c and forecast[g] / c >= 0.90}
    return rules.waterbed_signal(now, before, full)


def collect_signals(
    year: int,
    as_of: dt.date,
    *,
    rows=None,
    levels: list[LevelForecast] | None = None,
    engine: str = "registry",
) -> list[rules.Signal]:
    """Every signal for `year` as known on `as_of` (a month end), most serious first. A caller that
    already has the forecasts (the screen) hands them in with the claims they were made from;
    `engine` computes the KPIs of the norms (``kpi_norm_signals``)."""
    # DuckDB's KPIs read the database alongside the forecasts (their copies are mostly the
    # server's work); the registry's stay here, they are this process's own work.
    norms = start(kpi_norm_signals, as_of, engine=engine) if engine == "duckdb" else None
    if rows is None or levels is None:
        rows, allocations = forecast_inputs(year)
        levels = forecast_levels(year, as_of, rows=rows, allocations=allocations)
    found = rules.ceiling_signals(
        (f.key, f.chosen.value_cent, f.ceiling_cent)
        for f in levels
        if f.level == "aanbieder" and f.ceiling_cent
    )
    found += rules.budget_signals(
        (f.key, f.chosen.value_cent, f.ceiling_cent)
        for f in levels
        if f.level == "gemeente" and f.ceiling_cent
    )
    found += rules.ceiling_signals(
        (
            (f.key, f.chosen.value_cent, f.ceiling_cent)
            for f in levels
            if f.level == "categorie" and f.key == "C" and f.ceiling_cent
        ),
        soort="c-budget",
        niveau="regio",
        wat="Verwachte uitgaven categorie C en NGA",
        grens="het C-budget",
    )
    waterbed = _waterbed(levels, rows, year, as_of)
    if waterbed:
        found.append(waterbed)
    found += norms.result() if norms else kpi_norm_signals(as_of)
    return sorted(found, key=lambda s: (ORDER.get(s.ernst, 9), s.soort, s.sleutel))
