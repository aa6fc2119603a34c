"""Writer for JW325 (claim answer), JW317 (change request) and JW319 (answer to a request):
output valid against the official XSDs, and the claim answer built from a claim."""

from __future__ import annotations

import pytest
from answers_support import (
    ANSWER,
    ANSWER_FULL,
    ANSWER_WHOLE,
    CLAIM,
    REFUSAL,
    REQUEST,
    UNDER_INVESTIGATION,
    WOONPLAATS,
)
from ijw_support import XSD_DIR, XSD_MISSING_REASON, xsd_available
from lxml import etree

from jeugdregie.ijw.messages import (
    BERICHTCODE,
    DeclaratieAntwoord,
    Header,
    VerzoekOmWijziging,
    claim_answer,
    message_namespace,
)
from jeugdregie.ijw.validation import XsdValidator
from jeugdregie.ijw.writer import message_filename, to_xml

ALL = [ANSWER, ANSWER_FULL, ANSWER_WHOLE, REQUEST, REFUSAL, UNDER_INVESTIGATION, WOONPLAATS]


@pytest.fixture(scope="module")
def xsd() -> XsdValidator:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    return XsdValidator(XSD_DIR, kinds=("JW317", "JW319", "JW325"))


@pytest.mark.parametrize("msg", ALL, ids=lambda m: f"{m.kind}-{m.header.identificatie}")
def test_valid_against_official_xsd(msg, xsd: XsdValidator) -> None:
    assert xsd.validate_bytes(to_xml(msg), "written.xml") == []


def test_xsd_rejects_a_bad_answer_code(xsd: XsdValidator) -> None:
    bad = to_xml(REFUSAL).replace(b"<VerzoekAntwoord>1<", b"<VerzoekAntwoord>3<")
    errors = xsd.validate_bytes(bad, "bad.xml")
    assert len(errors) == 1 and "VerzoekAntwoord" in str(errors[0])


def test_berichtcode_and_namespace() -> None:
    assert (BERICHTCODE["JW317"], BERICHTCODE["JW319"], BERICHTCODE["JW325"]) == (486, 488, 491)
    for msg in ALL:
        root = etree.fromstring(to_xml(msg))
        assert root.tag == f"{{{message_namespace(msg.kind)}}}Bericht"
        ns = {"m": message_namespace(msg.kind)}
        assert root.findtext("m:Header/m:BerichtCode", namespaces=ns) == str(BERICHTCODE[msg.kind])


def test_claim_answer_from_claim() -> None:
    # Claimed: 400 + 200 + 100 - 80 = 620 euro. Rejected: R2 (200 debit) and C1 (80 credit):
    # granted = 620 - 200 + 80 = 500 euro.
    assert CLAIM.totaal_bedrag == 62000
    assert ANSWER.totaal_ingediend == 62000 and ANSWER.totaal_toegekend == 50000
    assert ANSWER.header == Header("0983", "12345678", "A2024000001", ANSWER.header.dagtekening)
    assert (ANSWER.declaratie_identificatie, ANSWER.declaratie_nummer) == ("D2024000001", "D2024000001")
    assert [(a.prestatie.referentie_nummer, a.retourcodes, a.afgewezen) for a in ANSWER.regels] == [
        ("R2", ("8021", "0611"), True),
        ("C1", ("8017",), True),
    ]
    assert ANSWER.antwoord_retourcodes == ("0200",)
    assert ANSWER_FULL.clienten == () and ANSWER_FULL.antwoord_retourcodes == ("8001",)
    assert ANSWER_FULL.totaal_toegekend == 62000


def test_a_claim_rejected_as_a_whole_has_no_declaratie_antwoord() -> None:
    text = to_xml(ANSWER_WHOLE).decode()
    assert "DeclaratieAntwoord" not in text and "<RetourCode>0001</RetourCode>" in text
    assert ANSWER_WHOLE.geheel_afgewezen and not ANSWER.geheel_afgewezen and not ANSWER_FULL.geheel_afgewezen


def test_claim_answer_refuses_unknown_lines() -> None:
    with pytest.raises(ValueError, match="R9"):
        claim_answer(CLAIM, {"R9": ("8021",)}, identificatie="A", dagtekening=CLAIM.dagtekening)


def test_credit_total_written_as_credit() -> None:
    credit_only = DeclaratieAntwoord(ANSWER.header, "D1", CLAIM.dagtekening, "D1", -8000, 0)
    text = to_xml(credit_only).decode()
    assert "<TotaalIngediendBedrag><ijw:TotaalBedrag>8000</ijw:TotaalBedrag><ijw:DebetCredit>C<" in text
    assert message_filename(credit_only) == "JW325_0983_A2024000001.xml"


def test_request_needs_a_product() -> None:
    with pytest.raises(ValueError, match="product"):
        to_xml(VerzoekOmWijziging(REQUEST.header, REQUEST.bsn, "X", "1"))
