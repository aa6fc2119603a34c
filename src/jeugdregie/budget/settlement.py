"""Settlement of a year (SYSTEM.md sections 10 and 11): the database inputs of `settlement_data`
through the pure rules of `jeugdregie.rules.settlement`.

    settle(year, rules) -> Settlement

gives every row a statement or screen needs: per provider x product group the outcome (D, C, A,
R, E, paid, unpaid), the charges per municipality and the claim lines reduced after the norm
duration; per municipality what it claimed and is charged; per solidarity category the shares,
own costs, contributions and balances; with `as_of` in the year, the outlook (the same rules on
the low, mid and high forecast). `compare(year, rule_sets)` reads the database once for several
rule sets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from jeugdregie.rules import settlement as rules
from jeugdregie.rules.money import round_cents

from .models import Regelset, RegelsetActivering
from .settlement_data import (
    GroupKey,
    NormLine,
    Provider,
    SettlementError,
    SettlementInputs,
)

__all__ = [
    "GroupSettlement",
    "MunicipalitySettlement",
    "NormReduction",
    "Settlement",
    "SettlementError",
    "SettlementInputs",
    "SolidarityCategorySettlement",
    "compare",
    "resolve_rule_set",
    "settle",
]

BANDS = ("low", "mid", "high")


@dataclass(frozen=True)
class NormReduction:
    """A claim line after the norm duration with its reduction under the rule set."""

    line: NormLine
    factor: Decimal
    reduction_cents: int


@dataclass(frozen=True)
class GroupSettlement:
    """One provider x product group x year."""

    provider: Provider
    groep: str
    outcome: rules.Outcome
    recorded_overrun_cents: int  # approvals in the database (the outcome counts them per policy)
    claimed_by_gemeente: Mapping[str, int]  # CBS -> accepted claims
    charges: Mapping[str, int]  # CBS -> charged; sums to outcome.paid_cents
    key: str  # the overrun key used ("production", ...; "... (terugval)" when it fell back)
    norm_reductions: tuple[NormReduction, ...] = ()
    outlook: Mapping[str, rules.Outcome] | None = None  # "low" / "mid" / "high"

    @property
    def agb(self) -> str:
        return self.provider.agb


@dataclass(frozen=True)
class MunicipalitySettlement:
    cbs: str
    naam: str
    claimed_cents: int  # accepted claims of all providers and groups
    charged_cents: int  # its charges of what is paid


@dataclass(frozen=True)
class SolidarityCategorySettlement:
    category: rules.SolidarityCategory
    groups: tuple[str, ...]  # product group codes in the category
    years: tuple[int, ...]  # the years the basis averages
    basis_values: Mapping[str, Decimal]  # CBS -> 3-year average (clients or cents); {} for fixed
    basis_used: str  # the category's basis, or "eigen kosten (geen historie)" when it had none
    rows: tuple[rules.SolidarityRow, ...]

    @property
    def cost_cents(self) -> int:
        return sum(r.own_cost_cents for r in self.rows)


@dataclass(frozen=True)
class Settlement:
    year: int
    rules: rules.RuleSet
    as_of: dt.date | None
    groups: tuple[GroupSettlement, ...]
    municipalities: tuple[MunicipalitySettlement, ...]
    solidarity: tuple[SolidarityCategorySettlement, ...]
    c_budget_cents: int | None
    outlook_as_of: dt.date | None = None
    totals: Mapping[str, int] = field(default_factory=dict)

    def for_provider(self, agb: str) -> list[GroupSettlement]:
        return [g for g in self.groups if g.agb == agb]

    def for_municipality(self, cbs: str) -> list[tuple[GroupSettlement, int]]:
        """The provider x group rows charged to a municipality, with its charge."""
        return [(g, g.charges[cbs]) for g in self.groups if g.charges.get(cbs)]

    @property
    def c_budget(self) -> rules.CBudgetUse:
        """The C budget beside what the providers without an individual ceiling are paid."""
        return rules.c_budget_use((g.outcome for g in self.groups), self.c_budget_cents)


# ---------------------------------------------------------------------- rule sets


def resolve_rule_set(year: int, spec: str | None = None) -> rules.RuleSet:
    """The rule set for a settlement. Without `spec`: the one activated for the year in the
    database, else the default (harde-plafond). With `spec`: a TOML file, the name of an example
    rule set, or the name of a rule set in the database (its newest version)."""
    if spec is None:
        active = RegelsetActivering.active_for(year)
        return active.rule_set() if active else rules.default_rule_set()
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise SettlementError(f"Regelsetbestand niet gevonden: {spec}")
        return rules.load_rule_set(path)
    examples = rules.example_rule_sets()
    if spec in examples:
        return rules.load_rule_set(examples[spec])
    stored = Regelset.objects.filter(naam=spec).order_by("-versie").first()
    if stored is not None:
        return stored.rule_set()
    raise SettlementError(
        f"Onbekende regelset: {spec}. Geef een TOML-bestand, een voorbeeld "
        f"({', '.join(sorted(examples))}) of de naam van een regelset in de database."
    )


# ---------------------------------------------------------------------- settling


def settle(
    year: int,
    rule_set: rules.RuleSet | None = None,
    *,
    as_of: dt.date | None = None,
    inputs: SettlementInputs | None = None,
    outlook: bool = True,
) -> Settlement:
    """Settle `year` under `rule_set` (default: resolve_rule_set(year)). With `as_of`: the claims
    received by then, and when it lies in the year (and `outlook`) the outlook on the forecast of
    that date."""
    rule_set = rule_set if rule_set is not None else resolve_rule_set(year)
    inputs = inputs if inputs is not None else SettlementInputs(year, as_of)
    reductions = _norm_reductions(inputs, rule_set)
    forecasts = inputs.forecasts(as_of) if outlook and _outlook_wanted(year, as_of) else None
    keys = inputs.keys()
    if forecasts:
        keys = sorted(set(keys) | {k for k, f in forecasts.items() if round(f.value_cent)})
    groups = []
    for key in keys:
        groups.append(_settle_group(inputs, rule_set, key, reductions.get(key, ()), forecasts))
    municipalities = _municipalities(inputs, groups)
    solidarity = tuple(_solidarity(inputs, rule_set, groups))
    return Settlement(
        year=year,
        rules=rule_set,
        as_of=as_of,
        groups=tuple(groups),
        municipalities=municipalities,
        solidarity=solidarity,
        c_budget_cents=inputs.c_budget_cents,
        outlook_as_of=as_of if forecasts is not None else None,
        totals=_totals(groups),
    )


def compare(
    year: int, rule_sets: Sequence[rules.RuleSet], *, as_of: dt.date | None = None
) -> list[Settlement]:
    """The same year under several rule sets, from one read of the database (no outlook)."""
    inputs = SettlementInputs(year, as_of)
    return [settle(year, r, as_of=as_of, inputs=inputs, outlook=False) for r in rule_sets]


def _outlook_wanted(year: int, as_of: dt.date | None) -> bool:
    if as_of is None or as_of.year != year:
        return False
    if (as_of + dt.timedelta(days=1)).month == as_of.month:
        raise SettlementError(
            f"De peildatum {as_of.isoformat()} is geen laatste dag van een maand; "
            "de prognose rekent met hele maanden."
        )
    return True


def _norm_reductions(
    inputs: SettlementInputs, rule_set: rules.RuleSet
) -> dict[GroupKey, tuple[NormReduction, ...]]:
    """Per provider x group the lines after the norm duration with their reduction, when the rule
    set switches the norm-duration tariff on. A product whose norm has its own factor is paid at
    that factor; other products with a norm duration at the rule set's factor."""
    if rule_set.norm_duration_factor is None:
        return {}
    found: dict[GroupKey, list[NormReduction]] = defaultdict(list)
    for line in inputs.norm_lines:
        factor = line.product_factor if line.product_factor is not None else rule_set.norm_duration_factor
        reduction = rules.norm_reduction_cents(line.bedrag_cent, factor)
        found[(line.agb, line.groep)].append(NormReduction(line, factor, reduction))
    return {key: tuple(items) for key, items in found.items()}


