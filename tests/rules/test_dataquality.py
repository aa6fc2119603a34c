"""The data-quality checks (issue 5) on small hand-built facts; every expected finding is worked
out in the test."""

import datetime as dt
from itertools import count

import pytest

from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.dataquality import REGISTRY, Thresholds, format_euro, run_checks, short_runs
from jeugdregie.rules.kpi import ClaimFact, Facts, year

D = dt.date
Y2024 = year(2024)
_ids = count(1)


def alloc(
    client,
    begin,
    end,
    *,
    aanbieder="98000001",
    gemeente="0983",
    product="45N01",
    started=None,
    claimed=0,
    stop_day=None,
    id=None,
    pxq=False,
):
    return AllocationFact(
        id=id or next(_ids),
        client=client,
        gemeente=gemeente,
        aanbieder=aanbieder,
        categorie="A",
        is_nga=False,
        segment="4",
        groep="A",
        product=product,
        product_categorie="45",
        ingangsdatum=begin,
        einddatum=end,
        claimed_volume=claimed,
        zorg_start=started,
        stop_datum=stop_day,
        pxq=pxq,
    )


def claim(allocation, begin, end, amount, *, volume=1, client=None, aanbieder=None, gemeente="0983"):
    """A claim line on `allocation` (an AllocationFact, or a bare id for allocations not handed in)."""
    is_fact = isinstance(allocation, AllocationFact)
    return ClaimFact(
        client=client or (allocation.client if is_fact else "x"),
        gemeente=allocation.gemeente if is_fact else gemeente,
        aanbieder=aanbieder or (allocation.aanbieder if is_fact else "98000001"),
        categorie="A",
        is_nga=False,
        segment="4",
        groep="A",
        product=allocation.product if is_fact else "45N01",
        custom="",
        periode_begin=begin,
        bedrag_cent=amount,
        volume=volume,
        periode_eind=end,
        toewijzing=allocation.id if is_fact else allocation,
    )


def check(
    check_id, allocations=(), claims=(), *, as_of=D(2025, 1, 31), deleted=(), thresholds=None, **filters
):
    facts = Facts(claims=list(claims), allocations=list(allocations), as_of=as_of)
    (result,) = run_checks(facts, Y2024, deleted=deleted, thresholds=thresholds, only=[check_id], **filters)
    return result


# ---------------------------------------------------------------- the registry


def test_every_check_has_label_explanation_and_severity():
    assert set(REGISTRY) == {
        "short_trajectories",
        "claims_outside_allocation",
        "never_started",
        "claims_after_stop",
    }
    for c in REGISTRY.values():
        text = c.explain(Thresholds())
        assert c.label and len(text) > 40 and c.severity in ("hoog", "middel", "laag")
        assert "{" not in text  # every threshold filled in
    assert "3 of meer" in REGISTRY["short_trajectories"].explain(Thresholds())
    assert "korter dan 92 dagen" in REGISTRY["short_trajectories"].explain(Thresholds())
    assert "meer dan 30 dagen" in REGISTRY["never_started"].explain(Thresholds(not_started_days=30))


def test_results_come_most_severe_first_and_unknown_checks_are_refused():
    facts = Facts(claims=[], allocations=[], as_of=D(2025, 1, 31))
    severities = [r.check.severity for r in run_checks(facts, Y2024)]
    assert severities == sorted(severities, key=["hoog", "middel", "laag"].index)
    assert all(r.count == 0 and r.bedrag_cent == 0 and r.clients == 0 for r in run_checks(facts, Y2024))
    with pytest.raises(ValueError, match="Onbekende controle"):
        run_checks(facts, Y2024, only=["nonsense"])


def test_euro_format_is_exact_and_dutch():
    assert format_euro(123_456_78) == "EUR 123.456,78"
    assert format_euro(-5) == "-EUR 0,05"


# ---------------------------------------------------------------- short trajectories


def quarter_like(client, starts, days, **kw):
    """Allocations starting on `starts`, each lasting `days` (Einddatum - Ingangsdatum)."""
    return [alloc(client, s, s + dt.timedelta(days=days), **kw) for s in starts]


STARTS = [D(2024, 1, 1), D(2024, 4, 15), D(2024, 8, 1)]


