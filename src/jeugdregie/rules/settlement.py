"""Settlement of a year (SYSTEM.md section 10): what a provider is paid per product group, and
which municipality pays it.

One formula serves every incentive. Per provider x product group x year, with
    D = accepted claims (net debit minus credit, less the lines the municipality rejected),
    R = the reduction for lines delivered after the norm duration (tariff x factor),
    C = the ceiling and A = the approved overrun as the rule set's policy counts it
        ("none": 0; "all": every overrun, max(0, D' - C); "recorded": the approvals on record):

    D' = D - R
    E  = max(0, min(D', C + A))                            eligible
    paid = sum over tiers i of factor_i x |[0, E) within [from_i x C, from_(i+1) x C)|

    hard cap               [(0, 1)]                            pay min(D, C + A)
    donut hole of 5%       [(0, 1), (1.00, 0), (1.05, 1)]      "all": min(D, C) + max(0, D - 1.05 C)
    staffelkorting         [(0, 1), (0.90, 0.95), (1.00, 0.80)]
    donut hole + staffel   [(0, 1), (0.90, 0.95), (1.00, 0), (1.05, 0.80)]

Without an individual ceiling (category C, NGA) the provider is paid D' (their use of the regional
C budget is reported beside it, not capped per provider). What is paid is charged to the
municipalities by the rule set's overrun key, to the cent.

Rule sets (TOML) live in `rulesets.py`, solidarity in `solidarity.py`; both are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .money import round_cents, split_largest_remainder
from .rulesets import (
    DEFAULT_RULE_SET,
    EXAMPLES_DIR,
    OVERRUN_KEYS,
    OVERRUN_POLICIES,
    OverrunKey,
    OverrunPolicy,
    RuleSet,
    RuleSetError,
    Tier,
    default_rule_set,
    example_rule_sets,
    load_rule_set,
    parse_rule_set,
)
from .solidarity import (
    DEFAULT_SOLIDARITY,
    SOLIDARITY_BASES,
    SolidarityBasis,
    SolidarityCategory,
    SolidarityRow,
    solidarity_rows,
    solidarity_shares,
)

__all__ = [
    "DEFAULT_RULE_SET",
    "DEFAULT_SOLIDARITY",
    "EXAMPLES_DIR",
    "OVERRUN_KEYS",
    "OVERRUN_POLICIES",
    "SOLIDARITY_BASES",
    "CBudgetUse",
    "Outcome",
    "OverrunKey",
    "OverrunPolicy",
    "RuleSet",
    "RuleSetError",
    "SolidarityBasis",
    "SolidarityCategory",
    "SolidarityRow",
    "Tier",
    "c_budget_use",
    "charges",
    "default_rule_set",
    "example_rule_sets",
    "load_rule_set",
    "norm_reduction_cents",
    "parse_rule_set",
    "settle_group",
    "solidarity_rows",
    "solidarity_shares",
    "tiered_amount",
]


@dataclass(frozen=True)
class Outcome:
    """One provider x product group x year."""

    claimed_cents: int  # D: accepted claims (net, after JW325 rejections)
    ceiling_cents: int | None  # C; None = no individual ceiling (category C, NGA)
    approved_overrun_cents: int  # A as counted under the policy (none: 0; all: max(0, D' - C))
    after_norm_reduction_cents: int  # R: reduction for lines after the norm duration
    eligible_cents: int  # E = max(0, min(D - R, C + A)); D - R without a ceiling
    paid_cents: int  # sum over tiers of factor x part of [0, E) in the tier's band
    unpaid_cents: int  # D - paid (includes R)


def tiered_amount(eligible_cents: int, ceiling_cents: int, tiers: tuple[Tier, ...]) -> int:
    """Sum over the tiers of factor x the part of [0, E) in the band [from x C, next from x C);
    the last band has no end. Exact arithmetic, rounded once to whole cents, half up."""
    if not tiers or tiers[0].start != 0:
        raise ValueError("De eerste schijf moet bij 0 beginnen.")
    if any(b.start <= a.start for a, b in zip(tiers, tiers[1:], strict=False)):
        raise ValueError("De schijven moeten strikt oplopend beginnen.")
    if ceiling_cents < 0:
        raise ValueError("Een plafond kan niet negatief zijn.")
    eligible = Fraction(eligible_cents)
    total = Fraction(0)
    for i, tier in enumerate(tiers):
        band_start = Fraction(tier.start) * ceiling_cents
        if eligible <= band_start:
            break
        band_end = Fraction(tiers[i + 1].start) * ceiling_cents if i + 1 < len(tiers) else None
        top = eligible if band_end is None else min(eligible, band_end)
        total += Fraction(tier.factor) * (top - band_start)
    return _round_half_up(total)


def _round_half_up(value: Fraction) -> int:
    """Half a cent away from zero, as `money.round_cents` does for Decimals."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def norm_reduction_cents(line_amount_cents: int, factor: Decimal) -> int:
    """The reduction on one claim line delivered after the norm duration:
    amount - round_half_up(amount x factor). A credit line (negative amount) gets the mirror
    reduction (negative), so a credit that cancels a debit also cancels its reduction."""
    return line_amount_cents - round_cents(Decimal(line_amount_cents) * Decimal(factor))


