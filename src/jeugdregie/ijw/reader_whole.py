"""Reader of the small iJw message types, each about one client: JW301 (toewijzing), JW305 (start
zorg), JW307 (stop zorg) and JW315 (verzoek om toewijzing).

Such a message is parsed whole with ``fromstring`` (``_WholeReader.run_whole``; cheaper than
``iterparse``) and checked at the end: everything in it is message level. A file that is
malformed, too large or has a rejected root is read by the streaming driver instead
(``reader_claims._Reader.run``), which uses the same checks.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.messages import (
    AangevraagdProduct,
    ClientIdentity,
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
    _PARSER_OPTIONS,
    _REF36,
    MAX_BEDRAG,
    ReadResult,
    _BaseReader,
    _Incomplete,
    _ln,
    _nn,
    _Sink,
)
from jeugdregie.ijw.validation import (
    PRODUCT_PATH,
    aangevraagd_product_findings,
    start_product_findings,
    stop_product_findings,
    toegewezen_product_findings,
)

# Parses a message of one of these types whole (``_WholeReader.run_whole``).
_WHOLE_PARSER: Final = etree.XMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]


class _WholeReader(_BaseReader):
    """JW301, JW305, JW307 and JW315: the client and its products, all message level."""

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
