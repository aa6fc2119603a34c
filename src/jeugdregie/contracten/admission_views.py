"""Open-house admission screens (issue 14, step 6). The region registers applications, assesses the
checklist and decides; a provider sees its own applications and their decisions only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from jeugdregie.accounts.models import Rol
from jeugdregie.catalogus.models import Product

from . import admission, views
from .admission_models import Aanvraag, Toetredingscriterium, Toetredingsvenster


class ApplicationForm(forms.Form):
    agb = forms.CharField(label="AGB-code", max_length=8)
    naam = forms.CharField(label="Naam aanbieder", max_length=200)
    categorie = forms.ChoiceField(label="Categorie", choices=[(c, c) for c in "ABC"])
    soort = forms.ChoiceField(label="Soort", choices=Aanvraag.Soort.choices)
    producten = forms.ModelMultipleChoiceField(
        label="Producten", queryset=Product.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    ingediend_op = forms.DateField(
        label="Ingediend op", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        book = Product.objects.order_by("-boek__geldig_van").values_list("boek_id", flat=True).first()
        self.fields["producten"].queryset = Product.objects.filter(boek_id=book).order_by("code")


ANSWERS = {"ja": True, "nee": False, "": None}


def _scope(request):
    scope = views.contract_scope(request)
    if scope.rol == Rol.BEHEER:
        raise PermissionDenied("Toetreding is voor de regio en de eigen aanbieder.")
    return scope


@login_required
def toetreding(request):
    scope = _scope(request)
    today = views.today()
    aanvragen = Aanvraag.objects.select_related("venster", "besloten_door")
    if scope.rol == Rol.AANBIEDER:
        aanvragen = aanvragen.filter(agb_code=scope.aanbieder)
    form = ApplicationForm(initial={"ingediend_op": today})
    if request.method == "POST":
        if scope.rol != Rol.REGIO:
            raise PermissionDenied("Alleen de regio registreert aanvragen.")
        form = ApplicationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                aanvraag = admission.register_application(
                    agb=d["agb"],
                    naam=d["naam"],
                    categorie=d["categorie"],
                    soort=d["soort"],
                    products=d["producten"],
                    submitted=d["ingediend_op"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Aanvraag geregistreerd.")
                return redirect("contracten:aanvraag", pk=aanvraag.pk)
    context = {
        "scope": scope,
        "vandaag": today,
        "vensters": Toetredingsvenster.objects.all(),
        "criteria": Toetredingscriterium.objects.all(),
        "aanvragen": aanvragen,
        "form": form,
    }
    return render(request, "contracten/toetreding.html", context)


@login_required
def aanvraag(request, pk: int):
    scope = _scope(request)
    item = get_object_or_404(Aanvraag, pk=pk)
    if scope.rol == Rol.AANBIEDER and item.agb_code != scope.aanbieder:
        raise PermissionDenied("Een aanbieder ziet alleen de eigen aanvragen.")
    errors: list[str] = []
    if request.method == "POST":
        if scope.rol != Rol.REGIO:
            raise PermissionDenied("Alleen de regio beoordeelt en besluit.")
        answers = {
            b.pk: (
                ANSWERS.get(request.POST.get(f"voldaan_{b.pk}", "")),
                request.POST.get(f"toelichting_{b.pk}", "")[:300],
            )
            for b in item.beoordelingen.all()
        }
        try:
            admission.assess(item, answers, request.user)
            if request.POST.get("besluit"):
                admission.decide(
                    item,
                    request.POST["besluit"],
                    request.POST.get("motivering", ""),
                    request.user,
                    views.today(),
                )
                messages.success(request, "Besluit vastgelegd.")
            else:
                messages.success(request, "Beoordeling opgeslagen.")
            return redirect("contracten:aanvraag", pk=item.pk)
        except ValidationError as error:
            errors = error.messages
            item.refresh_from_db()
    context = {
        "scope": scope,
        "a": item,
        "beoordelingen": item.beoordelingen.select_related("criterium"),
        "producten": item.producten.order_by("code"),
        "errors": errors,
    }
    return render(request, "contracten/aanvraag.html", context)
