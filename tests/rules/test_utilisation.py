import datetime as dt

import pytest

from jeugdregie.rules.ceilings import municipality_budgets
from jeugdregie.rules.forecast import ClaimAmount, backtest_level, month_index
from jeugdregie.rules.signals import comparable_share
from jeugdregie.rules.utilisation import (
    Utilisation,
    ValuedAllocation,
    committed_cent,
    redemption,
    redemption_rate,
)

D = dt.date
# 30.4375 days per month: a monthly value of 30,437.5 cents is exactly 1,000 cents a day.
PER_DAY_1000 = 30_437.5
AS_OF = D(2026, 8, 31)


def test_committed_counts_the_rest_of_the_year_at_the_redemption_rate():
    running = ValuedAllocation(D(2026, 1, 1), D(2026, 12, 31), PER_DAY_1000)  # Sep 1 - Dec 31: 122 days
    open_ended = ValuedAllocation(D(2025, 6, 1), None, PER_DAY_1000)  # runs to the year end: 122 days
    ends_in_october = ValuedAllocation(
        D(2026, 3, 1), D(2026, 10, 15), PER_DAY_1000
    )  # Sep 1 - Oct 15: 45 days
    starts_later = ValuedAllocation(D(2026, 11, 1), D(2027, 3, 31), PER_DAY_1000)  # Nov 1 - Dec 31: 61 days
    ended = ValuedAllocation(D(2026, 1, 1), D(2026, 8, 31), PER_DAY_1000)  # nothing after the peildatum
    allocations = [running, open_ended, ends_in_october, starts_later, ended]
    assert committed_cent([running], AS_OF, 1.0) == 122_000
    assert committed_cent(allocations, AS_OF, 0.8) == round((122 + 122 + 45 + 61) * 1_000 * 0.8) == 280_000


def test_redemption_of_allocations_ended_in_the_last_twelve_months():
    a = ValuedAllocation(D(2026, 1, 1), D(2026, 1, 30), PER_DAY_1000, claimed_cent=24_000)  # 30,000 allocated
    b = ValuedAllocation(
        D(2025, 8, 1), D(2025, 8, 31), PER_DAY_1000, claimed_cent=31_000
    )  # ended 365 days before
    c = ValuedAllocation(D(2025, 8, 23), D(2025, 9, 1), PER_DAY_1000, claimed_cent=5_000)  # 10,000 allocated
    still_running = ValuedAllocation(D(2026, 1, 1), D(2026, 12, 31), PER_DAY_1000, claimed_cent=99_999)
    assert redemption([a, b, c, still_running], AS_OF) == pytest.approx((29_000, 40_000))
    assert redemption([b, still_running], AS_OF) is None
    # EUR 400 of allocated value is too little history for a rate of its own: the region's applies.
    assert redemption_rate((29_000, 40_000), fallback=0.75) == 0.75
    assert redemption_rate((2_900_000, 4_000_000), fallback=0.75) == pytest.approx(0.725)
    assert redemption_rate(None, fallback=0.75) == 0.75


def test_utilisation_shares():
    use = Utilisation(
        ceiling_cent=1_000_000, claimed_cent=450_000, committed_cent=350_000, forecast_cent=950_000
    )
    assert (use.claimed_share, use.claimed_and_committed_share, use.forecast_share) == (0.45, 0.8, 0.95)
    assert Utilisation(None, 1, 2, 3).forecast_share is None


def test_municipality_budgets_add_the_c_budget_by_c_production():
    budgets = municipality_budgets(
        [("0983", 100), ("0889", 50), ("0983", 25)], 1_001, {"0983": 2, "0889": 1, "0893": 0}
    )
    # 1,001 split 2:1 = 667.33 / 333.67: floors 667 + 333, the cent left goes to the larger remainder (0889).
    assert budgets == {"0889": 50 + 334, "0983": 125 + 667}
    assert sum(budgets.values()) == 175 + 1_001


def test_comparable_share_counts_only_what_was_received_by_then():
    jan, feb = month_index(2026, 1), month_index(2026, 2)
    amounts = [
        (True, jan, jan, 100),
        (False, jan, jan, 300),
        (True, feb, feb + 3, 400),
        (False, feb, feb, 100),
    ]
    assert comparable_share(amounts, jan, feb, known_until=feb) == pytest.approx(100 / 500)
    assert comparable_share(amounts, jan, feb, known_until=feb + 3) == pytest.approx(500 / 900)
    assert comparable_share(amounts, jan - 12, feb - 12, known_until=feb) is None


def _monthly(year: int, amounts: list[int]) -> list[ClaimAmount]:
    return [
        ClaimAmount(month_index(year, m), month_index(year, m), v) for m, v in enumerate(amounts, start=1)
    ]


def test_backtest_per_key_weighs_errors_by_euro_and_leaves_small_keys_out():
    flat = _monthly(2024, [1_000] * 12)  # truth 12,000: the run rate is exact
    step = _monthly(2024, [1_000] * 6 + [2_000] * 6)  # truth 18,000: at June the run rate says 12,000
    tiny = _monthly(2024, [40] * 12)  # truth 480: below the minimum, not counted
    rows = backtest_level({"A": flat, "B": step, "C": tiny}, [2024], [6], min_truth_cent=1_000)
    (june,) = rows
    assert (june.method, june.month, june.cases) == ("run_rate", 6, 2)
    assert june.wape == pytest.approx(6_000 / 30_000)
    assert june.mape == pytest.approx((0 + 6_000 / 18_000) / 2)
