"""Utilisation of a ceiling or budget (SYSTEM.md sections 7 and 8): what is claimed so far, what is
committed by the allocations that are still running, and what is forecast for the year.

committed: the allocated value of the open allocations from the day after the peildatum to the end
of the year (or their end date), times the historic redemption: the share of allocated value that
was actually claimed on the allocations that ended in the twelve months before the peildatum.
Allocations are not money: a referral for 10 hours a week is, on the record, claimed for 7 or 8.
Without that correction "committed" would run ahead of every provider by a quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .carepaths import DAYS_PER_MONTH

REDEMPTION_WINDOW_DAYS = 365
# With less history than this in allocated value the own redemption is noise; use the region's.
MIN_HISTORY_CENT = 1_000_000  # EUR 10,000


def monthly_value(
    volume: int | None, frequentie: str, begin: dt.date, end: dt.date | None, tariff: int
) -> float:
    """An allocation's value per month at `tariff`: its volume per frequency period (1 a day, 2 a
    week, 4 a month, 6 the total over the validity) over the months of its validity. The
    forecast's allocation rows compute this in SQL; tests hold the two equal to the last bit."""
    per_month = {"1": DAYS_PER_MONTH, "2": DAYS_PER_MONTH / 7, "4": 1.0}.get(frequentie)
    if per_month is not None:
        return (volume or 0) * per_month * tariff
    if frequentie == "6" and end is not None:  # total over the validity
        months = max(1.0, ((end - begin).days + 1) / DAYS_PER_MONTH)
        return (volume or 0) / months * tariff
    return 0.0


@dataclass(frozen=True)
class ValuedAllocation:
    """An allocation with its value per month at the product's tariff (volume x periods x tariff)."""

    ingangsdatum: dt.date
    einddatum: dt.date | None  # None: open-ended
    monthly_value_cent: float
    claimed_cent: int = 0  # net claimed on it so far (for the redemption)

    def value_between(self, begin: dt.date, end: dt.date) -> float:
        """Allocated value of the days of [begin, end] on which the allocation is valid."""
        first = max(begin, self.ingangsdatum)
        last = end if self.einddatum is None else min(end, self.einddatum)
        if last < first:
            return 0.0
        return self.monthly_value_cent * ((last - first).days + 1) / DAYS_PER_MONTH

    @cached_property  # the backtest's redemption asks it at every month end (scale 60: 8.7 million times)
    def total_value(self) -> float | None:
        if self.einddatum is None:
            return None
        return self.value_between(self.ingangsdatum, self.einddatum)


def redemption(allocations: Iterable[ValuedAllocation], as_of: dt.date) -> tuple[float, float] | None:
    """(claimed, allocated value) over the allocations that ended in the `REDEMPTION_WINDOW_DAYS`
    up to `as_of`; None when none did."""
    since = as_of - dt.timedelta(days=REDEMPTION_WINDOW_DAYS)
    claimed = allocated = 0.0
    for a in allocations:
        if a.einddatum is not None and since < a.einddatum <= as_of:
            allocated += a.total_value or 0.0
            claimed += a.claimed_cent
    return (claimed, allocated) if allocated > 0 else None


def redemption_rate(
    own: tuple[float, float] | None, fallback: float, min_history_cent: float = MIN_HISTORY_CENT
) -> float:
    """The own rate when there is enough history, else the fallback (the region's)."""
    if own is None or own[1] < min_history_cent:
        return fallback
    return own[0] / own[1]


def committed_cent(allocations: Iterable[ValuedAllocation], as_of: dt.date, rate: float) -> int:
    """Expected claims for the rest of the year of `as_of` from the allocations running after it."""
    year_end = dt.date(as_of.year, 12, 31)
    after = as_of + dt.timedelta(days=1)
    return round(sum(a.value_between(after, year_end) for a in allocations) * rate)


@dataclass(frozen=True)
class Utilisation:
    """One ceiling's (or budget's) use: shares are of the ceiling, None without one."""

    ceiling_cent: int | None
    claimed_cent: int
    committed_cent: int
    forecast_cent: int

    def _share(self, cents: int) -> float | None:
        return cents / self.ceiling_cent if self.ceiling_cent else None

    @property
    def claimed_share(self) -> float | None:
        return self._share(self.claimed_cent)

    @property
    def claimed_and_committed_share(self) -> float | None:
        return self._share(self.claimed_cent + self.committed_cent)

    @property
    def forecast_share(self) -> float | None:
        return self._share(self.forecast_cent)
