"""Data-quality checks on the care facts (issue 5): records that are not necessarily wrong but
that someone in contract management should look at. One registry, like the KPIs: each check has
an id, a Dutch label and explanation, a severity, and returns findings that say, per record, why
it was flagged.

The checks read the same plain facts as the KPIs (`rules.kpi.Facts`); nothing here knows about
Django. Money is in integer cents.

Claims are looked at per claimed product period: the debit and credit lines of one allocation,
product and ProductPeriode are netted first, so a line that was credited (reversed) in full is
no finding any more, and a correction (credit + new debit) counts once at its new amount.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol, TypeVar

from .carepaths import EXTENSION_DAYS, AllocationFact
from .kpi import ClaimFact, Facts, Period

Severity = Literal["hoog", "middel", "laag"]
SEVERITY_ORDER: dict[str, int] = {"hoog": 0, "middel": 1, "laag": 2}
T = TypeVar("T", bound="AllocationFact | Trajectory")


@dataclass(frozen=True)
class Thresholds:
    """The tunable numbers of the checks (defaults from issue 5)."""

    short_min_count: int = 3  # N: this many short allocations ...
    short_max_days: int = 92  # M: ... each lasting fewer days than this ...
    short_window_days: int = 365  # ... starting within this many days, one client at one provider
    not_started_days: int = 90  # G: an allocation this many days old without start or claim


@dataclass(frozen=True)
class Finding:
    """One flagged record. `begin`/`eind` are the flagged record's own dates: the ProductPeriode of
    a claim, the validity of an allocation, or for short trajectories the first start and last end.
    `bedrag_cent` is the net claimed amount concerned (0 when no money is involved)."""

    check: str
    gemeente: str  # CBS code
    aanbieder: str  # AGB code
    client: str  # pseudonym
    toewijzing: int | None  # allocation id; None when the finding covers several allocations
    product: str
    begin: dt.date
    eind: dt.date | None
    bedrag_cent: int
    uitleg: str  # why this record was flagged, in Dutch
    toewijzingen: tuple[int, ...] = ()  # every allocation concerned


class CheckInput:
    """What the checks read: the facts, the ids of deleted allocations (which are not among
    `facts.allocations`) and the thresholds, with lookups built once per run."""

    def __init__(self, facts: Facts, deleted: Collection[int], thresholds: Thresholds) -> None:
        self.facts = facts
        self.deleted = frozenset(deleted)
        self.thresholds = thresholds
        self._net: dict[Period, dict[int, int]] = {}

    @cached_property
    def allocations_by_id(self) -> dict[int, AllocationFact]:
        return {a.id: a for a in self.facts.allocations}

    def net_claimed(self, period: Period) -> dict[int, int]:
        """allocation id -> net amount claimed for product periods beginning in `period`."""
        if period not in self._net:
            totals: dict[int, int] = defaultdict(int)
            for c in self.facts.claims:
                if c.toewijzing is not None and period.contains(c.periode_begin):
                    totals[c.toewijzing] += c.bedrag_cent
            self._net[period] = dict(totals)
        return self._net[period]


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    definition: str  # Dutch; may name the thresholds as {short_min_count} etc.
    severity: Severity
    run: Callable[[CheckInput, Period], list[Finding]] = field(repr=False)

    def explain(self, thresholds: Thresholds) -> str:
        return self.definition.format(**asdict(thresholds))


class FindingTotals:
    """Count and net amount of a check's findings (these checks' and the iJw rules' results)."""

    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def bedrag_cent(self) -> int:
        return sum(f.bedrag_cent for f in self.findings)


@dataclass(frozen=True)
class CheckResult(FindingTotals):
    check: Check
    findings: tuple[Finding, ...]

    @property
    def clients(self) -> int:
        """Distinct clients: aggregates outside the regio role rest on this (small numbers)."""
        return len({f.client for f in self.findings})


