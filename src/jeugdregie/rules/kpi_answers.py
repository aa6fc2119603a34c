"""The KPIs that claim answers (JW325) and change requests (JW317 / JW319) make possible, for
the registry in ``jeugdregie.rules.kpi``:

- rejected share: the net amount of the claim lines a municipality rejected (JW325) divided by
  the net amount claimed (accepted + rejected lines), attributed to the ProductPeriode like spend;
  also per return code (the line's first rejecting code, so the shares add up to the whole);
- change requests granted: of the requests (JW317) decided in the period, the share granted. A
  request is granted by a JW301 carrying its ReferentieAanbieder and refused by a JW319 with
  VerzoekAntwoord 1 (the first of the two by message date decides); "in onderzoek" decides nothing;
- days to a decision: median days from the request (its Dagtekening) to that decision, over the
  requests decided in the period.

Plain Python, no Django: the monitoring app hands in the facts.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Uitkomst = Literal["toegekend", "afgewezen", "in onderzoek", "open"]


@dataclass(frozen=True)
class ChangeRequestFact:
    """One request to change allocations (JW317), with its outcome. The cut attributes are those
    of the first product it names: the allocation to change, else the new product asked for."""

    id: int
    client: str  # pseudonym
    gemeente: str
    aanbieder: str
    categorie: str  # provider category A / B / C
    is_nga: bool
    segment: str
    groep: str
    product: str  # mapped to the current book
    aangevraagd_op: dt.date  # Dagtekening of the JW317
    uitkomst: Uitkomst
    beslist_op: dt.date | None = None  # Dagtekening of the granting JW301 or the refusing JW319
    verlenging: bool = False  # asks for a later end of an allocation
    verwijzer: str = "01"  # referrer type of the allocation it concerns; 01 gemeente when none


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------- rejected claims


def claims_submitted(facts: Any, period: Any) -> list:
    """Accepted and rejected claim lines whose ProductPeriode begins in the period."""
    return [c for c in (*facts.claims, *facts.rejected_claims) if period.contains(c.periode_begin)]


def rejected_share(records: Sequence[Any], facts: Any, period: Any) -> float | None:
    return _share(sum(c.bedrag_cent for c in records if c.afgewezen), sum(c.bedrag_cent for c in records))


def rejected_share_by_code(records: Sequence[Any], facts: Any, period: Any) -> dict[str, float] | None:
    total = sum(c.bedrag_cent for c in records)
    if not total:
        return None
    by_code: dict[str, int] = defaultdict(int)
    for c in records:
        if c.afgewezen:
            by_code[c.retourcode] += c.bedrag_cent
    return {code: amount / total for code, amount in sorted(by_code.items())}


# ---------------------------------------------------------------- change requests


def requests_decided(facts: Any, period: Any) -> list[ChangeRequestFact]:
    return [r for r in facts.change_requests if r.beslist_op is not None and period.contains(r.beslist_op)]


def granted_share(records: Sequence[ChangeRequestFact], facts: Any, period: Any) -> float | None:
    return _share(sum(1 for r in records if r.uitkomst == "toegekend"), len(records))


def decision_days(r: ChangeRequestFact) -> int:
    assert r.beslist_op is not None
    return (r.beslist_op - r.aangevraagd_op).days


def median_decision_days(records: Sequence[ChangeRequestFact], facts: Any, period: Any) -> float | None:
    return statistics.median(decision_days(r) for r in records) if records else None
