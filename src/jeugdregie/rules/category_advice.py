"""A suggested provider category from the market analysis (SYSTEM.md section 13; seed 000 ch. 8):
A = system-wide providers with a broad range over the segments and a weight in the region's care
landscape, B = specialised providers needed for coverage but too small for a leading role,
C = the flexible outer ring with few clients. People decide; this only advises, with its reasons.

    A  when spend share >= 5% and active in >= 2 segments
    B  when spend share >= 1%, or the provider is not micro (>= EUR 250k a year)
    C  otherwise; a non-contracted provider (NGA) is always C
    growth: a provider one step below A or B whose spend grew >= 25% on the year before and whose
    share is at least half the threshold moves up one step (capacity the region leans on).
"""

from __future__ import annotations

from dataclasses import dataclass

A_SHARE = 0.05
A_SEGMENTS = 2
B_SHARE = 0.01
B_SPEND_CENT = 25_000_000
GROWTH = 0.25


@dataclass(frozen=True)
class MarketPosition:
    aanbieder: str
    spend_cent: int  # accepted net spend in the year
    spend_before_cent: int  # the year before
    segments: int  # segments with spend in the year (transport not counted)
    region_spend_cent: int
    is_nga: bool = False

    @property
    def share(self) -> float:
        return self.spend_cent / self.region_spend_cent if self.region_spend_cent > 0 else 0.0

    @property
    def growth(self) -> float | None:
        if self.spend_before_cent <= 0:
            return None
        return self.spend_cent / self.spend_before_cent - 1


@dataclass(frozen=True)
class CategoryAdvice:
    aanbieder: str
    categorie: str
    redenen: tuple[str, ...]


def _pct(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def advise(p: MarketPosition) -> CategoryAdvice:
    if p.is_nga:
        return CategoryAdvice(p.aanbieder, "C", ("niet-gecontracteerd (NGA): altijd categorie C",))
    reasons = [f"aandeel in de regionale uitgaven {_pct(p.share)}", f"actief in {p.segments} segment(en)"]
    if p.share >= A_SHARE and p.segments >= A_SEGMENTS:
        category = "A"
    elif p.share >= B_SHARE or p.spend_cent >= B_SPEND_CENT:
        category = "B"
    else:
        category = "C"
    growth = p.growth
    if growth is not None:
        reasons.append(f"groei {_pct(growth)} op het jaar ervoor")
    if growth is not None and growth >= GROWTH:
        if category == "B" and p.share >= A_SHARE / 2 and p.segments >= A_SEGMENTS:
            category = "A"
            reasons.append("sterke groei met minstens de helft van het A-aandeel: een stap omhoog")
        elif category == "C" and p.share >= B_SHARE / 2:
            category = "B"
            reasons.append("sterke groei met minstens de helft van het B-aandeel: een stap omhoog")
    return CategoryAdvice(p.aanbieder, category, tuple(reasons))
