"""Shared constants and helpers of the demo generator tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from jeugdregie.ijw.pseudonym import client_key
from jeugdregie.rules.kpi import Facts

REPO_ROOT = Path(__file__).resolve().parents[2]
XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "xsd"
XSD_MISSING_REASON = (
    f"official iJw 3.2 XSDs not found at {XSD_DIR} (the shared/ folder beside the repository is absent)"
)

#: Short period: the determinism and message-validity checks.
SHORT_UNTIL = dt.date(2022, 3, 31)
#: Long period: 2022-2024 complete including the claim lag (at most 6 months: 2024 is complete from
#: 2025-06-30 on) and the first quarter of the new product book (2026).
LONG_UNTIL = dt.date(2026, 3, 31)


# ---------------------------------------------------------------- database facts vs XML facts


def same_value(a: Any, b: Any) -> bool:
    """Equal, floats to a relative 1e-12 (sums in another order), through dicts and lists."""
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-12)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differing_fields(db: Facts, xml: Facts, key: bytes) -> set[str]:
    """The fact fields in which the database's facts and the XML's differ, after mapping the XML's
    BSNs to the database's pseudonyms (``key``) and its allocation ids to the database's keys (both
    count in ingest order). ``{"count"}`` when they do not even hold as many facts."""
    if len(db.allocations) != len(xml.allocations) or len(db.claims) != len(xml.claims):
        return {"count"}
    pseudonyms: dict[str, str] = {}

    def pseudonym(bsn: str) -> str:
        if bsn not in pseudonyms:
            pseudonyms[bsn] = client_key(bsn, key)
        return pseudonyms[bsn]

    db_allocations = sorted(db.allocations, key=lambda a: a.id)
    xml_allocations = sorted(xml.allocations, key=lambda a: a.id)
    db_id = {x.id: d.id for d, x in zip(db_allocations, xml_allocations, strict=True)}
    found: set[str] = set()
    for d, x in zip(db_allocations, xml_allocations, strict=True):
        x = replace(x, id=d.id, client=pseudonym(x.client))
        found |= {f.name for f in fields(d) if getattr(d, f.name) != getattr(x, f.name)}
    # A deleted allocation's claims keep their allocation id (not in db_id): compare those unmapped.
    xml_claims = Counter(
        replace(c, client=pseudonym(c.client), toewijzing=db_id.get(c.toewijzing, c.toewijzing))
        for c in xml.claims
    )
    db_claims = Counter(db.claims)
    xml_rejected = Counter(
        replace(c, client=pseudonym(c.client), toewijzing=db_id.get(c.toewijzing, c.toewijzing))
        for c in xml.rejected_claims
    )
    if xml_rejected != Counter(db.rejected_claims):
        found.add("rejected_claims")
    # change requests count in ingest order too: compare them without their ids
    if Counter(replace(r, id=0, client=pseudonym(r.client)) for r in xml.change_requests) != Counter(
        replace(r, id=0) for r in db.change_requests
    ):
        found.add("change_requests")
    if xml_claims != db_claims:
        only_db = sorted(db_claims - xml_claims, key=repr)
        only_xml = sorted(xml_claims - db_claims, key=repr)
        found |= {
            f.name
            for d, x in zip(only_db, only_xml, strict=True)
            for f in fields(d)
            if getattr(d, f.name) != getattr(x, f.name)
        }
    return found
