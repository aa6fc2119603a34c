"""The KPI registry (SYSTEM.md section 7): each KPI once, with its id, Dutch label, definition,
unit and good direction, computed from plain fact records. The CLI, the screens and the reports
all call `compute`, so a number means the same everywhere.

Facts are plain tuples/dataclasses handed in by the monitoring app (which reads them from the
database); nothing here knows about Django.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

Direction = Literal["lager", "hoger", "neutraal"]


@dataclass(frozen=True)
class ClaimFact:
    """One claim line, reduced to what the KPIs need. `bedrag_cent` is signed (credit negative)."""

    client: str  # pseudonym
    gemeente: str  # CBS code
    aanbieder: str  # AGB code
    categorie: str  # provider category A / B / C
    is_nga: bool
    segment: str  # "2", "3", "4", or "" for transport
    groep: str  # product group (perceel)
    product: str  # product code as mapped to the current book
    custom: str  # "", "meerwerk", "maatwerk"
    periode_begin: dt.date  # ProductPeriode begin: money is attributed to the period of care
    bedrag_cent: int
    volume: int


@dataclass(frozen=True)
class Period:
    begin: dt.date
    end: dt.date  # inclusive
    label: str

    def contains(self, day: dt.date) -> bool:
        return self.begin <= day <= self.end


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y))


def tertial(y: int, t: int) -> Period:
    first_month = 1 + 4 * (t - 1)
    end = dt.date(y, first_month + 4, 1) - dt.timedelta(days=1) if t < 3 else dt.date(y, 12, 31)
    return Period(dt.date(y, first_month, 1), end, f"{y}-T{t}")


def month(y: int, mo: int) -> Period:
    end = dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(dt.date(y, mo, 1), end, f"{y}-{mo:02d}")


# ---------------------------------------------------------------- claim-based KPIs


def spend(facts: Iterable[ClaimFact]) -> int:
    """Net claimed amount in cents (debet minus credit)."""
    return sum(f.bedrag_cent for f in facts)


def clients(facts: Iterable[ClaimFact]) -> int:
    """Distinct clients with a net positive claimed amount."""
    net: dict[str, int] = defaultdict(int)
    for f in facts:
        net[f.client] += f.bedrag_cent
    return sum(1 for total in net.values() if total > 0)


def cost_per_client(facts: Iterable[ClaimFact]) -> float | None:
    facts = list(facts)
    n = clients(facts)
    return spend(facts) / n if n else None


def nga_share(facts: Iterable[ClaimFact]) -> float | None:
    facts = list(facts)
    total = spend(facts)
    return spend(f for f in facts if f.is_nga) / total if total else None


def custom_share(facts: Iterable[ClaimFact]) -> float | None:
    facts = list(facts)
    total = spend(facts)
    return spend(f for f in facts if f.custom) / total if total else None


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str
    definition: str
    unit: Literal["cent", "aantal", "fractie", "dagen", "maanden"]
    good: Direction
    compute: Callable[[list[ClaimFact]], float | int | None]


REGISTRY: dict[str, Kpi] = {
    k.id: k
    for k in (
        Kpi(
            "spend",
            "Kosten",
            "Netto gedeclareerd bedrag (debet minus credit), toegerekend aan de productperiode.",
            "cent",
            "lager",
            spend,
        ),
        Kpi(
            "clients",
            "Cliënten",
            "Unieke cliënten met een netto positief gedeclareerd bedrag in de periode.",
            "aantal",
            "neutraal",
            clients,
        ),
        Kpi(
            "cost_per_client",
            "Kosten per cliënt",
            "Kosten gedeeld door het aantal cliënten.",
            "cent",
            "lager",
            cost_per_client,
        ),
        Kpi(
            "nga_share",
            "Aandeel niet-gecontracteerd (NGA)",
            "Kosten bij niet-gecontracteerde aanbieders gedeeld door de kosten.",
            "fractie",
            "lager",
            nga_share,
        ),
        Kpi(
            "custom_share",
            "Aandeel meerwerk/maatwerk",
            "Kosten van producten gemarkeerd als meerwerk of maatwerk gedeeld door de kosten.",
            "fractie",
            "lager",
            custom_share,
        ),
    )
}

# Cuts (SYSTEM.md section 7): how facts are grouped.
CUTS: dict[str, Callable[[ClaimFact], Hashable]] = {
    "gemeente": lambda f: f.gemeente,
    "aanbieder": lambda f: f.aanbieder,
    "categorie": lambda f: "NGA" if f.is_nga else f.categorie,
    "segment": lambda f: f.segment,
    "groep": lambda f: f.groep,
    "product": lambda f: f.product,
}


def compute(kpi_id: str, facts: Iterable[ClaimFact], period: Period, by: tuple[str, ...] = ()) -> dict:
    """The KPI for the facts whose ProductPeriode begins in `period`, grouped by the given cuts.
    Returns {group key tuple: value}; the empty tuple is the whole."""
    kpi = REGISTRY[kpi_id]
    groups: dict[tuple, list[ClaimFact]] = defaultdict(list)
    for f in facts:
        if period.contains(f.periode_begin):
            groups[tuple(CUTS[c](f) for c in by)].append(f)
    return {key: kpi.compute(rows) for key, rows in sorted(groups.items())}


def market_table(facts: Iterable[ClaimFact], y: int) -> dict[tuple[str, str], tuple[int, int]]:
    """Seed 000 section 7.1: (municipality, segment) -> (clients, spend in cents) for year `y`.
    Transport appears under segment "" (vervoer)."""
    facts = list(facts)
    spends = compute("spend", facts, year(y), ("gemeente", "segment"))
    counts = compute("clients", facts, year(y), ("gemeente", "segment"))
    return {(g, s): (int(counts[(g, s)] or 0), int(spends[(g, s)])) for (g, s) in spends}
