"""Open-house admission from the database (issue 14, step 6): registering an application inside an
open window, assessing its checklist, and the decision; on admission the new agreement or the
product extension, each step in the audit log."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.rules import admission as rules
from jeugdregie.rules.contracts import SIGN_MONTHS_BEFORE_START, add_months

from .admission_models import Aanvraag, Beoordeling, Toetredingscriterium, Toetredingsvenster
from .models import Aanbieder, Raamovereenkomst, agb_validator


def windows() -> list[rules.Window]:
    return [rules.Window(w.categorie, w.opent_op, w.sluit_op) for w in Toetredingsvenster.objects.all()]


def _audit(user, actie: str, what: str) -> None:
    AuditRegel.objects.create(user=user, actie=actie, object_omschrijving=what[:300])


@transaction.atomic
def register_application(
    *, agb: str, naam: str, categorie: str, soort: str, products, submitted: dt.date, user
) -> Aanvraag:
    agb_validator(agb)
    errors = rules.application_errors(windows(), categorie, submitted)
    existing = Raamovereenkomst.objects.filter(aanbieder__agb_code=agb).first()
    products = list(products)
    if not products:
        errors.append("Kies minstens één product.")
    if soort == Aanvraag.Soort.NIEUW and existing:
        errors.append(f"AGB {agb} heeft al raamovereenkomst {existing.kenmerk}; vraag een uitbreiding aan.")
    if soort == Aanvraag.Soort.UITBREIDING:
        if not existing:
            errors.append(f"AGB {agb} heeft geen raamovereenkomst om uit te breiden.")
        else:
            admitted = set(existing.toegelaten_producten.values_list("pk", flat=True))
            double = [p.code for p in products if p.pk in admitted]
            if double:
                errors.append("Al toegelaten: " + ", ".join(sorted(double)) + ".")
    if Aanbieder.objects.filter(agb_code=agb, is_nga=False).exclude(categorie=categorie).exists():
        current = Aanbieder.objects.get(agb_code=agb).categorie
        errors.append(
            f"AGB {agb} is een categorie-{current}-aanbieder; de aanvraag moet die categorie hebben."
        )
    if errors:
        raise ValidationError(errors)
    window = next(
        w
        for w in Toetredingsvenster.objects.filter(categorie=categorie)
        if w.opent_op <= submitted <= w.sluit_op
    )
    aanvraag = Aanvraag.objects.create(
        agb_code=agb,
        organisatienaam=naam,
        categorie=categorie,
        soort=soort,
        ingediend_op=submitted,
        venster=window,
        geregistreerd_door=user,
    )
    aanvraag.producten.set(products)
    for criterium in Toetredingscriterium.objects.filter(categorie=categorie):
        Beoordeling.objects.create(aanvraag=aanvraag, criterium=criterium)
    _audit(user, "toetredingsaanvraag", f"{agb} {naam}: {soort}, {len(products)} product(en)")
    return aanvraag


@transaction.atomic
def assess(aanvraag: Aanvraag, answers: dict[int, tuple[bool | None, str]], user) -> None:
    if aanvraag.status != Aanvraag.Status.INGEDIEND:
        raise ValidationError("Over deze aanvraag is al besloten.")
    for beoordeling in aanvraag.beoordelingen.all():
        if beoordeling.pk in answers:
            beoordeling.voldaan, beoordeling.toelichting = answers[beoordeling.pk]
            beoordeling.save(update_fields=["voldaan", "toelichting"])
    _audit(user, "toetreding beoordeeld", f"aanvraag {aanvraag.pk} {aanvraag.agb_code}")


def start_date_after(day: dt.date) -> dt.date:
    """The first first-of-the-month at least three months after `day`: a new agreement signed now
    meets the Norm voor Opdrachtgeverschap."""
    limit = add_months(day, SIGN_MONTHS_BEFORE_START)
    return limit if limit.day == 1 else add_months(limit.replace(day=1), 1)


@transaction.atomic
def decide(aanvraag: Aanvraag, outcome: str, reason: str, user, today: dt.date) -> Aanvraag:
    aanvraag = Aanvraag.objects.select_for_update().get(pk=aanvraag.pk)
    if aanvraag.status != Aanvraag.Status.INGEDIEND:
        raise ValidationError("Over deze aanvraag is al besloten.")
    checklist = [
        (b.criterium.omschrijving, b.voldaan) for b in aanvraag.beoordelingen.select_related("criterium")
    ]
    errors = rules.decision_errors(outcome, checklist, reason)
    if errors:
        raise ValidationError(errors)
    aanvraag.status, aanvraag.motivering = outcome, reason.strip()
    aanvraag.besloten_door, aanvraag.besloten_op = user, timezone.now()
    if outcome == Aanvraag.Status.TOEGELATEN:
        products = list(aanvraag.producten.all())
        if aanvraag.soort == Aanvraag.Soort.NIEUW:
            provider, _ = Aanbieder.objects.get_or_create(
                agb_code=aanvraag.agb_code,
                defaults={"naam": aanvraag.organisatienaam, "categorie": aanvraag.categorie},
            )
            start = start_date_after(today)
            ro = Raamovereenkomst.objects.create(
                aanbieder=provider, kenmerk=f"RO-{start.year}-{provider.agb_code}", ingangsdatum=start
            )
            ro.toegelaten_producten.set(products)
            _audit(user, "raamovereenkomst aangemaakt", f"{ro.kenmerk} vanaf {start:%d-%m-%Y} na toetreding")
        else:
            ro = Raamovereenkomst.objects.get(aanbieder__agb_code=aanvraag.agb_code)
            ro.toegelaten_producten.add(*products)
            _audit(user, "producten toegevoegd", f"{ro.kenmerk}: " + ", ".join(p.code for p in products))
        aanvraag.raamovereenkomst = ro
    aanvraag.save()
    _audit(user, "toetredingsbesluit", f"aanvraag {aanvraag.pk} {aanvraag.agb_code}: {outcome}")
    return aanvraag
