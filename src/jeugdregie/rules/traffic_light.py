"""The referrers' traffic light (stoplichtmodel), SYSTEM.md section 12.

Per provider and product: budget (projected utilisation), waiting time (median of the last 90 days
against the product's norm) and KPIs (stuuropdracht KPIs out of norm). Overall = the worst of the
three, with the reasons. Thresholds are configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Colour(IntEnum):
    """Ordered so that max() is the worst."""

    ONBEKEND = 0  # no data: does not make the light worse, but is said
    GROEN = 1
    ORANJE = 2
    ROOD = 3

    @property
    def label(self) -> str:
        return {0: "onbekend", 1: "groen", 2: "oranje", 3: "rood"}[self.value]


@dataclass(frozen=True)
class Thresholds:
    budget_orange: float = 0.90  # projected utilisation from here: orange
    budget_red: float = 1.00  # from here: red, "vol, niet meer verwijzen"
    waiting_orange_factor: float = 1.0  # median <= norm x this: green
    waiting_red_factor: float = 1.5  # median <= norm x this: orange, above: red
    kpi_orange: int = 1  # KPIs out of norm from here: orange
    kpi_red: int = 2


@dataclass(frozen=True)
class Light:
    colour: Colour
    reasons: tuple[str, ...] = field(default_factory=tuple)
    parts: dict[str, Colour] = field(default_factory=dict)


def budget_colour(projected_utilisation: float | None, t: Thresholds) -> tuple[Colour, str]:
    if projected_utilisation is None:
        return Colour.ONBEKEND, "budget: geen plafond of prognose"
    pct = f"{projected_utilisation * 100:.0f}%"
    if projected_utilisation < t.budget_orange:
        return Colour.GROEN, f"budget: verwachte uitnutting {pct}"
    if projected_utilisation < t.budget_red:
        return Colour.ORANJE, f"budget: verwachte uitnutting {pct}, bijna vol"
    return Colour.ROOD, f"budget: verwachte uitnutting {pct}, vol, niet meer verwijzen"


def waiting_colour(median_days: float | None, norm_days: int | None, t: Thresholds) -> tuple[Colour, str]:
    if median_days is None or norm_days is None:
        return Colour.ONBEKEND, "wachttijd: geen starts in de laatste 90 dagen of geen norm"
    text = f"wachttijd: mediaan {median_days:.0f} dagen, norm {norm_days}"
    if median_days <= norm_days * t.waiting_orange_factor:
        return Colour.GROEN, text
    if median_days <= norm_days * t.waiting_red_factor:
        return Colour.ORANJE, text + " (boven de norm)"
    return Colour.ROOD, text + " (ruim boven de norm)"


def kpi_colour(out_of_norm: list[str], t: Thresholds) -> tuple[Colour, str]:
    if len(out_of_norm) >= t.kpi_red:
        colour = Colour.ROOD
    elif len(out_of_norm) >= t.kpi_orange:
        colour = Colour.ORANJE
    else:
        return Colour.GROEN, "KPI's: alle binnen de norm"
    return colour, "KPI's buiten de norm: " + ", ".join(out_of_norm)


def traffic_light(
    *,
    projected_utilisation: float | None,
    waiting_median_days: float | None,
    waiting_norm_days: int | None,
    kpis_out_of_norm: list[str],
    thresholds: Thresholds | None = None,
) -> Light:
    t = thresholds or Thresholds()
    parts = {
        "budget": budget_colour(projected_utilisation, t),
        "wachttijd": waiting_colour(waiting_median_days, waiting_norm_days, t),
        "kpi": kpi_colour(kpis_out_of_norm, t),
    }
    worst = max(colour for colour, _ in parts.values())
    # The reasons name what decides the colour first, then the rest.
    ordered = sorted(parts.values(), key=lambda part: -part[0])
    return Light(worst, tuple(reason for _, reason in ordered), {k: c for k, (c, _) in parts.items()})
