"""The KPI registry (SYSTEM.md section 7): each KPI once, with its id, Dutch label, definition,
unit and good direction, computed from plain fact records. The CLI, the screens and the reports
all call `compute`, so a number means the same everywhere.

Facts are plain tuples/dataclasses handed in by the monitoring app (which reads them from the
database); nothing here knows about Django.
"""

from __future__ import annotations

import datetime as dt
import operator
import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from .carepaths import (
    AllocationFact,
    CarePath,
    care_paths,
    dropped_out,
    extension_ids,
    follow_up_known,
    relapsed,
    top_sequences,
    waiting_days,
)
from .carepaths import allocated_volume as _allocated_volume
from .kpi_answers import (
    ChangeRequestFact,
    claims_submitted,
    granted_share,
    median_decision_days,
    rejected_share,
    rejected_share_by_code,
    requests_decided,
)

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
    verwijzer: str = "01"  # referrer type of the allocation's request; 01 gemeente when none
    periode_eind: dt.date | None = None  # ProductPeriode end (data-quality checks)
    toewijzing: int | None = None  # id of the allocation claimed on (data-quality checks)
    afgewezen: bool = False  # rejected by the municipality's claim answer (JW325)
    retourcode: str = ""  # the first rejecting return code of a rejected line


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


SIZE_CLASS_LIMITS_CENT = (25_000_000, 100_000_000)  # micro < EUR 250k, klein < EUR 1M, groot >= 1M


@dataclass
class Facts:
    """Everything the KPIs read. Claims and allocations should cover the periods asked for plus
    183 days around them (relapse and inflow look back and ahead); `as_of` is the date the data
    is complete to (follow-up windows end there).

    `claims` are the accepted claim lines: every amount-based KPI reads these (accepted claims =
    submitted minus rejected, SYSTEM.md section 5). `rejected_claims` are the lines a claim answer
    (JW325) rejected, read only by the rejection KPIs; `change_requests` the JW317 requests."""

    claims: Sequence[ClaimFact]
    allocations: Sequence[AllocationFact]
    as_of: dt.date
    size_class_limits: tuple[int, int] = SIZE_CLASS_LIMITS_CENT
    rejected_claims: Sequence[ClaimFact] = ()
    change_requests: Sequence[ChangeRequestFact] = ()
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def paths(self) -> list[CarePath]:
        return care_paths(self.allocations)

    @cached_property
    def extensions(self) -> set[int]:
        return extension_ids(self.allocations)

    @cached_property
    def starts_by_client(self) -> dict[str, list[dt.date]]:
        starts: dict[str, list[dt.date]] = defaultdict(list)
        for a in self.allocations:
            starts[a.client].append(a.ingangsdatum)
        return starts

    @cached_property
    def allocations_by_client(self) -> dict[str, list[AllocationFact]]:
        found: dict[str, list[AllocationFact]] = defaultdict(list)
        for a in self.allocations:
            found[a.client].append(a)
        return found

    def provider_spend(self, y: int) -> dict[str, int]:
        if ("provider_spend", y) not in self._cache:
            totals: dict[str, int] = defaultdict(int)
            for c in self.claims:
                if c.periode_begin.year == y:
                    totals[c.aanbieder] += c.bedrag_cent
            self._cache[("provider_spend", y)] = dict(totals)
        return self._cache[("provider_spend", y)]

    def size_class(self, aanbieder: str, y: int) -> str:
        classes = self._cache.get(("size_class", y))
        if classes is None:  # once per year: the class of every provider with spend
            classes = {a: self._size_class_of(spent) for a, spent in self.provider_spend(y).items()}
            self._cache[("size_class", y)] = classes
        found = classes.get(aanbieder)
        return self._size_class_of(0) if found is None else found

    def _size_class_of(self, spent: int) -> str:
        micro, klein = self.size_class_limits
        return "micro" if spent < micro else ("klein" if spent < klein else "groot")


# ---------------------------------------------------------------- how records are cut

CUTS = ("gemeente", "aanbieder", "categorie", "segment", "groep", "product", "verwijzer")


def cut_value(record: Any, cut: str) -> Hashable:
    if isinstance(record, CarePath):
        record = record.last  # a path sits where it ended
    if cut == "categorie":
        return "NGA" if record.is_nga else record.categorie
    return getattr(record, cut)


