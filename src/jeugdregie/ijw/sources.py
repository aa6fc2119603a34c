"""The files of an ingest: every XML file in the given files, folders and zip files, in a fixed
order (``iter_sources``), and the check of files without a database (``validate_paths``)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import ValidationError
from .reader import read_bytes
from .validation import XsdValidator


def iter_sources(paths: Iterable[str | Path]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every XML file in the given files, folders (recursively) and zip files,
    in sorted order so that a folder is always ingested the same way."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in (".xml", ".zip"):
                    yield from iter_sources([child])
        elif path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if not info.is_dir() and info.filename.lower().endswith(".xml"):
                        yield f"{path}!{info.filename}", archive.read(info)
        elif path.exists():
            yield str(path), path.read_bytes()
        else:
            raise FileNotFoundError(f"Bestand of map bestaat niet: {path}")


def count_sources(paths: Iterable[str | Path]) -> int:
    total = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            total += count_sources(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xml", ".zip")))
        elif path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                total += sum(1 for i in archive.infolist() if i.filename.lower().endswith(".xml"))
        else:
            total += 1
    return total


def validate_paths(
    paths: Iterable[str | Path], *, xsd_dir: str | Path | None = None
) -> tuple[int, list[ValidationError]]:
    """Validate without a database: well-formedness, structure, code lists, the rules that need no
    stored state, and optionally the official XSDs. Returns (messages, errors)."""
    xsd = XsdValidator(xsd_dir) if xsd_dir else None
    count = 0
    found: list[ValidationError] = []
    for name, data in iter_sources(paths):
        for result in read_bytes(data, name):
            count += 1
            found.extend(result.errors)
            if xsd is not None and result.message is not None:
                found.extend(xsd.validate(data, name))
    return count, found
