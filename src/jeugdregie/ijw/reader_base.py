"""The machinery shared by the iJw readers (``jeugdregie.ijw.reader``, ``reader_whole``,
``reader_claims``, ``reader_answers``).

``ReadResult``; the field patterns and limits of the iJw data types; the Clark names of the message
elements per namespace (``_Tags``); ``_BaseReader``, which finds a child element (and reports it as
missing or in the wrong namespace), reads and checks a value (text, number, date, code; layer b of
``jeugdregie.ijw.validation``), builds the ``ValidationError``s with path and line, checks the root
(layer a) and reads the Header; and the helpers to free a finished element (``_drop``) and to find
where a malformed file broke (``_scan``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import IO, Final, TypeVar

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.codes import CODE_LISTS
from jeugdregie.ijw.errors import Scope, ValidationError
from jeugdregie.ijw.messages import (
    BERICHTCODE,
    NAMESPACE_BASE,
    SENT_BY_GEMEENTE,
    Header,
    Message,
    Omvang,
)
from jeugdregie.ijw.validation import (
    KIND_BY_NAMESPACE,
    Finding,
    _namespace_message,
    bsn_findings,
)

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

_PARSER_OPTIONS: Final = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


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


class _BaseReader:
    """The state of one file's read and the checks every message type uses; the readers of the
    message types build on it (``reader_whole``, ``reader_claims``, ``reader_answers``)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.kind: str | None = None
        self.ns = ""
        self.message_id: str | None = None
        self.msg_sink = _Sink("message")
        self.client_errors: list[ValidationError] = []
        self.header: Header | None = None
        self.header_seen = False
        self.lines_total = 0
        self.lines_rejected = 0
        self.message: Message | None = None
        self.t = _NO_TAGS  # replaced once the root namespace is known
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

    # ------------------------------------------------------------ header

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

    def _bsn(self, sink: _Sink, client: etree._Element, path: str) -> str | None:
        text, el = self._text(sink, client, "Bsn", path)
        if text is None or el is None:
            return None
        findings = bsn_findings(text)
        self._findings(sink, findings, path, client)
        return None if findings else text

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

    # ------------------------------------------------------------ root and result

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


_NO_TAGS: Final = _Tags("")
_TAGS: dict[str, _Tags] = {}


def _tags(ns: str) -> _Tags:
    """The ``_Tags`` of a supported message namespace (made once)."""
    tags = _TAGS.get(ns)
    if tags is None:
        tags = _TAGS[ns] = _Tags(ns)
    return tags


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