def format_day(day: dt.date | None) -> str:
    """dd-mm-jjjj, or "open einde" for no date."""
    return day.strftime("%d-%m-%Y") if day else "open einde"


_day = format_day


def format_euro(cents: int) -> str:
    """EUR 1.234,56 (Dutch notation), exact from cents."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}EUR {whole:,}".replace(",", ".") + f",{rest:02d}"


# ---------------------------------------------------------------- claims, netted per product period


@dataclass(frozen=True)
class _ClaimedPeriod:
    """The net of the claim lines of one allocation, product and ProductPeriode."""

    first: ClaimFact  # carries client, municipality, provider, product, allocation
    begin: dt.date
    eind: dt.date
    bedrag_cent: int
    volume: int


def _claimed_periods(claims: Iterable[ClaimFact], period: Period) -> list[_ClaimedPeriod]:
    """Claims on a known allocation whose ProductPeriode begins in `period` (money belongs to the
    period of care), netted; fully reversed periods are left out."""
    groups: dict[tuple, list[ClaimFact]] = defaultdict(list)
    for c in claims:
        if c.toewijzing is None or not period.contains(c.periode_begin):
            continue
        eind = c.periode_eind or c.periode_begin
        groups[(c.toewijzing, c.product, c.periode_begin, eind)].append(c)
    netted = []
    for (_, _, begin, eind), lines in groups.items():
        amount = sum(c.bedrag_cent for c in lines)
        volume = sum(c.volume for c in lines)
        if amount or volume:
            netted.append(_ClaimedPeriod(lines[0], begin, eind, amount, volume))
    return netted


class ClaimedOn(Protocol):
    """What a finding on one claimed product period takes from its (first) claim line."""

    @property
    def gemeente(self) -> str: ...
    @property
    def aanbieder(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def toewijzing(self) -> int | None: ...
    @property
    def product(self) -> str: ...


def claim_finding(
    check_id: str, line: ClaimedOn, begin: dt.date, eind: dt.date, bedrag_cent: int, uitleg: str
) -> Finding:
    """The finding on one claimed product period of one allocation (`line`: its first claim line);
    shared with the iJw rule findings (`rules.ijw_findings`)."""
    assert line.toewijzing is not None
    return Finding(
        check=check_id,
        gemeente=line.gemeente,
        aanbieder=line.aanbieder,
        client=line.client,
        toewijzing=line.toewijzing,
        product=line.product,
        begin=begin,
        eind=eind,
        bedrag_cent=bedrag_cent,
        uitleg=uitleg,
        toewijzingen=(line.toewijzing,),
    )


def _claim_finding(check_id: str, claimed: _ClaimedPeriod, uitleg: str) -> Finding:
    return claim_finding(check_id, claimed.first, claimed.begin, claimed.eind, claimed.bedrag_cent, uitleg)


def claims_outside_allocation(data: CheckInput, period: Period) -> list[Finding]:
    """Claimed product periods on a deleted allocation, or (partly) outside the allocation's
    Ingangsdatum..Einddatum. Ingest refuses such debit lines, so in the database they come from
    allocations that were shortened or deleted after the claim."""
    found = []
    for claimed in _claimed_periods(data.facts.claims, period):
        toewijzing = claimed.first.toewijzing
        periode = f"Productperiode {_day(claimed.begin)} t/m {_day(claimed.eind)} ({format_euro(claimed.bedrag_cent)})"
        if toewijzing in data.deleted:
            uitleg = f"{periode} is gedeclareerd op een toewijzing die de gemeente heeft verwijderd."
        else:
            a = data.allocations_by_id.get(toewijzing)  # type: ignore[arg-type]
            if a is None:  # not handed in: nothing to compare with
                continue
            before = claimed.begin < a.ingangsdatum
            after = a.einddatum is not None and claimed.eind > a.einddatum
            if not (before or after):
                continue
            where = {
                (True, False): "begint vóór de ingangsdatum van",
                (False, True): "loopt door na de einddatum van",
                (True, True): "valt aan beide kanten buiten",
            }[(before, after)]
            uitleg = f"{periode} {where} de toewijzing ({_day(a.ingangsdatum)} t/m {_day(a.einddatum)})."
        found.append(_claim_finding("claims_outside_allocation", claimed, uitleg))
    return found


def claims_after_stop(data: CheckInput, period: Period) -> list[Finding]:
    """Claimed product periods that begin after the Einddatum of the allocation's last JW307."""
    found = []
    for claimed in _claimed_periods(data.facts.claims, period):
        a = data.allocations_by_id.get(claimed.first.toewijzing)  # type: ignore[arg-type]
        if a is None or a.stop_datum is None or claimed.begin <= a.stop_datum:
            continue
        uitleg = (
            f"Productperiode {_day(claimed.begin)} t/m {_day(claimed.eind)} ({format_euro(claimed.bedrag_cent)}) "
            f"begint na het einde van de zorg: de laatste stopmelding (JW307) noemt einddatum "
            f"{_day(a.stop_datum)}."
        )
        found.append(_claim_finding("claims_after_stop", claimed, uitleg))
    return found


