"""Stuuropdracht and contract-talk screens (issue 14, step 3). The region sees every A/B provider and
records talks and tertial evaluations; a provider sees its own stuuropdracht only (small numbers
suppressed); municipalities and referrers have no access."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.monitoring.facts import data_complete_until, load_facts
from jeugdregie.web.access import choose_year, years_with_data

from . import views
from .models import Aanbieder, Actiepunt, Contractgesprek, Tertiaalevaluatie
from .register import register_rows
from .stuuropdracht import norm_rows, talk_plan
from .talk_models import Oordeel, tertial_validator

ACTION_ROWS = 3


class TalkForm(forms.Form):
    datum = forms.DateField(label="Datum", widget=forms.DateInput(attrs={"type": "date"}))
    deelnemers = forms.CharField(label="Wie (deelnemers)", max_length=300)
    afspraken = forms.CharField(label="Gemaakte afspraken", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"actie_{i}"] = forms.CharField(label=f"Actie {i}", max_length=300, required=False)
            self.fields[f"eigenaar_{i}"] = forms.CharField(label="Eigenaar", max_length=100, required=False)
            self.fields[f"deadline_{i}"] = forms.DateField(
                label="Uiterlijk", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def clean(self):
        data = super().clean()
        for i in range(1, ACTION_ROWS + 1):
            parts = [data.get(f"actie_{i}"), data.get(f"eigenaar_{i}"), data.get(f"deadline_{i}")]
            if any(parts) and not all(parts):
                raise forms.ValidationError(f"Actie {i}: vul de actie, de eigenaar en de datum alle drie in.")
        return data

    def actions(self) -> list[tuple[str, str, dt.date]]:
        d = self.cleaned_data
        return [
            (d[f"actie_{i}"], d[f"eigenaar_{i}"], d[f"deadline_{i}"])
            for i in range(1, ACTION_ROWS + 1)
            if d.get(f"actie_{i}")
        ]


class EvaluationForm(forms.Form):
    tertiaal = forms.CharField(label="Tertiaal", max_length=7, validators=[tertial_validator])
    oordeel = forms.ChoiceField(label="Oordeel", choices=Oordeel.choices)
    toelichting = forms.CharField(label="Toelichting", widget=forms.Textarea(attrs={"rows": 3}))


def _provider_for(request, agb: str) -> tuple:
    scope = views.contract_scope(request)
    if scope.rol == Rol.AANBIEDER and agb != scope.aanbieder:
        raise PermissionDenied("Een aanbieder ziet alleen de eigen stuuropdracht.")
    aanbieder = get_object_or_404(Aanbieder, agb_code=agb)
    if aanbieder.categorie not in ("A", "B") or aanbieder.is_nga:
        raise Http404("Alleen A- en B-aanbieders hebben een stuuropdracht.")
    return scope, aanbieder


@login_required
def stuuropdracht(request, agb: str):
    scope, aanbieder = _provider_for(request, agb)
    latest = data_complete_until()
    jaren = years_with_data(latest)
    jaar, melding = choose_year(request.GET.get("jaar"), jaren, latest.year)
    talk_form, evaluation_form = TalkForm(), EvaluationForm(initial={"tertiaal": f"{jaar}-T1"})
    if request.method == "POST":
        if scope.rol != Rol.REGIO:
            raise PermissionDenied("Alleen de regio legt gesprekken en evaluaties vast.")
        if request.POST.get("soort") == "gesprek":
            talk_form = TalkForm(request.POST)
            if talk_form.is_valid():
                _save_talk(aanbieder, talk_form, request.user)
                messages.success(request, "Contractgesprek vastgelegd.")
                return redirect(f"{request.path}?jaar={jaar}")
        elif request.POST.get("soort") == "evaluatie":
            evaluation_form = EvaluationForm(request.POST)
            if evaluation_form.is_valid():
                d = evaluation_form.cleaned_data
                if Tertiaalevaluatie.objects.filter(aanbieder=aanbieder, tertiaal=d["tertiaal"]).exists():
                    evaluation_form.add_error(
                        "tertiaal", f"Voor {d['tertiaal']} is al een evaluatie vastgelegd."
                    )
                else:
                    Tertiaalevaluatie.objects.create(aanbieder=aanbieder, door=request.user, **d)
                    AuditRegel.objects.create(
                        user=request.user,
                        actie="tertiaalevaluatie",
                        object_omschrijving=f"{aanbieder.agb_code} {d['tertiaal']}: {d['oordeel']}",
                    )
                    messages.success(request, f"Evaluatie {d['tertiaal']} vastgelegd.")
                    return redirect(f"{request.path}?jaar={jaar}")
    facts = load_facts(dt.date(jaar, 1, 1), dt.date(jaar, 12, 31))
    from .outcomes import outcome_rows
    from .stuuropdracht import peers_of

    peers = peers_of(aanbieder.agb_code, facts, jaar)
    context = {
        "uitkomsten": outcome_rows(aanbieder.agb_code, jaar, peers, scope.suppress_small_numbers),
        "scope": scope,
        "aanbieder": aanbieder,
        "jaar": jaar,
        "jaren": jaren,
        "melding": melding,
        "rows": norm_rows(scope, aanbieder.agb_code, jaar, facts),
        "plan": talk_plan(aanbieder, views.today()),
        "gesprekken": aanbieder.gesprekken.select_related("vastgelegd_door").prefetch_related("acties"),
        "evaluaties": aanbieder.evaluaties.select_related("door"),
        "talk_form": talk_form,
        "evaluation_form": evaluation_form,
    }
    return render(request, "contracten/stuuropdracht.html", context)


@transaction.atomic
def _save_talk(aanbieder: Aanbieder, form: TalkForm, user) -> Contractgesprek:
    d = form.cleaned_data
    talk = Contractgesprek.objects.create(
        aanbieder=aanbieder,
        datum=d["datum"],
        deelnemers=d["deelnemers"],
        afspraken=d["afspraken"],
        vastgelegd_door=user,
    )
    for omschrijving, eigenaar, deadline in form.actions():
        Actiepunt.objects.create(
            gesprek=talk, omschrijving=omschrijving, eigenaar=eigenaar, deadline=deadline
        )
    AuditRegel.objects.create(
        user=user, actie="contractgesprek", object_omschrijving=f"{aanbieder.agb_code} {d['datum']:%d-%m-%Y}"
    )
    return talk


@login_required
def gesprekken(request):
    """Talk planning: A every six weeks, B each tertial, C on a contract signal; open actions."""
    scope = views.contract_scope(request)
    if scope.rol != Rol.REGIO:
        raise PermissionDenied("De gespreksplanning is voor de regio.")
    today = views.today()
    newest_signal: dict[str, dt.date] = {}
    for row in register_rows(today):
        for s in row.signals:
            agb = row.ro.aanbieder.agb_code
            newest_signal[agb] = max(newest_signal.get(agb, s.datum), s.datum)
    planned = []
    for aanbieder in Aanbieder.objects.filter(is_nga=False).prefetch_related("gesprekken"):
        plan = talk_plan(aanbieder, today, newest_signal.get(aanbieder.agb_code))
        if plan.due is not None:
            last = max((g.datum for g in aanbieder.gesprekken.all()), default=None)
            planned.append({"aanbieder": aanbieder, "plan": plan, "laatste": last})
    planned.sort(key=lambda p: (p["plan"].due, p["aanbieder"].categorie, p["aanbieder"].naam))
    open_actions = Actiepunt.objects.filter(afgerond_op__isnull=True).select_related("gesprek__aanbieder")
    return render(
        request,
        "contracten/gesprekken.html",
        {"scope": scope, "vandaag": today, "planned": planned, "acties": open_actions},
    )
