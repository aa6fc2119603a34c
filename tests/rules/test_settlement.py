"""Settlement (SYSTEM.md section 10), worked by hand. C = EUR 10,000 = 1,000,000 cents unless said.

The numbers here are the worked examples in docs/settlement.md.
"""

from dataclasses import replace
from decimal import Decimal

import pytest

from jeugdregie.rules.settlement import (
    CBudgetUse,
    Outcome,
    RuleSet,
    Tier,
    c_budget_use,
    charges,
    example_rule_sets,
    load_rule_set,
    norm_reduction_cents,
    settle_group,
    tiered_amount,
)

C = 1_000_000


def rules(name: str) -> RuleSet:
    return load_rule_set(example_rule_sets()[name])


HARD = rules("harde-plafond")
DONUT = rules("donut-5")
STAFFEL = rules("staffel")
DONUT_STAFFEL = rules("donut-staffel")


def paid(rule_set: RuleSet, claimed: int, recorded: int = 0, reduction: int = 0) -> int:
    return settle_group(claimed, C, recorded, rule_set, reduction).paid_cents


# --- hard cap: pay min(D, C + A) ---------------------------------------------------------------


def test_hard_cap_at_the_ceiling_and_one_cent_either_side():
    assert paid(HARD, C - 1) == C - 1
    assert paid(HARD, C) == C
    assert settle_group(C + 1, C, 0, HARD) == Outcome(
        claimed_cents=C + 1,
        ceiling_cents=C,
        approved_overrun_cents=0,
        after_norm_reduction_cents=0,
        eligible_cents=C,
        paid_cents=C,
        unpaid_cents=1,
    )


def test_hard_cap_with_an_approved_overrun_smaller_than_the_overrun():
    # D = 12,000, approved 500: E = min(12,000, 10,000 + 500) = 10,500 paid, 1,500 not.
    outcome = settle_group(1_200_000, C, 50_000, HARD)
    assert outcome.approved_overrun_cents == 50_000
    assert outcome.eligible_cents == 1_050_000
    assert outcome.paid_cents == 1_050_000
    assert outcome.unpaid_cents == 150_000


def test_hard_cap_with_an_approved_overrun_larger_than_the_overrun():
    # approved 3,000 but only 2,000 over: everything claimed is paid, not more.
    outcome = settle_group(1_200_000, C, 300_000, HARD)
    assert outcome.approved_overrun_cents == 300_000
    assert outcome.eligible_cents == 1_200_000
    assert outcome.paid_cents == 1_200_000
    assert outcome.unpaid_cents == 0


def test_policy_none_ignores_recorded_approvals_and_all_approves_every_overrun():
    none = replace(HARD, overruns="none")
    outcome = settle_group(1_200_000, C, 300_000, none)
    assert (outcome.approved_overrun_cents, outcome.paid_cents) == (0, C)
    every = replace(HARD, overruns="all")
    outcome = settle_group(1_200_000, C, 0, every)
    assert (outcome.approved_overrun_cents, outcome.paid_cents) == (200_000, 1_200_000)
    # under "all" nothing is approved when there is no overrun
    assert settle_group(900_000, C, 0, every).approved_overrun_cents == 0


# --- donut hole of 5%: pay min(D, C) + max(0, D - 1.05 C) --------------------------------------


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        (999_999, 999_999),
        (1_000_000, 1_000_000),  # D exactly at C
        (1_000_001, 1_000_000),  # first cent in the hole
        (1_049_999, 1_000_000),
        (1_050_000, 1_000_000),  # exactly at the end of the hole
        (1_050_001, 1_000_001),  # first cent after the hole is paid again
        (1_200_000, 1_150_000),
    ],
)
def test_donut_hole_edges(claimed, expected):
    assert paid(DONUT, claimed) == expected
    assert paid(DONUT, claimed) == min(claimed, C) + max(0, claimed - 1_050_000)


def test_donut_hole_with_recorded_approvals():
    recorded = replace(DONUT, overruns="recorded")
    # D = 12,000, approved 1,000: E = 11,000; paid 10,000 + (11,000 - 10,500) = 10,500
    assert paid(recorded, 1_200_000, recorded=100_000) == 1_050_000
    # approved 300 lies inside the hole: E = 10,300, nothing above 10,500, paid C
    assert paid(recorded, 1_200_000, recorded=30_000) == C
    # approved 5,000 (larger than the overrun): as "all"
    assert paid(recorded, 1_200_000, recorded=500_000) == 1_150_000
    # "none" turns the donut into a hard cap
    assert paid(replace(DONUT, overruns="none"), 1_200_000) == C


