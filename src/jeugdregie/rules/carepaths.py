"""Care paths (zorgpaden) and the allocation-derived facts of SYSTEM.md section 7.

care_path: per client and product category, a chain of allocations each starting at most 31 days
after the previous one ended (overlaps join); duration = last end - first start.
extension: a new allocation that starts 0-31 days after an earlier allocation of the same client
for the same product ended. The same product: the same product code as allocated; or the book
successor of the earlier allocation's code (the new product its legacy product maps to) at the
same provider, starting 2-31 days after it ended. A conversion to the new book (same client, same
provider, successor code, continuous: starting 0-1 day after the end) is no extension, and two
different legacy products that map to the same new product are not the same product.
relapse: after a care path ends, the client starts a new allocation 32-183 days later; only
known when 183 days of follow-up exist.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

EXTENSION_DAYS = 31  # "within 1 month"
CONVERSION_DAYS = 1  # a successor starting at most this long after the end continues the care: a conversion
RELAPSE_FROM_DAYS = 32
RELAPSE_UNTIL_DAYS = 183  # 6 months
DAYS_PER_MONTH = 365.25 / 12
DROPOUT_REASONS = frozenset({"32", "33", "34"})  # JZ588: voortijdig afgesloten


@dataclass(frozen=True)
class AllocationFact:
    """One allocation (JW301) with what the KPIs need. Deleted allocations are not handed in
    (they never were care); `einddatum` None is open-ended."""

    id: int
    client: str
    gemeente: str
    aanbieder: str
    categorie: str  # provider category A / B / C
    is_nga: bool
    segment: str
    groep: str
    product: str  # product code mapped to the current book
    product_categorie: str  # iJw productcategorie, the care-path key
    ingangsdatum: dt.date
    einddatum: dt.date | None
    verwijzer: str = "01"  # referrer type of the request that led to it; 01 gemeente when none
    pxq: bool = False  # inspanningsgericht (P x Q): counts for redemption
    volume: int | None = None
    frequentie: str = ""  # 1 per dag, 2 per week, 4 per maand, 6 totaal
    claimed_volume: int = 0  # net claimed volume on this allocation
    toewijzingsdatum: dt.date | None = None
    aangevraagd_op: dt.date | None = None  # JW315 request date, when a request led to it
    zorg_start: dt.date | None = None  # first JW305 Begindatum
    stop_reden: str = ""  # reason of the last JW307
    stop_datum: dt.date | None = None  # Einddatum of the last JW307 (data-quality checks)
    toegewezen_product: str = ""  # product code as allocated ("" = the same as `product`)
    opvolger: str = ""  # book successor of the allocated code (a legacy product's mapping), or ""

    @property
    def allocated_code(self) -> str:
        return self.toegewezen_product or self.product

    def valid_on_any_day(self, begin: dt.date, end: dt.date) -> bool:
        return self.ingangsdatum <= end and (self.einddatum is None or self.einddatum >= begin)

    def valid_on(self, day: dt.date) -> bool:
        return self.ingangsdatum <= day and (self.einddatum is None or self.einddatum >= day)


def allocated_volume(a: AllocationFact) -> float | None:
    """Volume over the allocation's whole validity: volume x number of frequency periods; frequency
    6 is the total already. Weeks are days / 7, months days / (365.25 / 12). None when open-ended."""
    if a.volume is None or a.einddatum is None:
        return None
    days = (a.einddatum - a.ingangsdatum).days + 1
    per = {"1": days, "2": days / 7, "4": days / DAYS_PER_MONTH, "6": 1}.get(a.frequentie)
    return None if per is None else a.volume * per


def waiting_days(a: AllocationFact) -> int | None:
    """Days from request (JW315) or else allocation date (JW301) to care start (JW305)."""
    if a.zorg_start is None:
        return None
    since = a.aangevraagd_op or a.toewijzingsdatum
    return None if since is None else (a.zorg_start - since).days


@dataclass(frozen=True)
class CarePath:
    client: str
    product_categorie: str
    allocations: tuple[AllocationFact, ...]  # in order of start
    begin: dt.date
    end: dt.date | None  # None: still open

    @cached_property
    def last(self) -> AllocationFact:
        """The allocation that ends the path: its attributes place the path in the cuts (found once
        per path: every cut and the dropout rule ask for it)."""
        return max(self.allocations, key=lambda a: (a.einddatum or dt.date.max, a.ingangsdatum, a.id))

    @property
    def duration_days(self) -> int | None:
        return None if self.end is None else (self.end - self.begin).days

    @property
    def products(self) -> tuple[str, ...]:
        """The product sequence, repeats of the same product (extensions) folded."""
        sequence: list[str] = []
        for a in self.allocations:
            if not sequence or sequence[-1] != a.product:
                sequence.append(a.product)
        return tuple(sequence)


def care_paths(allocations: Iterable[AllocationFact]) -> list[CarePath]:
    by_key: dict[tuple[str, str], list[AllocationFact]] = defaultdict(list)
    for a in allocations:
        by_key[(a.client, a.product_categorie)].append(a)
    paths: list[CarePath] = []
    for (client, category), items in sorted(by_key.items()):
        items.sort(key=lambda a: (a.ingangsdatum, a.id))
        chain: list[AllocationFact] = []
        chain_end: dt.date | None = None
        open_ended = False
        for a in items:
            joins = chain and (open_ended or (a.ingangsdatum - chain_end).days <= EXTENSION_DAYS)  # type: ignore[operator]
            if chain and not joins:
                paths.append(CarePath(client, category, tuple(chain), chain[0].ingangsdatum, chain_end))
                chain, chain_end, open_ended = [], None, False
            chain.append(a)
            if a.einddatum is None:
                open_ended = True
            elif chain_end is None or a.einddatum > chain_end:
                chain_end = a.einddatum
        if chain:
            paths.append(
                CarePath(
                    client, category, tuple(chain), chain[0].ingangsdatum, None if open_ended else chain_end
                )
            )
    return paths


def extension_ids(allocations: Sequence[AllocationFact]) -> set[int]:
    """Allocations that start 0-31 days after an earlier allocation of the same client for the
    same product ended (see the module text for "the same product" and conversions)."""
    ends: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    successor_ends: dict[tuple[str, str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for a in allocations:
        if a.einddatum is not None:
            ends[(a.client, a.allocated_code)].append((a.einddatum, a.id))
            if a.opvolger:
                successor_ends[(a.client, a.opvolger, a.aanbieder)].append((a.einddatum, a.id))
    found = set()
    for a in allocations:
        code = a.allocated_code
        start = a.ingangsdatum
        # Not itself: a one-day allocation ends 0 days before it starts.
        for end, other in ends.get((a.client, code), ()):
            if other != a.id and 0 <= (start - end).days <= EXTENSION_DAYS:
                found.add(a.id)
                break
        else:
            for end, other in successor_ends.get((a.client, code, a.aanbieder), ()):
                if other != a.id and CONVERSION_DAYS < (start - end).days <= EXTENSION_DAYS:
                    found.add(a.id)
                    break
    return found


def relapsed(path: CarePath, starts_by_client: dict[str, list[dt.date]]) -> bool:
    """The client starts a new allocation 32-183 days after the path ended."""
    assert path.end is not None
    return any(
        RELAPSE_FROM_DAYS <= (start - path.end).days <= RELAPSE_UNTIL_DAYS
        for start in starts_by_client.get(path.client, ())
    )


def follow_up_known(path: CarePath, as_of: dt.date) -> bool:
    return path.end is not None and (as_of - path.end).days >= RELAPSE_UNTIL_DAYS


def dropped_out(path: CarePath) -> bool:
    return path.last.stop_reden in DROPOUT_REASONS


def top_sequences(paths: Iterable[CarePath], n: int = 10) -> list[tuple[tuple[str, ...], int]]:
    counts = Counter(p.products for p in paths)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
