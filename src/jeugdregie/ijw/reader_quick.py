"""One pass over a valid small message (JW301, JW305, JW307, JW315) read whole: the usual case.

``reader_whole._WholeReader.run_whole`` asks ``quick_message`` first. It reads the Header, the
Client and the products from one dictionary of first children per element, with no error reports
built, no paths formatted and no call per field through the checking helpers of ``reader_base``
(``_child``, ``_text``, ``_str``, ``_date``: about 27 calls a message, 60% of the reader's time).
It returns the message only when the full path would find no error at all and build the same
message; on anything else (a value missing, empty, out of a code list, a number with a sign or
more digits than its maximum has, a date that does not exist, a finding of ``validation``) it
returns None and the full path reads the same tree again, reports what is wrong and where, or
accepts it. So it may refuse a valid message (then only time is lost), never accept one the full
path would refuse: each check below is the full path's or a stricter one (said where). Tested against the full path on
the demo traffic and on mutations of every sample (``tests/ijw/test_ijw_reader_quick.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from lxml import etree

from jeugdregie.ijw.messages import (
    BERICHTCODE,
    SENT_BY_GEMEENTE,
    AangevraagdProduct,
    ClientIdentity,
    Header,
    Omvang,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    ToegewezenProduct,
    Toewijzing,
    Verwijzer,
    VerzoekOmToewijzing,
)
from jeugdregie.ijw.reader_base import (
    _AGB,
    _B,
    _CODES,
    _DATE,
    _DATES,
    _DATES_KEPT,
    _GEMEENTE,
    _IDENT,
    _PRODUCTCODE,
    _REF36,
    _VERSIE,
)
from jeugdregie.ijw.validation import (
    aangevraagd_product_findings,
    bsn_findings,
    start_product_findings,
    stop_product_findings,
    toegewezen_product_findings,
)

Message = Toewijzing | StartZorg | StopZorg | VerzoekOmToewijzing

# Stricter than the full path's ``_INT`` with its range check: no sign, no more digits than the
# maximum has (MAX_NUMMER 999,999,999; MAX_BEDRAG 99,999,999); anything else goes to the full path.
_NUMMER: Final = re.compile(r"[0-9]{1,9}")
_BEDRAG: Final = re.compile(r"[0-9]{1,8}")

_GESLACHT: Final = _CODES["LDT_Geslacht"]
_CATEGORIE: Final = _CODES["LDT_ProductCategorie"]
_EENHEID: Final = _CODES["LDT_Eenheid"]
_FREQUENTIE: Final = _CODES["LDT_Frequentie"]
_REDEN_WIJZIGING: Final = _CODES["LDT_RedenWijziging"]
_REDEN_BEEINDIGING: Final = _CODES["LDT_RedenBeeindiging"]
_STATUS: Final = _CODES["LDT_StatusAanlevering"]
_TYPE_VERWIJZER: Final = _CODES["LDT_TypeVerwijzer"]

_CONTAINERS: Final = {
    "JW301": ("ToegewezenProducten", "ToegewezenProduct"),
    "JW305": ("StartProducten", "StartProduct"),
    "JW307": ("StopProducten", "StopProduct"),
    "JW315": ("AangevraagdeProducten", "AangevraagdProduct"),
}


class _Refused(Exception):
    """Not the usual valid message: the full path reads it."""


def _kids(parent: etree._Element) -> dict[object, etree._Element]:
    """The first child of every tag (as ``reader_base._BaseReader._child`` finds it)."""
    kids: dict[object, etree._Element] = {}
    for child in reversed(parent):
        kids[child.tag] = child
    return kids


def _text(kids: dict[object, etree._Element], tag: str) -> str:
    """The stripped text of a required child (``_text``); refused when absent or empty."""
    el = kids.get(tag)
    if el is None:
        raise _Refused
    text = (el.text or "").strip()
    if not text:
        raise _Refused
    return text


def _optional(kids: dict[object, etree._Element], tag: str) -> str | None:
    """The stripped text of an optional child: None when absent, refused when empty (the full path
    reports an empty optional element)."""
    el = kids.get(tag)
    if el is None:
        return None
    text = (el.text or "").strip()
    if not text:
        raise _Refused
    return text


def _match(text: str, pattern: re.Pattern[str]) -> str:
    if pattern.fullmatch(text) is None:
        raise _Refused
    return text


def _code(text: str, codes: frozenset[str]) -> str:
    if text not in codes:
        raise _Refused
    return text


def _date(text: str, *, keep: bool = True) -> dt.date:
    """As ``_BaseReader._date``, with its cache of valid date texts (a birth date not kept)."""
    value = _DATES.get(text)
    if value is None:
        if _DATE.fullmatch(text) is None:
            raise _Refused
        try:
            value = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            raise _Refused from None
        if keep and len(_DATES) < _DATES_KEPT:
            _DATES[text] = value
    return value


def _number(text: str, pattern: re.Pattern[str]) -> int:
    if pattern.fullmatch(text) is None:
        raise _Refused
    return int(text)


def quick_message(root: etree._Element, kind: str, ns: str) -> tuple[Header, Message] | None:
    """The Header and message of ``root`` (its namespace ``ns`` checked, ``kind`` one of the four)
    when the full path would read them without any error; else None."""
    if kind not in _CONTAINERS:
        return None
    try:
        return _read(root, kind, ns)
    except _Refused:
        return None


def _read(root: etree._Element, kind: str, ns: str) -> tuple[Header, Message]:
    top = _kids(root)
    header_el = top.get(ns + "Header")
    client_el = top.get(ns + "Client")
    if header_el is None or client_el is None:
        raise _Refused
    header = _header(_kids(header_el), kind, ns)
    client = _kids(client_el)
    geboortedatum = client.get(ns + "Geboortedatum")
    if geboortedatum is None:
        raise _Refused
    bsn = _text(client, ns + "Bsn")
    if bsn_findings(bsn):
        raise _Refused
    identity = ClientIdentity(
        bsn,
        _date(_text(_kids(geboortedatum), _B + "Datum"), keep=False),
        _code(_text(client, ns + "Geslacht"), _GESLACHT),
    )
    container_name, item_name = _CONTAINERS[kind]
    container = client.get(ns + container_name)
    if container is None:
        raise _Refused
    items = list(container.iterchildren(ns + item_name))
    if not items:
        raise _Refused
    if kind == "JW301":
        return header, Toewijzing(header, identity, tuple(_toegewezen(_kids(el), ns) for el in items))
    if kind == "JW305":
        return header, StartZorg(header, identity, tuple(_start(_kids(el), ns) for el in items))
    if kind == "JW307":
        return header, StopZorg(header, identity, tuple(_stop(_kids(el), ns) for el in items))
    return header, VerzoekOmToewijzing(header, identity, tuple(_aangevraagd(_kids(el), ns) for el in items))


def _header(kids: dict[object, etree._Element], kind: str, ns: str) -> Header:
    """As ``_BaseReader._parse_header``; BerichtVersie and BerichtSubversie only as "3" and "2"
    (the full path also takes "03" or "+3")."""
    bi = kids.get(ns + "BerichtIdentificatie")
    xsd = kids.get(ns + "XsdVersie")
    if bi is None or xsd is None:
        raise _Refused
    ids = _kids(bi)
    identificatie = _match(_text(ids, _B + "Identificatie"), _IDENT)
    dagtekening = _date(_text(ids, _B + "Dagtekening"))
    if (
        _text(kids, ns + "BerichtCode") != str(BERICHTCODE[kind])
        or _text(kids, ns + "BerichtVersie") != "3"
        or _text(kids, ns + "BerichtSubversie") != "2"
    ):
        raise _Refused
    gemeente_first = kind in SENT_BY_GEMEENTE
    afzender = _match(_text(kids, ns + "Afzender"), _GEMEENTE if gemeente_first else _AGB)
    ontvanger = _match(_text(kids, ns + "Ontvanger"), _AGB if gemeente_first else _GEMEENTE)
    versions = _kids(xsd)
    _match(_text(versions, _B + "BasisschemaXsdVersie"), _VERSIE)
    _match(_text(versions, _B + "BerichtXsdVersie"), _VERSIE)
    return Header(afzender, ontvanger, identificatie, dagtekening)


def _nummer(kids: dict[object, etree._Element], ns: str) -> str:
    """ToewijzingNummer, canonical (``_nummer``)."""
    return str(_number(_text(kids, ns + "ToewijzingNummer"), _NUMMER))


def _product(kids: dict[object, etree._Element], ns: str) -> tuple[str | None, str | None]:
    el = kids.get(ns + "Product")
    if el is None:
        return None, None
    product = _kids(el)
    code = _optional(product, _B + "Code")
    return (
        _code(_text(product, _B + "Categorie"), _CATEGORIE),
        None if code is None else _match(code, _PRODUCTCODE),
    )


def _omvang(kids: dict[object, etree._Element], ns: str) -> Omvang | None:
    el = kids.get(ns + "Omvang")
    if el is None:
        return None
    omvang = _kids(el)
    return Omvang(
        _number(_text(omvang, _B + "Volume"), _BEDRAG),
        _code(_text(omvang, _B + "Eenheid"), _EENHEID),
        _code(_text(omvang, _B + "Frequentie"), _FREQUENTIE),
    )


def _optional_date(kids: dict[object, etree._Element], tag: str) -> dt.date | None:
    text = _optional(kids, tag)
    return None if text is None else _date(text)


def _budget(kids: dict[object, etree._Element], ns: str) -> int | None:
    text = _optional(kids, ns + "Budget")
    return None if text is None else _number(text, _BEDRAG)


def _toegewezen(kids: dict[object, etree._Element], ns: str) -> ToegewezenProduct:
    nummer = _nummer(kids, ns)
    referentie = _optional(kids, ns + "ReferentieAanbieder")
    cat, code = _product(kids, ns)
    reden = _optional(kids, ns + "RedenWijziging")
    product = ToegewezenProduct(
        nummer,
        cat,
        code,
        _date(_text(kids, ns + "Toewijzingsdatum")),
        _date(_text(kids, ns + "Ingangsdatum")),
        _optional_date(kids, ns + "Einddatum"),
        None if reden is None else _code(reden, _REDEN_WIJZIGING),
        _omvang(kids, ns),
        _budget(kids, ns),
        None if referentie is None else _match(referentie, _REF36),
    )
    if toegewezen_product_findings(product):
        raise _Refused
    return product


def _start(kids: dict[object, etree._Element], ns: str) -> StartProduct:
    cat, code = _product(kids, ns)
    product = StartProduct(
        _nummer(kids, ns),
        cat,
        code,
        _date(_text(kids, ns + "ToewijzingIngangsdatum")),
        _date(_text(kids, ns + "Begindatum")),
        _code(_text(kids, ns + "StatusAanlevering"), _STATUS),
    )
    if start_product_findings(product):
        raise _Refused
    return product


def _stop(kids: dict[object, etree._Element], ns: str) -> StopProduct:
    cat, code = _product(kids, ns)
    product = StopProduct(
        _nummer(kids, ns),
        cat,
        code,
        _date(_text(kids, ns + "ToewijzingIngangsdatum")),
        _date(_text(kids, ns + "Begindatum")),
        _date(_text(kids, ns + "Einddatum")),
        _code(_text(kids, ns + "RedenBeeindiging"), _REDEN_BEEINDIGING),
        _code(_text(kids, ns + "StatusAanlevering"), _STATUS),
    )
    if stop_product_findings(product):
        raise _Refused
    return product


def _aangevraagd(kids: dict[object, etree._Element], ns: str) -> AangevraagdProduct:
    referentie = _match(_text(kids, ns + "ReferentieAanbieder"), _REF36)
    cat, code = _product(kids, ns)
    verwijzer_el = kids.get(ns + "Verwijzer")
    if verwijzer_el is None:
        raise _Refused
    verwijzer = _kids(verwijzer_el)
    agb = _optional(verwijzer, _B + "ZorgverlenerCode")
    product = AangevraagdProduct(
        referentie,
        cat,
        code,
        _date(_text(kids, ns + "ToewijzingIngangsdatum")),
        Verwijzer(
            _code(_text(verwijzer, _B + "Type"), _TYPE_VERWIJZER),
            None if agb is None else _match(agb, _AGB),
        ),
        _optional_date(kids, ns + "ToewijzingEinddatum"),
        _omvang(kids, ns),
        _budget(kids, ns),
    )
    if aangevraagd_product_findings(product):
        raise _Refused
    return product