def _category(record: Any) -> str:
    return "NGA" if record.is_nga else record.categorie


def group_by_cuts(records: Sequence[Any], by: tuple[str, ...]) -> list[tuple[tuple, list[Any]]]:
    """The records per group of the cuts, sorted by group key: ``cut_value`` for every record and
    cut, with the attribute getters looked up once and a path's last allocation found once."""
    getters = [_category if c == "categorie" else operator.attrgetter(c) for c in by]
    placed = [r.last if isinstance(r, CarePath) else r for r in records]
    groups: dict[tuple, list[Any]] = defaultdict(list)
    if len(getters) == 1:
        get = getters[0]
        for record, at in zip(records, placed, strict=True):
            groups[(get(at),)].append(record)
    else:
        for record, at in zip(records, placed, strict=True):
            groups[tuple(g(at) for g in getters)].append(record)
    return sorted(groups.items())


# ---------------------------------------------------------------- the KPIs


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _claims_in(facts: Facts, period: Period) -> list[ClaimFact]:
    return [c for c in facts.claims if period.contains(c.periode_begin)]


def _spend(records, facts, period) -> int:
    return sum(c.bedrag_cent for c in records)


def _clients(records, facts, period) -> int:
    net: dict[str, int] = defaultdict(int)
    for c in records:
        net[c.client] += c.bedrag_cent
    return sum(1 for total in net.values() if total > 0)


def _cost_per_client(records, facts, period) -> float | None:
    n = _clients(records, facts, period)
    return _spend(records, facts, period) / n if n else None


def _nga_share(records, facts, period) -> float | None:
    return _share(sum(c.bedrag_cent for c in records if c.is_nga), _spend(records, facts, period))


def _custom_share(records, facts, period) -> float | None:
    return _share(sum(c.bedrag_cent for c in records if c.custom), _spend(records, facts, period))


def _size_class_share(records, facts, period) -> dict[str, float] | None:
    total = _spend(records, facts, period)
    if not total:
        return None
    per_provider: dict[tuple[str, int], int] = defaultdict(int)  # classed once per provider and year
    for c in records:
        per_provider[(c.aanbieder, c.periode_begin.year)] += c.bedrag_cent
    by_class: dict[str, int] = {"micro": 0, "klein": 0, "groot": 0}
    for (aanbieder, y), amount in per_provider.items():
        by_class[facts.size_class(aanbieder, y)] += amount
    return {k: v / total for k, v in by_class.items()}


def _allocations_valid(facts: Facts, period: Period) -> list[AllocationFact]:
    return [a for a in facts.allocations if a.valid_on_any_day(period.begin, period.end)]


def _allocations_new(facts: Facts, period: Period) -> list[AllocationFact]:
    return [a for a in facts.allocations if period.contains(a.ingangsdatum)]


def _distinct_clients(records, facts, period) -> int:
    return len({r.client for r in records})


def _count(records, facts, period) -> int:
    return len(records)


def _pxq_ended(facts: Facts, period: Period) -> list[AllocationFact]:
    return [
        a for a in facts.allocations if a.pxq and a.einddatum is not None and period.contains(a.einddatum)
    ]


def _redemption(records, facts, period) -> float | None:
    allocated = claimed = 0.0
    for a in records:
        volume = _allocated_volume(a)
        if volume:
            allocated += volume
            claimed += a.claimed_volume
    return _share(claimed, allocated)


def _extension_rate(records, facts, period) -> float | None:
    return _share(sum(1 for a in records if a.id in facts.extensions), len(records))


def _paths_ended(facts: Facts, period: Period) -> list[CarePath]:
    return [p for p in facts.paths if p.end is not None and period.contains(p.end)]


def _avg_duration_months(records, facts, period) -> float | None:
    if not records:
        return None
    return statistics.fmean(p.duration_days for p in records) / (365.25 / 12)


def _paths_followed_up(facts: Facts, period: Period) -> list[CarePath]:
    """Paths ended in the period, but only when the whole period has 183 days of follow-up:
    a rate over part of the period would change as data arrives."""
    if (facts.as_of - period.end).days < 183:
        return []
    return [p for p in _paths_ended(facts, period) if follow_up_known(p, facts.as_of)]


def _relapse_rate(records, facts, period) -> float | None:
    return _share(sum(1 for p in records if relapsed(p, facts.starts_by_client)), len(records))


