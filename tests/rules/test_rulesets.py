"""Rule sets as TOML: the shipped examples and every check, with the file and key in the error."""

from decimal import Decimal

import pytest

from jeugdregie.rules.settlement import (
    DEFAULT_RULE_SET,
    DEFAULT_SOLIDARITY,
    RuleSetError,
    SolidarityCategory,
    Tier,
    default_rule_set,
    example_rule_sets,
    load_rule_set,
    parse_rule_set,
)

MINIMAL = """
name = "test"
description = "Test."
overruns = "all"
overrun_key = "production"

[[tiers]]
from = 0
factor = 1
"""


def top(lines: str) -> str:
    """MINIMAL with `lines` among the general keys (above the first [[tiers]])."""
    return MINIMAL.replace("[[tiers]]", lines + "\n\n[[tiers]]", 1)


def tiers(*pairs):
    return tuple(Tier(Decimal(a), Decimal(b)) for a, b in pairs)


def test_the_four_examples_are_shipped_and_read():
    examples = example_rule_sets()
    assert sorted(examples) == ["donut-5", "donut-staffel", "harde-plafond", "staffel"]
    read = {name: load_rule_set(path) for name, path in examples.items()}
    assert read["harde-plafond"].tiers == tiers(("0", "1"))
    assert read["harde-plafond"].overruns == "recorded"
    assert read["donut-5"].tiers == tiers(("0", "1"), ("1.00", "0"), ("1.05", "1"))
    assert read["staffel"].tiers == tiers(("0", "1"), ("0.90", "0.95"), ("1.00", "0.80"))
    assert read["donut-staffel"].tiers == tiers(("0", "1"), ("0.90", "0.95"), ("1.00", "0"), ("1.05", "0.80"))
    for name, rule_set in read.items():
        assert rule_set.name == name
        assert rule_set.description
        assert rule_set.overrun_key == "production"
        assert rule_set.fixed_keys == {}
        assert rule_set.solidarity == DEFAULT_SOLIDARITY
        assert rule_set.source == str(examples[name])
        if name != "harde-plafond":
            assert rule_set.overruns == "all"
    # only the staffel switches the tariff after the norm duration on
    assert read["staffel"].norm_duration_factor == Decimal("0.85")
    assert [n for n, r in read.items() if r.norm_duration_factor is not None] == ["staffel"]


def test_default_rule_set_is_the_hard_cap():
    assert DEFAULT_RULE_SET == "harde-plafond"
    assert default_rule_set() == load_rule_set(example_rule_sets()["harde-plafond"])


def test_minimal_rule_set_and_decimals_read_exactly():
    rule_set = parse_rule_set(top("norm_duration_factor = 0.85"), source="mem")
    assert rule_set.norm_duration_factor == Decimal("0.85")
    assert str(rule_set.norm_duration_factor) == "0.85"
    assert rule_set.source == "mem"
    assert rule_set.solidarity == DEFAULT_SOLIDARITY  # absent: the default categories


def test_norm_duration_off_by_false_and_solidarity_off_by_empty_list():
    text = top("norm_duration_factor = false\nsolidarity = []")
    rule_set = parse_rule_set(text)
    assert rule_set.norm_duration_factor is None
    assert rule_set.solidarity == ()


def test_fixed_keys_and_fixed_solidarity_shares():
    text = (
        MINIMAL.replace('"production"', '"fixed"')
        + """
[fixed_keys]
"0983" = 3
"0984" = 1

[[solidarity]]
name = "jeugdzorgplus"
segments = ["5"]
basis = "fixed"
fixed_shares = { "0983" = 0.6, "0984" = 0.4 }

[[solidarity]]
name = "wonen en dag"
segments = ["2", "3"]
basis = "clients_3y"
"""
    )
    rule_set = parse_rule_set(text)
    assert rule_set.fixed_keys == {"0983": Decimal(3), "0984": Decimal(1)}
    assert rule_set.solidarity == (
        SolidarityCategory(
            "jeugdzorgplus", ("5",), "fixed", {"0983": Decimal("0.6"), "0984": Decimal("0.4")}
        ),
        SolidarityCategory("wonen en dag", ("2", "3"), "clients_3y"),
    )


