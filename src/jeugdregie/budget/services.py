"""Ceilings from the database: reference production, the rules of jeugdregie.rules.ceilings, and
storage with manual overrides kept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from jeugdregie.catalogus.models import Indexering, Product, ProductBoek, ProductGroep
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import product_index
from jeugdregie.regio.models import Gemeente, JeugdigenAantal
from jeugdregie.rules import ceilings as rules
from jeugdregie.zorg.models import DeclaratieRegel

from .models import Beleidsaanpassing, CBudget, Plafond, PlafondVerdeling, PlafondWijziging


def reference_production(reference_year: int) -> list[rules.Production]:
    """Net claimed amount per provider, product (mapped to the current book) and municipality."""
    mapped = {pk: code for pk, (_segment, _groep, code, *_rest) in product_index().items()}
    rows = (
        DeclaratieRegel.objects.filter(periode_begin__year=reference_year, afgewezen=False)  # accepted claims
        .values(
            "aanbieder__agb_code",
            "aanbieder__categorie",
            "aanbieder__is_nga",
            "product_id",
            "gemeente__cbs_code",
        )
        .annotate(total=Sum("bedrag_cent"))
    )
    totals: dict[tuple, int] = defaultdict(int)
    for row in rows:
        categorie = "C" if row["aanbieder__is_nga"] else row["aanbieder__categorie"]
        key = (
            row["aanbieder__agb_code"],
            categorie,
            mapped.get(row["product_id"], ""),
            row["gemeente__cbs_code"],
        )
        totals[key] += row["total"]
    return [rules.Production(a, c, p, g, v) for (a, c, p, g), v in sorted(totals.items()) if p]


def current_groups() -> tuple[dict[str, str], dict[str, ProductGroep]]:
    """The product groups ceilings are set in, for any year: product code as `product_index`
    reports it (a legacy product as the new-book product it maps to) -> group code, and group
    code -> its ProductGroep. So a year of the legacy book gets ceilings in the groups of the
    products its products map to, and claims, ceilings and forecasts all meet on one group code.
    Where two books have a group with the same code, the newest book's group is the one stored."""
    group_of: dict[str, str] = {}
    groups: dict[str, ProductGroep] = {}
    products = Product.objects.select_related(
        "groep__segment", "mapping__nieuw_product__groep__segment"
    ).order_by("-boek__geldig_van", "pk")
    for product in products:
        current = product.mapping.nieuw_product if hasattr(product, "mapping") else product
        group_of.setdefault(current.code, current.groep.code)
        groups.setdefault(current.groep.code, current.groep)
    return group_of, groups


def index_percentages() -> dict[int, Decimal]:
    return {run.naar_jaar: run.percentage for run in Indexering.objects.all()}


def adjustment_for(year: int):
    rows = list(Beleidsaanpassing.objects.filter(jaar=year).select_related("segment", "aanbieder"))
    by_provider = {r.aanbieder.agb_code: r.percentage for r in rows if r.aanbieder_id}
    by_segment = {r.segment.code: r.percentage for r in rows if r.segment_id}
    regional = next((r.percentage for r in rows if not r.aanbieder_id and not r.segment_id), Decimal(0))
    segment_of_group = {}

    def adjustment(aanbieder: str, groep: str) -> Decimal:
        if aanbieder in by_provider:
            return by_provider[aanbieder]
        segment = segment_of_group.get(groep)
        if segment in by_segment:
            return by_segment[segment]
        return regional

    return adjustment, segment_of_group


