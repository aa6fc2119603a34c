"""Reads generated demo output back (zip archives of iJw XML) into the fact records of
``jeugdregie.demo.analysis``, with the project's own reader. Used by the tests to check the
generated messages themselves, independently of the generator's in-memory facts."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.messages import Declaratie, StopZorg, Toewijzing
from jeugdregie.ijw.reader import read_message

from .analysis import AllocationFact, ClaimFact, StopFact


def iter_entries(out_dir: str | Path, prefixes: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(entry name, XML bytes) of every message in the monthly archives, in delivery order."""
    wanted = tuple(prefixes) if prefixes is not None else None
    for archive in sorted(Path(out_dir).glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if wanted is None or info.filename.startswith(wanted):
                    yield info.filename, zf.read(info)


@dataclass
class XmlFacts:
    allocations: list[AllocationFact] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)
    stops: list[StopFact] = field(default_factory=list)
    errors: list[ValidationError] = field(default_factory=list)
    messages: int = 0


def read_facts(out_dir: str | Path, kinds: Iterable[str] = ("JW301", "JW307", "JW323")) -> XmlFacts:
    """Facts of the generated messages of ``kinds``: JW301 allocations with their changes applied
    in delivery order, JW323 claim lines (signed), JW307 stops."""
    facts = XmlFacts()
    state: dict[tuple[str, str], AllocationFact] = {}
    for name, data in iter_entries(out_dir, kinds):
        result = read_message(data, name)
        facts.messages += 1
        facts.errors.extend(result.errors)
        msg = result.message
        if msg is None:
            continue
        if isinstance(msg, Toewijzing):
            gemeente, provider = msg.header.afzender, msg.header.ontvanger
            for p in msg.producten:
                key = (gemeente, p.toewijzing_nummer)
                previous = state.get(key)
                if previous is None or p.reden_wijziging is None:
                    assert p.omvang is not None and p.product_code is not None
                    state[key] = AllocationFact(
                        gemeente=gemeente,
                        nummer=p.toewijzing_nummer,
                        client=msg.client.bsn,
                        provider=provider,
                        code=p.product_code,
                        ingang=p.ingangsdatum,
                        einde=p.einddatum,
                        deleted=p.reden_wijziging == "13",
                        volume=p.omvang.volume,
                        eenheid=p.omvang.eenheid,
                        frequentie=p.omvang.frequentie,
                    )
                else:
                    state[key] = AllocationFact(
                        gemeente=previous.gemeente,
                        nummer=previous.nummer,
                        client=previous.client,
                        provider=previous.provider,
                        code=previous.code,
                        ingang=previous.ingang,
                        einde=p.einddatum,
                        deleted=p.reden_wijziging == "13",
                        volume=previous.volume,
                        eenheid=previous.eenheid,
                        frequentie=previous.frequentie,
                    )
        elif isinstance(msg, Declaratie):
            gemeente, provider = msg.header.ontvanger, msg.header.afzender
            for client in msg.clienten:
                for p in client.prestaties:
                    sign = 1 if p.debet_credit == "D" else -1
                    facts.claims.append(
                        ClaimFact(
                            gemeente=gemeente,
                            provider=provider,
                            client=client.bsn,
                            nummer=p.toewijzing_nummer,
                            code=p.product_code,
                            begin=p.begindatum,
                            end=p.einddatum,
                            volume=sign * p.geleverd_volume,
                            bedrag=sign * p.bedrag,
                        )
                    )
        elif isinstance(msg, StopZorg):
            for p in msg.producten:
                facts.stops.append(
                    StopFact(
                        msg.header.ontvanger,
                        msg.header.afzender,
                        msg.client.bsn,
                        p.toewijzing_nummer,
                        p.einddatum,
                        p.reden_beeindiging,
                    )
                )
    facts.allocations = list(state.values())
    return facts
