"""Contract register screens (issue 14): the region's worklist of contract signals and reminders,
and one agreement with its dates, options, documents, evaluations and obligations. A provider sees
its own agreement only; municipalities and referrers have no access to contract data."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from jeugdregie.accounts.models import Rol
from jeugdregie.web.access import Scope, scope_of

from .models import Raamovereenkomst
from .register import record_extension_decision, register_rows
from .register_models import Besluit

SIGNAL_KINDS = {
    "laat-getekend": "Te laat ondertekend",
    "continuiteit": "Geen continuïteitsplan",
    "verlenging": "Verlengingsbesluit te laat",
    "c-beeindigen": "C zonder cliënten",
}


def contract_scope(request) -> Scope:
    scope = scope_of(request.user)
    if scope.rol not in (Rol.REGIO, Rol.BEHEER, Rol.AANBIEDER):
        raise PermissionDenied("Contractgegevens zijn voor de regio en de eigen aanbieder.")
    return scope


def visible_agreements(scope: Scope):
    """The agreements a user may see: all for the region, its own for a provider (query layer)."""
    queryset = Raamovereenkomst.objects.all()
    if scope.rol == Rol.AANBIEDER:
        queryset = queryset.filter(aanbieder__agb_code=scope.aanbieder)
    return queryset


def today() -> dt.date:
    return dt.date.today()


@login_required
def werklijst(request):
    scope = contract_scope(request)
    if scope.rol == Rol.AANBIEDER:
        own = visible_agreements(scope).first()
        if own is None:
            raise PermissionDenied("Uw organisatie heeft geen raamovereenkomst.")
        return redirect("contracten:overeenkomst", kenmerk=own.kenmerk)
    day = today()
    rows = register_rows(day, visible_agreements(scope))
    categorie = request.GET.get("categorie", "")
    if categorie in ("A", "B", "C"):
        rows = [r for r in rows if r.ro.aanbieder.categorie == categorie]
    signals = sorted(
        ((s, r) for r in rows for s in r.signals),
        key=lambda pair: ({"kritiek": 0}.get(pair[0].ernst, 1), pair[0].datum, pair[0].kenmerk),
    )
    reminders = sorted(
        ((m, r) for r in rows for m in r.reminders), key=lambda pair: (pair[0].datum, pair[0].kenmerk)
    )
    context = {
        "scope": scope,
        "vandaag": day,
        "rows": rows,
        "categorie": categorie,
        "signals": [{"signal": s, "row": r, "soort": SIGNAL_KINDS.get(s.soort, s.soort)} for s, r in signals],
        "reminders": reminders,
    }
    return render(request, "contracten/werklijst.html", context)


class DecisionForm(forms.Form):
    besluit = forms.ChoiceField(label="Besluit", choices=Besluit.choices)
    reden = forms.CharField(label="Reden", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


@login_required
def overeenkomst(request, kenmerk: str):
    scope = contract_scope(request)
    ro = get_object_or_404(Raamovereenkomst, kenmerk=kenmerk)
    if not visible_agreements(scope).filter(pk=ro.pk).exists():
        raise PermissionDenied("Een aanbieder ziet alleen de eigen overeenkomst.")
    (row,) = register_rows(today(), Raamovereenkomst.objects.filter(pk=ro.pk))
    open_option = next((o for o in row.options if o.decision is None), None)
    form = DecisionForm()
    if request.method == "POST":
        if scope.rol != Rol.REGIO:
            raise PermissionDenied("Alleen de regio legt een verlengingsbesluit vast.")
        form = DecisionForm(request.POST)
        if form.is_valid() and open_option is not None:
            try:
                record_extension_decision(
                    ro,
                    open_option.number,
                    form.cleaned_data["besluit"],
                    form.cleaned_data["reden"],
                    request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Besluit over verlengingsoptie {open_option.number} vastgelegd.")
                return redirect("contracten:overeenkomst", kenmerk=ro.kenmerk)
    context = {
        "scope": scope,
        "vandaag": today(),
        "row": row,
        "ro": ro,
        "besluiten": ro.verlengingsbesluiten.select_related("door"),
        "documenten": ro.documenten.all(),
        "evaluaties": ro.evaluaties.all(),
        "producten": ro.toegelaten_producten.order_by("code"),
        "open_option": open_option,
        "form": form,
        "signal_kinds": SIGNAL_KINDS,
    }
    return render(request, "contracten/overeenkomst.html", context)


class CategoryForm(forms.Form):
    aanbieder = forms.CharField(max_length=8)
    categorie = forms.ChoiceField(label="Categorie", choices=[(c, c) for c in "ABC"])
    reden = forms.CharField(label="Reden", max_length=2000)


@login_required
def categorieen(request):
    """Suggested category from the market analysis beside the decided one; the region decides."""
    from jeugdregie.monitoring.facts import data_complete_until
    from jeugdregie.web.access import choose_year, years_with_data

    from .categories import category_rows, decide_category

    scope = scope_of(request.user)
    if scope.rol != Rol.REGIO:
        raise PermissionDenied("De categorie-indeling is voor de regio.")
    latest = data_complete_until()
    jaren = years_with_data(latest)
    jaar, melding = choose_year(request.GET.get("jaar") or request.POST.get("jaar"), jaren, latest.year - 1)
    rows = category_rows(jaar)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = CategoryForm(request.POST)
        by_agb = {r.aanbieder.agb_code: r for r in rows}
        if form.is_valid() and form.cleaned_data["aanbieder"] in by_agb:
            row = by_agb[form.cleaned_data["aanbieder"]]
            try:
                decide_category(
                    row.aanbieder,
                    form.cleaned_data["categorie"],
                    row.advice.categorie,
                    jaar,
                    form.cleaned_data["reden"],
                    request.user,
                )
            except ValidationError as error:
                errors[row.aanbieder.agb_code] = " ".join(error.messages)
            else:
                messages.success(request, f"Categorie van {row.aanbieder.naam} vastgelegd.")
                return redirect(f"{request.path}?jaar={jaar}")
        else:
            agb = request.POST.get("aanbieder", "")
            errors[agb] = "Geef een categorie en de reden van het besluit."
    context = {
        "scope": scope,
        "jaar": jaar,
        "jaren": jaren,
        "melding": melding,
        "rows": rows,
        "errors": errors,
        "afwijkend": sum(1 for r in rows if r.differs),
    }
    return render(request, "contracten/categorieen.html", context)
