"""Contract lifecycle rules at and around their limits (SYSTEM.md section 13, seed 003)."""

import datetime as dt

import pytest

from jeugdregie.rules import contracts as c

D = dt.date


def agreement(**kw) -> c.Agreement:
    base = dict(
        kenmerk="RO-1",
        aanbieder="98000001",
        categorie="A",
        start=D(2026, 1, 1),
        signed=D(2025, 9, 1),
        initial_years=5,
        extension_years=4,
        options=1,
    )
    base.update(kw)
    return c.Agreement(**base)


def kinds(a, today):
    return [s.soort for s in c.contract_signals([a], today)]


def test_add_months_clamps_to_the_last_day():
    assert c.add_months(D(2026, 5, 31), -3) == D(2026, 2, 28)
    assert c.add_months(D(2026, 1, 1), -3) == D(2025, 10, 1)
    assert c.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)


@pytest.mark.parametrize(
    ("signed", "late"),
    [(D(2025, 9, 30), False), (D(2025, 10, 1), False), (D(2025, 10, 2), True), (None, False)],
)
def test_signed_exactly_three_months_before_start_is_in_time(signed, late):
    a = agreement(signed=signed)
    signal = c.late_signature(a)
    assert (signal is not None) == late
    if late:
        assert "02-10-2025" in signal.uitleg and "01-10-2025" in signal.uitleg


def test_signed_three_months_before_a_start_on_the_31st():
    # 31 May: three months earlier is 28 February (no 31 February).
    assert c.late_signature(agreement(start=D(2026, 5, 31), signed=D(2026, 2, 28))) is None
    assert c.late_signature(agreement(start=D(2026, 5, 31), signed=D(2026, 3, 1))) is not None


def test_extension_options_and_deadlines():
    a = agreement()
    (option,) = c.extension_options(a)
    assert option.term_end == D(2030, 12, 31)
    assert option.decide_by == D(2030, 6, 30)
    assert c.end_date(a) == D(2030, 12, 31) and not c.is_ending(a)
    taken = agreement(decisions={1: "verlengd"})
    assert c.end_date(taken) == D(2034, 12, 31) and c.is_ending(taken)
    refused = agreement(decisions={1: "niet verlengd"})
    assert c.end_date(refused) == D(2030, 12, 31) and c.is_ending(refused)


def test_two_options_the_second_only_after_the_first_was_taken():
    a = agreement(options=2, extension_years=2)
    assert [o.number for o in c.extension_options(a)] == [1]  # the second waits for the first
    assert [o.number for o in c.extension_options(agreement(options=2, decisions={1: "niet verlengd"}))] == [
        1
    ]
    second = c.extension_options(agreement(options=2, extension_years=2, decisions={1: "verlengd"}))[1]
    assert second.term_end == D(2032, 12, 31) and second.decide_by == D(2032, 6, 30)


@pytest.mark.parametrize(
    ("today", "overdue"), [(D(2030, 6, 29), False), (D(2030, 6, 30), False), (D(2030, 7, 1), True)]
)
def test_extension_decision_due_today_is_not_yet_overdue(today, overdue):
    assert ("verlenging" in kinds(agreement(), today)) == overdue
    assert "verlenging" not in kinds(agreement(decisions={1: "verlengd"}), today)


def test_a_deadline_today_is_a_reminder_of_zero_days():
    (reminder,) = [r for r in c.reminders(agreement(), D(2030, 6, 30)) if r.wat.startswith("Besluit")]
    assert reminder.dagen == 0 and reminder.datum == D(2030, 6, 30)
    assert [r.dagen for r in c.reminders(agreement(), D(2030, 4, 1)) if r.wat.startswith("Besluit")] == [90]
    assert not [r for r in c.reminders(agreement(), D(2030, 3, 31)) if r.wat.startswith("Besluit")]
    assert not [r for r in c.reminders(agreement(), D(2030, 7, 1)) if r.wat.startswith("Besluit")]


def test_evaluations_and_unsigned_start_are_reminded():
    a = agreement(signed=None, evaluations=((D(2026, 5, 1), False), (D(2026, 4, 1), True)))
    found = [(r.wat, r.datum, r.dagen) for r in c.reminders(a, D(2026, 3, 1))]
    assert found == [("Evaluatie", D(2026, 5, 1), 61)]
    found = [(r.wat, r.dagen) for r in c.reminders(a, D(2025, 10, 1))]
    assert found == [("Uiterste ondertekendatum", 0)]  # the start is 92 days away: not yet
    found = [(r.wat, r.dagen) for r in c.reminders(a, D(2025, 11, 1))]
    assert found == [("Ingang zonder ondertekening", 61)]


