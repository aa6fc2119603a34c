"""Burgerservicenummer (BSN): the 11-proef, and valid numbers for the demo generator."""

from __future__ import annotations

import random

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(s: str) -> bool:
    """True if ``s`` is exactly 9 ASCII digits, not all zeros, and passes the 11-proef:
    ``sum(d_i * w_i)`` with weights 9..2 and -1 for the last digit is divisible by 11."""
    if not isinstance(s, str) or len(s) != 9 or not s.isascii() or not s.isdigit():
        return False
    if s == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(s, _WEIGHTS, strict=True))
    return total % 11 == 0


def generate_bsn(rng: random.Random) -> str:
    """A random valid BSN drawn from ``rng`` (deterministic for a seeded ``rng``).

    The first digit is never 0 so that the number also survives tools that treat it as an integer.
    """
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, _WEIGHTS[:8], strict=True)) % 11
        if check == 10:  # would need a last digit of 10: draw again
            continue
        return "".join(map(str, digits)) + str(check)
