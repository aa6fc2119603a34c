"""Conformance of every iJw 3.2 message type: the type of a file and the rules inside one message.

Jeugdregie reads five types into facts (``jeugdregie.ijw.reader``) and the answers and change
requests into their own facts; ``jeugdregie ijw validate`` must check the rest of a region's
traffic too: the return messages JW302, JW306, JW308, JW316, JW318 and JW320. For every type this
module checks, on the lxml tree, the rules of the standard that need only the message itself
(``check_tree``): TR002, TR006, TR061, TR101, TR134, TR137 and TR302 where they apply to that type
(see ``jeugdregie.ijw.trrules``). The XSDs (``--xsd-dir``) cover format, code lists and structure.

Errors are ``ValidationError``s at message level with the official rule and return code.
No BSN, name or address is copied into a message; paths use the element names without namespaces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from lxml import etree

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import Declaratie, message_namespace
from jeugdregie.ijw.pseudonym import is_pseudonymised
from jeugdregie.ijw.reader import read_bytes
from jeugdregie.ijw.trrules import INGEST, RULES
from jeugdregie.ijw.validation import XsdValidator, _malformed, declaratie_findings, element_path

#: Every message type of the iJw 3.2 release, in the order of the standard.
ALL_KINDS: Final = (
    "JW301",
    "JW302",
    "JW305",
    "JW306",
    "JW307",
    "JW308",
    "JW315",
    "JW316",
    "JW317",
    "JW318",
    "JW319",
    "JW320",
    "JW323",
    "JW325",
)
KIND_BY_NAMESPACE: Final = {message_namespace(k): k for k in ALL_KINDS}

#: Heen message -> its return message (the return repeats it with RetourCodes).
RETURN_OF: Final = {
    "JW302": "JW301",
    "JW306": "JW305",
    "JW308": "JW307",
    "JW316": "JW315",
    "JW318": "JW317",
    "JW320": "JW319",
}

_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_AGE_YEARS: Final = 120


def kind_of(root: etree._Element) -> str | None:
    """The message type of a parsed message by its root namespace, or None."""
    return KIND_BY_NAMESPACE.get(etree.QName(root).namespace or "")


def parse(data: bytes) -> etree._Element:
    """Parse one message safely (no entities, no network); raises ``etree.XMLSyntaxError``."""
    return etree.fromstring(data, _PARSER)


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# The rules match elements by local name in any namespace (as ``_local`` does): lxml's "{*}Name"
# filter does that in C, so the walks below hand Python only the elements a rule looks at.
def _any(name: str) -> str:
    return "{*}" + name


def _kid(el: etree._Element, name: str) -> etree._Element | None:
    for child in el.iterchildren(_any(name)):
        return child
    return None


def _text(el: etree._Element | None, *path: str) -> str | None:
    for name in path:
        if el is None:
            return None
        el = _kid(el, name)
    if el is None:
        return None
    return (el.text or "").strip() or None


def _date(text: str | None) -> dt.date | None:
    if text is None or not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _path(el: etree._Element) -> str:
    return element_path(el)


def _line(el: etree._Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


@dataclass
class _Check:
    file: str
    message_id: str | None
    ingest_only: bool
    errors: list[ValidationError]

    def add(self, el: etree._Element, rule: str, message: str, tr: str | None = None) -> None:
        official = tr or E.TR_BY_RULE.get(rule)
        if self.ingest_only and (official is None or RULES[official].afhandeling != INGEST):
            return
        self.errors.append(
            ValidationError(self.file, self.message_id, _path(el), rule, message, _line(el), tr=tr)
        )


# ---------------------------------------------------------------- logical keys (TR101)

#: Repeated class -> the children that make its logical key in the message (with its parents).
LOGICAL_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "ToegewezenProduct": ("ToewijzingNummer",),
    "StartProduct": ("ToewijzingNummer", "Begindatum"),
    "StopProduct": ("ToewijzingNummer", "Begindatum"),
    "AangevraagdProduct": ("ReferentieAanbieder",),
    "OngewijzigdProduct": ("ToewijzingNummer",),
    "TeWijzigenProduct": ("ToewijzingNummer",),
    "Relatie": ("Nummer",),
    "Client": ("Bsn",),
    "Prestatie": ("ProductReferentie/ReferentieNummer",),
}


#: LOGICAL_KEYS with every field split into its path.
_KEY_PATHS: Final = {
    name: tuple(tuple(f.split("/")) for f in fields) for name, fields in LOGICAL_KEYS.items()
}


def _key(el: etree._Element, paths: tuple[tuple[str, ...], ...]) -> tuple[str | None, ...]:
    return tuple(_text(el, *path) for path in paths)


def _check_keys(root: etree._Element, check: _Check, only: frozenset[str] = frozenset(LOGICAL_KEYS)) -> None:
    """TR101: within each container, the logical key of every repeated class in ``only`` is unique.

    Only the elements of those classes are visited, grouped by their parent; the findings come
    container by container in document order, each container's in the order of its children."""
    names = [name for name in LOGICAL_KEYS if name in only]
    if not names:
        return
    containers: dict[etree._Element, list[etree._Element]] = {}
    for child in root.iter(*map(_any, names)):
        parent = child.getparent()
        if parent is not None:  # the root is no child of a container
            containers.setdefault(parent, []).append(child)
    found: list[tuple[etree._Element, list[tuple[etree._Element, str]]]] = []
    for container, children in containers.items():
        if len(children) < 2:
            continue
        seen: set[tuple[str, tuple[str | None, ...]]] = set()
        duplicates: list[tuple[etree._Element, str]] = []
        for child in children:
            name = _local(child)
            if name == "Client" and _local(container) != "Clienten":
                continue
            key = _key(child, _KEY_PATHS[name])
            if any(part is None for part in key):
                continue  # a missing key element is the XSD's to report
            if (name, key) in seen:
                shown = "" if name == "Client" else f" ({', '.join(p or '' for p in key)})"
                duplicates.append(
                    (child, f"{name} met dezelfde sleutel{shown} komt al eerder voor in het bericht")
                )
            else:
                seen.add((name, key))
        if duplicates:
            found.append((container, duplicates))
    if len(found) > 1:  # a container is met at its first keyed child; report in document order
        order = {el: i for i, el in enumerate(root.iter())}
        found.sort(key=lambda item: order[item[0]])
    for _container, duplicates in found:
        for child, text in duplicates:
            check.add(child, E.DUPLICATE_KEY, text)


