"""What the generator emitted, as plain records (``generate(..., keep_facts=True)``).

Tests of the generator's own structure read them (JW301 changes and deletions, the move to the new
product book, which the KPI facts no longer show as they map products to the new book). The
calibration patterns are checked on the XML with the product's KPI registry (``kpifacts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EmittedAllocation:
    """The state of one allocation after all JW301 messages about it (changes applied)."""

    gemeente: str
    nummer: str
    client: str  # BSN
    provider: str  # AGB
    code: str
    ingang: dt.date
    einde: dt.date | None
    deleted: bool
    volume: int
    eenheid: str
    frequentie: str


@dataclass(frozen=True, slots=True)
class EmittedClaim:
    """One claim line (Prestatie); ``volume`` and ``bedrag`` are signed (credit negative)."""

    gemeente: str
    provider: str
    client: str
    nummer: str
    code: str
    begin: dt.date
    end: dt.date
    volume: int
    bedrag: int


@dataclass(frozen=True, slots=True)
class EmittedStop:
    gemeente: str
    provider: str
    client: str
    nummer: str
    einde: dt.date
    reden: str


@dataclass
class EmittedFacts:
    """What the emitted messages of one copy say (as of ``until``)."""

    allocations: list[EmittedAllocation]
    claims: list[EmittedClaim]
    stops: list[EmittedStop]
    changes: list[tuple[str, str, str, dt.date]]  # JW301 changes: (gemeente, nummer, reden, date)
    nga_providers: set[str]
    micro_providers: set[str]
