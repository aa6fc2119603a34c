"""The contract register from the database: each agreement as the lifecycle rules read it, its
signals, reminders and SROI/MVI obligation, and recording an extension decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.rules import contracts as rules

from .models import Raamovereenkomst
from .register_models import Besluit, DocumentSoort, Verlengingsbesluit


def last_client_days(today: dt.date) -> dict[int, dt.date]:
    """{provider id: the last day up to `today` on which one of its allocations was valid}."""
    from jeugdregie.zorg.models import Toewijzing

    live = Toewijzing.objects.filter(verwijderd=False, ingangsdatum__lte=today)
    open_now = set(
        live.filter(Q(einddatum__isnull=True) | Q(einddatum__gte=today)).values_list(
            "aanbieder_id", flat=True
        )
    )
    found = {
        pk: day
        for pk, day in live.values_list("aanbieder_id").annotate(m=Max("einddatum"))
        if day is not None
    }
    for pk in open_now:
        found[pk] = today
    return found


def turnover(year: int) -> dict[int, int]:
    """{provider id: accepted net claimed amount in cents with a product period in `year`}."""
    from jeugdregie.zorg.models import DeclaratieRegel

    rows = (
        DeclaratieRegel.objects.filter(afgewezen=False, periode_begin__year=year)
        .values_list("aanbieder_id")
        .annotate(s=Sum("bedrag_cent"))
    )
    return {pk: int(total or 0) for pk, total in rows}


def agreement_of(ro: Raamovereenkomst, last_client_day: dt.date | None) -> rules.Agreement:
    docs = {d.soort for d in ro.documenten.all()}
    return rules.Agreement(
        kenmerk=ro.kenmerk,
        aanbieder=ro.aanbieder.agb_code,
        categorie=ro.aanbieder.categorie,
        start=ro.ingangsdatum,
        signed=ro.ondertekend_op,
        initial_years=ro.looptijd_jaren,
        extension_years=ro.verlenging_jaren,
        options=ro.verlengingen,
        decisions={b.optie: b.besluit for b in ro.verlengingsbesluiten.all()},
        decision_months=ro.beslistermijn_maanden,
        terminated_on=ro.beeindigd_op,
        continuity_plan=DocumentSoort.CONTINUITEIT in docs,
        evaluations=tuple((e.datum, e.gehouden_op is not None) for e in ro.evaluaties.all()),
        last_client_day=last_client_day,
        documents=tuple((d.titel, d.geldig_tot) for d in ro.documenten.all() if d.geldig_tot),
    )


@dataclass
class RegisterRow:
    ro: Raamovereenkomst
    agreement: rules.Agreement
    end: dt.date
    options: list[rules.ExtensionOption]
    signals: list[rules.ContractSignal]
    reminders: list[rules.Reminder]
    turnover_cent: int
    sroi: rules.SroiObligation
    has_mvi_plan: bool
    has_sroi_plan: bool


def register_rows(today: dt.date, queryset=None) -> list[RegisterRow]:
    queryset = (queryset if queryset is not None else Raamovereenkomst.objects.all()).select_related(
        "aanbieder", "contractmanager"
    )
    queryset = queryset.prefetch_related("documenten", "verlengingsbesluiten", "evaluaties")
    idle = last_client_days(today)
    spent = turnover(today.year - 1)
    rows = []
    for ro in queryset:
        agreement = agreement_of(ro, idle.get(ro.aanbieder_id))
        docs = {d.soort for d in ro.documenten.all()}
        value = spent.get(ro.aanbieder_id, 0)
        sroi = rules.sroi_obligation(
            value, ro.contractwaarde_cent if ro.contractwaarde_cent is not None else value
        )
        rows.append(
            RegisterRow(
                ro,
                agreement,
                rules.end_date(agreement),
                rules.extension_options(agreement),
                rules.contract_signals([agreement], today),
                rules.reminders(agreement, today),
                value,
                sroi,
                DocumentSoort.MVI in docs,
                DocumentSoort.SROI in docs,
            )
        )
    return rows


def open_signals(today: dt.date) -> list[rules.ContractSignal]:
    """Every agreement's signals on `today`, as on the worklist (the register without turnover and
    SROI): the overview's count."""
    queryset = Raamovereenkomst.objects.select_related("aanbieder").prefetch_related(
        "documenten", "verlengingsbesluiten", "evaluaties"
    )
    idle = last_client_days(today)
    return rules.contract_signals((agreement_of(ro, idle.get(ro.aanbieder_id)) for ro in queryset), today)


@transaction.atomic
def record_extension_decision(
    ro: Raamovereenkomst, optie: int, besluit: str, reden: str, user
) -> Verlengingsbesluit:
    """Record the decision on the next open extension option; the agreement's extensions taken
    follow from the decisions. Written to the audit log."""
    ro = Raamovereenkomst.objects.select_for_update().get(pk=ro.pk)
    agreement = agreement_of(ro, None)
    open_options = [o for o in rules.extension_options(agreement) if o.decision is None]
    if ro.beeindigd_op:
        raise ValidationError("Deze overeenkomst is beëindigd; er valt niets te verlengen.")
    if not open_options or open_options[0].number != optie:
        raise ValidationError(f"Verlengingsoptie {optie} staat niet open voor een besluit.")
    if besluit not in Besluit.values:
        raise ValidationError("Kies verlengen of niet verlengen.")
    if not reden.strip():
        raise ValidationError("Geef de reden van het besluit.")
    decision = Verlengingsbesluit.objects.create(
        raamovereenkomst=ro, optie=optie, besluit=besluit, reden=reden.strip(), door=user
    )
    if besluit == Besluit.VERLENGD:
        ro.verlengingen_benut = optie
        ro.save(update_fields=["verlengingen_benut"])
    AuditRegel.objects.create(
        user=user,
        actie="verlengingsbesluit",
        object_omschrijving=f"{ro.kenmerk} optie {optie}: {besluit}",
    )
    return decision