def test_three_allocations_shorter_than_92_days_at_one_provider_are_flagged():
    allocations = quarter_like("c1", STARTS, 91)  # 91 < 92: short
    claims = [
        claim(allocations[0], D(2024, 1, 1), D(2024, 1, 31), 100_00),
        claim(allocations[1], D(2024, 5, 1), D(2024, 5, 31), 250_00),
        claim(allocations[1], D(2024, 5, 1), D(2024, 5, 31), -250_00, volume=-1),  # credited in full
        claim(allocations[2], D(2024, 8, 1), D(2024, 8, 31), 75_50),
    ]
    result = check("short_trajectories", allocations, claims)
    (finding,) = result.findings
    assert finding.toewijzing is None
    assert finding.toewijzingen == tuple(a.id for a in allocations)
    assert (finding.client, finding.aanbieder, finding.gemeente) == ("c1", "98000001", "0983")
    assert (finding.begin, finding.eind) == (D(2024, 1, 1), D(2024, 8, 1) + dt.timedelta(days=91))
    assert finding.bedrag_cent == 100_00 + 75_50  # net claimed on the three in 2024
    assert "3 trajecten van elk minder dan 92 dagen" in finding.uitleg
    assert "01-01-2024 t/m 01-04-2024 (91 dagen)" in finding.uitleg
    assert (result.count, result.clients, result.bedrag_cent) == (1, 1, 175_50)


@pytest.mark.parametrize("days", [92, 93])
def test_an_allocation_of_exactly_92_days_or_more_is_not_short(days):
    # Exactly M days (and M + 1) is not "shorter than M": two short ones remain, fewer than N = 3.
    allocations = quarter_like("c1", STARTS[:2], 91) + quarter_like("c1", STARTS[2:], days)
    assert check("short_trajectories", allocations).findings == ()


def test_open_ended_allocations_are_never_short():
    allocations = quarter_like("c1", STARTS[:2], 30) + [alloc("c1", D(2024, 9, 1), None)]
    assert check("short_trajectories", allocations).findings == ()


def test_the_starts_must_lie_less_than_the_window_apart():
    # 2024 is a leap year: 1 January to 30 December is 364 days, to 31 December 365.
    inside = quarter_like("c1", [D(2024, 1, 1), D(2024, 6, 1), D(2024, 12, 30)], 10)
    outside = quarter_like("c2", [D(2024, 1, 1), D(2024, 6, 1), D(2024, 12, 31)], 10)
    found = check("short_trajectories", inside + outside).findings
    assert [f.client for f in found] == ["c1"]


def test_other_providers_municipalities_or_clients_do_not_add_up():
    allocations = [
        alloc("c1", STARTS[0], STARTS[0] + dt.timedelta(days=20)),
        alloc("c1", STARTS[1], STARTS[1] + dt.timedelta(days=20), aanbieder="98000002"),
        alloc("c1", STARTS[2], STARTS[2] + dt.timedelta(days=20), gemeente="0889"),
        alloc("c2", STARTS[2], STARTS[2] + dt.timedelta(days=20)),
    ]
    assert check("short_trajectories", allocations).findings == ()


def test_overlapping_windows_form_one_run_and_a_lower_n_finds_more():
    # Five short starts, 100 days apart: every three lie within 365 days, so they chain into one run.
    starts = [D(2024, 1, 1) + dt.timedelta(days=100 * i) for i in range(5)]
    allocations = quarter_like("c1", starts, 50)
    (finding,) = check("short_trajectories", allocations).findings
    assert len(finding.toewijzingen) == 5
    # Two pairs far apart: with N = 2 two separate runs, with N = 3 none.
    pairs = quarter_like("c2", [D(2024, 1, 1), D(2024, 2, 1), D(2025, 6, 1), D(2025, 7, 1)], 20)
    assert check("short_trajectories", pairs).findings == ()
    runs = short_runs(sorted(pairs, key=lambda a: a.ingangsdatum), need=2, window_days=365)
    assert [[a.ingangsdatum for a in run] for run in runs] == [
        [D(2024, 1, 1), D(2024, 2, 1)],
        [D(2025, 6, 1), D(2025, 7, 1)],
    ]
    # Only the run with a start in 2024 belongs to 2024.
    found = check("short_trajectories", pairs, thresholds=Thresholds(short_min_count=2)).findings
    assert [f.begin for f in found] == [D(2024, 1, 1)]


def test_a_run_is_reported_in_every_year_it_starts_in():
    allocations = quarter_like("c1", [D(2023, 10, 1), D(2023, 12, 1), D(2024, 2, 1)], 40)
    assert len(check("short_trajectories", allocations).findings) == 1
    facts = Facts(claims=[], allocations=allocations, as_of=D(2025, 1, 31))
    (result_2023,) = run_checks(facts, year(2023), only=["short_trajectories"])
    (result_2022,) = run_checks(facts, year(2022), only=["short_trajectories"])
    assert (result_2023.count, result_2022.count) == (1, 0)


# ---------------------------------------------------------------- never started


