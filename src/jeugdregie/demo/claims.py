"""When and how the demo's care months are claimed: declaration periods, late lines, corrections,
rejected lines and their re-claims.

Each provider sends one JW323 per municipality and declaration period (DeclaratiePeriode, a
calendar month). The declarations of a provider to a municipality go out in the order of their
periods (TR318): the declaration of period D is sent ``SEND_LAGS`` months after D, but never before
the declaration of the period before it (a provider that is behind catches up in one go).

A claim line (one month of one allocation) normally sits in the declaration of its own month. Late
lines (``P_LATE``) are declared ``LATE_LAGS`` months later, in that later period's declaration, with
their own ProductPeriode (TR319 allows a ProductPeriode in an earlier declaration period).

Corrections (``P_CORRECTION`` of the effort lines): the line is first claimed with a wrong volume,
then credited one to three declaration periods later (a credit line naming the debit's
ReferentieNummer in VorigReferentieNummer) together with a corrected debit (a new ReferentieNummer).

Rejections (``P_REJECT`` of the lines; the municipality's JW325 answers every JW323, listing the
rejected lines with their WJ001 return code):

- ``0611`` (TR418) the line carries last year's tariff (before the yearly indexation); re-claimed
  at the right tariff;
- ``9321`` (TR321) the volume exceeds what the allocation allows in the period; re-claimed with
  the volume delivered;
- ``9389`` (TR389) the provider sends a line again that was already claimed and not credited (a
  duplicate); the duplicate is rejected and nothing is re-claimed.

A re-claim sits in the first declaration sent after the answer. Only rules the ingest itself does
not refuse are used for rejections: a line the ingest refuses (e.g. 9307/9308 outside the
allocation, 9346 amount, 8021 duplicate ReferentieNummer) would end in the quarantine instead of in
a claim answer. Accepted claims (submitted minus rejected, credits netted) are exactly the
simulation's lines, so the calibration holds on them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from jeugdregie.ijw.messages import Omvang

from .calendar import h01, month_start
from .catalog import PXQ
from .providers import Provider
from .sim_model import Alloc, Episode, Line

#: Months between a declaration period and the month its JW323 is sent: (months, share).
SEND_LAGS: Final = ((1, 0.72), (2, 0.18), (3, 0.07), (4, 0.03))
#: Share of lines declared in a later declaration period than their own month (late lines).
P_LATE: Final = 0.08
#: How many declaration periods late a late line is: (months, share).
LATE_LAGS: Final = ((1, 0.60), (2, 0.20), (3, 0.10), (4, 0.05), (5, 0.03), (6, 0.02))
#: Share of effort (P x Q) lines corrected later by a credit and a new debit.
P_CORRECTION: Final = 0.025
#: Share of lines rejected in the municipality's claim answer (JW325).
P_REJECT: Final = 0.02
#: Rejection kinds by share: wrong tariff, volume over the allocation, duplicate line.
REJECT_KINDS: Final = (("0611", 0.40), ("9321", 0.30), ("9389", 0.30))
#: The tariff a line with return code 0611 carries: last year's, before the indexation.
INDEXATION: Final = 1.0474
#: Days between a JW323 and its answer (JW325): ANSWER_MIN + up to ANSWER_SPREAD.
ANSWER_MIN, ANSWER_SPREAD = 3, 12


class ClaimRow:
    """One claim line as it goes into a JW323. ``line_id`` names the line so that a later credit
    (``vorig_id``) can refer to its ReferentieNummer; ``reject`` is the return code of the JW325
    that rejects it (None: accepted)."""

    __slots__ = ("dc", "line", "ep", "volume", "tarief", "line_id", "vorig_id", "reject", "late")

    def __init__(
        self,
        dc: str,
        line: Line,
        ep: Episode,
        volume: int,
        tarief: int,
        *,
        line_id: tuple[int, int] | None = None,
        vorig_id: tuple[int, int] | None = None,
        reject: str | None = None,
    ) -> None:
        self.dc = dc
        self.line = line
        self.ep = ep
        self.volume = volume
        self.tarief = tarief
        self.line_id = line_id
        self.vorig_id = vorig_id
        self.reject = reject
        self.late = False  # set by the planner: declared in a later period than its month


def _pick(u: float, table: tuple[tuple, ...]) -> object:
    for value, share in table:
        u -= share
        if u < 0:
            return value
    return table[-1][0]


def max_volume(omvang: Omvang, line: Line) -> int:
    """The most the allocation allows in the line's period (TR321): per week times the weeks the
    period touches, per month, or the whole volume for a total over the validity."""
    if omvang.frequentie == "2":
        return omvang.volume * math.ceil((line.end - line.begin + 1) / 7)
    return omvang.volume


class ClaimPlanner:
    """Places every claim line of one copy in its declaration (provider, municipality, period)."""

    def __init__(self, providers: Iterable[Provider], gemeente_index: dict[str, int]) -> None:
        self.providers = {p.agb: p for p in providers}
        self.gemeente_index = gemeente_index
        self._send: dict[tuple[str, str], list[int]] = {}
        self._first_mi = 0
        self.batches: dict[tuple[str, str, int], list[ClaimRow]] = defaultdict(list)

    # ------------------------------------------------------------ sending dates

    def send_date(self, agb: str, gemeente: str, period: int) -> int:
        """Ordinal day the declaration of ``period`` is sent: SEND_LAGS months after the period,
        never before the declaration of the period before it (TR318: in order of periods)."""
        dates = self._send.get((agb, gemeente))
        if dates is None:
            dates = self._send[(agb, gemeente)] = []
        if not self._first_mi:
            raise RuntimeError("ClaimPlanner.plan first")
        p = self.providers[agb]
        gi = self.gemeente_index[gemeente]
        while len(dates) <= period - self._first_mi:
            d = self._first_mi + len(dates)
            send = _pick(h01(p.lag_seed, d, gi), SEND_LAGS)
            assert isinstance(send, int)
            day = min(28, p.claim_day + int(h01(p.lag_seed, d, 900 + send) * 4))
            date = month_start(d + send) + day - 1
            dates.append(max(date, dates[-1]) if dates else date)
        return dates[period - self._first_mi]

    def answer_date(self, agb: str, gemeente: str, period: int) -> int:
        p = self.providers[agb]
        return (
            self.send_date(agb, gemeente, period)
            + ANSWER_MIN
            + int(h01(p.lag_seed, period, 950 + self.gemeente_index[gemeente]) * ANSWER_SPREAD)
        )

    def _first_after(self, agb: str, gemeente: str, period: int, day: int) -> int:
        """The first declaration period after ``period`` that is sent after ``day``."""
        nxt = period + 1
        while self.send_date(agb, gemeente, nxt) <= day:
            nxt += 1
        return nxt

    # ------------------------------------------------------------ lines

    def plan(
        self,
        allocs: list[tuple[Alloc, Episode, str]],
        lines_by_alloc: dict[int, list[Line]],
        omvang: dict[int, Omvang],
        first_mi: int,
    ) -> None:
        """``allocs``: (allocation, episode, municipality) in a fixed order."""
        self._first_mi = first_mi
        for a, ep, gem in allocs:
            if a.deleted:
                continue
            agb = a.provider.agb
            for ln in lines_by_alloc.get(id(a), []):
                mi = ln.mi
                u_late = h01(a.seed, mi, 11)
                u_corr = h01(a.seed, mi, 12)
                u_rej = h01(a.seed, mi, 13)
                period = mi
                if u_late < P_LATE:
                    k = _pick(u_late / P_LATE, LATE_LAGS)
                    assert isinstance(k, int)
                    period = mi + k
                line_id = (id(a), mi)
                if a.wijze == PXQ and u_corr < P_CORRECTION:
                    v = u_corr / P_CORRECTION
                    delta = -1 if (v < 0.3 and ln.volume >= 2) else (2 if v > 0.85 else 1)
                    later = period + 1 + int(v * 3)
                    first = ClaimRow("D", ln, ep, ln.volume + delta, ln.tarief, line_id=line_id)
                    self._add(agb, gem, period, first, first=True)
                    self._add(
                        agb, gem, later, ClaimRow("C", ln, ep, ln.volume + delta, ln.tarief, vorig_id=line_id)
                    )
                    self._add(agb, gem, later, ClaimRow("D", ln, ep, ln.volume, ln.tarief))
                    continue
                if u_rej < P_REJECT:
                    code = _pick(u_rej / P_REJECT, REJECT_KINDS)
                    assert isinstance(code, str)
                    if code == "9321" and a.wijze != PXQ:
                        code = "0611"
                    self._rejected(agb, gem, period, ln, ep, code, omvang[id(a)])
                    continue
                self._add(agb, gem, period, ClaimRow("D", ln, ep, ln.volume, ln.tarief), first=True)

    def _add(self, agb: str, gem: str, period: int, row: ClaimRow, *, first: bool = False) -> None:
        row.late = first and period > row.line.mi
        self.batches[(agb, gem, period)].append(row)

    def _rejected(
        self, agb: str, gem: str, period: int, ln: Line, ep: Episode, code: str, omvang: Omvang
    ) -> None:
        answered = self.answer_date(agb, gem, period)
        again = self._first_after(agb, gem, period, answered + 1)
        if code == "9389":  # a duplicate of an accepted line, sent again later
            self._add(agb, gem, period, ClaimRow("D", ln, ep, ln.volume, ln.tarief), first=True)
            self._add(agb, gem, period + 1, ClaimRow("D", ln, ep, ln.volume, ln.tarief, reject=code))
            return
        if code == "9321":
            wrong = max(ln.volume, max_volume(omvang, ln)) + 1 + int(h01(ln.alloc.seed, ln.mi, 14) * 3)
            self._add(agb, gem, period, ClaimRow("D", ln, ep, wrong, ln.tarief, reject=code), first=True)
        else:
            old_tarief = max(1, round(ln.tarief / INDEXATION))
            self._add(agb, gem, period, ClaimRow("D", ln, ep, ln.volume, old_tarief, reject=code), first=True)
        self._add(agb, gem, again, ClaimRow("D", ln, ep, ln.volume, ln.tarief))
