"""Data-quality report (issue 5): the checks of `jeugdregie.rules.dataquality` on the facts of one
year, for the region, one municipality or one provider. Used by the `data-quality` command and the
Datakwaliteit screen.

Clients appear only by a shortened pseudonym; the report holds no BSN or name (the database has
none either).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.db.models import Max, Min

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import dataquality as rules
from jeugdregie.rules.kpi import Facts, year
from jeugdregie.zorg.models import Toewijzing

from .claim_answers import answer_facts, claim_answers
from .facts import (
    allocation_facts,
    claim_facts,
    data_complete_until,
    derived,
    product_index,
    referrers_by_allocation,
    shared,
)
from .finding_rows import PSEUDONYM_SHOWN, check_rows, chunks, short_pseudonym
from .ijw_findings import ijw_rule_checks

__all__ = ["PSEUDONYM_SHOWN", "check_totals", "data_quality_report", "load_check_input", "short_pseudonym"]


def load_check_input(
    jaar: int, *, as_of: dt.date | None = None, thresholds: rules.Thresholds | None = None
) -> tuple[Facts, frozenset[int]]:
    """The facts the checks need for `jaar`, and the ids of the deleted allocations claimed on
    (read once inside `facts.shared_facts()`).

    Built from the same readers as the KPI facts (`load_facts`), with a wider allocation window:
    short trajectories look W days around the year, and a claim may be on an allocation that
    started long before (or after) it, which must be there to compare its dates with."""
    thresholds = thresholds or rules.Thresholds()
    return shared(
        ("check input", jaar, as_of, thresholds),
        lambda: _load_check_input(jaar, as_of, thresholds),
    )


def _load_check_input(
    jaar: int, as_of: dt.date | None, thresholds: rules.Thresholds
) -> tuple[Facts, frozenset[int]]:
    begin, end = dt.date(jaar, 1, 1), dt.date(jaar, 12, 31)
    products, referrers = product_index(), referrers_by_allocation()
    claims = list(claim_facts(begin, end, products=products, referrers=referrers))
    claimed_on = Toewijzing.objects.filter(declaratieregels__periode_begin__range=(begin, end))
    span = claimed_on.filter(verwijderd=False).aggregate(lo=Min("ingangsdatum"), hi=Max("ingangsdatum"))
    margin = dt.timedelta(days=thresholds.short_window_days)
    lo = min(d for d in (begin - margin, span["lo"]) if d is not None)
    hi = max(d for d in (end + margin, span["hi"]) if d is not None)
    allocations = allocation_facts(lo, hi, products=products, referrers=referrers)
    deleted = frozenset(claimed_on.filter(verwijderd=True).values_list("pk", flat=True).distinct())
    return Facts(claims=claims, allocations=allocations, as_of=as_of or data_complete_until()), deleted


def _allocation_numbers(ids: set[int]) -> dict[int, str]:
    """allocation id -> the municipality's ToewijzingNummer, which people look allocations up by."""
    found: dict[int, str] = {}
    for chunk in chunks(sorted(ids)):
        found.update(Toewijzing.objects.filter(pk__in=chunk).values_list("pk", "toewijzingnummer"))
    return found


def _check_results(
    jaar: int,
    gemeente: str | None,
    aanbieder: str | None,
    as_of: dt.date | None,
    thresholds: rules.Thresholds,
) -> tuple[Facts, list[rules.CheckResult]]:
    facts, deleted = load_check_input(jaar, as_of=as_of, thresholds=thresholds)
    results = rules.run_checks(
        facts,
        year(jaar),
        deleted=deleted,
        thresholds=thresholds,
        gemeente=gemeente,
        aanbieder=aanbieder,
        # inside `shared_facts()` each check runs once for the region and every party in turn
        memo=derived(facts).setdefault("data-quality findings", {}),
    )
    return facts, results


def check_totals(
    jaar: int,
    *,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    as_of: dt.date | None = None,
    thresholds: rules.Thresholds | None = None,
) -> list[dict[str, Any]]:
    """Per check of `data_quality_report`, in its order: id, label, severity, count, distinct
    clients and net amount (cents), without the findings (the tertiaalrapportage's summary)."""
    _facts, results = _check_results(jaar, gemeente, aanbieder, as_of, thresholds or rules.Thresholds())
    return [
        {
            "id": r.check.id,
            "label": r.check.label,
            "severity": r.check.severity,
            "count": r.count,
            "clients": r.clients,
            "bedrag_cent": r.bedrag_cent,
        }
        for r in results
    ]


def data_quality_report(
    jaar: int,
    *,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    as_of: dt.date | None = None,
    thresholds: rules.Thresholds | None = None,
) -> dict[str, Any]:
    """Every check for `jaar`: per check its count, distinct clients, net amount (cents) and all
    findings, most severe check first and the largest amounts first. JSON-ready."""
    thresholds = thresholds or rules.Thresholds()
    facts, results = _check_results(jaar, gemeente, aanbieder, as_of, thresholds)
    gemeente_names = dict(Gemeente.objects.values_list("cbs_code", "naam"))
    provider_names = dict(
        Aanbieder.objects.filter(agb_code__in={f.aanbieder for r in results for f in r.findings}).values_list(
            "agb_code", "naam"
        )
    )
    checks = check_rows(
        (
            (
                {
                    "id": r.check.id,
                    "label": r.check.label,
                    "severity": r.check.severity,
                    "definition": r.check.explain(thresholds),
                },
                r,
                r.clients,
            )
            for r in results
        ),
        (gemeente_names, provider_names, _allocation_numbers),
    )
    all_provider_names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    return {
        "year": jaar,
        "gemeente": gemeente,
        "aanbieder": aanbieder,
        "as_of": facts.as_of.isoformat(),
        "thresholds": asdict(thresholds),
        "checks": checks,
        # Official iJw rules reported, not rejected (TR318, TR321, TR322, TR387/388, TR389, TR056).
        "ijw_regels": ijw_rule_checks(
            jaar,
            gemeente=gemeente,
            aanbieder=aanbieder,
            names=(gemeente_names, all_provider_names, _allocation_numbers),
        ),
        # The municipality's answers: rejected claim lines (JW325) and change requests (JW317/JW319).
        "antwoorden": claim_answers(
            jaar,
            gemeente=gemeente,
            aanbieder=aanbieder,
            facts=shared(("answer facts", jaar), lambda: answer_facts(jaar)),
        ),
    }
