"""Suggested provider category from the market analysis, at its thresholds."""

import pytest

from jeugdregie.rules.category_advice import MarketPosition, advise

REGION = 100_000_000_00  # EUR 100 mln


def position(share_permille: int, segments: int = 2, before: int | None = None, nga: bool = False):
    spend = REGION * share_permille // 1000
    return MarketPosition("98000001", spend, spend if before is None else before, segments, REGION, nga)


@pytest.mark.parametrize(
    ("permille", "segments", "expected"),
    [(50, 2, "A"), (50, 1, "B"), (49, 3, "B"), (10, 1, "B"), (9, 1, "B"), (2, 1, "C"), (2, 2, "C")],
)
def test_share_and_segments(permille, segments, expected):
    # 0,9% of EUR 100 mln is EUR 900k (>= EUR 250k): B; 0,2% is EUR 200k and under 1%: C.
    assert advise(position(permille, segments)).categorie == expected


def test_micro_provider_below_both_limits_is_c():
    p = MarketPosition("x", 24_999_999, 24_999_999, 1, REGION)
    assert advise(p).categorie == "C"
    assert advise(MarketPosition("x", 25_000_000, 25_000_000, 1, REGION)).categorie == "B"


def test_growth_moves_one_step_up_from_half_the_threshold():
    before = REGION * 25 // 1000 * 100 // 125  # exactly 25% growth to 2,5%
    assert advise(position(25, 2, before=before)).categorie == "A"
    assert advise(position(25, 2, before=before + 1)).categorie == "B"  # just under 25%
    assert advise(position(24, 2, before=1)).categorie == "B"  # under half the A share
    small = MarketPosition("x", 5_000_000, 1, 1, 1_000_000_000)  # EUR 50k of EUR 10 mln: 0,5%, grown
    assert advise(small).categorie == "B"
    advice = advise(position(25, 2, before=before))
    assert advice.redenen == (
        "aandeel in de regionale uitgaven 2,5%",
        "actief in 2 segment(en)",
        "groei 25,0% op het jaar ervoor",
        "sterke groei met minstens de helft van het A-aandeel: een stap omhoog",
    )


def test_nga_is_always_c_and_an_empty_region_has_no_share():
    assert advise(position(80, 3, nga=True)).categorie == "C"
    assert MarketPosition("x", 0, 0, 0, 0).share == 0.0