@pytest.mark.parametrize(
    ("today", "days"), [(D(2026, 3, 2), None), (D(2026, 3, 3), 90), (D(2026, 6, 1), 0), (D(2026, 6, 2), None)]
)
def test_a_document_running_out_is_reminded_from_90_days_to_the_day(today, days):
    a = agreement(documents=(("Administratie- en controleprotocol 2026", D(2026, 6, 1)),))
    found = [(r.wat, r.datum, r.dagen) for r in c.reminders(a, today)]
    expected = [("Document verloopt: Administratie- en controleprotocol 2026", D(2026, 6, 1), days)]
    assert found == (expected if days is not None else [])


def test_ending_agreement_without_a_continuity_plan():
    ending = agreement(decisions={1: "niet verlengd"})  # ends 31-12-2030
    # 183 days before the end: signal; 184 days before: not yet.
    assert "continuiteit" in kinds(ending, D(2030, 12, 31) - dt.timedelta(days=183))
    assert "continuiteit" not in kinds(ending, D(2030, 12, 31) - dt.timedelta(days=184))
    signal = c.missing_continuity_plan(ending, D(2030, 10, 2))
    assert signal.ernst == "kritiek" and "31-12-2030" in signal.uitleg  # 90 days left
    assert c.missing_continuity_plan(ending, D(2030, 10, 1)).ernst == "waarschuwing"  # 91 days
    planned = agreement(decisions={1: "niet verlengd"}, continuity_plan=True)
    assert "continuiteit" not in kinds(planned, D(2030, 12, 1))
    open_option = agreement()  # may still be extended: no continuity signal
    assert "continuiteit" not in kinds(open_option, D(2030, 12, 1))


def test_terminated_agreement_still_with_clients_needs_a_plan_afterwards():
    stopped = agreement(terminated_on=D(2027, 6, 30), last_client_day=D(2027, 8, 31))
    assert "continuiteit" in kinds(stopped, D(2027, 9, 1))
    empty = agreement(terminated_on=D(2027, 6, 30), last_client_day=D(2027, 5, 31))
    assert "continuiteit" not in kinds(empty, D(2027, 9, 1))
    assert "verlenging" not in kinds(stopped, D(2031, 1, 1))


@pytest.mark.parametrize(("idle", "proposed"), [(364, False), (365, False), (366, True)])
def test_c_agreement_idle_for_more_than_a_year_is_proposed_for_ending(idle, proposed):
    last = D(2027, 3, 1)
    a = agreement(categorie="C", last_client_day=last)
    today = last + dt.timedelta(days=idle)
    assert ("c-beeindigen" in kinds(a, today)) == proposed
    assert "c-beeindigen" not in kinds(agreement(categorie="B", last_client_day=last), today)


def test_c_agreement_without_any_client_counts_from_its_start():
    a = agreement(categorie="C")
    assert "c-beeindigen" not in kinds(a, D(2027, 1, 1))  # 365 days after 1-1-2026
    signal = c.idle_c_agreement(a, D(2027, 1, 2))
    assert signal and "sinds de ingang 01-01-2026" in signal.uitleg and "366 dagen" in signal.uitleg


@pytest.mark.parametrize(
    ("turnover", "kind", "amount", "mvi"),
    [
        (24_999_999, "inspanningsverplichting", None, False),
        (25_000_000, "inspanningsverplichting", None, True),
        (25_000_001, "resultaatverplichting", 1_250_000, True),
    ],
)
def test_sroi_result_obligation_above_250k_and_mvi_plan_from_250k(turnover, kind, amount, mvi):
    found = c.sroi_obligation(turnover, 25_000_000)
    assert (found.soort, found.bedrag_cent, found.mvi_plan) == (kind, amount, mvi)


def test_sroi_amount_rounds_half_up_to_the_cent():
    assert c.sroi_obligation(30_000_000, 10).bedrag_cent == 1  # 0.5 cent
    assert c.sroi_obligation(30_000_000, 9).bedrag_cent == 0  # 0.45 cent