# ---------------------------------------------------------------- dates (TR002, TR134, TR137)

#: Per type the dates that may not lie after the message's Dagtekening (TR134).
NOT_AFTER_DAGTEKENING: Final[dict[str, tuple[str, ...]]] = {
    "JW301": ("Geboortedatum", "Toewijzingsdatum"),
    "JW305": ("Geboortedatum", "StartProduct/Begindatum"),
    "JW307": ("Geboortedatum", "StopProduct/Begindatum", "StopProduct/Einddatum"),
    "JW315": ("Geboortedatum",),
    "JW323": ("DeclaratieDagtekening",),
    "JW325": ("DeclaratieDagtekening",),
}


def _dagtekening(root: etree._Element) -> dt.date | None:
    return _date(_text(root, "Header", "BerichtIdentificatie", "Dagtekening"))


#: Per type the local names ``_check_dates`` visits.
_DATE_NAMES: Final = {
    kind: tuple(_any(n) for n in sorted({name.rsplit("/", 1)[-1] for name in names} | {"Geboortedatum"}))
    for kind, names in NOT_AFTER_DAGTEKENING.items()
}


def _check_dates(root: etree._Element, kind: str, check: _Check) -> None:
    dagtekening = _dagtekening(root)
    if dagtekening is None:
        return
    names = NOT_AFTER_DAGTEKENING.get(kind, ())
    for el in root.iter(*_DATE_NAMES.get(kind, (_any("Geboortedatum"),))):
        name = _local(el)
        if name == "Geboortedatum":
            _check_birth(el, kind, dagtekening, check)
            continue
        if name not in names:
            parent = el.getparent()
            qualified = f"{_local(parent)}/{name}" if parent is not None else name
            if qualified not in names:
                continue
        value = _date((el.text or "").strip())
        if value is not None and value > dagtekening:
            check.add(el, E.DATE_AFTER_DAGTEKENING, f"{name} {value} ligt na de dagtekening {dagtekening}")