def _settle_group(
    inputs: SettlementInputs,
    rule_set: rules.RuleSet,
    key: GroupKey,
    reductions: tuple[NormReduction, ...],
    forecasts,
) -> GroupSettlement:
    agb, groep = key
    by_gemeente = inputs.claims.get(key, {})
    claimed = sum(by_gemeente.values())
    ceiling = inputs.ceiling_of(key)
    recorded = inputs.overruns.get(key, 0)
    reduction = sum(r.reduction_cents for r in reductions)
    outcome = rules.settle_group(claimed, ceiling, recorded, rule_set, reduction)
    charges, key_used = _charges(inputs, rule_set, key, outcome.paid_cents)
    outlook = None
    if forecasts is not None:
        outlook = _outlook(forecasts.get(key), claimed, reduction, ceiling, recorded, rule_set)
    provider = inputs.providers.get(agb) or Provider(agb, agb, "C", False)
    return GroupSettlement(
        provider=provider,
        groep=groep,
        outcome=outcome,
        recorded_overrun_cents=recorded,
        claimed_by_gemeente=dict(sorted(by_gemeente.items())),
        charges=charges,
        key=key_used,
        norm_reductions=reductions,
        outlook=outlook,
    )


def _charges(
    inputs: SettlementInputs, rule_set: rules.RuleSet, key: GroupKey, paid: int
) -> tuple[dict[str, int], str]:
    """Charge what is paid to the municipalities by the rule set's key. Production is the group's
    accepted claims per municipality in the year (signed: a municipality whose credits exceed its
    debits gets its share back). A key without weight falls back: production -> ceiling split ->
    youth population; ceiling -> production -> population."""
    production = inputs.claims.get(key, {})
    ceiling = inputs.ceiling_splits.get(key, {})
    population = inputs.population
    fixed = dict(rule_set.fixed_keys)
    order = {
        "production": [("production", production), ("ceiling", ceiling), ("population", population)],
        "ceiling": [("ceiling", ceiling), ("production", production), ("population", population)],
        "population": [("population", population)],
        "fixed": [("fixed", fixed)],
    }[rule_set.overrun_key]
    if paid == 0:
        return {}, rule_set.overrun_key
    for i, (name, weights) in enumerate(order):
        usable = {cbs: w for cbs, w in weights.items() if w}
        if usable and sum(usable.values()) != 0:
            split = rules.charges(paid, usable)
            return (
                {cbs: cents for cbs, cents in sorted(split.items()) if cents},
                name if i == 0 else f"{name} (terugval)",
            )
    raise SettlementError(
        f"Aanbieder {key[0]}, groep {key[1]}: geen verdeelsleutel om EUR {paid / 100:.2f} aan de "
        "gemeenten toe te rekenen (geen productie, plafondverdeling of jeugdigenaantallen)."
    )