# ---------------------------------------------------------------- allocations


def duration_days(a: AllocationFact) -> int | None:
    """Einddatum - Ingangsdatum, as a care path's duration is measured; None when open-ended."""
    return None if a.einddatum is None else (a.einddatum - a.ingangsdatum).days


def short_runs(starts: Sequence[T], need: int, window_days: int) -> list[list[T]]:
    """Runs in `starts` (sorted by Ingangsdatum) where at least `need` allocations start less than
    `window_days` apart; windows that share an allocation are joined into one run."""
    runs: list[tuple[int, int]] = []  # (first index, last index), inclusive
    first = 0
    for last in range(len(starts)):
        while (starts[last].ingangsdatum - starts[first].ingangsdatum).days >= window_days:
            first += 1
        if last - first + 1 < need:
            continue
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))
    return [list(starts[i : j + 1]) for i, j in runs]


@dataclass(frozen=True)
class Trajectory:
    """What the provider could claim as one trajectory: an output-funded allocation on its own
    (each one can be claimed in full), or a chain of P x Q allocations for the same product each
    starting 0-31 days after the previous ended (quarterly re-allocation is continuation, not a
    new trajectory)."""

    allocations: tuple[AllocationFact, ...]

    @property
    def ingangsdatum(self) -> dt.date:
        return self.allocations[0].ingangsdatum

    @property
    def einddatum(self) -> dt.date | None:
        return self.allocations[-1].einddatum

    @property
    def days(self) -> int | None:
        end = self.einddatum
        return None if end is None else (end - self.ingangsdatum).days


def trajectories(allocations: Iterable[AllocationFact]) -> list[Trajectory]:
    chains: dict[tuple[str, str, str, str], list[list[AllocationFact]]] = defaultdict(list)
    found = []
    for a in sorted(allocations, key=lambda a: (a.ingangsdatum, a.id)):
        if not a.pxq:
            found.append(Trajectory((a,)))
            continue
        key = (a.gemeente, a.aanbieder, a.client, a.product)
        for chain in chains[key]:
            end = chain[-1].einddatum
            if end is not None and 0 <= (a.ingangsdatum - end).days <= EXTENSION_DAYS:
                chain.append(a)
                break
        else:
            chains[key].append([a])
    found.extend(Trajectory(tuple(chain)) for items in chains.values() for chain in items)
    return found


