"""`jeugdregie generate-demo-data`: deterministic iJw message traffic of the demo region.

Output layout (OUT)::

    OUT/2021-01.zip ... OUT/<until YYYY-MM>.zip   one archive per month of delivery (Dagtekening)
    OUT/manifest.json                             parameters, counts, per-archive SHA-256, and the
                                                  market table of the generated claims

Each archive holds one iJw 3.2 XML file per message, named as ``jeugdregie.ijw.writer``
names them (``<KIND>_<afzender>_<identificatie>.xml``); allocations that were already running at
the start of 2021 come with their earlier messages in archives of earlier months. ``jeugdregie
ingest OUT`` reads the folder (it accepts folders and zip files).

``--scale N`` generates N independent copies of the region (own youths and providers, the same
patterns), one after the other, so memory stays that of one copy: the archives are written as a
stream (``zipsink``), never held in memory. Same seed, scale and until: the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from . import region, targets
from .emit import KINDS, CopyEmitter
from .providers import copy_providers
from .records import EmittedFacts
from .sim_params import FIRST_YEAR
from .simulation import CopySimulation
from .zipsink import MonthlyZips

GENERATOR_NAME: Final = "jeugdregie generate-demo-data"
GENERATOR_VERSION: Final = "1"
MAX_SCALE: Final = 90  # BSNs are unique up to 90 copies (unique_bsn)
#: Months simulated beyond ``until``, so that requests and allocations for care starting soon after
#: ``until`` are present, as they would be in reality.
LOOKAHEAD_DAYS: Final = 62

Progress = Callable[[str], None]
#: Simulation log lines that are worth a warning: calibration that could not be met exactly.
WARNINGS: Final = ("rest", "te weinig", "microgrens")


def default_until(today: dt.date | None = None) -> dt.date:
    """The last day of the last complete month before ``today``."""
    today = today or dt.date.today()
    return today.replace(day=1) - dt.timedelta(days=1)


@dataclass
class GenerationResult:
    out: Path
    seed: int
    scale: int
    until: dt.date
    files: list[dict[str, Any]]
    messages: dict[str, int]
    jw301_changes: dict[str, int]
    claim_lines_debit: int
    claim_lines_credit: int
    youths: int
    allocations: int
    bytes_xml: int
    seconds: float
    market: dict[tuple[int, str, str], tuple[int, int]]
    facts: EmittedFacts | None = None
    log: list[str] = field(default_factory=list)
    #: per year of the ProductPeriode (or of the request): late lines, corrections, rejected lines
    #: per return code, change requests and their outcome, moves
    yearly: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def total_messages(self) -> int:
        return sum(self.messages.values())


def generate(
    out: str | os.PathLike[str],
    *,
    seed: int = 1,
    scale: int = 1,
    until: dt.date | None = None,
    progress: Progress | None = None,
    keep_facts: bool = False,
    compresslevel: int = 6,
) -> GenerationResult:
    """Generate the demo data into the directory ``out`` (created if needed; an earlier run's output
    there is replaced, other zip archives make it refuse).

    ``keep_facts`` returns the facts of copy 1 (allocations, claim lines, stops as emitted) for
    checks; meant for scale 1."""
    started = time.perf_counter()
    until = until or default_until()
    if until < dt.date(FIRST_YEAR, 1, 31):
        raise ValueError(f"--until moet op of na {FIRST_YEAR}-01-31 liggen")
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"--scale moet tussen 1 en {MAX_SCALE} liggen")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous_output(out_dir)
    last_year = (until + dt.timedelta(days=LOOKAHEAD_DAYS)).year
    specs = region.aanbieders(scale)
    per_copy = len(specs) // scale
    zips = MonthlyZips(out_dir, compresslevel)
    messages = dict.fromkeys(KINDS, 0)
    changes: dict[str, int] = {}
    debit = credit = youths = allocations = bytes_xml = 0
    market: dict[tuple[int, str, str], list[int]] = {}
    facts: EmittedFacts | None = None
    log: list[str] = []
    yearly: dict[str, dict[int, int]] = {}
    for copy in range(scale):
        providers = copy_providers(specs[copy * per_copy : (copy + 1) * per_copy], copy)
        sim = CopySimulation(seed, copy, providers, last_year)
        sim.run(progress)
        log.extend(f"kopie {copy + 1}: {line}" for line in sim.log if any(w in line for w in WARNINGS))
        emitter = CopyEmitter(sim, until, collect_facts=keep_facts and copy == 0)
        stats = emitter.emit(zips.add)
        if keep_facts and copy == 0:
            facts = emitter.facts()
        for kind, n in stats.messages.items():
            messages[kind] += n
        for reden, n in stats.jw301_changes.items():
            changes[reden] = changes.get(reden, 0) + n
        debit += stats.claim_lines_debit
        credit += stats.claim_lines_credit
        youths += stats.youths
        allocations += stats.allocations
        bytes_xml += stats.bytes_xml
        for what, per_year in stats.yearly.items():
            total = yearly.setdefault(what, {})
            for year, n in per_year.items():
                total[year] = total.get(year, 0) + n
        for key, per_client in stats.market.items():
            cell = market.setdefault(key, [0, 0])
            cell[0] += sum(1 for v in per_client.values() if v > 0)
            cell[1] += sum(per_client.values())
        del sim, emitter, stats
        if progress:
            progress(f"kopie {copy + 1} van {scale} geschreven ({sum(messages.values()):,} berichten)")
    sinks = zips.close()
    files = []
    for month, sink in sinks.items():
        files.append(
            {
                "name": sink.path.name,
                "month": month,
                "messages": sink.entries,
                "bytes": sink.path.stat().st_size,
                "sha256": _sha256(sink.path),
            }
        )
    result = GenerationResult(
        out=out_dir,
        seed=seed,
        scale=scale,
        until=until,
        files=files,
        messages=messages,
        jw301_changes=dict(sorted(changes.items())),
        claim_lines_debit=debit,
        claim_lines_credit=credit,
        youths=youths,
        allocations=allocations,
        bytes_xml=bytes_xml,
        seconds=time.perf_counter() - started,
        market={k: (v[0], v[1]) for k, v in sorted(market.items())},
        facts=facts,
        log=log,
        yearly={what: dict(sorted(per_year.items())) for what, per_year in sorted(yearly.items())},
    )
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest(result), indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    return result


def _remove_previous_output(out_dir: Path) -> None:
    """Remove an earlier run's archives and manifest from ``out_dir``; refuse a folder with archives
    that this generator did not write (recognised by its manifest)."""
    archives = (
        sorted(out_dir.glob("*.zip")) + sorted(out_dir.glob("*.zip.part")) + sorted(out_dir.glob("*.zip.cd"))
    )
    if not archives:
        return
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        ours = manifest.get("generator") == GENERATOR_NAME
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise FileExistsError(
            f"{out_dir} bevat al archieven ({archives[0].name}) die niet van generate-demo-data zijn; kies een lege map"
        )
    for path in archives:
        path.unlink()
    manifest_path.unlink()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def manifest(result: GenerationResult) -> dict[str, Any]:
    """The manifest: deterministic (no timestamps, no timings)."""
    naam = {g.cbs_code: g.naam for g in region.GEMEENTEN}
    markt = []
    for (year, gemeente, segment), (clients, cents) in result.market.items():
        row: dict[str, Any] = {
            "jaar": year,
            "gemeente": gemeente,
            "gemeentenaam": naam[gemeente],
            "segment": segment,
            "clienten": clients,
            "bedrag_cent": cents,
        }
        if year >= FIRST_YEAR and (
            (segment, gemeente) in targets.MARKT or segment == targets.VERVOER_SEGMENT
        ):
            c, e = targets.target(segment, gemeente, year)
            row["doel_clienten"] = c * result.scale
            row["doel_bedrag_cent"] = e * result.scale
        markt.append(row)
    return {
        "generator": GENERATOR_NAME,
        "versie": GENERATOR_VERSION,
        "seed": result.seed,
        "scale": result.scale,
        "until": result.until.isoformat(),
        "regio": region.REGIO_NAAM,
        "indeling": "een zip per maand van aanlevering (Dagtekening), een iJw-bericht per bestand",
        "bestanden": result.files,
        "aantallen": {
            "bestanden": len(result.files),
            "berichten": result.total_messages,
            "per_berichtsoort": result.messages,
            "jw301_wijzigingen_per_reden": result.jw301_changes,
            "declaratieregels_debet": result.claim_lines_debit,
            "declaratieregels_credit": result.claim_lines_credit,
            "jeugdigen": result.youths,
            "toewijzingen": result.allocations,
            "xml_bytes": result.bytes_xml,
        },
        "per_jaar": {
            what: {str(y): n for y, n in per_year.items()} for what, per_year in result.yearly.items()
        },
        "marktanalyse": markt,
    }
