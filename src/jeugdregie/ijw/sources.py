"""The files of an ingest: every XML file in the given files, folders and zip files, in a fixed
order (``iter_sources``), and the check of files without a database (``validate_paths``)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Final

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
            with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if not info.is_dir() and info.filename.lower().endswith(".xml"):
                        data = _member(raw, info)
                        yield f"{path}!{info.filename}", archive.read(info) if data is None else data
        elif path.exists():
            yield str(path), path.read_bytes()
        else:
            raise FileNotFoundError(f"Bestand of map bestaat niet: {path}")


# A zip member's local header: signature, version, flags, method, time, date, CRC-32, sizes, the
# lengths of the name and the extra field (APPNOTE 4.3.7).
_LOCAL_HEADER: Final = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE: Final = b"PK\x03\x04"


def _member(raw: IO[bytes], info: zipfile.ZipInfo) -> bytes | None:
    """A stored or deflated member read with one seek and a few reads and checked against its
    CRC-32 and size, as ``ZipFile.read`` checks it: about half its CPU for the small files of an
    ingest (the ZipExtFile it makes per member cost more than inflating). None for anything else
    (encrypted, another method, a header or checksum that does not match): ``ZipFile.read`` then
    reads it, or raises what it raised before."""
    # Encrypted (0x1), patched (0x20) or strongly encrypted (0x40): ZipFile.read's to handle.
    if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    raw.seek(info.header_offset)
    head = raw.read(_LOCAL_HEADER.size)
    if len(head) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(head)
    if fields[0] != _LOCAL_SIGNATURE:
        return None
    name_length, extra_length = fields[9], fields[10]
    try:  # ZipFile.read refuses a member whose local name differs from the directory's
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeEncodeError:
        return None
    if raw.read(name_length) != name:
        return None
    raw.seek(extra_length, 1)
    packed = raw.read(info.compress_size)
    try:
        data = packed if info.compress_type == zipfile.ZIP_STORED else zlib.decompress(packed, -15)
    except zlib.error:
        return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return data


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
