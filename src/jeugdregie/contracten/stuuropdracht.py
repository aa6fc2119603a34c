"""The stuuropdracht of an A or B provider (issue 14, step 3): its normed KPIs per year and tertial
against the norm, the benchmark of comparable providers (same main segment and category), and the
planning of contract talks. Small numbers are suppressed outside the regio role (the provider's own
values by web.kpi_query; peers whose value rests on too few clients are left out of the benchmark
and it needs at least the threshold of peers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from jeugdregie.rules import kpi as kpi_rules
from jeugdregie.rules import stuuropdracht as rules
from jeugdregie.web.access import Scope
from jeugdregie.web.kpi_query import scoped_kpi_rows

from .models import Aanbieder, effective_kpi_norms

PERIODS = ("jaar", "T1", "T2", "T3")


@dataclass
class NormRow:
    kpi: str
    label: str
    unit: str
    low: float | None
    high: float | None
    values: dict[str, Any]  # jaar / T1 / T2 / T3 -> value (None: none or suppressed)
    status: dict[str, str | None]
    benchmark: rules.Benchmark | None = None
    position: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def main_segments(facts: kpi_rules.Facts, year: int) -> dict[str, str]:
    """{AGB: the segment with the provider's largest spend in `year`} (transport not counted)."""
    best: dict[str, tuple[int, str]] = {}
    for (agb, segment), spend in kpi_rules.compute(
        "spend", facts, kpi_rules.year(year), ("aanbieder", "segment")
    ).items():
        if segment and (agb not in best or spend > best[agb][0]):
            best[agb] = (spend, segment)
    return {agb: segment for agb, (_, segment) in best.items()}


def peers_of(agb: str, facts: kpi_rules.Facts, year: int) -> list[str]:
    """Providers of the same category with the same main segment (the provider itself left out)."""
    segments = main_segments(facts, year)
    own = Aanbieder.objects.get(agb_code=agb)
    same_category = set(
        Aanbieder.objects.filter(categorie=own.categorie, is_nga=False).values_list("agb_code", flat=True)
    )
    return sorted(
        p for p, seg in segments.items() if p != agb and p in same_category and seg == segments.get(agb)
    )


def _clients_per_provider(kpi_id: str, facts: kpi_rules.Facts, period: kpi_rules.Period) -> dict[str, int]:
    kpi = kpi_rules.REGISTRY[kpi_id]
    found: dict[str, set[str]] = {}
    for record in kpi.base(facts, period):
        found.setdefault(kpi_rules.cut_value(record, "aanbieder"), set()).add(record.client)
    return {agb: len(clients) for agb, clients in found.items()}


def peer_benchmark(
    kpi_id: str, peers: list[str], facts: kpi_rules.Facts, year: int, scope: Scope
) -> rules.Benchmark | None:
    period = kpi_rules.year(year)
    values = kpi_rules.compute(kpi_id, facts, period, ("aanbieder",))
    chosen = [values.get((p,)) for p in peers]
    if scope.suppress_small_numbers:
        limit = int(settings.SMALL_NUMBER_THRESHOLD)
        clients = _clients_per_provider(kpi_id, facts, period)
        chosen = [values.get((p,)) for p in peers if clients.get(p, 0) >= limit]
        if sum(v is not None for v in chosen) < limit:
            return None
    numeric = [float(v) for v in chosen if isinstance(v, int | float)]
    return rules.benchmark(numeric)


def norm_rows(scope: Scope, agb: str, year: int, facts: kpi_rules.Facts) -> list[NormRow]:
    norms = effective_kpi_norms().get(agb, {})
    if not norms:
        return []
    rows_by_id = {r["id"]: r for r in scoped_kpi_rows(scope, year, aanbieder=agb, facts=facts)[0]}
    peers = peers_of(agb, facts, year)
    found = []
    for kpi_id, (low, high) in sorted(norms.items()):
        row = rows_by_id.get(kpi_id)
        if row is None:
            continue
        values = {"jaar": row["value"], **row["tertials"]}
        bench = peer_benchmark(kpi_id, peers, facts, year, scope)
        found.append(
            NormRow(
                kpi_id,
                row["label"],
                row["unit"],
                low,
                high,
                values,
                {p: rules.norm_status(values[p], low, high) for p in PERIODS},
                bench,
                rules.position(values["jaar"], bench),
            )
        )
    return found


def talk_plan(aanbieder: Aanbieder, today: dt.date, newest_signal: dt.date | None = None) -> rules.TalkPlan:
    talks = list(aanbieder.gesprekken.values_list("datum", flat=True))
    return rules.next_talk(aanbieder.categorie, talks, today, newest_signal)