def _outlook(
    forecast, claimed: int, reduction: int, ceiling, recorded: int, rule_set
) -> dict[str, rules.Outcome] | None:
    """The rules on the low, mid and high forecast of the year's claims. The norm reduction is
    taken in the same proportion to the claims as so far (R / D x forecast)."""
    if forecast is None:
        return None
    values = {
        "low": forecast.low_cent if forecast.low_cent is not None else forecast.value_cent,
        "mid": forecast.value_cent,
        "high": forecast.high_cent if forecast.high_cent is not None else forecast.value_cent,
    }
    found = {}
    for band, value in values.items():
        projected = round_cents(Decimal(str(value)))
        projected_reduction = (
            round_cents(Decimal(reduction) * projected / claimed) if claimed > 0 and reduction else 0
        )
        found[band] = rules.settle_group(projected, ceiling, recorded, rule_set, projected_reduction)
    return found


def _municipalities(inputs: SettlementInputs, groups: list[GroupSettlement]):
    claimed: dict[str, int] = defaultdict(int)
    charged: dict[str, int] = defaultdict(int)
    for g in groups:
        for cbs, cents in g.claimed_by_gemeente.items():
            claimed[cbs] += cents
        for cbs, cents in g.charges.items():
            charged[cbs] += cents
    codes = sorted(set(inputs.gemeenten) | set(claimed) | set(charged))
    return tuple(
        MunicipalitySettlement(cbs, inputs.gemeenten.get(cbs, cbs), claimed[cbs], charged[cbs])
        for cbs in codes
    )


