"""Why spend grew: the change in spend against last year split into more clients, more care per
client and higher tariffs (a price/volume decomposition), per group of a cut (segment, provider,
referrer type) or for the whole.

Notation for one group, year 0 = last year, year 1 = this year (the same months of both):

    S_t     spend: net claimed cents of the accepted claim lines (the KPI "Kosten")
    N_t     clients: distinct clients with a net positive amount (the KPI "Cliënten")
    V_p,t   claimed volume of product p (in that product's own unit: hours, days, ...)
    P_p,0   last year's average price per unit of p: S_p,0 / V_p,0
    Q_1     this year's care valued at last year's prices: sum over p of V_p,1 x P_p,0
            (a product without a usable price last year - new, or no positive volume and amount -
            enters at its own amount, S_p,1: it adds care, not tariff)

Spend is clients x care per client (at constant prices) x tariff level: S = N x (Q / N) x (S / Q),
with Q_0 = S_0. The change is split sequentially, each factor changed in this order:

    more clients          C = (N_1 - N_0) x S_0 / N_0
    more care per client  Z = Q_1 - N_1 x S_0 / N_0
    higher tariffs        T = S_1 - Q_1                       (= sum over p of V_p,1 x (P_p,1 - P_p,0))

    C + Z + T = S_1 - S_0 exactly (the terms telescope).

The order matters (a sequential decomposition is not symmetric): the clients term is valued at last
year's cost per client, the tariff term at this year's volumes (a Paasche price effect). It was
chosen over a log-mean Divisia index because it is additive in cents with no logarithms, stays
defined when a group is new or gone (a zero clients or spend), and each term has a plain reading.

Edge cases: a group without clients last year (N_0 = 0, e.g. a new segment or provider) puts the
whole change under clients (C = S_1 - S_0, Z = T = 0); a group without clients this year gives
C = -S_0 and leaves any credits of this year to care and tariff.

Cents: C, Z and T are exact fractions summing to an integer; each is rounded to whole cents by the
largest-remainder method (floor all three, then hand the missing cents one by one to the largest
remainders, ties in the order C, Z, T), so the three rounded parts still add up exactly to S_1 - S_0.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol


class ClaimLine(Protocol):
    """What the decomposition reads of a claim line (jeugdregie.rules.kpi.ClaimFact has these)."""

    @property
    def client(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def bedrag_cent(self) -> int: ...
    @property
    def volume(self) -> int: ...


@dataclass(frozen=True)
class Growth:
    """The change in spend of one group, split in three parts that add up to it to the cent."""

    previous_cent: int
    current_cent: int
    clients_previous: int
    clients_current: int
    clients_cent: int  # more (or fewer) clients
    care_cent: int  # more (or less) care per client, at last year's prices
    tariff_cent: int  # higher (or lower) prices per unit

    @property
    def change_cent(self) -> int:
        return self.current_cent - self.previous_cent

    @property
    def parts(self) -> tuple[int, int, int]:
        return self.clients_cent, self.care_cent, self.tariff_cent


@dataclass
class _Totals:
    spend: int = 0
    by_client: dict[str, int] | None = None
    by_product: dict[str, list[int]] | None = None  # product -> [cents, volume]

    def add(self, line: ClaimLine) -> None:
        if self.by_client is None:
            self.by_client, self.by_product = defaultdict(int), defaultdict(lambda: [0, 0])
        assert self.by_product is not None
        self.spend += line.bedrag_cent
        self.by_client[line.client] += line.bedrag_cent
        product = self.by_product[line.product]
        product[0] += line.bedrag_cent
        product[1] += line.volume

    @property
    def clients(self) -> int:
        return sum(1 for cents in (self.by_client or {}).values() if cents > 0)

    def products(self) -> dict[str, list[int]]:
        return dict(self.by_product or {})


def _totals(lines: Iterable[ClaimLine]) -> _Totals:
    found = _Totals()
    for line in lines:
        found.add(line)
    return found


def round_parts(parts: tuple[Fraction, ...]) -> tuple[int, ...]:
    """Fractions that sum to an integer, each rounded to an integer with the sum kept (largest
    remainder; ties go to the earlier part)."""
    total = sum(parts, Fraction(0))
    if total.denominator != 1:
        raise ValueError("De delen tellen niet op tot een geheel aantal centen.")
    floors = [math.floor(p) for p in parts]
    missing = int(total) - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += 1
    return tuple(floors)


def _decompose(previous: _Totals, current: _Totals) -> Growth:
    s0, s1 = previous.spend, current.spend
    n0, n1 = previous.clients, current.clients
    if n0 == 0:
        parts = (Fraction(s1 - s0), Fraction(0), Fraction(0))
    else:
        cost_per_client = Fraction(s0, n0)
        prices = {
            p: Fraction(cents, volume)
            for p, (cents, volume) in previous.products().items()
            if cents > 0 and volume > 0
        }
        q1 = sum(
            (
                volume * prices[p] if p in prices else Fraction(cents)
                for p, (cents, volume) in current.products().items()
            ),
            Fraction(0),
        )
        parts = ((n1 - n0) * cost_per_client, q1 - n1 * cost_per_client, s1 - q1)
    clients, care, tariff = round_parts(parts)
    return Growth(s0, s1, n0, n1, clients, care, tariff)


def decompose(previous: Iterable[ClaimLine], current: Iterable[ClaimLine]) -> Growth:
    """The growth from `previous` (last year's lines) to `current` (this year's) for the whole."""
    return _decompose(_totals(previous), _totals(current))


def decompose_by(
    previous: Iterable[ClaimLine],
    current: Iterable[ClaimLine],
    key: Callable[[ClaimLine], Hashable],
) -> dict[Hashable, Growth]:
    """The growth per group of `key` (every group found in either year), each decomposed with its
    own clients and prices. The groups' changes add up to the whole's change; their parts add up
    to the whole's only roughly (a client in two groups counts in both)."""
    before: dict[Hashable, _Totals] = defaultdict(_Totals)
    after: dict[Hashable, _Totals] = defaultdict(_Totals)
    for line in previous:
        before[key(line)].add(line)
    for line in current:
        after[key(line)].add(line)
    groups = sorted(set(before) | set(after), key=str)
    return {g: _decompose(before.get(g, _Totals()), after.get(g, _Totals())) for g in groups}