# --- staffelkorting [(0, 1), (0.90, 0.95), (1.00, 0.80)] ---------------------------------------


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        (900_000, 900_000),  # 90% of C: all at 1.00
        (900_001, 900_001),  # 900,000 + 0.95 = 900,000.95 -> 900,001
        (900_010, 900_010),  # 900,000 + 9.5 = 900,009.5 -> half up 900,010
        (950_000, 947_500),  # 900,000 + 0.95 x 50,000
        (1_000_000, 995_000),  # D at C: 900,000 + 95,000
        (1_000_001, 995_001),  # 995,000 + 0.80 = 995,000.8 -> 995,001
        (1_050_001, 1_035_001),  # 995,000 + 0.80 x 50,001 = 1,035,000.8
        (1_100_000, 1_075_000),  # 995,000 + 0.80 x 100,000
    ],
)
def test_staffel(claimed, expected):
    assert paid(STAFFEL, claimed) == expected


def test_staffel_rounds_once_not_per_band():
    # C = 333,333: the 0.90 band starts at 299,999.7. At D = C:
    # 299,999.7 + 0.95 x 33,333.3 = 299,999.7 + 31,666.635 = 331,666.335 -> 331,666.
    # (Rounding per band would give 300,000 + 31,667 = 331,667.)
    assert tiered_amount(333_333, 333_333, STAFFEL.tiers) == 331_666


# --- donut hole + staffel [(0, 1), (0.90, 0.95), (1.00, 0), (1.05, 0.80)] ----------------------


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        (900_000, 900_000),
        (1_000_000, 995_000),
        (1_049_999, 995_000),
        (1_050_000, 995_000),  # end of the hole
        (1_050_001, 995_001),  # 995,000 + 0.8 -> 995,001
        (1_200_000, 1_115_000),  # 995,000 + 0.80 x 150,000
    ],
)
def test_donut_staffel(claimed, expected):
    assert paid(DONUT_STAFFEL, claimed) == expected


def test_donut_staffel_with_recorded_approvals():
    recorded = replace(DONUT_STAFFEL, overruns="recorded")
    # D = 12,000, approved 1,000: E = 11,000 -> 995,000 + 0.80 x 50,000
    assert paid(recorded, 1_200_000, recorded=100_000) == 1_035_000


# --- norm duration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "reduction"),
    [
        (10_100, 1_515),  # 10,100 x 0.85 = 8,585
        (101, 15),  # 85.85 -> 86
        (10, 1),  # 8.5 -> half up 9
        (-10, -1),  # credit: -8.5 -> -9, the mirror of the debit
        (-101, -15),
        (0, 0),
    ],
)
def test_norm_reduction_per_line(amount, reduction):
    assert norm_reduction_cents(amount, Decimal("0.85")) == reduction


def test_credit_line_cancels_its_debit_reduction():
    factor = Decimal("0.85")
    for amount in (1, 10, 333, 12_345):
        assert norm_reduction_cents(amount, factor) + norm_reduction_cents(-amount, factor) == 0


def test_norm_reduction_applies_before_the_tiers():
    # staffel has factor 0.85. D = 11,000, R = 300: D' = 10,700 -> 995,000 + 0.80 x 70,000
    outcome = settle_group(1_100_000, C, 0, STAFFEL, after_norm_reduction_cents=30_000)
    assert outcome.after_norm_reduction_cents == 30_000
    assert outcome.approved_overrun_cents == 70_000
    assert outcome.eligible_cents == 1_070_000
    assert outcome.paid_cents == 1_051_000
    assert outcome.unpaid_cents == 49_000


def test_norm_reduction_can_bring_claims_below_the_ceiling():
    # D = 10,100, R = 200: D' = 9,900 -> 900,000 + 0.95 x 90,000
    outcome = settle_group(1_010_000, C, 0, STAFFEL, after_norm_reduction_cents=20_000)
    assert (outcome.approved_overrun_cents, outcome.paid_cents) == (0, 985_500)


def test_negative_reduction_from_credit_lines_raises_what_is_eligible():
    # net credits after the norm duration: R = -1,500 (a credit of a line reduced earlier)
    outcome = settle_group(800_000, C, 0, STAFFEL, after_norm_reduction_cents=-1_500)
    assert outcome.eligible_cents == 801_500
    assert outcome.paid_cents == 801_500
    assert outcome.unpaid_cents == -1_500


def test_reduction_is_ignored_when_the_rule_set_switches_it_off():
    outcome = settle_group(800_000, C, 0, HARD, after_norm_reduction_cents=30_000)
    assert outcome.after_norm_reduction_cents == 0
    assert outcome.paid_cents == 800_000


