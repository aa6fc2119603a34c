"""Year-end forecasts of spend, SYSTEM.md section 9.

Months are integers (`month_index(2024, 3)` = 2024*12 + 2) so that lags are differences. Every
method first corrects the most recent care months for claims not yet received, with the historic
lag profile (chain ladder: the share of a care month's final amount received within k months).

Methods:
1. run_rate        corrected spend of the complete months of the year / months x 12
2. same_period     corrected spend so far x last year's total / last year's spend over the same months
3. allocations     corrected spend so far + for each remaining month the expected claims of the
                   allocations running then (their monthly claim rate so far x the historic
                   redemption of that rate) + new allocations at the trailing inflow rate
Two mixes: combination (mean of 1 and 2) and blend (counted months / 12 x run rate + the rest x
last year's total: a credibility weight, for series too small to extrapolate one month).

A backtest runs every method at every month end of past years on the data as it was known then,
and reports the mean absolute percentage error (MAPE) per method and month.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_LAG = 12  # months after which a care month counts as fully received
# A care month enters a forecast only once this share of its amount is usually in: grossing up a
# month of which 5% has arrived multiplies noise by twenty.
MIN_DEVELOPED = 0.5
# A lag profile learnt from fewer fully received care months than this is noise (one month's
# timing taken for a pattern); the months are then taken as received, without gross-up.
MIN_PROFILE_MONTHS = 3
# No care month is counted at more than 1 / MIN_SHARE times what has arrived of it: where the
# profile says next to nothing arrives that early (a share of 0 in the history), an amount that did
# arrive would otherwise be multiplied by a million (2e12 cents for one EUR 1,000 claim).
MIN_SHARE = 0.1


def month_index(y: int, m: int) -> int:
    return y * 12 + (m - 1)


def month_of(day: dt.date) -> int:
    return month_index(day.year, day.month)


@dataclass(frozen=True)
class ClaimAmount:
    """A claimed amount: the care month it is attributed to and the month it was received in."""

    care_month: int
    received_month: int
    bedrag_cent: int


@dataclass(frozen=True)
class RunningAllocation:
    """An allocation for method 3: when it runs and what it was claimed at per month so far."""

    begin_month: int
    end_month: int | None  # None: open-ended
    monthly_cent: float  # average net claimed per month of care so far (0 when none yet)


def lag_profile(claims: Iterable[ClaimAmount], known_until: int, max_lag: int = MAX_LAG) -> list[float]:
    """F[k] = share of a care month's final amount received within k months, estimated from the
    care months that were fully received by `known_until` (ratio of sums, so large months weigh)."""
    received: dict[int, list[int]] = defaultdict(lambda: [0] * (max_lag + 1))
    for c in claims:
        if c.received_month > known_until or c.care_month > known_until - max_lag:
            continue
        lag = max(0, min(c.received_month - c.care_month, max_lag))
        received[c.care_month][lag] += c.bedrag_cent
    totals = [0] * (max_lag + 1)
    final = 0
    for row in received.values():
        running = 0
        for k in range(max_lag + 1):
            running += row[k]
            totals[k] += running
        final += running
    if final <= 0 or sum(1 for row in received.values() if sum(row) > 0) < MIN_PROFILE_MONTHS:
        return [1.0] * (max_lag + 1)
    profile = [min(1.0, max(t / final, 1e-6)) for t in totals]
    # Cumulative shares can only grow; noise from corrections must not make them shrink.
    for k in range(1, len(profile)):
        profile[k] = max(profile[k], profile[k - 1])
    profile[-1] = 1.0
    return profile


def observed_by_month(claims: Iterable[ClaimAmount], known_until: int) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for c in claims:
        if c.received_month <= known_until:
            found[c.care_month] += c.bedrag_cent
    return found


def corrected(observed: dict[int, int], profile: Sequence[float], as_of_month: int) -> dict[int, float]:
    """Care months up to `as_of_month`, grossed up for what has not been received yet."""
    result = {}
    for month, amount in observed.items():
        if month > as_of_month:
            continue
        lag = min(as_of_month - month, len(profile) - 1)
        result[month] = amount / max(profile[lag], MIN_SHARE)
    return result


def last_developed_month(profile: Sequence[float], known_until: int) -> int:
    """The newest care month of which, by `known_until`, usually at least `MIN_DEVELOPED` is in."""
    lag = next((k for k, share in enumerate(profile) if share >= MIN_DEVELOPED), 0)
    return known_until - lag


@dataclass(frozen=True)
class Forecast:
    method: str
    year: int
    as_of_month: int
    value_cent: float
    low_cent: float | None = None
    high_cent: float | None = None


def forecast_year(
    claims: Sequence[ClaimAmount],
    year: int,
    as_of: dt.date,
    *,
    allocations: Sequence[RunningAllocation] = (),
    redemption: float = 1.0,
    inflow_per_month: float = 0.0,
    profile: Sequence[float] | None = None,
) -> dict[str, Forecast]:
    """Every method's year-end forecast of `year` with the data received up to `as_of` (the last
    day of a month). `profile` defaults to the lag profile of the same claims as known then."""
    known_until = month_of(as_of)
    first = month_index(year, 1)
    months_done = known_until - first + 1
    if not 1 <= months_done <= 12:
        raise ValueError("De peildatum valt niet in het prognosejaar.")
    profile = profile or lag_profile(claims, known_until)
    observed = observed_by_month(claims, known_until)
    fixed = corrected(observed, profile, known_until)
    # The months of this year developed far enough to count; the rest is extrapolated.
    last_counted = last_developed_month(profile, known_until)
    last_year_total = sum(v for m, v in fixed.items() if first - 12 <= m < first)
    if last_counted < first:
        # Nothing of this year is in yet: last year's total is the best run rate there is.
        if last_year_total > 0:
            return {"run_rate": Forecast("run_rate", year, known_until, last_year_total)}
        last_counted = known_until
    counted = last_counted - first + 1
    so_far = sum(v for m, v in fixed.items() if first <= m <= last_counted)
    results: dict[str, float] = {"run_rate": so_far / counted * 12}

    last_year_same = sum(v for m, v in fixed.items() if first - 12 <= m <= last_counted - 12)
    if last_year_same > 0:
        results["same_period"] = so_far * last_year_total / last_year_same

    remaining = 0.0
    for month in range(last_counted + 1, first + 12):
        for a in allocations:
            if a.begin_month <= month and (a.end_month is None or a.end_month >= month):
                remaining += a.monthly_cent * redemption
        # New allocations start at the trailing rate and claim like the running ones do.
        remaining += inflow_per_month * max(0, month - known_until)
    if allocations:
        results["allocations"] = so_far + remaining
    if "same_period" in results:
        results["combination"] = (results["run_rate"] + results["same_period"]) / 2
    if last_year_total > 0:
        # Credibility blend: each counted month moves a twelfth of the weight from last year's total
        # to this year's run rate. For small series one month's noise x 12 is worse than last year.
        weight = counted / 12
        results["blend"] = weight * results["run_rate"] + (1 - weight) * last_year_total
    return {name: Forecast(name, year, known_until, value) for name, value in results.items()}


def actual_total(claims: Iterable[ClaimAmount], year: int) -> int:
    first = month_index(year, 1)
    return sum(c.bedrag_cent for c in claims if first <= c.care_month < first + 12)


def month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)


@dataclass(frozen=True)
class BacktestRow:
    method: str
    month: int  # 1..12: the month end the forecast was made at
    mape: float  # mean absolute percentage error over the years, as a fraction
    years: int


def backtest(
    claims: Sequence[ClaimAmount],
    years: Sequence[int],
    months: Sequence[int] = tuple(range(1, 12)),
    *,
    allocations_at=None,
) -> list[BacktestRow]:
    """MAPE per method and month end over past years with a known truth. `allocations_at(as_of)`
    may return (allocations, redemption, inflow_per_month) for method 3 as known at that date."""
    errors: dict[tuple[str, int], list[float]] = defaultdict(list)
    for y in years:
        truth = actual_total(claims, y)
        if truth <= 0:
            continue
        for m in months:
            as_of = month_end(y, m)
            extra = allocations_at(as_of) if allocations_at else ((), 1.0, 0.0)
            found = forecast_year(
                claims, y, as_of, allocations=extra[0], redemption=extra[1], inflow_per_month=extra[2]
            )
            for name, f in found.items():
                errors[(name, m)].append(abs(f.value_cent - truth) / truth)
    return [
        BacktestRow(name, m, statistics.fmean(values), len(values))
        for (name, m), values in sorted(errors.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]


def best_method(rows: Sequence[BacktestRow], month: int) -> BacktestRow | None:
    candidates = [r for r in rows if r.month == month]
    return min(candidates, key=lambda r: r.mape) if candidates else None


def with_band(forecast: Forecast, mape: float | None, width: float = 1.5) -> Forecast:
    """An uncertainty band of `width` x the method's backtest MAPE at that month around the forecast."""
    if mape is None:
        return forecast
    margin = forecast.value_cent * mape * width
    return Forecast(
        forecast.method,
        forecast.year,
        forecast.as_of_month,
        forecast.value_cent,
        forecast.value_cent - margin,
        forecast.value_cent + margin,
    )


