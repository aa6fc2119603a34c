"""Reported outcomes (issue 14, step 5): reading an Excel upload, importing all rows or none, and the
outcomes of a provider beside its KPIs and the benchmark of its peers, with small numbers
suppressed outside the regio role (a share on fewer than the threshold of clients measured)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.rules import outcomes as rules
from jeugdregie.rules import stuuropdracht as norm_rules

from .models import Aanbieder
from .talk_models import Uitkomstmeting


class UploadError(ValueError):
    """The file cannot be read at all (not the errors of single rows)."""


def read_workbook(upload) -> list[tuple[Any, ...]]:
    """The rows under the header of the first sheet of an .xlsx file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not xlsx
        raise UploadError("Het bestand is geen leesbaar Excel-bestand (.xlsx).") from error
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not rows:
        raise UploadError("Het werkblad is leeg.")
    header = [str(c or "").strip().lower() for c in rows[0][:5]]
    if header != [h.lower() for h in rules.HEADER]:
        raise UploadError("De eerste rij moet de kolomkoppen bevatten: " + ", ".join(rules.HEADER) + ".")
    return [tuple(r[:5]) for r in rows[1:]]


def categories() -> dict[str, str]:
    return dict(Aanbieder.objects.filter(is_nga=False).values_list("agb_code", "categorie"))


@transaction.atomic
def import_outcomes(found: list[rules.OutcomeRow], user) -> int:
    """Store validated rows (a newer report of the same provider, tertial and indicator replaces
    the older); audited. Callers pass only rows from a validation without errors."""
    ids = dict(
        Aanbieder.objects.filter(agb_code__in={r.aanbieder for r in found}).values_list("agb_code", "pk")
    )
    for row in found:
        Uitkomstmeting.objects.update_or_create(
            aanbieder_id=ids[row.aanbieder],
            tertiaal=row.tertiaal,
            indicator=row.indicator,
            defaults={"gemeten": row.gemeten, "positief": row.positief, "door": user},
        )
        AuditRegel.objects.create(
            user=user,
            actie="uitkomst aangeleverd",
            object_omschrijving=f"{row.aanbieder} {row.tertiaal} {row.indicator}: {row.positief}/{row.gemeten}",
        )
    return len(found)


def _shown(m: Uitkomstmeting | None, suppress: bool) -> float | None:
    if m is None:
        return None
    if suppress and m.gemeten < int(settings.SMALL_NUMBER_THRESHOLD):
        return None
    return m.share


def outcome_rows(agb: str, year: int, peers: list[str], suppress: bool) -> list[dict[str, Any]]:
    """Per indicator: the provider's share per tertial of `year` and the benchmark of its peers over
    the year (each peer's pooled share; peers on too few clients left out when suppressing)."""
    labels = [f"{year}-T{t}" for t in (1, 2, 3)]
    found = {
        (m.aanbieder.agb_code, m.tertiaal, m.indicator): m
        for m in Uitkomstmeting.objects.filter(
            aanbieder__agb_code__in=[agb, *peers], tertiaal__in=labels
        ).select_related("aanbieder")
    }
    limit = int(settings.SMALL_NUMBER_THRESHOLD)
    result = []
    for indicator, label in rules.INDICATORS.items():
        own = {lab[-2:]: _shown(found.get((agb, lab, indicator)), suppress) for lab in labels}
        own_total = [found.get((agb, lab, indicator)) for lab in labels]
        measured = sum(m.gemeten for m in own_total if m)
        positive = sum(m.positief for m in own_total if m)
        year_share = positive / measured if measured else None
        if suppress and measured < limit:
            year_share = None
        peer_values = []
        for peer in peers:
            ms = [found.get((peer, lab, indicator)) for lab in labels]
            n = sum(m.gemeten for m in ms if m)
            if n and not (suppress and n < limit):
                peer_values.append(sum(m.positief for m in ms if m) / n)
        bench = norm_rules.benchmark(peer_values)
        if suppress and bench and bench.peers < limit:
            bench = None
        result.append(
            {
                "indicator": indicator,
                "label": f"{label} (eigen opgave)",
                "values": {"jaar": year_share, **own},
                "benchmark": bench,
                "position": norm_rules.position(year_share, bench),
                "reported": any(own_total),
            }
        )
    return result


def today() -> dt.date:
    return dt.date.today()
