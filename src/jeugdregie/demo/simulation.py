"""The simulation behind the demo data: youths, care paths, allocations and delivered volumes for one
copy of the demo region, calibrated by construction to the market table (``targets``).

Model
-----
The unit is an *episode*: one youth's care path in one segment (2 Wonen, 3 Dag, 4 Ambulant) or its
transport ("V", attached to a day-care episode). An episode is a handful of parameters (start, end,
product, provider, intensity, seed); its allocations (a chain of allocations with extensions, 04
prolongations, 05 shortenings, the 2026 transition to the new book, add-ons such as meerwerk and
maatwerk) and its monthly claim lines are *derived* from them deterministically, so that changing a
parameter (the end date, the product level) re-derives the whole episode consistently.

Years are built in order, 2021 (run-in, with a stock of care that started before) to the last year.
Per year and per cell (municipality x segment; transport after day care):

1. clients: the youths with claim lines in the year from earlier episodes (carry-over) are counted;
   too many: some carry-over episodes end on 31 December of the year before; too few: exactly the
   missing number of new episodes starts in the year (about half of them for former clients whose
   care ended more than six months before). Client numbers therefore equal the targets.
2. spend, structure: moves on the year's new episodes (product level, intensity; for housing also
   start and end dates) bring the year's spend at base intensity near the target.
3. relapses: some episodes that ended get a new episode 1-6 months later; step 2 runs again.
4. provider classes: volume factors per cell and provider class (raking) make the NGA and micro
   shares of segment 3+4 spend meet their targets while every cell keeps its total.
5. spend, volume: the effort (P x Q) volumes of the year are scaled and then adjusted unit by unit
   until the spend is within one unit's tariff of the target; the volumes are then frozen, so later
   years never change an earlier year's claims.
6. provider sizes: micro and NGA providers over the limit hand new episodes to others of their class.

Everything is drawn from ``random.Random`` streams seeded with strings and from a splitmix64 hash of
episode seeds: same seed, same result, on every platform.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, TypeVar

from . import region, targets
from .calendar import (
    add_months,
    days_in_month,
    h01,
    mi_of,
    mix64,
    month_end,
    month_start,
    ordinal,
    year_end,
    year_start,
)
from .catalog import ETMAAL, OUTPUT1, PRODUCTS, PXQ, TRAJECT, tarief
from .providers import MICRO, NGA, REGULAR, Provider, ProviderPicker

FIRST_YEAR: Final = 2021  # first year with claims; the stock of care running on 1 January starts before
NEW_START: Final = ordinal(region.NIEUW_BOEK.geldig_van.year, 1, 1)
SEGMENTS: Final = ("2", "3", "4")
GROEP_OF_SEGMENT: Final = {"2": "W", "3": "D", "4": "A", "V": "V"}
TRANSPORT_LEGACY, TRANSPORT_NEW = "42L01", "42N01"

# ---------------------------------------------------------------- behaviour parameters

P_EXT04: Final = 0.20  # share of prolongations done as a 04 change of the running allocation
P_SHORTEN: Final = 0.90  # an early stop shortens the allocation (05) in this share of cases
P_GAP: Final = 0.20  # share of extensions that start some days after the previous allocation
P_DELETED: Final = 0.03  # first allocations deleted (13) and re-allocated to another provider
P_RELAPSE: Final = 0.055  # new care 1-6 months after a care path ended
#: Share of new care paths that go to a former client whose care ended more than six months before
#: (repeated use; seed 000: about 8,900 clients in 3.7 years at some 6,400 a year in segments 3+4).
P_REENTRY: Final = {"2": 0.25, "3": 0.50, "4": 0.55}
STOCK_FRACTION: Final = {"2": 0.62, "3": 0.45, "4": 0.40}

# Early stops: JW307 reason when a care path ends before its allocation's end.
EARLY_REASONS: Final = (("31", 0.80), ("34", 0.06), ("32", 0.06), ("33", 0.05), ("35", 0.03))

# Provider class shares of new episodes per product group and year: (nga, micro).
CLASS_P: Final[dict[str, dict[int, tuple[float, float]]]] = {
    "A": {
        2021: (0.024, 0.068),
        2022: (0.035, 0.066),
        2023: (0.034, 0.084),
        2024: (0.045, 0.108),
        2025: (0.049, 0.112),
        2026: (0.053, 0.114),
    },
    "D": {
        2021: (0.024, 0.055),
        2022: (0.035, 0.053),
        2023: (0.034, 0.066),
        2024: (0.045, 0.080),
        2025: (0.049, 0.083),
        2026: (0.053, 0.085),
    },
    "W": {
        2021: (0.01, 0.06),
        2022: (0.01, 0.06),
        2023: (0.01, 0.06),
        2024: (0.03, 0.07),
        2025: (0.03, 0.07),
        2026: (0.03, 0.07),
    },
}

# Segment 4 (ambulant), legacy book: trajectories per line and level, meerwerk / maatwerk.
TRAJECT_LINES: Final = (
    ("54", ("54L01", "54L02", "54L03"), (0.20, 0.45, 0.35), 0.30),
    ("45", ("45L01", "45L02", "45L03"), (0.20, 0.45, 0.35), 0.22),
    ("45", ("45L04", "45L05"), (0.50, 0.50), 0.13),
    ("45", ("45L06", "45L07", "45L08"), (0.30, 0.40, 0.30), 0.35),
)
LADDER: Final = {
    "54": ("54L01", "54L02", "54L03"),
    "45": ("45L01", "45L04", "45L02", "45L05", "45L03", "45L06", "45L07", "45L08"),
}
MEERWERK, MAATWERK, DYSLEXIE, ANALYSE = "45L09", "45L10", "45L11", region.ANALYSE
P_DYSLEXIE: Final = 0.06
P_MAATWERK: Final = {2020: 0.19, 2021: 0.20, 2022: 0.21, 2023: 0.23, 2024: 0.25, 2025: 0.26, 2026: 0.27}
P_MEERWERK_ADDON: Final = {2020: 0.34, 2021: 0.35, 2022: 0.36, 2023: 0.38, 2024: 0.40, 2025: 0.41}
P_MAATWERK_ADDON: Final = {2020: 0.22, 2021: 0.23, 2022: 0.25, 2023: 0.28, 2024: 0.31, 2025: 0.33}
P_MAATWERK_ADDON_GGZ: Final = {2020: 0.30, 2021: 0.31, 2022: 0.33, 2023: 0.36, 2024: 0.39, 2025: 0.41}
P_ANALYSE_2026: Final = 0.20

# Segment 3 (day care): product, share, dagdelen per week (respijtzorg: per month), ages.
DAG: Final = (
    ("41L01", 0.17, (5.0, 9.0), (2, 5)),
    ("41L02", 0.10, (4.0, 8.0), (6, 17)),
    ("41L03", 0.09, (5.0, 9.0), (6, 17)),
    ("41L04", 0.05, (6.0, 9.5), (6, 17)),
    ("41L05", 0.06, (5.0, 9.0), (6, 17)),
    ("41L06", 0.05, (5.0, 9.0), (6, 17)),
    ("41L07", 0.04, (6.0, 9.5), (6, 17)),
    ("41L08", 0.17, (1.5, 4.0), (6, 17)),
    ("41L09", 0.10, (2.0, 4.5), (6, 17)),
    ("41L10", 0.12, (3.0, 8.0), (4, 17)),
    ("41L11", 0.05, (7.0, 9.5), (2, 17)),
)
#: Yearly rise of the intensity of new care (seed 000: cost per client rises faster than the indexation).
INTENSITY_TREND: Final = 0.05
DAG_FAMILIES: Final = (("41L02", "41L03", "41L04"), ("41L05", "41L06", "41L07"), ("41L08", "41L09"))

# Segment 2 (housing): product, share, duration triangle (months), ages.
WONEN: Final = (
    ("44L01", 0.45, (3, 60, 10), (0, 17)),
    ("44L03", 0.27, (2, 12, 6), (3, 17)),
    ("43L01", 0.08, (4, 36, 12), (0, 17)),
    ("43L02", 0.10, (2, 24, 6), (10, 17)),
    ("44L02", 0.10, (3, 15, 8), (15, 17)),
)
WONEN_LADDER: Final = ("44L01", "44L02", "43L01", "43L02")
#: Residential placements (gezinshuis, woonleefgroep): not at micro or NGA providers, whose yearly
#: spend must stay under EUR 250k (one placement costs EUR 75-110k a year).
RESIDENTIAL: Final = frozenset({"43L01", "43L02"})
LONG_VALIDITY: Final = frozenset({"44L01", "43L01", "44N01", "43N01"})

REFERRERS: Final = {
    "2": (("01", 0.55), ("04", 0.30), ("08", 0.10), ("02", 0.05)),
    "3": (("01", 0.60), ("02", 0.10), ("03", 0.15), ("05", 0.15)),
    "4": (("01", 0.40), ("02", 0.40), ("03", 0.05), ("04", 0.05), ("05", 0.08), ("08", 0.02)),
    "dyslexie": (("01", 0.70), ("02", 0.30)),
}
WAIT_NORM: Final = {"W": 42, "D": 28, "A": 35, "dyslexie": 56}

#: Micro providers stay below EUR 250k a year; the generator keeps them under this, with a margin.
MICRO_LIMIT: Final = 235_000_00

# Structural calibration: the band of the volume factor that is accepted without structural moves.
F_BAND: Final = {"3": (0.82, 1.22), "4": (0.86, 1.18), "V": (0.25, 4.0)}


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


# ---------------------------------------------------------------- the simulation of one copy


class CopySimulation:
    """Simulates one copy of the region from the 2021 run-in to the end of ``last_year``."""

    def __init__(self, seed: int, copy: int, providers: list[Provider], last_year: int) -> None:
        if last_year < FIRST_YEAR:
            raise ValueError(f"de simulatie begint in {FIRST_YEAR}")
        self.seed = seed
        self.copy = copy
        self.providers = providers
        self.picker = ProviderPicker(providers)
        self.last_year = last_year
        self.horizon_end = year_end(last_year)
        self.horizon_mi = last_year * 12 + 11
        self.cells: list[Cell] = [
            Cell(g.cbs_code, s) for s in (*SEGMENTS, targets.VERVOER_SEGMENT) for g in region.GEMEENTEN
        ]
        self.cell_by_key = {(c.segment, c.gemeente): c for c in self.cells}
        self.youths: list[Youth] = []
        self.eid = 0
        self.log: list[str] = []
        self.moves = 0
        self.relocations: dict[int, list[int]] = {}  # year -> moving days of the youths who moved

    # ------------------------------------------------------------ rng helpers

    def _rng(self, *parts: object) -> random.Random:
        return random.Random("/".join(str(p) for p in (self.seed, self.copy, *parts)))

    def _youth(
        self, rng: random.Random, gemeente: str, start: int, ages: tuple[int, int], min_days: int
    ) -> Youth:
        serial = len(self.youths)
        if serial >= 100_000:
            raise RuntimeError("meer dan 100.000 jeugdigen in een kopie van de regio")
        age_days = int((ages[0] + rng.random() * (ages[1] - ages[0] + 1)) * 365.25)
        age_days = min(max(age_days, min_days), int(17.95 * 365.25))
        youth = Youth(
            serial=serial,
            bsn=unique_bsn(self.copy * 100_000 + serial),
            geboortedatum=start - age_days - 1,
            geslacht="1" if rng.random() < 0.56 else "2",
            gemeente=gemeente,
        )
        self.youths.append(youth)
        return youth

    # ------------------------------------------------------------ plans

    def touch(self, ep: Episode) -> None:
        ep.plan_cache = None
        ep.parts_cache.clear()
        for t in ep.transports:
            self.touch(t)

    def plan(self, ep: Episode) -> list[Alloc]:
        if ep.plan_cache is None:
            ep.plan_cache = self._transport_plan(ep) if ep.host is not None else self._build_plan(ep)
        return ep.plan_cache

    def _new_code(self, ep: Episode, code: str) -> str:
        p = PRODUCTS[code]
        if not p.legacy:
            return code
        if code == "45L08" and ep.start >= NEW_START:
            return region.AMB_WO
        assert p.nieuw is not None
        return p.nieuw

    @staticmethod
    def _validity(code: str, u: float) -> int:
        p = PRODUCTS[code]
        if p.wijze in (TRAJECT, OUTPUT1):
            return 12
        if p.wijze == ETMAAL:
            return 12 if code in LONG_VALIDITY else 6
        if p.groep == "A":
            if p.frequentie == "6":
                return 3
            return (3 if u < 0.7 else 6) if p.legacy else 6
        if p.groep == "D":
            return 6 if u < 0.65 else 12
        return 6

    def _chain(
        self,
        ep: Episode,
        out: list[Alloc],
        idx0: int,
        code0: str,
        start: int,
        first_ingang: int,
        end: int,
        intensity: float,
        seed: int,
    ) -> None:
        k = 0
        ingang = first_ingang
        care_start = start
        traject0 = PRODUCTS[code0].wijze == TRAJECT
        while ingang <= self.horizon_end:
            code = code0 if ingang < NEW_START else self._new_code(ep, code0)
            p = PRODUCTS[code]
            a = Alloc(ep, idx0 + k, code, ep.provider)
            a.seed = mix64(seed + 1_000_003 * (k + 1))
            validity = self._validity(code, h01(seed, k, 3))
            first_einde = add_months(ingang, validity) - 1
            if first_einde < care_start + 27:  # long wait: the validity runs from the care start
                first_einde = add_months(care_start, validity) - 1
            planned = first_einde
            if p.wijze in (PXQ, ETMAAL) and end > planned and h01(seed, k, 4) < P_EXT04:
                prolonged = add_months(planned + 1, validity) - 1
                if not (p.legacy and prolonged >= NEW_START):
                    planned = prolonged
                    a.ext04 = True
            transition = p.legacy and planned >= NEW_START and end >= NEW_START
            stop_at = NEW_START - 1 if transition else planned
            a.ingang = ingang
            a.first_einde = first_einde
            a.planned = planned
            a.set_care(care_start, min(end, stop_at))
            if k == 0:
                a.toew = ingang - ep.lead
            else:
                a.toew = ingang - 7 - int(h01(seed, k, 9) * 21)
            if p.wijze == PXQ:
                if traject0:
                    std = PRODUCTS[code0].standaard_volume or 12
                    a.intensity = std / 52 * ep.conv
                else:
                    a.intensity = intensity * (0.92 + 0.16 * h01(seed, k, 7))
            out.append(a)
            if not transition and end <= planned:
                a.final = True
                if ep.moved_to and end == ep.moved_to - 1:  # the youth moved: the allocation ends
                    a.reason = "35"
                    a.shortened = a.moved = True
                elif a.care_end < planned:
                    a.reason = ep.stop_reason
                    if h01(seed, k, 8) < P_SHORTEN:
                        a.shortened = True
                a.einde = a.care_end if a.shortened else planned
                if p.legacy and a.einde >= NEW_START:  # the legacy book ends: cut, nothing follows
                    a.einde = NEW_START - 1
                    a.transition = True
                a.completed = a.wijze == OUTPUT1
                return
            if transition:
                a.transition = True
                a.einde = NEW_START - 1
                a.reason = "36"
                nxt = NEW_START
            else:
                a.einde = planned
                gap = 0 if h01(seed, k, 5) >= P_GAP else 1 + int(h01(seed, k, 6) * 20)
                nxt = planned + 1 + gap
            if nxt > end:
                a.final = True
                a.completed = a.wijze == OUTPUT1 and not a.transition
                return
            ingang = nxt
            # an allocation cut at the transition before its care started hands the start on
            care_start = max(nxt, a.care_start) if a.care_start > a.care_end else nxt
            k += 1

    def _build_plan(self, ep: Episode) -> list[Alloc]:
        out: list[Alloc] = []
        self._chain(ep, out, 0, ep.code, ep.start, ep.start - ep.wait, ep.end, ep.intensity, ep.seed)
        for j, addon in enumerate(ep.addons):
            s = ep.start + addon.offset
            e = min(s + addon.duration - 1, ep.end)
            if s > e or s > self.horizon_end:
                continue
            seed = mix64(ep.seed + 7919 * (j + 1))
            lead = 3 + int(h01(seed, 1) * 14)
            if ep.moved_from is not None and addon.offset == 0:
                lead = 0  # continued after a move: the new municipality's allocation starts that day
            self._chain(ep, out, 100 + 10 * j, addon.code, s, s - lead, e, addon.intensity, seed)
        if ep.deleted_provider is not None and out:
            first = out[0]
            d = Alloc(ep, 99, first.code, ep.deleted_provider)
            d.deleted = True
            d.ingang = first.ingang
            d.first_einde = d.planned = d.einde = first.first_einde
            d.toew = first.toew - 20 - int(h01(ep.seed, 91) * 15)
            d.changed = d.toew + 5 + int(h01(ep.seed, 92) * 10)
            d.set_care(first.ingang, first.ingang)
            d.seed = mix64(ep.seed + 99)
            d.intensity = first.intensity
            out.append(d)
        return out

    def _transport_plan(self, ep: Episode) -> list[Alloc]:
        host = ep.host
        assert host is not None
        t_start = ep.start
        t_end = ep.effective_end()
        out: list[Alloc] = []
        for ha in self.plan(host):
            if ha.deleted or ha.idx >= 100:
                continue
            cs = max(ha.care_start, t_start)
            ce = min(ha.care_end, t_end)
            if cs > ce:
                continue
            code = TRANSPORT_LEGACY if PRODUCTS[ha.code].legacy else TRANSPORT_NEW
            a = Alloc(ep, ha.idx, code, ep.provider)
            a.seed = mix64(ep.seed + 1_000_003 * (ha.idx + 1))
            if cs == ha.care_start:
                a.ingang = ha.ingang
                a.toew = ha.toew
            else:
                a.ingang = cs
                a.toew = cs - 3 - int(h01(a.seed, 1) * 10)
            a.first_einde = ha.first_einde
            a.planned = ha.planned
            a.ext04 = ha.ext04
            a.transition = ha.transition
            a.set_care(cs, ce)
            a.intensity = ep.intensity * (0.92 + 0.16 * h01(a.seed, 2))
            if ce == t_end and t_end < ha.care_end:
                a.final = True
                a.reason = "31"
                a.shortened = h01(a.seed, 3) < P_SHORTEN
                a.einde = ce if a.shortened else ha.einde
                a.transition = a.transition and not a.shortened
            else:
                a.final = ha.final
                a.reason = ha.reason
                a.shortened = ha.shortened
                a.moved = ha.moved
                a.einde = ha.einde
            out.append(a)
            if a.final:
                break
        return out

    # ------------------------------------------------------------ lines

    @staticmethod
    def _pxq_base(a: Alloc, mi: int, days: int) -> float:
        if a.freq == "2":
            base = a.intensity * days / 7
        elif a.freq == "4":
            base = a.intensity * days / days_in_month(mi)
        else:  # total within the validity
            base = a.intensity * days / (a.care_end - a.care_start + 1)
        return base * (0.85 + 0.3 * h01(a.seed, mi))

    def _alloc_months(self, a: Alloc, lo: int, hi: int) -> Iterator[tuple[int, int, int]]:
        for mi in range(max(a.m0, lo), min(a.m1, hi, self.horizon_mi) + 1):
            pb = max(month_start(mi), a.care_start)
            pe = min(month_end(mi), a.care_end)
            if a.wijze == TRAJECT and mi - a.m0 >= 12:
                break
            if a.wijze == OUTPUT1 and (not a.completed or mi != a.m1):
                continue
            yield mi, pb, pe

    def parts(self, ep: Episode, year: int) -> tuple[int, float, bool]:
        """(fixed cents, effort cents at base volume, has a claim line) of an episode in a year."""
        hit = ep.parts_cache.get(year)
        if hit is not None:
            return hit
        fixed = 0
        var = 0.0
        has = False
        if ep.start <= year_end(year) and ep.effective_end() >= year_start(year):
            lo, hi = year * 12, year * 12 + 11
            frozen = ep.frozen
            for a in self.plan(ep):
                if a.deleted or a.m1 < lo or a.m0 > hi:
                    continue
                t = tarief(a.code, year)
                for mi, pb, pe in self._alloc_months(a, lo, hi):
                    has = True
                    if a.wijze == PXQ:
                        vol = frozen.get((a.idx, mi))
                        if vol is None:
                            var += self._pxq_base(a, mi, pe - pb + 1) * t
                        else:
                            fixed += vol * t
                    elif a.wijze == ETMAAL:
                        fixed += (pe - pb + 1) * t
                    else:
                        fixed += t
        hit = (fixed, var, has)
        ep.parts_cache[year] = hit
        return hit

    def has_line(self, ep: Episode, year: int) -> bool:
        return self.parts(ep, year)[2]

    def year_effort_lines(self, ep: Episode, year: int) -> list[tuple[int, int, float, int]]:
        """Unfrozen effort lines of a year: (alloc idx, month, base volume, tariff)."""
        out = []
        lo, hi = year * 12, year * 12 + 11
        for a in self.plan(ep):
            if a.deleted or a.wijze != PXQ or a.m1 < lo or a.m0 > hi:
                continue
            t = tarief(a.code, year)
            for mi, pb, pe in self._alloc_months(a, lo, hi):
                if (a.idx, mi) not in ep.frozen:
                    out.append((a.idx, mi, self._pxq_base(a, mi, pe - pb + 1), t))
        return out

    def lines(self, ep: Episode) -> Iterator[Line]:
        """All claim lines of an episode up to the horizon (net, after calibration)."""
        for a in self.plan(ep):
            if a.deleted:
                continue
            for mi, pb, pe in self._alloc_months(a, FIRST_YEAR * 12, self.horizon_mi):
                if a.wijze == PXQ:
                    vol = ep.frozen[(a.idx, mi)]
                elif a.wijze == ETMAAL:
                    vol = pe - pb + 1
                else:
                    vol = 1
                yield Line(a, mi, pb, pe, vol, tarief(a.code, mi // 12))

    # ------------------------------------------------------------ episode creation

    def _class(self, rng: random.Random, groep: str, year: int) -> str:
        table = CLASS_P[groep]
        p_nga, p_micro = table.get(year, table[max(table)] if year > max(table) else table[min(table)])
        u = rng.random()
        if u < p_nga:
            return NGA
        if u < p_nga + p_micro:
            return MICRO
        return REGULAR

    def _new_episode(
        self,
        cell: Cell,
        year: int,
        rng: random.Random,
        *,
        stock: bool = False,
        youth: Youth | None = None,
        start: int | None = None,
        provider: Provider | None = None,
        kind: str | None = None,
    ) -> Episode | None:
        """A new episode in ``cell`` whose first claim line falls in ``year`` (``stock``: running on
        1 January of the first year). ``None`` only for a rejected stock draw."""
        seg = cell.segment
        groep = GROEP_OF_SEGMENT[seg]
        pick_year = max(year, FIRST_YEAR)
        klasse = provider.klasse if provider is not None else self._class(rng, groep, pick_year)
        assigned = provider is not None
        if provider is None:  # a placeholder of the right class; assigned below once the cost is known
            provider = self.picker.members(groep, klasse, pick_year)[0]
        self.eid += 1
        ep = Episode(
            eid=self.eid,
            youth=youth,  # type: ignore[arg-type]  # set below
            cell=cell,
            kind="",
            code="",
            provider=provider,
            start=0,
            end=0,
            wait=0,
            lead=int(rng.random() * 11),
            req_lead=3 + int(rng.random() * 19),
            seed=rng.getrandbits(64),
            created_year=year,
        )
        age = None
        if youth is not None:
            age = ((start if start is not None else year_start(year) + 182) - youth.geboortedatum) / 365.25
        if seg == "4":
            duration, ages, norm = self._init_ambulant(ep, rng, year, stock, kind, age)
        elif seg == "3":
            duration, ages, norm = self._init_dag(ep, rng, year, age)
        else:
            duration, ages, norm = self._init_wonen(ep, rng, kind, age)
        if stock and kind is None and rng.random() >= duration / (36 * 30.44):
            return None  # length-biased stock: a path running on 1 January is more likely a long one
        ep.wait = min(int(rng.gammavariate(2.0, norm / 2.5)), 3 * norm)
        u = rng.random()
        acc = 0.0
        for reason, share in EARLY_REASONS:
            acc += share
            if u < acc:
                ep.stop_reason = reason
                break
        ep.referrer = _pick(rng, REFERRERS["dyslexie" if ep.kind == "dyslexie" else seg])
        if start is None:
            if stock:
                elapsed = 1 + int(rng.random() * (duration - 2))
                start = year_start(FIRST_YEAR) - elapsed
            elif ep.kind == "dyslexie":
                completion = year_start(year) + int(rng.random() * (year_end(year) - year_start(year) + 1))
                start = completion - duration
            else:
                start = year_start(year) + int(rng.random() * (year_end(year) - year_start(year) + 1))
        ep.start = start
        ep.end = start + duration
        if ep.kind == "dyslexie":
            ep.end = start + duration
        if youth is None:
            youth = self._youth(rng, cell.gemeente, start, ages, ep.wait + 45)
        ep.youth = youth
        ep.max_end = self._max_end(ep)
        ep.end = min(ep.end, ep.max_end)
        if not stock and ep.kind != "dyslexie" and rng.random() < P_DELETED:
            other = self.picker.pick(rng, groep, klasse, pick_year, cell.gemeente)
            if other is not provider:
                ep.deleted_provider = other
        if seg == "4" and ep.start >= NEW_START and ep.kind == "traject" and rng.random() < P_ANALYSE_2026:
            ep.addons.append(Addon(ANALYSE, 0, 30 + int(rng.random() * 40), 4 + rng.random() * 6))
        if not assigned:
            fixed, var, _ = self.parts(ep, pick_year)
            ep.provider = self.picker.assign(rng, groep, klasse, pick_year, cell.gemeente, fixed + var)
            self.touch(ep)
        ep.code0 = ep.code
        cell.episodes.append(ep)
        cell.active.append(ep)
        return ep

    @staticmethod
    def _max_end(ep: Episode) -> int:
        years = 21 if ep.code in LONG_VALIDITY else 18
        return add_months(ep.youth.geboortedatum, 12 * years) - 1

    def _new_required(
        self,
        cell: Cell,
        year: int,
        rng: random.Random,
        *,
        youth: Youth | None = None,
        start: int | None = None,
    ) -> Episode:
        ep = self._new_episode(cell, year, rng, youth=youth, start=start)
        assert ep is not None
        return ep

    def _init_ambulant(
        self, ep: Episode, rng: random.Random, year: int, stock: bool, kind: str | None, age: float | None
    ) -> tuple[int, tuple[int, int], int]:
        y = max(min(year, 2026), 2020)
        nga = ep.provider.klasse == NGA
        if kind is None:
            u = rng.random()
            dyslexia_age = age is None or 7 <= age < 12
            if not stock and u < P_DYSLEXIE and not nga and dyslexia_age:
                kind = "dyslexie"
            elif u < P_DYSLEXIE + P_MAATWERK[y] or (nga and rng.random() < 0.5):
                kind = "maatwerk"
            else:
                kind = "traject"
        ep.kind = kind
        if kind == "dyslexie":
            ep.code = DYSLEXIE
            return int((8 + rng.random() * 3) * 30.44), (7, 11), WAIT_NORM["dyslexie"]
        if kind == "maatwerk":
            ep.code = MAATWERK
            ep.intensity = (rng.uniform(3.5, 7.5) if nga else rng.uniform(3.0, 6.5)) * _trend(year)
            return _triangular_days(rng, 1, 9, 3), (4, 17), WAIT_NORM["A"]
        categorie, codes, levels, _ = _weighted_row(rng, TRAJECT_LINES, 3)
        if nga:
            ep.code = codes[-1]
        else:
            ep.code = codes[_level(rng, levels)]
        ep.conv = rng.uniform(0.9, 1.4)
        u = rng.random()
        if u < 0.32:
            months = rng.uniform(1, 3)
        elif u < 0.72:
            months = rng.uniform(3, 6.5)
        elif u < 0.91:
            months = rng.uniform(6.5, 12) if rng.random() < 0.5 else 12.0
        else:
            months = rng.uniform(12.5, 18)
        duration = max(14, int(months * 30.44))
        # Meerwerk / maatwerk on top of a trajectory: within the same product category they join the
        # care path; on a GGZ trajectory (another category) the add-on runs to the path's end, so
        # that its end is not followed by a new allocation (which the relapse KPI would count).
        if categorie == "45":
            if rng.random() < P_MEERWERK_ADDON.get(y, 0.35):
                ep.addons.append(self._addon(rng, MEERWERK, duration, year, to_end=rng.random() < 0.4))
            if rng.random() < P_MAATWERK_ADDON.get(y, 0.26):
                ep.addons.append(self._addon(rng, MAATWERK, duration, year, to_end=rng.random() < 0.4))
        elif rng.random() < P_MAATWERK_ADDON_GGZ.get(y, 0.31):
            ep.addons.append(self._addon(rng, MAATWERK, duration, year, to_end=True))
        return duration, (4, 17), WAIT_NORM["A"]

    @staticmethod
    def _addon(rng: random.Random, code: str, duration: int, year: int, *, to_end: bool) -> Addon:
        offset = int(rng.random() * min(120, duration // 2))
        length = duration - offset + 1 if to_end else 60 + int(rng.random() * 120)
        return Addon(code, offset, length, rng.uniform(2.0, 4.5) * _trend(year))

    def _init_dag(
        self, ep: Episode, rng: random.Random, year: int, age: float | None
    ) -> tuple[int, tuple[int, int], int]:
        ep.kind = "dag"
        rows = tuple(r for r in DAG if age is None or r[3][0] <= age < r[3][1] + 1) or DAG
        code, _, (lo, hi), ages = _weighted_row(rng, rows, 1)
        ep.code = code
        ep.intensity = min(rng.uniform(lo, hi) * _trend(year), 10.0)
        return _triangular_days(rng, 1, 14, 3), ages, WAIT_NORM["D"]

    def _init_wonen(
        self, ep: Episode, rng: random.Random, kind: str | None, age: float | None
    ) -> tuple[int, tuple[int, int], int]:
        small = ep.provider.klasse != REGULAR
        rows = tuple(
            row
            for row in WONEN
            if (not small or row[0] not in RESIDENTIAL) and (age is None or row[3][0] <= age < row[3][1] + 1)
        ) or tuple(row for row in WONEN if row[0] == "44L01")
        chosen = _weighted_row(rng, rows, 1)
        if kind is not None:
            chosen = next(row for row in WONEN if row[0] == kind)
        code, _, (lo, hi, mode), ages = chosen
        ep.code = code
        ep.kind = "logeren" if code == "44L03" else "wonen"
        if ep.kind == "logeren":
            ep.intensity = rng.uniform(2.0, 6.0)
        return _triangular_days(rng, lo, hi, mode), ages, WAIT_NORM["W"]

    # ------------------------------------------------------------ the yearly build

    def run(self, progress: Callable[[str], None] | None = None) -> None:
        from .moves import apply_moves  # moves builds on this module

        for year in range(FIRST_YEAR, self.last_year + 1):
            if year > FIRST_YEAR:
                apply_moves(self, year)
            self.picker.start_year(self._loads(year))
            for cell in self.cells:
                if cell.segment != targets.VERVOER_SEGMENT:
                    self._count_step(cell, year)
                    self._structure_step(cell, year)
                    self._relapse_step(cell, year)
                    self._structure_step(cell, year)  # absorbs the relapses' spend
            for cell in self.cells:
                if cell.segment == targets.VERVOER_SEGMENT:
                    self._transport_count_step(cell, year)
            class_factors = self._class_factors(year)
            for cell in self.cells:
                self._volume_step(cell, year, class_factors if cell.segment in ("3", "4") else None)
            self._rebalance(year)
            ye = year_end(year)
            for cell in self.cells:
                keep = []
                for ep in cell.active:
                    if ep.effective_end() > ye:
                        keep.append(ep)
                    elif ep.host is None and not ep.moved_to:  # a youth who moved away does not return here
                        last = cell.former.get(ep.youth.serial, (0, ep.youth))[0]
                        ends = [a.einde for a in self.plan(ep) if not a.deleted]
                        cell.former[ep.youth.serial] = (max([last, ep.end, *ends]), ep.youth)
                cell.active = keep
            if progress:
                progress(f"kopie {self.copy + 1}: {year} gesimuleerd")

    def _loads(self, year: int) -> dict[tuple[str, str], float]:
        load: dict[tuple[str, str], float] = {}
        for cell in self.cells:
            if cell.segment == targets.VERVOER_SEGMENT:
                continue
            groep = GROEP_OF_SEGMENT[cell.segment]
            for ep in cell.active:
                fixed, var, has = self.parts(ep, year)
                if has:
                    key = (ep.provider.agb, groep)
                    load[key] = load.get(key, 0.0) + fixed + var
        return load

    def _class_factors(self, year: int) -> dict[str, float]:
        """Volume factors per provider class for segments 3 and 4, such that the NGA and micro shares
        of the year's spend meet their targets while every cell keeps its own total (raking)."""
        cells = [c for c in self.cells if c.segment in ("3", "4")]
        classes = (NGA, MICRO, REGULAR)
        fixed = {c.gemeente + c.segment: dict.fromkeys(classes, 0.0) for c in cells}
        var = {c.gemeente + c.segment: dict.fromkeys(classes, 0.0) for c in cells}
        goal = {}
        for c in cells:
            key = c.gemeente + c.segment
            goal[key] = targets.target(c.segment, c.gemeente, year)[1]
            for ep in c.active:
                f, v, has = self.parts(ep, year)
                if has:
                    fixed[key][ep.provider.klasse] += f
                    var[key][ep.provider.klasse] += v
        total = sum(goal.values())
        nga = targets.share(targets.NGA_SHARE, year)
        micro = targets.share(targets.MICRO_SHARE, year)
        want = {NGA: nga * total, MICRO: (micro - nga) * total}
        want[REGULAR] = total - want[NGA] - want[MICRO]
        a = dict.fromkeys(goal, 1.0)
        b = dict.fromkeys(classes, 1.0)
        for _ in range(60):
            for key in goal:
                denom = sum(b[k] * var[key][k] for k in classes)
                if denom > 0:
                    a[key] = (goal[key] - sum(fixed[key].values())) / denom
            for k in classes:
                denom = sum(a[key] * var[key][k] for key in goal)
                if denom > 0:
                    b[k] = min(max((want[k] - sum(fixed[key][k] for key in goal)) / denom, 0.4), 2.5)
        self.log.append(f"{year} klassefactoren " + " ".join(f"{k} {v:.3f}" for k, v in b.items()))
        return b

    def _rebalance(self, year: int) -> None:
        """Keep micro and NGA providers under the micro limit: a provider over ``MICRO_LIMIT`` hands
        some of the year's new care paths to a provider of the same class with room. Volumes, cells
        and class totals do not change, only who delivers."""
        spend: dict[str, float] = {}
        movable: dict[str, list[tuple[float, int, Episode, str]]] = {}
        for cell in self.cells:
            groep = GROEP_OF_SEGMENT[cell.segment]
            for ep in cell.active:
                fixed, var, has = self.parts(ep, year)
                if not has:
                    continue
                cost = fixed + var
                agb = ep.provider.agb
                spend[agb] = spend.get(agb, 0.0) + cost
                if ep.created_year == year and ep.host is None and not ep.protected and not ep.transports:
                    movable.setdefault(agb, []).append((cost, ep.eid, ep, groep))
        for p in self.providers:
            if p.klasse == REGULAR or spend.get(p.agb, 0.0) <= MICRO_LIMIT:
                continue
            for cost, _, ep, groep in sorted(movable.get(p.agb, []), key=lambda r: (-r[0], r[1])):
                if spend[p.agb] <= MICRO_LIMIT:
                    break
                room = [
                    q
                    for q in self.picker.members(groep, p.klasse, year)
                    if q is not p and spend.get(q.agb, 0.0) + cost <= MICRO_LIMIT - 10_000_00
                ]
                if not room:
                    continue
                q = min(room, key=lambda q: (spend.get(q.agb, 0.0), q.agb))
                ep.provider = q
                self.touch(ep)
                spend[p.agb] -= cost
                spend[q.agb] = spend.get(q.agb, 0.0) + cost
            if spend[p.agb] > MICRO_LIMIT:
                self.log.append(f"{year} aanbieder {p.agb} ({p.klasse}) boven de microgrens")

    def _members(self, cell: Cell, year: int) -> dict[int, list[Episode]]:
        members: dict[int, list[Episode]] = {}
        for ep in cell.active:
            if self.has_line(ep, year):
                members.setdefault(ep.youth.serial, []).append(ep)
        return members

    def _truncate(self, cell: Cell, members: dict[int, list[Episode]], excess: int, year: int) -> int:
        """End `excess` carry-over paths on 31 December of the year before; returns how many."""
        candidates = [
            (min(ep.effective_end() for ep in eps), serial)
            for serial, eps in members.items()
            if all(ep.created_year < year and not ep.protected for ep in eps)
        ]
        candidates.sort()
        done = 0
        for _, serial in candidates:
            if done >= excess:
                break
            for ep in members[serial]:
                if ep.start >= year_start(year):
                    cell.active.remove(ep)
                    cell.episodes.remove(ep)
                    if ep.host is not None:
                        ep.host.transports.remove(ep)
                else:
                    ep.end = year_start(year) - 1
                    self.touch(ep)
            del members[serial]
            done += 1
        return done

    def _count_step(self, cell: Cell, year: int) -> None:
        clients, _ = targets.target(cell.segment, cell.gemeente, year)
        rng = self._rng("count", cell.segment, cell.gemeente, year)
        members = self._members(cell, year)
        if year == FIRST_YEAR:
            stock = round(clients * STOCK_FRACTION[cell.segment])
            coverage = self._coverage_providers(cell)
            attempts = 0
            while len(members) < stock and attempts < 20 * stock + 50:
                attempts += 1
                provider = coverage.pop(0) if coverage else None
                kind = "44L01" if provider is not None else None
                ep = self._new_episode(cell, year, rng, stock=True, provider=provider, kind=kind)
                if ep is None:
                    continue
                if provider is not None:
                    ep.protected = True
                    ep.start = year_start(FIRST_YEAR) - 60 - int(rng.random() * 300)
                    ep.end = year_end(2023) + int(rng.random() * 900)
                    self.touch(ep)
                if self.has_line(ep, year) and ep.youth.serial not in members:
                    members[ep.youth.serial] = [ep]
                else:
                    cell.episodes.remove(ep)
                    cell.active.remove(ep)
        excess = len(members) - clients
        if excess > 0:
            self._truncate(cell, members, excess, year)
        missing = clients - len(members)
        returning = self._returning(cell, year, rng)
        for _ in range(max(0, missing)):
            youth = returning.pop() if returning and rng.random() < P_REENTRY[cell.segment] else None
            if youth is not None:
                del cell.former[youth.serial]
            ep = self._new_required(cell, year, rng, youth=youth)
            while not self.has_line(ep, year):  # e.g. a path ending in a gap; draw again
                cell.episodes.remove(ep)
                cell.active.remove(ep)
                ep = self._new_required(cell, year, rng, youth=youth)

    def _returning(self, cell: Cell, year: int, rng: random.Random) -> list[Youth]:
        """Former clients of the cell who may come back this year: their last care ended more than
        six months before the year (so a return is no relapse) and they are young enough."""
        active = {ep.youth.serial for ep in cell.active}
        # the new allocation starts up to 3 x 42 days (the longest wait) before the care: keep clear
        # of the relapse window of 183 days after the last allocation ended
        latest_end = year_start(year) - 184 - 3 * max(WAIT_NORM.values())
        oldest_birth = year_start(year) - int(16.5 * 365.25)
        pool = [
            youth
            for serial, (end, youth) in sorted(cell.former.items())
            if end <= latest_end and serial not in active and youth.geboortedatum > oldest_birth
        ]
        rng.shuffle(pool)
        return pool

    def _coverage_providers(self, cell: Cell) -> list[Provider]:
        """Segment 2 of the largest municipality gets one long placement at every early W provider,
        so that the segment's 2022-2023 spend is spread over exactly those providers."""
        largest = max(region.GEMEENTEN, key=lambda g: g.jeugdigen).cbs_code
        if cell.segment != "2" or cell.gemeente != largest:
            return []
        return self.picker.w_early()

    # ------------------------------------------------------------ spend: structural moves

    def _structure_step(self, cell: Cell, year: int) -> None:
        _, target = targets.target(cell.segment, cell.gemeente, year)
        eps = [ep for ep in cell.active if self.has_line(ep, year)]
        fixed = 0
        var = 0.0
        for ep in eps:
            f, v, _ = self.parts(ep, year)
            fixed += f
            var += v
        new = [
            ep
            for ep in eps
            if ep.created_year == year and ep.start >= year_start(year) and ep.moved_from is None
        ]
        initial = (fixed + var) / target if target else 1.0
        rng = self._rng("moves", cell.segment, cell.gemeente, year)
        seg = cell.segment
        failures = 0
        iterations = 0
        while iterations < 50_000:
            iterations += 1
            if seg == "2":
                if abs(target - fixed - var) <= max(0.25 * var, 0.002 * target):
                    break
            else:
                lo, hi = F_BAND[seg]
                if fixed + lo * var <= target <= fixed + hi * var:
                    break
            want = target - fixed - var
            pool = new if seg != "2" or not eps else (new if rng.random() < 0.5 and new else eps)
            if not pool:
                break
            ep = pool[int(rng.random() * len(pool))]
            before = self.parts(ep, year)
            undo = self._move(ep, year, want, rng)
            if undo is None:
                failures += 1
                if failures > 400:
                    break
                continue
            after = self.parts(ep, year)
            delta = (after[0] + after[1]) - (before[0] + before[1])
            if after[2] and abs(want - delta) < abs(want):
                fixed += after[0] - before[0]
                var += after[1] - before[1]
                failures = 0
                self.moves += 1
            else:
                undo()
                self.touch(ep)
                failures += 1
                if failures > 400:
                    break
        self.log.append(
            f"{year} {seg} {cell.gemeente} structure: target {target / 100:.0f} fixed {fixed / 100:.0f} "
            f"var {var / 100:.0f} iterations {iterations} initial {initial:.3f}"
        )

    def _move(self, ep: Episode, year: int, want: float, rng: random.Random) -> Callable[[], None] | None:
        up = want > 0
        seg = ep.cell.segment
        if seg == "4":
            if ep.kind == "traject" and ep.created_year == year:
                if ep.addons and rng.random() < 0.6:
                    return self._scale_addons(ep, 1.2 if up else 1 / 1.2, 1.0, 8.0)
                ladder = LADDER[PRODUCTS[ep.code].categorie]
                i = ladder.index(ep.code)
                j = i + (1 if up else -1)
                if not 0 <= j < len(ladder) or abs(j - ladder.index(ep.code0)) > 1:
                    return None
                old = ep.code
                ep.code = ladder[j]
                self.touch(ep)
                return lambda: setattr(ep, "code", old)
            if ep.kind == "maatwerk" and ep.created_year == year:
                return self._scale_intensity(ep, 1.2 if up else 1 / 1.2, 1.0, 9.0)
            return None
        if seg == "3":
            if ep.created_year != year:
                return None
            for family in DAG_FAMILIES:
                if ep.code in family and rng.random() < 0.5:
                    i = family.index(ep.code)
                    j = i + (1 if up else -1)
                    if 0 <= j < len(family):
                        old = ep.code
                        ep.code = family[j]
                        self.touch(ep)
                        return lambda: setattr(ep, "code", old)
            return self._scale_intensity(ep, 1.15 if up else 1 / 1.15, 0.8, 10.0)
        # segment 2: dates and products
        if ep.kind == "logeren":
            return self._scale_intensity(ep, 1.2 if up else 1 / 1.2, 1.0, 10.0)
        t = tarief(ep.code if year < 2026 else self._new_code(ep, ep.code), year)
        days = max(1, min(60, int(abs(want) / t)))
        u = rng.random()
        ys, ye = year_start(year), year_end(year)
        if ep.created_year == year and u < 0.25:
            if ep.code not in WONEN_LADDER:
                return None
            i = WONEN_LADDER.index(ep.code)
            j = i + (1 if up else -1)
            if not 0 <= j < len(WONEN_LADDER):
                return None
            if ep.provider.klasse != REGULAR and WONEN_LADDER[j] in RESIDENTIAL:
                return None
            old = ep.code
            ep.code = WONEN_LADDER[j]
            self.touch(ep)
            return lambda: setattr(ep, "code", old)
        if ep.created_year == year and u < 0.6:
            if ep.locked:
                return None
            old_start = ep.start
            new_start = ep.start - days if up else ep.start + days
            if not max(ys, ep.youth.geboortedatum + ep.wait + 30) <= new_start <= min(ye, ep.end - 14):
                return None
            ep.start = new_start
            self.touch(ep)
            return lambda: setattr(ep, "start", old_start)
        if ep.locked:
            return None
        old_end = ep.end
        if up:
            if ep.end >= ye or ep.end + days > ep.max_end:
                return None
            new_end = ep.end + days
        else:
            new_end = min(ep.end, ye) - days
            if new_end < max(ys, ep.start + 14):
                return None
        if ep.protected and new_end < year_end(2023):
            return None
        ep.end = new_end
        self.touch(ep)
        return lambda: setattr(ep, "end", old_end)

    def _scale_addons(self, ep: Episode, factor: float, lo: float, hi: float) -> Callable[[], None] | None:
        old = [a.intensity for a in ep.addons]
        new = [x * factor for x in old]
        if not all(lo <= x <= hi for x in new):
            return None
        for addon, x in zip(ep.addons, new, strict=True):
            addon.intensity = x
        self.touch(ep)

        def undo() -> None:
            for addon, x in zip(ep.addons, old, strict=True):
                addon.intensity = x

        return undo

    def _scale_intensity(self, ep: Episode, factor: float, lo: float, hi: float) -> Callable[[], None] | None:
        new = ep.intensity * factor
        if not lo <= new <= hi:
            return None
        old = ep.intensity
        ep.intensity = new
        self.touch(ep)
        return lambda: setattr(ep, "intensity", old)

    # ------------------------------------------------------------ relapses

    def _relapse_step(self, cell: Cell, year: int) -> None:
        ys, ye = year_start(year), year_end(year)
        rng = self._rng("relapse", cell.segment, cell.gemeente, year)
        for ep in list(cell.active):
            if ep.relapse_done or not ys <= ep.end <= ye:
                continue
            ep.relapse_done = True
            if h01(ep.seed, 77) >= P_RELAPSE:
                continue
            gap = 35 + int(h01(ep.seed, 78) * 140)
            new = self._new_required(cell, year, rng, youth=ep.youth, start=ep.end + gap)
            new.start += new.wait
            new.end = min(new.end + new.wait, new.max_end)
            new.relapse_of = ep
            new.created_year = year if new.start <= ye else year + 1
            self.touch(new)
            start_year = year if new.start <= ye else year + 1
            ok = new.start <= self.horizon_end and new.end > new.start + 14
            if ok and start_year == year:
                ok = self.has_line(ep, year) and self.has_line(new, year)
            if ok and start_year == year + 1:
                ok = (
                    year + 1 <= self.last_year
                    and self.has_line(new, year + 1)
                    and not self.has_line(new, year)
                )
            if not ok:
                cell.episodes.remove(new)
                cell.active.remove(new)
            else:
                ep.locked = new.locked = True

    # ------------------------------------------------------------ transport

    def _transport_count_step(self, cell: Cell, year: int) -> None:
        clients, _ = targets.target(cell.segment, cell.gemeente, year)
        rng = self._rng("transport", cell.gemeente, year)
        members = self._members(cell, year)
        excess = len(members) - clients
        if excess > 0:
            self._truncate(cell, members, excess, year)
        missing = clients - len(members)
        if missing <= 0:
            return
        host_cell = self.cell_by_key[("3", cell.gemeente)]
        ys, ye = year_start(year), year_end(year)
        hosts = [
            ep
            for ep in host_cell.active
            if self.has_line(ep, year) and not any(t.effective_end() >= ys for t in ep.transports)
        ]
        new_hosts = [ep for ep in hosts if ep.created_year == year]
        old_hosts = [ep for ep in hosts if ep.created_year != year]
        rng.shuffle(new_hosts)
        rng.shuffle(old_hosts)
        taken = set(members)
        for host in new_hosts + old_hosts:
            if missing <= 0:
                break
            if host.youth.serial in taken:
                continue
            if host.created_year == year or host.start >= ys:
                t_start = host.start
            else:
                t_start = ys + int(rng.random() * (min(host.effective_end(), ye) - ys + 1))
            provider = host.provider
            if "V" not in provider.groepen:
                provider = self.picker.pick(rng, "V", REGULAR, year, cell.gemeente)
            self.eid += 1
            ep = Episode(
                eid=self.eid,
                youth=host.youth,
                cell=cell,
                kind="vervoer",
                code=TRANSPORT_LEGACY,
                provider=provider,
                start=t_start,
                end=self.horizon_end + 10_000,
                wait=0,
                lead=0,
                req_lead=0,
                seed=rng.getrandbits(64),
                intensity=rng.uniform(1.3, 4.0),
                created_year=year,
                host=host,
            )
            host.transports.append(ep)
            if not self.has_line(ep, year):
                host.transports.remove(ep)
                continue
            cell.episodes.append(ep)
            cell.active.append(ep)
            taken.add(host.youth.serial)
            missing -= 1
        if missing > 0:
            self.log.append(
                f"{year} V {cell.gemeente}: {missing} vervoerscliënten te weinig (te weinig hosts)"
            )

    # ------------------------------------------------------------ spend: volumes

    def _volume_step(self, cell: Cell, year: int, class_factors: dict[str, float] | None) -> None:
        _, target = targets.target(cell.segment, cell.gemeente, year)
        fixed = 0
        rows: list[tuple[Episode, int, int, float, int]] = []
        for ep in cell.active:
            f, _, has = self.parts(ep, year)
            if not has:
                continue
            fixed += f
            b = class_factors[ep.provider.klasse] if class_factors else 1.0
            for idx, mi, base, t in self.year_effort_lines(ep, year):
                rows.append((ep, idx, mi, base * b, t))
        var = sum(r[3] * r[4] for r in rows)
        factor = (target - fixed) / var if var > 0 else 1.0
        factor = min(max(factor, 0.2), 5.0)
        cell.factors[year] = factor
        vols = [max(1, int(r[3] * factor + 0.5)) for r in rows]
        total = fixed + sum(v * r[4] for v, r in zip(vols, rows, strict=True))
        rest = target - total
        order = sorted(range(len(rows)), key=lambda i: -rows[i][4])
        changed = True
        while changed and rows:
            changed = False
            for i in order:
                t = rows[i][4]
                if rest >= t:
                    vols[i] += 1
                    rest -= t
                    changed = True
                elif rest <= -t and vols[i] > 1:
                    vols[i] -= 1
                    rest += t
                    changed = True
        for (ep, idx, mi, _, _), vol in zip(rows, vols, strict=True):
            ep.frozen[(idx, mi)] = vol
            ep.parts_cache.pop(year, None)
        if abs(rest) > 0.01 * target:
            self.log.append(f"{year} {cell.segment} {cell.gemeente}: rest {rest / 100:.0f} EUR na volumes")


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
