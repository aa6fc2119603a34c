"""Approved overruns (goedgekeurde overschrijdingen) for the region: the list of a year and a form
to record one. Who and when are filled in from the request, never typed; a recorded approval is
not changed here (a correction is a new record, or the admin with its history)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse

from jeugdregie.accounts.models import Rol
from jeugdregie.budget.models import GoedgekeurdeOverschrijding, Plafond
from jeugdregie.budget.services import current_groups
from jeugdregie.budget.settlement_report import euro
from jeugdregie.catalogus.models import ProductGroep
from jeugdregie.contracten.models import Aanbieder

from .access import choose_year, scope_of
from .afrekening_service import default_year, settlement_years

EURO_TEXT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$|^-?\d+(\.\d{1,2})?$")


def parse_euros(text: str) -> int:
    """'1.234,56', '1234,56', '1234.56' or '1234' -> cents. Dutch first: a dot followed by
    exactly three digits is a thousands separator."""
    text = text.strip().replace(" ", "").removeprefix("EUR").removeprefix("€").strip()
    if not EURO_TEXT.match(text):
        raise forms.ValidationError("Geef een bedrag in euro's, bijvoorbeeld 12.500,00.")
    if "," in text or re.search(r"\.\d{3}(\.|$)", text):
        text = text.replace(".", "").replace(",", ".")
    try:
        cents = Decimal(text) * 100
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise forms.ValidationError("Geen geldig bedrag.") from exc
    return int(cents)


class OverrunForm(forms.Form):
    aanbieder = forms.ModelChoiceField(
        Aanbieder.objects.filter(is_nga=False, categorie__in=["A", "B"]),
        label="Aanbieder",
        empty_label="Kies een aanbieder",
        to_field_name="agb_code",
    )
    groep = forms.ChoiceField(label="Productgroep")
    jaar = forms.IntegerField(label="Jaar", min_value=2000, max_value=2100)
    bedrag = forms.CharField(label="Bedrag (EUR)", max_length=20, help_text="Bijvoorbeeld 12.500,00")
    reden = forms.CharField(label="Reden", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = current_groups()[1]
        self.fields["groep"].choices = [("", "Kies een groep")] + [
            (code, f"{code} {g.naam}") for code, g in sorted(groups.items())
        ]

    def clean_bedrag(self) -> int:
        cents = parse_euros(self.cleaned_data["bedrag"])
        if cents <= 0:
            raise forms.ValidationError("Een goedgekeurde overschrijding is groter dan 0.")
        return cents

    def clean_reden(self) -> str:
        reden = self.cleaned_data["reden"].strip()
        if not reden:
            raise forms.ValidationError("Geef de reden van de goedkeuring.")
        return reden

    def clean(self):
        data = super().clean()
        aanbieder, groep, jaar = data.get("aanbieder"), data.get("groep"), data.get("jaar")
        has_ceiling = Plafond.objects.filter(aanbieder=aanbieder, groep__code=groep, jaar=jaar).exists
        if aanbieder and groep and jaar and not has_ceiling():
            self.add_error(
                "groep",
                f"{aanbieder.naam} heeft geen plafond voor groep {groep} in {jaar}; "
                "een overschrijding hoort bij een plafond.",
            )
        return data


def _groep(code: str) -> ProductGroep:
    return current_groups()[1][code]


@login_required
def overruns(request):
    scope = scope_of(request.user)
    if scope.rol != Rol.REGIO:
        raise PermissionDenied("Goedgekeurde overschrijdingen worden door de regio vastgelegd.")
    years = settlement_years()
    jaar, melding = choose_year(request.GET.get("jaar"), years, default_year(years))
    if request.method == "POST":
        form = OverrunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            record = GoedgekeurdeOverschrijding(
                aanbieder=data["aanbieder"],
                groep=_groep(data["groep"]),
                jaar=data["jaar"],
                bedrag_cent=data["bedrag"],
                reden=data["reden"],
                door=request.user,
            )
            record.full_clean()
            record.save()
            messages.success(
                request,
                f"Vastgelegd: EUR {euro(data['bedrag'])} voor {data['aanbieder'].naam}, groep "
                f"{data['groep']}, {data['jaar']}.",
            )
            return redirect(reverse("web:afrekening_overschrijdingen") + f"?jaar={data['jaar']}")
    else:
        form = OverrunForm(initial={"jaar": jaar})
    records = GoedgekeurdeOverschrijding.objects.filter(jaar=jaar).select_related(
        "aanbieder", "groep", "door"
    )
    context = {
        "scope": scope,
        "jaar": jaar,
        "jaren": years or [jaar],
        "melding": melding,
        "form": form,
        "records": records,
        "totaal": records.aggregate(s=Sum("bedrag_cent"))["s"] or 0,
    }
    return render(request, "web/afrekening_overschrijdingen.html", context)
