"""Official iJw rules that Jeugdregie reports as data-quality findings instead of rejecting at
ingest (see ``jeugdregie.ijw.trrules``, handling "datakwaliteit"):

* TR318 / 8214: the declaration periods of a provider to a municipality leave out a month while
  care went on (an allocation with started care, not stopped, ran through that whole month);
* TR321 / 9321: the GeleverdVolume of a ProductPeriode does not fit the allocated Omvang;
* TR322 / 9322: the GeleverdVolume over all lines of an allocation exceeds its total Omvang;
* TR387 / 9387 and TR388 / 9388: a ProductPeriode does not begin on the 1st (or the allocation's
  later Ingangsdatum) or does not end on the last day of its month (or the allocation's earlier
  Einddatum);
* TR389 / 9389: a second debit for the same period, category, code and allocation while the
  earlier debit was not (yet) credited.

Why not rejected: late claims (TR319) make a gap in the declaration periods normal for a while,
and a volume beyond the Omvang or a period shape is something to talk about with the provider,
not a reason to lose the line. Only accepted claim lines are read (lines a JW325 rejected are
out); debit and credit lines of one allocation and ProductPeriode are netted where volumes are
compared, so a correction (credit + new debit) counts once. Plain Python, no Django.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .dataquality import (
    Finding,
    FindingTotals,
    Severity,
    checks_to_run,
    claim_finding,
    format_euro,
    selected_findings,
)
from .dataquality import format_day as _day
from .kpi import Period

UNIT_NAMES = {
    "01": "minuten",
    "04": "uur",
    "14": "etmalen",
    "16": "dagdelen",
    "82": "stuks",
    "83": "euro",
    "84": "stuks",
}
FREQUENCY_NAMES = {"1": "per dag", "2": "per week", "4": "per maand", "6": "totaal"}
TOTAL = "6"
RUNNING_SHOWN = 10  # allocations named in a TR318 finding
Volume = int | Fraction  # exact: Fraction only where minutes are converted to hours


@dataclass(frozen=True)
class ClaimLine:
    """One accepted claim line (JW323). ``volume`` and ``bedrag_cent`` are signed (credit negative)."""

    id: int
    toewijzing: int
    client: str  # pseudonym
    gemeente: str
    aanbieder: str
    product: str  # product code as shown (mapped to the current book)
    begin: dt.date  # ProductPeriode
    eind: dt.date
    eenheid: str
    volume: int
    bedrag_cent: int
    debet_credit: str = "D"
    referentienummer: str = ""
    vorig_referentienummer: str = ""
    product_categorie: str = ""  # as claimed
    product_code: str = ""
    ingediend_op: dt.date | None = None  # Dagtekening of the claim message


@dataclass(frozen=True)
class Allocation:
    """An allocation's Omvang and validity (deleted allocations are not handed in)."""

    id: int
    client: str
    gemeente: str
    aanbieder: str
    product: str
    ingangsdatum: dt.date
    einddatum: dt.date | None
    volume: int | None = None
    eenheid: str = ""
    frequentie: str = ""
    zorg_start: dt.date | None = None  # first JW305 Begindatum
    zorg_eind: dt.date | None = None  # Einddatum of the last JW307


@dataclass(frozen=True)
class ClaimPeriod:
    """The DeclaratiePeriode of one claim message (JW323)."""

    aanbieder: str
    gemeente: str
    begin: dt.date
    eind: dt.date


@dataclass
class RuleInput:
    lines: Sequence[ClaimLine]
    allocations: dict[int, Allocation]
    claim_periods: Sequence[ClaimPeriod] = ()
    #: allocations of each provider and municipality, for TR318 (default: from ``allocations``)
    running: dict[tuple[str, str], list[Allocation]] = field(default_factory=dict)
    _netted: dict[Period, list[_Netted]] = field(default_factory=dict, repr=False)

    def netted(self, period: Period) -> list[_Netted]:
        """The lines with a ProductPeriode beginning in `period`, netted (``_netted``); once."""
        if period not in self._netted:
            self._netted[period] = _netted(
                (ln for ln in self.lines if period.contains(ln.begin)), self.allocations
            )
        return self._netted[period]


