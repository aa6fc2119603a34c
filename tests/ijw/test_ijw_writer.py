"""Writer details: file names, files, refusals, escaping and speed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jeugdregie.ijw.messages import (
    ClientIdentity,
    Declaratie,
    DeclaratieClient,
    Header,
    Prestatie,
    StartProduct,
    StartZorg,
    ToegewezenProduct,
    Toewijzing,
)
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.writer import message_filename, to_xml, write_file

D = dt.date
CLIENT = ClientIdentity("123456782", D(2012, 3, 4), "2")
START = StartZorg(
    Header("12345678", "0983", "S/1 x", D(2024, 1, 10)),
    CLIENT,
    (StartProduct("1001", "45", "AMB01", D(2024, 1, 1), D(2024, 1, 8)),),
)


def claim(lines: int) -> Declaratie:
    prestaties = tuple(
        Prestatie(f"R{i}", str(1000 + i), "45", "AMB01", D(2024, 1, 1), D(2024, 1, 31), 4, "04", 9200, 36800)
        for i in range(lines)
    )
    return Declaratie(
        Header("12345678", "0983", "D2024000001", D(2024, 2, 5)),
        "D2024000001",
        D(2024, 1, 1),
        D(2024, 1, 31),
        D(2024, 2, 5),
        (DeclaratieClient("123456782", prestaties),),
    )


def test_message_filename() -> None:
    assert message_filename(claim(1)) == "JW323_12345678_D2024000001.xml"
    assert message_filename(START) == "JW305_12345678_S_1_x.xml"


def test_write_file_to_dir_and_path(tmp_path: Path) -> None:
    written = write_file(claim(2), tmp_path)
    assert written == tmp_path / "JW323_12345678_D2024000001.xml"
    assert written.read_bytes() == to_xml(claim(2))
    explicit = write_file(START, tmp_path / "start.xml")
    assert explicit == tmp_path / "start.xml" and explicit.read_bytes() == to_xml(START)


def test_refuses_impossible_messages() -> None:
    with pytest.raises(ValueError, match="ToegewezenProduct"):
        to_xml(Toewijzing(Header("0983", "12345678", "T", D(2024, 1, 1)), CLIENT, ()))
    with pytest.raises(ValueError, match="Client"):
        to_xml(Declaratie(START.header, "D1", D(2024, 1, 1), D(2024, 1, 31), D(2024, 2, 1)))
    with pytest.raises(ValueError, match="product_code zonder product_categorie"):
        to_xml(StartZorg(START.header, CLIENT, (StartProduct("1", None, "X", D(2024, 1, 1), D(2024, 1, 1)),)))
    with pytest.raises(ValueError, match="XML 1.0"):
        to_xml(StartZorg(Header("12345678", "0983", "S\x01", D(2024, 1, 1)), CLIENT, START.producten))
    with pytest.raises(TypeError):
        to_xml("not a message")  # type: ignore[arg-type]


def test_escaping_round_trips() -> None:
    product = ToegewezenProduct(
        "7", None, None, D(2024, 1, 1), D(2024, 1, 1), referentie_aanbieder="A&B <c> \"d\" 'e' ]]>"
    )
    msg = Toewijzing(Header("0983", "12345678", "T&1", D(2024, 1, 1)), CLIENT, (product,))
    data = to_xml(msg)
    assert b"A&amp;B &lt;c&gt;" in data
    assert read_message(data, "e.xml").message == msg
