"""`ijw validate` for every iJw 3.2 message type: a hand-made valid message of each type in
tests/ijw/samples/ passes, invalid variants fail with the official rule, return code and element."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from ijw_support import XSD_DIR, XSD_MISSING_REASON, xsd_available
from lxml import etree

from jeugdregie.ijw.conformance import ALL_KINDS, validate_data
from jeugdregie.ijw.validation import XsdValidator

SAMPLES = Path(__file__).parent / "samples"
needs_xsd = pytest.mark.skipif(not xsd_available(), reason=XSD_MISSING_REASON)


def sample(kind: str) -> bytes:
    return (SAMPLES / f"{kind}.xml").read_bytes()


def edit(data: bytes, path: str, value: str | None = None, *, duplicate: bool = False) -> bytes:
    """Change the text of the element at ``path`` (local names, ``/``-separated, from Bericht), or
    append a copy of it right after itself."""
    root = etree.fromstring(data)

    def step(name: str) -> str:
        base, _, index = name.partition("[")
        return f"*[local-name()='{base}']" + (f"[{index}" if index else "")

    steps = "/".join(step(s) for s in path.strip("/").split("/")[1:])
    el = root.xpath(steps)[0]
    if duplicate:
        from copy import deepcopy

        el.addnext(deepcopy(el))
    if value is not None:
        el.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def found(data: bytes, kind: str) -> list[tuple[str | None, str | None, str, str]]:
    result = validate_data(data, f"{kind}.xml")
    assert result.kind == kind
    return sorted((e.tr, e.retourcode, e.rule, e.element) for e in result.errors)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_valid_sample_of_every_type_passes_without_xsd(kind):
    result = validate_data(sample(kind), f"{kind}.xml")
    assert (result.kind, result.errors) == (kind, [])


@needs_xsd
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_valid_sample_of_every_type_passes_the_official_xsd(kind):
    xsd = XsdValidator(XSD_DIR, kinds=ALL_KINDS)
    result = validate_data(sample(kind), f"{kind}.xml", xsd)
    assert (result.kind, result.errors) == (kind, [])


# ---------------------------------------------------------------- rules inside one message

TP = "/Bericht/Client/ToegewezenProducten/ToegewezenProduct"


def test_tr101_and_tr302_jw301_same_allocation_twice():
    data = edit(sample("JW301"), TP, duplicate=True)
    assert found(data, "JW301") == [
        ("TR101", "0001", "key.duplicate", f"{TP}[2]"),
        ("TR302", "0001", "product.overlap", f"{TP}[2]"),
    ]


def test_tr302_jw301_same_product_overlapping_under_another_number():
    data = edit(sample("JW301"), TP, duplicate=True)
    root = etree.fromstring(data)
    second = root.xpath("//*[local-name()='ToegewezenProduct'][2]/*[local-name()='ToewijzingNummer']")[0]
    second.text = "1002"
    data = etree.tostring(root)
    assert found(data, "JW301") == [("TR302", "0001", "product.overlap", f"{TP}[2]")]
    # Not overlapping: the second starts after the first ends.
    ingang = root.xpath("//*[local-name()='ToegewezenProduct'][2]/*[local-name()='Ingangsdatum']")[0]
    einde = root.xpath("//*[local-name()='ToegewezenProduct'][2]/*[local-name()='Einddatum']")[0]
    ingang.text, einde.text = "2024-07-01", "2024-12-31"
    assert found(etree.tostring(root), "JW301") == []


def test_tr134_jw305_start_after_the_dagtekening():
    path = "/Bericht/Client/StartProducten/StartProduct/Begindatum"
    data = edit(sample("JW305"), path, "2024-01-11")
    assert found(data, "JW305") == [
        (
            "TR134",
            "0001",
            "date.after_dagtekening",
            "/Bericht/Client/StartProducten/StartProduct[1]/Begindatum",
        )
    ]


def test_tr134_unknown_date_is_rejected():
    data = edit(sample("JW305"), "/Bericht/Client/StartProducten/StartProduct/Begindatum", "2024-02-30")
    assert ("TR134", "0001", "date.invalid") in {e[:3] for e in found(data, "JW305")}


def test_tr002_jw315_birth_date_more_than_120_years_back_unless_unknown():
    data = edit(sample("JW315"), "/Bericht/Client/Geboortedatum/Datum", "1900-01-01")
    assert found(data, "JW315") == [
        ("TR002", "0001", "date.birth_too_old", "/Bericht/Client/Geboortedatum/Datum")
    ]
    root = etree.fromstring(data)
    birth = root.xpath("//*[local-name()='Geboortedatum']")[0]
    gebruik = etree.SubElement(birth, "{http://www.istandaarden.nl/ijw/3_2/basisschema/schema}DatumGebruik")
    gebruik.text = "3"
    assert found(etree.tostring(root), "JW315") == []


def test_tr018_jw307_end_before_begin():
    data = edit(sample("JW307"), "/Bericht/Client/StopProducten/StopProduct/Einddatum", "2024-01-07")
    assert found(data, "JW307") == [
        ("TR018", "0001", "date.order", "/Bericht/Client/StopProducten/StopProduct[1]/Einddatum")
    ]


PR = "/Bericht/Declaratie/Clienten/Client/Prestaties/Prestatie"
P1 = "/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie"


def test_tr319_jw323_late_line_is_valid_a_later_one_is_not():
    # The sample claims April 2024 and holds a late line for March: valid.
    assert found(sample("JW323"), "JW323") == []
    data = edit(sample("JW323"), f"{PR}[2]/ProductPeriode/Begindatum", "2024-05-01")
    data = edit(data, f"{PR}[2]/ProductPeriode/Einddatum", "2024-05-31")
    assert found(data, "JW323") == [("TR319", "9319", "date.outside_period", f"{P1}[2]/ProductPeriode")]


def test_tr137_jw323_period_after_the_dagtekening():
    data = edit(sample("JW323"), "/Bericht/Declaratie/DeclaratieDagtekening", "2024-04-29")
    assert ("TR137", "0001", "date.order", "/Bericht/Declaratie/DeclaratiePeriode/Einddatum") in found(
        data, "JW323"
    )


def test_tr335_jw323_line_more_than_five_years_old():
    data = edit(sample("JW323"), f"{PR}[2]/ProductPeriode/Begindatum", "2019-03-01")
    data = edit(data, f"{PR}[2]/ProductPeriode/Einddatum", "2019-03-31")
    assert found(data, "JW323") == [("TR335", "0001", "date.too_old", f"{P1}[2]/ProductPeriode/Einddatum")]


def test_tr346_and_tr358_jw323_amounts():
    data = edit(sample("JW323"), f"{PR}[1]/IngediendBedrag/Bedrag", "28801")
    assert found(data, "JW323") == [
        ("TR346", "9346", "amount.mismatch", f"{P1}[1]/IngediendBedrag/Bedrag"),
        ("TR358", "0001", "total.mismatch", "/Bericht/Declaratie/TotaalIngediendBedrag"),
    ]


def test_tr314_and_tr316_jw323_references_inside_the_message():
    data = edit(sample("JW323"), f"{PR}[2]/ProductReferentie/ReferentieNummer", "R1")
    assert found(data, "JW323") == [
        ("TR314", "8021", "claim.duplicate_reference", f"{P1}[2]/ProductReferentie/ReferentieNummer")
    ]
    # R2 credits R1 of the same message (TR316); a third line credits R1 again (TR315).
    root = etree.fromstring(sample("JW323"))
    ns = "{http://www.istandaarden.nl/ijw/3_2/basisschema/schema}"
    lines = root.xpath("//*[local-name()='Prestatie']")
    for line, ref in ((lines[1], "C1"), (lines[0], "R9")):
        line.xpath("*[local-name()='ProductReferentie']/*[local-name()='ReferentieNummer']")[0].text = ref
    credit = lines[1]
    etree.SubElement(
        credit.xpath("*[local-name()='ProductReferentie']")[0], f"{ns}VorigReferentieNummer"
    ).text = "R9"
    credit.xpath("*[local-name()='IngediendBedrag']/*[local-name()='DebetCredit']")[0].text = "C"
    total = root.xpath("//*[local-name()='TotaalIngediendBedrag']/*[local-name()='TotaalBedrag']")[0]
    total.text = str(28_800 - 21_600)
    errors = validate_data(etree.tostring(root), "d.xml").errors
    assert [(e.tr, e.retourcode, e.element) for e in errors] == [
        ("TR316", "0001", f"{PR}[ProductReferentie/ReferentieNummer='C1']/ProductReferentie")
    ]


def test_tr101_jw317_and_jw325_duplicate_lines():
    path = "/Bericht/Client/Verzoek/TeWijzigenProducten/TeWijzigenProduct"
    assert ("TR101", "0001", "key.duplicate", f"{path}[2]") in found(
        edit(sample("JW317"), path, duplicate=True), "JW317"
    )
    prestatie = "/Bericht/DeclaratieAntwoord/Clienten/Client/Prestaties/Prestatie"
    assert (
        "TR101",
        "0001",
        "key.duplicate",
        "/Bericht/DeclaratieAntwoord/Clienten/Client[1]/Prestaties/Prestatie[2]",
    ) in found(edit(sample("JW325"), prestatie, duplicate=True), "JW325")


def test_tr137_jw325_product_period_reversed():
    path = "/Bericht/DeclaratieAntwoord/Clienten/Client/Prestaties/Prestatie/ProductPeriode/Einddatum"
    data = edit(sample("JW325"), path, "2024-02-28")
    assert (
        "TR137",
        "0001",
        "date.order",
        "/Bericht/DeclaratieAntwoord/Clienten/Client[1]/Prestaties/Prestatie[1]/ProductPeriode/Einddatum",
    ) in found(data, "JW325")


@needs_xsd
def test_return_message_without_its_return_codes_fails_the_xsd():
    xsd = XsdValidator(XSD_DIR, kinds=ALL_KINDS)
    root = etree.fromstring(sample("JW302"))
    codes = root.xpath("/*/*[local-name()='Client']/*[local-name()='RetourCodes']")[0]
    codes.getparent().remove(codes)
    result = validate_data(etree.tostring(root), "JW302.xml", xsd)
    assert result.kind == "JW302"
    assert [(e.tr, e.retourcode, e.rule, e.element) for e in result.errors] == [
        (None, "0001", "xsd", "/Bericht/Client")
    ]


def test_unknown_namespace_is_no_ijw_message():
    result = validate_data(b"<Bericht xmlns='urn:x'/>", "x.xml")
    assert result.kind is None
    assert [(e.rule, e.retourcode) for e in result.errors] == [("xml.namespace", "0001")]


# ---------------------------------------------------------------- the command


@needs_xsd
def test_command_accepts_every_type_and_names_it(capsys):
    call_command("ijw_validate", str(SAMPLES), "--xsd-dir", str(XSD_DIR))
    out = capsys.readouterr().out
    for kind in ALL_KINDS:
        assert f"{kind}.xml: {kind}: geldig" in out
    assert "14 berichten gecontroleerd" in out and ", 0 fouten." in out


@needs_xsd
def test_command_rejects_an_invalid_message_with_the_failing_rule(tmp_path, capsys):
    (tmp_path / "JW305.xml").write_bytes(sample("JW305"))
    (tmp_path / "JW301_bad.xml").write_bytes(edit(sample("JW301"), TP, duplicate=True))
    with pytest.raises(CommandError, match="Niet alle berichten zijn geldig") as exc:
        call_command("ijw_validate", str(tmp_path), "--xsd-dir", str(XSD_DIR))
    assert exc.value.returncode == 1
    captured = capsys.readouterr()
    assert "JW305.xml: JW305: geldig" in captured.out
    assert "JW301_bad.xml: JW301: 2 fouten" in captured.out
    assert f"JW301_bad.xml: bericht T1: {TP}[2]: TR101 / 0001 (key.duplicate)" in captured.err
    assert f"JW301_bad.xml: bericht T1: {TP}[2]: TR302 / 0001 (product.overlap)" in captured.err


def test_tr101_jw323_the_same_client_twice():
    client = "/Bericht/Declaratie/Clienten/Client"
    data = edit(sample("JW323"), client, duplicate=True)
    root = etree.fromstring(data)
    for i, ref in enumerate(root.xpath("//*[local-name()='ReferentieNummer']")):
        ref.text = f"R{i + 1}"  # unique lines, so only the Client repeats
    total = root.xpath("//*[local-name()='TotaalIngediendBedrag']/*[local-name()='TotaalBedrag']")[0]
    total.text = str(2 * (28_800 + 21_600))
    assert found(etree.tostring(root), "JW323") == [("TR101", "0001", "key.duplicate", f"{client}[2]")]
