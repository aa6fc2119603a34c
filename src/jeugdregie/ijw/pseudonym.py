"""Keyed pseudonyms for BSNs and redaction of message payloads (SYSTEM.md section 6).

A BSN is never stored: only ``pseudonymise(bsn, key)``, the hex HMAC-SHA256 under the region's
secret key. Messages that must be kept for reprocessing (quarantine) are stored through
``redact_payload``: every ``Bsn`` becomes ``P:<pseudonym>`` (which the reader accepts as an
already pseudonymised client) and names, addresses and contact data are emptied.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final

from lxml import etree

PSEUDONYM_PREFIX: Final = "P:"
_PSEUDONYM_RE: Final = re.compile(r"P:[0-9a-f]{64}")

#: Local names of elements whose whole subtree is personal data (text is emptied on redaction).
#: ``Commentaar`` is free text and may hold anything, so it is emptied too.
PERSONAL_ELEMENTS: Final = frozenset(
    {"Naam", "Contactgegevens", "Contact", "Relaties", "Adres", "Telefoon", "Emailadres", "Commentaar"}
)


def pseudonymise(bsn: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of the BSN under ``key`` (64 lowercase hex characters)."""
    if not key:
        raise ValueError("pseudonymise: een geheime sleutel is verplicht")
    return hmac.new(key, bsn.encode("utf-8"), hashlib.sha256).hexdigest()


def is_pseudonymised(value: str) -> bool:
    """True for a ``P:<64 lowercase hex>`` marker as written by ``redact_payload``."""
    return _PSEUDONYM_RE.fullmatch(value) is not None


def client_key(bsn_or_marker: str, key: bytes) -> str:
    """The pseudonym to store for a client: ``pseudonymise(bsn)``, or the pseudonym inside an
    already pseudonymised ``P:`` marker (from a redacted, reprocessed payload)."""
    if is_pseudonymised(bsn_or_marker):
        return bsn_or_marker[len(PSEUDONYM_PREFIX) :]
    return pseudonymise(bsn_or_marker, key)


def _marker(bsn: str, key: bytes) -> str:
    return bsn if is_pseudonymised(bsn) else PSEUDONYM_PREFIX + pseudonymise(bsn, key)


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def redact_payload(xml_bytes: bytes, key: bytes) -> bytes:
    """The payload without BSNs and personal data, for quarantine storage.

    Well-formed XML: every ``Bsn`` text becomes ``P:`` + pseudonym; the elements in
    ``PERSONAL_ELEMENTS`` keep their structure but lose all text and attributes; comments and
    processing instructions are dropped. Not well-formed (e.g. a cut-off file): regex fallback:
    every run of exactly 9 digits becomes ``P:`` + its pseudonym, and the content of name,
    address, contact and comment tags is dropped where a tag can be matched (up to the closing
    tag, or to the end of the data when the closing tag was cut off).
    """
    if not key:
        raise ValueError("redact_payload: een geheime sleutel is verplicht")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml_bytes, parser)
    except etree.XMLSyntaxError:
        return _redact_text(xml_bytes, key)
    for el in root.iter():
        name = _local(el.tag)
        if name == "Bsn":
            el.text = _marker((el.text or "").strip(), key)
        elif name in PERSONAL_ELEMENTS:
            for sub in list(el.iter()):
                if sub is not el and not isinstance(sub.tag, str):  # unresolved entity reference
                    parent = sub.getparent()
                    if parent is not None:
                        parent.remove(sub)
                    continue
                sub.text = None
                sub.attrib.clear()
                if sub is not el:
                    sub.tail = None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_DIGITS_RE: Final = re.compile(rb"P:[0-9a-f]{64}|(?<![0-9])[0-9]{9}(?![0-9])")
# An opening tag of a personal element (with optional prefix) up to its closing tag or the end.
_PERSONAL_TAG_RE: Final = re.compile(
    rb"<((?:[\w.-]+:)?(?:[\w.-]*(?:[Nn]aam|[Aa]dres)|Contact[\w.-]*|Relatie[\w.-]*|Telefoon[\w.-]*"
    rb"|Voorletters|Voorvoegsel|Postcode|Huis[\w.-]*|Commentaar|Organisatie))(\s[^<>]*)?>"
    rb".*?(?:</\1\s*>|\Z)",
    re.DOTALL,
)


def _redact_text(data: bytes, key: bytes) -> bytes:
    def personal(m: re.Match[bytes]) -> bytes:
        name = m.group(1)
        return b"<" + name + b"></" + name + b">"

    def digits(m: re.Match[bytes]) -> bytes:
        run = m.group(0)
        if run.startswith(b"P:"):
            return run
        return (PSEUDONYM_PREFIX + pseudonymise(run.decode("ascii"), key)).encode("ascii")

    return _DIGITS_RE.sub(digits, _PERSONAL_TAG_RE.sub(personal, data))