def short_trajectories(data: CheckInput, period: Period) -> list[Finding]:
    """One client at one provider (for one municipality) with N or more trajectories, each shorter
    than M days, starting within W days: a signal of splitting care into several trajectories, each
    claimed in full (seed 000, 'declaratie afspraken'). A run is reported for the period when one
    of its trajectories starts in it."""
    limits = data.thresholds
    groups: dict[tuple[str, str, str], list[Trajectory]] = defaultdict(list)
    for t in trajectories(data.facts.allocations):
        if t.days is not None and t.days < limits.short_max_days:
            first = t.allocations[0]
            groups[(first.gemeente, first.aanbieder, first.client)].append(t)
    net = data.net_claimed(period)
    found = []
    for (gemeente, aanbieder, client), items in groups.items():
        if len(items) < limits.short_min_count:
            continue
        items.sort(key=lambda t: (t.ingangsdatum, t.allocations[0].id))
        for run in short_runs(items, limits.short_min_count, limits.short_window_days):
            if not any(period.contains(t.ingangsdatum) for t in run):
                continue
            ids = tuple(a.id for t in run for a in t.allocations)
            amount = sum(net.get(i, 0) for i in ids)
            spans = "; ".join(f"{_day(t.ingangsdatum)} t/m {_day(t.einddatum)} ({t.days} dagen)" for t in run)
            uitleg = (
                f"{len(run)} trajecten van elk minder dan {limits.short_max_days} dagen bij dezelfde "
                f"aanbieder, gestart binnen {limits.short_window_days} dagen: {spans}. Netto gedeclareerd "
                f"op deze toewijzingen in {period.label}: {format_euro(amount)}."
            )
            found.append(
                Finding(
                    check="short_trajectories",
                    gemeente=gemeente,
                    aanbieder=aanbieder,
                    client=client,
                    toewijzing=None,
                    product=", ".join(sorted({a.product for t in run for a in t.allocations})),
                    begin=run[0].ingangsdatum,
                    eind=max(t.einddatum for t in run if t.einddatum is not None),
                    bedrag_cent=amount,
                    uitleg=uitleg,
                    toewijzingen=ids,
                )
            )
    return found


def never_started(data: CheckInput, period: Period) -> list[Finding]:
    """Allocations starting in the period, more than G days before the data's date, with no care
    start (JW305) and nothing claimed on them (net claimed volume 0)."""
    as_of = data.facts.as_of
    found = []
    for a in data.facts.allocations:
        if not period.contains(a.ingangsdatum) or a.zorg_start is not None or a.claimed_volume != 0:
            continue
        age = (as_of - a.ingangsdatum).days
        if age <= data.thresholds.not_started_days:
            continue
        uitleg = (
            f"Toewijzing geldig vanaf {_day(a.ingangsdatum)}, {age} dagen vóór de peildatum {_day(as_of)}, "
            f"zonder startbericht (JW305) en zonder gedeclareerd volume."
        )
        found.append(
            Finding(
                check="never_started",
                gemeente=a.gemeente,
                aanbieder=a.aanbieder,
                client=a.client,
                toewijzing=a.id,
                product=a.product,
                begin=a.ingangsdatum,
                eind=a.einddatum,
                bedrag_cent=0,
                uitleg=uitleg,
                toewijzingen=(a.id,),
            )
        )
    return found


