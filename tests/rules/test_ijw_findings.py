"""The iJw rules reported as data-quality findings (TR318, TR321, TR322, TR387/388, TR389) on small
hand-built facts: each finding exactly where it is worked out below, and nowhere else."""

from __future__ import annotations

import datetime as dt
from itertools import count

from jeugdregie.rules import ijw_findings as r
from jeugdregie.rules.kpi import year

D = dt.date
Y2024 = year(2024)
_ids = count(1)
AGB, VENLO = "98000001", "0983"


def alloc(
    id, begin, end, *, volume=10, eenheid="04", freq="2", client="a", started=None, stopped=None, agb=AGB
):
    return r.Allocation(id, client, VENLO, agb, "45N01", begin, end, volume, eenheid, freq, started, stopped)


def line(toewijzing, begin, end, volume, *, eenheid="04", dc="D", amount=None, ref=None, prev="", sent=None):
    sign = 1 if dc == "D" else -1
    amount = 7_200 * volume if amount is None else amount
    return r.ClaimLine(
        next(_ids), toewijzing, "a", VENLO, AGB, "45N01", begin, end, eenheid, sign * volume, sign * amount, dc,
        ref or f"R{next(_ids)}", prev, "45", "45N01", sent or D(2024, 12, 1),
    )  # fmt: skip


def run(lines, allocations, only, periods=()):
    data = r.RuleInput(lines=lines, allocations={a.id: a for a in allocations}, claim_periods=periods)
    [result] = r.run_rules(data, Y2024, only=[only])
    return result


# ---------------------------------------------------------------- TR321


def test_tr321_weekly_volume_over_by_one_hour_and_not_at_the_limit():
    # 10 hours a week. January: 31 days = 5 (partial) weeks -> 50 hours allowed. February 2024:
    # 29 days = 5 weeks -> 50. A period of 1-14 March: 14 days = 2 weeks -> 20.
    weekly = alloc(1, D(2024, 1, 1), D(2024, 12, 31))
    lines = [
        line(1, D(2024, 1, 1), D(2024, 1, 31), 51),  # 1 over
        line(1, D(2024, 2, 1), D(2024, 2, 29), 50),  # at the limit: fine
        line(1, D(2024, 3, 1), D(2024, 3, 14), 20),  # 2 weeks, at the limit
        line(
            1, D(2024, 4, 1), D(2024, 4, 30), 3_001, eenheid="01", amount=3_001 * 120
        ),  # minutes: 50.02 hours
        line(1, D(2024, 5, 1), D(2024, 5, 31), 60),  # over, then credited and claimed again at 50:
        line(1, D(2024, 5, 1), D(2024, 5, 31), 60, dc="C"),
        line(1, D(2024, 5, 1), D(2024, 5, 31), 50),
    ]
    result = run(lines, [weekly], "tr321_volume")
    assert (result.check.tr, result.check.retourcode) == ("TR321", "9321")
    assert [(f.begin, f.bedrag_cent) for f in result.findings] == [
        (D(2024, 1, 1), 51 * 7_200),
        (D(2024, 4, 1), 3_001 * 120),
    ]
    jan, apr = result.findings
    assert "geleverd 51 uur" in jan.uitleg and "50 uur voor deze periode (1 te veel)" in jan.uitleg
    assert "geleverd 50,02 uur" in apr.uitleg


def test_tr321_per_day_per_month_and_total():
    daily = alloc(1, D(2024, 1, 1), None, volume=2, freq="1")  # 2 a day: 31 days -> 62
    monthly = alloc(2, D(2024, 1, 1), None, volume=8, freq="4")  # 8 per ProductPeriode
    total = alloc(3, D(2024, 1, 1), None, volume=5, freq="6")  # TR322's, not TR321's
    no_omvang = alloc(4, D(2024, 1, 1), None, volume=None, freq="")
    lines = [
        line(1, D(2024, 1, 1), D(2024, 1, 31), 62),
        line(1, D(2024, 2, 1), D(2024, 2, 29), 59),  # 29 days -> 58: 1 over
        line(2, D(2024, 1, 1), D(2024, 1, 31), 8),
        line(2, D(2024, 2, 1), D(2024, 2, 29), 9),  # 1 over
        line(3, D(2024, 1, 1), D(2024, 1, 31), 99),
        line(4, D(2024, 1, 1), D(2024, 1, 31), 99),
    ]
    result = run(lines, [daily, monthly, total, no_omvang], "tr321_volume")
    assert [(f.toewijzing, f.begin) for f in result.findings] == [(1, D(2024, 2, 1)), (2, D(2024, 2, 1))]


