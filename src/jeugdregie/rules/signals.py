"""Signals with explanations (issue: ceilings and forecasting): what a contract manager must look at.

Each signal says what, about whom, how serious, and why, in Dutch, with the numbers behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    soort: str  # plafond / gemeentebudget / c-budget / waterbed / kpi
    niveau: str  # aanbieder / gemeente / regio
    sleutel: str
    ernst: str  # "waarschuwing" or "kritiek"
    uitleg: str


def _euro(cents: float) -> str:
    return "EUR " + f"{cents / 100:,.0f}".replace(",", ".")


def _percent(fraction: float, signed: bool = False) -> str:
    """Dutch notation with a decimal comma: 0.082 -> '8,2%' ('+8,2%' when signed)."""
    text = f"{fraction * 100:{'+' if signed else ''}.1f}%".replace(".", ",")
    return text


def ceiling_signals(
    projections: Iterable[tuple[str, float, int]],
    warn: float = 0.90,
    *,
    soort: str = "plafond",
    niveau: str = "aanbieder",
    wat: str = "Verwachte productie",
    grens: str = "het plafond",
) -> list[Signal]:
    """(provider, forecast cents, ceiling cents) -> a signal above 90% and a critical one above 100%.
    The same rule serves the regional C budget (soort "c-budget")."""
    found = []
    for sleutel, forecast, ceiling in projections:
        if ceiling <= 0:
            continue
        share = forecast / ceiling
        if share >= warn:
            ernst = "kritiek" if share >= 1 else "waarschuwing"
            found.append(
                Signal(
                    soort,
                    niveau,
                    sleutel,
                    ernst,
                    f"{wat} {_euro(forecast)} is {share * 100:.0f}% van {grens} "
                    f"{_euro(ceiling)}"
                    + (": overschrijding, overleg en goedkeuring nodig." if share >= 1 else ": bijna vol."),
                )
            )
    return found


def budget_signals(projections: Iterable[tuple[str, float, int]], level: str = "gemeente") -> list[Signal]:
    """(municipality, forecast, budget): a signal when the forecast exceeds the budget."""
    return [
        Signal(
            "gemeentebudget" if level == "gemeente" else "c-budget",
            level,
            key,
            "kritiek" if forecast > budget * 1.05 else "waarschuwing",
            f"Verwachte uitgaven {_euro(forecast)} boven het budget {_euro(budget)} "
            f"({_percent(forecast / budget - 1, signed=True)}).",
        )
        for key, forecast, budget in projections
        if budget > 0 and forecast > budget
    ]


def waterbed_signal(
    c_share_now: float,
    c_share_before: float,
    full_groups: Mapping[str, float],
    threshold_points: float = 0.02,
) -> Signal | None:
    """Clients moving to category C when A/B are full: the C share of spend rose by more than
    `threshold_points` while at least one product group has A/B providers at or over 90%."""
    rise = c_share_now - c_share_before
    if rise <= threshold_points or not full_groups:
        return None
    groups = ", ".join(f"{g} ({u * 100:.0f}%)" for g, u in sorted(full_groups.items()))
    return Signal(
        "waterbed",
        "regio",
        "C",
        "waarschuwing",
        f"Aandeel categorie C/NGA steeg van {_percent(c_share_before)} naar {_percent(c_share_now)} "
        f"terwijl A/B-aanbieders vol raken in: {groups}. Mogelijk waterbedeffect.",
    )


def _number(value: float, unit: str) -> str:
    """Dutch notation: fractions as percentages, others with two decimals."""
    text = f"{value * 100:.1f}%" if unit == "fractie" else f"{value:.2f}"
    return text.replace(".", ",")


def kpi_signals(
    values: Iterable[tuple[str, str, str, float | None]],
    norms: Mapping[str, Mapping[str, tuple[float | None, float | None]]],
    units: Mapping[str, str] | None = None,
) -> list[Signal]:
    """(provider, kpi id, label, value) against each provider's stuuropdracht norms
    {provider: {kpi id: (min, max)}}: one signal per KPI out of norm. Providers without norms
    (category C, NGA) get none. `units` (kpi id -> unit) writes fractions as percentages."""
    found = []
    for aanbieder, kpi_id, label, value in values:
        unit = (units or {}).get(kpi_id, "")
        own = norms.get(aanbieder, {})
        if value is None or kpi_id not in own:
            continue
        low, high = own[kpi_id]
        if low is not None and value < low:
            bound = f"minimaal {_number(low, unit)}"
        elif high is not None and value > high:
            bound = f"maximaal {_number(high, unit)}"
        else:
            continue
        found.append(
            Signal(
                "kpi",
                "aanbieder",
                aanbieder,
                "waarschuwing",
                f"{label}: {_number(value, unit)} buiten de norm ({bound}).",
            )
        )
    return found


def comparable_share(
    amounts: Iterable[tuple[bool, int, int, int]], first_month: int, last_month: int, known_until: int
) -> float | None:
    """Share of the flagged amounts in care months [first_month, last_month] as received by
    `known_until`: (flag, care month, received month, cents). Comparing this year's share with last
    year's at the same development (known_until - 12) keeps claim lag out of the comparison."""
    flagged = total = 0
    for flag, care_month, received_month, cents in amounts:
        if first_month <= care_month <= last_month and received_month <= known_until:
            total += cents
            if flag:
                flagged += cents
    return flagged / total if total > 0 else None
