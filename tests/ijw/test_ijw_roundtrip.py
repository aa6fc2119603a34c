"""Property-based round trip: dataclass -> to_xml -> reader gives the same facts, and every
written message is valid against the official XSDs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ijw_support import MESSAGES, XSD_DIR, XSD_MISSING_REASON, xsd_available
from lxml import etree

from jeugdregie.ijw.messages import Message
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import XsdValidator
from jeugdregie.ijw.writer import to_xml

KINDS = sorted(MESSAGES)
SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def xsd() -> XsdValidator:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    return XsdValidator(XSD_DIR)


def _roundtrip(msg: Message) -> None:
    data = to_xml(msg)
    result = read_message(data, "roundtrip.xml")
    assert result.errors == []
    assert result.kind == msg.kind
    assert result.message_id == msg.header.identificatie
    assert result.message == msg
    assert result.ok


@pytest.mark.parametrize("kind", KINDS)
def test_roundtrip(kind: str) -> None:
    @SETTINGS
    @given(MESSAGES[kind])
    def check(msg: Message) -> None:
        _roundtrip(msg)

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_written_messages_validate_against_official_xsd(kind: str, xsd: XsdValidator) -> None:
    @SETTINGS
    @given(MESSAGES[kind])
    def check(msg: Message) -> None:
        errors = xsd.validate_bytes(to_xml(msg), "written.xml")
        assert errors == []

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_strict_read_of_written_messages(kind: str, xsd: XsdValidator) -> None:
    @settings(deadline=None, max_examples=25)
    @given(MESSAGES[kind])
    def check(msg: Message) -> None:
        result = read_message(to_xml(msg), "strict.xml", xsd=xsd)
        assert result.errors == []
        assert result.message == msg

    check()


@settings(deadline=None, max_examples=50)
@given(st.sampled_from(KINDS).flatmap(lambda k: MESSAGES[k]))
def test_written_xml_declares_utf8_and_message_namespace(msg: Message) -> None:
    data = to_xml(msg)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = etree.fromstring(data)
    assert root.tag == f"{{http://www.istandaarden.nl/ijw/3_2/{msg.kind.lower()}/schema}}Bericht"
    assert root.nsmap == {
        None: f"http://www.istandaarden.nl/ijw/3_2/{msg.kind.lower()}/schema",
        "ijw": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
    }
