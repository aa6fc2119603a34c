"""Stuuropdracht rules: norms, benchmark quartiles and talk planning by category."""

import datetime as dt

import pytest

from jeugdregie.rules import stuuropdracht as s

D = dt.date


@pytest.mark.parametrize(
    ("value", "low", "high", "status"),
    [
        (12.0, None, 12.0, "binnen"),
        (12.01, None, 12.0, "buiten"),
        (0.5, 0.5, None, "binnen"),
        (0.49, 0.5, 1, "buiten"),
        (None, 0, 1, None),
        (3, None, None, None),
    ],
)
def test_norm_status_at_the_limits(value, low, high, status):
    assert s.norm_status(value, low, high) == status


def test_benchmark_quartiles_by_linear_interpolation():
    b = s.benchmark([4, 1, 3, 2, None])
    assert (b.peers, b.q1, b.median, b.q3) == (4, 1.75, 2.5, 3.25)
    assert s.benchmark([1, 2, None]) is None  # two peers: no benchmark
    assert s.benchmark([5, 5, 5]) == s.Benchmark(3, 5, 5, 5)
    assert s.position(1.7, b) == "onder het eerste kwartiel"
    assert s.position(1.75, b) == "tussen de kwartielen"
    assert s.position(3.26, b) == "boven het derde kwartiel"


def test_a_talks_every_six_weeks():
    plan = s.next_talk("A", [D(2025, 1, 10), D(2025, 3, 1)], D(2025, 4, 12))
    assert plan.due == D(2025, 4, 12) and not plan.overdue
    assert s.next_talk("A", [D(2025, 3, 1)], D(2025, 4, 13)).overdue
    assert s.next_talk("A", [], D(2025, 4, 13)).due == D(2025, 4, 13)


def test_b_talks_once_per_tertial():
    assert s.next_talk("B", [D(2025, 4, 30)], D(2025, 5, 1)).due == D(2025, 8, 31)
    held = s.next_talk("B", [D(2025, 9, 1)], D(2025, 12, 31))
    assert held.due == D(2026, 4, 30) and "2026-T1" in held.reden


def test_c_talks_only_on_signals():
    assert s.next_talk("C", [], D(2025, 5, 1)).due is None
    assert s.next_talk("C", [], D(2025, 5, 1), newest_signal=D(2025, 4, 1)).due == D(2025, 5, 1)
    assert s.next_talk("C", [D(2025, 4, 2)], D(2025, 5, 1), newest_signal=D(2025, 4, 1)).due is None
