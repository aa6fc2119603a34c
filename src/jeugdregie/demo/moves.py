"""Youths moving to another municipality of the region: the allocation moves with them.

At the start of every simulated year after the first, ``P_MOVE`` of the youths in care on 1 January
are drawn to move on a day of that year (uniform); the move happens when every path of theirs still
running that day is day care or ambulant care (segments 3 and 4, with their transport) that began
at least ``MARGIN`` days before and runs at least ``MARGIN`` days after (about 50-60 moves a year).
They move to another municipality of the region (chosen by its number of youths). Every care path
running on that day is split in two:

- the old municipality's path ends the day before: its running allocation is shortened with a JW301
  change with RedenWijziging 07 (verhuizing naar een andere gemeente) and stopped (JW307 reason 35,
  external circumstances: no dropout);
- the new municipality continues it from the moving day with its own allocation (its own
  ToewijzingNummer, no request: the municipality allocates after the move), the same provider,
  product, intensity and add-ons; claims for care from that day go to the new municipality.

Housing (segment 2: the woonplaatsbeginsel keeps the placing municipality responsible), dyslexia
(claimed once on completion) and paths that start, end or relapse close to the moving day are left
alone. Both halves are protected from the calibration's structural moves and truncation, so every
cell's client count still equals its target: the youth is a client of both municipalities in the
year of the move, as in the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import region
from .calendar import mix64, year_end, year_start
from .sim_model import Addon, Episode
from .sim_params import TRANSPORT_LEGACY

if TYPE_CHECKING:
    from .simulation import CopySimulation

P_MOVE: Final = 0.12
MOVE_SEGMENTS: Final = frozenset({"3", "4"})
STOP_REASON_MOVE: Final = "35"  # JZ588: voortijdig afgesloten wegens externe omstandigheden
#: Days a split path must keep before and after the moving day.
MARGIN: Final = 30


def apply_moves(sim: CopySimulation, year: int) -> int:
    """Move youths in ``year`` (before the year's calibration steps); returns how many moved."""
    ys, ye = year_start(year), year_end(year)
    rng = sim._rng("verhuizing", year)
    by_youth: dict[int, list[Episode]] = {}
    for cell in sim.cells:
        for ep in cell.active:
            if ep.host is None:
                by_youth.setdefault(ep.youth.serial, []).append(ep)
    weights = [(g.cbs_code, g.jeugdigen) for g in region.GEMEENTEN]
    moved: list[int] = []
    for serial in sorted(by_youth):
        u, when, pick = rng.random(), rng.random(), rng.random()
        if u >= P_MOVE:
            continue
        # any day of the year; the paths running then must have begun and go on for a while
        day = ys + MARGIN // 2 + int(when * (ye - ys - MARGIN - MARGIN // 2))
        split = [ep for ep in by_youth[serial] if ep.effective_end() >= day]
        if not split or not all(
            _movable(ep, year) and ep.start + MARGIN <= day <= ep.end - MARGIN for ep in split
        ):
            continue
        old = split[0].cell.gemeente
        if any(ep.cell.gemeente != old for ep in split):
            continue
        others = [(code, w) for code, w in weights if code != old]
        x = pick * sum(w for _, w in others)
        new = others[-1][0]
        for code, w in others:
            x -= w
            if x < 0:
                new = code
                break
        for ep in split:
            _split(sim, ep, new, day, year)
        split[0].youth.gemeente = new
        moved.append(day)
    sim.relocations[year] = moved
    return len(moved)


def _movable(ep: Episode, year: int) -> bool:
    return (
        ep.cell.segment in MOVE_SEGMENTS
        and ep.kind != "dyslexie"
        and not ep.protected
        and not ep.locked
        and ep.relapse_of is None
        and ep.created_year < year
    )


def _split(sim: CopySimulation, ep: Episode, gemeente: str, day: int, year: int) -> None:
    """End ``ep`` the day before ``day`` and continue it in ``gemeente`` from ``day``."""
    cell = sim.cell_by_key[(ep.cell.segment, gemeente)]
    sim.eid += 1
    cont = Episode(
        eid=sim.eid,
        youth=ep.youth,
        cell=cell,
        kind=ep.kind,
        code=ep.code,
        provider=ep.provider,
        start=day,
        end=ep.end,
        wait=0,
        lead=int((mix64(ep.seed + 31) % 1000) / 1000 * 11),
        req_lead=0,
        seed=mix64(ep.seed + 4_242_421),
        intensity=ep.intensity,
        conv=ep.conv,
        stop_reason=ep.stop_reason,
        referrer="01",
        protected=True,
        created_year=year,
        max_end=ep.max_end,
        code0=ep.code0,
        moved_from=ep,
    )
    for addon in ep.addons:
        begin = ep.start + addon.offset
        end = begin + addon.duration - 1
        if end >= day:
            start = max(begin, day)
            cont.addons.append(Addon(addon.code, start - day, end - start + 1, addon.intensity))
    ep.end = day - 1
    ep.moved_to = day
    ep.protected = ep.locked = ep.relapse_done = True
    cell.episodes.append(cont)
    cell.active.append(cont)
    for t in ep.transports:
        if t.start < day <= t.effective_end():
            _continue_transport(sim, t, cont, gemeente, day, year)
    sim.touch(ep)


def _continue_transport(
    sim: CopySimulation, t: Episode, host: Episode, gemeente: str, day: int, year: int
) -> None:
    cell = sim.cell_by_key[(t.cell.segment, gemeente)]
    sim.eid += 1
    cont = Episode(
        eid=sim.eid,
        youth=t.youth,
        cell=cell,
        kind="vervoer",
        code=TRANSPORT_LEGACY,
        provider=t.provider,
        start=day,
        end=t.end,
        wait=0,
        lead=0,
        req_lead=0,
        seed=mix64(t.seed + 4_242_421),
        intensity=t.intensity,
        protected=True,
        created_year=year,
        host=host,
        moved_from=t,
    )
    host.transports.append(cont)
    cell.episodes.append(cont)
    cell.active.append(cont)
