"""Solidarity between municipalities (SYSTEM.md section 11), worked by hand."""

from decimal import Decimal

import pytest

from jeugdregie.rules.settlement import (
    DEFAULT_SOLIDARITY,
    SolidarityCategory,
    SolidarityRow,
    solidarity_rows,
    solidarity_shares,
)

SEGMENT_2 = SolidarityCategory("segment 2", ("2",), "claimed_3y")


def test_shares_by_three_year_average_claims_and_the_statement():
    # the example in docs/settlement.md: Venlo, Venray and Beesel claimed on average
    # EUR 60,000, 30,000 and 10,000 a year; this year they cost 50,000, 40,000 and 5,000.
    shares = solidarity_shares(SEGMENT_2, {"0983": 6_000_000, "0984": 3_000_000, "0889": 1_000_000})
    assert shares == {"0983": Decimal("0.6"), "0984": Decimal("0.3"), "0889": Decimal("0.1")}
    rows = solidarity_rows({"0983": 5_000_000, "0984": 4_000_000, "0889": 500_000}, shares)
    assert rows == [
        SolidarityRow("0889", Decimal("0.1"), 500_000, 950_000, 450_000),
        SolidarityRow("0983", Decimal("0.6"), 5_000_000, 5_700_000, 700_000),
        SolidarityRow("0984", Decimal("0.3"), 4_000_000, 2_850_000, -1_150_000),
    ]
    assert sum(r.balance_cents for r in rows) == 0


def test_shares_by_average_youths_in_care_are_rounded_to_sum_to_one():
    category = SolidarityCategory("segment 3", ("3",), "clients_3y")
    shares = solidarity_shares(category, {"0983": Decimal("10.5"), "0984": 10, "0889": 11})
    # 10.5 / 31.5, 10 / 31.5, 11 / 31.5 = 1/3, 0.31746.., 0.34920..
    assert shares == {
        "0983": Decimal("0.333333333333"),
        "0984": Decimal("0.317460317460"),
        "0889": Decimal("0.349206349207"),
    }
    assert sum(shares.values()) == 1


def test_equal_shares_split_the_left_cents_by_largest_remainder():
    category = SolidarityCategory("vervoer", ("vervoer",), "clients_3y")
    shares = solidarity_shares(category, {"0983": 1, "0984": 1, "0889": 1})
    assert shares == {
        "0983": Decimal("0.333333333334"),
        "0984": Decimal("0.333333333333"),
        "0889": Decimal("0.333333333333"),
    }
    rows = solidarity_rows({"0983": 100_000, "0984": 50_000}, shares)
    # cost 150,000: 50,000.0000001 / 49,999.99999995 twice -> floors 50,000, 49,999, 49,999;
    # the two cents left go to the larger remainders
    assert [(r.cbs, r.contribution_cents, r.balance_cents) for r in rows] == [
        ("0889", 50_000, 50_000),
        ("0983", 50_000, -50_000),
        ("0984", 50_000, 0),
    ]


def test_fixed_shares_ignore_the_basis_values():
    category = SolidarityCategory(
        "jeugdzorgplus", ("5",), "fixed", {"0983": Decimal("0.75"), "0984": Decimal("0.25")}
    )
    assert solidarity_shares(category, {"0983": 1}) == {
        "0983": Decimal("0.75"),
        "0984": Decimal("0.25"),
    }
    with pytest.raises(ValueError, match="vaste aandelen"):
        solidarity_shares(SolidarityCategory("x", ("5",), "fixed"), {})


def test_municipality_with_cost_but_no_share_and_share_but_no_cost():
    rows = solidarity_rows({"0983": 1_000, "0889": 300}, {"0983": Decimal("0.5"), "0984": Decimal("0.5")})
    assert rows == [
        SolidarityRow("0889", Decimal(0), 300, 0, -300),
        SolidarityRow("0983", Decimal("0.5"), 1_000, 650, -350),
        SolidarityRow("0984", Decimal("0.5"), 0, 650, 650),
    ]


def test_zero_cost_gives_zero_contributions():
    rows = solidarity_rows({}, {"0983": Decimal(1)})
    assert rows == [SolidarityRow("0983", Decimal(1), 0, 0, 0)]


def test_invalid_bases_are_refused():
    with pytest.raises(ValueError, match="nul"):
        solidarity_shares(SEGMENT_2, {"0983": 0, "0984": 0})
    with pytest.raises(ValueError, match="nul"):
        solidarity_shares(SEGMENT_2, {})
    with pytest.raises(ValueError, match="negatief"):
        solidarity_shares(SEGMENT_2, {"0983": -1, "0984": 5})
    with pytest.raises(ValueError, match="negatief"):
        solidarity_rows({"0983": 1}, {"0983": Decimal(-1), "0984": Decimal(2)})
    with pytest.raises(ValueError, match="nul"):
        solidarity_rows({"0983": 1}, {"0983": Decimal(0)})


def test_default_categories_are_segments_2_3_4_and_transport_on_claims():
    assert [(c.name, c.segments, c.basis) for c in DEFAULT_SOLIDARITY] == [
        ("segment 2", ("2",), "claimed_3y"),
        ("segment 3", ("3",), "claimed_3y"),
        ("segment 4", ("4",), "claimed_3y"),
        ("vervoer", ("vervoer",), "claimed_3y"),
    ]
