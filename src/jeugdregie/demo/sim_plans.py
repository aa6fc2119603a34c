"""How an episode's allocations and monthly claim lines are derived from its parameters (a mixin of
``simulation.CopySimulation``)."""

from __future__ import annotations

from collections.abc import Iterator

from . import region
from .calendar import (
    add_months,
    days_in_month,
    h01,
    mix64,
    month_end,
    month_start,
    year_end,
    year_start,
)
from .catalog import ETMAAL, OUTPUT1, PRODUCTS, PXQ, TRAJECT, tarief
from .sim_model import (
    Alloc,
    Episode,
    Line,
)
from .sim_params import (
    FIRST_YEAR,
    LONG_VALIDITY,
    NEW_START,
    P_EXT04,
    P_GAP,
    P_SHORTEN,
    TRANSPORT_LEGACY,
    TRANSPORT_NEW,
)


class PlanMixin:
    """Derives allocations (plans) and claim lines of episodes; state lives on ``CopySimulation``."""

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
