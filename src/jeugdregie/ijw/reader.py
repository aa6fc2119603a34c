"""Streaming reader of iJw 3.2 messages (JW301, JW305, JW307, JW315, JW323).

One file holds one Bericht. The file is read with ``lxml.etree.iterparse`` (no DTD, no entity
resolution, no network, ``huge_tree`` off); the message type comes from the root namespace. For
JW323 every Prestatie is parsed and checked as soon as it ends and then cleared, so a claim with
many clients and lines is read in constant memory. The reader runs validation layers a, b and d
(see ``jeugdregie.ijw.validation``) and, given an ``XsdValidator``, layer c.

Speed (docs/performance.md): libxml2 parses, and checks the well-formedness of, the whole file,
but lxml's tag filter hands Python only the elements the reader acts on (Bericht, Header,
Clienten, Client, Prestatie). A valid claim line is read in one pass over its children
(``_quick_prestatie``); a line with any error is read again by the full path, which builds the
error locations (``_check_prestatie``). As the open elements are not tracked, a malformed file is
read a second time to say where it broke: the source must be seekable (a pipe is read into
memory first). A message of another type (small: one client) is parsed whole with ``fromstring``
instead (``run_whole``, the same checks; cheaper than ``iterparse``), and its tree is handed on in
``ReadResult.tree`` so that the rules inside one message and the XSD check it without a second
parse.

The reader returns the facts of ``jeugdregie.ijw.messages`` only: names, addresses and contact
data are never read. The BSN is returned as it is in the message (pseudonymise before storing);
a Bsn holding a ``P:<64 hex>`` marker (a redacted quarantined payload) is accepted as an already
pseudonymised client and skips the 11-proef.

Result: ``ReadResult.message`` is ``None`` when any message-level error was found; otherwise it
holds the message, for JW323 with only the accepted lines (line- and client-level errors are in
``ReadResult.errors`` too).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Final, TypeVar

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.codes import CODE_LISTS
from jeugdregie.ijw.errors import Scope, ValidationError
from jeugdregie.ijw.messages import (
    BERICHTCODE,
    NAMESPACE_BASE,
    SENT_BY_GEMEENTE,
    AangevraagdProduct,
    ClientIdentity,
    Declaratie,
    DeclaratieClient,
    Header,
    Message,
    Omvang,
    Prestatie,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    ToegewezenProduct,
    Toewijzing,
    Verwijzer,
    VerzoekOmToewijzing,
)
from jeugdregie.ijw.validation import (
    CLIENT_PATH_323,
    DECLARATIE_PATH,
    KIND_BY_NAMESPACE,
    PRODUCT_PATH,
    Finding,
    XsdValidator,
    _malformed,
    _namespace_message,
    aangevraagd_product_findings,
    bsn_findings,
    declaratie_periode_findings,
    prestatie_findings,
    start_product_findings,
    stop_product_findings,
    toegewezen_product_findings,
    total_findings,
)

Source = str | os.PathLike[str] | IO[bytes]
T = TypeVar("T")

_B: Final = "{" + NAMESPACE_BASE + "}"
_GEMEENTE: Final = re.compile(r"[0-9]{4}")
_AGB: Final = re.compile(r"[0-9]{8}")
_IDENT: Final = re.compile(r"[^\r\n]{1,12}")
_DECL_NR: Final = re.compile(r"[A-Za-z0-9]{1,12}")
_REF36: Final = re.compile(r"[^\r\n]{1,36}")
_REFNR: Final = re.compile(r"(?s).{1,20}")
_PRODUCTCODE: Final = re.compile(r"[^\r\n]{1,5}")
_VERSIE: Final = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_BERICHTCODE: Final = re.compile(r"[0-9]{1,3}")
_INT: Final = re.compile(r"[+-]?[0-9]+")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

MAX_BEDRAG: Final = 99_999_999
# Valid date texts read before (the same dates recur in message after message), up to a bound.
_DATES: dict[str, dt.date] = {}
_DATES_KEPT: Final = 20_000
MAX_TOTAALBEDRAG: Final = 999_999_999_999
MAX_NUMMER: Final = 999_999_999

# The code lists as sets: membership is tested for several fields of every claim line.
_CODES: Final = {name: frozenset(values) for name, values in CODE_LISTS.items()}
_CATEGORIE: Final = _CODES["LDT_ProductCategorie"]
_EENHEID: Final = _CODES["LDT_Eenheid"]
_DEBET_CREDIT: Final = _CODES["LDT_DebetCredit"]
# Stricter than _INT plus the range check (no sign, at most MAX_BEDRAG / MAX_NUMMER): values that
# pass are valid; anything else goes to the full path, which accepts or reports it.
_BEDRAG_DIGITS: Final = re.compile(r"[0-9]{1,8}")
_NUMMER_DIGITS: Final = re.compile(r"[0-9]{1,9}")

_PARSER_OPTIONS: Final = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
# The only elements the driver acts on; libxml2 still parses, and checks the well-formedness of,
# the whole file, but Python sees a few events per claim line instead of two per element.
# "{*}": the message namespace is known only once the root has been read.
_EVENT_TAGS: Final = ("{*}Bericht", "{*}Header", "{*}Clienten", "{*}Client", "{*}Prestatie")
# The other types are small: parsed whole (``_Reader.run_whole``) up to this size, a claim always
# streamed (its namespace in the head of the file; else found at the root, and streamed then).
_WHOLE_MAX: Final = 1 << 20
_WHOLE_PARSER: Final = etree.XMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]
_CLAIM_HEAD: Final = re.compile(rb"/jw323/schema")
_HEAD_BYTES: Final = 4096


@dataclass
class ReadResult:
    """The outcome of reading one file.

    ``message`` is None when the message as a whole is rejected (any message-level error);
    ``errors`` lists every error found, message-, client- and line-level. For JW323,
    ``lines_total`` counts the Prestaties in the file and ``lines_rejected`` those left out of
    ``message`` (line- or client-level errors).
    """

    file: str
    message: Message | None
    errors: list[ValidationError] = field(default_factory=list)
    kind: str | None = None
    message_id: str | None = None
    lines_total: int = 0
    lines_rejected: int = 0
    header_known: bool = False  # the Header was read without errors (sender and id are reliable)
    #: The whole parsed message, for the types read without freeing parts of it (all but JW323 and
    #: JW325), so that the rules inside one message (``conformance.check_tree``) and the XSD check
    #: the reader's tree instead of parsing the file again; None when the file was not read whole.
    tree: etree._Element | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the message was read without any error."""
        return self.message is not None and not self.errors


