"""Category advice from the market analysis beside the decided category (issue 14, step 2), and
recording a category decision with who, when and why (audited)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.rules import category_advice as rules
from jeugdregie.rules import kpi as kpi_rules

from .models import Aanbieder
from .register_models import Categoriebesluit


def market_positions(year: int, claims=None) -> dict[str, rules.MarketPosition]:
    """{AGB: position} for every provider with accepted claims in `year` or the year before."""
    from jeugdregie.monitoring.facts import claim_facts

    if claims is None:
        claims = list(claim_facts(dt.date(year - 1, 1, 1), dt.date(year, 12, 31)))
    facts = kpi_rules.claim_only(claims)
    now = kpi_rules.compute("spend", facts, kpi_rules.year(year), ("aanbieder",))
    before = kpi_rules.compute("spend", facts, kpi_rules.year(year - 1), ("aanbieder",))
    by_segment = kpi_rules.compute("spend", facts, kpi_rules.year(year), ("aanbieder", "segment"))
    segments: dict[str, int] = defaultdict(int)
    for (agb, segment), spend in by_segment.items():
        if segment and spend > 0:
            segments[agb] += 1
    region = sum(now.values())
    nga = set(Aanbieder.objects.filter(is_nga=True).values_list("agb_code", flat=True))
    return {
        agb: rules.MarketPosition(
            agb,
            int(now.get((agb,), 0)),
            int(before.get((agb,), 0)),
            segments.get(agb, 0),
            int(region),
            agb in nga,
        )
        for (agb,) in {*now, *before}
    }


@dataclass
class CategoryRow:
    aanbieder: Aanbieder
    position: rules.MarketPosition | None
    advice: rules.CategoryAdvice
    last_decision: Categoriebesluit | None

    @property
    def differs(self) -> bool:
        return self.advice.categorie != self.aanbieder.categorie


def category_rows(year: int) -> list[CategoryRow]:
    positions = market_positions(year)
    last: dict[int, Categoriebesluit] = {}
    for decision in Categoriebesluit.objects.select_related("door").order_by("op", "pk"):
        last[decision.aanbieder_id] = decision
    rows = []
    for provider in Aanbieder.objects.all():
        position = positions.get(provider.agb_code)
        advice = (
            rules.advise(position)
            if position
            else rules.CategoryAdvice(provider.agb_code, "C", (f"geen declaraties in {year - 1} en {year}",))
        )
        rows.append(CategoryRow(provider, position, advice, last.get(provider.pk)))
    return sorted(rows, key=lambda r: (-(r.position.spend_cent if r.position else 0), r.aanbieder.naam))


@transaction.atomic
def decide_category(
    aanbieder: Aanbieder, categorie: str, advies: str, jaar: int, reden: str, user
) -> Categoriebesluit:
    if categorie not in ("A", "B", "C"):
        raise ValidationError("Kies categorie A, B of C.")
    if not reden.strip():
        raise ValidationError("Geef de reden van het besluit.")
    if aanbieder.is_nga and categorie != "C":
        raise ValidationError("Een niet-gecontracteerde aanbieder (NGA) hoort in categorie C.")
    decision = Categoriebesluit.objects.create(
        aanbieder=aanbieder,
        jaar=jaar,
        oud=aanbieder.categorie,
        categorie=categorie,
        advies=advies,
        reden=reden.strip(),
        door=user,
    )
    aanbieder.categorie = categorie
    aanbieder.save(update_fields=["categorie"])
    AuditRegel.objects.create(
        user=user,
        actie="categoriebesluit",
        object_omschrijving=f"{aanbieder.agb_code}: {decision.oud} -> {categorie} (advies {advies})",
    )
    return decision