@dataclass(frozen=True)
class RuleCheck:
    id: str
    tr: str
    retourcode: str
    label: str
    definition: str  # Dutch
    severity: Severity
    run: Callable[[RuleInput, Period], list[Finding]] = field(repr=False)


@dataclass(frozen=True)
class RuleResult(FindingTotals):
    check: RuleCheck
    findings: tuple[Finding, ...]
    clients: int  # distinct clients concerned: suppression outside regio rests on this


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _number(x: Volume) -> str:
    return str(int(x)) if x.denominator == 1 else f"{float(x):.2f}".replace(".", ",")


def in_unit(volume: int, unit: str, allocated_unit: str) -> Volume | None:
    """A claimed volume in the allocation's unit, exactly; hours may be claimed in minutes (TR341).
    None when the units do not match (ingest refuses those lines, TR341)."""
    if unit == allocated_unit:
        return volume
    if (allocated_unit, unit) == ("04", "01"):
        return Fraction(volume, 60)
    return None


# ---------------------------------------------------------------- netted product periods


@dataclass(frozen=True)
class _Netted:
    first: ClaimLine
    begin: dt.date
    eind: dt.date
    volume: Volume | None  # in the allocation's unit; None when not comparable
    bedrag_cent: int


def _netted(lines: Iterable[ClaimLine], allocations: dict[int, Allocation]) -> list[_Netted]:
    """The lines per allocation and ProductPeriode, debit and credit netted, fully reversed
    periods left out; in order of allocation and period."""
    groups: dict[tuple[int, dt.date, dt.date], list[ClaimLine]] = defaultdict(list)
    for line in lines:
        groups[(line.toewijzing, line.begin, line.eind)].append(line)
    found = []
    for (toewijzing, begin, eind), rows in sorted(groups.items()):
        a = allocations.get(toewijzing)
        parts = [in_unit(r.volume, r.eenheid, a.eenheid) if a and a.eenheid else None for r in rows]
        volume = None if None in parts else sum(p for p in parts if p is not None)
        amount = sum(r.bedrag_cent for r in rows)
        if amount or volume:
            found.append(_Netted(rows[0], begin, eind, volume, amount))
    return found


def _finding(check: str, n: _Netted, uitleg: str, *, bedrag: int | None = None) -> Finding:
    return claim_finding(check, n.first, n.begin, n.eind, n.bedrag_cent if bedrag is None else bedrag, uitleg)


# ---------------------------------------------------------------- TR321 / TR322


def allowed_volume(a: Allocation, begin: dt.date, eind: dt.date) -> int | None:
    """The volume the Omvang allows for a ProductPeriode: Volume x days (per dag), x the calendar
    weeks the period touches, counted as whole weeks of 7 days rounded up (per week), x 1 (per
    maand: a ProductPeriode lies in one month). None for a total (TR322) or no Omvang."""
    if a.volume is None or a.frequentie not in ("1", "2", "4"):
        return None
    days = (eind - begin).days + 1
    return a.volume * {"1": days, "2": math.ceil(days / 7), "4": 1}[a.frequentie]


def volume_over_omvang(data: RuleInput, period: Period) -> list[Finding]:
    found = []
    for n in data.netted(period):
        a = data.allocations.get(n.first.toewijzing)
        if a is None or n.volume is None:
            continue
        allowed = allowed_volume(a, n.begin, n.eind)
        if allowed is None or n.volume <= allowed:
            continue
        unit = UNIT_NAMES.get(a.eenheid, a.eenheid)
        found.append(
            _finding(
                "tr321_volume",
                n,
                f"Productperiode {_day(n.begin)} t/m {_day(n.eind)}: geleverd {_number(n.volume)} {unit}, "
                f"de toewijzing staat {a.volume} {unit} {FREQUENCY_NAMES[a.frequentie]} toe, dat is "
                f"{allowed} {unit} voor deze periode ({_number(n.volume - allowed)} te veel).",
            )
        )
    return found


