"""Contract cases of the demo region (issue 14): a few agreements with the dates of real contract
management, so that the region's contract worklist (/contracten/) shows each Norm voor
Opdrachtgeverschap signal and a reminder. Without them every demo agreement starts 1-1-2026, signed
1-9-2025, and the worklist is empty.

The dates are relative to the demo's "today": the first day of the current month, the day after the
generated traffic ends (``generator.default_until``). The cases touch only the contract register
(agreement dates, documents, an evaluation) and add one C provider without any client: no iJw
message, claim, ceiling or settlement figure depends on them. Deterministic: fixed providers (by
their place in ``region.aanbieders()``) and dates that follow from the day only.

A case is applied once, to an agreement as the loader made it (without documents); a later load
leaves an agreement the user has worked on as it is."""

from __future__ import annotations

import datetime as dt

from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder, Raamovereenkomst
from jeugdregie.contracten.register_models import ContractDocument, DocumentSoort, Evaluatiemoment
from jeugdregie.rules.contracts import add_months, add_years

from . import region

# Places in region.aanbieders() (copy 1): 0-7 are A, 8-24 B, 25-79 C providers.
LATE_SIGNED = 12  # B013: signed 6 weeks before its start
OVERDUE_EXTENSION = 19  # B020: a one-year pilot whose extension decision is overdue
ENDING = 50  # C051: terminated by the provider, ending in four months, no continuity plan
REMINDER = 4  # A005: its administration protocol expires next month, an evaluation this month
#: A C provider admitted 14 months ago that never had a client (no iJw traffic at all).
IDLE_AGB = "98090001"  # outside the generator's AGB range (98000001 .. 98012600 at scale 90)
IDLE_NAAM = "Praktijk Het Veld (C900)"
IDLE_GROEP = "D"  # admitted for the day-care products of the new book


def demo_today(today: dt.date | None = None) -> dt.date:
    """The first day of the current month: the traffic runs to the end of the month before
    (``generator.default_until``)."""
    return (today or dt.date.today()).replace(day=1)


def _untouched(ro: Raamovereenkomst) -> bool:
    return not ro.documenten.exists()


def _document(ro: Raamovereenkomst, soort: str, titel: str, **dates: dt.date) -> None:
    ContractDocument.objects.create(
        raamovereenkomst=ro, soort=soort, titel=titel, vindplaats=f"Zaak {ro.kenmerk}", **dates
    )


def _agreement_document(ro: Raamovereenkomst, titel: str = "Raamovereenkomst jeugdhulp") -> None:
    _document(
        ro,
        DocumentSoort.OVEREENKOMST,
        titel,
        ondertekend_op=ro.ondertekend_op,
        geldig_vanaf=ro.ingangsdatum,
    )


def apply_contract_cases(today: dt.date | None = None) -> list[str]:
    """Apply the demo's contract cases relative to ``demo_today(today)``; the kenmerken changed."""
    day = demo_today(today)
    specs = region.aanbieders()
    changed: list[str] = []

    def agreement(index: int) -> Raamovereenkomst | None:
        ro = Raamovereenkomst.objects.filter(aanbieder__agb_code=specs[index].agb_code).first()
        return ro if ro is not None and _untouched(ro) else None

    # Signed 6 weeks before its start: less than the 3 months of the Norm voor Opdrachtgeverschap.
    if ro := agreement(LATE_SIGNED):
        ro.ondertekend_op = ro.ingangsdatum - dt.timedelta(weeks=6)
        ro.save(update_fields=["ondertekend_op"])
        _agreement_document(ro)
        changed.append(ro.kenmerk)

    # A one-year pilot (two options of a year) ending three months from now: the decision on the
    # first option was due six months before the end and has not been taken.
    if ro := agreement(OVERDUE_EXTENSION):
        ro.ingangsdatum = add_years(add_months(day, 3), -1)
        ro.ondertekend_op = add_months(ro.ingangsdatum, -4)
        ro.looptijd_jaren, ro.verlengingen, ro.verlenging_jaren = 1, 2, 1
        ro.save(
            update_fields=[
                "ingangsdatum",
                "ondertekend_op",
                "looptijd_jaren",
                "verlengingen",
                "verlenging_jaren",
            ]
        )
        _agreement_document(ro, "Pilotovereenkomst jeugdhulp (1 jaar, 2 x 1 jaar verlenging)")
        changed.append(ro.kenmerk)

    # Terminated by the provider last month, ending in four months; no continuity plan yet.
    if ro := agreement(ENDING):
        ro.beeindigd_op = add_months(day, 4) - dt.timedelta(days=1)
        ro.save(update_fields=["beeindigd_op"])
        _agreement_document(ro)
        _document(
            ro,
            DocumentSoort.WIJZIGING,
            f"Opzegging door de aanbieder per {ro.beeindigd_op:%d-%m-%Y}",
            ondertekend_op=add_months(day, -1),
        )
        changed.append(ro.kenmerk)

    # Reminders: the administration protocol expires at the end of next month, an evaluation is due
    # in four weeks (the previous one was held).
    if ro := agreement(REMINDER):
        _agreement_document(ro)
        _document(
            ro,
            DocumentSoort.PROTOCOL,
            "Administratie- en controleprotocol",
            geldig_vanaf=ro.ingangsdatum,
            geldig_tot=add_months(day, 2) - dt.timedelta(days=1),
        )
        held = add_months(day, -4)
        Evaluatiemoment.objects.create(
            raamovereenkomst=ro, datum=held, gehouden_op=held, verslag="Tertiaalevaluatie gehouden."
        )
        Evaluatiemoment.objects.create(raamovereenkomst=ro, datum=day + dt.timedelta(days=27))
        changed.append(ro.kenmerk)

    # A C provider admitted 14 months ago without any client since: proposed for ending.
    start = add_months(day, -14)
    aanbieder, _ = Aanbieder.objects.get_or_create(
        agb_code=IDLE_AGB, defaults={"naam": IDLE_NAAM, "categorie": "C", "grootteklasse": "micro"}
    )
    ro, created = Raamovereenkomst.objects.get_or_create(
        aanbieder=aanbieder,
        defaults={
            "kenmerk": f"RO-{start.year}-{IDLE_AGB}",
            "ingangsdatum": start,
            "ondertekend_op": add_months(start, -4),
        },
    )
    if created or _untouched(ro):
        ro.ingangsdatum, ro.ondertekend_op = start, add_months(start, -4)
        ro.save(update_fields=["ingangsdatum", "ondertekend_op"])
        new_book = region.NIEUW_BOEK
        codes = [p.code for p in new_book.producten if p.groep == IDLE_GROEP]
        ro.toegelaten_producten.set(Product.objects.filter(boek__naam=new_book.naam, code__in=codes))
        _agreement_document(ro, "Raamovereenkomst jeugdhulp (toetreding open house)")
        changed.append(ro.kenmerk)
    return changed
