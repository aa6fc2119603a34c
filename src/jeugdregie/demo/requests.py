"""Change requests in the demo traffic: a provider's JW317 (verzoek om wijziging) before an
extension, and the municipality's answer.

- **Granted**: every follow-up allocation of a care path (an extension: the next allocation of the
  same product in a chain) and every 04 prolongation of an allocation without a request of its own
  is preceded by a JW317 (NieuwProduct resp. TeWijzigenProduct with the later Einddatum). The
  municipality grants it with the JW301 (the new allocation, or the 04 change) carrying the
  request's ReferentieAanbieder; when the answer takes more than ``IN_ONDERZOEK_AFTER`` days it
  first sends a JW319 with VerzoekAntwoord 2 (aanvraag in onderzoek).
- **Refused**: ``P_REFUSED`` of the care paths that end within two months of their allocation's
  planned end asked for an extension that was refused: a JW317, then a JW319 with VerzoekAntwoord 1 and a reason
  (``REFUSAL_REASONS``); nothing follows.

Days from request to answer: ``ANSWER_MIN`` + a skewed draw up to ``ANSWER_SPREAD`` (median about
two weeks, a tail to seven weeks). No request is sent while another request of the same provider
for the same client is still unanswered (TR374): such an extension goes without a request (the
municipality's own reassessment). Re-allocations at the change of product book, transports and
allocations replacing a deleted one get no request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    Header,
    NieuwProduct,
    Omvang,
    TeWijzigenProduct,
    VerzoekOmWijziging,
)

from .calendar import add_months, h01, to_date
from .catalog import PRODUCTS
from .sim_model import Alloc, Episode
from .sim_params import NEW_START

P_REFUSED: Final = 0.25
REFUSAL_REASONS: Final = (("7", 0.45), ("4", 0.25), ("2", 0.15), ("6", 0.15))
ANSWER_MIN, ANSWER_SPREAD = 2, 45
IN_ONDERZOEK_AFTER: Final = 10


class Request:
    """One JW317 and what answers it (``kind``: "new" / "04" granted, "refused")."""

    __slots__ = ("alloc", "ep", "kind", "asked", "answered", "reason", "ref")

    def __init__(self, alloc: Alloc, ep: Episode, kind: str, asked: int, answered: int, reason: str | None):
        self.alloc = alloc
        self.ep = ep
        self.kind = kind
        self.asked = asked
        self.answered = answered
        self.reason = reason
        self.ref = ""  # ReferentieAanbieder, set when the JW317 is built


def _answer_days(u: float) -> int:
    return ANSWER_MIN + int(u * u * ANSWER_SPREAD)


def _pick(u: float, table: tuple[tuple[str, float], ...]) -> str:
    for value, share in table:
        u -= share
        if u < 0:
            return value
    return table[-1][0]


def plan_requests(allocs: list[tuple[Alloc, Episode]], first_day: int) -> list[Request]:
    """The change requests of one copy, in date order, without overlapping requests per provider
    and client (TR374)."""
    candidates: list[Request] = []
    previous: dict[int, Alloc] = {}  # id(episode) * 1000 + chain -> last allocation seen
    for a, ep in allocs:
        if a.deleted or ep.host is not None or a.einde < first_day:
            continue
        chain = (a.idx - 100) // 10 + 1 if a.idx >= 100 else 0
        before = previous.get(id(ep) * 1000 + chain)
        previous[id(ep) * 1000 + chain] = a
        follow_up = 0 < a.idx < 99 or (a.idx >= 100 and (a.idx - 100) % 10 > 0)
        if follow_up and before is not None and not before.transition:  # an extension
            days = _answer_days(h01(a.seed, 801))
            candidates.append(Request(a, ep, "new", a.toew - days, a.toew, None))
        has_jw315 = a.idx == 0 and ep.referrer != "01"  # its JW301 links the JW315: keep that link
        if a.ext04 and not has_jw315:
            changed = max(a.toew + 1, a.first_einde - 10 - int(h01(a.seed, 701) * 20))
            days = _answer_days(h01(a.seed, 802))
            if changed - days > a.toew:
                candidates.append(Request(a, ep, "04", changed - days, changed, None))
        if (
            a.final and not a.transition and not a.moved and a.care_end >= a.planned - 60
        ):  # ends near its planned end
            u = h01(a.seed, 803)
            legacy_end = PRODUCTS[a.code].legacy and a.planned + 1 >= NEW_START
            if u < P_REFUSED and not legacy_end:
                asked = min(a.care_end, a.planned) - 14 - int(h01(a.seed, 804) * 30)
                if asked > a.toew:
                    reason = _pick(h01(a.seed, 805), REFUSAL_REASONS)
                    days = _answer_days(h01(a.seed, 806))
                    candidates.append(Request(a, ep, "refused", asked, asked + days, reason))
    candidates.sort(key=lambda r: (r.asked, r.ep.eid, r.alloc.idx))
    pending: dict[tuple[str, str], int] = {}  # (provider, client) -> answer day of the open request
    chosen = []
    for r in candidates:
        key = (r.alloc.provider.agb, r.ep.youth.bsn)
        if pending.get(key, -1) >= r.asked:
            continue
        pending[key] = r.answered
        chosen.append(r)
    return chosen


def request_message(
    r: Request, day: int, gemeente: str, nummer: str, omvang: Omvang, ident: str, ref: str
) -> VerzoekOmWijziging:
    a = r.alloc
    agb = a.provider.agb
    r.ref = ref
    header = Header(agb, gemeente, ident, to_date(day))
    if r.kind == "04":
        wijzigen = TeWijzigenProduct(nummer, to_date(a.ingang), to_date(a.planned), omvang)
        return VerzoekOmWijziging(header, r.ep.youth.bsn, ref, "2", te_wijzigen_producten=(wijzigen,))
    if r.kind == "new":
        start, end = a.ingang, a.first_einde
    else:
        start = a.planned + 1
        end = add_months(start, 6) - 1
    product = NieuwProduct(PRODUCTS[a.code].categorie, a.code, to_date(start), to_date(end), omvang)
    return VerzoekOmWijziging(header, r.ep.youth.bsn, ref, "2", nieuwe_producten=(product,))


def answer_message(r: Request, day: int, gemeente: str, ident: str) -> AntwoordVerzoek:
    header = Header(gemeente, r.alloc.provider.agb, ident, to_date(day))
    if r.kind == "refused":
        return AntwoordVerzoek(header, r.ref, "1", r.reason)
    return AntwoordVerzoek(header, r.ref, "2")


def request_events(
    requests: list[Request], order: dict[str, int], gemeente_of: Callable[[Episode], str]
) -> list[tuple]:
    """Events (date, order, sender, key, what, request, episode) for the emitter's event list."""
    events = []
    for i, r in enumerate(requests):
        gem = gemeente_of(r.ep)
        agb = r.alloc.provider.agb
        events.append((r.asked, order["JW317"], agb, i, "jw317", r, r.ep))
        if r.kind == "refused":
            events.append((r.answered, order["JW319"], gem, i, "jw319", r, r.ep))
        elif r.answered - r.asked > IN_ONDERZOEK_AFTER:
            events.append(
                (r.asked + 3 + int(h01(r.alloc.seed, 807) * 4), order["JW319"], gem, i, "jw319", r, r.ep)
            )
    return events