# --- no ceiling, zero claims, credits -----------------------------------------------------------


def test_no_individual_ceiling_pays_the_claims_less_the_norm_reduction():
    for rule_set in (HARD, DONUT, STAFFEL, DONUT_STAFFEL):
        outcome = settle_group(500_000, None, 100_000, rule_set)
        assert outcome == Outcome(500_000, None, 0, 0, 500_000, 500_000, 0)
    outcome = settle_group(500_000, None, 0, STAFFEL, after_norm_reduction_cents=15_000)
    assert outcome == Outcome(500_000, None, 0, 15_000, 485_000, 485_000, 15_000)


def test_zero_claims_pay_nothing_under_every_rule():
    for rule_set in (HARD, DONUT, STAFFEL, DONUT_STAFFEL):
        assert settle_group(0, C, 0, rule_set) == Outcome(0, C, 0, 0, 0, 0, 0)
        assert settle_group(0, None, 0, rule_set) == Outcome(0, None, 0, 0, 0, 0, 0)
        assert settle_group(0, 0, 0, rule_set).paid_cents == 0


def test_credits_larger_than_debits():
    # with a ceiling nothing is paid and the credit balance shows as a negative unpaid amount
    outcome = settle_group(-20_000, C, 0, DONUT)
    assert outcome == Outcome(-20_000, C, 0, 0, 0, 0, -20_000)
    # without one the credit is netted: paid is negative
    outcome = settle_group(-20_000, None, 0, DONUT)
    assert (outcome.eligible_cents, outcome.paid_cents, outcome.unpaid_cents) == (-20_000, -20_000, 0)


def test_zero_ceiling_counts_everything_as_overrun():
    assert settle_group(50_000, 0, 0, HARD).paid_cents == 0
    assert settle_group(50_000, 0, 20_000, HARD).paid_cents == 20_000
    assert settle_group(50_000, 0, 0, DONUT).paid_cents == 50_000  # the hole is 5% of 0


def test_negative_approval_is_refused():
    with pytest.raises(ValueError, match="negatief"):
        settle_group(100, C, -1, HARD)


def test_tiered_amount_checks_its_tiers():
    with pytest.raises(ValueError, match="bij 0"):
        tiered_amount(100, 100, (Tier(Decimal("0.5"), Decimal(1)),))
    with pytest.raises(ValueError, match="oplopend"):
        tiered_amount(100, 100, (Tier(Decimal(0), Decimal(1)), Tier(Decimal(0), Decimal(1))))
    with pytest.raises(ValueError, match="negatief"):
        tiered_amount(100, -1, HARD.tiers)
    assert tiered_amount(-5, 100, HARD.tiers) == 0


# --- charges to municipalities ------------------------------------------------------------------


def test_charges_by_production_share_to_the_cent():
    # paid 1,075,000 on production Venlo 600,000 / Venray 500,000:
    # 586,363.63.. and 488,636.36.. -> the left cent to the larger remainder (Venlo)
    assert charges(1_075_000, {"0983": 600_000, "0984": 500_000}) == {
        "0983": 586_364,
        "0984": 488_636,
    }


def test_charges_ties_go_to_the_first_key():
    assert charges(1_000, {"0983": 1, "0984": 1, "0889": 1}) == {
        "0983": 334,
        "0984": 333,
        "0889": 333,
    }


def test_charges_with_decimal_weights_and_negative_amount():
    assert charges(-1_000, {"0983": Decimal("0.25"), "0984": Decimal("0.75")}) == {
        "0983": -250,
        "0984": -750,
    }


def test_charges_with_a_municipality_whose_credits_exceed_its_debits():
    # paid = D = 800: each municipality pays its own net production
    assert charges(800, {"0983": 1_000, "0984": -200}) == {"0983": 1_000, "0984": -200}
    assert charges(400, {"0983": 1_000, "0984": -200}) == {"0983": 500, "0984": -100}
    # 10 x (2, 2, -1) / 3 = 6.67, 6.67, -3.33 -> floors 6, 6, -4; two cents to the equal
    # remainders with the larger weights
    assert charges(10, {"0983": 2, "0984": 2, "0889": -1}) == {"0983": 7, "0984": 7, "0889": -4}


def test_charges_edge_cases():
    assert charges(0, {"0983": 0, "0984": 0}) == {"0983": 0, "0984": 0}
    assert charges(0, {}) == {}
    with pytest.raises(ValueError, match="nul"):
        charges(100, {"0983": 0, "0984": 0})
    with pytest.raises(ValueError, match="nul"):
        charges(100, {})
    with pytest.raises(ValueError, match="nul"):
        charges(100, {"0983": 1, "0984": -1})