# ---------------------------------------------------------------- TR322


def test_tr322_total_passed_by_one_in_the_period_where_it_happens():
    # 30 hours in total. Claimed 10 (Nov 2023), 10 (Jan), 10 (Feb) = 30: fine; March 1 more = 31.
    # April is claimed after it, on the same side of the limit: no second finding.
    total = alloc(1, D(2023, 11, 1), D(2024, 12, 31), volume=30, freq="6")
    lines = [
        line(1, D(2023, 11, 1), D(2023, 11, 30), 10),
        line(1, D(2024, 1, 1), D(2024, 1, 31), 10),
        line(1, D(2024, 2, 1), D(2024, 2, 29), 10),
        line(1, D(2024, 3, 1), D(2024, 3, 31), 1, amount=7_200),
        line(1, D(2024, 4, 1), D(2024, 4, 30), 4, amount=28_800),
    ]
    result = run(lines, [total], "tr322_total")
    [f] = result.findings
    assert (result.check.tr, result.check.retourcode) == ("TR322", "9322")
    assert (f.toewijzing, f.begin, f.bedrag_cent) == (1, D(2024, 3, 1), 7_200 + 28_800)
    assert "Toegewezen in totaal 30 uur" in f.uitleg and "31 uur gedeclareerd (1 te veel)" in f.uitleg
    assert "over alle regels samen 35 uur" in f.uitleg
    # At exactly the total nothing is found; in 2023 (before the crossing) neither.
    assert run(lines[:3], [total], "tr322_total").findings == ()
    data = r.RuleInput(lines=lines, allocations={1: total})
    assert r.run_rules(data, year(2023), only=["tr322_total"])[0].findings == ()


# ---------------------------------------------------------------- TR387 / TR388


def test_tr387_tr388_period_shape():
    # Allocation from 10 January to 20 March: January may begin on the 10th, March end on the 20th.
    a = alloc(1, D(2024, 1, 10), D(2024, 3, 20))
    lines = [
        line(1, D(2024, 1, 10), D(2024, 1, 31), 1),  # fine
        line(1, D(2024, 2, 1), D(2024, 2, 29), 1),  # fine
        line(1, D(2024, 3, 1), D(2024, 3, 20), 1),  # fine
        line(1, D(2024, 2, 5), D(2024, 2, 29), 1),  # begins on the 5th: TR387
        line(1, D(2024, 1, 10), D(2024, 1, 30), 1),  # ends on the 30th: TR388
    ]
    result = run(lines, [a], "tr387_period")
    assert [(f.begin, f.eind) for f in sorted(result.findings, key=lambda f: f.begin)] == [
        (D(2024, 1, 10), D(2024, 1, 30)),
        (D(2024, 2, 5), D(2024, 2, 29)),
    ]
    texts = {f.begin: f.uitleg for f in result.findings}
    assert "eindigt op 30-01-2024 in plaats van 31-01-2024 (TR388)" in texts[D(2024, 1, 10)]
    assert "begint op 05-02-2024 in plaats van 01-02-2024 (TR387)" in texts[D(2024, 2, 5)]


# ---------------------------------------------------------------- TR389