def _check_birth(el: etree._Element, kind: str, dagtekening: dt.date, check: _Check) -> None:
    """TR134 and TR002 on a CDT_Geboortedatum (Datum + DatumGebruik); values are not shown."""
    value = _date(_text(el, "Datum"))
    datum = _kid(el, "Datum")
    if value is None or datum is None or kind not in NOT_AFTER_DAGTEKENING:
        return
    if value > dagtekening:
        check.add(datum, E.DATE_AFTER_DAGTEKENING, "Geboortedatum ligt na de dagtekening van het bericht")
    unknown = _text(el, "DatumGebruik") == "3" and value == dt.date(1900, 1, 1)
    try:
        limit = dagtekening.replace(year=dagtekening.year - MAX_AGE_YEARS)
    except ValueError:
        limit = dagtekening.replace(year=dagtekening.year - MAX_AGE_YEARS, day=28)
    if not unknown and value < limit:
        check.add(
            datum,
            E.BIRTH_DATE_TOO_OLD,
            f"Geboortedatum ligt meer dan {MAX_AGE_YEARS} jaar voor de dagtekening (en is niet als onbekend "
            "aangeduid met DatumGebruik 3)",
        )


def _check_periods(root: etree._Element, check: _Check) -> None:
    """TR137 (JW323, JW325): every period's Einddatum >= Begindatum."""
    for el in root.iter(_any("DeclaratiePeriode"), _any("ProductPeriode")):
        begin, end = _date(_text(el, "Begindatum")), _date(_text(el, "Einddatum"))
        if begin is not None and end is not None and end < begin:
            eind = _kid(el, "Einddatum")
            assert eind is not None
            check.add(eind, E.DATE_ORDER, f"Einddatum {end} ligt voor Begindatum {begin}", "TR137")


# ---------------------------------------------------------------- JW301: products and contact data


def _check_overlap(root: etree._Element, check: _Check) -> None:
    """TR302: a product occurs more than once only with non-overlapping periods (deleted
    allocations, RedenWijziging 13, left out; by category when there is no code; any two
    allocations without a category overlap as products)."""
    far = dt.date.max
    periods: list[tuple[tuple[str | None, str | None], dt.date, dt.date, etree._Element]] = []
    for el in root.iter(_any("ToegewezenProduct")):
        if _text(el, "RedenWijziging") == "13":
            continue
        start = _date(_text(el, "Ingangsdatum"))
        if start is None:
            continue
        end = _date(_text(el, "Einddatum")) or far
        product = (_text(el, "Product", "Categorie"), _text(el, "Product", "Code"))
        for other, o_start, o_end, _o_el in periods:
            same = (
                product[0] is None
                or other[0] is None
                or (
                    product[0] == other[0]
                    and (product[1] is None or other[1] is None or product[1] == other[1])
                )
            )
            if same and start <= o_end and o_start <= end:
                check.add(
                    el,
                    E.PRODUCT_OVERLAP,
                    f"product {product[0] or '-'}/{product[1] or '-'} komt al voor met een overlappende periode",
                )
                break
        periods.append((product, start, end, el))


def _check_contact(root: etree._Element, check: _Check) -> None:
    """TR061: the client has an address of Soort 01, 02 or 03. Skipped for a redacted payload
    (personal data emptied). TR006 is not checked (see ``trrules``)."""
    client = _kid(root, "Client")
    if client is None or is_pseudonymised(_text(client, "Bsn") or ""):
        return
    contacts = list(client.iter(_any("Contact")))
    if not contacts:
        return
    if not any(_text(c, "Soort") in ("01", "02", "03") for c in contacts):
        check.add(contacts[0], E.ADDRESS_MISSING, "geen adres van soort 01, 02 of 03")


