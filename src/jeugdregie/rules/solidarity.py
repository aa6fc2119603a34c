"""Solidarity between municipalities (SYSTEM.md section 11, seed 001 section 6.2).

Per cost category (segment 2, 3, 4, transport, ...) each municipality carries a share of the
category's cost in the year. The share follows a basis chosen before the contract period:
the 3-year average number of youths in care, the 3-year average of the amounts actually claimed,
or fixed shares (the objective distribution, an input).

    contribution(m) = cost of the category in Y x share(m)     (largest remainder, to the cent)
    balance(m)      = contribution(m) - own cost(m)            (balances sum to zero exactly)

A positive balance means the municipality pays into the pool; a negative one means it receives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, get_args

from .money import split_largest_remainder

SolidarityBasis = Literal["clients_3y", "claimed_3y", "fixed"]
SOLIDARITY_BASES: tuple[str, ...] = get_args(SolidarityBasis)

# Shares are rounded to this many decimals (largest remainder, so they still sum to exactly 1):
# a controller can retype them, and cost x share stays within one cent up to EUR 10 billion.
SHARE_DECIMALS = 12
_SHARE_UNITS = 10**SHARE_DECIMALS


@dataclass(frozen=True)
class SolidarityCategory:
    name: str  # "segment 2", "vervoer", ...
    segments: tuple[str, ...]  # segment codes as strings ("2", "3", "4") and/or "vervoer"
    basis: SolidarityBasis
    fixed_shares: Mapping[str, Decimal] | None = None  # CBS code -> share, basis "fixed" only


# Seed 001 advises solidarity for the heavy care forms; the region's heavy care is in segments 2
# (wonen), 3 (dag) and 4 (ambulant), plus transport. A rule set without [[solidarity]] uses these.
DEFAULT_SOLIDARITY: tuple[SolidarityCategory, ...] = (
    SolidarityCategory("segment 2", ("2",), "claimed_3y"),
    SolidarityCategory("segment 3", ("3",), "claimed_3y"),
    SolidarityCategory("segment 4", ("4",), "claimed_3y"),
    SolidarityCategory("vervoer", ("vervoer",), "claimed_3y"),
)


@dataclass(frozen=True)
class SolidarityRow:
    cbs: str
    share: Decimal  # the municipality's share of the category (sums to 1)
    own_cost_cents: int
    contribution_cents: int  # category cost x share, largest remainder: sums to the cost
    balance_cents: int  # contribution - own cost; balances sum to 0 exactly


def solidarity_shares(
    category: SolidarityCategory, basis_values: Mapping[str, int | Decimal]
) -> dict[str, Decimal]:
    """Each municipality's share of the category: its basis value over the sum of all, rounded to
    `SHARE_DECIMALS` decimals so that the shares sum to exactly 1.

    basis_values: CBS code -> 3-year average number of youths in care ("clients_3y") or 3-year
    average claimed cents ("claimed_3y"); ignored for "fixed", which returns the fixed shares.
    """
    if category.basis == "fixed":
        if not category.fixed_shares:
            raise ValueError(
                f"Solidariteitscategorie '{category.name}': basis 'fixed' zonder vaste aandelen."
            )
        return {cbs: Decimal(share) for cbs, share in category.fixed_shares.items()}
    if any(Decimal(v) < 0 for v in basis_values.values()):
        raise ValueError(f"Solidariteitscategorie '{category.name}': een grondslag mag niet negatief zijn.")
    if not basis_values or sum(Decimal(v) for v in basis_values.values()) == 0:
        raise ValueError(
            f"Solidariteitscategorie '{category.name}': de grondslag ({category.basis}) is voor "
            "alle gemeenten nul, dus er is geen verdeling."
        )
    units = split_largest_remainder(_SHARE_UNITS, dict(basis_values))
    return {cbs: Decimal(u).scaleb(-SHARE_DECIMALS) for cbs, u in units.items()}


def solidarity_rows(own_cost_cents: Mapping[str, int], shares: Mapping[str, Decimal]) -> list[SolidarityRow]:
    """Contribution, own cost and balance per municipality, sorted by CBS code.

    The category's cost is the sum of the own costs. A municipality with costs but no share pays
    nothing into the pool (share 0); one with a share but no costs has own cost 0.
    """
    if any(Decimal(s) < 0 for s in shares.values()):
        raise ValueError("Een solidariteitsaandeel mag niet negatief zijn.")
    if sum(Decimal(s) for s in shares.values()) == 0:
        raise ValueError("De solidariteitsaandelen tellen op tot nul.")
    cbs_codes = sorted(set(own_cost_cents) | set(shares))
    cost = sum(own_cost_cents.values())
    contributions = split_largest_remainder(cost, [(cbs, Decimal(shares.get(cbs, 0))) for cbs in cbs_codes])
    rows = []
    for cbs in cbs_codes:
        own = own_cost_cents.get(cbs, 0)
        contribution = contributions[cbs]
        rows.append(
            SolidarityRow(
                cbs=cbs,
                share=Decimal(shares.get(cbs, 0)),
                own_cost_cents=own,
                contribution_cents=contribution,
                balance_cents=contribution - own,
            )
        )
    return rows