@dataclass(frozen=True)
class LevelBacktestRow:
    method: str
    month: int
    wape: float  # sum of absolute errors / sum of truths over keys and years: the error per euro
    mape: float  # mean of the keys' absolute percentage errors
    cases: int  # (key, year) pairs behind the figures


def backtest_level(
    claims_by_key: dict[str, Sequence[ClaimAmount]],
    years: Sequence[int],
    months: Sequence[int] = tuple(range(1, 12)),
    *,
    min_truth_cent: int = 0,
    profile_claims: Sequence[ClaimAmount] | None = None,
) -> list[LevelBacktestRow]:
    """The backtest per key of a level (provider, municipality, ...): every method at every month
    end, against each key's actual year total. Keys whose year total is below `min_truth_cent` are
    left out (a EUR 2,000 provider's 80% error says nothing about steering). The lag profile is
    the region's (`profile_claims`), as in production: one small provider's history is too thin."""
    errors: dict[tuple[str, int], list[tuple[float, float]]] = defaultdict(list)
    for y in years:
        for m in months:
            as_of = month_end(y, m)
            profile = lag_profile(profile_claims, month_of(as_of)) if profile_claims is not None else None
            for claims in claims_by_key.values():
                truth = actual_total(claims, y)
                if truth <= 0 or truth < min_truth_cent:
                    continue
                try:
                    found = forecast_year(claims, y, as_of, profile=profile)
                except ValueError:
                    continue
                for name, f in found.items():
                    errors[(name, m)].append((abs(f.value_cent - truth), truth))
    return [
        LevelBacktestRow(
            name,
            m,
            sum(e for e, _ in pairs) / sum(t for _, t in pairs),
            statistics.fmean(e / t for e, t in pairs),
            len(pairs),
        )
        for (name, m), pairs in sorted(errors.items())
    ]


def past_mape(
    claims: Sequence[ClaimAmount],
    year: int,
    month: int,
    method: str,
    *,
    profiles: dict[int, Sequence[float]] | None = None,
    years_back: int = 3,
) -> float | None:
    """This series' own backtest: the mean absolute percentage error of `method` at the same month
    end in the `years_back` years before `year` (those with a positive total). It sizes the band of
    one provider's or municipality's forecast; None without such history. `profiles` maps a past
    year to the lag profile known at its month end (computed once for all series of a level)."""
    errors = []
    for y in range(year - years_back, year):
        truth = actual_total(claims, y)
        if truth <= 0:
            continue
        as_of = month_end(y, month)
        found = forecast_year(claims, y, as_of, profile=(profiles or {}).get(y))
        if method in found:
            errors.append(abs(found[method].value_cent - truth) / truth)
    return statistics.fmean(errors) if errors else None
