"""Streaming reader of the claim, JW323 (declaratie), and the ``iterparse`` driver for every type.

Every Prestatie is parsed and checked as soon as it ends and then cleared, so a claim with many
clients and lines is read in constant memory. A valid claim line is read in one pass over its
children (``_quick_prestatie``); a line with any error is read again by the full path, which
builds the error locations (``_check_prestatie``). The driver (``_Reader.run``) also reads the
other types when they cannot be parsed whole (``reader_whole``): a malformed, large or rejected
file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import IO, Final

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import (
    Declaratie,
    DeclaratieClient,
    Prestatie,
)
from jeugdregie.ijw.reader_base import (
    _B,
    _CODES,
    _DATE,
    _DECL_NR,
    _PARSER_OPTIONS,
    _PRODUCTCODE,
    _REFNR,
    MAX_TOTAALBEDRAG,
    ReadResult,
    _drop,
    _Incomplete,
    _kid_text,
    _ln,
    _nn,
    _scan,
    _Sink,
    _strip,
    _sub_line,
    _Tags,
)
from jeugdregie.ijw.reader_whole import _WholeReader
from jeugdregie.ijw.validation import (
    CLIENT_PATH_323,
    DECLARATIE_PATH,
    _malformed,
    bsn_findings,
    declaratie_periode_findings,
    prestatie_findings,
    total_findings,
)

# Code lists tested for several fields of every claim line.
_CATEGORIE: Final = _CODES["LDT_ProductCategorie"]
_EENHEID: Final = _CODES["LDT_Eenheid"]
_DEBET_CREDIT: Final = _CODES["LDT_DebetCredit"]
# Stricter than _INT plus the range check (no sign, at most MAX_BEDRAG / MAX_NUMMER): values that
# pass are valid; anything else goes to the full path, which accepts or reports it.
_BEDRAG_DIGITS: Final = re.compile(r"[0-9]{1,8}")
_NUMMER_DIGITS: Final = re.compile(r"[0-9]{1,9}")

# The only elements the driver acts on; libxml2 still parses, and checks the well-formedness of,
# the whole file, but Python sees a few events per claim line instead of two per element.
# "{*}": the message namespace is known only once the root has been read.
_EVENT_TAGS: Final = ("{*}Bericht", "{*}Header", "{*}Clienten", "{*}Client", "{*}Prestatie")

# The children in the base namespace that the claim-line fast path reads.
_T_REFERENTIE: Final = _B + "ReferentieNummer"
_T_VORIG: Final = _B + "VorigReferentieNummer"
_T_BEGIN: Final = _B + "Begindatum"
_T_EIND: Final = _B + "Einddatum"
_T_BEDRAG: Final = _B + "Bedrag"
_T_DEBET_CREDIT: Final = _B + "DebetCredit"


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


class _Reader(_WholeReader):
    """The streaming reader: JW323, and any supported type read by ``run`` (``iterparse``)."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
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
        self.lines_net = 0
        self.lines_net_known = True
        self.seen_refs: set[tuple[str, str]] = set()
        self.dates: dict[str, dt.date] = {}  # valid date texts seen in this file (they repeat a lot)

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


def _is_clienten(el: etree._Element | None, t: _Tags, root: etree._Element) -> bool:
    """``el`` is /Bericht/Declaratie/Clienten."""
    if el is None or el.tag != t.clienten:
        return False
    decl = el.getparent()
    return decl is not None and decl.tag == t.declaratie and decl.getparent() is root
