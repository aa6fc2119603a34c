"""KPI reports: the registry's numbers for a year and its tertials, for the region, one
municipality or one provider. Used by the `kpi` command (and the screens)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jeugdregie.rules import kpi as rules

from .facts import load_facts

ENGINES = ("registry", "duckdb")


def kpi_report(
    year: int,
    *,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    as_of: dt.date | None = None,
    engine: str = "registry",
) -> dict[str, Any]:
    """Every KPI for the year and its tertials. A filter selects a group of the cut, so KPIs that
    follow a client beyond the filter (relapse: a new allocation at any provider) stay right.
    ``engine="duckdb"``: the same KPIs computed by DuckDB from the database (``kpi_duckdb``), for
    a national batch; the registry (default) is the reference and serves the screens."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine: {engine}")
    begin, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    by: tuple[str, ...] = tuple(c for c, v in (("gemeente", gemeente), ("aanbieder", aanbieder)) if v)
    key = tuple(v for v in (gemeente, aanbieder) if v)
    periods = [rules.year(year)] + [rules.tertial(year, t) for t in (1, 2, 3)]
    if engine == "duckdb":
        from .kpi_duckdb_reader import kpi_set

        results, as_of = kpi_set(begin, end, periods, [by], as_of=as_of)

        def value_of(kpi_id: str, period: rules.Period) -> Any:
            return results[(kpi_id, period.label, by)].get(key)
    else:
        facts = load_facts(begin, end, as_of=as_of)
        as_of = facts.as_of

        def value_of(kpi_id: str, period: rules.Period) -> Any:
            return rules.compute(kpi_id, facts, period, by).get(key)

    rows = []
    for kpi in rules.REGISTRY.values():
        values = {period.label: value_of(kpi.id, period) for period in periods}
        rows.append(
            {
                "id": kpi.id,
                "label": kpi.label,
                "unit": kpi.unit,
                "good": kpi.good,
                "definition": kpi.definition,
                "value": values[str(year)],
                "tertials": {p.label[-2:]: values[p.label] for p in periods[1:]},
            }
        )
    return {
        "year": year,
        "gemeente": gemeente,
        "aanbieder": aanbieder,
        "as_of": as_of.isoformat(),
        "kpis": rows,
    }


def format_value(value: Any, unit: str) -> str:
    """Dutch display of a KPI value."""
    if value is None:
        return "-"
    if unit == "cent":
        return "EUR " + f"{value / 100:,.0f}".replace(",", ".")
    if unit == "fractie":
        return f"{value * 100:.1f}%".replace(".", ",")
    if unit in ("dagen", "maanden"):
        return f"{value:.1f}".replace(".", ",")
    if unit == "tabel":
        if isinstance(value, dict):
            return ", ".join(f"{k} {v * 100:.1f}%".replace(".", ",") for k, v in value.items())
        return "; ".join(" > ".join(row["producten"]) + f" ({row['aantal']})" for row in value[:3])
    return f"{value:,}".replace(",", ".")
