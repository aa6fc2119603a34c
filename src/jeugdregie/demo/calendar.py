"""Small, fast date helpers for the demo generator: dates are proleptic ordinals (int), months are
month indexes ``year * 12 + month - 1``."""

from __future__ import annotations

import datetime as dt
from typing import Final

_FIRST_YEAR: Final = 1990
_LAST_YEAR: Final = 2100
_MI0: Final = _FIRST_YEAR * 12
_MONTH_START: Final[list[int]] = [
    dt.date(y, m, 1).toordinal() for y in range(_FIRST_YEAR, _LAST_YEAR + 1) for m in range(1, 13)
] + [dt.date(_LAST_YEAR + 1, 1, 1).toordinal()]

M64: Final = (1 << 64) - 1


def ordinal(year: int, month: int = 1, day: int = 1) -> int:
    return dt.date(year, month, day).toordinal()


def to_date(o: int) -> dt.date:
    return dt.date.fromordinal(o)


def mi_of(o: int) -> int:
    d = dt.date.fromordinal(o)
    return d.year * 12 + d.month - 1


def year_of(o: int) -> int:
    return dt.date.fromordinal(o).year


def month_start(mi: int) -> int:
    return _MONTH_START[mi - _MI0]


def month_end(mi: int) -> int:
    return _MONTH_START[mi - _MI0 + 1] - 1


def days_in_month(mi: int) -> int:
    return _MONTH_START[mi - _MI0 + 1] - _MONTH_START[mi - _MI0]


def year_start(year: int) -> int:
    return _MONTH_START[year * 12 - _MI0]


def year_end(year: int) -> int:
    return _MONTH_START[(year + 1) * 12 - _MI0] - 1


def add_months(o: int, n: int) -> int:
    """The same day n months later (clamped to the month's last day)."""
    d = dt.date.fromordinal(o)
    mi = d.year * 12 + d.month - 1 + n
    day = min(d.day, days_in_month(mi))
    return month_start(mi) + day - 1


def mix64(x: int) -> int:
    """splitmix64 finaliser: a fast, well-spread integer hash."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def h01(seed: int, a: int, b: int = 0) -> float:
    """A deterministic uniform number in [0, 1) from a seed and two small integers."""
    return mix64(seed ^ mix64((a << 20) ^ b)) / 18446744073709551616.0
