"""The cost-growth decomposition (jeugdregie.rules.cost_growth) on numbers worked by hand."""

from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from jeugdregie.rules.cost_growth import decompose, decompose_by, round_parts


@dataclass(frozen=True)
class Line:
    client: str
    product: str
    bedrag_cent: int
    volume: int
    segment: str = "3"


def test_hand_worked_clients_care_and_tariff():
    # Last year: a and b 10 hours each of product X at EUR 100/h: S0 = 200,000 cents, N0 = 2.
    previous = [Line("a", "X", 100_000, 10), Line("b", "X", 100_000, 10)]
    # This year the tariff is EUR 110/h; a 12 h, b 10 h and a new client c 14 h: 36 h, S1 = 396,000.
    current = [Line("a", "X", 132_000, 12), Line("b", "X", 110_000, 10), Line("c", "X", 154_000, 14)]
    g = decompose(previous, current)
    # Clients: (3 - 2) x 200,000 / 2 = 100,000.
    # Care: 36 h at last year's EUR 100/h = 360,000 minus 3 x 100,000 = 60,000.
    # Tariff: 396,000 - 360,000 = 36,000 (36 h x EUR 10).
    assert (g.clients_previous, g.clients_current) == (2, 3)
    assert g.parts == (100_000, 60_000, 36_000)
    assert g.change_cent == 196_000 == sum(g.parts)


def test_two_products_price_per_product_and_mix():
    # X: 10 h at 1,000/h; Y: 2 days at 5,000/day. S0 = 20,000, one client.
    previous = [Line("a", "X", 10_000, 10), Line("a", "Y", 10_000, 2)]
    # X: 10 h at 1,100/h (tariff +1,000); Y: 4 days at 5,000/day (more care +10,000). S1 = 31,000.
    current = [Line("a", "X", 11_000, 10), Line("a", "Y", 20_000, 4)]
    g = decompose(previous, current)
    # Q1 = 10 x 1,000 + 4 x 5,000 = 30,000; clients 0; care 30,000 - 20,000; tariff 31,000 - 30,000.
    assert g.parts == (0, 10_000, 1_000)


def test_credits_count_in_spend_and_a_client_with_net_zero_is_no_client():
    previous = [Line("a", "X", 30_000, 3), Line("b", "X", 30_000, 3)]
    # b's claim is credited in full: b is no client this year (net 0), as in the KPI "Cliënten".
    current = [Line("a", "X", 30_000, 3), Line("b", "X", 30_000, 3), Line("b", "X", -30_000, -3)]
    g = decompose(previous, current)
    assert (g.clients_previous, g.clients_current) == (2, 1)
    # Clients: -1 x 30,000; care: Q1 = 3 h x 10,000 = 30,000 - 1 x 30,000 = 0; tariff 0.
    assert g.parts == (-30_000, 0, 0)


def test_no_clients_last_year_puts_the_whole_change_under_clients():
    g = decompose([], [Line("a", "X", 12_345, 3), Line("b", "Y", 1, 1)])
    assert (g.previous_cent, g.current_cent, g.clients_previous) == (0, 12_346, 0)
    assert g.parts == (12_346, 0, 0)


def test_a_new_product_adds_care_not_tariff():
    previous = [Line("a", "X", 10_000, 10)]
    current = [Line("a", "X", 10_000, 10), Line("a", "NEW", 7_000, 1)]
    assert decompose(previous, current).parts == (0, 7_000, 0)


def test_a_group_gone_this_year():
    g = decompose([Line("a", "X", 5_000, 5), Line("b", "X", 5_000, 5)], [])
    assert g.parts == (-10_000, 0, 0) and g.change_cent == -10_000


def test_rounding_keeps_the_sum_exact():
    # S0 = 100 cents over 3 clients; N1 = 4 with the same 1 unit each at the same price.
    previous = [Line(c, "X", v, 1) for c, v in (("a", 33), ("b", 33), ("c", 34))]
    current = [Line(c, "X", 25, 1) for c in "abcd"]
    g = decompose(previous, current)
    # Exact: clients 100/3 = 33.33, care: Q1 = 4 x 100/3 = 133.33 - 4 x 100/3 = 0, tariff
    # 100 - 133.33 = -33.33. Floors 33, 0, -34 sum to -1; the missing cent goes to the largest
    # remainder (the tariff's .67).
    assert g.parts == (33, 0, -33)
    assert sum(g.parts) == g.change_cent == 0


def test_round_parts_largest_remainder():
    assert round_parts((Fraction(1, 2), Fraction(1, 2), Fraction(0))) == (1, 0, 0)
    assert round_parts((Fraction(-5, 3), Fraction(5, 3), Fraction(7))) == (-2, 2, 7)


def test_per_segment_with_a_segment_that_appears_new():
    previous = [Line("a", "X", 10_000, 10, "3"), Line("b", "X", 10_000, 10, "3")]
    current = [
        Line("a", "X", 12_000, 10, "3"),
        Line("b", "X", 12_000, 10, "3"),
        Line("c", "Z", 50_000, 5, "4"),
    ]
    found = decompose_by(previous, current, key=lambda line: line.segment)
    assert list(found) == ["3", "4"]
    assert found["3"].parts == (0, 0, 4_000)  # the price per hour rose from 1,000 to 1,200
    assert found["4"].parts == (50_000, 0, 0)  # new segment: all under clients
    whole = decompose(previous, current)
    assert sum(g.change_cent for g in found.values()) == whole.change_cent == 54_000


line = st.builds(
    Line,
    client=st.sampled_from("abcdef"),
    product=st.sampled_from("XYZ"),
    bedrag_cent=st.integers(-50_000, 200_000),
    volume=st.integers(-5, 40),
)


@given(st.lists(line, max_size=12), st.lists(line, max_size=12))
def test_parts_always_sum_to_the_change(previous, current):
    g = decompose(previous, current)
    assert (
        sum(g.parts)
        == g.change_cent
        == sum(x.bedrag_cent for x in current) - sum(x.bedrag_cent for x in previous)
    )
    for part in decompose_by(previous, current, key=lambda x: x.product).values():
        assert sum(part.parts) == part.change_cent
