"""BSN 11-proef, pseudonyms and redaction of quarantined payloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ijw_support import MESSAGES, XSD_DIR, XSD_MISSING_REASON, xsd_available
from lxml import etree

from jeugdregie.ijw.bsn import generate_bsn, is_valid_bsn
from jeugdregie.ijw.messages import (
    ClientIdentity,
    Header,
    Message,
    StartProduct,
    StartZorg,
    ToegewezenProduct,
    Toewijzing,
)
from jeugdregie.ijw.pseudonym import client_key, is_pseudonymised, pseudonymise, redact_payload
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import XsdValidator
from jeugdregie.ijw.writer import to_xml

KEY = b"secret"
BSN = "123456782"
NINE_DIGITS = re.compile(rb"(?<![0-9])[0-9]{9}(?![0-9])")

# ------------------------------------------------------------------ BSN


@pytest.mark.parametrize("bsn", ["123456782", "111222333", "999999990", "010000008"])
def test_valid_bsn(bsn: str) -> None:
    assert is_valid_bsn(bsn) is True


@pytest.mark.parametrize(
    "bsn", ["123456789", "000000000", "12345678", "1234567820", "12345678a", " 23456782", "١٢٣٤٥٦٧٨٢", ""]
)
def test_invalid_bsn(bsn: str) -> None:
    assert is_valid_bsn(bsn) is False


def test_non_string_is_invalid() -> None:
    assert is_valid_bsn(123456782) is False  # type: ignore[arg-type]


@given(st.randoms(use_true_random=False))
def test_generated_bsn_is_valid(rng: random.Random) -> None:
    bsn = generate_bsn(rng)
    assert len(bsn) == 9 and bsn[0] != "0"
    assert is_valid_bsn(bsn)


def test_generate_bsn_is_deterministic() -> None:
    assert [generate_bsn(random.Random(7)) for _ in range(3)] == [generate_bsn(random.Random(7))] * 3


@given(st.randoms(use_true_random=False), st.integers(0, 8), st.integers(1, 9))
def test_one_changed_digit_fails_elfproef(rng: random.Random, pos: int, delta: int) -> None:
    bsn = generate_bsn(rng)
    changed = bsn[:pos] + str((int(bsn[pos]) + delta) % 10) + bsn[pos + 1 :]
    assert not is_valid_bsn(changed)


# ------------------------------------------------------------------ pseudonyms


def test_pseudonym_is_hex_hmac_sha256() -> None:
    expected = hmac.new(KEY, BSN.encode(), hashlib.sha256).hexdigest()
    assert pseudonymise(BSN, KEY) == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert pseudonymise(BSN, b"other") != expected


def test_pseudonym_needs_key() -> None:
    with pytest.raises(ValueError, match="sleutel"):
        pseudonymise(BSN, b"")


def test_client_key_and_marker() -> None:
    marker = "P:" + pseudonymise(BSN, KEY)
    assert is_pseudonymised(marker)
    assert not is_pseudonymised(BSN)
    assert not is_pseudonymised("P:" + "A" * 64)  # upper case is not what we write
    assert not is_pseudonymised("P:abc")
    assert client_key(BSN, KEY) == pseudonymise(BSN, KEY)
    assert client_key(marker, KEY) == pseudonymise(BSN, KEY)


# ------------------------------------------------------------------ redaction

D = dt.date
START = StartZorg(
    Header("12345678", "0983", "S1", D(2024, 1, 10)),
    ClientIdentity(BSN, D(2012, 3, 4), "2"),
    (StartProduct("1001", "45", "AMB01", D(2024, 1, 1), D(2024, 1, 8)),),
)
ADDRESS = (
    b"<Contact><Soort>01</Soort><Adres><ijw:Huis><ijw:Huisnummer>12</ijw:Huisnummer></ijw:Huis>"
    b"<ijw:Postcode>5911AB</ijw:Postcode><ijw:Straatnaam>Kerkstraat</ijw:Straatnaam>"
    b"<ijw:Plaatsnaam>Venlo</ijw:Plaatsnaam></Adres>"
    b"<Telefoon><ijw:Telefoon01><ijw:Telefoonnummer>0612345678</ijw:Telefoonnummer>"
    b"<ijw:Landnummer>0031</ijw:Landnummer></ijw:Telefoon01></Telefoon>"
    b"<Emailadres>jan@example.nl</Emailadres></Contact>"
)
PERSONAL = [b"Jansen", b"Kerkstraat", b"Venlo", b"5911AB", b"0612345678", b"jan@example.nl", b"Onbekend"]


def written_jw301_with_personal_data() -> bytes:
    msg = Toewijzing(
        Header("0983", "12345678", "T1", D(2024, 1, 1)),
        START.client,
        (ToegewezenProduct("1001", "45", "AMB01", D(2024, 1, 1), D(2024, 1, 1)),),
    )
    data = to_xml(msg)
    data = data.replace(b"<Contact><Soort>01</Soort></Contact>", ADDRESS)
    data = data.replace(
        b"<ijw:Achternaam>Onbekend</ijw:Achternaam>", b"<ijw:Achternaam>Jansen</ijw:Achternaam>"
    )
    data = data.replace(b"<ijw:NaamGebruik>", b"<ijw:Voorletters>J</ijw:Voorletters><ijw:NaamGebruik>")
    return data.replace(b"</Naam>", b"</Naam><Commentaar>Onbekend adres bij Jansen</Commentaar>", 1)


def test_redact_well_formed_payload() -> None:
    data = written_jw301_with_personal_data()
    assert b"Jansen" in data and BSN.encode() in data
    redacted = redact_payload(data, KEY)
    assert BSN.encode() not in redacted
    assert NINE_DIGITS.search(redacted) is None
    for word in PERSONAL:
        assert word not in redacted
    root = etree.fromstring(redacted)
    ns = {"m": "http://www.istandaarden.nl/ijw/3_2/jw301/schema"}
    assert root.findtext("m:Client/m:Bsn", namespaces=ns) == "P:" + pseudonymise(BSN, KEY)
    assert root.find("m:Client/m:Naam", namespaces=ns) is not None  # structure kept, text gone
    assert "".join(root.find("m:Client/m:Naam", namespaces=ns).itertext()) == ""
    # facts survive: the redacted payload reads back as the same message with a pseudonymised client
    result = read_message(redacted, "q.xml")
    assert result.errors == []
    original = read_message(data, "o.xml").message
    assert isinstance(original, Toewijzing) and isinstance(result.message, Toewijzing)
    assert result.message.client.bsn == "P:" + pseudonymise(BSN, KEY)
    assert result.message.producten == original.producten
    assert redact_payload(redacted, KEY) == redacted  # idempotent


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(sorted(MESSAGES)).flatmap(lambda k: MESSAGES[k]))
def test_redacted_messages_read_back_with_same_facts(msg: Message) -> None:
    redacted = redact_payload(to_xml(msg), KEY)
    result = read_message(redacted, "q.xml")
    assert result.errors == []
    assert result.message is not None and result.message.header == msg.header
    for bsn in re.findall(rb"<Bsn>([^<]*)</Bsn>", to_xml(msg)):
        assert bsn not in re.findall(rb"<Bsn>([^<]*)</Bsn>", redacted)


def test_redacted_payload_passes_strict_xsd() -> None:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    xsd = XsdValidator(XSD_DIR)
    redacted = redact_payload(written_jw301_with_personal_data(), KEY)
    assert xsd.validate_bytes(redacted, "q.xml") == []
    result = read_message(redacted, "q.xml", xsd=xsd)
    assert result.errors == [] and result.message is not None


def test_redact_malformed_payload_by_regex() -> None:
    data = written_jw301_with_personal_data()
    cut = data[: data.index(b"Kerkstraat") + 4]  # cut off inside the address
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(cut)
    redacted = redact_payload(cut, KEY)
    assert BSN.encode() not in redacted
    assert ("P:" + pseudonymise(BSN, KEY)).encode() in redacted
    for word in [b"Jansen", b"Kerk", b"Onbekend adres"]:
        assert word not in redacted
    assert b"<Header>" in redacted  # the rest is kept for diagnosis


def test_redact_malformed_keeps_existing_pseudonyms_and_hides_every_nine_digit_run() -> None:
    marker = "P:" + "1234567890" * 6 + "abcd"
    data = f"<Bericht><Bsn>{marker}</Bsn><X>999999990</X><Y>1234567890</Y><ijw:Naam>Piet".encode()
    redacted = redact_payload(data, KEY)
    assert marker.encode() in redacted
    assert b"999999990" not in redacted and ("P:" + pseudonymise("999999990", KEY)).encode() in redacted
    assert b"1234567890" in redacted  # a 10-digit run is not a BSN
    assert b"Piet" not in redacted and redacted.endswith(b"<ijw:Naam></ijw:Naam>")


def test_redact_needs_key() -> None:
    with pytest.raises(ValueError):
        redact_payload(to_xml(START), b"")
