"""Streaming reader of the answers and change requests: JW325 (retourbericht declaratie), JW317
(verzoek om wijziging) and JW319 (antwoord op een verzoek).

``jeugdregie.ijw.reader`` hands a file to ``read_if_answer`` first; when its root is in the
namespace of one of these types, it is read here with the same value checks (layer b: structure,
code lists, dates, 11-proef) and the same ``ValidationError``s, with path and line; otherwise the
general reader reads it. Every error rejects the whole message (scope ``message``): an answer or a
request is one decision, not lines that stand on their own.

A JW325 may list many claim lines: each Prestatie is read as soon as it ends and then freed, and
each Client likewise, so memory stays constant. JW317 and JW319 are small and read at the end.
Names, addresses and contact data do not occur in these types; the BSN is returned as it is in the
message (the ingest pseudonymises it), or as the ``P:`` marker of a redacted payload.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import IO, Final

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    ClientAntwoord,
    DeclaratieAntwoord,
    NieuwProduct,
    Prestatie,
    PrestatieAntwoord,
    TeWijzigenProduct,
    VerzoekOmWijziging,
    message_namespace,
)
from jeugdregie.ijw.reader_base import (
    _DECL_NR,
    _GEMEENTE,
    _IDENT,
    _PARSER_OPTIONS,
    _REF36,
    _REFNR,
    _VERSIE,
    MAX_BEDRAG,
    MAX_TOTAALBEDRAG,
    ReadResult,
    _BaseReader,
    _drop,
    _Incomplete,
    _ln,
    _local,
    _nn,
    _scan,
)
from jeugdregie.ijw.validation import XsdValidator, _malformed

ANSWER_KINDS: Final = ("JW317", "JW319", "JW325")
KIND_BY_NAMESPACE: Final = {message_namespace(k): k for k in ANSWER_KINDS}

ANTWOORD_PATH: Final = "/Bericht/DeclaratieAntwoord"
CLIENT_PATH_325: Final = f"{ANTWOORD_PATH}/Clienten/Client"
VERZOEK_PATH: Final = "/Bericht/Client/Verzoek"

_RETOURCODE: Final = re.compile(r"[0-9A-Z]{4}")
# Cheap first test on the start of a file: only when one of these namespaces occurs there is the
# root read to be sure (the general reader's messages pay one regex search).
_HEAD_BYTES: Final = 4096
_ANSWER_NS_RE: Final = re.compile(rb"http://www\.istandaarden\.nl/ijw/3_2/jw3(17|19|25)/schema")
_EVENT_TAGS: Final = ("{*}Bericht", "{*}Header", "{*}Client", "{*}Prestatie")
_COMMENT_RE: Final = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", re.DOTALL)
_START_TAG_RE: Final = re.compile(rb"<([A-Za-z_][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)/?>")
_ATTRIBUTE_RE: Final = re.compile(rb"""([\w.:-]+)\s*=\s*(["'])(.*?)\2""", re.DOTALL)


def answer_kind(stream: IO[bytes]) -> str | None:
    """JW317, JW319 or JW325 when the root element of ``stream`` is in that type's namespace,
    else None. ``stream`` must be seekable; it is left where it was."""
    start = stream.tell()
    try:
        head = stream.read(_HEAD_BYTES)
        if _ANSWER_NS_RE.search(head) is None:
            return None
        found = _root_namespace(head)
        if found is not None:
            return KIND_BY_NAMESPACE.get(found)
        stream.seek(start)  # the root's start tag is not in the head: let the parser find it
        for _event, el in etree.iterparse(stream, events=("start",), **_PARSER_OPTIONS):
            return KIND_BY_NAMESPACE.get(etree.QName(el).namespace or "")
        return None
    except etree.XMLSyntaxError:
        return None  # the general reader reports where the file broke
    finally:
        stream.seek(start)


def _root_namespace(head: bytes) -> str | None:
    """The namespace of the root element from the start of a file, read from its start tag (an
    iterparse costs more than reading a whole small message); None when that tag is not complete
    in ``head``."""
    head = _COMMENT_RE.sub(b"", head)
    match = _START_TAG_RE.search(head)
    if match is None:
        return None
    name, attributes = match.group(1), match.group(2)
    attribute = b"xmlns:" + name.split(b":", 1)[0] if b":" in name else b"xmlns"
    for attr, _quote, value in _ATTRIBUTE_RE.findall(attributes):
        if attr == attribute:
            return value.decode("utf-8", "replace")
    return ""


def read_if_answer(stream: IO[bytes], file: str, xsd: XsdValidator | None) -> ReadResult | None:
    """The ``ReadResult`` of a JW317/JW319/JW325 in ``stream`` (seekable), or None when the file
    holds another type. With ``xsd`` the message is validated against the official schema too
    (strict mode), which the validator must have loaded."""
    kind = answer_kind(stream)
    if kind is None:
        return None
    start = stream.tell()
    result = _AnswerReader(file, kind).run(stream)
    if xsd is None or any(e.rule == E.XML_MALFORMED for e in result.errors):
        return result
    stream.seek(start)
    xsd_errors = _answer_schemas(xsd).validate_bytes(stream.read(), file)
    if xsd_errors:
        result.errors.extend(xsd_errors)
        result.message = None
        result.lines_rejected = result.lines_total
    return result


_SCHEMAS: dict[str, XsdValidator] = {}


def _answer_schemas(xsd: XsdValidator) -> XsdValidator:
    """A validator with the schemas of these three types from the folder of ``xsd`` (which may
    have loaded only the types the general reader reads); loaded once per folder."""
    key = str(xsd.xsd_dir)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = XsdValidator(xsd.xsd_dir, kinds=ANSWER_KINDS)
    return _SCHEMAS[key]


class _AnswerReader(_BaseReader):
    """Reads one JW317, JW319 or JW325; reuses the value checks of the general reader."""

    def __init__(self, file: str, kind: str) -> None:
        super().__init__(file)
        self.kind = kind
        self.ns = "{" + message_namespace(kind) + "}"
        self.answer_lines: list[PrestatieAntwoord | None] = []  # lines of the Client being read
        self.answer_clients: list[ClientAntwoord | None] = []
        self.header_325: tuple[str, dt.date, tuple[str, ...]] | None = None

    # ------------------------------------------------------------ shared pieces

    def _retourcodes(self, parent: etree._Element, path: str) -> tuple[str, ...] | None:
        sink = self.msg_sink
        container = self._child(sink, parent, "RetourCodes", path)
        if container is None:
            return None
        codes: list[str] = []
        elements = list(container.iterchildren(self.ns + "RetourCode"))
        if not elements:
            self._err(
                sink,
                f"{path}/RetourCodes/RetourCode",
                E.STRUCTURE_MISSING,
                "geen enkele RetourCode",
                _ln(container),
            )
            return None
        for i, el in enumerate(elements, 1):
            text = (el.text or "").strip()
            if _RETOURCODE.fullmatch(text) is None:
                self._err(
                    sink,
                    f"{path}/RetourCodes/RetourCode[{i}]",
                    E.CODE_UNKNOWN,
                    f"RetourCode '{text}' is geen retourcode (4 tekens, codelijst WJ001)",
                    _ln(el),
                )
                return None
            codes.append(text)
        return tuple(codes)

    def _signed_total(self, parent: etree._Element, name: str, path: str) -> int | None:
        sink = self.msg_sink
        el = self._child(sink, parent, name, path)
        if el is None:
            return None
        p = f"{path}/{name}"
        amount = self._int(sink, el, "TotaalBedrag", p, 0, MAX_TOTAALBEDRAG, base=True)
        dc = self._code(sink, el, "DebetCredit", p, "LDT_DebetCredit", base=True)
        if amount is None or dc is None:
            return None
        return amount if dc == "D" else -amount

    # ------------------------------------------------------------ JW325

    def _header_325(self, el: etree._Element) -> None:
        sink, p = self.msg_sink, "/Bericht/Header"
        di = self._child(sink, el, "DeclaratieIdentificatie", p)
        ident = dagtekening = None
        if di is not None:
            dp = f"{p}/DeclaratieIdentificatie"
            ident = self._str(
                sink, di, "Identificatie", dp, _IDENT, "berichtidentificatie van 1 tot 12 tekens", base=True
            )
            dagtekening = self._date(sink, di, "Dagtekening", dp, base=True)
        xv = self._child(sink, el, "XsdVersieDeclaratie", p)
        if xv is not None:
            for name in ("BasisschemaXsdVersie", "BerichtXsdVersie"):
                self._str(sink, xv, name, f"{p}/XsdVersieDeclaratie", _VERSIE, "versie (x.y.z)", base=True)
        codes = self._retourcodes(el, p)
        try:
            self.header_325 = (_nn(ident), _nn(dagtekening), _nn(codes))
        except _Incomplete:
            self.header_325 = None

    def _prestatie_325(self, el: etree._Element, path: str) -> PrestatieAntwoord | None:
        sink = self.msg_sink
        ref = vorig = None
        pr = self._child(sink, el, "ProductReferentie", path)
        if pr is not None:
            rp = f"{path}/ProductReferentie"
            descr = "referentienummer van 1 tot 20 tekens"
            ref = self._str(sink, pr, "ReferentieNummer", rp, _REFNR, descr, base=True)
            vorig = self._str(sink, pr, "VorigReferentieNummer", rp, _REFNR, descr, base=True, required=False)
        nummer, cat, code, begin, eind, volume, eenheid, tarief, bedrag, dc = self._prestatie_fields(
            sink, el, path
        )
        codes = self._retourcodes(el, path)
        try:
            prestatie = Prestatie(
                _nn(ref), _nn(nummer), _nn(cat), _nn(code), _nn(begin), _nn(eind),
                _nn(volume), _nn(eenheid), tarief, _nn(bedrag), _nn(dc), vorig,
            )  # fmt: skip
            return PrestatieAntwoord(prestatie, _nn(codes))
        except _Incomplete:
            return None

    def _client_325(self, el: etree._Element, index: int) -> ClientAntwoord | None:
        path = f"{CLIENT_PATH_325}[{index}]"
        bsn = self._bsn(self.msg_sink, el, path)
        if not self.answer_lines:
            self._child(self.msg_sink, el, "Prestaties", path)
            if el.find(self.ns + "Prestaties") is not None:
                self._err(
                    self.msg_sink,
                    f"{path}/Prestaties/Prestatie",
                    E.STRUCTURE_MISSING,
                    "Client zonder Prestatie",
                    _ln(el),
                )
        codes = self._retourcodes(el, path)
        lines, self.answer_lines = self.answer_lines, []
        if bsn is None or codes is None or not lines or any(line is None for line in lines):
            return None
        return ClientAntwoord(bsn, tuple(line for line in lines if line is not None), codes)

    def _finish_325(self, root: etree._Element) -> None:
        sink = self.msg_sink
        antwoord = root.find(self.ns + "DeclaratieAntwoord")
        if antwoord is None:  # the claim message rejected as a whole (optional in the XSD)
            if not sink.errors and self.header is not None and self.header_325 is not None:
                ident, dagtekening, header_codes = self.header_325
                self.message = DeclaratieAntwoord(
                    self.header,
                    ident,
                    dagtekening,
                    "",
                    0,
                    0,
                    (),
                    header_codes,
                    (),
                )
            return
        p = ANTWOORD_PATH
        nummer = self._str(
            sink, antwoord, "DeclaratieNummer", p, _DECL_NR, "declaratienummer van 1 tot 12 letters/cijfers"
        )
        ingediend = self._signed_total(antwoord, "TotaalIngediendBedrag", p)
        toegekend = self._signed_total(antwoord, "TotaalToegekendBedrag", p)
        codes = self._retourcodes(antwoord, p)
        clienten = antwoord.find(self.ns + "Clienten")
        if clienten is not None and not self.answer_clients:
            self._err(sink, f"{p}/Clienten/Client", E.STRUCTURE_MISSING, "geen enkele Client", _ln(clienten))
        if sink.errors or self.header is None or self.header_325 is None:
            return
        ident, dagtekening, header_codes = self.header_325
        self.message = DeclaratieAntwoord(
            self.header,
            ident,
            dagtekening,
            _nn(nummer),
            _nn(ingediend),
            _nn(toegekend),
            tuple(c for c in self.answer_clients if c is not None),
            header_codes,
            _nn(codes),
        )

    # ------------------------------------------------------------ JW317

    def _wish(self, el: etree._Element, path: str):
        sink = self.msg_sink
        ingang = self._date(sink, el, "GewensteIngangsdatum", path)
        eind = self._date(sink, el, "Einddatum", path, required=False)
        omvang = self._omvang(sink, el, path)
        budget = self._int(sink, el, "Budget", path, 0, MAX_BEDRAG, required=False)
        return ingang, eind, omvang, budget

    def _group(self, verzoek: etree._Element, container: str, item: str) -> list[tuple[etree._Element, str]]:
        el = verzoek.find(self.ns + container)
        if el is None:
            return []
        items = list(el.iterchildren(self.ns + item))
        if not items:
            self._err(
                self.msg_sink,
                f"{VERZOEK_PATH}/{container}/{item}",
                E.STRUCTURE_MISSING,
                f"geen enkel {item}",
                _ln(el),
            )
        return [(child, f"{VERZOEK_PATH}/{container}/{item}[{i}]") for i, child in enumerate(items, 1)]

    def _finish_317(self, root: etree._Element) -> None:
        sink = self.msg_sink
        client = self._child(sink, root, "Client", "/Bericht")
        if client is None:
            return
        bsn = self._bsn(sink, client, "/Bericht/Client")
        verzoek = self._child(sink, client, "Verzoek", "/Bericht/Client")
        if verzoek is None:
            return
        p = VERZOEK_PATH
        referentie = self._str(
            sink, verzoek, "ReferentieAanbieder", p, _REF36, "referentie van 1 tot 36 tekens"
        )
        reden = self._code(sink, verzoek, "RedenVerzoek", p, "LDT_RedenVerzoek")
        ongewijzigd = [
            self._nummer(sink, el, "ToewijzingNummer", path)
            for el, path in self._group(verzoek, "OngewijzigdeProducten", "OngewijzigdProduct")
        ]
        te_wijzigen: list[TeWijzigenProduct] = []
        for el, path in self._group(verzoek, "TeWijzigenProducten", "TeWijzigenProduct"):
            nummer = self._nummer(sink, el, "ToewijzingNummer", path)
            ingang, eind, omvang, budget = self._wish(el, path)
            if nummer is not None and ingang is not None:
                te_wijzigen.append(TeWijzigenProduct(nummer, ingang, eind, omvang, budget))
        nieuw: list[NieuwProduct] = []
        for el, path in self._group(verzoek, "NieuweProducten", "NieuwProduct"):
            cat, code = self._product(sink, el, path)
            ingang, eind, omvang, budget = self._wish(el, path)
            if ingang is not None:
                nieuw.append(NieuwProduct(cat, code, ingang, eind, omvang, budget))
        if not sink.errors and self.header is not None:
            self.message = VerzoekOmWijziging(
                self.header,
                _nn(bsn),
                _nn(referentie),
                _nn(reden),
                tuple(_nn(n) for n in ongewijzigd),
                tuple(te_wijzigen),
                tuple(nieuw),
            )

    # ------------------------------------------------------------ JW319

    def _finish_319(self, root: etree._Element) -> None:
        sink, p = self.msg_sink, "/Bericht/Antwoord"
        antwoord = self._child(sink, root, "Antwoord", "/Bericht")
        if antwoord is None:
            return
        referentie = self._str(
            sink, antwoord, "ReferentieAanbieder", p, _REF36, "referentie van 1 tot 36 tekens"
        )
        uitkomst = self._code(sink, antwoord, "VerzoekAntwoord", p, "LDT_VerzoekAntwoord")
        reden = self._code(
            sink, antwoord, "RedenAfwijzingVerzoek", p, "LDT_RedenAfwijzingVerzoek", required=False
        )
        gemeente = None
        wpb = antwoord.find(self.ns + "Woonplaatsbeginsel")
        if wpb is not None:
            gemeente = self._str(
                sink, wpb, "Gemeente", f"{p}/Woonplaatsbeginsel", _GEMEENTE, "gemeentecode van 4 cijfers"
            )
        if not sink.errors and self.header is not None:
            self.message = AntwoordVerzoek(self.header, _nn(referentie), _nn(uitkomst), reden, gemeente)

    # ------------------------------------------------------------ driver

    def _header(self, el: etree._Element) -> None:
        self._parse_header(el)
        if self.kind == "JW325":
            self._header_325(el)

    def run(self, source: IO[bytes]) -> ReadResult:
        start = source.tell()
        root: etree._Element | None = None
        t_prestatie, t_client = self.ns + "Prestatie", self.ns + "Client"
        t_prestaties, t_clienten = self.ns + "Prestaties", self.ns + "Clienten"
        try:
            for _event, el in etree.iterparse(source, events=("end",), tag=_EVENT_TAGS, **_PARSER_OPTIONS):
                parent = el.getparent()
                if parent is None:  # the root, at its end
                    root = el
                    if not self.header_seen:
                        self._child(self.msg_sink, el, "Header", "/Bericht")
                    {"JW317": self._finish_317, "JW319": self._finish_319, "JW325": self._finish_325}[
                        self.kind or ""
                    ](el)
                elif el.tag == self.ns + "Header" and parent.getparent() is None:
                    if not self.header_seen:
                        self._header(el)
                elif self.kind != "JW325":
                    continue
                elif el.tag == t_prestatie and parent.tag == t_prestaties:
                    self.lines_total += 1
                    client_index = len(self.answer_clients) + 1
                    path = f"{CLIENT_PATH_325}[{client_index}]/Prestaties/Prestatie[{len(self.answer_lines) + 1}]"
                    self.answer_lines.append(self._prestatie_325(el, path))
                    _drop(el)
                elif el.tag == t_client and parent.tag == t_clienten:
                    self.answer_clients.append(self._client_325(el, len(self.answer_clients) + 1))
                    _drop(el)
        except etree.XMLSyntaxError:
            source.seek(start)
            broken = _scan(source)
            syntax_error, element = broken if broken else (None, "/")
            if syntax_error is not None:
                error = _malformed(self.file, self.message_id, syntax_error, element)
                return ReadResult(self.file, None, [error], self.kind, self.message_id, header_known=False)
        if root is None or _local(root.tag) != "Bericht":
            self._err(
                self.msg_sink, "/Bericht", E.STRUCTURE_MISSING, "het root-element moet Bericht zijn", None
            )
            self.message = None
        errors = [
            e
            if e.message_id is not None or self.message_id is None
            else replace(e, message_id=self.message_id)
            for e in self.msg_sink.errors
        ]
        message = self.message if not errors else None
        return ReadResult(
            self.file,
            message,
            errors,
            self.kind,
            self.message_id,
            self.lines_total,
            0 if message is not None else self.lines_total,
            self.header is not None,
            root if self.kind != "JW325" else None,  # a JW325's lines and clients are freed
        )