def _solidarity(inputs: SettlementInputs, rule_set: rules.RuleSet, groups: list[GroupSettlement]):
    """Per category: own cost = what the municipality is charged in the year for the category's
    groups; the basis = the 3-year average over Y-3 .. Y-1 of its youths in care or accepted
    claims in those groups (negative averages count as 0), or the fixed shares."""
    years = inputs.solidarity_years
    for category in rule_set.solidarity:
        in_category = tuple(sorted(c for c, g in inputs.groups.items() if g.in_category(category.segments)))
        own: dict[str, int] = {cbs: 0 for cbs in inputs.gemeenten}
        for g in groups:
            if g.groep in in_category:
                for cbs, cents in g.charges.items():
                    own[cbs] = own.get(cbs, 0) + cents
        basis_values: dict[str, Decimal] = {}
        if category.basis == "claimed_3y":
            for groep in in_category:
                for cbs, cents in inputs.claimed_history.get(groep, {}).items():
                    basis_values[cbs] = basis_values.get(cbs, Decimal(0)) + Decimal(cents)
        elif category.basis == "clients_3y":
            for cbs, count in inputs.clients_history(frozenset(in_category)).items():
                basis_values[cbs] = Decimal(count)
        basis_values = {cbs: max(Decimal(0), basis_values.get(cbs, Decimal(0)) / len(years)) for cbs in own}
        basis_used = category.basis
        if category.basis != "fixed" and not any(basis_values.values()):
            # No history in Y-3 .. Y-1: each municipality carries its own cost (balance 0).
            basis_used = "eigen kosten (geen historie)"
            weights = {cbs: Decimal(max(0, cents)) for cbs, cents in own.items()}
        else:
            weights = basis_values
        if category.basis == "fixed" or any(weights.values()):
            rows = rules.solidarity_rows(own, rules.solidarity_shares(category, weights))
        else:
            rows = [rules.SolidarityRow(cbs, Decimal(0), c, c, 0) for cbs, c in sorted(own.items())]
        yield SolidarityCategorySettlement(
            category,
            in_category,
            years,
            {} if category.basis == "fixed" else basis_values,
            basis_used,
            tuple(rows),
        )


def _totals(groups: list[GroupSettlement]) -> dict[str, int]:
    totals = {
        "claimed_cents": sum(g.outcome.claimed_cents for g in groups),
        "ceiling_cents": sum(g.outcome.ceiling_cents or 0 for g in groups),
        "approved_overrun_cents": sum(g.outcome.approved_overrun_cents for g in groups),
        "eligible_cents": sum(g.outcome.eligible_cents for g in groups),
        "after_norm_reduction_cents": sum(g.outcome.after_norm_reduction_cents for g in groups),
        "paid_cents": sum(g.outcome.paid_cents for g in groups),
        "unpaid_cents": sum(g.outcome.unpaid_cents for g in groups),
        "norm_lines": sum(len(g.norm_reductions) for g in groups),
    }
    if any(g.outlook for g in groups):
        for band in BANDS:
            outcomes = [g.outlook[band] for g in groups if g.outlook]
            totals[f"outlook_{band}_claimed_cents"] = sum(o.claimed_cents for o in outcomes)
            totals[f"outlook_{band}_paid_cents"] = sum(o.paid_cents for o in outcomes)
            totals[f"outlook_{band}_unpaid_cents"] = sum(o.unpaid_cents for o in outcomes)
    return totals
