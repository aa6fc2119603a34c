"""Layered validation of iJw 3.2 messages.

Layers (the reader runs a, b and d on every file; c is optional; e needs stored state):

a. well-formed XML (``xml.malformed``, with the line of the syntax error; a cut-off file lands
   here) and a known message namespace (``xml.namespace``): ``jeugdregie.ijw.reader``.
b. structure and code lists of the elements Jeugdregie uses: required elements present
   (``structure.missing``), formats such as a 4-digit gemeente, an 8-digit AGB code, 9-digit BSN,
   integer ranges, lengths (``structure.invalid``), real dates in ``JJJJ-MM-DD`` (``date.invalid``,
   e.g. 2027-06-31), codes in the iJw code lists (``code.unknown``): ``jeugdregie.ijw.reader``.
c. optional strict XSD validation against the official schemas: ``XsdValidator`` (rule ``xsd``).
d. business rules that need no database, on the facts (this module, called by the reader):
   BSN 11-proef (``bsn.elfproef``), Einddatum >= Begindatum / Ingangsdatum and Begindatum >=
   ToewijzingIngangsdatum (``date.order``), ProductPeriode inside DeclaratiePeriode
   (``date.outside_period``), IngediendBedrag == GeleverdVolume x ProductTarief when a tariff is
   given (``amount.mismatch``), TotaalIngediendBedrag == net sum of the lines
   (``total.mismatch``), a ReferentieNummer used twice for the same D/C in one message
   (``claim.duplicate_reference``).
e. rules against stored state: ``check_claim_against_state`` with a ``ClaimState`` the ingest
   implements on the ORM (``claim.*``).

What an error rejects (``ValidationError.scope``):

====================================  =========================================================
message level (``scope="message"``)   every error in JW301, JW305, JW307 and JW315 (one client,
the whole file is rejected,            a few products: partial processing would be misleading);
``ReadResult.message is None``         in JW323: xml.*, anything in Header, DeclaratieNummer,
                                       DeclaratiePeriode, DeclaratieDagtekening,
                                       TotaalIngediendBedrag, missing Clienten,
                                       ``total.mismatch``; every ``xsd`` error (strict mode).
client level (``scope="client"``)      JW323: missing or invalid Bsn of a Client (structure,
all lines of that Client               11-proef), a Client without Prestaties.
line level (``scope="line"``)          JW323: every error inside one Prestatie (structure,
only that Prestatie; ``ref`` holds     codes, dates, ``date.order``, ``date.outside_period``,
its ReferentieNummer                   ``amount.mismatch``, ``claim.duplicate_reference``) and
                                       every ``claim.*`` error of ``check_claim_against_state``.
====================================  =========================================================

A line-level or client-level error leaves the rest of the message intact: the reader returns the
Declaratie with only the accepted lines (and only clients that kept at least one line).
``TotaalIngediendBedrag`` is compared with the net sum of *all* lines in the file whose amount
could be read, rejected ones included, because that is what the sender totalled.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol, cast

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.bsn import is_valid_bsn
from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import (
    NAMESPACE_BASE,
    AangevraagdProduct,
    Declaratie,
    Prestatie,
    StartProduct,
    StopProduct,
    ToegewezenProduct,
    message_namespace,
)
from jeugdregie.ijw.pseudonym import PERSONAL_ELEMENTS, is_pseudonymised

SUPPORTED_KINDS: Final = ("JW301", "JW305", "JW307", "JW315", "JW323")
#: Root namespace -> message kind, for the supported messages.
KIND_BY_NAMESPACE: Final = {message_namespace(k): k for k in SUPPORTED_KINDS}

#: Absolute location of the repeated product element of each kind (``[i]`` is appended).
PRODUCT_PATH: Final = {
    "JW301": "/Bericht/Client/ToegewezenProducten/ToegewezenProduct",
    "JW305": "/Bericht/Client/StartProducten/StartProduct",
    "JW307": "/Bericht/Client/StopProducten/StopProduct",
    "JW315": "/Bericht/Client/AangevraagdeProducten/AangevraagdProduct",
}
CLIENT_PATH_323: Final = "/Bericht/Declaratie/Clienten/Client"
DECLARATIE_PATH: Final = "/Bericht/Declaratie"


# ------------------------------------------------------------------ layer d: rules on facts


@dataclass(frozen=True)
class Finding:
    """A broken business rule found on a fact object; ``element`` is relative to the object
    (e.g. ``"ProductPeriode/Einddatum"``); the reader turns it into a ``ValidationError``."""

    element: str
    rule: str
    message: str
    tr: str | None = None  # official rule when ``rule`` covers several (e.g. date.order)


def _euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}EUR {cents // 100},{cents % 100:02d}"


def bsn_findings(bsn: str) -> list[Finding]:
    """Format and 11-proef of a Bsn value. A ``P:<pseudonym>`` marker (a redacted, reprocessed
    payload) is accepted as an already pseudonymised client. Messages never repeat the BSN."""
    if is_pseudonymised(bsn):
        return []
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return [Finding("Bsn", E.STRUCTURE_INVALID, "Bsn moet uit precies 9 cijfers bestaan")]
    if not is_valid_bsn(bsn):
        return [Finding("Bsn", E.BSN_ELFPROEF, "Bsn voldoet niet aan de elfproef")]
    return []


def _order(
    element: str,
    end: dt.date | None,
    start: dt.date | None,
    end_name: str,
    start_name: str,
    tr: str | None = None,
) -> list[Finding]:
    if end is not None and start is not None and end < start:
        return [Finding(element, E.DATE_ORDER, f"{end_name} {end} ligt voor {start_name} {start}", tr)]
    return []


def toegewezen_product_findings(p: ToegewezenProduct) -> list[Finding]:
    """JW301 ToegewezenProduct: Einddatum >= Ingangsdatum."""
    return _order("Einddatum", p.einddatum, p.ingangsdatum, "Einddatum", "Ingangsdatum")


def start_product_findings(p: StartProduct) -> list[Finding]:
    """JW305 StartProduct: Begindatum >= ToewijzingIngangsdatum."""
    return _order(
        "Begindatum", p.begindatum, p.toewijzing_ingangsdatum, "Begindatum", "ToewijzingIngangsdatum"
    )


def stop_product_findings(p: StopProduct) -> list[Finding]:
    """JW307 StopProduct: Begindatum >= ToewijzingIngangsdatum, Einddatum >= Begindatum."""
    return _order(
        "Begindatum", p.begindatum, p.toewijzing_ingangsdatum, "Begindatum", "ToewijzingIngangsdatum"
    ) + _order("Einddatum", p.einddatum, p.begindatum, "Einddatum", "Begindatum", "TR018")


def aangevraagd_product_findings(p: AangevraagdProduct) -> list[Finding]:
    """JW315 AangevraagdProduct: ToewijzingEinddatum >= ToewijzingIngangsdatum."""
    return _order(
        "ToewijzingEinddatum",
        p.toewijzing_einddatum,
        p.toewijzing_ingangsdatum,
        "ToewijzingEinddatum",
        "ToewijzingIngangsdatum",
    )


def declaratie_periode_findings(
    begin: dt.date, eind: dt.date, dagtekening: dt.date | None = None
) -> list[Finding]:
    """JW323 DeclaratiePeriode (TR137): Einddatum >= Begindatum and not after the
    DeclaratieDagtekening (element relative to Declaratie)."""
    out = _order("DeclaratiePeriode/Einddatum", eind, begin, "Einddatum", "Begindatum", "TR137")
    if dagtekening is not None and eind > dagtekening:
        out.append(
            Finding(
                "DeclaratiePeriode/Einddatum",
                E.DATE_ORDER,
                f"Einddatum {eind} ligt na de DeclaratieDagtekening {dagtekening}",
                "TR137",
            )
        )
    return out


#: TR335: a ProductPeriode may end at most this many years before the DeclaratieDagtekening.
MAX_CLAIM_AGE_YEARS: Final = 5


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _tariff_amounts(p: Prestatie) -> set[int]:
    """The IngediendBedrag values TR346 allows for a line with a ProductTarief: volume x tariff;
    for minutes (Eenheid 01) also the hourly tariff x minutes / 60, rounded to the cent."""
    assert p.product_tarief is not None
    allowed = {p.geleverd_volume * p.product_tarief}
    if p.eenheid == "01":
        allowed.add((p.geleverd_volume * p.product_tarief * 2 + 60) // 120)  # half up
    return allowed


def prestatie_findings(
    p: Prestatie,
    periode_begin: dt.date | None = None,
    periode_eind: dt.date | None = None,
    dagtekening: dt.date | None = None,
) -> list[Finding]:
    """JW323 Prestatie: ProductPeriode in order (TR137) and within one calendar month that is not
    after the DeclaratiePeriode (TR319: a late line, for an earlier month, is allowed), not ending
    more than 5 years before the DeclaratieDagtekening (TR335), and IngediendBedrag ==
    GeleverdVolume x ProductTarief when a tariff is given (TR346; not for Eenheid 83, euros)."""
    out = _order("ProductPeriode/Einddatum", p.einddatum, p.begindatum, "Einddatum", "Begindatum", "TR137")
    one_month = (p.begindatum.year, p.begindatum.month) == (p.einddatum.year, p.einddatum.month)
    if not one_month and p.begindatum <= p.einddatum:
        out.append(
            Finding(
                "ProductPeriode",
                E.DATE_OUTSIDE_PERIOD,
                f"ProductPeriode {p.begindatum} t/m {p.einddatum} ligt niet binnen een kalendermaand",
            )
        )
    elif periode_eind is not None and max(p.begindatum, p.einddatum) > periode_eind:
        out.append(
            Finding(
                "ProductPeriode",
                E.DATE_OUTSIDE_PERIOD,
                f"ProductPeriode {p.begindatum} t/m {p.einddatum} ligt na de DeclaratiePeriode "
                f"{periode_begin} t/m {periode_eind}",
            )
        )
    if dagtekening is not None and p.einddatum < _years_before(dagtekening, MAX_CLAIM_AGE_YEARS):
        out.append(
            Finding(
                "ProductPeriode/Einddatum",
                E.DATE_TOO_OLD,
                f"Einddatum {p.einddatum} ligt meer dan {MAX_CLAIM_AGE_YEARS} jaar voor de "
                f"DeclaratieDagtekening {dagtekening}",
            )
        )
    if p.product_tarief is not None and p.eenheid != "83" and p.bedrag not in _tariff_amounts(p):
        out.append(
            Finding(
                "IngediendBedrag/Bedrag",
                E.AMOUNT_MISMATCH,
                f"IngediendBedrag {_euro(p.bedrag)} is niet gelijk aan GeleverdVolume {p.geleverd_volume}"
                f" x ProductTarief {_euro(p.product_tarief)} = {_euro(p.geleverd_volume * p.product_tarief)}",
            )
        )
    return out


def total_findings(declared_net: int, lines_net: int) -> list[Finding]:
    """JW323: TotaalIngediendBedrag (signed, D positive) == net sum of the lines."""
    if declared_net != lines_net:
        return [
            Finding(
                "TotaalIngediendBedrag",
                E.TOTAL_MISMATCH,
                f"TotaalIngediendBedrag {_euro(declared_net)} is niet gelijk aan de netto som van de "
                f"prestaties {_euro(lines_net)}",
            )
        ]
    return []


def declaratie_findings(decl: Declaratie, file: str = "<bericht>") -> list[ValidationError]:
    """Rules across the lines of one read JW323 (line level): VorigReferentieNummer unique in the
    message (TR315) and no debit credited in the same message (TR316). The later line is the one
    rejected."""
    debits = {p.referentie_nummer for c in decl.clienten for p in c.prestaties if p.debet_credit == "D"}
    seen_previous: set[str] = set()
    out: list[ValidationError] = []
    for p in (p for c in decl.clienten for p in c.prestaties):
        problems: list[tuple[str, str, str]] = []
        vorig = p.vorig_referentie_nummer
        if vorig is not None:
            if vorig in seen_previous:
                problems.append(
                    (
                        "ProductReferentie/VorigReferentieNummer",
                        E.CLAIM_DUPLICATE_PREVIOUS,
                        f"VorigReferentieNummer '{vorig}' komt al eerder voor in dit bericht",
                    )
                )
            seen_previous.add(vorig)
        if p.debet_credit == "C" and (vorig or p.referentie_nummer) in debits:
            problems.append(
                (
                    "ProductReferentie",
                    E.CLAIM_CREDIT_SAME_MESSAGE,
                    f"debetregel '{vorig or p.referentie_nummer}' wordt in hetzelfde bericht gecrediteerd",
                )
            )
        for element, rule, message in problems:
            out.append(
                ValidationError(
                    file,
                    decl.header.identificatie,
                    _line_path(p.referentie_nummer, element),
                    rule,
                    message,
                    None,
                    "line",
                    p.referentie_nummer,
                )
            )
    return out


# ------------------------------------------------------------------ layer c: strict XSD

_PREFIX_RE: Final = re.compile(r"(?<=/)(?:\w+:|\{[^}]*\})")
_BSN_PATH_RE: Final = re.compile(r"/Bsn(\[\d+\])?$")
# libxml2 quotes element names ('{ns}Name'), facet names ('pattern') and values alike.
_QUOTED_RE: Final = re.compile(r"'([^']*)'")
_FACETS: Final = frozenset(
    {
        "pattern",
        "length",
        "minLength",
        "maxLength",
        "enumeration",
        "minInclusive",
        "maxInclusive",
        "whiteSpace",
    }
)


def _mask_values(text: str) -> str:
    """Replace every quoted value in a libxml2 message by '***' (element and facet names stay)."""
    return _QUOTED_RE.sub(
        lambda m: m.group(0) if m.group(1).startswith("{") or m.group(1) in _FACETS else "'***'", text
    )


#: Containers of repeated elements: their children always get a position, as in the reader.
_REPEATING_CONTAINERS: Final = frozenset(
    {
        "Clienten",
        "Prestaties",
        "ToegewezenProducten",
        "StartProducten",
        "StopProducten",
        "AangevraagdeProducten",
        "Contactgegevens",
        "Relaties",
    }
)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def element_path(el: etree._Element) -> str:
    """Location of ``el`` without namespaces, e.g. ``/Bericht/Declaratie/Clienten/Client[1]``:
    children of repeating containers always get a position, other elements only when a sibling
    has the same name."""
    steps: list[str] = []
    cur: etree._Element | None = el
    while cur is not None:
        name = _local(cur.tag)
        parent = cur.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == cur.tag]
            if len(same) > 1 or _local(parent.tag) in _REPEATING_CONTAINERS:
                name = f"{name}[{same.index(cur) + 1}]"
        steps.append(name)
        cur = parent
    return "/" + "/".join(reversed(steps))


def _resolve_path(root: etree._Element, path: str | None) -> str:
    """libxml2 reports schema errors at paths like ``/*/*[2]/*[5]``; turn them into names."""
    if not path:
        return "/"
    try:
        namespaces = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
        found = root.getroottree().xpath(path, namespaces=namespaces)
    except etree.XPathError:
        found = None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return element_path(found[0])
    return _PREFIX_RE.sub("", path)


class XsdValidator:
    """Strict validation against the official iJw 3.2 XSDs (layer c).

    The schemas are loaded once (``xsd_dir`` must hold ``basisschema.xsd`` and the message XSDs);
    ``validate_*`` picks the schema by the root namespace and maps every libxml2 schema error to a
    ``ValidationError`` with rule ``xsd`` (message level). A redacted payload (``Bsn`` holding a
    ``P:`` pseudonym, personal data emptied) is by design not XSD-valid there; for such a document
    the errors on ``Bsn`` and inside the personal-data elements are not reported, so a
    quarantined message can be reprocessed in strict mode. One instance is not meant to be used
    from several threads at once (lxml schemas keep an error log).
    """

    def __init__(self, xsd_dir: str | os.PathLike[str], kinds: Iterable[str] = SUPPORTED_KINDS) -> None:
        directory = Path(xsd_dir)
        if not (directory / "basisschema.xsd").is_file():
            raise FileNotFoundError(f"geen iJw-XSD's gevonden in {directory} (basisschema.xsd ontbreekt)")
        parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)
        self.xsd_dir = directory
        self._schemas: dict[str, tuple[str, etree.XMLSchema]] = {}
        for kind in kinds:
            doc = etree.parse(str(directory / f"{kind}.xsd"), parser)
            self._schemas[message_namespace(kind)] = (kind, etree.XMLSchema(doc))

    def validate(self, data: bytes, file: str = "<bytes>") -> list[ValidationError]:
        """Validate one message given as bytes (same as ``validate_bytes``)."""
        return self.validate_bytes(data, file)

    def validate_bytes(self, data: bytes, file: str = "<bytes>") -> list[ValidationError]:
        parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False, load_dtd=False)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            return [_malformed(file, None, exc)]
        return self.validate_tree(root, file)

    def validate_file(self, source: str | os.PathLike[str] | IO[bytes]) -> list[ValidationError]:
        if isinstance(source, str | os.PathLike):
            file = os.fspath(source)
            data = Path(file).read_bytes()
        else:
            file = str(getattr(source, "name", "<stream>"))
            data = source.read()
        return self.validate_bytes(data, file)

    def validate_tree(self, root: etree._Element, file: str) -> list[ValidationError]:
        ns = etree.QName(root).namespace or ""
        if ns not in self._schemas:
            return [
                ValidationError(
                    file,
                    None,
                    "/" + etree.QName(root).localname,
                    E.XML_NAMESPACE,
                    _namespace_message(ns),
                    _sourceline(root),
                )
            ]
        _kind, schema = self._schemas[ns]
        ident = root.find(f"{{{ns}}}Header/{{{ns}}}BerichtIdentificatie/{{{NAMESPACE_BASE}}}Identificatie")
        message_id = ((ident.text or "").strip() or None) if ident is not None else None
        redacted = any(is_pseudonymised((el.text or "").strip()) for el in root.iter(f"{{{ns}}}Bsn"))
        if schema.validate(root):
            return []
        out: list[ValidationError] = []
        entries = cast("Iterable[Any]", schema.error_log)  # lxml-stubs lack _ErrorLog.__iter__
        for entry in entries:
            path = _resolve_path(root, entry.path)
            names = {seg.split("[", 1)[0] for seg in path.split("/")}
            personal = _BSN_PATH_RE.search(path) is not None or not names.isdisjoint(PERSONAL_ELEMENTS)
            if redacted and personal:
                continue
            text = entry.message
            if personal or "Geboortedatum" in names:  # never copy a BSN, name or address into an error
                text = _mask_values(text)
            out.append(
                ValidationError(file, message_id, path, E.XSD, f"XSD-fout: {text}", entry.line or None)
            )
        return out


def _sourceline(el: etree._Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def _namespace_message(ns: str) -> str:
    m = re.fullmatch(r"http://www\.istandaarden\.nl/ijw/3_2/(jw\d{3})/schema", ns)
    if m:
        return f"berichttype {m.group(1).upper()} wordt niet verwerkt (alleen {', '.join(SUPPORTED_KINDS)})"
    return f"onbekende namespace '{ns}': geen iJw 3.2-bericht ({', '.join(SUPPORTED_KINDS)})"


def _malformed(
    file: str, message_id: str | None, exc: etree.XMLSyntaxError, element: str = "/"
) -> ValidationError:
    line = exc.lineno if exc.lineno else None
    detail = exc.msg or str(exc)
    where = f" (regel {line})" if line else ""
    return ValidationError(
        file, message_id, element, E.XML_MALFORMED, f"geen goed gevormde XML{where}: {detail}", line
    )


# ------------------------------------------------------------------ layer e: rules against stored state


@dataclass(frozen=True)
class AllocationView:
    """What the claim checks need to know about a stored allocation (JW301 ToegewezenProduct).

    ``client_key`` is the client's pseudonym, ``aanbieder`` the AGB code of the provider it was
    allocated to. ``product_categorie``/``product_code`` are optional: when set, a claimed line
    must name the same product (a category-only allocation only checks the category).
    """

    client_key: str
    aanbieder: str
    ingangsdatum: dt.date
    einddatum: dt.date | None
    deleted: bool
    product_categorie: str | None = None
    product_code: str | None = None
    eenheid: str | None = None  # Omvang/Eenheid of the allocation, when it has one (TR341)


class ClaimState(Protocol):
    """Stored state the claim checks read; implemented by the ingest on the ORM."""

    def allocation(self, gemeente: str, toewijzing_nummer: str) -> AllocationView | None:
        """The latest state of allocation ``toewijzing_nummer`` of municipality ``gemeente``
        (ToewijzingNummer is unique per municipality), or None if unknown."""
        ...

    def debit_line(self, aanbieder: str, referentie_nummer: str) -> bool:
        """True if provider ``aanbieder`` has an accepted debit line with this ReferentieNummer."""
        ...

    def reference_used(self, aanbieder: str, referentie_nummer: str, debet_credit: str) -> bool:
        """True if provider ``aanbieder`` already has a stored line with this ReferentieNummer and
        DebetCredit (TR314)."""
        ...

    def credited(self, aanbieder: str, referentie_nummer: str) -> bool:
        """True if the debit line ``referentie_nummer`` of ``aanbieder`` was credited already (TR390)."""
        ...

    def pseudonym_of(self, bsn: str) -> str:
        """The client key (keyed pseudonym) of a BSN."""
        ...


def _line_path(referentie_nummer: str, element: str = "") -> str:
    ref = f'"{referentie_nummer}"' if "'" in referentie_nummer else f"'{referentie_nummer}'"
    base = f"{CLIENT_PATH_323}/Prestaties/Prestatie[ProductReferentie/ReferentieNummer={ref}]"
    return f"{base}/{element}" if element else base


def check_claim_against_state(
    decl: Declaratie, state: ClaimState, file: str = "<bericht>"
) -> list[ValidationError]:
    """Line-level checks of a (read, layer-b/d valid) JW323 against stored state.

    For every line: its ReferentieNummer is not stored yet for this provider with the same
    DebetCredit (TR314, ``claim.reference_used``); the allocation (gemeente = Ontvanger,
    ToewijzingNummer) must be known (TR338, ``claim.unknown_allocation``), belong to this client
    (TR304, ``claim.other_client``, compared on pseudonyms) and to this provider (TR338,
    ``claim.other_provider``, Afzender), and name the same product when the allocation carries one
    (TR339 category / TR340 code, ``claim.other_product``) and a fitting unit (TR341,
    ``claim.other_unit``: hours may be claimed in minutes). Debit lines must also not claim a
    deleted allocation (TR384, ``claim.deleted_allocation``) and their ProductPeriode must lie
    inside the allocation's Ingangsdatum..Einddatum (TR307 / TR308,
    ``claim.outside_allocation``); credit lines reverse earlier claims and are exempt from those
    two. A credit line must reverse an existing debit (TR323, ``claim.credit_without_debit``):
    the line named by ``vorig_referentie_nummer``, or, when that is absent, the debit with the
    same ReferentieNummer (the older convention); a debit earlier in the same message counts too
    (TR316 is checked inside the message, by ``declaratie_findings``). A debit is credited only
    once (TR390, ``claim.credited_twice``), in this message or against the stored lines.

    Lines are identified by their ReferentieNummer (``element`` is
    ``.../Prestatie[ProductReferentie/ReferentieNummer='R1']/...``) because the read message holds
    only the accepted lines. A Bsn that is already a ``P:`` pseudonym is used as is.
    """
    gemeente = decl.header.ontvanger
    aanbieder = decl.header.afzender
    message_id = decl.header.identificatie
    out: list[ValidationError] = []
    debits_here: set[str] = set()
    cache: dict[str, AllocationView | None] = {}

    credited_here: set[str] = set()

    def err(p: Prestatie, element: str, rule: str, message: str, tr: str | None = None) -> None:
        out.append(
            ValidationError(
                file,
                message_id,
                _line_path(p.referentie_nummer, element),
                rule,
                message,
                None,
                "line",
                p.referentie_nummer,
                tr=tr,
            )
        )

    for client in decl.clienten:
        key = client.bsn[2:] if is_pseudonymised(client.bsn) else state.pseudonym_of(client.bsn)
        for p in client.prestaties:
            is_credit = p.debet_credit == "C"
            if state.reference_used(aanbieder, p.referentie_nummer, p.debet_credit):
                err(
                    p,
                    "ProductReferentie/ReferentieNummer",
                    E.CLAIM_REFERENCE_USED,
                    f"ReferentieNummer '{p.referentie_nummer}' ({p.debet_credit}) is al eerder gebruikt "
                    f"door aanbieder {aanbieder}",
                )
                continue
            if is_credit:
                target = p.vorig_referentie_nummer or p.referentie_nummer
                if target not in debits_here and not state.debit_line(aanbieder, target):
                    err(
                        p,
                        "ProductReferentie",
                        E.CLAIM_CREDIT_WITHOUT_DEBIT,
                        f"creditregel verwijst naar debetregel '{target}' die niet bekend is bij aanbieder "
                        f"{aanbieder}",
                    )
                elif target in credited_here or state.credited(aanbieder, target):
                    err(
                        p,
                        "ProductReferentie",
                        E.CLAIM_CREDITED_TWICE,
                        f"debetregel '{target}' is al eerder gecrediteerd",
                    )
                credited_here.add(target)
            else:
                debits_here.add(p.referentie_nummer)
            if p.toewijzing_nummer not in cache:
                cache[p.toewijzing_nummer] = state.allocation(gemeente, p.toewijzing_nummer)
            alloc = cache[p.toewijzing_nummer]
            if alloc is None:
                err(
                    p,
                    "ToewijzingNummer",
                    E.CLAIM_UNKNOWN_ALLOCATION,
                    f"toewijzing {p.toewijzing_nummer} is niet bekend bij gemeente {gemeente}",
                )
                continue
            if alloc.client_key != key:
                err(
                    p,
                    "ToewijzingNummer",
                    E.CLAIM_OTHER_CLIENT,
                    f"toewijzing {p.toewijzing_nummer} hoort bij een andere client",
                )
            if alloc.aanbieder != aanbieder:
                err(
                    p,
                    "ToewijzingNummer",
                    E.CLAIM_OTHER_PROVIDER,
                    f"toewijzing {p.toewijzing_nummer} is toegewezen aan aanbieder {alloc.aanbieder}, "
                    f"niet aan {aanbieder}",
                )
            other_category = (
                alloc.product_categorie is not None and alloc.product_categorie != p.product_categorie
            )
            if other_category or (alloc.product_code is not None and alloc.product_code != p.product_code):
                err(
                    p,
                    "ProductCategorie" if other_category else "ProductCode",
                    E.CLAIM_OTHER_PRODUCT,
                    f"product {p.product_categorie}/{p.product_code} hoort niet bij toewijzing "
                    f"{p.toewijzing_nummer} ({alloc.product_categorie}/{alloc.product_code or '-'})",
                    "TR339" if other_category else "TR340",
                )
            if alloc.eenheid and p.eenheid != alloc.eenheid and (alloc.eenheid, p.eenheid) != ("04", "01"):
                err(
                    p,
                    "Eenheid",
                    E.CLAIM_OTHER_UNIT,
                    f"eenheid {p.eenheid} past niet bij eenheid {alloc.eenheid} van toewijzing "
                    f"{p.toewijzing_nummer}",
                )
            if is_credit:
                continue
            if alloc.deleted:
                err(
                    p,
                    "ToewijzingNummer",
                    E.CLAIM_DELETED_ALLOCATION,
                    f"toewijzing {p.toewijzing_nummer} is verwijderd",
                )
            elif p.begindatum < alloc.ingangsdatum or (
                alloc.einddatum is not None and p.einddatum > alloc.einddatum
            ):
                until = alloc.einddatum.isoformat() if alloc.einddatum is not None else "open einde"
                err(
                    p,
                    "ProductPeriode",
                    E.CLAIM_OUTSIDE_ALLOCATION,
                    f"ProductPeriode {p.begindatum} t/m {p.einddatum} valt buiten toewijzing "
                    f"{p.toewijzing_nummer} ({alloc.ingangsdatum} t/m {until})",
                    "TR307" if p.begindatum < alloc.ingangsdatum else "TR308",
                )
    return out
