"""Writes the message dataclasses as iJw 3.2 XML (one Bericht per file).

The output validates against the official XSDs (``tests/ijw`` checks every type): the message
elements are in the message's default namespace, and the children of basisschema complex types
(``BerichtIdentificatie/Identificatie``, ``Product/Categorie``, ``ProductPeriode/Begindatum``, ...)
are in the basisschema namespace with prefix ``ijw``, because every schema has
``elementFormDefault="qualified"``.

Mandatory elements the dataclasses do not carry get neutral placeholders: client ``Naam``
(Geslachtsnaam "Onbekend", NaamGebruik 1), JW301 ``Contactgegevens`` (one Contact of Soort 01
without address) and ``Toewijzingstijd`` (00:00:00).

Speed: the demo generator writes on the order of 100k messages, so the XML is assembled from
escaped string fragments instead of an lxml tree. Measured (Python 3.11, lxml 6): about 190k-330k
messages/s for a JW301/305/307/315 with one product and 51k/s for a JW323 with 10 lines, against
about 5k/s for the same JW323 built with ``lxml.etree.SubElement``. Every free-text value is
escaped; characters XML 1.0 cannot carry raise ``ValueError``. ``tests/ijw`` validates the output
of every message type against the official XSDs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Final

from jeugdregie.ijw.messages import (
    BERICHTCODE,
    NAMESPACE_BASE,
    AangevraagdProduct,
    AntwoordVerzoek,
    ClientIdentity,
    Declaratie,
    DeclaratieAntwoord,
    Header,
    Message,
    Omvang,
    Prestatie,
    StartZorg,
    StopZorg,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    message_namespace,
)

#: Versions of the XSDs this writer follows (``xs:appinfo`` of the iJw 3.2 XSDs).
BERICHT_VERSIE: Final = 3
BERICHT_SUBVERSIE: Final = 2
BASISSCHEMA_XSD_VERSIE: Final = "0.1.0"
BERICHT_XSD_VERSIE: Final = "0.1.0"

PLACEHOLDER_ACHTERNAAM: Final = "Onbekend"
PLACEHOLDER_NAAMGEBRUIK: Final = "1"  # Eigen naam
PLACEHOLDER_ADRESSOORT: Final = "01"  # BRP-adres
PLACEHOLDER_TOEWIJZINGSTIJD: Final = "00:00:00"

_INVALID_XML_CHARS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNSAFE_FILENAME: Final = re.compile(r"[^A-Za-z0-9_.-]")


def _esc(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _INVALID_XML_CHARS.search(value):
        raise ValueError(f"waarde bevat tekens die niet in XML 1.0 passen: {value!r}")
    # Line breaks would be normalised away by a parser; keep them as character references.
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def _d(value: dt.date) -> str:
    return value.isoformat()


def _opening(kind: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Bericht xmlns="{message_namespace(kind)}" xmlns:ijw="{NAMESPACE_BASE}">'
    )


def _header(kind: str, h: Header, extra: str = "") -> str:
    """The Header; ``extra`` holds the elements a message type adds at its end (JW325)."""
    return (
        f"<Header><BerichtCode>{BERICHTCODE[kind]}</BerichtCode>"
        f"<BerichtVersie>{BERICHT_VERSIE}</BerichtVersie>"
        f"<BerichtSubversie>{BERICHT_SUBVERSIE}</BerichtSubversie>"
        f"<Afzender>{_esc(h.afzender)}</Afzender><Ontvanger>{_esc(h.ontvanger)}</Ontvanger>"
        f"<BerichtIdentificatie><ijw:Identificatie>{_esc(h.identificatie)}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{_d(h.dagtekening)}</ijw:Dagtekening></BerichtIdentificatie>"
        f"<XsdVersie><ijw:BasisschemaXsdVersie>{BASISSCHEMA_XSD_VERSIE}</ijw:BasisschemaXsdVersie>"
        f"<ijw:BerichtXsdVersie>{BERICHT_XSD_VERSIE}</ijw:BerichtXsdVersie></XsdVersie>{extra}</Header>"
    )


def _client_start(c: ClientIdentity, *, full_name: bool) -> str:
    naam = f"<ijw:Geslachtsnaam><ijw:Achternaam>{PLACEHOLDER_ACHTERNAAM}</ijw:Achternaam></ijw:Geslachtsnaam>"
    if full_name:  # CDT_VolledigeNaam requires NaamGebruik
        naam += f"<ijw:NaamGebruik>{PLACEHOLDER_NAAMGEBRUIK}</ijw:NaamGebruik>"
    return (
        f"<Client><Bsn>{_esc(c.bsn)}</Bsn>"
        f"<Geboortedatum><ijw:Datum>{_d(c.geboortedatum)}</ijw:Datum></Geboortedatum>"
        f"<Geslacht>{_esc(c.geslacht)}</Geslacht><Naam>{naam}</Naam>"
    )


def _product(categorie: str | None, code: str | None) -> str:
    if categorie is None:
        if code is not None:
            raise ValueError("product_code zonder product_categorie kan niet in een iJw-bericht")
        return ""
    if code is None:
        return f"<Product><ijw:Categorie>{_esc(categorie)}</ijw:Categorie></Product>"
    return f"<Product><ijw:Categorie>{_esc(categorie)}</ijw:Categorie><ijw:Code>{_esc(code)}</ijw:Code></Product>"


def _omvang(o: Omvang | None) -> str:
    if o is None:
        return ""
    return (
        f"<Omvang><ijw:Volume>{int(o.volume)}</ijw:Volume><ijw:Eenheid>{_esc(o.eenheid)}</ijw:Eenheid>"
        f"<ijw:Frequentie>{_esc(o.frequentie)}</ijw:Frequentie></Omvang>"
    )


def _require(items: tuple[object, ...], what: str) -> None:
    if not items:
        raise ValueError(f"een iJw-bericht heeft minstens een {what} nodig")


def _jw301(m: Toewijzing) -> list[str]:
    _require(m.producten, "ToegewezenProduct")
    parts = [_opening("JW301"), _header("JW301", m.header), _client_start(m.client, full_name=True)]
    parts.append(
        "<Contactgegevens><Contact>"
        f"<Soort>{PLACEHOLDER_ADRESSOORT}</Soort></Contact></Contactgegevens><ToegewezenProducten>"
    )
    for p in m.producten:
        parts.append(f"<ToegewezenProduct><ToewijzingNummer>{_esc(p.toewijzing_nummer)}</ToewijzingNummer>")
        if p.referentie_aanbieder is not None:
            parts.append(f"<ReferentieAanbieder>{_esc(p.referentie_aanbieder)}</ReferentieAanbieder>")
        parts.append(_product(p.product_categorie, p.product_code))
        parts.append(
            f"<Toewijzingsdatum>{_d(p.toewijzingsdatum)}</Toewijzingsdatum>"
            f"<Toewijzingstijd>{PLACEHOLDER_TOEWIJZINGSTIJD}</Toewijzingstijd>"
            f"<Ingangsdatum>{_d(p.ingangsdatum)}</Ingangsdatum>"
        )
        if p.einddatum is not None:
            parts.append(f"<Einddatum>{_d(p.einddatum)}</Einddatum>")
        if p.reden_wijziging is not None:
            parts.append(f"<RedenWijziging>{_esc(p.reden_wijziging)}</RedenWijziging>")
        parts.append(_omvang(p.omvang))
        if p.budget is not None:
            parts.append(f"<Budget>{int(p.budget)}</Budget>")
        parts.append("</ToegewezenProduct>")
    parts.append("</ToegewezenProducten></Client></Bericht>")
    return parts


def _jw305(m: StartZorg) -> list[str]:
    _require(m.producten, "StartProduct")
    parts = [_opening("JW305"), _header("JW305", m.header), _client_start(m.client, full_name=False)]
    parts.append("<StartProducten>")
    for p in m.producten:
        parts.append(
            f"<StartProduct><ToewijzingNummer>{_esc(p.toewijzing_nummer)}</ToewijzingNummer>"
            f"{_product(p.product_categorie, p.product_code)}"
            f"<ToewijzingIngangsdatum>{_d(p.toewijzing_ingangsdatum)}</ToewijzingIngangsdatum>"
            f"<Begindatum>{_d(p.begindatum)}</Begindatum>"
            f"<StatusAanlevering>{_esc(p.status_aanlevering)}</StatusAanlevering></StartProduct>"
        )
    parts.append("</StartProducten></Client></Bericht>")
    return parts


def _jw307(m: StopZorg) -> list[str]:
    _require(m.producten, "StopProduct")
    parts = [_opening("JW307"), _header("JW307", m.header), _client_start(m.client, full_name=False)]
    parts.append("<StopProducten>")
    for p in m.producten:
        parts.append(
            f"<StopProduct><ToewijzingNummer>{_esc(p.toewijzing_nummer)}</ToewijzingNummer>"
            f"{_product(p.product_categorie, p.product_code)}"
            f"<ToewijzingIngangsdatum>{_d(p.toewijzing_ingangsdatum)}</ToewijzingIngangsdatum>"
            f"<Begindatum>{_d(p.begindatum)}</Begindatum>"
            f"<RedenBeeindiging>{_esc(p.reden_beeindiging)}</RedenBeeindiging>"
            f"<Einddatum>{_d(p.einddatum)}</Einddatum>"
            f"<StatusAanlevering>{_esc(p.status_aanlevering)}</StatusAanlevering></StopProduct>"
        )
    parts.append("</StopProducten></Client></Bericht>")
    return parts


def _aangevraagd(p: AangevraagdProduct) -> str:
    out = [
        f"<AangevraagdProduct><ReferentieAanbieder>{_esc(p.referentie_aanbieder)}</ReferentieAanbieder>",
        _product(p.product_categorie, p.product_code),
        f"<ToewijzingIngangsdatum>{_d(p.toewijzing_ingangsdatum)}</ToewijzingIngangsdatum>",
    ]
    if p.toewijzing_einddatum is not None:
        out.append(f"<ToewijzingEinddatum>{_d(p.toewijzing_einddatum)}</ToewijzingEinddatum>")
    out.append(_omvang(p.omvang))
    if p.budget is not None:
        out.append(f"<Budget>{int(p.budget)}</Budget>")
    out.append(f"<Verwijzer><ijw:Type>{_esc(p.verwijzer.type)}</ijw:Type>")
    if p.verwijzer.zorgverlener_code is not None:
        out.append(f"<ijw:ZorgverlenerCode>{_esc(p.verwijzer.zorgverlener_code)}</ijw:ZorgverlenerCode>")
    out.append("</Verwijzer></AangevraagdProduct>")
    return "".join(out)


def _jw315(m: VerzoekOmToewijzing) -> list[str]:
    _require(m.producten, "AangevraagdProduct")
    parts = [_opening("JW315"), _header("JW315", m.header), _client_start(m.client, full_name=False)]
    parts.append("<AangevraagdeProducten>")
    parts.extend(_aangevraagd(p) for p in m.producten)
    parts.append("</AangevraagdeProducten></Client></Bericht>")
    return parts


def _prestatie_body(p: Prestatie) -> str:
    """The elements of a claim line, shared by JW323 and JW325 (which repeats them, TR367)."""
    ref = f"<ijw:ReferentieNummer>{_esc(p.referentie_nummer)}</ijw:ReferentieNummer>"
    if p.vorig_referentie_nummer is not None:
        ref += f"<ijw:VorigReferentieNummer>{_esc(p.vorig_referentie_nummer)}</ijw:VorigReferentieNummer>"
    tarief = "" if p.product_tarief is None else f"<ProductTarief>{int(p.product_tarief)}</ProductTarief>"
    return (
        f"<ProductReferentie>{ref}</ProductReferentie>"
        f"<ToewijzingNummer>{_esc(p.toewijzing_nummer)}</ToewijzingNummer>"
        f"<ProductCategorie>{_esc(p.product_categorie)}</ProductCategorie>"
        f"<ProductCode>{_esc(p.product_code)}</ProductCode>"
        f"<ProductPeriode><ijw:Begindatum>{_d(p.begindatum)}</ijw:Begindatum>"
        f"<ijw:Einddatum>{_d(p.einddatum)}</ijw:Einddatum></ProductPeriode>"
        f"<GeleverdVolume>{int(p.geleverd_volume)}</GeleverdVolume>"
        f"<Eenheid>{_esc(p.eenheid)}</Eenheid>{tarief}"
        f"<IngediendBedrag><ijw:Bedrag>{int(p.bedrag)}</ijw:Bedrag>"
        f"<ijw:DebetCredit>{_esc(p.debet_credit)}</ijw:DebetCredit></IngediendBedrag>"
    )


def _jw323(m: Declaratie) -> list[str]:
    _require(m.clienten, "Client")
    total = m.totaal_bedrag
    parts = [
        _opening("JW323"),
        _header("JW323", m.header),
        f"<Declaratie><DeclaratieNummer>{_esc(m.declaratie_nummer)}</DeclaratieNummer>"
        f"<DeclaratiePeriode><ijw:Begindatum>{_d(m.periode_begin)}</ijw:Begindatum>"
        f"<ijw:Einddatum>{_d(m.periode_eind)}</ijw:Einddatum></DeclaratiePeriode>"
        f"<DeclaratieDagtekening>{_d(m.dagtekening)}</DeclaratieDagtekening>"
        f"<TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>{'D' if total >= 0 else 'C'}</ijw:DebetCredit></TotaalIngediendBedrag>"
        "<Clienten>",
    ]
    for c in m.clienten:
        _require(c.prestaties, "Prestatie per Client")
        parts.append(f"<Client><Bsn>{_esc(c.bsn)}</Bsn><Prestaties>")
        parts.extend(f"<Prestatie>{_prestatie_body(p)}</Prestatie>" for p in c.prestaties)
        parts.append("</Prestaties></Client>")
    parts.append("</Clienten></Declaratie></Bericht>")
    return parts


def _retourcodes(codes: tuple[str, ...]) -> str:
    _require(codes, "RetourCode")
    return "<RetourCodes>" + "".join(f"<RetourCode>{_esc(c)}</RetourCode>" for c in codes) + "</RetourCodes>"


def _totaal(tag: str, signed_cents: int) -> str:
    return (
        f"<{tag}><ijw:TotaalBedrag>{abs(signed_cents)}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>{'D' if signed_cents >= 0 else 'C'}</ijw:DebetCredit></{tag}>"
    )


def _jw325(m: DeclaratieAntwoord) -> list[str]:
    extra = (
        f"<DeclaratieIdentificatie><ijw:Identificatie>{_esc(m.declaratie_identificatie)}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{_d(m.declaratie_dagtekening)}</ijw:Dagtekening></DeclaratieIdentificatie>"
        f"<XsdVersieDeclaratie><ijw:BasisschemaXsdVersie>{BASISSCHEMA_XSD_VERSIE}</ijw:BasisschemaXsdVersie>"
        f"<ijw:BerichtXsdVersie>{BERICHT_XSD_VERSIE}</ijw:BerichtXsdVersie></XsdVersieDeclaratie>"
        f"{_retourcodes(m.retourcodes)}"
    )
    if not m.antwoord_retourcodes:  # the claim message rejected as a whole: no DeclaratieAntwoord
        return [_opening("JW325"), _header("JW325", m.header, extra), "</Bericht>"]
    parts = [
        _opening("JW325"),
        _header("JW325", m.header, extra),
        f"<DeclaratieAntwoord><DeclaratieNummer>{_esc(m.declaratie_nummer)}</DeclaratieNummer>",
        _totaal("TotaalIngediendBedrag", m.totaal_ingediend),
        _totaal("TotaalToegekendBedrag", m.totaal_toegekend),
    ]
    if m.clienten:
        parts.append("<Clienten>")
        for c in m.clienten:
            _require(c.prestaties, "Prestatie per Client")
            parts.append(f"<Client><Bsn>{_esc(c.bsn)}</Bsn><Prestaties>")
            parts.extend(
                f"<Prestatie>{_prestatie_body(a.prestatie)}{_retourcodes(a.retourcodes)}</Prestatie>"
                for a in c.prestaties
            )
            parts.append(f"</Prestaties>{_retourcodes(c.retourcodes)}</Client>")
        parts.append("</Clienten>")
    parts.append(f"{_retourcodes(m.antwoord_retourcodes)}</DeclaratieAntwoord></Bericht>")
    return parts


def _wish(einddatum: dt.date | None, omvang: Omvang | None, budget: int | None) -> str:
    out = "" if einddatum is None else f"<Einddatum>{_d(einddatum)}</Einddatum>"
    out += _omvang(omvang)
    if budget is not None:
        out += f"<Budget>{int(budget)}</Budget>"
    return out


def _jw317(m: VerzoekOmWijziging) -> list[str]:
    if not (m.ongewijzigde_producten or m.te_wijzigen_producten or m.nieuwe_producten):
        raise ValueError("een iJw-bericht heeft minstens een te wijzigen of nieuw product nodig")
    parts = [
        _opening("JW317"),
        _header("JW317", m.header),
        f"<Client><Bsn>{_esc(m.bsn)}</Bsn><Verzoek>"
        f"<ReferentieAanbieder>{_esc(m.referentie_aanbieder)}</ReferentieAanbieder>"
        f"<RedenVerzoek>{_esc(m.reden_verzoek)}</RedenVerzoek>",
    ]
    if m.ongewijzigde_producten:
        parts.append("<OngewijzigdeProducten>")
        parts.extend(
            f"<OngewijzigdProduct><ToewijzingNummer>{_esc(n)}</ToewijzingNummer></OngewijzigdProduct>"
            for n in m.ongewijzigde_producten
        )
        parts.append("</OngewijzigdeProducten>")
    if m.te_wijzigen_producten:
        parts.append("<TeWijzigenProducten>")
        parts.extend(
            f"<TeWijzigenProduct><ToewijzingNummer>{_esc(p.toewijzing_nummer)}</ToewijzingNummer>"
            f"<GewensteIngangsdatum>{_d(p.gewenste_ingangsdatum)}</GewensteIngangsdatum>"
            f"{_wish(p.einddatum, p.omvang, p.budget)}</TeWijzigenProduct>"
            for p in m.te_wijzigen_producten
        )
        parts.append("</TeWijzigenProducten>")
    if m.nieuwe_producten:
        parts.append("<NieuweProducten>")
        parts.extend(
            f"<NieuwProduct>{_product(p.product_categorie, p.product_code)}"
            f"<GewensteIngangsdatum>{_d(p.gewenste_ingangsdatum)}</GewensteIngangsdatum>"
            f"{_wish(p.einddatum, p.omvang, p.budget)}</NieuwProduct>"
            for p in m.nieuwe_producten
        )
        parts.append("</NieuweProducten>")
    parts.append("</Verzoek></Client></Bericht>")
    return parts


def _jw319(m: AntwoordVerzoek) -> list[str]:
    parts = [
        _opening("JW319"),
        _header("JW319", m.header),
        f"<Antwoord><ReferentieAanbieder>{_esc(m.referentie_aanbieder)}</ReferentieAanbieder>"
        f"<VerzoekAntwoord>{_esc(m.verzoek_antwoord)}</VerzoekAntwoord>",
    ]
    if m.reden_afwijzing is not None:
        parts.append(f"<RedenAfwijzingVerzoek>{_esc(m.reden_afwijzing)}</RedenAfwijzingVerzoek>")
    if m.woonplaatsbeginsel_gemeente is not None:
        parts.append(
            f"<Woonplaatsbeginsel><Gemeente>{_esc(m.woonplaatsbeginsel_gemeente)}</Gemeente></Woonplaatsbeginsel>"
        )
    parts.append("</Antwoord></Bericht>")
    return parts


_WRITERS = {
    Toewijzing: _jw301,
    StartZorg: _jw305,
    StopZorg: _jw307,
    VerzoekOmToewijzing: _jw315,
    VerzoekOmWijziging: _jw317,
    AntwoordVerzoek: _jw319,
    Declaratie: _jw323,
    DeclaratieAntwoord: _jw325,
}


def to_xml(msg: Message) -> bytes:
    """The message as a UTF-8 iJw 3.2 XML document with XML declaration.

    Raises ``ValueError`` for data that cannot form a message at all (no products or lines, a
    product code without category, characters XML cannot carry). Other invalid values (a wrong
    code, a 3-digit gemeente) are written as given, so that tests can produce bad messages; the
    reader reports them.
    """
    writer = _WRITERS.get(type(msg))
    if writer is None:
        raise TypeError(f"geen iJw-bericht: {type(msg).__name__}")
    return "".join(writer(msg)).encode("utf-8")  # type: ignore[operator]


def message_filename(msg: Message) -> str:
    """Conventional file name ``<KIND>_<afzender>_<identificatie>.xml``, e.g.
    ``JW323_12345678_D2024000001.xml``; characters unsafe in file names become ``_``."""
    afzender = _UNSAFE_FILENAME.sub("_", msg.header.afzender)
    ident = _UNSAFE_FILENAME.sub("_", msg.header.identificatie)
    return f"{msg.kind}_{afzender}_{ident}.xml"


def write_file(msg: Message, path: str | os.PathLike[str]) -> Path:
    """Write the message to ``path``; when ``path`` is an existing directory, to
    ``path / message_filename(msg)``. Returns the path written."""
    target = Path(path)
    if target.is_dir():
        target = target / message_filename(msg)
    target.write_bytes(to_xml(msg))
    return target
