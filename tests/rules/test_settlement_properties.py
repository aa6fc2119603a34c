"""Properties of settlement, charges and solidarity that must hold for any input."""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from jeugdregie.rules.settlement import (
    SolidarityCategory,
    Tier,
    charges,
    example_rule_sets,
    load_rule_set,
    settle_group,
    solidarity_rows,
    solidarity_shares,
    tiered_amount,
)

RULE_SETS = [load_rule_set(p) for p in example_rule_sets().values()]
HARD = load_rule_set(example_rule_sets()["harde-plafond"])

cents = st.integers(min_value=0, max_value=10**11)
signed_cents = st.integers(min_value=-(10**11), max_value=10**11)
cbs = st.from_regex(r"\A0[0-9]{3}\Z")
factors = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def tier_lists(draw, max_factor: int = 1):
    starts = sorted(
        draw(st.sets(st.decimals(min_value="0.01", max_value="2", places=2), min_size=0, max_size=4))
    )
    factor = st.decimals(min_value=0, max_value=max_factor, places=4)
    return tuple(Tier(Decimal(s), draw(factor)) for s in [Decimal(0), *starts])


@given(
    amount=signed_cents,
    weights=st.dictionaries(cbs, st.integers(min_value=0, max_value=10**9), min_size=1).filter(
        lambda w: any(w.values())
    ),
)
def test_charges_sum_to_the_amount(amount, weights):
    parts = charges(amount, weights)
    assert sum(parts.values()) == amount
    assert set(parts) == set(weights)


@given(
    amount=signed_cents,
    weights=st.dictionaries(cbs, st.integers(min_value=-(10**6), max_value=10**9), min_size=1).filter(
        lambda w: sum(w.values()) != 0
    ),
)
def test_charges_with_signed_weights_sum_to_the_amount(amount, weights):
    parts = charges(amount, weights)
    assert sum(parts.values()) == amount
    total = sum(weights.values())
    for key, weight in weights.items():  # each part within one cent of its exact share
        assert abs(parts[key] - Fraction(amount * weight, total)) < 1


@given(
    claimed=signed_cents,
    ceiling=st.one_of(st.none(), cents),
    recorded=cents,
    reduction=st.integers(min_value=-(10**6), max_value=10**7),
    index=st.integers(min_value=0, max_value=len(RULE_SETS) - 1),
    policy=st.sampled_from(["none", "all", "recorded"]),
    norm=st.one_of(st.none(), factors),
)
def test_outcome_is_consistent_for_every_rule_set_and_policy(
    claimed, ceiling, recorded, reduction, index, policy, norm
):
    rules = replace(RULE_SETS[index], overruns=policy, norm_duration_factor=norm)
    outcome = settle_group(claimed, ceiling, recorded, rules, reduction)
    net = claimed - outcome.after_norm_reduction_cents
    assert outcome.after_norm_reduction_cents == (0 if norm is None else reduction)
    assert outcome.paid_cents + outcome.unpaid_cents == claimed
    if ceiling is None:
        assert outcome.paid_cents == outcome.eligible_cents == net
    else:
        assert 0 <= outcome.paid_cents <= outcome.eligible_cents <= max(0, net)
        assert outcome.eligible_cents <= ceiling + outcome.approved_overrun_cents


@given(claimed=cents, ceiling=cents, tiers=tier_lists(), reduction=st.integers(0, 10**6))
def test_with_factors_at_most_one_paid_never_exceeds_the_claims(claimed, ceiling, tiers, reduction):
    rules = replace(HARD, tiers=tiers, overruns="all", norm_duration_factor=Decimal("0.85"))
    assert settle_group(claimed, ceiling, 0, rules, reduction).paid_cents <= claimed


@given(claimed=signed_cents, extra=cents, ceiling=cents, recorded=cents)
def test_under_the_hard_cap_paid_never_falls_when_claims_grow(claimed, extra, ceiling, recorded):
    for policy in ("none", "all", "recorded"):
        rules = replace(HARD, overruns=policy)
        before = settle_group(claimed, ceiling, recorded, rules).paid_cents
        after = settle_group(claimed + extra, ceiling, recorded, rules).paid_cents
        assert after >= before


@given(low=cents, extra=cents, ceiling=cents, tiers=tier_lists(max_factor=3))
def test_tiered_amount_is_monotone_for_non_negative_factors(low, extra, ceiling, tiers):
    assert tiered_amount(low + extra, ceiling, tiers) >= tiered_amount(low, ceiling, tiers)


@given(eligible=cents, ceiling=cents, tiers=tier_lists())
def test_tiered_amount_lies_between_zero_and_eligible(eligible, ceiling, tiers):
    assert 0 <= tiered_amount(eligible, ceiling, tiers) <= eligible


@given(
    basis=st.dictionaries(cbs, st.integers(min_value=0, max_value=10**10), min_size=1).filter(
        lambda b: any(b.values())
    ),
    own=st.dictionaries(cbs, signed_cents, min_size=0),
    kind=st.sampled_from(["clients_3y", "claimed_3y"]),
)
def test_solidarity_balances_sum_to_zero_and_contributions_to_the_cost(basis, own, kind):
    category = SolidarityCategory("segment 2", ("2",), kind)
    shares = solidarity_shares(category, basis)
    assert sum(shares.values()) == 1
    rows = solidarity_rows(own, shares)
    assert sum(r.balance_cents for r in rows) == 0
    assert sum(r.contribution_cents for r in rows) == sum(own.values())
    for row in rows:
        assert row.balance_cents == row.contribution_cents - row.own_cost_cents