# ---------------------------------------------------------------- entry points


def message_id(root: etree._Element) -> str | None:
    return _text(root, "Header", "BerichtIdentificatie", "Identificatie")


def check_tree(
    root: etree._Element, file: str = "<bericht>", *, ingest_only: bool = False
) -> list[ValidationError]:
    """The rules inside one message for the type of ``root`` (any iJw 3.2 type). With
    ``ingest_only`` only the rules Jeugdregie rejects at ingest (``trrules`` handling "ingest")."""
    kind = kind_of(root)
    check = _Check(file, message_id(root), ingest_only, [])
    if kind is None:
        return []
    if kind == "JW323":
        # The streaming reader checks the lines (TR314 for a repeated ReferentieNummer, TR134,
        # TR137, ...); the tree adds a Client repeated with the same Bsn (TR101).
        _check_keys(root, check, frozenset({"Client"}))
        return check.errors
    if kind in ("JW301", "JW305", "JW307", "JW315", "JW317", "JW325"):
        _check_keys(root, check)
    if kind in NOT_AFTER_DAGTEKENING:
        _check_dates(root, kind, check)
    if kind in ("JW323", "JW325"):
        _check_periods(root, check)
    if kind == "JW301":
        _check_overlap(root, check)
        _check_contact(root, check)
    return check.errors


@dataclass(frozen=True)
class FileResult:
    """The outcome of validating one file: the type found (None if none) and the errors."""

    file: str
    kind: str | None
    errors: list[ValidationError]


def validate_data(data: bytes, file: str, xsd: XsdValidator | None = None) -> FileResult:
    """Every check ``ijw validate`` makes on one file of any iJw 3.2 type, without a database:
    the typed reader for the types Jeugdregie ingests (structure, code lists, dates, 11-proef,
    TR319, TR346, TR358, ... and for JW323 TR315/TR316), the rules inside one message of
    ``check_tree`` for every type, and the XSD of the type when ``xsd`` (an ``XsdValidator``
    loaded with ``ALL_KINDS``) is given."""
    errors: list[ValidationError] = []
    kind: str | None = None
    typed = list(read_bytes(data, file))
    for result in typed:
        kind = result.kind or kind
        if result.kind is not None or not any(e.rule == E.XML_NAMESPACE for e in result.errors):
            errors.extend(result.errors)
        if result.message is not None and result.kind == "JW323":
            assert isinstance(result.message, Declaratie)
            errors.extend(declaratie_findings(result.message, file))
    if any(e.rule == E.XML_MALFORMED for e in errors):
        return FileResult(file, kind, errors)
    # The typed reader's tree when it kept the message whole; else (JW323, JW325, the types it
    # does not read) the file is parsed here.
    tree = next((r.tree for r in typed if r.tree is not None), None)
    try:
        root = parse(data) if tree is None else tree
    except etree.XMLSyntaxError as exc:
        return FileResult(file, kind, [*errors, _malformed(file, None, exc)])
    kind = kind_of(root)
    if kind is None:
        namespace_errors = [e for r in typed for e in r.errors if e.rule == E.XML_NAMESPACE]
        return FileResult(file, None, errors or namespace_errors)
    errors.extend(check_tree(root, file))
    if xsd is not None:
        errors.extend(xsd.validate_tree(root, file))
    return FileResult(file, kind, errors)


def validate_sources(
    sources: Iterable[tuple[str, bytes]], *, xsd_dir: str | None = None
) -> Iterator[FileResult]:
    """``validate_data`` for every (name, bytes) of ``sources``, with the XSDs of every type."""
    xsd = XsdValidator(xsd_dir, kinds=ALL_KINDS) if xsd_dir else None
    for name, data in sources:
        yield validate_data(data, name, xsd)
