"""Pure aggregations over message facts, used to check the demo data against its calibration targets.

The functions take plain fact records, which can come from the generator itself
(``GenerationResult.facts``) or from parsing the generated XML (``jeugdregie.demo.xmlfacts``), so
that the tests can check both. They follow the definitions of SYSTEM.md section 7 for what they
compute; they are a check of the demo data, not the product's KPI implementation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import PRODUCTS, PXQ


@dataclass(frozen=True, slots=True)
class AllocationFact:
    """The state of one allocation after all JW301 messages about it (changes applied)."""

    gemeente: str
    nummer: str
    client: str  # BSN
    provider: str  # AGB
    code: str
    ingang: dt.date
    einde: dt.date | None
    deleted: bool
    volume: int
    eenheid: str
    frequentie: str


@dataclass(frozen=True, slots=True)
class ClaimFact:
    """One claim line (Prestatie); ``volume`` and ``bedrag`` are signed (credit negative)."""

    gemeente: str
    provider: str
    client: str
    nummer: str
    code: str
    begin: dt.date
    end: dt.date
    volume: int
    bedrag: int


@dataclass(frozen=True, slots=True)
class StopFact:
    gemeente: str
    provider: str
    client: str
    nummer: str
    einde: dt.date
    reden: str


def segment(code: str) -> str:
    """Market-table segment of a product: "2", "3", "4", or "V" for transport."""
    return PRODUCTS[code].segment


# ---------------------------------------------------------------- money


def market_table(claims: Iterable[ClaimFact]) -> dict[tuple[int, str, str], tuple[int, int]]:
    """(year, gemeente, segment) -> (clients, spend in cents): spend is the net claimed amount by
    ProductPeriode year, clients the distinct BSNs with a net positive amount in the cell."""
    per_client: dict[tuple[int, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in claims:
        per_client[(c.begin.year, c.gemeente, segment(c.code))][c.client] += c.bedrag
    return {
        key: (sum(1 for v in amounts.values() if v > 0), sum(amounts.values()))
        for key, amounts in per_client.items()
    }


def spend_by_provider(claims: Iterable[ClaimFact]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = defaultdict(int)
    for c in claims:
        out[(c.begin.year, c.provider)] += c.bedrag
    return dict(out)


def shares(
    claims: Iterable[ClaimFact],
    nga_providers: set[str],
    *,
    segments: tuple[str, ...] = ("3", "4"),
    micro_limit_cents: int = 250_000_00,
) -> dict[int, dict[str, float]]:
    """Per year, over the spend of ``segments``: NGA share, micro share (providers whose regional
    spend over all products in the year is below the limit) and custom (meerwerk/maatwerk) share."""
    claims = list(claims)
    provider_total = spend_by_provider(claims)
    total: dict[int, int] = defaultdict(int)
    nga: dict[int, int] = defaultdict(int)
    micro: dict[int, int] = defaultdict(int)
    custom: dict[int, int] = defaultdict(int)
    for c in claims:
        if segment(c.code) not in segments:
            continue
        y = c.begin.year
        total[y] += c.bedrag
        if c.provider in nga_providers:
            nga[y] += c.bedrag
        if provider_total[(y, c.provider)] < micro_limit_cents:
            micro[y] += c.bedrag
        if PRODUCTS[c.code].custom:
            custom[y] += c.bedrag
    return {
        y: {"nga": nga[y] / t, "micro": micro[y] / t, "custom": custom[y] / t, "spend": t}
        for y, t in sorted(total.items())
        if t
    }


# ---------------------------------------------------------------- care paths


@dataclass(frozen=True, slots=True)
class CarePath:
    client: str
    categorie: str
    start: dt.date
    end: dt.date
    allocations: int


def _valid(allocations: Iterable[AllocationFact]) -> list[AllocationFact]:
    return [a for a in allocations if not a.deleted and a.einde is not None]


def care_paths(
    allocations: Iterable[AllocationFact], *, segments: tuple[str, ...] | None = None
) -> list[CarePath]:
    """Chains per client and product category of allocations each starting at most 31 days after
    the previous one ended (overlaps join); SYSTEM.md section 7 ``care_path``."""
    groups: dict[tuple[str, str], list[AllocationFact]] = defaultdict(list)
    for a in _valid(allocations):
        if segments is not None and segment(a.code) not in segments:
            continue
        groups[(a.client, PRODUCTS[a.code].categorie)].append(a)
    paths: list[CarePath] = []
    for (client, categorie), items in groups.items():
        items.sort(key=lambda a: (a.ingang, a.einde))
        start, end, n = items[0].ingang, items[0].einde, 1
        assert end is not None
        for a in items[1:]:
            assert a.einde is not None
            if (a.ingang - end).days <= 31:
                end = max(end, a.einde)
                n += 1
            else:
                paths.append(CarePath(client, categorie, start, end, n))
                start, end, n = a.ingang, a.einde, 1
        paths.append(CarePath(client, categorie, start, end, n))
    return paths


def avg_duration_months(paths: Iterable[CarePath], year: int) -> float:
    durations = [(p.end - p.start).days + 1 for p in paths if p.end.year == year]
    return sum(durations) / len(durations) / 30.44 if durations else 0.0


def relapse_rate(paths: Iterable[CarePath], allocations: Iterable[AllocationFact], year: int) -> float:
    """Share of care paths ended in ``year`` after which the client gets a new allocation 32-183
    days later (any product)."""
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for a in _valid(allocations):
        starts[a.client].append(a.ingang)
    ended = [p for p in paths if p.end.year == year]
    if not ended:
        return 0.0
    hits = 0
    for p in ended:
        if any(32 <= (s - p.end).days <= 183 for s in starts[p.client]):
            hits += 1
    return hits / len(ended)


def extension_rate(
    allocations: Iterable[AllocationFact], year: int, *, segments: tuple[str, ...] | None = None
) -> float:
    """Share of new allocations (Ingangsdatum in ``year``) starting 0-31 days after an earlier
    allocation of the same client for the same product ended."""
    valid = _valid(allocations)
    ends: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for a in valid:
        assert a.einde is not None
        ends[(a.client, a.code)].append(a.einde)
    new = [a for a in valid if a.ingang.year == year and (segments is None or segment(a.code) in segments)]
    if not new:
        return 0.0
    hits = sum(1 for a in new if any(0 <= (a.ingang - e).days <= 31 for e in ends[(a.client, a.code)]))
    return hits / len(new)


def dropout_rate(paths: Iterable[CarePath], stops: Iterable[StopFact], year: int) -> float:
    """Share of care paths ended in ``year`` whose last stop has reason 32, 33 or 34."""
    last: dict[tuple[str, str], tuple[dt.date, str]] = {}
    for s in stops:
        # the category is not in the stop fact; key on client and end date instead
        last[(s.client, s.einde.isoformat())] = (s.einde, s.reden)
    ended = [p for p in paths if p.end.year == year]
    if not ended:
        return 0.0
    hits = sum(
        1 for p in ended if last.get((p.client, p.end.isoformat()), (None, ""))[1] in {"32", "33", "34"}
    )
    return hits / len(ended)


# ---------------------------------------------------------------- redemption


def _periods(a: AllocationFact) -> float:
    assert a.einde is not None
    days = (a.einde - a.ingang).days + 1
    if a.frequentie == "2":
        return days / 7
    if a.frequentie == "4":
        return days / 30.44
    if a.frequentie == "1":
        return days
    return 1.0


def redemption(
    allocations: Iterable[AllocationFact],
    claims: Iterable[ClaimFact],
    year: int,
    *,
    providers: set[str] | None = None,
) -> float:
    """Claimed volume / allocated volume over the validity, for effort (P x Q) allocations that
    ended in ``year`` (optionally of some providers only); ratio of the sums."""
    claimed: dict[tuple[str, str], int] = defaultdict(int)
    for c in claims:
        claimed[(c.gemeente, c.nummer)] += c.volume
    num = 0.0
    den = 0.0
    for a in _valid(allocations):
        assert a.einde is not None
        if a.einde.year != year or PRODUCTS[a.code].wijze != PXQ:
            continue
        if providers is not None and a.provider not in providers:
            continue
        num += claimed[(a.gemeente, a.nummer)]
        den += a.volume * _periods(a)
    return num / den if den else 0.0


def growth(
    table: Mapping[tuple[int, str, str], tuple[int, int]], year: int, segments: tuple[str, ...]
) -> tuple[float, float]:
    """(spend growth, client growth) of ``segments`` from year-1 to year (clients summed over cells)."""

    def tot(y: int) -> tuple[int, int]:
        c = sum(v[0] for (yy, _, s), v in table.items() if yy == y and s in segments)
        e = sum(v[1] for (yy, _, s), v in table.items() if yy == y and s in segments)
        return c, e

    c0, e0 = tot(year - 1)
    c1, e1 = tot(year)
    return e1 / e0 - 1, c1 / c0 - 1
