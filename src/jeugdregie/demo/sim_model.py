"""The objects of the demo simulation: youths, allocations, episodes, cells, claim lines; the drawing helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TypeVar

from .calendar import (
    mi_of,
    mix64,
)
from .catalog import PRODUCTS
from .providers import Provider
from .sim_params import (
    INTENSITY_TREND,
)


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rng.random() * sum(w for _, w in table)
    for value, weight in table:
        x -= weight
        if x < 0:
            return value
    return table[-1][0]


def _triangular_days(rng: random.Random, lo: float, hi: float, mode: float) -> int:
    return max(14, int(rng.triangular(lo, hi, mode) * 30.44))


# ---------------------------------------------------------------- identities


def unique_bsn(n: int) -> str:
    """A valid BSN (11-proef) that is unique for every n in [0, 9,000,000).

    ``jeugdregie.ijw.bsn.generate_bsn`` draws random numbers, which collide at national scale; here
    the first seven digits are a bijection of n, the eighth is a hash digit nudged so that the check
    digit exists, so two youths never share a number."""
    if not 0 <= n < 9_000_000:
        raise ValueError("BSN-volgnummer buiten bereik")
    block = (n * 7_919_993 + 1_234_567) % 9_000_000 + 1_000_000
    digits = [int(c) for c in str(block)]
    eighth = mix64(n) % 10
    for attempt in range(2):
        d8 = (eighth + attempt) % 10
        total = sum(d * w for d, w in zip(digits + [d8], (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = total % 11
        if check != 10:
            return f"{block}{d8}{check}"
    raise AssertionError("unreachable: two consecutive eighth digits cannot both give check digit 10")


class Youth:
    __slots__ = ("serial", "bsn", "geboortedatum", "geslacht", "gemeente")

    def __init__(self, serial: int, bsn: str, geboortedatum: int, geslacht: str, gemeente: str) -> None:
        self.serial = serial
        self.bsn = bsn
        self.geboortedatum = geboortedatum
        self.geslacht = geslacht
        self.gemeente = gemeente


# ---------------------------------------------------------------- allocations and episodes


class Alloc:
    """One allocation (JW301) as derived from an episode, with its life events."""

    __slots__ = (
        "ep", "idx", "code", "wijze", "freq", "provider", "ingang", "first_einde", "planned", "einde",
        "care_start", "care_end", "m0", "m1", "final", "ext04", "transition", "shortened", "completed",
        "intensity", "seed", "reason", "deleted", "toew", "changed", "moved",
    )  # fmt: skip

    def __init__(self, ep: Episode, idx: int, code: str, provider: Provider) -> None:
        self.ep = ep
        self.idx = idx
        self.code = code
        p = PRODUCTS[code]
        self.wijze = p.wijze
        self.freq = p.frequentie
        self.provider = provider
        self.ingang = 0
        self.first_einde = 0  # Einddatum of the first JW301
        self.planned = 0  # Einddatum after a 04 prolongation (else first_einde)
        self.einde = 0  # final Einddatum (after 05 shortening / 10 transition)
        self.care_start = 0
        self.care_end = 0
        self.m0 = 0
        self.m1 = 0
        self.final = False  # the care path ends with this allocation
        self.ext04 = False
        self.transition = False
        self.shortened = False
        self.completed = False
        self.intensity = 0.0
        self.seed = 0
        self.reason = "31"
        self.deleted = False
        self.toew = 0  # Toewijzingsdatum
        self.changed = 0  # date of the 13 (deletion) message
        self.moved = False  # ended because the youth moved to another municipality (JW301 07)

    @property
    def has_care(self) -> bool:
        """False for an allocation cut at the 2026 transition before its care started."""
        return self.care_start <= self.care_end

    def set_care(self, start: int, end: int) -> None:
        self.care_start = start
        self.care_end = end
        self.m0 = mi_of(start)
        self.m1 = mi_of(end)


@dataclass(slots=True, eq=False)
class Addon:
    code: str
    offset: int  # days after the episode start
    duration: int  # days
    intensity: float


@dataclass(slots=True, eq=False)
class Episode:
    eid: int
    youth: Youth
    cell: Cell
    kind: str  # traject / maatwerk / dyslexie / dag / wonen / logeren / vervoer
    code: str  # legacy product code (mapped to the new book for allocations from 2026)
    provider: Provider
    start: int  # care start (JW305 of the first allocation)
    end: int  # care end of the path
    wait: int  # days from the first allocation's Ingangsdatum to the care start
    lead: int  # days from Toewijzingsdatum to Ingangsdatum (first allocation)
    req_lead: int  # days from the request (JW315) to the Toewijzingsdatum
    seed: int
    intensity: float = 0.0
    conv: float = 1.0  # trajectory hours -> hours per week in the new book
    addons: list[Addon] = field(default_factory=list)
    stop_reason: str = "31"
    referrer: str = "01"
    protected: bool = False
    created_year: int = 0
    host: Episode | None = None
    transports: list[Episode] = field(default_factory=list)
    frozen: dict[tuple[int, int], int] = field(default_factory=dict)
    deleted_provider: Provider | None = None
    relapse_done: bool = False
    relapse_of: Episode | None = None
    locked: bool = False  # dates fixed: a relapse was derived from the end of this path (or vice versa)
    max_end: int = 1 << 30  # care ends at 18 (housing: 21, verlengde jeugdhulp)
    code0: str = ""  # product as first drawn (structural moves stay within one step of it)
    plan_cache: list[Alloc] | None = None
    moved_to: int = 0  # the youth moved on this day: the path ends the day before (``moves``)
    moved_from: Episode | None = None  # the path in the old municipality this one continues
    parts_cache: dict[int, tuple[int, float, bool]] = field(default_factory=dict)

    def effective_end(self) -> int:
        if self.host is not None:
            return min(self.end, self.host.effective_end())
        return self.end


@dataclass(slots=True, eq=False)
class Cell:
    gemeente: str
    segment: str
    episodes: list[Episode] = field(default_factory=list)
    active: list[Episode] = field(default_factory=list)
    factors: dict[int, float] = field(default_factory=dict)
    former: dict[int, tuple[int, Youth]] = field(default_factory=dict)  # serial -> (last end, youth)


@dataclass(slots=True)
class Line:
    """One month of one allocation as claimed in the end (net)."""

    alloc: Alloc
    mi: int
    begin: int
    end: int
    volume: int
    tarief: int

    @property
    def bedrag(self) -> int:
        return self.volume * self.tarief


Row = TypeVar("Row", bound=tuple)


def _weighted_row(rng: random.Random, rows: tuple[Row, ...], weight_at: int) -> Row:
    """A row drawn with probability proportional to its element ``weight_at``."""
    x = rng.random() * sum(r[weight_at] for r in rows)
    for row in rows:
        x -= row[weight_at]
        if x < 0:
            return row
    return rows[-1]


def _trend(year: int) -> float:
    return 1.0 + INTENSITY_TREND * (min(max(year, 2020), 2027) - 2022)


def _level(rng: random.Random, levels: tuple[float, ...]) -> int:
    x = rng.random()
    for i, p in enumerate(levels):
        x -= p
        if x < 0:
            return i
    return len(levels) - 1
