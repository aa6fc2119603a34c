from decimal import Decimal

import pytest

from jeugdregie.rules.ceilings import Production, compute_ceilings, index_factor, resplit
from jeugdregie.rules.money import split_largest_remainder

GROUPS = {"45N01": "A", "45N02": "A", "41N01": "D", "43N01": "W"}
INDEX = {2025: "3.60", 2026: "2.50"}


def prod(aanbieder, product, gemeente, cents, categorie="A"):
    return Production(aanbieder, categorie, product, gemeente, cents)


def test_index_factor_compounds_the_years_after_the_reference_year():
    assert index_factor(INDEX, 2024, 2026) == Decimal("1.036") * Decimal("1.025")
    assert index_factor(INDEX, 2026, 2026) == 1


def test_ceiling_per_group_with_index_adjustment_and_split_to_the_cent():
    rows = [
        prod("P1", "45N01", "0983", 100_000_00),  # EUR 100,000 Venlo
        prod("P1", "45N02", "0889", 50_000_00),  # EUR 50,000 Beesel, same group A
        prod("P1", "41N01", "0983", 33_333_33),  # group D
    ]
    ceilings, c_budget = compute_ceilings(
        rows,
        GROUPS,
        year=2026,
        reference_year=2024,
        index=INDEX,
        adjustment=lambda a, g: Decimal("-3") if g == "A" else Decimal(0),
    )
    by_group = {c.groep: c for c in ceilings}
    # A: 15,000,000 x 1.036 = 15,540,000 x 1.025 = 15,928,500 x 0.97 = 15,450,645 cents
    assert by_group["A"].bedrag_cent == 15_450_645
    # split 2:1 -> exactly 10,300,430 and 5,150,215
    assert by_group["A"].per_gemeente == {"0889": 5_150_215, "0983": 10_300_430}
    # D: 3,333,333 x 1.06190 = 3,539,666.3... -> 3,539,666
    assert by_group["D"].bedrag_cent == 3_539_666
    assert sum(by_group["A"].per_gemeente.values()) == by_group["A"].bedrag_cent
    assert c_budget == 0


def test_split_reconciles_to_the_cent_with_largest_remainder():
    assert split_largest_remainder(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert split_largest_remainder(10, {"a": 2, "b": 1, "c": 1}) == {"a": 5, "b": 3, "c": 2}
    assert split_largest_remainder(-10, {"a": 1, "b": 1, "c": 1}) == {"a": -4, "b": -3, "c": -3}
    assert split_largest_remainder(7, {"a": 0, "b": 0}) == {"a": 4, "b": 3}
    parts = split_largest_remainder(1_234_567, {str(i): i * 7 + 1 for i in range(13)})
    assert sum(parts.values()) == 1_234_567


def test_category_c_feeds_the_regional_c_budget():
    rows = [
        prod("C1", "45N01", "0983", 20_000_00, "C"),
        prod("C2", "41N01", "0889", 10_000_00, "C"),
        prod("P1", "45N01", "0983", 1_000_00),
    ]
    ceilings, c_budget = compute_ceilings(rows, GROUPS, year=2025, reference_year=2024, index=INDEX)
    assert [c.aanbieder for c in ceilings] == ["P1"]
    assert c_budget == 3_108_000  # 3,000,000 x 1.036


def test_provider_without_reference_production_gets_zero_and_a_fallback_split():
    ceilings, _ = compute_ceilings(
        [],
        GROUPS,
        year=2026,
        reference_year=2024,
        index=INDEX,
        providers=[("NEW", "B", ["W"])],
        fallback_key={"0983": 18_200, "0889": 2_350},
    )
    (ceiling,) = ceilings
    assert (ceiling.bedrag_cent, ceiling.basis, ceiling.reference_cent) == (0, "geen referentieproductie", 0)
    assert ceiling.per_gemeente == {"0983": 0, "0889": 0}
    # A manual ceiling is split by the same key: 100,000.00 over 18,200 : 2,350
    manual = resplit(100_000_00, {"0983": 18_200, "0889": 2_350})
    assert manual == {"0983": 8_856_448, "0889": 1_143_552} and sum(manual.values()) == 100_000_00


def test_a_product_moved_between_groups_counts_in_its_new_group():
    rows = [prod("P1", "41N01", "0983", 10_000_00)]
    before, _ = compute_ceilings(rows, GROUPS, year=2025, reference_year=2024, index=INDEX)
    moved, _ = compute_ceilings(rows, {**GROUPS, "41N01": "A"}, year=2025, reference_year=2024, index=INDEX)
    assert [(c.groep, c.bedrag_cent) for c in before] == [("D", 1_036_000)]
    assert [(c.groep, c.bedrag_cent) for c in moved] == [("A", 1_036_000)]


def test_unknown_product_is_an_error():
    with pytest.raises(ValueError, match="Product 99X99 hoort bij geen productgroep van 2025"):
        compute_ceilings(
            [prod("P1", "99X99", "0983", 1)], GROUPS, year=2025, reference_year=2024, index=INDEX
        )