def with_tiers(*pairs) -> str:
    head = MINIMAL.split("[[tiers]]")[0]
    return head + "".join(f"\n[[tiers]]\nfrom = {a}\nfactor = {b}\n" for a, b in pairs)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("name = ", "", "geen geldige TOML"),
        (MINIMAL.replace('name = "test"', ""), "name", "ontbreekt"),
        (MINIMAL.replace('"Test."', '"  "'), "description", "niet-lege tekst"),
        (top("kleur = 1"), "kleur", "onbekende sleutel"),
        (MINIMAL.replace('"all"', '"sommige"'), "overruns", "'none', 'all', 'recorded'"),
        (MINIMAL.replace('"production"', '"inwoners"'), "overrun_key", "'population'"),
        (with_tiers(("0.1", 1)), "tiers[1].from", "bij 0 beginnen"),
        (with_tiers((0, 1), ("0.9", 1), ("0.9", 1)), "tiers[3].from", "groter zijn dan"),
        (with_tiers((0, 1), ("1.0", 1), ("0.9", 1)), "tiers[3].from", "oplopend"),
        (with_tiers((0, "1.2")), "tiers[1].factor", "boven 1"),
        (with_tiers((0, -1)), "tiers[1].factor", "niet tussen 0 en 1"),
        (with_tiers((0, '"1"')), "tiers[1].factor", "moet een getal zijn"),
        (with_tiers((0, "true")), "tiers[1].factor", "moet een getal zijn"),
        (MINIMAL.split("[[tiers]]")[0] + "tiers = []", "tiers", "niet-lege lijst"),
        (MINIMAL + "tot = 2\n", "tiers[1].tot", "alleen from en factor"),
        (top("norm_duration_factor = 1.5"), "norm_duration_factor", "niet tussen 0 en 1"),
        (MINIMAL.replace('"production"', '"fixed"'), "fixed_keys", "vaste sleutels"),
        (MINIMAL + '[fixed_keys]\n"0983" = 1\n', "fixed_keys", "alleen bij overrun_key"),
        (
            MINIMAL.replace('"production"', '"fixed"') + '[fixed_keys]\n"983" = 1\n',
            "fixed_keys.983",
            "CBS-gemeentecode",
        ),
        (
            MINIMAL.replace('"production"', '"fixed"') + '[fixed_keys]\n"0983" = 0\n',
            "fixed_keys",
            "tellen op tot nul",
        ),
        (
            MINIMAL.replace('"production"', '"fixed"') + '[fixed_keys]\n"0983" = -1\n',
            "fixed_keys.0983",
            "niet negatief",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "inwoners"\n',
            "solidarity[1].basis",
            "'clients_3y', 'claimed_3y', 'fixed'",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = ["2"]\n',
            "solidarity[1].basis",
            "ontbreekt",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = ["wonen"]\nbasis = "claimed_3y"\n',
            "solidarity[1].segments",
            "geen segmentcode",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = []\nbasis = "claimed_3y"\n',
            "solidarity[1].segments",
            "niet-lege lijst",
        ),
        (
            MINIMAL
            + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "claimed_3y"\n'
            + '[[solidarity]]\nname = "b"\nsegments = ["3", "2"]\nbasis = "claimed_3y"\n',
            "solidarity[2].segments",
            "al in categorie 'a'",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "fixed"\n',
            "solidarity[1].fixed_shares",
            "vaste aandelen",
        ),
        (
            MINIMAL
            + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "fixed"\n'
            + 'fixed_shares = { "0983" = 0.6, "0984" = 0.3 }\n',
            "solidarity[1].fixed_shares",
            "tellen op tot 0.9, niet tot 1",
        ),
        (
            MINIMAL
            + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "claimed_3y"\n'
            + 'fixed_shares = { "0983" = 1 }\n',
            "solidarity[1].fixed_shares",
            "alleen bij basis",
        ),
        (
            MINIMAL + '[[solidarity]]\nname = "a"\nsegments = ["2"]\nbasis = "claimed_3y"\nx = 1\n',
            "solidarity[1].x",
            "onbekende sleutel",
        ),
        (top("solidarity = 3"), "solidarity", "lijst"),
        (
            MINIMAL + 'overruns = "none"\n',
            "tiers[1].overruns",
            "boven de eerste [[tiers]]",
        ),
    ],
)
def test_errors_name_the_file_and_the_key(text, key, words):
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(text, source="regels/test.toml")
    message = str(info.value)
    assert message.startswith("regels/test.toml: ")
    if key:
        assert f"sleutel '{key}'" in message
    assert words in message


def test_load_names_a_missing_file(tmp_path):
    missing = tmp_path / "weg.toml"
    with pytest.raises(RuleSetError, match=r"weg\.toml: het bestand kan niet worden gelezen"):
        load_rule_set(missing)


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "eigen.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_rule_set(path).source == str(path)
    assert isinstance(RuleSetError("x"), ValueError)
