"""Stuuropdracht rules (SYSTEM.md section 13; seed 000 ch. 8): a KPI against its norm, the benchmark
of comparable providers (median and quartiles), and the planning of contract talks by category:
A often (every six weeks), B once in each tertial, C only on signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PEERS = 3  # fewer comparable providers: no benchmark (it would show a competitor's value)
A_TALK_DAYS = 42


def norm_status(value: float | None, low: float | None, high: float | None) -> str | None:
    """'binnen' or 'buiten' the norm; None when there is no value or no norm."""
    if value is None or (low is None and high is None):
        return None
    if low is not None and value < low:
        return "buiten"
    if high is not None and value > high:
        return "buiten"
    return "binnen"


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (the 'inclusive' method)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Benchmark:
    peers: int
    q1: float
    median: float
    q3: float


def benchmark(values: Sequence[float | None]) -> Benchmark | None:
    """Median and quartiles of the comparable providers' values (None values left out); None when
    fewer than MIN_PEERS providers have a value."""
    ordered = sorted(v for v in values if v is not None)
    if len(ordered) < MIN_PEERS:
        return None
    return Benchmark(
        len(ordered), _quantile(ordered, 0.25), _quantile(ordered, 0.5), _quantile(ordered, 0.75)
    )


def position(value: float | None, b: Benchmark | None) -> str | None:
    if value is None or b is None:
        return None
    if value < b.q1:
        return "onder het eerste kwartiel"
    if value > b.q3:
        return "boven het derde kwartiel"
    return "tussen de kwartielen"


def tertial_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 4 + 1


def tertial_end(year: int, t: int) -> dt.date:
    return dt.date(year, 12, 31) if t == 3 else dt.date(year, 4 * t + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class TalkPlan:
    due: dt.date | None  # the day the next talk is due; None: no talk planned
    reden: str
    overdue: bool


def next_talk(
    categorie: str, talks: Sequence[dt.date], today: dt.date, newest_signal: dt.date | None = None
) -> TalkPlan:
    """When the next contract talk is due. A: six weeks after the last (today without one);
    B: by the end of the current tertial unless one was held in it; C: only when a signal is
    newer than the last talk."""
    last = max(talks, default=None)
    if categorie == "A":
        due = last + dt.timedelta(days=A_TALK_DAYS) if last else today
        return TalkPlan(due, "categorie A: elke zes weken", due < today)
    if categorie == "B":
        year, t = tertial_of(today)
        if last and tertial_of(last) == (year, t):
            ny, nt = (year + 1, 1) if t == 3 else (year, t + 1)
            return TalkPlan(tertial_end(ny, nt), f"categorie B: elk tertiaal (volgende: {ny}-T{nt})", False)
        return TalkPlan(tertial_end(year, t), f"categorie B: elk tertiaal ({year}-T{t})", False)
    if newest_signal and (last is None or last < newest_signal):
        return TalkPlan(today, "categorie C: gesprek op signaal", False)
    return TalkPlan(None, "categorie C: geen gesprek zonder signaal", False)
