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

Modules: ``sim_params`` (behaviour parameters), ``sim_model`` (youths, allocations, episodes, claim
lines), ``sim_plans`` (deriving allocations and claim lines from an episode), ``sim_episodes``
(drawing new episodes); this module holds the yearly build.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from . import region, targets
from .calendar import (
    h01,
    year_end,
    year_start,
)
from .catalog import PRODUCTS, tarief
from .providers import MICRO, NGA, REGULAR, Provider, ProviderPicker
from .sim_episodes import EpisodeMixin
from .sim_model import (
    Cell,
    Episode,
    Youth,
    unique_bsn,
)
from .sim_params import (
    DAG_FAMILIES,
    F_BAND,
    FIRST_YEAR,
    GROEP_OF_SEGMENT,
    LADDER,
    MICRO_LIMIT,
    P_REENTRY,
    P_RELAPSE,
    RESIDENTIAL,
    SEGMENTS,
    STOCK_FRACTION,
    TRANSPORT_LEGACY,
    WAIT_NORM,
    WONEN_LADDER,
)
from .sim_plans import PlanMixin

# ---------------------------------------------------------------- the simulation of one copy


class CopySimulation(PlanMixin, EpisodeMixin):
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
