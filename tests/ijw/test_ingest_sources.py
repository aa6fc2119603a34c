"""The files of an ingest read from zips (``sources.iter_sources``): the members read by
``sources._member`` are byte for byte what ``ZipFile.read`` gives, and whatever it does not take
(another method, encryption flags, a damaged member) is read, or refused, by ``ZipFile.read`` as
before."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from jeugdregie.ijw import sources
from jeugdregie.ijw.sources import iter_sources

SAMPLES = Path(__file__).resolve().parent / "samples"


def _zip(path: Path, method: int) -> dict[str, bytes]:
    members = {p.name: p.read_bytes() for p in sorted(SAMPLES.glob("JW3*.xml"))}
    members["leeg.xml"] = b""
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("map/", b"")  # a folder entry: not a file
        archive.writestr("lees-mij.txt", b"geen xml")
    return members


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_members_equal_zipfile_read(tmp_path, method, monkeypatch):
    path = tmp_path / "maand.zip"
    members = _zip(path, method)
    taken = []
    member = sources._member
    monkeypatch.setattr(sources, "_member", lambda raw, info: taken.append(info) or member(raw, info))
    found = list(iter_sources([path]))
    assert found == [(f"{path}!{name}", members[name]) for name in sorted(members)]
    read_directly = [member(open(path, "rb"), info) for info in taken]  # noqa: SIM115
    if method == zipfile.ZIP_BZIP2:  # not taken: ZipFile.read read them
        assert read_directly == [None] * len(members)
    else:
        assert read_directly == [members[info.filename] for info in taken]


def test_a_damaged_member_is_refused_as_before(tmp_path):
    path = tmp_path / "maand.zip"
    _zip(path, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("JW301.xml")
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename)
    raw[start + 10] ^= 0xFF  # a byte of the compressed data
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive, open(path, "rb") as stream:
        assert sources._member(stream, archive.getinfo("JW301.xml")) is None
        try:
            archive.read("JW301.xml")
        except Exception as exc:  # noqa: BLE001 - whatever ZipFile.read raises (zlib.error, BadZipFile)
            before = exc
        else:
            pytest.fail("ZipFile.read took the damaged member")
    with pytest.raises(type(before), match=re.escape(str(before))):
        list(iter_sources([path]))


def test_a_member_whose_local_name_differs_is_refused_as_before(tmp_path):
    path = tmp_path / "maand.zip"
    _zip(path, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("JW305.xml")
    raw = bytearray(path.read_bytes())
    name_at = info.header_offset + 30
    raw[name_at : name_at + 5] = b"JX305"
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive, open(path, "rb") as stream:
        assert sources._member(stream, archive.getinfo("JW305.xml")) is None
    with pytest.raises(zipfile.BadZipFile, match="differ"):
        list(iter_sources([path]))