def test_never_started_counts_from_the_day_after_the_g_day_boundary():
    as_of = D(2025, 1, 31)
    exactly_g = alloc("c1", as_of - dt.timedelta(days=90), None)  # 2024-11-02: exactly 90 days
    one_more = alloc("c2", as_of - dt.timedelta(days=91), D(2025, 3, 31))  # 2024-11-01: 91 days
    (finding,) = check("never_started", [exactly_g, one_more], as_of=as_of).findings
    assert (finding.toewijzing, finding.client, finding.begin, finding.eind) == (
        one_more.id,
        "c2",
        D(2024, 11, 1),
        D(2025, 3, 31),
    )
    assert finding.bedrag_cent == 0
    assert "91 dagen vóór de peildatum 31-01-2025" in finding.uitleg
    # A smaller G catches the other one too.
    assert (
        check("never_started", [exactly_g, one_more], thresholds=Thresholds(not_started_days=89)).count == 2
    )


def test_a_start_message_or_a_claim_means_started():
    old = D(2024, 3, 1)
    started = alloc("c1", old, None, started=D(2024, 3, 10))
    claimed = alloc("c2", old, None, claimed=4)  # claimed without a JW305: not "never started"
    netted_away = alloc("c3", old, None, claimed=0)  # claimed and credited in full: net nothing
    last_year = alloc("c4", D(2023, 12, 31), None)  # begins outside the year asked for
    found = check("never_started", [started, claimed, netted_away, last_year]).findings
    assert [f.client for f in found] == ["c3"]


# ---------------------------------------------------------------- claims outside the allocation


def test_a_claim_period_ending_one_day_after_the_allocation_is_flagged():
    a = alloc("c1", D(2024, 1, 1), D(2024, 3, 31))
    inside = claim(a, D(2024, 3, 1), D(2024, 3, 31), 400_00)
    one_day_over = claim(a, D(2024, 3, 2), D(2024, 4, 1), 410_00)
    (finding,) = check("claims_outside_allocation", [a], [inside, one_day_over]).findings
    assert (finding.toewijzing, finding.begin, finding.eind, finding.bedrag_cent) == (
        a.id,
        D(2024, 3, 2),
        D(2024, 4, 1),
        410_00,
    )
    assert finding.uitleg == (
        "Productperiode 02-03-2024 t/m 01-04-2024 (EUR 410,00) loopt door na de einddatum van de toewijzing "
        "(01-01-2024 t/m 31-03-2024)."
    )


def test_a_claim_period_beginning_before_the_allocation_is_flagged_and_open_ends_are_fine():
    a = alloc("c1", D(2024, 2, 1), None)
    before = claim(a, D(2024, 1, 31), D(2024, 2, 29), 100_00)
    much_later = claim(a, D(2024, 12, 1), D(2024, 12, 31), 100_00)
    (finding,) = check("claims_outside_allocation", [a], [before, much_later]).findings
    assert finding.begin == D(2024, 1, 31) and "begint vóór de ingangsdatum" in finding.uitleg


def test_claims_on_a_deleted_allocation_are_flagged():
    # A deleted allocation is not among the facts' allocations; its id comes in `deleted`.
    lines = [
        claim(777, D(2024, 5, 1), D(2024, 5, 31), 300_00, client="c9"),
        claim(777, D(2024, 6, 1), D(2024, 6, 30), 300_00, client="c9"),
    ]
    result = check("claims_outside_allocation", [], lines, deleted={777})
    assert [(f.toewijzing, f.begin, f.bedrag_cent) for f in result.findings] == [
        (777, D(2024, 5, 1), 300_00),
        (777, D(2024, 6, 1), 300_00),
    ]
    assert (result.count, result.clients, result.bedrag_cent) == (2, 1, 600_00)
    assert "verwijderd" in result.findings[0].uitleg
    # Without knowing it was deleted there is nothing to compare with: no finding.
    assert check("claims_outside_allocation", [], lines).findings == ()


def test_credit_lines_are_netted_per_claimed_period():
    a = alloc("c1", D(2024, 1, 1), D(2024, 1, 31))
    over = (D(2024, 2, 1), D(2024, 2, 29))
    reversed_in_full = [claim(a, *over, 500_00, volume=5), claim(a, *over, -500_00, volume=-5)]
    assert check("claims_outside_allocation", [a], reversed_in_full).findings == ()
    # Credit and a new debit (a correction): one finding at the corrected amount.
    corrected = reversed_in_full + [claim(a, *over, 300_00, volume=3)]
    (finding,) = check("claims_outside_allocation", [a], corrected).findings
    assert finding.bedrag_cent == 300_00
    # A lone credit line (its debit lies outside the data) shows as a negative amount.
    (lone,) = check("claims_outside_allocation", [a], [claim(a, *over, -120_00, volume=-1)]).findings
    assert lone.bedrag_cent == -120_00