@transaction.atomic
def calculate_ceilings(year: int, reference_year: int) -> tuple[list[Plafond], CBudget]:
    """(Re)calculate and store the ceilings of `year`. A ceiling set by hand keeps its amount (its
    split follows the new weights); everything else is replaced."""
    if ProductBoek.geldig_op(dt.date(year, 1, 1)) is None:
        raise ValueError(f"Geen productboek geldig op 1 januari {year}.")
    group_of, groups = current_groups()
    adjustment, segment_of_group = adjustment_for(year)
    segment_of_group.update({code: g.segment.code if g.segment else "" for code, g in groups.items()})
    contracted = [
        (
            a.agb_code,
            a.categorie,
            sorted(set(a.raamovereenkomst.toegelaten_producten.values_list("groep__code", flat=True))),
        )
        for a in Aanbieder.objects.filter(is_nga=False, raamovereenkomst__isnull=False).select_related(
            "raamovereenkomst"
        )
    ]
    population = dict(
        JeugdigenAantal.objects.filter(jaar=reference_year).values_list("gemeente__cbs_code", "aantal")
    )
    computed, c_budget = rules.compute_ceilings(
        reference_production(reference_year),
        group_of,
        year=year,
        reference_year=reference_year,
        index=index_percentages(),
        adjustment=adjustment,
        providers=contracted,
        fallback_key=population,
    )
    aanbieders = {a.agb_code: a for a in Aanbieder.objects.all()}
    gemeenten = {g.cbs_code: g for g in Gemeente.objects.all()}
    manual = {
        (p.aanbieder.agb_code, p.groep.code): p
        for p in Plafond.objects.filter(jaar=year, handmatig=True).select_related("aanbieder", "groep")
    }
    Plafond.objects.filter(jaar=year, handmatig=False).delete()
    stored = []
    for ceiling in computed:
        plafond = manual.get((ceiling.aanbieder, ceiling.groep))
        weights = ceiling.per_gemeente if ceiling.reference_cent > 0 else population
        if plafond is None:
            plafond = Plafond.objects.create(
                aanbieder=aanbieders[ceiling.aanbieder],
                groep=groups[ceiling.groep],
                jaar=year,
                referentiejaar=reference_year,
                referentie_cent=ceiling.reference_cent,
                berekend_cent=ceiling.bedrag_cent,
                bedrag_cent=ceiling.bedrag_cent,
                basis=ceiling.basis,
            )
            split = ceiling.per_gemeente
        else:
            plafond.referentiejaar, plafond.referentie_cent = reference_year, ceiling.reference_cent
            plafond.berekend_cent, plafond.basis = ceiling.bedrag_cent, ceiling.basis
            plafond.save()
            split = rules.resplit(plafond.bedrag_cent, _positive(weights)) if weights else {}
        _store_split(plafond, split, gemeenten)
        stored.append(plafond)
    budget, _ = CBudget.objects.update_or_create(
        jaar=year, defaults={"referentiejaar": reference_year, "bedrag_cent": c_budget}
    )
    return stored, budget


def _positive(weights):
    return {k: v for k, v in weights.items() if v > 0} or dict(weights)


def _store_split(plafond: Plafond, split: dict[str, int], gemeenten) -> None:
    plafond.verdeling.all().delete()
    PlafondVerdeling.objects.bulk_create(
        PlafondVerdeling(plafond=plafond, gemeente=gemeenten[code], bedrag_cent=amount)
        for code, amount in sorted(split.items())
    )


@transaction.atomic
def override_ceiling(plafond: Plafond, new_cent: int, *, user, reason: str) -> PlafondWijziging:
    """Set a ceiling by hand. Who, when and why are kept; the split follows the current weights
    (the computed split, or the youth population when there was no reference production)."""
    if not reason.strip():
        raise ValueError("Een handmatig plafond vraagt om een reden.")
    if new_cent < 0:
        raise ValueError("Een plafond kan niet negatief zijn.")
    change = PlafondWijziging.objects.create(
        plafond=plafond, oud_cent=plafond.bedrag_cent, nieuw_cent=new_cent, door=user, reden=reason
    )
    weights = {v.gemeente.cbs_code: v.bedrag_cent for v in plafond.verdeling.select_related("gemeente")}
    if not any(weights.values()):
        weights = dict(
            JeugdigenAantal.objects.filter(jaar=plafond.referentiejaar).values_list(
                "gemeente__cbs_code", "aantal"
            )
        )
    plafond.bedrag_cent, plafond.handmatig = new_cent, True
    plafond.save(update_fields=["bedrag_cent", "handmatig"])
    gemeenten = {g.cbs_code: g for g in Gemeente.objects.all()}
    _store_split(plafond, rules.resplit(new_cent, _positive(weights)) if weights else {}, gemeenten)
    return change


def municipality_budgets(year: int) -> dict[str, int]:
    """CBS code -> the municipality's part of the ceilings of `year` plus its part of the C budget
    (by its share of category C and NGA production in the C budget's reference year)."""
    splits = PlafondVerdeling.objects.filter(plafond__jaar=year).values_list(
        "gemeente__cbs_code", "bedrag_cent"
    )
    c_budget = CBudget.objects.filter(jaar=year).first()
    c_reference: dict[str, int] = {}
    if c_budget:
        c_reference = dict(
            DeclaratieRegel.objects.filter(periode_begin__year=c_budget.referentiejaar, afgewezen=False)
            .filter(Q(aanbieder__categorie="C") | Q(aanbieder__is_nga=True))
            .values("gemeente__cbs_code")
            .annotate(total=Sum("bedrag_cent"))
            .values_list("gemeente__cbs_code", "total")
        )
    return rules.municipality_budgets(splits, c_budget.bedrag_cent if c_budget else 0, c_reference)
