"""Budget ceilings (prestatieafspraken), SYSTEM.md section 8.

    ceiling(p, g, Y)    = sum over products k in group g: production(p, k, R) x index(R -> Y) x (1 + adjustment)
    ceiling(p, g, m, Y) = ceiling(p, g, Y) x production(p, g, m, R) / production(p, g, R)

production = net claimed amount in the reference year R, legacy products mapped to the new book
(so a product that moved between groups counts in the group it is in for year Y). Category C
providers get no individual ceiling: their production feeds the regional C budget. Money is in
cents; the split to municipalities reconciles to the cent (largest remainder).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .money import round_cents, split_largest_remainder


@dataclass(frozen=True)
class Production:
    """Net claimed amount of one provider for one product in one municipality in the reference year."""

    aanbieder: str
    categorie: str  # A / B / C ("C" also for NGA: no individual ceiling)
    product: str  # product code in the book of year Y (legacy codes mapped)
    gemeente: str
    bedrag_cent: int


@dataclass(frozen=True)
class Ceiling:
    aanbieder: str
    groep: str
    jaar: int
    bedrag_cent: int
    per_gemeente: dict[str, int]
    reference_cent: int  # production in the reference year (mapped to the group)
    basis: str  # "referentiejaar" or "geen referentieproductie"


def index_factor(percentages: Mapping[int, Decimal | str], reference_year: int, year: int) -> Decimal:
    """index(R -> Y): the product of (1 + p/100) for the years R+1 .. Y."""
    factor = Decimal(1)
    for y in range(reference_year + 1, year + 1):
        factor *= 1 + Decimal(percentages.get(y, 0)) / 100
    return factor


def compute_ceilings(
    production: Iterable[Production],
    group_of: Mapping[str, str],
    *,
    year: int,
    reference_year: int,
    index: Mapping[int, Decimal | str],
    adjustment: Callable[[str, str], Decimal] = lambda aanbieder, groep: Decimal(0),
    fallback_key: Mapping[str, int | Decimal] | None = None,
    providers: Iterable[tuple[str, str, Iterable[str]]] = (),
) -> tuple[list[Ceiling], int]:
    """Ceilings per (provider, group) for A and B providers, and the regional C budget (cents).

    `group_of` maps a product code (of year Y's book) to its product group. `adjustment` gives the
    policy percentage (e.g. Decimal("-3") for afbouw) for a provider and group. `providers` lists
    (aanbieder, categorie, groups) of contracted providers so that one without reference production
    still appears, with a ceiling of 0 and basis "geen referentieproductie" (to be set by hand); its
    split then uses `fallback_key` (e.g. youth population per municipality).
    """
    factor = index_factor(index, reference_year, year)
    per_group: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    c_total = 0
    categories: dict[str, str] = {}
    for row in production:
        groep = group_of.get(row.product)
        if groep is None:
            raise ValueError(f"Product {row.product} hoort bij geen productgroep van {year}.")
        categories[row.aanbieder] = row.categorie
        if row.categorie == "C":
            c_total += row.bedrag_cent
            continue
        per_group[(row.aanbieder, groep)][row.gemeente] += row.bedrag_cent
    for aanbieder, categorie, groups in providers:
        if categorie == "C":
            continue
        for groep in groups:
            per_group.setdefault((aanbieder, groep), defaultdict(int))
    ceilings = []
    for (aanbieder, groep), by_gemeente in sorted(per_group.items()):
        reference = sum(by_gemeente.values())
        adjusted = factor * (1 + Decimal(adjustment(aanbieder, groep)) / 100)
        amount = max(0, round_cents(Decimal(reference) * adjusted))
        weights: dict[str, int | Decimal] = {g: v for g, v in sorted(by_gemeente.items()) if v > 0}
        if not weights:
            weights = dict(fallback_key or {})
        split = split_largest_remainder(amount, weights) if weights else {}
        ceilings.append(
            Ceiling(
                aanbieder,
                groep,
                year,
                amount,
                split,
                reference,
                "referentiejaar" if reference > 0 else "geen referentieproductie",
            )
        )
    c_budget = max(0, round_cents(Decimal(c_total) * factor * (1 + Decimal(adjustment("C", "")) / 100)))
    return ceilings, c_budget


def resplit(amount: int, weights: Mapping[str, int | Decimal]) -> dict[str, int]:
    """A manual ceiling is split like the computed one: by the same weights, to the cent."""
    return split_largest_remainder(amount, weights)


def municipality_budgets(
    ceiling_splits: Iterable[tuple[str, int]],
    c_budget_cent: int,
    c_reference: Mapping[str, int],
) -> dict[str, int]:
    """Each municipality's part of the regional ceilings: the ceiling splits to it (A and B
    providers) plus its part of the C budget, split by its share of category C production in the
    reference year. The parts add up to the ceilings plus the C budget, to the cent."""
    budgets: dict[str, int] = defaultdict(int)
    for gemeente, cents in ceiling_splits:
        budgets[gemeente] += cents
    weights = {g: v for g, v in c_reference.items() if v > 0}
    if c_budget_cent and not weights:
        weights = {g: 1 for g in budgets} or {"": 1}
    for gemeente, cents in split_largest_remainder(c_budget_cent, weights).items():
        budgets[gemeente] += cents
    return dict(sorted(budgets.items()))
