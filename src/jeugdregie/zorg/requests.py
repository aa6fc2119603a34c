"""The outcome of change requests (JW317), as the messages that answer them tell it.

iJw 3.2 answers a request in two ways: a JW301 carrying the request's ReferentieAanbieder grants
it (the allocation is changed or a new one issued), and a JW319 refuses it (VerzoekAntwoord 1) or
says it is under investigation (2). The decision is the first grant or refusal by message date
(Dagtekening); a grant and a refusal on the same day count as granted (the allocation is the
stronger fact). A request with only "in onderzoek" answers, or none, is undecided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import AntwoordVerzoek, ToewijzingWijziging, VerzoekOmWijziging

TOEGEKEND = "toegekend"
AFGEWEZEN = "afgewezen"
IN_ONDERZOEK = "in onderzoek"
OPEN = "open"


def request_outcomes(
    verzoeken: Iterable[tuple[int, int, str]] | None = None,
) -> dict[int, tuple[str, dt.date | None]]:
    """request pk -> (outcome, decision date): ``toegekend`` or ``afgewezen`` with the date of the
    deciding message, ``in onderzoek`` or ``open`` without one. ``verzoeken`` are (pk, aanbieder
    id, ReferentieAanbieder) of JW317 requests; all requests when none are given."""
    rows = (
        list(verzoeken)
        if verzoeken is not None
        else list(VerzoekOmWijziging.objects.values_list("pk", "aanbieder_id", "referentie_aanbieder"))
    )
    pks = [pk for pk, _, _ in rows]
    granted: dict[tuple[str, str], dt.date] = {}
    for agb, ref, day in ToewijzingWijziging.objects.filter(
        referentie_aanbieder__in={ref for _, _, ref in rows}
    ).values_list("toewijzing__aanbieder_id", "referentie_aanbieder", "bericht__dagtekening"):
        if (agb, ref) not in granted or day < granted[(agb, ref)]:
            granted[(agb, ref)] = day
    refused: dict[int, dt.date] = {}
    investigated: set[int] = set()
    for pk, uitkomst, day in AntwoordVerzoek.objects.filter(verzoek_wijziging_id__in=pks).values_list(
        "verzoek_wijziging_id", "uitkomst", "beantwoord_op"
    ):
        if uitkomst == AntwoordVerzoek.Uitkomst.AFGEWEZEN:
            if pk not in refused or day < refused[pk]:
                refused[pk] = day
        else:
            investigated.add(pk)
    outcomes: dict[int, tuple[str, dt.date | None]] = {}
    for pk, agb, ref in rows:
        grant, refusal = granted.get((agb, ref)), refused.get(pk)
        if grant is not None and (refusal is None or grant <= refusal):
            outcomes[pk] = (TOEGEKEND, grant)
        elif refusal is not None:
            outcomes[pk] = (AFGEWEZEN, refusal)
        else:
            outcomes[pk] = (IN_ONDERZOEK if pk in investigated else OPEN, None)
    return outcomes