def _no_restart_rate(records, facts, period) -> float | None:
    rate = _relapse_rate(records, facts, period)
    return None if rate is None else 1 - rate


def _dropout_rate(records, facts, period) -> float | None:
    return _share(sum(1 for p in records if dropped_out(p)), len(records))


def _inflow_paths(facts: Facts, period: Period) -> list[CarePath]:
    """Per client the first path starting in the period, when the client had no allocation valid
    in the 183 days before it."""
    first: dict[str, CarePath] = {}
    for p in facts.paths:
        if period.contains(p.begin) and (p.client not in first or p.begin < first[p.client].begin):
            first[p.client] = p
    found = []
    for client, path in first.items():
        window_begin = path.begin - dt.timedelta(days=183)
        window_end = path.begin - dt.timedelta(days=1)
        if not any(a.valid_on_any_day(window_begin, window_end) for a in facts.allocations_by_client[client]):
            found.append(path)
    return found


def _outflow_allocations(facts: Facts, period: Period) -> list[AllocationFact]:
    """Allocations valid at the period's start of clients who have none valid at its end."""
    found = []
    for allocations in facts.allocations_by_client.values():
        at_start = [a for a in allocations if a.valid_on(period.begin)]
        if at_start and not any(a.valid_on(period.end) for a in allocations):
            found.extend(at_start)
    return found


def _started_with_wait(facts: Facts, period: Period) -> list[AllocationFact]:
    return [
        a
        for a in facts.allocations
        if a.zorg_start and period.contains(a.zorg_start) and waiting_days(a) is not None
    ]


def _waits(records: Sequence[AllocationFact]) -> list[int]:
    return [d for d in map(waiting_days, records) if d is not None]


def _waiting_median(records, facts, period) -> float | None:
    days = _waits(records)
    return statistics.median(days) if days else None