class _Incomplete(Exception):
    """A required value is missing or invalid (its error is already recorded)."""


def _nn(value: T | None) -> T:
    if value is None:
        raise _Incomplete
    return value


# ToewijzingNummer, ProductCategorie, ProductCode, Begindatum, Einddatum, GeleverdVolume, Eenheid,
# ProductTarief, Bedrag, DebetCredit of one Prestatie (None where absent or invalid).
_PrestatieFields = tuple[
    str | None, str | None, str | None, dt.date | None, dt.date | None,
    int | None, str | None, int | None, int | None, str | None,
]  # fmt: skip


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ln(el: etree._Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def _strip(text: str | None) -> str:
    return text.strip() if text else ""


def _kid_text(kids: dict[str, etree._Element], tag: str) -> str:
    """Stripped text of child ``tag`` ("" when absent)."""
    el = kids.get(tag)
    return _strip(el.text) if el is not None else ""


def _sub_line(el: etree._Element, rel: str) -> int | None:
    cur = el
    for seg in rel.split("/"):
        nxt = None
        for child in cur:
            if _local(child.tag) == seg:
                nxt = child
                break
        if nxt is None:
            break
        cur = nxt
    return _ln(cur)


class _Sink:
    __slots__ = ("errors", "scope")

    def __init__(self, scope: Scope) -> None:
        self.errors: list[ValidationError] = []
        self.scope: Scope = scope


@dataclass
class _Line:
    prestatie: Prestatie | None
    errors: list[ValidationError]
    signed: int | None  # signed IngediendBedrag, None when unreadable


@dataclass
class _ClientState:
    index: int
    line: int | None
    lines: list[_Line] = field(default_factory=list)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.kind: str | None = None
        self.ns = ""
        self.message_id: str | None = None
        self.msg_sink = _Sink("message")
        self.client_errors: list[ValidationError] = []
        self.header: Header | None = None
        self.header_seen = False
        # JW323 state
        self.decl_fields: tuple[str, dt.date, dt.date, dt.date] | None = None
        self.decl_parsed = False
        self.declared_total: int | None = None
        self.total_line: int | None = None
        self.clienten_seen = False
        self.client_index = 0
        self.line_index = 0
        self.cur: _ClientState | None = None
        self.clients: list[DeclaratieClient] = []
        self.lines_total = 0
        self.lines_rejected = 0
        self.lines_net = 0
        self.lines_net_known = True
        self.seen_refs: set[tuple[str, str]] = set()
        self.message: Message | None = None
        self.t = _NO_TAGS  # replaced once the root namespace is known
        self.dates: dict[str, dt.date] = {}  # valid date texts seen in this file (they repeat a lot)
        # A message read whole (``run_whole``): per parent element its first child of every tag,
        # made in one walk over the children (a parent is asked for several children); None while
        # streaming, where the elements read are freed.
        self.firsts: dict[etree._Element, dict[object, etree._Element]] | None = None

    # ------------------------------------------------------------ error helpers

    def _err(
        self, sink: _Sink, element: str, rule: str, message: str, line: int | None, tr: str | None = None
    ) -> None:
        sink.errors.append(ValidationError(self.file, None, element, rule, message, line, sink.scope, tr=tr))

    def _findings(self, sink: _Sink, findings: list[Finding], path: str, el: etree._Element) -> None:
        for f in findings:
            self._err(sink, f"{path}/{f.element}", f.rule, f.message, _sub_line(el, f.element), f.tr)

    # ------------------------------------------------------------ value helpers (layer b)

    def _child(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        *,
        base: bool = False,
        required: bool = True,
    ) -> etree._Element | None:
        tag = (_B if base else self.ns) + name
        firsts = self.firsts
        if firsts is None:
            for el in parent.iterchildren(tag):
                return el
        else:
            kids = firsts.get(parent)
            if kids is None:
                kids = firsts[parent] = {}
                for child in reversed(parent):  # the first child of each tag wins
                    kids[child.tag] = child
            found = kids.get(tag)
            if found is not None:
                return found
        if required:
            for other in parent:
                if _local(other.tag) == name:
                    wrong = etree.QName(other).namespace or "(geen)"
                    expected = tag[1:].split("}", 1)[0]
                    self._err(
                        sink,
                        f"{path}/{name}",
                        E.XML_NAMESPACE,
                        f"{name} staat in namespace {wrong}, verwacht {expected}",
                        _ln(other),
                    )
                    return None
            self._err(
                sink,
                f"{path}/{name}",
                E.STRUCTURE_MISSING,
                f"verplicht element {name} ontbreekt",
                _ln(parent),
            )
        return None

    def _text(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        *,
        base: bool = False,
        required: bool = True,
    ) -> tuple[str | None, etree._Element | None]:
        el = self._child(sink, parent, name, path, base=base, required=required)
        if el is None:
            return None, None
        text = (el.text or "").strip()
        if not text:
            self._err(sink, f"{path}/{name}", E.STRUCTURE_MISSING, f"element {name} is leeg", _ln(el))
            return None, el
        return text, el

    def _str(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        pattern: re.Pattern[str],
        descr: str,
        *,
        base: bool = False,
        required: bool = True,
        echo: bool = True,
    ) -> str | None:
        text, el = self._text(sink, parent, name, path, base=base, required=required)
        if text is None or el is None:
            return None
        if pattern.fullmatch(text) is None:
            shown = f"'{text}' " if echo else ""
            self._err(sink, f"{path}/{name}", E.STRUCTURE_INVALID, f"{name} {shown}is geen {descr}", _ln(el))
            return None
        return text

    def _int(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        lo: int,
        hi: int,
        *,
        base: bool = False,
        required: bool = True,
    ) -> int | None:
        text, el = self._text(sink, parent, name, path, base=base, required=required)
        if text is None or el is None:
            return None
        if _INT.fullmatch(text) is None:
            self._err(
                sink,
                f"{path}/{name}",
                E.STRUCTURE_INVALID,
                f"{name} '{text}' is geen geheel getal",
                _ln(el),
            )
            return None
        value = int(text)
        if not lo <= value <= hi:
            self._err(
                sink,
                f"{path}/{name}",
                E.STRUCTURE_INVALID,
                f"{name} {value} ligt niet tussen {lo} en {hi}",
                _ln(el),
            )
            return None
        return value

    def _nummer(self, sink: _Sink, parent: etree._Element, name: str, path: str) -> str | None:
        """An LDT_Nummer (ToewijzingNummer), canonical (no leading zeros) so that "007" == "7"."""
        value = self._int(sink, parent, name, path, 0, MAX_NUMMER)
        return None if value is None else str(value)

    def _date(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        *,
        base: bool = False,
        required: bool = True,
        echo: bool = True,
    ) -> dt.date | None:
        text, el = self._text(sink, parent, name, path, base=base, required=required)
        if text is None or el is None:
            return None
        value = _DATES.get(text)
        if value is None and _DATE.fullmatch(text):
            try:
                value = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
            except ValueError:
                value = None
            # Kept for the next message, except a birth date (not shown, not kept: personal data).
            if value is not None and echo and len(_DATES) < _DATES_KEPT:
                _DATES[text] = value
        if value is None:
            shown = f"'{text}' " if echo else ""
            self._err(
                sink,
                f"{path}/{name}",
                E.DATE_INVALID,
                f"{name} {shown}is geen bestaande datum (JJJJ-MM-DD)",
                _ln(el),
            )
        return value

    def _code(
        self,
        sink: _Sink,
        parent: etree._Element,
        name: str,
        path: str,
        list_name: str,
        *,
        base: bool = False,
        required: bool = True,
    ) -> str | None:
        text, el = self._text(sink, parent, name, path, base=base, required=required)
        if text is None or el is None:
            return None
        if text not in _CODES[list_name]:
            self._err(
                sink,
                f"{path}/{name}",
                E.CODE_UNKNOWN,
                f"{name} '{text}' komt niet voor in codelijst {list_name}",
                _ln(el),
            )
            return None
        return text

    def _product(self, sink: _Sink, parent: etree._Element, path: str) -> tuple[str | None, str | None]:
        el = self._child(sink, parent, "Product", path, required=False)
        if el is None:
            return None, None
        p = f"{path}/Product"
        cat = self._code(sink, el, "Categorie", p, "LDT_ProductCategorie", base=True)
        code = self._str(
            sink, el, "Code", p, _PRODUCTCODE, "productcode van 1 tot 5 tekens", base=True, required=False
        )
        return cat, code

    def _omvang(self, sink: _Sink, parent: etree._Element, path: str) -> Omvang | None:
        el = self._child(sink, parent, "Omvang", path, required=False)
        if el is None:
            return None
        p = f"{path}/Omvang"
        volume = self._int(sink, el, "Volume", p, 0, MAX_BEDRAG, base=True)
        eenheid = self._code(sink, el, "Eenheid", p, "LDT_Eenheid", base=True)
        freq = self._code(sink, el, "Frequentie", p, "LDT_Frequentie", base=True)
        if volume is None or eenheid is None or freq is None:
            return None
        return Omvang(volume, eenheid, freq)

    # ------------------------------------------------------------ header and client

    def _parse_header(self, el: etree._Element) -> None:
        sink, p = self.msg_sink, "/Bericht/Header"
        kind = self.kind or ""
        self.header_seen = True
        bi = self._child(sink, el, "BerichtIdentificatie", p)
        ident = dagtekening = None
        if bi is not None:
            bp = f"{p}/BerichtIdentificatie"
            ident = self._str(
                sink, bi, "Identificatie", bp, _IDENT, "berichtidentificatie van 1 tot 12 tekens", base=True
            )
            self.message_id = ident
            dagtekening = self._date(sink, bi, "Dagtekening", bp, base=True)
        code = self._str(sink, el, "BerichtCode", p, _BERICHTCODE, "berichtcode")
        if code is not None and code != str(BERICHTCODE[kind]):
            self._err(
                sink,
                f"{p}/BerichtCode",
                E.STRUCTURE_INVALID,
                f"BerichtCode {code} hoort niet bij {kind} (verwacht {BERICHTCODE[kind]})",
                _sub_line(el, "BerichtCode"),
            )
        for name, expected in (("BerichtVersie", 3), ("BerichtSubversie", 2)):
            value = self._int(sink, el, name, p, 0, 99)
            if value is not None and value != expected:
                self._err(
                    sink,
                    f"{p}/{name}",
                    E.STRUCTURE_INVALID,
                    f"{name} {value} hoort niet bij iJw 3.2 (verwacht {expected})",
                    _sub_line(el, name),
                )
        gemeente_first = kind in SENT_BY_GEMEENTE
        afz_re, afz_descr = (
            (_GEMEENTE, "gemeentecode van 4 cijfers") if gemeente_first else (_AGB, "AGB-code van 8 cijfers")
        )
        ont_re, ont_descr = (
            (_AGB, "AGB-code van 8 cijfers") if gemeente_first else (_GEMEENTE, "gemeentecode van 4 cijfers")
        )
        afzender = self._str(sink, el, "Afzender", p, afz_re, afz_descr)
        ontvanger = self._str(sink, el, "Ontvanger", p, ont_re, ont_descr)
        xv = self._child(sink, el, "XsdVersie", p)
        if xv is not None:
            for name in ("BasisschemaXsdVersie", "BerichtXsdVersie"):
                self._str(sink, xv, name, f"{p}/XsdVersie", _VERSIE, "versie (x.y.z)", base=True)
        try:
            self.header = Header(_nn(afzender), _nn(ontvanger), _nn(ident), _nn(dagtekening))
        except _Incomplete:
            self.header = None

    def _client_identity(self, sink: _Sink, client: etree._Element, path: str) -> ClientIdentity | None:
        bsn = self._bsn(sink, client, path)
        geboortedatum = None
        geb = self._child(sink, client, "Geboortedatum", path)
        if geb is not None:
            geboortedatum = self._date(sink, geb, "Datum", f"{path}/Geboortedatum", base=True, echo=False)
        geslacht = self._code(sink, client, "Geslacht", path, "LDT_Geslacht")
        try:
            return ClientIdentity(_nn(bsn), _nn(geboortedatum), _nn(geslacht))
        except _Incomplete:
            return None

    def _bsn(self, sink: _Sink, client: etree._Element, path: str) -> str | None:
        text, el = self._text(sink, client, "Bsn", path)
        if text is None or el is None:
            return None
        findings = bsn_findings(text)
        self._findings(sink, findings, path, client)
        return None if findings else text

    def _items(self, sink: _Sink, client: etree._Element, container: str, item: str) -> list[etree._Element]:
        path = "/Bericht/Client"
        el = self._child(sink, client, container, path)
        if el is None:
            return []
        items = list(el.iterchildren(self.ns + item))
        if not items:
            self._err(sink, f"{path}/{container}/{item}", E.STRUCTURE_MISSING, f"geen enkel {item}", _ln(el))
        return items

    def _finish_single_client(self, root: etree._Element) -> None:
        """JW301/305/307/315: everything is message level."""
        sink, kind = self.msg_sink, self.kind or ""
        client = self._child(sink, root, "Client", "/Bericht")
        if client is None:
            return
        identity = self._client_identity(sink, client, "/Bericht/Client")
        base = PRODUCT_PATH[kind]
        if kind == "JW301":
            producten_301 = [
                self._toegewezen(sink, el, f"{base}[{i}]")
                for i, el in enumerate(
                    self._items(sink, client, "ToegewezenProducten", "ToegewezenProduct"), 1
                )
            ]
            if self.header and identity and producten_301 and not sink.errors:
                self.message = Toewijzing(self.header, identity, tuple(_nn(p) for p in producten_301))
        elif kind == "JW305":
            producten_305 = [
                self._start(sink, el, f"{base}[{i}]")
                for i, el in enumerate(self._items(sink, client, "StartProducten", "StartProduct"), 1)
            ]
            if self.header and identity and producten_305 and not sink.errors:
                self.message = StartZorg(self.header, identity, tuple(_nn(p) for p in producten_305))
        elif kind == "JW307":
            producten_307 = [
                self._stop(sink, el, f"{base}[{i}]")
                for i, el in enumerate(self._items(sink, client, "StopProducten", "StopProduct"), 1)
            ]
            if self.header and identity and producten_307 and not sink.errors:
                self.message = StopZorg(self.header, identity, tuple(_nn(p) for p in producten_307))
        elif kind == "JW315":
            producten_315 = [
                self._aangevraagd(sink, el, f"{base}[{i}]")
                for i, el in enumerate(
                    self._items(sink, client, "AangevraagdeProducten", "AangevraagdProduct"), 1
                )
            ]
            if self.header and identity and producten_315 and not sink.errors:
                self.message = VerzoekOmToewijzing(
                    self.header, identity, tuple(_nn(p) for p in producten_315)
                )

    def _toegewezen(self, sink: _Sink, el: etree._Element, path: str) -> ToegewezenProduct | None:
        nummer = self._nummer(sink, el, "ToewijzingNummer", path)
        referentie = self._str(
            sink, el, "ReferentieAanbieder", path, _REF36, "referentie van 1 tot 36 tekens", required=False
        )
        cat, code = self._product(sink, el, path)
        toewijzingsdatum = self._date(sink, el, "Toewijzingsdatum", path)
        ingangsdatum = self._date(sink, el, "Ingangsdatum", path)
        einddatum = self._date(sink, el, "Einddatum", path, required=False)
        reden = self._code(sink, el, "RedenWijziging", path, "LDT_RedenWijziging", required=False)
        omvang = self._omvang(sink, el, path)
        budget = self._int(sink, el, "Budget", path, 0, MAX_BEDRAG, required=False)
        try:
            product = ToegewezenProduct(
                _nn(nummer),
                cat,
                code,
                _nn(toewijzingsdatum),
                _nn(ingangsdatum),
                einddatum,
                reden,
                omvang,
                budget,
                referentie,
            )
        except _Incomplete:
            return None
        self._findings(sink, toegewezen_product_findings(product), path, el)
        return product

    def _start(self, sink: _Sink, el: etree._Element, path: str) -> StartProduct | None:
        nummer = self._nummer(sink, el, "ToewijzingNummer", path)
        cat, code = self._product(sink, el, path)
        ingang = self._date(sink, el, "ToewijzingIngangsdatum", path)
        begin = self._date(sink, el, "Begindatum", path)
        status = self._code(sink, el, "StatusAanlevering", path, "LDT_StatusAanlevering")
        try:
            product = StartProduct(_nn(nummer), cat, code, _nn(ingang), _nn(begin), _nn(status))
        except _Incomplete:
            return None
        self._findings(sink, start_product_findings(product), path, el)
        return product

    def _stop(self, sink: _Sink, el: etree._Element, path: str) -> StopProduct | None:
        nummer = self._nummer(sink, el, "ToewijzingNummer", path)
        cat, code = self._product(sink, el, path)
        ingang = self._date(sink, el, "ToewijzingIngangsdatum", path)
        begin = self._date(sink, el, "Begindatum", path)
        reden = self._code(sink, el, "RedenBeeindiging", path, "LDT_RedenBeeindiging")
        eind = self._date(sink, el, "Einddatum", path)
        status = self._code(sink, el, "StatusAanlevering", path, "LDT_StatusAanlevering")
        try:
            product = StopProduct(
                _nn(nummer), cat, code, _nn(ingang), _nn(begin), _nn(eind), _nn(reden), _nn(status)
            )
        except _Incomplete:
            return None
        self._findings(sink, stop_product_findings(product), path, el)
        return product

    def _aangevraagd(self, sink: _Sink, el: etree._Element, path: str) -> AangevraagdProduct | None:
        referentie = self._str(
            sink, el, "ReferentieAanbieder", path, _REF36, "referentie van 1 tot 36 tekens"
        )
        cat, code = self._product(sink, el, path)
        ingang = self._date(sink, el, "ToewijzingIngangsdatum", path)
        eind = self._date(sink, el, "ToewijzingEinddatum", path, required=False)
        omvang = self._omvang(sink, el, path)
        budget = self._int(sink, el, "Budget", path, 0, MAX_BEDRAG, required=False)
        verwijzer = None
        vw = self._child(sink, el, "Verwijzer", path)
        if vw is not None:
            vp = f"{path}/Verwijzer"
            vtype = self._code(sink, vw, "Type", vp, "LDT_TypeVerwijzer", base=True)
            agb = self._str(
                sink, vw, "ZorgverlenerCode", vp, _AGB, "AGB-code van 8 cijfers", base=True, required=False
            )
            verwijzer = None if vtype is None else Verwijzer(vtype, agb)
        try:
            product = AangevraagdProduct(
                _nn(referentie), cat, code, _nn(ingang), _nn(verwijzer), eind, omvang, budget
            )
        except _Incomplete:
            return None
        self._findings(sink, aangevraagd_product_findings(product), path, el)
        return product

    # ------------------------------------------------------------ JW323

    def _parse_declaratie_fields(self, decl: etree._Element) -> None:
        if self.decl_parsed:
            return
        self.decl_parsed = True
        sink, p = self.msg_sink, DECLARATIE_PATH
        nummer = self._str(
            sink, decl, "DeclaratieNummer", p, _DECL_NR, "declaratienummer van 1 tot 12 letters/cijfers"
        )
        begin = eind = None
        per = self._child(sink, decl, "DeclaratiePeriode", p)
        if per is not None:
            begin = self._date(sink, per, "Begindatum", f"{p}/DeclaratiePeriode", base=True)
            eind = self._date(sink, per, "Einddatum", f"{p}/DeclaratiePeriode", base=True)
        dagtekening = self._date(sink, decl, "DeclaratieDagtekening", p)
        tot = self._child(sink, decl, "TotaalIngediendBedrag", p)
        if tot is not None:
            tp = f"{p}/TotaalIngediendBedrag"
            amount = self._int(sink, tot, "TotaalBedrag", tp, 0, MAX_TOTAALBEDRAG, base=True)
            dc = self._code(sink, tot, "DebetCredit", tp, "LDT_DebetCredit", base=True)
            if amount is not None and dc is not None:
                self.declared_total = amount if dc == "D" else -amount
                self.total_line = _ln(tot)
        if begin is not None and eind is not None:
            self._findings(sink, declaratie_periode_findings(begin, eind, dagtekening), p, decl)
        try:
            self.decl_fields = (_nn(nummer), _nn(begin), _nn(eind), _nn(dagtekening))
        except _Incomplete:
            self.decl_fields = None

    def _parse_prestatie(self, el: etree._Element) -> None:
        assert self.cur is not None
        prestatie = self._quick_prestatie(el)
        if prestatie is None:
            self._check_prestatie(el)
            return
        self.seen_refs.add((prestatie.referentie_nummer, prestatie.debet_credit))
        self.cur.lines.append(_Line(prestatie, [], prestatie.signed_bedrag))

    def _quick_prestatie(self, el: etree._Element) -> Prestatie | None:
        """The claim line in ``el`` if it passes every check of ``_check_prestatie``, else None.

        The fast path for the usual, valid line: the children are read in one pass and nothing is
        built for error reports. It may refuse a valid line (e.g. a repeated element or a number
        with a sign); ``_check_prestatie`` then reads the line again, accepts it or reports why not.
        """
        t = self.t
        kids = {child.tag: child for child in el}
        pr = kids.get(t.product_referentie)
        per = kids.get(t.product_periode)
        ib = kids.get(t.ingediend_bedrag)
        if pr is None or per is None or ib is None or len(kids) != len(el):
            return None
        ref_texts = {child.tag: _strip(child.text) for child in pr}
        per_texts = {child.tag: _strip(child.text) for child in per}
        ib_texts = {child.tag: _strip(child.text) for child in ib}
        if len(ref_texts) != len(pr) or len(per_texts) != len(per) or len(ib_texts) != len(ib):
            return None
        ref = ref_texts.get(_T_REFERENTIE, "")
        vorig = ref_texts.get(_T_VORIG)
        nummer = _kid_text(kids, t.toewijzing_nummer)
        cat = _kid_text(kids, t.product_categorie)
        code = _kid_text(kids, t.product_code)
        volume = _kid_text(kids, t.geleverd_volume)
        eenheid = _kid_text(kids, t.eenheid)
        tarief = _kid_text(kids, t.product_tarief) if t.product_tarief in kids else None
        bedrag = ib_texts.get(_T_BEDRAG, "")
        dc = ib_texts.get(_T_DEBET_CREDIT, "")
        begin = self._quick_date(per_texts.get(_T_BEGIN, ""))
        eind = self._quick_date(per_texts.get(_T_EIND, ""))
        if not (
            0 < len(ref) <= 20
            and (vorig is None or 0 < len(vorig) <= 20)
            and _NUMMER_DIGITS.fullmatch(nummer)
            and cat in _CATEGORIE
            and _PRODUCTCODE.fullmatch(code)
            and begin is not None
            and eind is not None
            and _BEDRAG_DIGITS.fullmatch(volume)
            and eenheid in _EENHEID
            and (tarief is None or _BEDRAG_DIGITS.fullmatch(tarief))
            and _BEDRAG_DIGITS.fullmatch(bedrag)
            and dc in _DEBET_CREDIT
        ):
            return None
        prestatie = Prestatie(
            ref,
            str(int(nummer)),
            cat,
            code,
            begin,
            eind,
            int(volume),
            eenheid,
            None if tarief is None else int(tarief),
            int(bedrag),
            dc,
            vorig,
        )
        periode = self.decl_fields
        if (ref, dc) in self.seen_refs or prestatie_findings(
            prestatie,
            periode[1] if periode else None,
            periode[2] if periode else None,
            periode[3] if periode else None,
        ):
            return None
        return prestatie

    def _quick_date(self, text: str) -> dt.date | None:
        """A valid date, or None (invalid or absent: the full path reports it)."""
        value = self.dates.get(text)
        if value is None and _DATE.fullmatch(text):
            try:
                value = self.dates[text] = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
            except ValueError:
                return None
        return value

    def _prestatie_fields(self, sink: _Sink, el: etree._Element, path: str) -> _PrestatieFields:
        """The fields of a Prestatie after its ProductReferentie, checked in document order.

        Shared by the JW323 claim line and the JW325 answer line (same XSD type)."""
        nummer = self._nummer(sink, el, "ToewijzingNummer", path)
        cat = self._code(sink, el, "ProductCategorie", path, "LDT_ProductCategorie")
        code = self._str(sink, el, "ProductCode", path, _PRODUCTCODE, "productcode van 1 tot 5 tekens")
        begin = eind = None
        per = self._child(sink, el, "ProductPeriode", path)
        if per is not None:
            begin = self._date(sink, per, "Begindatum", f"{path}/ProductPeriode", base=True)
            eind = self._date(sink, per, "Einddatum", f"{path}/ProductPeriode", base=True)
        volume = self._int(sink, el, "GeleverdVolume", path, 0, MAX_BEDRAG)
        eenheid = self._code(sink, el, "Eenheid", path, "LDT_Eenheid")
        tarief = self._int(sink, el, "ProductTarief", path, 0, MAX_BEDRAG, required=False)
        bedrag: int | None = None
        dc: str | None = None
        ib = self._child(sink, el, "IngediendBedrag", path)
        if ib is not None:
            bedrag = self._int(sink, ib, "Bedrag", f"{path}/IngediendBedrag", 0, MAX_BEDRAG, base=True)
            dc = self._code(sink, ib, "DebetCredit", f"{path}/IngediendBedrag", "LDT_DebetCredit", base=True)
        return nummer, cat, code, begin, eind, volume, eenheid, tarief, bedrag, dc

    def _check_prestatie(self, el: etree._Element) -> None:
        """Read one claim line with every check, recording the errors (the full path)."""
        assert self.cur is not None
        path = f"{CLIENT_PATH_323}[{self.cur.index}]/Prestaties/Prestatie[{self.line_index}]"
        sink = _Sink("line")
        ref = vorig = None
        pr = self._child(sink, el, "ProductReferentie", path)
        if pr is not None:
            rp = f"{path}/ProductReferentie"
            ref = self._str(
                sink, pr, "ReferentieNummer", rp, _REFNR, "referentienummer van 1 tot 20 tekens", base=True
            )
            vorig = self._str(
                sink,
                pr,
                "VorigReferentieNummer",
                rp,
                _REFNR,
                "referentienummer van 1 tot 20 tekens",
                base=True,
                required=False,
            )
        nummer, cat, code, begin, eind, volume, eenheid, tarief, bedrag, dc = self._prestatie_fields(
            sink, el, path
        )
        signed = None if bedrag is None or dc is None else (bedrag if dc == "D" else -bedrag)
        prestatie: Prestatie | None
        try:
            prestatie = Prestatie(
                _nn(ref),
                _nn(nummer),
                _nn(cat),
                _nn(code),
                _nn(begin),
                _nn(eind),
                _nn(volume),
                _nn(eenheid),
                tarief,
                _nn(bedrag),
                _nn(dc),
                vorig,
            )
        except _Incomplete:
            prestatie = None
        if prestatie is not None:
            periode = self.decl_fields
            self._findings(
                sink,
                prestatie_findings(
                    prestatie,
                    periode[1] if periode else None,
                    periode[2] if periode else None,
                    periode[3] if periode else None,
                ),
                path,
                el,
            )
            key = (prestatie.referentie_nummer, prestatie.debet_credit)
            if key in self.seen_refs:
                self._err(
                    sink,
                    f"{path}/ProductReferentie/ReferentieNummer",
                    E.CLAIM_DUPLICATE_REFERENCE,
                    f"ReferentieNummer '{prestatie.referentie_nummer}' ({prestatie.debet_credit}) komt al eerder "
                    "voor in dit bericht",
                    _sub_line(el, "ProductReferentie/ReferentieNummer"),
                )
            self.seen_refs.add(key)
        line_errors = [replace(e, ref=ref) for e in sink.errors] if ref is not None else sink.errors
        self.cur.lines.append(_Line(prestatie, line_errors, signed))

    def _finish_client(self, el: etree._Element) -> None:
        cur = self.cur
        assert cur is not None
        bsn = self._quick_bsn(el)
        if bsn is None or not cur.lines:  # something to report: the checks again, with locations
            path = f"{CLIENT_PATH_323}[{cur.index}]"
            sink = _Sink("client")
            bsn = self._bsn(sink, el, path)
            if not cur.lines:
                self._err(
                    sink,
                    f"{path}/Prestaties/Prestatie",
                    E.STRUCTURE_MISSING,
                    "Client zonder Prestatie",
                    cur.line,
                )
            self.client_errors.extend(sink.errors)
        accepted: list[Prestatie] = []
        for line in cur.lines:
            self.lines_total += 1
            self.client_errors.extend(line.errors)
            if line.signed is None:
                self.lines_net_known = False
            else:
                self.lines_net += line.signed
            if line.prestatie is not None and not line.errors and bsn is not None:
                accepted.append(line.prestatie)
            else:
                self.lines_rejected += 1
        if accepted and bsn is not None:
            self.clients.append(DeclaratieClient(bsn, tuple(accepted)))
        self.cur = None

    def _quick_bsn(self, client: etree._Element) -> str | None:
        """The Bsn of a Client if ``_bsn`` would accept it, else None."""
        for el in client.iterchildren(self.t.bsn):
            text = _strip(el.text)
            return text if text and not bsn_findings(text) else None
        return None

    def _finish_323(self, root: etree._Element) -> None:
        sink = self.msg_sink
        decl = self._child(sink, root, "Declaratie", "/Bericht")
        if decl is None:
            return
        self._parse_declaratie_fields(decl)
        if not self.clienten_seen:
            self._child(sink, decl, "Clienten", DECLARATIE_PATH)
        elif self.client_index == 0:
            self._err(
                sink,
                f"{DECLARATIE_PATH}/Clienten/Client",
                E.STRUCTURE_MISSING,
                "geen enkele Client",
                _ln(decl),
            )
        if self.declared_total is not None and self.lines_net_known and self.client_index > 0:
            for f in total_findings(self.declared_total, self.lines_net):
                self._err(sink, f"{DECLARATIE_PATH}/{f.element}", f.rule, f.message, self.total_line)
        if self.header is not None and self.decl_fields is not None and not sink.errors:
            nummer, begin, eind, dagtekening = self.decl_fields
            self.message = Declaratie(self.header, nummer, begin, eind, dagtekening, tuple(self.clients))

    # ------------------------------------------------------------ driver

    def _check_root(self, root: etree._Element) -> bool:
        """Layer a on the root: a supported message namespace and a Bericht element."""
        qname = etree.QName(root)
        ns = qname.namespace or ""
        kind = KIND_BY_NAMESPACE.get(ns)
        if kind is None:
            self._err(
                self.msg_sink, f"/{qname.localname}", E.XML_NAMESPACE, _namespace_message(ns), _ln(root)
            )
        elif qname.localname != "Bericht":
            self._err(
                self.msg_sink,
                "/Bericht",
                E.STRUCTURE_MISSING,
                f"het root-element moet Bericht zijn, niet {qname.localname}",
                _ln(root),
            )
        if self.msg_sink.errors:
            return False
        self.kind, self.ns = kind, "{" + ns + "}"
        self.t = _tags(ns)
        return True

    def run_whole(self, data: bytes) -> ReadResult | None:
        """Read a message of another type than JW323 from ``data`` parsed whole (cheaper than
        ``iterparse`` for a small message), with the same checks in the same order as ``run``:
        the Header (the first one under the root), then the rest at the root's end. None when
        ``run`` must read it: a malformed file, a rejected root, or a claim."""
        try:
            root = etree.fromstring(data, _WHOLE_PARSER)
        except etree.XMLSyntaxError:
            return None  # run() reports where it broke, after what it read before
        if not self._check_root(root) or self.kind == "JW323":
            return None
        self.firsts = {}
        for header in root.iterchildren(self.t.header):
            self._parse_header(header)
            break
        if not self.header_seen:
            self._child(self.msg_sink, root, "Header", "/Bericht")
        self._finish_single_client(root)
        return self._result(root)

    def run(self, source: IO[bytes]) -> ReadResult:
        """Read the message from ``source``, which must be seekable: a malformed file, or one whose
        root is rejected, is read a second time by ``_scan``."""
        start = source.tell()
        root: etree._Element | None = None
        client_el: etree._Element | None = None  # the Client being read (one in the expected place)
        broken: tuple[etree.XMLSyntaxError, str] | None = None
        try:
            context = etree.iterparse(source, events=("start", "end"), tag=_EVENT_TAGS, **_PARSER_OPTIONS)
            for event, el in context:
                if root is None:  # the first event: the root is in the tree already
                    root = el.getroottree().getroot()
                    if not self._check_root(root):
                        break
                t = self.t
                tag = el.tag
                if event == "start":
                    if self.kind != "JW323":
                        continue
                    if tag == t.clienten:
                        parent = el.getparent()
                        if parent is not None and parent.tag == t.declaratie and parent.getparent() is root:
                            self.clienten_seen = True
                            self._parse_declaratie_fields(parent)
                    elif tag == t.client and _is_clienten(el.getparent(), t, root):
                        self.client_index += 1
                        self.line_index = 0
                        self.cur = _ClientState(self.client_index, _ln(el))
                        client_el = el
                    continue
                # end event
                if el is root:
                    if not self.header_seen:
                        self._child(self.msg_sink, el, "Header", "/Bericht")
                    if self.kind == "JW323":
                        self._finish_323(el)
                    else:
                        self._finish_single_client(el)
                elif tag == t.header:
                    if not self.header_seen and el.getparent() is root:
                        self._parse_header(el)
                elif client_el is None:
                    continue
                elif tag == t.prestatie:
                    parent = el.getparent()
                    if parent is not None and parent.tag == t.prestaties and parent.getparent() is client_el:
                        self.line_index += 1
                        self._parse_prestatie(el)
                        _drop(el)
                elif el is client_el:
                    self._finish_client(el)
                    _drop(el)
                    client_el = None
            if root is None:  # no element the driver acts on, so the root is no Bericht
                self._check_root(context.root)
        except etree.XMLSyntaxError as exc:
            broken = (exc, "/")
        if broken is not None or self.kind is None:
            # Malformed, or the root was rejected and the rest is only checked for well-formedness
            # (a malformed file is reported as such, whatever its root).
            source.seek(start)
            broken = _scan(source) or broken
        if broken is not None:
            syntax_error, element = broken
            error = _malformed(self.file, self.message_id, syntax_error, element)
            return ReadResult(
                self.file, None, [error], self.kind, self.message_id, header_known=self.header is not None
            )
        # The tree is whole once the loop has run to its end for a supported type (not JW323: freed).
        return self._result(root if self.kind not in (None, "JW323") else None)

    def _result(self, tree: etree._Element | None) -> ReadResult:
        errors = [*self.msg_sink.errors, *self.client_errors]
        if self.message_id is not None:
            errors = [
                e if e.message_id is not None else replace(e, message_id=self.message_id) for e in errors
            ]
        message = self.message if not self.msg_sink.errors else None
        return ReadResult(
            self.file,
            message,
            errors,
            self.kind,
            self.message_id,
            self.lines_total,
            self.lines_rejected if message is not None else self.lines_total,
            self.header is not None,
            tree,
        )


class _Tags:
    """Clark names (``{namespace}Name``) of the message elements the driver and the claim-line fast
    path compare with, made once per file."""

    def __init__(self, ns: str) -> None:
        m = "{" + ns + "}"
        self.header = m + "Header"
        self.declaratie = m + "Declaratie"
        self.clienten = m + "Clienten"
        self.client = m + "Client"
        self.bsn = m + "Bsn"
        self.prestaties = m + "Prestaties"
        self.prestatie = m + "Prestatie"
        self.product_referentie = m + "ProductReferentie"
        self.toewijzing_nummer = m + "ToewijzingNummer"
        self.product_categorie = m + "ProductCategorie"
        self.product_code = m + "ProductCode"
        self.product_periode = m + "ProductPeriode"
        self.geleverd_volume = m + "GeleverdVolume"
        self.eenheid = m + "Eenheid"
        self.product_tarief = m + "ProductTarief"
        self.ingediend_bedrag = m + "IngediendBedrag"


_T_REFERENTIE: Final = _B + "ReferentieNummer"
_T_VORIG: Final = _B + "VorigReferentieNummer"
_T_BEGIN: Final = _B + "Begindatum"
_T_EIND: Final = _B + "Einddatum"
_T_BEDRAG: Final = _B + "Bedrag"
_T_DEBET_CREDIT: Final = _B + "DebetCredit"


_NO_TAGS: Final = _Tags("")
_TAGS: dict[str, _Tags] = {}


def _tags(ns: str) -> _Tags:
    """The ``_Tags`` of a supported message namespace (made once)."""
    tags = _TAGS.get(ns)
    if tags is None:
        tags = _TAGS[ns] = _Tags(ns)
    return tags


def _is_clienten(el: etree._Element | None, t: _Tags, root: etree._Element) -> bool:
    """``el`` is /Bericht/Declaratie/Clienten."""
    if el is None or el.tag != t.clienten:
        return False
    decl = el.getparent()
    return decl is not None and decl.tag == t.declaratie and decl.getparent() is root


def _drop(el: etree._Element) -> None:
    """Free a finished element and the siblings before it (constant memory for large claims)."""
    el.clear()
    while el.getprevious() is not None:
        parent = el.getparent()
        assert parent is not None
        del parent[0]


def _scan(source: IO[bytes]) -> tuple[etree.XMLSyntaxError, str] | None:
    """Read ``source`` element by element, only to check that it is well-formed: None if it is,
    else the syntax error and the location of the elements still open there (e.g.
    ``/Bericht/Header``). The driver does not track every element, so it leaves this to a second
    read of the (rare) broken or rejected file. Memory stays constant."""
    stack: list[str] = []
    try:
        for event, el in etree.iterparse(source, events=("start", "end"), **_PARSER_OPTIONS):
            if event == "start":
                stack.append(el.tag)
            else:
                stack.pop()
                el.clear()
    except etree.XMLSyntaxError as exc:
        return exc, ("/" + "/".join(_local(t) for t in stack)) if stack else "/"
    return None


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _read(stream: IO[bytes], file: str, xsd: XsdValidator | None) -> ReadResult:
    seekable = getattr(stream, "seekable", None)
    if seekable is None or not seekable():  # a pipe or socket: held in memory once
        stream = io.BytesIO(stream.read())
    # JW317, JW319 and JW325 are read by their own module (which builds on this one).
    from jeugdregie.ijw.reader_answers import read_if_answer

    answer = read_if_answer(stream, file, xsd)
    if answer is not None:
        return answer
    start = stream.tell()
    data = stream.read(_WHOLE_MAX + 1)
    result = None
    if len(data) <= _WHOLE_MAX and _CLAIM_HEAD.search(data, 0, _HEAD_BYTES) is None:
        result = _Reader(file).run_whole(data)
    if result is None:
        stream.seek(start)
        result = _Reader(file).run(stream)
    if xsd is None or any(e.rule in (E.XML_MALFORMED, E.XML_NAMESPACE) for e in result.errors):
        return result
    if result.tree is not None:
        xsd_errors = xsd.validate_tree(result.tree, file)
    else:
        stream.seek(start)
        xsd_errors = xsd.validate_bytes(stream.read(), file)
    if xsd_errors:
        result.errors.extend(xsd_errors)
        result.message = None
        result.lines_rejected = result.lines_total
    return result


def read_file(source: Source, *, xsd: XsdValidator | None = None) -> Iterator[ReadResult]:
    """Read one iJw file (a path or a binary file object) and yield its ``ReadResult``.

    iJw puts one Bericht in a file, so this yields exactly one result; it is an iterator so that
    callers can treat files and future multi-message containers alike. With ``xsd`` the file is
    also validated against the official schemas (strict mode: any ``xsd`` error rejects the
    message; the file is then held in memory once). A file object that cannot seek (a pipe) is
    held in memory once too.
    """
    file = _name_of(source)
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as stream:
            yield _read(stream, file, xsd)
    else:
        yield _read(source, file, xsd)


def read_bytes(
    data: bytes, file: str = "<bytes>", *, xsd: XsdValidator | None = None
) -> Iterator[ReadResult]:
    """Read iJw data from memory (``file`` is the name used in errors); yields one result per
    Bericht, i.e. exactly one, like ``read_file``."""
    yield read_message(data, file, xsd=xsd)


def read_message(data: bytes, file: str = "<bytes>", *, xsd: XsdValidator | None = None) -> ReadResult:
    """Read the one iJw message in ``data`` and return its ``ReadResult`` directly."""
    return _read(io.BytesIO(data), file, xsd)