REGISTRY: dict[str, Check] = {
    c.id: c
    for c in (
        Check(
            "claims_outside_allocation",
            "Declaraties buiten de toewijzing",
            "Gedeclareerde productperioden (debet en credit per toewijzing, product en periode verrekend) die "
            "geheel of gedeeltelijk buiten de ingangs- en einddatum van de toewijzing vallen, of die op een "
            "verwijderde toewijzing staan. Bij het inlezen worden zulke regels geweigerd; ze ontstaan doordat "
            "een toewijzing na de declaratie is ingekort of verwijderd.",
            "hoog",
            claims_outside_allocation,
        ),
        Check(
            "claims_after_stop",
            "Declaraties na een stopmelding",
            "Gedeclareerde productperioden die beginnen na de einddatum van de laatste stopmelding (JW307) van "
            "de toewijzing: de aanbieder meldde dat de zorg was beëindigd, maar declareert daarna nog.",
            "hoog",
            claims_after_stop,
        ),
        Check(
            "short_trajectories",
            "Meerdere korte trajecten",
            "Eén cliënt met {short_min_count} of meer trajecten bij dezelfde aanbieder (vanuit dezelfde "
            "gemeente), elk korter dan {short_max_days} dagen (einddatum min ingangsdatum), die binnen "
            "{short_window_days} dagen beginnen. Een traject is een outputgefinancierde toewijzing, of een "
            "keten van P x Q-toewijzingen voor hetzelfde product die elk binnen 31 dagen na de vorige "
            "beginnen (verlengingen). Een signaal dat zorg in losse korte trajecten wordt opgeknipt die elk "
            "volledig worden gedeclareerd (zie de prikkels van trajectbekostiging); geen bewijs.",
            "middel",
            short_trajectories,
        ),
        Check(
            "never_started",
            "Toewijzingen nooit gestart",
            "Toewijzingen met een ingangsdatum in het jaar, meer dan {not_started_days} dagen vóór de peildatum "
            "van de gegevens, zonder startbericht (JW305) en zonder gedeclareerd volume. Ze houden budget vast "
            "en vertekenen prognoses op toewijzingen; sluit ze af of vraag de aanbieder naar de start.",
            "laag",
            never_started,
        ),
    )
}


def finding_order(f: Finding) -> tuple:
    """Largest amounts first, then oldest, then stable by provider, client and allocation."""
    return (-abs(f.bedrag_cent), f.begin, f.aanbieder, f.client, f.toewijzingen)


class _Ranked(Protocol):
    @property
    def severity(self) -> str: ...


def checks_to_run(registry: Mapping[str, _Ranked], only: Iterable[str] | None) -> list[str]:
    """The ids in `only` (default: all), most severe first and in registry order within a
    severity; an unknown id is an error."""
    wanted = list(registry) if only is None else list(only)
    for check_id in wanted:
        if check_id not in registry:
            raise ValueError(f"Onbekende controle: {check_id}")
    order = list(registry)
    return sorted(wanted, key=lambda c: (SEVERITY_ORDER[registry[c].severity], order.index(c)))


def selected_findings(
    findings: Iterable[Finding], gemeente: str | None = None, aanbieder: str | None = None
) -> tuple[Finding, ...]:
    """The findings of one municipality and/or provider when asked, in `finding_order`. Checks
    look at the whole region first and filter afterwards, so a filter never changes what counts
    as a finding."""
    return tuple(
        sorted(
            (
                f
                for f in findings
                if (gemeente is None or f.gemeente == gemeente)
                and (aanbieder is None or f.aanbieder == aanbieder)
            ),
            key=finding_order,
        )
    )


def run_checks(
    facts: Facts,
    period: Period,
    *,
    deleted: Collection[int] = frozenset(),
    thresholds: Thresholds | None = None,
    only: Iterable[str] | None = None,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    memo: dict[Any, tuple[Finding, ...]] | None = None,
) -> list[CheckResult]:
    """Every check (or those in `only`) over `period`, most severe first, optionally only the
    findings of one municipality and/or provider (`selected_findings`).

    `deleted` holds the ids of deleted allocations (they are not among `facts.allocations`).
    `facts` should hold the period's claims, every allocation they are on, and for short
    trajectories the allocations starting up to W days around the period. `memo` keeps each
    check's region-wide findings for the next call on the same `facts` (every municipality and
    provider in turn): a check runs once, each call filters its findings."""
    thresholds = thresholds or Thresholds()
    data = CheckInput(facts, deleted, thresholds)
    memo = {} if memo is None else memo

    def region_wide(check_id: str) -> tuple[Finding, ...]:
        key = (check_id, period, thresholds, data.deleted)
        if key not in memo:
            memo[key] = tuple(REGISTRY[check_id].run(data, period))
        return memo[key]

    return [
        CheckResult(REGISTRY[c], selected_findings(region_wide(c), gemeente, aanbieder))
        for c in checks_to_run(REGISTRY, only)
    ]
