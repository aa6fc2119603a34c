"""Deterministic, streaming zip files for the demo generator.

``zipfile.ZipFile`` keeps a ``ZipInfo`` object per entry in memory until it is closed; at national
scale (``--scale 60``, about ten million messages) that alone would take gigabytes, and the
generator writes to many monthly archives at once. This writer streams each entry to disk and
spills the central directory to a side file, so memory does not grow with the number of entries.

Output is byte-for-byte deterministic: fixed timestamps (1980-01-01 00:00), no extra fields except
Zip64 where the format needs it, entries in the order written. Readable by ``zipfile`` and ``unzip``.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Final

_LOCAL: Final = struct.Struct("<IHHHHHIIIHH")
_CENTRAL: Final = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD: Final = struct.Struct("<IHHHHIIH")
_EOCD64: Final = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64: Final = struct.Struct("<IIQI")
_DOS_DATE: Final = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME: Final = 0
_LIMIT32: Final = 0xFFFFFFFF
_SPILL_AT: Final = 1 << 20


class ZipSink:
    """Append-only zip archive written to ``path`` (via ``path.part`` until closed)."""

    def __init__(self, path: Path, level: int = 6) -> None:
        self.path = path
        self.level = level
        self._part = path.with_name(path.name + ".part")
        self._cd_path = path.with_name(path.name + ".cd")
        self._fh = open(self._part, "wb")  # noqa: SIM115 - closed in close()
        self._offset = 0
        self._cd = bytearray()
        self._cd_spilled = 0
        self.entries = 0
        self.bytes_in = 0

    def add(self, name: str, data: bytes) -> None:
        raw = name.encode("ascii")
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        header = _LOCAL.pack(
            0x04034B50, 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, len(packed), len(data), len(raw), 0
        )
        offset = self._offset
        self._fh.write(header)
        self._fh.write(raw)
        self._fh.write(packed)
        self._offset += len(header) + len(raw) + len(packed)
        extra = b""
        needed = 20
        stored_offset = offset
        if offset >= _LIMIT32:
            extra = struct.pack("<HHQ", 0x0001, 8, offset)
            stored_offset = _LIMIT32
            needed = 45
        self._cd += _CENTRAL.pack(
            0x02014B50, 20, needed, 0, 8, _DOS_TIME, _DOS_DATE, crc, len(packed), len(data),
            len(raw), len(extra), 0, 0, 0, 0, stored_offset,
        )  # fmt: skip
        self._cd += raw
        self._cd += extra
        self.entries += 1
        self.bytes_in += len(data)
        if len(self._cd) >= _SPILL_AT:
            self._spill()

    def _spill(self) -> None:
        with open(self._cd_path, "ab") as fh:
            fh.write(self._cd)
        self._cd_spilled += len(self._cd)
        self._cd.clear()

    def close(self) -> Path:
        cd_offset = self._offset
        cd_size = self._cd_spilled + len(self._cd)
        if self._cd_spilled:
            with open(self._cd_path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    self._fh.write(chunk)
            os.remove(self._cd_path)
        self._fh.write(self._cd)
        self._cd.clear()
        end_of_cd = cd_offset + cd_size
        if self.entries > 0xFFFF or cd_offset >= _LIMIT32 or cd_size >= _LIMIT32:
            self._fh.write(
                _EOCD64.pack(0x06064B50, 44, 45, 45, 0, 0, self.entries, self.entries, cd_size, cd_offset)
            )
            self._fh.write(_LOCATOR64.pack(0x07064B50, 0, end_of_cd, 1))
            self._fh.write(_EOCD.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, _LIMIT32, _LIMIT32, 0))
        else:
            self._fh.write(_EOCD.pack(0x06054B50, 0, 0, self.entries, self.entries, cd_size, cd_offset, 0))
        self._fh.close()
        os.replace(self._part, self.path)
        return self.path


class MonthlyZips:
    """One ``ZipSink`` per month key (``YYYY-MM``) under a directory, opened on first use."""

    def __init__(self, directory: Path, level: int = 6) -> None:
        self.directory = directory
        self.level = level
        self._sinks: dict[str, ZipSink] = {}

    def add(self, month: str, name: str, data: bytes) -> None:
        sink = self._sinks.get(month)
        if sink is None:
            sink = self._sinks[month] = ZipSink(self.directory / f"{month}.zip", self.level)
        sink.add(name, data)

    def close(self) -> dict[str, ZipSink]:
        for sink in self._sinks.values():
            sink.close()
        return dict(sorted(self._sinks.items()))
