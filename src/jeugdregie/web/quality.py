"""The Datakwaliteit screen: the data-quality checks of issue 5 for a year.

Who sees what (SYSTEM.md section 6), decided here where the report is selected: an aanbieder sees
its own findings only; a gemeente user sees the findings of its own municipality and, for the
whole region, only counts and amounts (suppressed below the small-number threshold); another
municipality's code is refused (403, web.access); regio and beheer see everything. Every page that shows findings is audited.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.ijw.models import Bericht
from jeugdregie.monitoring.dataquality import data_quality_report
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.dataquality import format_euro

from . import screen_cache
from .access import Scope, choose_year, filter_context, known_code, scope_of, suppress, years_with_data
from .formatting import product_label, product_names
from .kpi_query import threshold
from .quality_answers import answers_context

SHOWN_PER_CHECK = 25  # findings per check before "toon alle"
SEVERITY_LABELS = {"hoog": "Hoog", "middel": "Middel", "laag": "Laag"}


def _shows_findings(scope: Scope, gemeente: str | None) -> bool:
    """Client-level findings: regio and beheer always, an aanbieder its own (the filter is forced
    to it), a gemeente user only with its own municipality selected."""
    if scope.rol == Rol.GEMEENTE:
        return gemeente is not None and gemeente == scope.gemeente
    return scope.rol in (Rol.REGIO, Rol.BEHEER, Rol.AANBIEDER)


@login_required
def datakwaliteit(request):
    return render(request, "web/datakwaliteit.html", quality_context(request))


def quality_context(request, every_finding: bool = False) -> dict:
    """The screen's data for the request's filters and role; `every_finding`: all findings of every
    check instead of the first SHOWN_PER_CHECK (the Excel export)."""
    scope = scope_of(request.user)
    latest = data_complete_until()
    jaar, melding = choose_year(request.GET.get("jaar"), years_with_data(latest), latest.year)
    # A gemeente user starts on its own municipality; "" (Hele regio) is an explicit choice.
    asked_gemeente = request.GET.get("gemeente", scope.gemeente if scope.rol == Rol.GEMEENTE else "")
    gemeente, aanbieder = scope.allowed_filter(
        known_code(asked_gemeente or None, Gemeente, "cbs_code"),
        known_code(request.GET.get("aanbieder") or None, Aanbieder, "agb_code"),
    )
    shows_findings = _shows_findings(scope, gemeente)
    toon = request.GET.get("toon", "")  # a check whose findings are all shown
    report = screen_cache.cached(
        "datakwaliteit",
        (jaar, gemeente, aanbieder),
        lambda: data_quality_report(jaar, gemeente=gemeente, aanbieder=aanbieder),
    )

    base_query = {
        k: v
        for k, v in (("jaar", jaar), ("gemeente", gemeente or ""), ("aanbieder", aanbieder))
        if v is not None
    }
    names = product_names()
    checks = []
    for check in [*report["checks"], *report.get("ijw_regels", [])]:  # iJw rules: TR code
        if shows_findings:
            count, amount, clients = check["count"], check["bedrag_cent"], check["clients"]
            every = every_finding or toon == check["id"]
            findings = check["findings"] if every else check["findings"][:SHOWN_PER_CHECK]
        elif check["count"] == 0:  # nothing found says nothing about anyone
            count, amount, clients, findings = 0, 0, 0, []
        else:
            count = suppress(check["count"], check["clients"], scope)
            amount = suppress(check["bedrag_cent"], check["clients"], scope)
            clients = suppress(check["clients"], check["clients"], scope)
            findings = []
        checks.append(
            {
                **check,
                "severity_label": SEVERITY_LABELS[check["severity"]],
                "count": count,
                "clients": clients,
                "bedrag": "-" if amount is None else format_euro(amount),
                "bedrag_getoond_cent": amount,  # None when suppressed (the Excel export)
                "shown": [
                    {
                        **f,
                        "bedrag": format_euro(f["bedrag_cent"]),
                        "product_label": product_label(f["product"], names),
                        "van": dt.date.fromisoformat(f["begin"]),
                        "tot": dt.date.fromisoformat(f["eind"]) if f["eind"] else None,
                        "toewijzing_refs": list(zip(f["toewijzingen"], f["toewijzingnummers"], strict=True)),
                    }
                    for f in findings
                ],
                "more": check["count"] - len(findings) if shows_findings else 0,
                "show_all_url": reverse("web:datakwaliteit")
                + "?"
                + urlencode({**base_query, "toon": check["id"]})
                + f"#{check['id']}",
            }
        )
    if shows_findings and any(c["shown"] for c in checks):
        parts = [f"gemeente {gemeente}" if gemeente else "", f"aanbieder {aanbieder}" if aanbieder else ""]
        what = ", ".join(p for p in parts if p) or "regio"
        AuditRegel.objects.create(
            user=request.user, actie="datakwaliteit bekeken", object_omschrijving=f"{what} {jaar}"
        )
    context = {
        **filter_context(scope, jaar, gemeente, aanbieder, latest),
        "checks": [c for c in checks if "tr" not in c],
        "regel_checks": [c for c in checks if "tr" in c],
        "antwoorden": screen_cache.cached(
            "datakwaliteit-antwoorden",
            (jaar, gemeente, aanbieder, scope, threshold()),
            lambda: answers_context(report["antwoorden"], scope),
        )
        if "antwoorden" in report
        else None,
        "melding": melding,
        "drempel": threshold(),
        "shows_findings": shows_findings,
        "eigen_gemeente_url": reverse("web:datakwaliteit")
        + "?"
        + urlencode({"jaar": jaar, "gemeente": scope.gemeente or ""}),
        "tot_datum": dt.date.fromisoformat(report["as_of"]),
        "has_messages": Bericht.objects.exists(),
        "admin_links": request.user.is_staff and request.user.has_perm("zorg.view_toewijzing"),
        "query": urlencode(base_query),
    }
    return context