def total_over_omvang(data: RuleInput, period: Period) -> list[Finding]:
    """Allocations with a total Omvang (frequency 6) whose netted volume, summed over the product
    periods in order, passes the total in a period that begins in `period`: one finding, at that
    period; the amount is what was claimed from that period to the end of `period`."""
    by_allocation: dict[int, list[_Netted]] = defaultdict(list)
    totals = {i for i, a in data.allocations.items() if a.frequentie == TOTAL and a.volume is not None}
    for n in _netted((ln for ln in data.lines if ln.toewijzing in totals), data.allocations):
        by_allocation[n.first.toewijzing].append(n)
    found = []
    for toewijzing, periods in by_allocation.items():
        a = data.allocations[toewijzing]
        assert a.volume is not None
        if any(n.volume is None for n in periods):
            continue
        running: Volume = 0
        for i, n in enumerate(periods):
            assert n.volume is not None
            running += n.volume
            if running <= a.volume:
                continue
            if period.contains(n.begin):
                unit = UNIT_NAMES.get(a.eenheid, a.eenheid)
                claimed = sum(m.volume for m in periods if m.volume is not None)
                amount = sum(m.bedrag_cent for m in periods[i:] if period.contains(m.begin))
                found.append(
                    _finding(
                        "tr322_total",
                        n,
                        f"Toegewezen in totaal {a.volume} {unit}; met productperiode {_day(n.begin)} t/m "
                        f"{_day(n.eind)} is {_number(running)} {unit} gedeclareerd ({_number(running - a.volume)} "
                        f"te veel), over alle regels samen {_number(claimed)} {unit}. Het bedrag is wat vanaf "
                        "deze periode in het jaar is gedeclareerd.",
                        bedrag=amount,
                    )
                )
            break
    return found


# ---------------------------------------------------------------- TR387 / TR388


def period_shape(data: RuleInput, period: Period) -> list[Finding]:
    """ProductPeriodes that begin after the 1st (and after the allocation's Ingangsdatum in that
    month) or end before the last day (and before the allocation's Einddatum in that month): the
    period is not the whole month the allocation allows. Both rules in one finding per period."""
    found = []
    for n in data.netted(period):
        a = data.allocations.get(n.first.toewijzing)
        if a is None:
            continue
        first, last = n.begin.replace(day=1), _month_end(n.begin)
        should_begin = max(first, a.ingangsdatum)
        should_end = min(last, a.einddatum) if a.einddatum else last
        why = []
        if n.begin != should_begin:
            why.append(f"begint op {_day(n.begin)} in plaats van {_day(should_begin)} (TR387)")
        if n.eind != should_end:
            why.append(f"eindigt op {_day(n.eind)} in plaats van {_day(should_end)} (TR388)")
        if why:
            found.append(
                _finding(
                    "tr387_period",
                    n,
                    f"Productperiode {_day(n.begin)} t/m {_day(n.eind)} ({format_euro(n.bedrag_cent)}) "
                    + " en ".join(why)
                    + f"; toewijzing {_day(a.ingangsdatum)} t/m {_day(a.einddatum)}.",
                )
            )
    return found


# ---------------------------------------------------------------- TR389


