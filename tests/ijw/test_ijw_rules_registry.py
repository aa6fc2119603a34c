"""The registry of official iJw rules: complete for the rules issue 10 lists, consistent with the
internal codes, and the same in docs/ijw.md."""

from __future__ import annotations

from pathlib import Path

from jeugdregie.ijw import errors as E
from jeugdregie.ijw import trrules
from jeugdregie.ijw.errors import ValidationError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ijw.md"
REQUIRED = [
    "TR056",
    "TR063",
    "TR071",
    "TR074",
    "TR101",
    "TR134",
    "TR135",
    "TR137",
    "TR302",
    "TR304",
    "TR307",
    "TR308",
    "TR314",
    "TR315",
    "TR316",
    "TR318",
    "TR319",
    "TR321",
    "TR322",
    "TR323",
    "TR326",
    "TR332",
    "TR335",
    "TR338",
    "TR339",
    "TR340",
    "TR341",
    "TR346",
    "TR358",
]


def test_every_required_rule_is_registered_with_its_return_code():
    assert set(REQUIRED) <= set(trrules.RULES)
    assert trrules.retourcode("TR319") == "9319"
    assert trrules.retourcode("TR314") == "8021"
    assert trrules.retourcode("TR323") == "8017"
    assert trrules.retourcode("TR346") == "9346"
    assert trrules.retourcode("TR135") == "8848"
    assert trrules.retourcode("TR999") is None
    assert {r.code for r in trrules.RULES.values() if r.niveau == "bericht"} >= {"TR101", "TR134", "TR358"}
    assert all(r.retourcode == "0001" for r in trrules.RULES.values() if r.niveau == "bericht")


def test_rules_not_rejected_say_why():
    for rule in trrules.RULES.values():
        assert rule.afhandeling in ("ingest", "validatie", "datakwaliteit", "niet controleerbaar")
        assert rule.toelichting and rule.tekst
    assert trrules.RULES["TR318"].afhandeling == "datakwaliteit"
    assert trrules.RULES["TR135"].afhandeling == "niet controleerbaar"


def test_internal_codes_map_to_registered_rules():
    for code, tr in E.TR_BY_RULE.items():
        assert code in E.RULES and tr in trrules.RULES
    for code, trs in E.TR_BY_PLACE.items():
        assert code in E.RULES and set(trs) <= set(trrules.RULES)


def test_error_carries_rule_and_return_code():
    late = ValidationError("d.xml", "D4", "/Bericht/x", E.DATE_OUTSIDE_PERIOD, "te laat")
    assert (late.tr, late.retourcode) == ("TR319", "9319")
    assert str(late) == "d.xml: bericht D4: /Bericht/x: TR319 / 9319 (date.outside_period): te laat"
    named = ValidationError("d.xml", "D4", "/x", E.CLAIM_OUTSIDE_ALLOCATION, "buiten", tr="TR308")
    assert (named.tr, named.retourcode) == ("TR308", "9308")
    xsd = ValidationError("d.xml", None, "/", E.XSD, "XSD-fout")
    assert (xsd.tr, xsd.retourcode, xsd.official) == (None, "0001", "xsd / 0001")
    own = ValidationError("d.xml", None, "/", "party.unknown_municipality", "niet van de regio")
    assert (own.tr, own.retourcode, own.official) == (None, None, "party.unknown_municipality")


def test_docs_show_both_tables_as_the_code_has_them():
    text = DOCS.read_text(encoding="utf-8")
    assert trrules.markdown_table() in text
    assert E.markdown_table() in text
