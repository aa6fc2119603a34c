"""The tertiaalrapportage on screen and as PDF (issue 14, step 4). The region chooses any version;
a provider gets its own version, a municipality its own (beside the region's); referrers none."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from jeugdregie.accounts.models import Rol
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import data_complete_until
from jeugdregie.regio.models import Gemeente
from jeugdregie.web import screen_cache
from jeugdregie.web.access import known_code, scope_of
from jeugdregie.web.kpi_query import threshold

from .data import ReportError, build_report, last_complete_tertial, parse_tertial


def _request(request):
    scope = scope_of(request.user)
    if scope.rol not in (Rol.REGIO, Rol.AANBIEDER, Rol.GEMEENTE):
        raise PermissionDenied("De tertiaalrapportage is voor de regio, gemeenten en aanbieders.")
    aanbieder = request.GET.get("aanbieder") or None
    gemeente = request.GET.get("gemeente") or None
    if scope.rol == Rol.AANBIEDER:
        if aanbieder not in (None, scope.aanbieder) or gemeente:
            raise PermissionDenied("Een aanbieder ziet alleen de eigen rapportage.")
        aanbieder = scope.aanbieder
    elif scope.rol == Rol.GEMEENTE:
        if gemeente not in (None, scope.gemeente) or aanbieder:
            raise PermissionDenied("Een gemeente ziet alleen de eigen rapportage.")
        gemeente = scope.gemeente
    known_code(aanbieder, Aanbieder, "agb_code")
    known_code(gemeente, Gemeente, "cbs_code")
    newest = last_complete_tertial(data_complete_until())
    tertialen = [
        f"{y}-T{t}" for y in range(newest[0], newest[0] - 3, -1) for t in (3, 2, 1) if (y, t) <= newest
    ]
    raw = request.GET.get("tertiaal") or f"{newest[0]}-T{newest[1]}"
    return scope, aanbieder, gemeente, raw, tertialen


def cached_report(year: int, t: int, aanbieder: str | None, gemeente: str | None, at: str | None = None):
    """The report from the screen cache (a ReportError is raised, never cached)."""
    return screen_cache.cached(
        "rapport",
        (year, t, aanbieder, gemeente, threshold()),
        lambda: build_report(year, t, aanbieder=aanbieder, gemeente=gemeente),
        at=at,
    )


@login_required
def rapport(request):
    scope, aanbieder, gemeente, raw, tertialen = _request(request)
    try:
        year, t = parse_tertial(raw)
        report = cached_report(year, t, aanbieder, gemeente)
    except ReportError as error:
        return render(request, "rapportage/fout.html", {"scope": scope, "melding": str(error)}, status=400)
    query = urlencode(
        {k: v for k, v in (("tertiaal", report.label), ("aanbieder", aanbieder), ("gemeente", gemeente)) if v}
    )
    context = {
        "scope": scope,
        "r": report,
        "tertialen": tertialen,
        "aanbieders": Aanbieder.objects.all() if scope.rol == Rol.REGIO else [],
        "gemeenten": Gemeente.objects.all() if scope.rol == Rol.REGIO else [],
        "pdf_url": f"pdf/?{query}",
    }
    return render(request, "rapportage/scherm.html", context)


@login_required
def rapport_pdf(request):
    from .pdf import report_pdf

    scope, aanbieder, gemeente, raw, _ = _request(request)
    try:
        year, t = parse_tertial(raw)
        report = build_report(year, t, aanbieder=aanbieder, gemeente=gemeente)
    except ReportError as error:
        return render(request, "rapportage/fout.html", {"scope": scope, "melding": str(error)}, status=400)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    suffix = f"-{aanbieder}" if aanbieder else (f"-{gemeente}" if gemeente else "")
    response["Content-Disposition"] = f'attachment; filename="tertiaalrapportage-{report.label}{suffix}.pdf"'
    return response
