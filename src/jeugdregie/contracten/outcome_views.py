"""Outcomes upload and form (issue 14, step 5): an A or B provider reports client satisfaction and
goal attainment per tertial for itself; the region may report for any A or B provider. Every row is
validated; with one error nothing is imported and every row's error is shown in Dutch."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from jeugdregie.accounts.models import Rol
from jeugdregie.rules import outcomes as rules

from . import outcomes, views
from .talk_models import Uitkomstmeting


class OutcomeForm(forms.Form):
    aanbieder = forms.CharField(label="AGB-code", max_length=8)
    tertiaal = forms.CharField(label="Tertiaal (JJJJ-T1/T2/T3)", max_length=7)
    indicator = forms.ChoiceField(label="Indicator", choices=list(rules.INDICATORS.items()))
    gemeten = forms.CharField(label="Aantal gemeten", max_length=9)
    positief = forms.CharField(label="Aantal positief", max_length=9)


class UploadForm(forms.Form):
    bestand = forms.FileField(label="Excel-bestand (.xlsx)")


@login_required
def uitkomsten(request):
    scope = views.contract_scope(request)
    only = scope.aanbieder if scope.rol == Rol.AANBIEDER else None
    if scope.rol == Rol.BEHEER:
        raise PermissionDenied("Uitkomsten leveren aanbieders en de regio aan.")
    known = outcomes.categories()
    if only and known.get(only) not in ("A", "B"):
        raise PermissionDenied("Alleen A- en B-aanbieders leveren uitkomsten aan.")
    form = OutcomeForm(initial={"aanbieder": only} if only else None)
    upload = UploadForm()
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST":
        rows: list[tuple] = []
        if request.POST.get("soort") == "upload":
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    rows = outcomes.read_workbook(request.FILES["bestand"])
                except outcomes.UploadError as error:
                    upload.add_error("bestand", str(error))
        else:
            form = OutcomeForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                rows = [(d["aanbieder"], d["tertiaal"], d["indicator"], d["gemeten"], d["positief"])]
        if rows:
            found, row_errors = rules.validate_rows(rows, known, outcomes.today(), only_provider=only)
            if request.POST.get("soort") != "upload":
                row_errors = [(0, message) for _, message in row_errors]
            if not row_errors:
                count = outcomes.import_outcomes(found, request.user)
                messages.success(request, f"{count} meting(en) opgeslagen.")
                return redirect("contracten:uitkomsten")
    metingen = Uitkomstmeting.objects.select_related("aanbieder", "door")
    if only:
        metingen = metingen.filter(aanbieder__agb_code=only)
    return render(
        request,
        "contracten/uitkomsten.html",
        {
            "scope": scope,
            "form": form,
            "upload": upload,
            "row_errors": row_errors,
            "metingen": metingen[:200],
            "kolommen": rules.HEADER,
        },
    )
