"""The municipality's answers for the data-quality report: rejected claim lines (JW325) per
provider and per return code, and change requests (JW317 / JW319) per provider, for one year.

Shares and medians are the registry's KPIs (``rejected_share``, ``rejected_share_by_code``,
``change_requests_granted``, ``change_request_days``) computed by ``rules.kpi.compute`` on facts
read by the same readers as ``load_facts``, so they equal what ``jeugdregie kpi`` prints for the
same selection. The counts beside them come from the KPIs' own base records. Every row says on
how many distinct clients it rests, for the small-number suppression of the screens.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from jeugdregie.ijw.trrules import retourcode_meaning
from jeugdregie.rules import kpi
from jeugdregie.rules.kpi_answers import claims_submitted, requests_decided

from .facts import (
    MARGIN,
    change_request_facts,
    claim_facts,
    computed,
    data_complete_until,
    product_index,
    referrers_by_allocation,
)


def answer_facts(jaar: int, *, as_of: dt.date | None = None) -> kpi.Facts:
    """The claim lines (accepted and rejected) and change requests `load_facts` reads for `jaar`,
    without the allocations these KPIs do not use."""
    begin, end = dt.date(jaar, 1, 1), dt.date(jaar, 12, 31)
    products, referrers = product_index(), referrers_by_allocation()
    return kpi.Facts(
        claims=list(claim_facts(begin, end, products=products, referrers=referrers)),
        allocations=[],
        as_of=as_of or data_complete_until(),
        rejected_claims=list(claim_facts(begin, end, products=products, referrers=referrers, afgewezen=True)),
        change_requests=change_request_facts(begin - MARGIN, end, products=products, referrers=referrers),
    )


def _selection(gemeente: str | None, aanbieder: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    by = tuple(c for c, v in (("gemeente", gemeente), ("aanbieder", aanbieder)) if v)
    return by, tuple(v for v in (gemeente, aanbieder) if v)


def _rejection_row(records: list, share: float | None) -> dict[str, Any]:
    rejected = [c for c in records if c.afgewezen]
    return {
        "regels": len(records),
        "afgewezen_regels": len(rejected),
        "ingediend_cent": sum(c.bedrag_cent for c in records),
        "afgewezen_cent": sum(c.bedrag_cent for c in rejected),
        "aandeel": share,
        "clients": len({c.client for c in records}),
    }


def _request_row(made: list, decided: list, share: float | None, days: float | None) -> dict[str, Any]:
    return {
        "ingediend": len(made),
        "beslist": len(decided),
        "toegekend": sum(1 for r in decided if r.uitkomst == "toegekend"),
        "afgewezen": sum(1 for r in decided if r.uitkomst == "afgewezen"),
        "aandeel_toegekend": share,
        "mediaan_dagen": days,
        "clients": len({r.client for r in (*made, *decided)}),
    }


def claim_answers(
    jaar: int, *, gemeente: str | None = None, aanbieder: str | None = None, facts: kpi.Facts | None = None
) -> dict[str, Any]:
    """Rejections and change requests of `jaar` for the selection: totals, per provider, per
    return code (rejections). JSON-ready; amounts in cents (net, attributed to the ProductPeriode)."""
    facts = facts if facts is not None else answer_facts(jaar)
    period = kpi.year(jaar)
    by, key = _selection(gemeente, aanbieder)

    def compute(kpi_id: str, cut: tuple[str, ...]) -> dict:
        return computed(kpi_id, facts, period, cut)  # once for every party inside `shared_facts()`

    per_provider_by = by if aanbieder else (*by, "aanbieder")

    def selected(record: Any) -> bool:
        return (gemeente is None or record.gemeente == gemeente) and (
            aanbieder is None or record.aanbieder == aanbieder
        )

    submitted = [c for c in claims_submitted(facts, period) if selected(c)]
    share = compute("rejected_share", by).get(key)
    shares = compute("rejected_share", per_provider_by)
    by_provider: dict[str, list] = defaultdict(list)
    for c in submitted:
        by_provider[c.aanbieder].append(c)
    providers = [
        {"aanbieder": agb, **_rejection_row(rows, shares.get((*by, agb) if not aanbieder else key))}
        for agb, rows in sorted(by_provider.items())
    ]

    code_shares = compute("rejected_share_by_code", by).get(key) or {}
    by_code: dict[str, list] = defaultdict(list)
    for c in submitted:
        if c.afgewezen:
            by_code[c.retourcode].append(c)
    codes = []
    for code, rows in sorted(
        by_code.items(), key=lambda item: (-sum(c.bedrag_cent for c in item[1]), item[0])
    ):
        tr, meaning = retourcode_meaning(code)
        codes.append(
            {
                "retourcode": code,
                "tr": tr,
                # The rule's text says what should hold; the line did not meet it.
                "betekenis": f"Niet voldaan aan: {meaning}" if tr else meaning,
                "afgewezen_regels": len(rows),
                "afgewezen_cent": sum(c.bedrag_cent for c in rows),
                "aandeel": code_shares.get(code),
                "clients": len({c.client for c in rows}),
            }
        )

    requests = [r for r in facts.change_requests if selected(r)]
    made = [r for r in requests if period.contains(r.aangevraagd_op)]
    decided = [r for r in requests_decided(facts, period) if selected(r)]
    granted = compute("change_requests_granted", per_provider_by)
    days = compute("change_request_days", per_provider_by)
    request_providers = []
    for agb in sorted({r.aanbieder for r in (*made, *decided)}):
        group = key if aanbieder else (*by, agb)
        request_providers.append(
            {
                "aanbieder": agb,
                **_request_row(
                    [r for r in made if r.aanbieder == agb],
                    [r for r in decided if r.aanbieder == agb],
                    granted.get(group),
                    days.get(group),
                ),
            }
        )
    return {
        "afwijzingen": {
            "totaal": _rejection_row(submitted, share),
            "per_aanbieder": providers,
            "per_retourcode": codes,
        },
        "verzoeken": {
            "totaal": _request_row(
                made,
                decided,
                compute("change_requests_granted", by).get(key),
                compute("change_request_days", by).get(key),
            ),
            "per_aanbieder": request_providers,
        },
    }
