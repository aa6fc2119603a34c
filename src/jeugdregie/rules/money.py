"""Money rules: integer euro cents, exact decimal arithmetic, splits that reconcile to the cent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

K = TypeVar("K")


def round_cents(value: Decimal) -> int:
    """Half up to a whole cent (the usual commercial rounding)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def index_cents(cents: int, percentage: Decimal | str) -> int:
    """cents x (1 + percentage / 100), rounded half up to the cent."""
    return round_cents(Decimal(cents) * (1 + Decimal(percentage) / 100))


def split_largest_remainder(
    total: int, weights: Mapping[K, int | Decimal] | Sequence[tuple[K, int | Decimal]]
) -> dict[K, int]:
    """Split `total` cents over keys in proportion to `weights`, so that the parts add up to `total`
    exactly: each key gets the floor of its share, and the cents left go one by one to the largest
    remainders (ties: the larger weight, then the key's order of appearance).

    With all weights zero the total is split evenly (same rule), so no money disappears.
    """
    items = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    if not items:
        if total:
            raise ValueError("Een bedrag kan niet over nul sleutels worden verdeeld.")
        return {}
    if any(Decimal(w) < 0 for _, w in items):
        raise ValueError("Verdeelsleutels mogen niet negatief zijn.")
    weight_sum = sum(Decimal(w) for _, w in items)
    if weight_sum == 0:
        items = [(k, Decimal(1)) for k, _ in items]
        weight_sum = Decimal(len(items))
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts: dict[K, int] = {}
    remainders: list[tuple[Decimal, Decimal, int, K]] = []
    for order, (key, weight) in enumerate(items):
        exact = Decimal(magnitude) * Decimal(weight) / weight_sum
        floor = int(exact)  # exact >= 0
        parts[key] = floor
        remainders.append((exact - floor, Decimal(weight), -order, key))
    left = magnitude - sum(parts.values())
    for _, _, _, key in sorted(remainders, key=lambda r: (r[0], r[1], r[2]), reverse=True)[:left]:
        parts[key] += 1
    return {k: sign * v for k, v in parts.items()}
