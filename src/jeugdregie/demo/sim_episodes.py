"""How new episodes are drawn: provider class, product, intensity, duration, add-ons (a mixin of
``simulation.CopySimulation``)."""

from __future__ import annotations

import random

from .calendar import (
    add_months,
    year_end,
    year_start,
)
from .providers import MICRO, NGA, REGULAR, Provider
from .sim_model import (
    Addon,
    Cell,
    Episode,
    Youth,
    _level,
    _pick,
    _trend,
    _triangular_days,
    _weighted_row,
)
from .sim_params import (
    ANALYSE,
    CLASS_P,
    DAG,
    DYSLEXIE,
    EARLY_REASONS,
    FIRST_YEAR,
    GROEP_OF_SEGMENT,
    LONG_VALIDITY,
    MAATWERK,
    MEERWERK,
    NEW_START,
    P_ANALYSE_2026,
    P_DELETED,
    P_DYSLEXIE,
    P_MAATWERK,
    P_MAATWERK_ADDON,
    P_MAATWERK_ADDON_GGZ,
    P_MEERWERK_ADDON,
    REFERRERS,
    RESIDENTIAL,
    TRAJECT_LINES,
    WAIT_NORM,
    WONEN,
)


class EpisodeMixin:
    """Draws new episodes per segment; state lives on ``CopySimulation``."""

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