def _waiting_p90(records, facts, period) -> float | None:
    days = sorted(_waits(records))
    if not days:
        return None
    # Nearest-rank percentile: the smallest value with at least 90% of values at or below it.
    rank = max(1, -(-len(days) * 90 // 100))
    return float(days[rank - 1])


def _top_paths(records, facts, period) -> list[dict] | None:
    if not records:
        return None
    return [{"producten": list(seq), "aantal": n} for seq, n in top_sequences(records, 10)]


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str
    definition: str
    unit: Literal["cent", "aantal", "fractie", "dagen", "maanden", "tabel"]
    good: Direction
    base: Callable[[Facts, Period], Sequence[Any]]
    value: Callable[[Sequence[Any], Facts, Period], Any]


def _claims_base(facts: Facts, period: Period) -> list[ClaimFact]:
    return _claims_in(facts, period)


REGISTRY: dict[str, Kpi] = {
    k.id: k
    for k in (
        Kpi(
            "spend",
            "Kosten",
            "Netto gedeclareerd bedrag (debet minus credit) van geaccepteerde declaratieregels (ingediend min "
            "afgewezen in een retourbericht JW325), toegerekend aan de productperiode.",
            "cent",
            "lager",
            _claims_base,
            _spend,
        ),
        Kpi(
            "clients",
            "Cliënten",
            "Unieke cliënten met een netto positief gedeclareerd bedrag in de periode.",
            "aantal",
            "neutraal",
            _claims_base,
            _clients,
        ),
        Kpi(
            "clients_in_care",
            "Cliënten in zorg",
            "Unieke cliënten met een toewijzing die minstens één dag in de periode geldig is (verwijderde "
            "toewijzingen tellen niet).",
            "aantal",
            "neutraal",
            _allocations_valid,
            _distinct_clients,
        ),
        Kpi(
            "cost_per_client",
            "Kosten per cliënt",
            "Kosten gedeeld door het aantal cliënten.",
            "cent",
            "lager",
            _claims_base,
            _cost_per_client,
        ),
        Kpi(
            "allocations_new",
            "Nieuwe toewijzingen",
            "Toewijzingen met een ingangsdatum in de periode; verwijderde toewijzingen (reden wijziging 13) "
            "tellen niet.",
            "aantal",
            "neutraal",
            _allocations_new,
            _count,
        ),
        Kpi(
            "redemption_rate",
            "Verzilvering",
            "Voor P x Q-toewijzingen die in de periode eindigden: gedeclareerd volume gedeeld door het toegewezen "
            "volume over de hele looptijd (volume x aantal frequentieperioden; frequentie 6 = totaal).",
            "fractie",
            "neutraal",
            _pxq_ended,
            _redemption,
        ),
        Kpi(
            "extension_rate",
            "Verlengingen",
            "Aandeel nieuwe toewijzingen dat 0-31 dagen na het einde van een eerdere toewijzing van dezelfde "
            "cliënt voor hetzelfde product begint. Hetzelfde product: dezelfde productcode zoals toegewezen, of "
            "de opvolger van die code in een nieuw productboek (volgens de omzettingstabel) bij dezelfde aanbieder "
            "met 2-31 dagen ertussen. Een omzetting naar het nieuwe productboek (zelfde cliënt, zelfde aanbieder, "
            "opvolgende code, aansluitend: 0-1 dag na het einde) is geen verlenging; twee verschillende oude "
            "producten die op dezelfde nieuwe code uitkomen zijn niet hetzelfde product.",
            "fractie",
            "lager",
            _allocations_new,
            _extension_rate,
        ),
        Kpi(
            "avg_duration_months",
            "Gemiddelde duur zorgpad",
            "Gemiddelde duur (laatste einde - eerste begin) van de zorgpaden die in de periode eindigden; een "
            "zorgpad is per cliënt en productcategorie een keten van toewijzingen die elk hoogstens 31 dagen na "
            "het einde van de vorige beginnen.",
            "maanden",
            "lager",
            _paths_ended,
            _avg_duration_months,
        ),
        Kpi(
            "relapse_rate",
            "Herhaald beroep (recidive)",
            "Aandeel zorgpaden geëindigd in de periode waarna de cliënt 32-183 dagen later een nieuwe toewijzing "
            "begint; alleen als er 183 dagen follow-up zijn.",
            "fractie",
            "lager",
            _paths_followed_up,
            _relapse_rate,
        ),
        Kpi(
            "no_restart_rate",
            "Geen nieuwe start",
            "Uitkomstindicator 'geen nieuwe start': 1 - recidive, met dezelfde follow-upregel.",
            "fractie",
            "hoger",
            _paths_followed_up,
            _no_restart_rate,
        ),
        Kpi(
            "dropout_rate",
            "Uitval",
            "Uitkomstindicator 'uitval': aandeel zorgpaden geëindigd in de periode waarvan de laatste stop (JW307) "
            "reden 32, 33 of 34 (voortijdig afgesloten) heeft.",
            "fractie",
            "lager",
            _paths_ended,
            _dropout_rate,
        ),
        Kpi(
            "nga_share",
            "Aandeel niet-gecontracteerd (NGA)",
            "Kosten bij niet-gecontracteerde aanbieders gedeeld door de kosten.",
            "fractie",
            "lager",
            _claims_base,
            _nga_share,
        ),
        Kpi(
            "custom_share",
            "Aandeel meerwerk/maatwerk",
            "Kosten van producten gemarkeerd als meerwerk of maatwerk gedeeld door de kosten.",
            "fractie",
            "lager",
            _claims_base,
            _custom_share,
        ),
        Kpi(
            "size_class_share",
            "Kosten per grootteklasse aanbieder",
            "Aandeel van de kosten per grootteklasse van de aanbieder (micro < EUR 250.000 regionale omzet per "
            "jaar, klein < EUR 1 mln, groot >= EUR 1 mln).",
            "tabel",
            "neutraal",
            _claims_base,
            _size_class_share,
        ),
        Kpi(
            "inflow",
            "Instroom",
            "Cliënten van wie het eerste zorgpad in de periode begint zonder zorg in de 183 dagen ervoor.",
            "aantal",
            "neutraal",
            _inflow_paths,
            _distinct_clients,
        ),
        Kpi(
            "outflow",
            "Uitstroom",
            "Cliënten met een geldige toewijzing aan het begin van de periode en geen aan het einde.",
            "aantal",
            "neutraal",
            _outflow_allocations,
            _distinct_clients,
        ),
        Kpi(
            "waiting_days",
            "Wachttijd (mediaan)",
            "Dagen van verzoek (JW315) of toewijzingsdatum (JW301) tot start zorg (JW305): mediaan van de starts "
            "in de periode.",
            "dagen",
            "lager",
            _started_with_wait,
            _waiting_median,
        ),
        Kpi(
            "waiting_days_p90",
            "Wachttijd (90e percentiel)",
            "Als wachttijd, het 90e percentiel (nearest rank) van de starts in de periode.",
            "dagen",
            "lager",
            _started_with_wait,
            _waiting_p90,
        ),
        Kpi(
            "rejected_share",
            "Afgewezen declaraties",
            "Netto bedrag van de declaratieregels die de gemeente in een retourbericht (JW325) afwees, gedeeld door "
            "het netto ingediende bedrag (geaccepteerd plus afgewezen), toegerekend aan de productperiode.",
            "fractie",
            "lager",
            claims_submitted,
            rejected_share,
        ),
        Kpi(
            "rejected_share_by_code",
            "Afgewezen declaraties per retourcode",
            "Als afgewezen declaraties, uitgesplitst naar de eerste afwijzende retourcode van de regel; de "
            "aandelen tellen op tot het totale afgewezen aandeel.",
            "tabel",
            "lager",
            claims_submitted,
            rejected_share_by_code,
        ),
        Kpi(
            "change_requests_granted",
            "Toegekende wijzigingsverzoeken",
            "Van de verzoeken om wijziging (JW317) waarover in de periode is beslist, het aandeel dat is toegekend. "
            "Toegekend: een toewijzing (JW301) met de ReferentieAanbieder van het verzoek; afgewezen: een "
            "antwoord (JW319) 'verzoek afgewezen'; de eerste van beide beslist, 'in onderzoek' beslist niets.",
            "fractie",
            "neutraal",
            requests_decided,
            granted_share,
        ),
        Kpi(
            "change_request_days",
            "Doorlooptijd wijzigingsverzoek (mediaan)",
            "Dagen van het verzoek om wijziging (JW317) tot de beslissing (toewijzing JW301 of afwijzing JW319): "
            "mediaan van de verzoeken waarover in de periode is beslist.",
            "dagen",
            "lager",
            requests_decided,
            median_decision_days,
        ),
        Kpi(
            "top_paths",
            "Meest voorkomende zorgpaden",
            "De tien vaakst voorkomende productreeksen binnen zorgpaden die in de periode eindigden, met aantallen.",
            "tabel",
            "neutraal",
            _paths_ended,
            _top_paths,
        ),
    )
}


def compute(kpi_id: str, facts: Facts, period: Period, by: tuple[str, ...] = ()) -> dict[tuple, Any]:
    """The KPI over `period`, grouped by the given cuts: {group key tuple: value}; the empty tuple
    is the whole. Groups without base records are absent."""
    kpi = REGISTRY[kpi_id]
    for cut in by:
        if cut not in CUTS:
            raise ValueError(f"Onbekende uitsnede: {cut}")
    # The base records of a period are shared by the KPIs on the same base and by every cut:
    # select them once (the claim KPIs would otherwise scan all claim lines per KPI and cut), and
    # group them once per cut for all KPIs on that base (six KPIs read the claims of a period).
    base_key = ("base", kpi.base, period)
    if base_key not in facts._cache:
        facts._cache[base_key] = kpi.base(facts, period)
    records = facts._cache[base_key]
    if not by:
        return {(): kpi.value(list(records), facts, period)}
    groups_key = ("groups", kpi.base, period, by)
    if groups_key not in facts._cache:
        facts._cache[groups_key] = group_by_cuts(records, by)
    return {key: kpi.value(rows, facts, period) for key, rows in facts._cache[groups_key]}


def market_table(facts: Facts, y: int) -> dict[tuple[str, str], tuple[int, int]]:
    """Seed 000 section 7.1: (municipality, segment) -> (clients, spend in cents) for year `y`.
    Transport appears under segment "" (vervoer)."""
    spends = compute("spend", facts, year(y), ("gemeente", "segment"))
    counts = compute("clients", facts, year(y), ("gemeente", "segment"))
    return {key: (int(counts[key]), int(spends[key])) for key in spends}


def claim_only(claims: Iterable[ClaimFact], as_of: dt.date | None = None) -> Facts:
    """Facts with claims only (enough for the claim-based KPIs and the market table)."""
    claims = list(claims)
    last = max((c.periode_begin for c in claims), default=dt.date.today())
    return Facts(claims=claims, allocations=[], as_of=as_of or last)