def test_claims_of_other_years_and_unknown_allocations_are_left_alone():
    a = alloc("c1", D(2023, 1, 1), D(2023, 1, 31))
    other_year = claim(a, D(2023, 2, 1), D(2023, 2, 28), 100_00)  # outside, but care in 2023
    unknown = claim(999, D(2024, 3, 1), D(2024, 3, 31), 100_00)
    assert check("claims_outside_allocation", [a], [other_year, unknown]).findings == ()


# ---------------------------------------------------------------- claims after a stop


def test_claims_beginning_after_the_last_stop_are_flagged():
    a = alloc("c1", D(2024, 1, 1), D(2024, 12, 31), stop_day=D(2024, 3, 20), started=D(2024, 1, 5))
    march = claim(a, D(2024, 3, 1), D(2024, 3, 31), 900_00)  # begins before the stop: fine
    on_stop_day = claim(a, D(2024, 3, 20), D(2024, 3, 20), 30_00)  # the last day of care: fine
    after = claim(a, D(2024, 3, 21), D(2024, 3, 31), 330_00)
    april = claim(a, D(2024, 4, 1), D(2024, 4, 30), 900_00)
    result = check("claims_after_stop", [a], [march, on_stop_day, after, april])
    # Largest amount first.
    assert [(f.begin, f.bedrag_cent) for f in result.findings] == [
        (D(2024, 4, 1), 900_00),
        (D(2024, 3, 21), 330_00),
    ]
    assert result.bedrag_cent == 1230_00
    assert "laatste stopmelding (JW307) noemt einddatum 20-03-2024" in result.findings[0].uitleg


def test_no_stop_no_finding():
    a = alloc("c1", D(2024, 1, 1), None)
    assert check("claims_after_stop", [a], [claim(a, D(2024, 6, 1), D(2024, 6, 30), 100_00)]).findings == ()


# ---------------------------------------------------------------- filters


def test_filters_select_findings_of_one_municipality_or_provider():
    mine = alloc("c1", D(2024, 1, 1), D(2024, 1, 31), aanbieder="98000001")
    theirs = alloc("c2", D(2024, 1, 1), D(2024, 1, 31), aanbieder="98000002", gemeente="0889")
    lines = [
        claim(mine, D(2024, 2, 1), D(2024, 2, 29), 100_00),
        claim(theirs, D(2024, 2, 1), D(2024, 2, 29), 200_00),
    ]
    assert check("claims_outside_allocation", [mine, theirs], lines).count == 2
    only_mine = check("claims_outside_allocation", [mine, theirs], lines, aanbieder="98000001")
    assert [f.client for f in only_mine.findings] == ["c1"]
    beesel = check("claims_outside_allocation", [mine, theirs], lines, gemeente="0889")
    assert [f.client for f in beesel.findings] == ["c2"]
    assert (
        check("claims_outside_allocation", [mine, theirs], lines, gemeente="0889", aanbieder="98000001").count
        == 0
    )


def test_quarterly_p_x_q_extensions_are_one_trajectory_output_allocations_are_not():
    # Three P x Q allocations of 91 days, each starting 0-31 days after the previous ended: one
    # trajectory of 2024-01-01 to 2024-10-30 (303 days), not short. The same dates as output-funded
    # allocations are three trajectories, each claimable in full: flagged.
    spans = [(D(2024, 1, 1), D(2024, 4, 1)), (D(2024, 4, 2), D(2024, 7, 2)), (D(2024, 8, 1), D(2024, 10, 31))]
    extensions = [alloc("c1", b, e, pxq=True) for b, e in spans]
    assert check("short_trajectories", extensions).findings == ()
    outputs = [alloc("c2", b, e) for b, e in spans]
    (finding,) = check("short_trajectories", outputs).findings
    assert finding.client == "c2" and finding.toewijzingen == tuple(a.id for a in outputs)
    # A P x Q allocation for another product does not extend the chain: with two more, three short ones.
    other = [
        alloc("c3", D(2024, 1, 1), D(2024, 2, 1), pxq=True),
        alloc("c3", D(2024, 2, 2), D(2024, 3, 1), pxq=True, product="45N02"),
        alloc("c3", D(2024, 5, 1), D(2024, 6, 1), pxq=True),
    ]
    (finding,) = check("short_trajectories", other).findings
    assert finding.client == "c3" and len(finding.toewijzingen) == 3