def debit_while_debit_open(data: RuleInput, period: Period) -> list[Finding]:
    """A debit for the same allocation, ProductPeriode, category and code as an earlier debit,
    sent (by claim Dagtekening) before that earlier debit was credited."""
    credited_on: dict[tuple[str, str], dt.date] = {}
    for ln in data.lines:
        if ln.debet_credit == "C" and ln.vorig_referentienummer and ln.ingediend_op:
            ref = (ln.aanbieder, ln.vorig_referentienummer)
            credited_on[ref] = min(credited_on.get(ref, ln.ingediend_op), ln.ingediend_op)
    debits: dict[tuple, list[ClaimLine]] = defaultdict(list)
    for ln in data.lines:
        if ln.debet_credit == "D" and period.contains(ln.begin):
            debits[(ln.toewijzing, ln.begin, ln.eind, ln.product_categorie, ln.product_code)].append(ln)
    found = []
    for rows in debits.values():
        rows.sort(key=lambda r: (r.ingediend_op or dt.date.min, r.id))
        for i, later in enumerate(rows[1:], start=1):
            sent = later.ingediend_op or dt.date.min
            open_debits = [
                r
                for r in rows[:i]
                if (credit := credited_on.get((r.aanbieder, r.referentienummer))) is None or credit > sent
            ]
            if not open_debits:
                continue
            earlier = open_debits[0]
            credit = credited_on.get((earlier.aanbieder, earlier.referentienummer))
            status = f"pas op {_day(credit)} gecrediteerd" if credit else "niet gecrediteerd"
            n = _Netted(later, later.begin, later.eind, None, later.bedrag_cent)
            found.append(
                _finding(
                    "tr389_second_debit",
                    n,
                    f"Debetregel {later.referentienummer} ({_day(sent)}) voor productperiode {_day(later.begin)} "
                    f"t/m {_day(later.eind)} terwijl debetregel {earlier.referentienummer} voor dezelfde periode, "
                    f"hetzelfde product en dezelfde toewijzing {status} is.",
                )
            )
    return found


# ---------------------------------------------------------------- TR318


def _months(begin: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], begin.replace(day=1)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def _runs_through(a: Allocation, first: dt.date, last: dt.date) -> bool:
    """Care ran the whole month: allocation valid, care started, not stopped before its end."""
    return (
        a.ingangsdatum <= first
        and (a.einddatum is None or a.einddatum >= last)
        and a.zorg_start is not None
        and a.zorg_start <= first
        and (a.zorg_eind is None or a.zorg_eind >= last)
    )


def gaps_in_claim_periods(data: RuleInput, period: Period) -> list[Finding]:
    """Months between two declaration periods of a provider to a municipality without a claim
    message of their own, while care ran through the month (``_runs_through``): one finding per
    run of missing months, at the first one."""
    declared: dict[tuple[str, str], set[dt.date]] = defaultdict(set)
    for cp in data.claim_periods:
        declared[(cp.aanbieder, cp.gemeente)].update(_months(cp.begin, cp.eind))
    running = data.running or _by_pair(data.allocations.values())
    found = []
    for (aanbieder, gemeente), months in sorted(declared.items()):
        ordered = sorted(months)
        for before, after in zip(ordered, ordered[1:], strict=False):
            missing = _months(_next_month(before), after - dt.timedelta(days=1))
            if not missing or not period.contains(missing[0]):
                continue
            first, last = missing[0], _month_end(missing[-1])
            through = sorted(
                (
                    a
                    for a in running.get((aanbieder, gemeente), [])
                    if _runs_through(a, first, _month_end(first))
                ),
                key=lambda a: a.id,
            )
            if not through:
                continue
            names = ", ".join(m.strftime("%m-%Y") for m in missing)
            found.append(
                Finding(
                    check="tr318_gap",
                    gemeente=gemeente,
                    aanbieder=aanbieder,
                    client="",
                    toewijzing=None,
                    product="",
                    begin=first,
                    eind=last,
                    bedrag_cent=0,
                    uitleg=f"Geen declaratie over {names} (vorige declaratieperiode {before.strftime('%m-%Y')}, "
                    f"volgende {after.strftime('%m-%Y')}), terwijl bij {len(through)} toewijzing(en) met "
                    f"{len({a.client for a in through})} cliënt(en) de zorg de hele maand {first.strftime('%m-%Y')} "
                    "liep (gestart, niet gestopt).",
                    toewijzingen=tuple(a.id for a in through[:RUNNING_SHOWN]),
                )
            )
    return found


def _by_pair(allocations: Iterable[Allocation]) -> dict[tuple[str, str], list[Allocation]]:
    pairs: dict[tuple[str, str], list[Allocation]] = defaultdict(list)
    for a in allocations:
        pairs[(a.aanbieder, a.gemeente)].append(a)
    return pairs


