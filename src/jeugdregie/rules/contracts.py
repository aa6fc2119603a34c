"""Contract lifecycle rules (SYSTEM.md section 13; seed 000 ch. 10-13; seed 003, the Norm voor
Opdrachtgeverschap): the dates of a framework agreement, the reminders before each deadline and
the signals a contract manager must act on. Plain Python; the database side is in
jeugdregie.contracten.register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

SIGN_MONTHS_BEFORE_START = 3  # Norm voor Opdrachtgeverschap: signed at least 3 months before the start
CONTINUITY_HORIZON_DAYS = 183  # an agreement ending within half a year needs a continuity plan now
REMINDER_DAYS = 90  # reminders appear this many days before a deadline
C_IDLE_DAYS = 365  # seed 000: a C agreement ends after a year without any client
SROI_TURNOVER_LIMIT_CENT = 25_000_000  # EUR 250.000 regional turnover a year
SROI_SHARE_PERCENT = 5


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_next - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last_day))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class ExtensionOption:
    number: int  # 1 for the first extension option
    term_end: dt.date  # the last day of the term the option would extend
    decide_by: dt.date  # the last day on which the decision can be taken
    decision: str | None  # "verlengd", "niet verlengd" or None (not decided)


@dataclass(frozen=True)
class Agreement:
    """What the rules read of one framework agreement."""

    kenmerk: str
    aanbieder: str  # AGB code
    categorie: str
    start: dt.date
    signed: dt.date | None
    initial_years: int
    extension_years: int
    options: int
    decisions: dict[int, str] = field(default_factory=dict)  # option number -> decision
    decision_months: int = 6  # decide at least this many months before the term ends
    terminated_on: dt.date | None = None
    continuity_plan: bool = False
    evaluations: tuple[tuple[dt.date, bool], ...] = ()  # (date, held)
    last_client_day: dt.date | None = None  # last day any client had care or a claim here
    documents: tuple[tuple[str, dt.date], ...] = ()  # (title, valid until) of dated documents


def extension_options(a: Agreement) -> list[ExtensionOption]:
    """Each option extends the term that ends the day before it would start; its decision is due
    `decision_months` before that end. An option after one that was not taken no longer exists."""
    found = []
    for number in range(1, a.options + 1):
        previous = a.decisions.get(number - 1) if number > 1 else "verlengd"
        if previous != "verlengd":
            break
        years = a.initial_years + (number - 1) * a.extension_years
        term_end = add_years(a.start, years) - dt.timedelta(days=1)
        decide_by = add_months(term_end, -a.decision_months)
        found.append(ExtensionOption(number, term_end, decide_by, a.decisions.get(number)))
    return found


def end_date(a: Agreement) -> dt.date:
    """The end of the term as decided so far: the initial term plus every extension taken, or the
    termination date when the agreement was ended early."""
    taken = 0
    for option in extension_options(a):
        if option.decision != "verlengd":
            break
        taken += 1
    end = add_years(a.start, a.initial_years + taken * a.extension_years) - dt.timedelta(days=1)
    return min(end, a.terminated_on) if a.terminated_on else end


def is_ending(a: Agreement) -> bool:
    """True when the agreement will end at `end_date`: terminated, or no open extension left."""
    if a.terminated_on:
        return True
    return not any(o.decision is None for o in extension_options(a))


def sign_limit(start: dt.date) -> dt.date:
    """The last day on which signing still meets the norm: exactly 3 months before the start."""
    return add_months(start, -SIGN_MONTHS_BEFORE_START)


@dataclass(frozen=True)
class ContractSignal:
    soort: str  # laat-getekend / continuiteit / verlenging / c-beeindigen / mvi
    kenmerk: str
    aanbieder: str
    ernst: str  # "waarschuwing" or "kritiek"
    uitleg: str
    datum: dt.date  # the date the signal is about (deadline, start, end)


def _d(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def late_signature(a: Agreement) -> ContractSignal | None:
    limit = sign_limit(a.start)
    if a.signed is None or a.signed <= limit:
        return None
    return ContractSignal(
        "laat-getekend",
        a.kenmerk,
        a.aanbieder,
        "waarschuwing",
        f"Ondertekend op {_d(a.signed)}, minder dan {SIGN_MONTHS_BEFORE_START} maanden voor de ingang op "
        f"{_d(a.start)} (uiterlijk {_d(limit)} volgens de Norm voor Opdrachtgeverschap).",
        a.start,
    )


def missing_continuity_plan(a: Agreement, today: dt.date) -> ContractSignal | None:
    """An agreement that ends within the horizon (or has ended) without a continuity plan for its
    clients (Norm voor Opdrachtgeverschap)."""
    if not is_ending(a) or a.continuity_plan:
        return None
    end = end_date(a)
    days_left = (end - today).days
    if days_left > CONTINUITY_HORIZON_DAYS:
        return None
    if end < today and (a.last_client_day is None or a.last_client_day < end):
        return None  # ended and nobody was left in care after it: nothing to continue
    ernst = "kritiek" if days_left <= 90 else "waarschuwing"
    when = f"eindigt op {_d(end)}" if end >= today else f"is op {_d(end)} geëindigd"
    return ContractSignal(
        "continuiteit",
        a.kenmerk,
        a.aanbieder,
        ernst,
        f"De overeenkomst {when} en er is geen continuïteitsplan voor de cliënten.",
        end,
    )


def overdue_extension_decision(a: Agreement, today: dt.date) -> ContractSignal | None:
    """The next extension option whose decision was not taken by its deadline (the deadline day
    itself is still in time)."""
    if a.terminated_on:
        return None
    for option in extension_options(a):
        if option.decision is None and option.decide_by < today:
            return ContractSignal(
                "verlenging",
                a.kenmerk,
                a.aanbieder,
                "kritiek",
                f"Het besluit over verlengingsoptie {option.number} moest uiterlijk {_d(option.decide_by)} "
                f"genomen zijn; de looptijd eindigt op {_d(option.term_end)}.",
                option.decide_by,
            )
    return None


def idle_days(a: Agreement, today: dt.date) -> int:
    """Days since the last day a client had care here (since the start when there never was one)."""
    last = a.last_client_day if a.last_client_day and a.last_client_day >= a.start else a.start
    return (today - last).days


def idle_c_agreement(a: Agreement, today: dt.date) -> ContractSignal | None:
    """A C agreement without any client for more than a year is proposed for ending (seed 000)."""
    if a.categorie != "C" or a.terminated_on or today < a.start:
        return None
    days = idle_days(a, today)
    if days <= C_IDLE_DAYS:
        return None
    since = "sinds de ingang" if not a.last_client_day or a.last_client_day < a.start else "sinds"
    last = a.last_client_day if since == "sinds" and a.last_client_day else a.start
    return ContractSignal(
        "c-beeindigen",
        a.kenmerk,
        a.aanbieder,
        "waarschuwing",
        f"Categorie C zonder cliënt {since} {_d(last)} ({days} dagen, meer dan een jaar): "
        "voorstel tot beëindiging.",
        last,
    )


def contract_signals(agreements: Iterable[Agreement], today: dt.date) -> list[ContractSignal]:
    found: list[ContractSignal] = []
    for a in agreements:
        for signal in (
            late_signature(a),
            missing_continuity_plan(a, today),
            overdue_extension_decision(a, today),
            idle_c_agreement(a, today),
        ):
            if signal:
                found.append(signal)
    order = {"kritiek": 0, "waarschuwing": 1}
    return sorted(found, key=lambda s: (order[s.ernst], s.datum, s.kenmerk, s.soort))


@dataclass(frozen=True)
class Reminder:
    kenmerk: str
    aanbieder: str
    wat: str
    datum: dt.date
    dagen: int  # days left; 0 = today


def reminders(a: Agreement, today: dt.date, days: int = REMINDER_DAYS) -> list[Reminder]:
    """Every open deadline from today up to `days` ahead: extension decisions, evaluations, the
    end of the agreement, its start while it is not signed and the end of a document's validity."""
    due: list[tuple[str, dt.date]] = []
    if not a.terminated_on:
        for option in extension_options(a):
            if option.decision is None:
                due.append((f"Besluit verlengingsoptie {option.number}", option.decide_by))
    due += [("Evaluatie", day) for day, held in a.evaluations if not held]
    due += [(f"Document verloopt: {title}", day) for title, day in a.documents]
    if is_ending(a):
        due.append(("Einde overeenkomst", end_date(a)))
    if a.signed is None:
        due.append(("Ingang zonder ondertekening", a.start))
        due.append(("Uiterste ondertekendatum", sign_limit(a.start)))
    return sorted(
        (
            Reminder(a.kenmerk, a.aanbieder, wat, day, (day - today).days)
            for wat, day in due
            if 0 <= (day - today).days <= days
        ),
        key=lambda r: (r.datum, r.wat),
    )


@dataclass(frozen=True)
class SroiObligation:
    soort: str  # "resultaatverplichting" or "inspanningsverplichting"
    bedrag_cent: int | None  # 5% of the contract value for a result obligation
    mvi_plan: bool  # an MVI plan is required


def sroi_obligation(turnover_cent: int, contract_value_cent: int) -> SroiObligation:
    """SROI (seed 000): 5% of the contract value excl. VAT as a result obligation for a provider with
    more than EUR 250k annual turnover in the region, an effort obligation below; an MVI plan from
    EUR 250k. The amount is rounded half up to the cent."""
    mvi = turnover_cent >= SROI_TURNOVER_LIMIT_CENT
    if turnover_cent > SROI_TURNOVER_LIMIT_CENT:
        amount = (contract_value_cent * SROI_SHARE_PERCENT * 2 + 100) // 200
        return SroiObligation("resultaatverplichting", amount, mvi)
    return SroiObligation("inspanningsverplichting", None, mvi)
