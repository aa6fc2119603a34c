import datetime as dt

import pytest

from jeugdregie.rules.forecast import (
    ClaimAmount,
    RunningAllocation,
    backtest,
    best_method,
    corrected,
    forecast_year,
    lag_profile,
    month_index,
    observed_by_month,
    with_band,
)

LAGS = ((0, 0.5), (1, 0.3), (2, 0.2))  # half in the month itself, 30% a month later, 20% two months later


def history(first_year=2022, last_month=month_index(2025, 12), monthly=lambda m: 10_000):
    claims = []
    for month in range(month_index(first_year, 1), last_month + 1):
        for lag, share in LAGS:
            claims.append(ClaimAmount(month, month + lag, round(monthly(month) * share)))
    return claims


def test_lag_profile_is_learned_from_fully_received_months():
    profile = lag_profile(history(), known_until=month_index(2024, 6))
    assert profile[:4] == pytest.approx([0.5, 0.8, 1.0, 1.0])
    assert profile[-1] == 1.0


def test_chain_ladder_grosses_up_the_recent_months():
    claims = history()
    known = month_index(2024, 6)
    observed = observed_by_month(claims, known)
    assert (observed[known], observed[known - 1], observed[known - 2]) == (5_000, 8_000, 10_000)
    fixed = corrected(observed, lag_profile(claims, known), known)
    assert fixed[known] == pytest.approx(10_000) and fixed[known - 1] == pytest.approx(10_000)


def test_run_rate_and_same_period_on_a_flat_series():
    result = forecast_year(history(), 2024, dt.date(2024, 4, 30))
    assert result["run_rate"].value_cent == pytest.approx(120_000)
    assert result["same_period"].value_cent == pytest.approx(120_000)
    assert result["combination"].value_cent == pytest.approx(120_000)


def test_same_period_follows_seasonality_run_rate_does_not():
    # Every year: 5,000 a month in January-April, 15,000 afterwards: total 140,000.
    seasonal = history(monthly=lambda m: 5_000 if m % 12 < 4 else 15_000)
    result = forecast_year(seasonal, 2024, dt.date(2024, 4, 30))
    assert result["same_period"].value_cent == pytest.approx(140_000)
    assert result["run_rate"].value_cent == pytest.approx(60_000)
    rows = backtest(seasonal, years=[2023, 2024], months=[4, 8])
    april = best_method(rows, 4)
    assert april.method == "same_period" and april.mape == pytest.approx(0, abs=1e-9)
    run_rate_april = next(r for r in rows if r.method == "run_rate" and r.month == 4)
    assert run_rate_april.mape == pytest.approx(80_000 / 140_000)


def test_allocation_method_adds_running_allocations_and_new_inflow():
    claims = history()
    running = [
        RunningAllocation(month_index(2024, 1), month_index(2024, 6), 1_000),  # ends in June: 2 months
        RunningAllocation(month_index(2024, 3), None, 500),
    ]  # open-ended: 8 months
    result = forecast_year(
        claims, 2024, dt.date(2024, 4, 30), allocations=running, redemption=0.75, inflow_per_month=100
    )
    # so far 40,000; running: (2 x 1,000 + 8 x 500) x 0.75 = 4,500; inflow: 100 x (1+2+...+8) = 3,600
    assert result["allocations"].value_cent == pytest.approx(40_000 + 4_500 + 3_600)


def test_band_and_bad_as_of():
    result = forecast_year(history(), 2024, dt.date(2024, 8, 31))["run_rate"]
    banded = with_band(result, 0.04)
    assert (banded.low_cent, banded.high_cent) == pytest.approx((120_000 * 0.94, 120_000 * 1.06))
    with pytest.raises(ValueError, match="peildatum"):
        forecast_year(history(), 2024, dt.date(2025, 1, 31))


def test_past_mape_is_the_series_own_backtest_at_the_same_month():
    from jeugdregie.rules.forecast import past_mape

    def year_of(y, amounts):
        return [ClaimAmount(month_index(y, m), month_index(y, m), v) for m, v in enumerate(amounts, start=1)]

    claims = (
        year_of(2023, [1_000] * 12) + year_of(2024, [1_000] * 12) + year_of(2025, [1_000] * 6 + [2_000] * 6)
    )
    # June: 2023 and 2024 exact; 2025 says 12,000 against 18,000 (1/3 off). Mean over three years: 1/9.
    assert past_mape(claims, 2026, 6, "run_rate") == pytest.approx(1 / 9)
    assert past_mape(claims, 2026, 6, "allocations") is None
    assert past_mape(year_of(2026, [1_000] * 12), 2026, 6, "run_rate") is None


def test_blend_moves_weight_from_last_year_to_the_run_rate_month_by_month():
    last_year = [ClaimAmount(month_index(2025, m), month_index(2025, m), 1_000) for m in range(1, 13)]
    this_year = [ClaimAmount(month_index(2026, m), month_index(2026, m), 2_000) for m in range(1, 7)]
    found = forecast_year(last_year + this_year, 2026, dt.date(2026, 6, 30))
    # Six months counted: half the run rate (24,000), half last year's total (12,000).
    assert found["run_rate"].value_cent == pytest.approx(24_000)
    assert found["blend"].value_cent == pytest.approx(0.5 * 24_000 + 0.5 * 12_000)
    assert "blend" not in forecast_year(this_year, 2026, dt.date(2026, 6, 30))


def test_a_profile_from_too_few_months_or_a_zero_share_does_not_explode_the_forecast():
    # Everything of January-May 2024 arrived in one message in January 2025 (a late first load):
    # only January 2024 is fully received by then, a profile of one month is no pattern.
    claims = [ClaimAmount(month_index(2024, m), month_index(2025, 1), 100_000) for m in (1, 2, 3, 5)]
    assert lag_profile(claims, month_index(2025, 1)) == [1.0] * 13
    result = forecast_year(claims, 2025, dt.date(2025, 1, 31))
    # Without a lag to correct for, January counts as received: nothing yet. The blend leans on last
    # year's total as received (4 x EUR 1,000) for eleven twelfths (was 2e12 cents with the profile).
    assert result["run_rate"].value_cent == 0
    assert result["blend"].value_cent == pytest.approx(400_000 * 11 / 12)
    # A share of (nearly) zero at a lag is counted at most ten times what arrived.
    profile = [0.000001] * 12 + [1.0]
    assert corrected({month_index(2024, 5): 100_000}, profile, month_index(2025, 1)) == {
        month_index(2024, 5): 1_000_000
    }