# --- the C budget beside the providers without a ceiling ------------------------------------


def test_c_budget_use_sums_only_the_outcomes_without_a_ceiling():
    outcomes = [
        settle_group(500_000, None, 0, HARD),
        settle_group(300_000, None, 0, STAFFEL, after_norm_reduction_cents=15_000),
        settle_group(1_200_000, C, 0, HARD),  # has a ceiling: not in the C budget
    ]
    use = c_budget_use(outcomes, 700_000)
    assert use == CBudgetUse(budget_cents=700_000, paid_cents=785_000)
    assert use.remaining_cents == -85_000
    assert use.overrun_cents == 85_000
    assert c_budget_use(outcomes, 800_000).overrun_cents == 0  # within the budget
    assert c_budget_use(outcomes, None).overrun_cents == 0
    assert use.share == Decimal("1.1214")  # 785,000 / 700,000 = 1.12142..
    assert c_budget_use(outcomes, None).share is None
    assert c_budget_use(outcomes, None).remaining_cents is None


# --- every rule and combination at the edges, one table -----------------------------------------
# C = 10,000.00. The examples under each policy (the files' own policy, and "recorded" with an
# approval smaller and larger than the overrun of D = 12,000.00, i.e. 2,000.00).
RECORDED = "recorded"


@pytest.mark.parametrize(
    ("rule_set", "policy", "claimed", "recorded", "expected_paid"),
    [
        # D exactly at C: an approval changes nothing, under every rule
        (HARD, RECORDED, C, 50_000, C),
        (DONUT, RECORDED, C, 50_000, C),
        (STAFFEL, RECORDED, C, 50_000, 995_000),  # 900,000 + 0.95 x 100,000
        (DONUT_STAFFEL, RECORDED, C, 50_000, 995_000),
        # approved exactly up to the end of the hole (E = 10,500.00): the hole stays unpaid
        (DONUT, RECORDED, 1_200_000, 50_000, C),
        (DONUT_STAFFEL, RECORDED, 1_200_000, 50_000, 995_000),
        # approved 500.00, smaller than the overrun of 2,000.00: E = 10,500.00
        (HARD, RECORDED, 1_200_000, 50_000, 1_050_000),
        (STAFFEL, RECORDED, 1_200_000, 50_000, 1_035_000),  # 995,000 + 0.80 x 50,000
        # approved 3,000.00, larger than the overrun: E = D = 12,000.00, as under "all"
        (HARD, RECORDED, 1_200_000, 300_000, 1_200_000),
        (DONUT, RECORDED, 1_200_000, 300_000, 1_150_000),  # 10,000 + (12,000 - 10,500)
        (STAFFEL, RECORDED, 1_200_000, 300_000, 1_155_000),  # 995,000 + 0.80 x 200,000
        (DONUT_STAFFEL, RECORDED, 1_200_000, 300_000, 1_115_000),  # 995,000 + 0.80 x 150,000
        # the same under "all" and "none"
        (STAFFEL, "all", 1_200_000, 0, 1_155_000),
        (DONUT_STAFFEL, "all", 1_200_000, 0, 1_115_000),
        (STAFFEL, "none", 1_200_000, 300_000, 995_000),
        (DONUT_STAFFEL, "none", 1_200_000, 300_000, 995_000),
    ],
)
def test_every_rule_at_the_edges(rule_set, policy, claimed, recorded, expected_paid):
    outcome = settle_group(claimed, C, recorded, replace(rule_set, overruns=policy))
    assert outcome.paid_cents == expected_paid
    assert outcome.unpaid_cents == claimed - expected_paid


@pytest.mark.parametrize("rule_set", [HARD, DONUT, STAFFEL, DONUT_STAFFEL], ids=lambda r: r.name)
@pytest.mark.parametrize("policy", ["none", "all", "recorded"])
def test_credits_larger_than_debits_under_every_rule_and_policy(rule_set, policy):
    # D = -200.00 (credits exceed debits), an approval of 500.00 on record: nothing is paid with a
    # ceiling, the credit balance shows as unpaid -200.00; without a ceiling it is netted.
    outcome = settle_group(-20_000, C, 50_000, replace(rule_set, overruns=policy))
    assert (outcome.eligible_cents, outcome.paid_cents, outcome.unpaid_cents) == (0, 0, -20_000)
    outcome = settle_group(-20_000, None, 50_000, replace(rule_set, overruns=policy))
    assert (outcome.eligible_cents, outcome.paid_cents, outcome.unpaid_cents) == (-20_000, -20_000, 0)