def settle_group(
    claimed_cents: int,
    ceiling_cents: int | None,
    recorded_overrun_cents: int,
    rules: RuleSet,
    after_norm_reduction_cents: int = 0,
) -> Outcome:
    """Settle one provider x product group x year under `rules`.

    recorded_overrun_cents: the overruns approved in the database (used under policy "recorded").
    after_norm_reduction_cents: the sum of `norm_reduction_cents` over the group's lines; pass 0
    when the rule set has no norm-duration factor (the caller computes the lines, we only apply).

    Credits larger than debits (D' < 0): with a ceiling nothing is paid (E = 0) and the negative
    unpaid amount shows the credit balance the provider owes; it is settled outside the ceiling.
    Without a ceiling paid = D' and may be negative: the credit is simply netted.
    """
    if recorded_overrun_cents < 0:
        raise ValueError("Een goedgekeurde overschrijding kan niet negatief zijn.")
    reduction = after_norm_reduction_cents if rules.norm_duration_factor is not None else 0
    net = claimed_cents - reduction
    if ceiling_cents is None:
        return Outcome(
            claimed_cents=claimed_cents,
            ceiling_cents=None,
            approved_overrun_cents=0,
            after_norm_reduction_cents=reduction,
            eligible_cents=net,
            paid_cents=net,
            unpaid_cents=claimed_cents - net,
        )
    if rules.overruns == "none":
        approved = 0
    elif rules.overruns == "all":
        approved = max(0, net - ceiling_cents)
    else:
        approved = recorded_overrun_cents
    eligible = max(0, min(net, ceiling_cents + approved))
    paid = tiered_amount(eligible, ceiling_cents, rules.tiers)
    return Outcome(
        claimed_cents=claimed_cents,
        ceiling_cents=ceiling_cents,
        approved_overrun_cents=approved,
        after_norm_reduction_cents=reduction,
        eligible_cents=eligible,
        paid_cents=paid,
        unpaid_cents=claimed_cents - paid,
    )


@dataclass(frozen=True)
class CBudgetUse:
    """The regional C budget beside what the providers without an individual ceiling are paid.

    Category C and NGA providers are paid their claims (less the norm reduction); the C budget is
    not a cap per provider but the region's yardstick for all of them together (SYSTEM.md 8)."""

    budget_cents: int | None  # None: no C budget set for the year
    paid_cents: int

    @property
    def remaining_cents(self) -> int | None:
        """Budget left; negative when the C providers together were paid more than the budget."""
        return None if self.budget_cents is None else self.budget_cents - self.paid_cents

    @property
    def overrun_cents(self) -> int:
        """How far the C providers together were paid above the budget (0 within it or without one)."""
        return 0 if self.budget_cents is None else max(0, self.paid_cents - self.budget_cents)

    @property
    def share(self) -> Decimal | None:
        """Paid as a share of the budget (1 = exactly used), 4 decimals; None without a budget."""
        if not self.budget_cents:
            return None
        return (Decimal(self.paid_cents) / Decimal(self.budget_cents)).quantize(Decimal("0.0001"))


def c_budget_use(outcomes: Iterable[Outcome], budget_cents: int | None) -> CBudgetUse:
    """Sum what the outcomes without an individual ceiling are paid, beside the C budget."""
    paid = sum(o.paid_cents for o in outcomes if o.ceiling_cents is None)
    return CBudgetUse(budget_cents=budget_cents, paid_cents=paid)


def charges(amount_cents: int, weights: Mapping[str, int | Decimal]) -> dict[str, int]:
    """Charge `amount_cents` to the municipalities (CBS code -> weight) by largest remainder, so
    the charges sum to the amount exactly.

    Weights may be negative when a municipality's credits exceed its debits in the provider's
    production; the amount is then split in proportion to the signed weights (the same rule, with
    floors), as long as the weights do not sum to zero. Nothing to charge gives zeros. All-zero
    weights with an amount to charge: ValueError (there is no key to charge by).
    """
    if not weights:
        if amount_cents:
            raise ValueError("Een bedrag kan niet over nul gemeenten worden verdeeld.")
        return {}
    if amount_cents == 0:
        return {cbs: 0 for cbs in weights}
    weight_sum = sum(Decimal(w) for w in weights.values())
    if all(Decimal(w) == 0 for w in weights.values()):
        raise ValueError(
            "De verdeelsleutel is voor alle gemeenten nul; het bedrag kan niet worden toegerekend."
        )
    if all(Decimal(w) >= 0 for w in weights.values()):
        return split_largest_remainder(amount_cents, weights)
    if weight_sum == 0:
        raise ValueError("De verdeelsleutel telt op tot nul; het bedrag kan niet worden toegerekend.")
    return _split_signed(amount_cents, weights, weight_sum)


def _split_signed(
    amount_cents: int, weights: Mapping[str, int | Decimal], weight_sum: Decimal
) -> dict[str, int]:
    exact = {
        cbs: Fraction(amount_cents) * Fraction(Decimal(w)) / Fraction(weight_sum)
        for cbs, w in weights.items()
    }
    parts = {cbs: math.floor(x) for cbs, x in exact.items()}
    left = amount_cents - sum(parts.values())  # 0 <= left < number of keys
    order = sorted(
        enumerate(weights),
        key=lambda item: (exact[item[1]] - parts[item[1]], Decimal(weights[item[1]]), -item[0]),
        reverse=True,
    )
    for _, cbs in order[:left]:
        parts[cbs] += 1
    return parts
