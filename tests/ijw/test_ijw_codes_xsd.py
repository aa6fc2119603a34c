"""Hard-coded code lists and versions against basisschema.xsd, and the strict XSD layer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from ijw_support import XSD_DIR, XSD_MISSING_REASON, xsd_available
from lxml import etree

from jeugdregie.ijw import codes
from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import BERICHTCODE, ClientIdentity, Header, StartProduct, StartZorg
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import SUPPORTED_KINDS, XsdValidator
from jeugdregie.ijw.writer import BASISSCHEMA_XSD_VERSIE, BERICHT_XSD_VERSIE, to_xml

XS = {"xs": "http://www.w3.org/2001/XMLSchema"}
needs_xsd = pytest.mark.skipif(not xsd_available(), reason=XSD_MISSING_REASON)

D = dt.date
START = StartZorg(
    Header("12345678", "0983", "S1", D(2024, 1, 10)),
    ClientIdentity("123456782", D(2012, 3, 4), "2"),
    (StartProduct("1001", "45", "AMB01", D(2024, 1, 1), D(2024, 1, 8)),),
)


def _xsd_enumeration(type_name: str) -> dict[str, str]:
    doc = etree.parse(str(XSD_DIR / "basisschema.xsd"))
    (simple,) = doc.xpath(f"/xs:schema/xs:simpleType[@name='{type_name}']", namespaces=XS)
    out = {}
    for enum in simple.xpath("xs:restriction/xs:enumeration", namespaces=XS):
        label = enum.findtext("xs:annotation/xs:documentation", default="", namespaces=XS)
        out[enum.get("value")] = label.strip()
    return out


@needs_xsd
@pytest.mark.parametrize("type_name", sorted(codes.CODE_LISTS))
def test_code_list_matches_basisschema(type_name: str) -> None:
    assert dict(codes.CODE_LISTS[type_name]) == _xsd_enumeration(type_name)


@needs_xsd
@pytest.mark.parametrize("kind", SUPPORTED_KINDS)
def test_versions_and_berichtcode_match_xsd(kind: str) -> None:
    doc = etree.parse(str(XSD_DIR / f"{kind}.xsd"))
    ijw = {"ijw": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema", **XS}
    appinfo = doc.xpath("/xs:schema/xs:annotation/xs:appinfo", namespaces=XS)[0]
    assert appinfo.findtext("ijw:BerichtXsdVersie", namespaces=ijw) == BERICHT_XSD_VERSIE
    assert appinfo.findtext("ijw:BasisschemaXsdVersie", namespaces=ijw) == BASISSCHEMA_XSD_VERSIE
    (pattern,) = doc.xpath(
        "//xs:complexType[@name='Header']//xs:element[@name='BerichtCode']//xs:pattern/@value", namespaces=XS
    )
    assert pattern == str(BERICHTCODE[kind])


def test_code_helpers() -> None:
    assert codes.is_known("LDT_Eenheid", "14")
    assert not codes.is_known("LDT_Eenheid", "15")
    assert codes.label("LDT_RedenBeeindiging", "32") == "Voortijdig afgesloten: eenzijdig door de client."
    assert codes.label("LDT_Geslacht", "9") is None
    assert codes.VOORTIJDIG_AFGESLOTEN.issubset(codes.REDEN_BEEINDIGING)


# ------------------------------------------------------------------ XsdValidator


@pytest.fixture(scope="module")
def xsd() -> XsdValidator:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    return XsdValidator(XSD_DIR)


def test_missing_xsd_dir(tmp_path: object) -> None:
    with pytest.raises(FileNotFoundError, match="basisschema.xsd"):
        XsdValidator(str(tmp_path))


def test_xsd_error_is_mapped(xsd: XsdValidator) -> None:
    data = etree.tostring(etree.fromstring(to_xml(START)), pretty_print=True)
    data = data.replace(b"<StatusAanlevering>1<", b"<StatusAanlevering>7<")
    errors = xsd.validate_bytes(data, "s.xml")
    assert len(errors) == 1
    error = errors[0]
    assert (error.file, error.message_id, error.element, error.rule, error.scope) == (
        "s.xml",
        "S1",
        "/Bericht/Client/StartProducten/StartProduct[1]/StatusAanlevering",
        "xsd",
        "message",
    )
    assert (
        error.line
        == data.split(b"\n").index(next(x for x in data.split(b"\n") if b"StatusAanlevering" in x)) + 1
    )
    assert error.message.startswith(
        "XSD-fout: Element '{http://www.istandaarden.nl/ijw/3_2/jw305/schema}StatusAanlevering'"
    )


def test_xsd_missing_mandatory_placeholder_element(xsd: XsdValidator) -> None:
    data = re.sub(rb"<Naam>.*</Naam>", b"", to_xml(START))
    errors = xsd.validate_bytes(data, "s.xml")
    assert [(e.element, e.rule) for e in errors] == [("/Bericht/Client/StartProducten", "xsd")]
    assert "Naam" in errors[0].message
    assert read_message(data, "s.xml").errors == []  # the project itself does not need the name


def test_xsd_never_echoes_a_bsn(xsd: XsdValidator) -> None:
    data = to_xml(START).replace(b"123456782", b"12345678")
    errors = xsd.validate_bytes(data, "s.xml")
    assert [(e.element, e.rule) for e in errors] == [("/Bericht/Client/Bsn", "xsd")]
    assert all("12345678" not in e.message for e in errors)
    assert "The value '***' is not accepted by the pattern" in errors[0].message


def test_validate_alias(xsd: XsdValidator) -> None:
    assert xsd.validate(to_xml(START), "s.xml") == []


def test_xsd_malformed_and_namespace(xsd: XsdValidator) -> None:
    assert [(e.rule, e.line) for e in xsd.validate_bytes(b"<a>\n<b>", "m.xml")] == [("xml.malformed", 2)]
    assert xsd.validate_bytes(b"<a/>", "n.xml") == [
        ValidationError(
            "n.xml",
            None,
            "/a",
            "xml.namespace",
            "onbekende namespace '': geen iJw 3.2-bericht (JW301, JW305, JW307, JW315, JW323)",
            1,
        )
    ]


def test_strict_read_rejects_message_on_xsd_error(xsd: XsdValidator) -> None:
    data = re.sub(rb"<Naam>.*</Naam>", b"", to_xml(START))
    result = read_message(data, "s.xml", xsd=xsd)
    assert result.message is None
    assert [e.rule for e in result.errors] == ["xsd"]
    assert read_message(to_xml(START), "s.xml", xsd=xsd).message == START
