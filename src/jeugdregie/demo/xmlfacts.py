"""Reads generated demo output back: the iJw XML entries of the monthly zip archives. The tests
read them with the project's reader; ``jeugdregie.demo.kpifacts`` turns them into KPI facts."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def iter_entries(
    out_dir: str | Path, prefixes: Iterable[str] | None = None, *, ingest_order: bool = False
) -> Iterator[tuple[str, bytes]]:
    """(entry name, XML bytes) of every message in the monthly archives (archives by name), in
    delivery order; with ``ingest_order`` by entry name within an archive, the order in which
    ``jeugdregie ingest`` reads them (``ijw.services.iter_sources``)."""
    wanted = tuple(prefixes) if prefixes is not None else None
    for archive in sorted(Path(out_dir).glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if ingest_order:
                infos = sorted(infos, key=lambda i: i.filename)
            for info in infos:
                if wanted is None or info.filename.startswith(wanted):
                    yield info.filename, zf.read(info)
