"""Reader for JW325, JW317 and JW319: written messages read back to the same facts, strict mode
against the official XSDs, and errors with element path and line."""

from __future__ import annotations

import io

import pytest
from answers_support import (
    ANSWER,
    ANSWER_FULL,
    ANSWER_WHOLE,
    REFUSAL,
    REQUEST,
    UNDER_INVESTIGATION,
    WOONPLAATS,
)
from ijw_support import XSD_DIR, XSD_MISSING_REASON, xsd_available

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.reader import read_file, read_message
from jeugdregie.ijw.reader_answers import answer_kind
from jeugdregie.ijw.validation import XsdValidator
from jeugdregie.ijw.writer import to_xml

ALL = [ANSWER, ANSWER_FULL, ANSWER_WHOLE, REQUEST, REFUSAL, UNDER_INVESTIGATION, WOONPLAATS]


@pytest.mark.parametrize("msg", ALL, ids=lambda m: f"{m.kind}-{m.header.identificatie}")
def test_round_trip(msg) -> None:
    result = read_message(to_xml(msg), "answer.xml")
    assert result.errors == [] and result.message == msg and result.kind == msg.kind
    assert result.message_id == msg.header.identificatie


def test_claim_answer_lines_counted() -> None:
    result = read_message(to_xml(ANSWER), "jw325.xml")
    assert (result.lines_total, result.lines_rejected) == (2, 0)
    assert [a.afwijzingscodes for a in result.message.regels] == [("8021", "0611"), ("8017",)]


def test_strict_mode_with_the_general_validator() -> None:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    xsd = XsdValidator(XSD_DIR)  # loads the general reader's types only; the answer schemas come along
    for msg in ALL:
        assert read_message(to_xml(msg), "strict.xml", xsd=xsd).ok
    bad = to_xml(REFUSAL).replace(b"<RedenAfwijzingVerzoek>2<", b"<RedenAfwijzingVerzoek>22<")
    result = read_message(bad, "strict.xml", xsd=xsd)
    assert result.message is None
    assert {e.rule for e in result.errors} == {E.CODE_UNKNOWN, E.XSD}


def test_pipe_like_stream() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            chunk = self._inner.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    [result] = read_file(io.BufferedReader(Pipe(to_xml(REQUEST))))
    assert result.message == REQUEST


def test_answer_kind_sniffs_the_root_only() -> None:
    assert answer_kind(io.BytesIO(to_xml(ANSWER))) == "JW325"
    # A JW323 that mentions the JW325 namespace in a comment is no answer.
    text = b"<?xml version='1.0'?><!-- http://www.istandaarden.nl/ijw/3_2/jw325/schema --><a/>"
    assert answer_kind(io.BytesIO(text)) is None


def _errors(data: bytes) -> list[tuple[str, str, int | None]]:
    result = read_message(data, "bad.xml")
    assert result.message is None
    return [(e.element, e.rule, e.line) for e in result.errors]


def test_bad_return_code_and_bsn_on_their_path_and_line() -> None:
    text = to_xml(ANSWER).decode().replace("><", ">\n<")  # one element per line
    text = text.replace("<RetourCode>8021</RetourCode>", "<RetourCode>80x1</RetourCode>")
    text = text.replace("<Bsn>111222333</Bsn>", "<Bsn>111222334</Bsn>")
    lines = text.splitlines()
    code_line = lines.index("<RetourCode>80x1</RetourCode>") + 1
    bsn_line = lines.index("<Bsn>111222334</Bsn>") + 1
    assert _errors(text.encode()) == [
        (
            "/Bericht/DeclaratieAntwoord/Clienten/Client[1]/Prestaties/Prestatie[1]/RetourCodes/RetourCode[1]",
            E.CODE_UNKNOWN,
            code_line,
        ),
        ("/Bericht/DeclaratieAntwoord/Clienten/Client[2]/Bsn", E.BSN_ELFPROEF, bsn_line),
    ]


def test_missing_and_invalid_elements() -> None:
    # The writer puts the whole Bericht on line 2 (line 1 is the XML declaration).
    no_reason = to_xml(REQUEST).replace(b"<RedenVerzoek>2</RedenVerzoek>", b"")
    assert _errors(no_reason) == [("/Bericht/Client/Verzoek/RedenVerzoek", E.STRUCTURE_MISSING, 2)]
    bad_wish = to_xml(REQUEST).replace(
        b"<GewensteIngangsdatum>2024-04-01<", b"<GewensteIngangsdatum>2024-04-31<"
    )
    assert _errors(bad_wish) == [
        ("/Bericht/Client/Verzoek/NieuweProducten/NieuwProduct[1]/GewensteIngangsdatum", E.DATE_INVALID, 2)
    ]
    bad_answer = to_xml(REFUSAL).replace(b"<VerzoekAntwoord>1<", b"<VerzoekAntwoord>3<")
    assert _errors(bad_answer) == [("/Bericht/Antwoord/VerzoekAntwoord", E.CODE_UNKNOWN, 2)]
    # JW319 is sent by a municipality: an AGB code as sender is wrong.
    swapped = to_xml(REFUSAL).replace(b"<Afzender>0983<", b"<Afzender>12345678<")
    assert _errors(swapped) == [("/Bericht/Header/Afzender", E.STRUCTURE_INVALID, 2)]
    no_total = (
        to_xml(ANSWER)
        .replace(b"<TotaalToegekendBedrag>", b"<X>")
        .replace(b"</TotaalToegekendBedrag>", b"</X>")
    )
    assert ("/Bericht/DeclaratieAntwoord/TotaalToegekendBedrag", E.STRUCTURE_MISSING, 2) in _errors(no_total)


def test_malformed_answer() -> None:
    data = to_xml(REFUSAL)[:-20]
    result = read_message(data, "broken.xml")
    assert result.message is None and [e.rule for e in result.errors] == [E.XML_MALFORMED]
