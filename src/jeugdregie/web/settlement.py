"""The settlement screens (issue 11): the region's overview, the provider statement, the
municipality statement and the what-if comparison of rule sets, each also as an Excel workbook.

Who sees what is decided in `afrekening_service.check_statement_access` before anything is
computed: the region all statements, a municipality its own, a provider its own, nobody else.
The claim lines after the norm duration are client-level: only the region and the provider itself
see them, and every view of them is written to the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.budget.settlement import SettlementError
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente

from . import excel, settlement_excel
from .access import choose_year, scope_of
from .afrekening_service import (
    ACTIVE,
    EXAMPLE,
    check_statement_access,
    client_counts,
    compared,
    default_year,
    is_final,
    may_choose_rule_set,
    rule_set_choices,
    sees_norm_lines,
    settled,
    settlement_years,
)
from .settlement_rows import (
    group_names,
    municipality_statement,
    municipality_totals,
    provider_statement,
    provider_totals,
    rule_set_summary,
)

SHOWN_NORM_LINES = 500  # on screen; the workbook holds every line


def _year_and_rules(request, scope) -> dict:
    """The year (one with ceilings) and the rule set: the region may choose one, others see the
    rule set activated for the year."""
    years = settlement_years()
    jaar, melding = choose_year(request.GET.get("jaar"), years, default_year(years))
    key = request.GET.get("regelset", ACTIVE) if may_choose_rule_set(scope) else ACTIVE
    choices = rule_set_choices(jaar)
    if key not in {c.key for c in choices}:
        raise PermissionDenied(f"Onbekende regelset: {key[:60]}")
    return {
        "jaar": jaar,
        "jaren": years or [jaar],
        "melding": melding,
        "regelset": key,
        "regelsets": choices if may_choose_rule_set(scope) else [],
        "definitief": is_final(jaar),
        "query": urlencode({"jaar": jaar, "regelset": key}),
    }


def _settlement_or_message(jaar: int, key: str):
    try:
        return settled(jaar, key), None
    except SettlementError as exc:
        return None, str(exc)


def _xlsx(workbook_bytes: bytes, filename: str) -> HttpResponse:
    return excel.response(workbook_bytes, filename)


@login_required
def overview(request):
    scope = scope_of(request.user)
    if scope.rol == Rol.AANBIEDER:
        return redirect(
            reverse("web:afrekening_aanbieder", args=[scope.aanbieder]) + "?" + request.GET.urlencode()
        )
    if scope.rol == Rol.GEMEENTE:
        return redirect(
            reverse("web:afrekening_gemeente", args=[scope.gemeente]) + "?" + request.GET.urlencode()
        )
    check_statement_access(scope)
    chosen = _year_and_rules(request, scope)
    s, fout = _settlement_or_message(chosen["jaar"], chosen["regelset"])
    context = {**chosen, "scope": scope, "fout": fout}
    if s is not None:
        context |= {
            "regels": rule_set_summary(s.rules),
            "aanbieders": provider_totals(s),
            "gemeenten": municipality_totals(s),
            "totaal": s.totals,
            "c_budget": s.c_budget,
        }
    return render(request, "web/afrekening_overzicht.html", context)


def _provider(request, agb: str):
    scope = scope_of(request.user)
    check_statement_access(scope, agb=agb)
    if not Aanbieder.objects.filter(agb_code=agb).exists():
        raise Http404("Onbekende aanbieder.")
    chosen = _year_and_rules(request, scope)
    s, fout = _settlement_or_message(chosen["jaar"], chosen["regelset"])
    statement = None
    if s is not None:
        gemeenten = dict(Gemeente.objects.values_list("cbs_code", "naam"))
        lines = sees_norm_lines(scope, agb)
        statement = provider_statement(s, agb, scope, client_counts(chosen["jaar"]), gemeenten, lines)
        if statement.norm_lines:
            AuditRegel.objects.create(
                user=request.user,
                actie="afrekening: regels na normduur bekeken",
                object_omschrijving=f"aanbieder {agb} {chosen['jaar']} ({s.rules.name})",
            )
    return scope, chosen, s, fout, statement


@login_required
def provider(request, agb: str):
    scope, chosen, s, fout, statement = _provider(request, agb)
    naam = Aanbieder.objects.get(agb_code=agb).naam
    context = {**chosen, "scope": scope, "fout": fout, "agb": agb, "aanbieder_naam": naam}
    if statement is not None:
        names = group_names()
        gemeenten = dict(Gemeente.objects.values_list("cbs_code", "naam"))
        context |= {
            "regels": rule_set_summary(s.rules),
            "st": statement,
            "groepen": [(g, names.get(g.groep, "")) for g in statement.groups],
            "normregels": [
                (n, gemeenten.get(n.line.cbs, n.line.cbs)) for n in statement.norm_lines[:SHOWN_NORM_LINES]
            ],
            "meer_normregels": max(0, len(statement.norm_lines) - SHOWN_NORM_LINES),
            "ziet_normregels": sees_norm_lines(scope, agb),
        }
    return render(request, "web/afrekening_aanbieder.html", context)


@login_required
def provider_excel(request, agb: str):
    scope, chosen, s, fout, statement = _provider(request, agb)
    if statement is None:
        raise Http404(fout)
    data = settlement_excel.provider_workbook(s, statement, group_names(), chosen["definitief"])
    return _xlsx(data, f"afrekening-{chosen['jaar']}-aanbieder-{agb}.xlsx")


def _municipality(request, cbs: str):
    scope = scope_of(request.user)
    check_statement_access(scope, cbs=cbs)
    if not Gemeente.objects.filter(cbs_code=cbs).exists():
        raise Http404("Onbekende gemeente.")
    chosen = _year_and_rules(request, scope)
    s, fout = _settlement_or_message(chosen["jaar"], chosen["regelset"])
    statement = None
    if s is not None:
        statement = municipality_statement(s, cbs, scope, client_counts(chosen["jaar"]))
    return scope, chosen, s, fout, statement


@login_required
def municipality(request, cbs: str):
    scope, chosen, s, fout, statement = _municipality(request, cbs)
    context = {
        **chosen,
        "scope": scope,
        "fout": fout,
        "cbs": cbs,
        "gemeente_naam": Gemeente.objects.get(cbs_code=cbs).naam,
    }
    if statement is not None:
        names = group_names()
        context |= {
            "regels": rule_set_summary(s.rules),
            "st": statement,
            "rijen": [(r, names.get(r.groep, "")) for r in statement.rows],
        }
    return render(request, "web/afrekening_gemeente.html", context)


@login_required
def municipality_excel(request, cbs: str):
    scope, chosen, s, fout, statement = _municipality(request, cbs)
    if statement is None:
        raise Http404(fout)
    data = settlement_excel.municipality_workbook(s, statement, group_names(), chosen["definitief"])
    return _xlsx(data, f"afrekening-{chosen['jaar']}-gemeente-{cbs}.xlsx")


# ---------------------------------------------------------------------- what-if


def _comparison(request):
    """Two or more rule sets side by side: the region sees every row; a municipality only its own
    municipality's row (its charges under each rule set)."""
    scope = scope_of(request.user)
    if scope.rol not in (Rol.REGIO, Rol.GEMEENTE):
        raise PermissionDenied("De vergelijking van regelsets is voor de regio en de gemeenten.")
    years = settlement_years()
    jaar, melding = choose_year(request.GET.get("jaar"), years, default_year(years))
    choices = rule_set_choices(jaar)
    offered = {c.key for c in choices}
    keys = [k for k in request.GET.getlist("regelset") if k in offered] or [
        c.key for c in choices if c.key.startswith(EXAMPLE)
    ]
    unknown = [k for k in request.GET.getlist("regelset") if k not in offered]
    if unknown:
        raise PermissionDenied(f"Onbekende regelset: {unknown[0][:60]}")
    context = {
        "scope": scope,
        "jaar": jaar,
        "jaren": years or [jaar],
        "melding": melding,
        "regelsets": choices,
        "gekozen": keys,
        "query": urlencode([("jaar", jaar), *(("regelset", k) for k in keys)]),
        "definitief": is_final(jaar),
    }
    if len(keys) < 2:
        context["fout"] = "Kies ten minste twee regelsets om te vergelijken."
        return scope, context, None
    try:
        settlements = compared(jaar, keys)
    except SettlementError as exc:
        context["fout"] = str(exc)
        return scope, context, None
    from jeugdregie.budget.settlement_report import comparison_json

    data = comparison_json(settlements)
    labels = [r["label"] for r in data["rule_sets"]]
    if scope.rol == Rol.GEMEENTE:
        data["groups"] = []
        data["municipalities"] = [m for m in data["municipalities"] if m["cbs"] == scope.gemeente]
    context |= {
        "data": data,
        "labels": labels,
        "regels": [rule_set_summary(s.rules) for s in settlements],
        "verschil_labels": labels[1:],
        "group_rows": [
            {
                **g,
                "paid": [(n, g["paid_cents"][n]) for n in labels],
                "diff": [(n, g["differences_cents"][n]) for n in labels[1:]],
            }
            for g in data["groups"]
        ],
        "municipality_rows": [
            {
                **m,
                "charged": [(n, m["charged_cents"][n]) for n in labels],
                "diff": [(n, m["differences_cents"][n]) for n in labels[1:]],
            }
            for m in data["municipalities"]
        ],
        "total_paid": [(n, data["totals"]["paid_cents"][n]) for n in labels],
        "total_diff": [(n, data["totals"]["differences_cents"][n]) for n in labels],
    }
    return scope, context, settlements


@login_required
def comparison(request):
    _scope, context, _settlements = _comparison(request)
    return render(request, "web/afrekening_vergelijking.html", context)


@login_required
def comparison_excel(request):
    scope, context, settlements = _comparison(request)
    if settlements is None:
        raise Http404(context.get("fout"))
    data = settlement_excel.comparison_workbook(
        settlements,
        context["data"],
        group_names(),
        only=scope.gemeente if scope.rol == Rol.GEMEENTE else None,
    )
    return _xlsx(data, f"afrekening-{context['jaar']}-vergelijking.xlsx")