def _gap_clients(data: RuleInput, findings: Sequence[Finding]) -> int:
    running = data.running or _by_pair(data.allocations.values())
    clients = set()
    for f in findings:
        for a in running.get((f.aanbieder, f.gemeente), []):
            if _runs_through(a, f.begin, _month_end(f.begin)):
                clients.add(a.client)
    return len(clients)


CHECKS: dict[str, RuleCheck] = {
    c.id: c
    for c in (
        RuleCheck(
            "tr322_total",
            "TR322",
            "9322",
            "Totaal gedeclareerd volume boven de toegewezen omvang",
            "Toewijzingen met een omvang 'totaal binnen de geldigheidsduur' waarop, over alle declaratieregels "
            "samen (debet min credit, uren ook in minuten), meer volume is gedeclareerd dan toegewezen. De "
            "bevinding staat in het jaar van de productperiode waarin het totaal werd overschreden.",
            "hoog",
            total_over_omvang,
        ),
        RuleCheck(
            "tr321_volume",
            "TR321",
            "9321",
            "Geleverd volume past niet bij de toegewezen omvang",
            "Productperioden (debet en credit per toewijzing en periode verrekend) met meer geleverd volume dan "
            "de omvang van de toewijzing toestaat: volume x dagen (per dag), x het aantal weken van de periode, "
            "naar boven afgerond (per week), of het volume zelf (per maand). Uren mogen in minuten.",
            "hoog",
            volume_over_omvang,
        ),
        RuleCheck(
            "tr389_second_debit",
            "TR389",
            "9389",
            "Nieuwe debetregel voordat de vorige is gecrediteerd",
            "Een debetregel voor dezelfde toewijzing, productperiode, categorie en code als een eerdere "
            "debetregel, ingediend (dagtekening declaratie) voordat die eerdere regel was gecrediteerd.",
            "middel",
            debit_while_debit_open,
        ),
        RuleCheck(
            "tr318_gap",
            "TR318",
            "8214",
            "Gat in de declaratieperioden",
            "Maanden tussen twee declaratieperioden van een aanbieder aan een gemeente waarover geen declaratie "
            "kwam, terwijl bij minstens één toewijzing de zorg die hele maand liep (gestart, niet gestopt, "
            "toewijzing geldig). Late declaraties zijn toegestaan (TR319), dus dit is een signaal over de "
            "aanlevering, geen fout in de regels.",
            "middel",
            gaps_in_claim_periods,
        ),
        RuleCheck(
            "tr387_period",
            "TR387",
            "9387",
            "Productperiode is geen hele (toegewezen) maand",
            "Productperioden die niet op de 1e van de maand beginnen (of op de latere ingangsdatum van de "
            "toewijzing, TR387 / 9387) of niet op de laatste dag eindigen (of op de eerdere einddatum, "
            "TR388 / 9388).",
            "laag",
            period_shape,
        ),
    )
}


def run_rules(
    data: RuleInput,
    period: Period,
    *,
    only: Iterable[str] | None = None,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    memo: dict[tuple[str, Period], tuple[Finding, ...]] | None = None,
) -> list[RuleResult]:
    """Every rule check (or those in `only`) over `period`, most severe first; the findings of one
    municipality and/or provider when asked (computed on the whole region, filtered after).
    `memo` keeps each check's region-wide findings for the next call on the same `data`."""
    memo = {} if memo is None else memo
    results = []
    for check_id in checks_to_run(CHECKS, only):
        check = CHECKS[check_id]
        if (check_id, period) not in memo:
            memo[(check_id, period)] = tuple(check.run(data, period))
        findings = selected_findings(memo[(check_id, period)], gemeente, aanbieder)
        clients = (
            _gap_clients(data, findings) if check_id == "tr318_gap" else len({f.client for f in findings})
        )
        results.append(RuleResult(check, findings, clients))
    return results
