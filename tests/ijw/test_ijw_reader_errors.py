"""Hand-made bad inputs: every one gives the documented rule code, element, scope and line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from lxml import etree

from jeugdregie.ijw.errors import ValidationError
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
from jeugdregie.ijw.pseudonym import pseudonymise
from jeugdregie.ijw.reader import ReadResult, read_bytes, read_file, read_message
from jeugdregie.ijw.writer import to_xml

D = dt.date
F = "t.xml"
NS305 = "http://www.istandaarden.nl/ijw/3_2/jw305/schema"
C1 = "/Bericht/Declaratie/Clienten/Client[1]"
C2 = "/Bericht/Declaratie/Clienten/Client[2]"


def _line(ref: str, nr: str, vol: int, tarief: int | None, bedrag: int, dc: str = "D") -> Prestatie:
    return Prestatie(ref, nr, "45", "AMB01", D(2024, 1, 1), D(2024, 1, 31), vol, "04", tarief, bedrag, dc)


DECL = Declaratie(
    Header("12345678", "0983", "D2024-01", D(2024, 2, 5)),
    "D202401",
    D(2024, 1, 1),
    D(2024, 1, 31),
    D(2024, 2, 5),
    (
        DeclaratieClient(
            "123456782", (_line("R1", "1001", 10, 9200, 92000), _line("R2", "1001", 5, 9200, 46000))
        ),
        DeclaratieClient(
            "111222333", (_line("R3", "1002", 2, 7200, 14400), _line("R0", "1002", 1, 7200, 7200, "C"))
        ),
    ),
)
CLIENT = ClientIdentity("123456782", D(2012, 3, 4), "2")
START = StartZorg(
    Header("12345678", "0983", "S1", D(2024, 1, 10)),
    CLIENT,
    (StartProduct("1001", "45", "AMB01", D(2024, 1, 1), D(2024, 1, 8)),),
)
TOEW = Toewijzing(
    Header("0983", "12345678", "T1", D(2024, 1, 1)),
    CLIENT,
    (ToegewezenProduct("1001", "45", "AMB01", D(2023, 12, 20), D(2024, 1, 1), D(2024, 12, 31)),),
)


def pretty(msg: object) -> bytes:
    """Written message, pretty printed so that every element has its own line."""
    root = etree.fromstring(to_xml(msg))  # type: ignore[arg-type]
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _xpath(path: str) -> str:
    steps = []
    for step in path.strip("/").split("/"):
        name, _, index = step.partition("[")
        steps.append(f"*[local-name()='{name}']" + (f"[{index}" if index else ""))
    return "/" + "/".join(steps)


def edit(data: bytes, path: str, text: str | None = None, *, remove: bool = False) -> bytes:
    """Change the text of (or remove) the element at a namespace-free path; keeps the layout."""
    root = etree.fromstring(data)
    (el,) = root.getroottree().xpath(_xpath(path))
    if remove:
        el.getparent().remove(el)
    else:
        el.text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def line_of(data: bytes, path: str) -> int:
    (el,) = etree.fromstring(data).getroottree().xpath(_xpath(path))
    return el.sourceline


def refs(result: ReadResult) -> list[list[str]]:
    assert isinstance(result.message, Declaratie)
    return [[p.referentie_nummer for p in c.prestaties] for c in result.message.clienten]


# ------------------------------------------------------------------ layer a: XML


def test_malformed_xml() -> None:
    data = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Bericht xmlns="{NS305}">\n<Header>\n</Bericht>\n'.encode()
    )
    result = read_message(data, F)
    assert result.message is None
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.file, error.message_id, error.element, error.rule, error.line, error.scope) == (
        F,
        None,
        "/Bericht/Header",
        "xml.malformed",
        4,
        "message",
    )
    assert error.message.startswith("geen goed gevormde XML (regel 4): ")


def test_not_xml_at_all() -> None:
    result = read_message(b"%PDF-1.4 binary", F)
    assert [(e.rule, e.element, e.scope) for e in result.errors] == [("xml.malformed", "/", "message")]
    assert result.message is None


def test_malformed_beats_foreign_namespace() -> None:
    result = read_message(b"<a>\n<b></a>", F)
    assert [(e.rule, e.element, e.line) for e in result.errors] == [("xml.malformed", "/a/b", 2)]


def test_file_cut_off_halfway() -> None:
    data = pretty(DECL)
    cut = data[: len(data) // 2]
    result = read_message(cut, F)
    assert result.message is None
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.rule == "xml.malformed"
    assert error.message_id == "D2024-01"  # the header was read before the cut
    assert error.line == cut.count(b"\n") + 1  # the last (partial) line
    assert error.element.startswith(f"{C1}/Prestaties/Prestatie/".replace("[1]", ""))
    assert error.scope == "message"


def test_wrong_namespace() -> None:
    data = to_xml(START).replace(NS305.encode(), b"urn:example:other")
    assert read_message(data, F).errors == [
        ValidationError(
            F,
            None,
            "/Bericht",
            "xml.namespace",
            "onbekende namespace 'urn:example:other': geen iJw 3.2-bericht (JW301, JW305, JW307, JW315, JW323)",
            2,
        )
    ]


def test_unsupported_ijw_message_type() -> None:
    data = to_xml(START).replace(b"jw305/schema", b"jw306/schema")
    result = read_message(data, F)
    assert result.message is None
    assert [(e.rule, e.message) for e in result.errors] == [
        ("xml.namespace", "berichttype JW306 wordt niet verwerkt (alleen JW301, JW305, JW307, JW315, JW323)")
    ]


def test_element_in_wrong_namespace() -> None:
    data = to_xml(START).replace(b"ijw:Identificatie", b"Identificatie")
    result = read_message(data, F)
    assert result.message is None
    assert [(e.element, e.rule) for e in result.errors] == [
        ("/Bericht/Header/BerichtIdentificatie/Identificatie", "xml.namespace")
    ]
    assert result.errors[0].message == (
        f"Identificatie staat in namespace {NS305}, verwacht http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
    )


# ------------------------------------------------------------------ layer b: structure and codes


def test_impossible_date_rejects_only_that_claim_line() -> None:
    path = f"{C2}/Prestaties/Prestatie[1]/ProductPeriode/Einddatum"
    data = edit(pretty(DECL), path, "2027-06-31")
    result = read_message(data, F)
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            path,
            "date.invalid",
            "Einddatum '2027-06-31' is geen bestaande datum (JJJJ-MM-DD)",
            line_of(data, path),
            "line",
            "R3",
        )
    ]
    assert refs(result) == [["R1", "R2"], ["R0"]]
    assert (result.lines_total, result.lines_rejected) == (4, 1)


def test_impossible_date_in_allocation_rejects_message() -> None:
    path = "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[1]/Ingangsdatum"
    data = edit(pretty(TOEW), path, "2027-06-31")
    result = read_message(data, F)
    assert result.message is None
    assert result.errors == [
        ValidationError(
            F,
            "T1",
            path,
            "date.invalid",
            "Ingangsdatum '2027-06-31' is geen bestaande datum (JJJJ-MM-DD)",
            line_of(data, path),
        )
    ]


@pytest.mark.parametrize("value", ["2024-1-01", "01-01-2024", "2024-01-01Z", "20240101"])
def test_date_format(value: str) -> None:
    path = "/Bericht/Header/BerichtIdentificatie/Dagtekening"
    result = read_message(edit(to_xml(START), path, value), F)
    assert [(e.element, e.rule) for e in result.errors] == [(path, "date.invalid")]


def test_missing_element_in_claim_line() -> None:
    path = f"{C1}/Prestaties/Prestatie[2]/ToewijzingNummer"
    data = edit(pretty(DECL), path, remove=True)
    result = read_message(data, F)
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            path,
            "structure.missing",
            "verplicht element ToewijzingNummer ontbreekt",
            line_of(data, f"{C1}/Prestaties/Prestatie[2]"),
            "line",
            "R2",
        )
    ]
    assert refs(result) == [["R1"], ["R3", "R0"]]


def test_unknown_code_in_claim_line() -> None:
    path = f"{C1}/Prestaties/Prestatie[1]/Eenheid"
    data = edit(pretty(DECL), path, "05")
    result = read_message(data, F)
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            path,
            "code.unknown",
            "Eenheid '05' komt niet voor in codelijst LDT_Eenheid",
            line_of(data, path),
            "line",
            "R1",
        )
    ]


def test_unknown_code_in_allocation_rejects_message() -> None:
    msg = Toewijzing(TOEW.header, CLIENT, (TOEW.producten[0],) * 2)
    path = "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[2]/Product/Categorie"
    result = read_message(edit(to_xml(msg), path, "99"), F)
    assert result.message is None
    assert [(e.element, e.rule, e.message, e.scope) for e in result.errors] == [
        (path, "code.unknown", "Categorie '99' komt niet voor in codelijst LDT_ProductCategorie", "message")
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("/Bericht/Header/Afzender", "1234567", "Afzender '1234567' is geen AGB-code van 8 cijfers"),
        ("/Bericht/Header/Ontvanger", "983", "Ontvanger '983' is geen gemeentecode van 4 cijfers"),
        ("/Bericht/Header/BerichtCode", "436", "BerichtCode 436 hoort niet bij JW305 (verwacht 438)"),
        ("/Bericht/Header/BerichtSubversie", "1", "BerichtSubversie 1 hoort niet bij iJw 3.2 (verwacht 2)"),
        (
            "/Bericht/Client/StartProducten/StartProduct[1]/ToewijzingNummer",
            "1000000000",
            "ToewijzingNummer 1000000000 ligt niet tussen 0 en 999999999",
        ),
        (
            "/Bericht/Client/StartProducten/StartProduct[1]/ToewijzingNummer",
            "12a",
            "ToewijzingNummer '12a' is geen geheel getal",
        ),
    ],
)
def test_structure_invalid(path: str, value: str, message: str) -> None:
    result = read_message(edit(to_xml(START), path, value), F)
    assert result.message is None
    assert [(e.element, e.rule, e.message) for e in result.errors] == [(path, "structure.invalid", message)]


def test_allocation_in_gemeente_to_provider_direction() -> None:
    result = read_message(edit(to_xml(TOEW), "/Bericht/Header/Afzender", "12345678"), F)
    assert [(e.rule, e.message) for e in result.errors] == [
        ("structure.invalid", "Afzender '12345678' is geen gemeentecode van 4 cijfers")
    ]


def test_empty_required_element() -> None:
    path = "/Bericht/Client/Geslacht"
    result = read_message(edit(to_xml(START), path, ""), F)
    assert [(e.element, e.rule, e.message) for e in result.errors] == [
        (path, "structure.missing", "element Geslacht is leeg")
    ]


def test_toewijzing_nummer_is_canonical() -> None:
    path = "/Bericht/Client/StartProducten/StartProduct[1]/ToewijzingNummer"
    result = read_message(edit(to_xml(START), path, "0001001"), F)
    assert result.errors == []
    assert isinstance(result.message, StartZorg)
    assert result.message.producten[0].toewijzing_nummer == "1001"


def test_client_without_prestaties_is_client_level() -> None:
    data = edit(pretty(DECL), f"{C1}/Prestaties/Prestatie[1]", remove=True)
    data = edit(data, f"{C1}/Prestaties/Prestatie[1]", remove=True)
    data = edit(data, "/Bericht/Declaratie/TotaalIngediendBedrag/TotaalBedrag", "7200")
    result = read_message(data, F)
    assert [(e.element, e.rule, e.scope) for e in result.errors] == [
        (f"{C1}/Prestaties/Prestatie", "structure.missing", "client")
    ]
    assert refs(result) == [["R3", "R0"]]


# ------------------------------------------------------------------ layer d: business rules


def test_bsn_failing_elfproef_rejects_start_message() -> None:
    data = pretty(START).replace(b"123456782", b"123456789")
    result = read_message(data, F)
    assert result.message is None
    assert result.errors == [
        ValidationError(
            F,
            "S1",
            "/Bericht/Client/Bsn",
            "bsn.elfproef",
            "Bsn voldoet niet aan de elfproef",
            line_of(data, "/Bericht/Client/Bsn"),
        )
    ]
    assert "123456789" not in str(result.errors[0])


def test_bsn_failing_elfproef_rejects_that_clients_lines() -> None:
    data = pretty(DECL).replace(b"111222333", b"111222334")
    result = read_message(data, F)
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            f"{C2}/Bsn",
            "bsn.elfproef",
            "Bsn voldoet niet aan de elfproef",
            line_of(data, f"{C2}/Bsn"),
            "client",
        )
    ]
    assert refs(result) == [["R1", "R2"]]
    assert (result.lines_total, result.lines_rejected) == (4, 2)


def test_bsn_wrong_length() -> None:
    result = read_message(to_xml(START).replace(b"123456782", b"12345678"), F)
    assert [(e.element, e.rule, e.message) for e in result.errors] == [
        ("/Bericht/Client/Bsn", "structure.invalid", "Bsn moet uit precies 9 cijfers bestaan")
    ]


def test_pseudonymised_bsn_is_accepted() -> None:
    marker = "P:" + pseudonymise("123456782", b"k")
    result = read_message(to_xml(START).replace(b"123456782", marker.encode()), F)
    assert result.errors == []
    assert isinstance(result.message, StartZorg)
    assert result.message.client.bsn == marker


def test_amount_not_volume_times_tariff() -> None:
    path = f"{C1}/Prestaties/Prestatie[2]/IngediendBedrag/Bedrag"
    data = edit(pretty(DECL), path, "46001")
    data = edit(data, "/Bericht/Declaratie/TotaalIngediendBedrag/TotaalBedrag", "145201")
    result = read_message(data, F)
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            path,
            "amount.mismatch",
            "IngediendBedrag EUR 460,01 is niet gelijk aan GeleverdVolume 5 x ProductTarief EUR 92,00 = EUR 460,00",
            line_of(data, path),
            "line",
            "R2",
        )
    ]
    assert refs(result) == [["R1"], ["R3", "R0"]]


def test_total_mismatch_rejects_message() -> None:
    path = "/Bericht/Declaratie/TotaalIngediendBedrag"
    data = edit(pretty(DECL), f"{path}/TotaalBedrag", "145201")
    result = read_message(data, F)
    assert result.message is None
    assert result.errors == [
        ValidationError(
            F,
            "D2024-01",
            path,
            "total.mismatch",
            "TotaalIngediendBedrag EUR 1452,01 is niet gelijk aan de netto som van de prestaties EUR 1452,00",
            line_of(data, path),
        )
    ]
    assert (result.lines_total, result.lines_rejected) == (4, 4)


def test_negative_total_is_credit() -> None:
    msg = Declaratie(
        DECL.header,
        "C1",
        D(2024, 1, 1),
        D(2024, 1, 31),
        D(2024, 2, 5),
        (DeclaratieClient("123456782", (_line("R9", "1", 1, None, 500, "C"),)),),
    )
    data = to_xml(msg)
    assert b"<ijw:TotaalBedrag>500</ijw:TotaalBedrag><ijw:DebetCredit>C</ijw:DebetCredit>" in data
    assert read_message(data, F).message == msg


def test_product_period_order_and_outside_declaration_period() -> None:
    base = f"{C1}/Prestaties/Prestatie[1]"
    data = edit(pretty(DECL), f"{base}/ProductPeriode/Begindatum", "2024-02-01")
    result = read_message(data, F)
    assert [(e.element, e.rule, e.tr, e.retourcode, e.message, e.scope, e.ref) for e in result.errors] == [
        (
            f"{base}/ProductPeriode/Einddatum",
            "date.order",
            "TR137",
            "0001",
            "Einddatum 2024-01-31 ligt voor Begindatum 2024-02-01",
            "line",
            "R1",
        ),
        (
            f"{base}/ProductPeriode",
            "date.outside_period",
            "TR319",
            "9319",
            "ProductPeriode 2024-02-01 t/m 2024-01-31 ligt na de DeclaratiePeriode 2024-01-01 t/m 2024-01-31",
            "line",
            "R1",
        ),
    ]


def test_stop_before_start_is_date_order() -> None:
    data = edit(
        to_xml(TOEW), "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[1]/Einddatum", "2023-12-31"
    )
    result = read_message(data, F)
    assert [(e.element, e.rule, e.message) for e in result.errors] == [
        (
            "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[1]/Einddatum",
            "date.order",
            "Einddatum 2023-12-31 ligt voor Ingangsdatum 2024-01-01",
        )
    ]


def test_duplicate_reference_in_one_message() -> None:
    path = f"{C2}/Prestaties/Prestatie[1]/ProductReferentie/ReferentieNummer"
    result = read_message(edit(pretty(DECL), path, "R1"), F)
    assert [(e.element, e.rule, e.scope, e.ref) for e in result.errors] == [
        (path, "claim.duplicate_reference", "line", "R1")
    ]
    assert refs(result) == [["R1", "R2"], ["R0"]]


# ------------------------------------------------------------------ API


def test_error_str_format() -> None:
    error = ValidationError(F, "D1", "/Bericht/Header/Afzender", "structure.invalid", "fout")
    assert str(error) == "t.xml: bericht D1: /Bericht/Header/Afzender: structure.invalid / 0001: fout"
    assert (
        str(ValidationError(F, None, "/", "xml.malformed", "kapot"))
        == "t.xml: bericht ?: /: xml.malformed / 0001: kapot"
    )


def test_read_file_path_and_fileobj(tmp_path: Path) -> None:
    path = tmp_path / "JW323.xml"
    path.write_bytes(to_xml(DECL))
    (from_path,) = list(read_file(path))
    assert from_path.file == str(path)
    assert from_path.message == DECL
    with path.open("rb") as fh:
        (from_obj,) = list(read_file(fh))
    assert from_obj.file == str(path)
    assert from_obj.message == DECL
    (from_stream,) = list(read_file(io.BytesIO(to_xml(DECL))))
    assert from_stream.file == "<stream>"
    assert from_stream.ok


def test_large_claim_is_streamed() -> None:
    lines = tuple(_line(f"L{i}", str(i), 1, 100, 100) for i in range(3000))
    clients = tuple(DeclaratieClient("123456782", lines[i : i + 300]) for i in range(0, 3000, 300))
    msg = Declaratie(DECL.header, "BIG", D(2024, 1, 1), D(2024, 1, 31), D(2024, 2, 5), clients)
    result = read_message(to_xml(msg), F)
    assert result.errors == []
    assert result.message == msg
    assert (result.lines_total, result.lines_rejected) == (3000, 0)


def test_reader_never_returns_names() -> None:
    result = read_message(to_xml(TOEW), F)
    assert "Onbekend" not in repr(result)


def test_read_bytes_yields_one_result() -> None:
    (result,) = list(read_bytes(to_xml(DECL), F))
    assert result.message == DECL and result.header_known


def test_header_known() -> None:
    assert read_message(
        edit(pretty(DECL), "/Bericht/Declaratie/TotaalIngediendBedrag/TotaalBedrag", "1"), F
    ).header_known
    assert not read_message(edit(to_xml(START), "/Bericht/Header/Afzender", "1"), F).header_known
    assert not read_message(b"<a", F).header_known