def test_tr389_second_debit_before_the_first_is_credited():
    a = alloc(1, D(2024, 1, 1), D(2024, 12, 31))
    lines = [
        # January: debit, credit, new debit in order: fine.
        line(1, D(2024, 1, 1), D(2024, 1, 31), 4, ref="J1", sent=D(2024, 2, 5)),
        line(1, D(2024, 1, 1), D(2024, 1, 31), 4, ref="J1C", dc="C", prev="J1", sent=D(2024, 3, 5)),
        line(1, D(2024, 1, 1), D(2024, 1, 31), 5, ref="J2", sent=D(2024, 3, 5)),
        # February: a second debit on 10 March, the first credited only on 5 April.
        line(1, D(2024, 2, 1), D(2024, 2, 29), 4, ref="F1", sent=D(2024, 3, 5)),
        line(1, D(2024, 2, 1), D(2024, 2, 29), 4, ref="F2", sent=D(2024, 3, 10)),
        line(1, D(2024, 2, 1), D(2024, 2, 29), 4, ref="F1C", dc="C", prev="F1", sent=D(2024, 4, 5)),
        # March: two debits, never credited.
        line(1, D(2024, 3, 1), D(2024, 3, 31), 4, ref="M1", sent=D(2024, 4, 5)),
        line(1, D(2024, 3, 1), D(2024, 3, 31), 4, ref="M2", sent=D(2024, 4, 6)),
    ]
    result = run(lines, [a], "tr389_second_debit")
    assert (result.check.tr, result.check.retourcode) == ("TR389", "9389")
    texts = sorted(f.uitleg for f in result.findings)
    assert len(texts) == 2
    assert texts[0].startswith("Debetregel F2 (10-03-2024)") and "F1 voor dezelfde periode" in texts[0]
    assert "pas op 05-04-2024 gecrediteerd" in texts[0]
    assert texts[1].startswith("Debetregel M2 (06-04-2024)") and "niet gecrediteerd" in texts[1]


# ---------------------------------------------------------------- TR318


def test_tr318_a_gap_of_one_month_while_care_ran():
    periods = [
        r.ClaimPeriod(AGB, VENLO, D(2024, m, 1), D(2024, m, 28 if m == 2 else 30)) for m in (1, 2, 4, 5, 8)
    ]
    running = alloc(1, D(2023, 6, 1), None, started=D(2023, 6, 5))  # care through 2024
    other_provider = alloc(2, D(2023, 6, 1), None, started=D(2023, 6, 5), agb="98000002")
    result = run([], [running, other_provider], "tr318_gap", periods)
    assert (result.check.tr, result.check.retourcode) == ("TR318", "8214")
    assert [(f.aanbieder, f.begin, f.eind) for f in result.findings] == [
        (AGB, D(2024, 3, 1), D(2024, 3, 31)),
        (AGB, D(2024, 6, 1), D(2024, 7, 31)),  # June and July: one finding
    ]
    assert result.clients == 1
    march = next(f for f in result.findings if f.begin == D(2024, 3, 1))
    assert "Geen declaratie over 03-2024 (vorige declaratieperiode 02-2024, volgende 04-2024)" in march.uitleg
    assert march.toewijzingen == (1,) and march.client == ""


def test_tr318_no_finding_when_care_did_not_run_the_whole_month():
    periods = [r.ClaimPeriod(AGB, VENLO, D(2024, m, 1), D(2024, m, 28)) for m in (1, 3)]
    stopped = alloc(1, D(2023, 6, 1), None, started=D(2023, 6, 5), stopped=D(2024, 2, 14))
    not_started = alloc(2, D(2023, 6, 1), None)
    ends = alloc(3, D(2023, 6, 1), D(2024, 2, 28), started=D(2023, 6, 5))  # not the last of February
    starts_late = alloc(4, D(2024, 2, 2), None, started=D(2024, 2, 2))
    result = run([], [stopped, not_started, ends, starts_late], "tr318_gap", periods)
    assert result.findings == ()
    # The same with one allocation running all February: found.
    through = alloc(5, D(2024, 2, 1), D(2024, 2, 29), started=D(2024, 2, 1))
    assert [f.begin for f in run([], [through], "tr318_gap", periods).findings] == [D(2024, 2, 1)]


def test_every_rule_check_is_registered_as_a_data_quality_finding_with_its_return_code():
    from jeugdregie.ijw.trrules import RULES

    for check in r.CHECKS.values():
        assert RULES[check.tr].retourcode == check.retourcode
        assert RULES[check.tr].afhandeling == "datakwaliteit"
        assert check.id in RULES[check.tr].toelichting
    assert RULES["TR388"].afhandeling == "datakwaliteit" and "tr387_period" in RULES["TR388"].toelichting
    assert RULES["TR056"].afhandeling == "ingest" and "tr056_reused_id" in RULES["TR056"].toelichting
