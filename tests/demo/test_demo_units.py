"""Fast unit tests of the demo generator's building blocks (no database, no full generation)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from jeugdregie.demo import calendar, region, targets, zipsink
from jeugdregie.demo.generator import default_until, generate
from jeugdregie.demo.providers import REGULAR, copy_providers
from jeugdregie.demo.sim_model import unique_bsn
from jeugdregie.ijw.bsn import is_valid_bsn

# ---------------------------------------------------------------- identities and dates


def test_unique_bsn_is_valid_and_unique() -> None:
    numbers = [unique_bsn(n) for n in range(0, 300_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_bsn(b) for b in numbers[:20_000])
    for n in (1, 8_999_999, 123_456, 4_500_000):
        assert is_valid_bsn(unique_bsn(n))
    with pytest.raises(ValueError):
        unique_bsn(9_000_000)


def test_default_until_is_end_of_last_complete_month() -> None:
    assert default_until(dt.date(2026, 11, 23)) == dt.date(2026, 10, 31)
    assert default_until(dt.date(2026, 1, 1)) == dt.date(2025, 12, 31)
    assert default_until(dt.date(2024, 3, 31)) == dt.date(2024, 2, 29)


def test_calendar_helpers() -> None:
    jan31 = calendar.ordinal(2023, 1, 31)
    assert calendar.to_date(calendar.add_months(jan31, 1)) == dt.date(2023, 2, 28)
    assert calendar.to_date(calendar.add_months(jan31, 13)) == dt.date(2024, 2, 29)
    mi = calendar.mi_of(calendar.ordinal(2024, 2, 10))
    assert calendar.to_date(calendar.month_start(mi)) == dt.date(2024, 2, 1)
    assert calendar.to_date(calendar.month_end(mi)) == dt.date(2024, 2, 29)
    assert calendar.days_in_month(mi) == 29
    assert 0 <= calendar.h01(12345, 1, 2) < 1
    assert calendar.h01(12345, 1, 2) == calendar.h01(12345, 1, 2)


# ---------------------------------------------------------------- targets


def test_targets_are_the_market_table() -> None:
    assert targets.target("4", "0983", 2022) == (2144, 11_474_922_00)
    assert targets.target("2", "0893", 2023) == (20, 439_564_00)
    assert targets.target("V", "1894", 2023) == (35, 44_307_00)
    c23, e23 = targets.target("3", "0984", 2023)
    c24, e24 = targets.target("3", "0984", 2024)
    assert e24 == round(e23 * 1.141)
    assert abs(c24 - c23) <= 0.02 * c23
    assert len(targets.MARKT) == 21 and len(targets.VERVOER) == 7
    assert {g for _, g in targets.MARKT} == {g.cbs_code for g in region.GEMEENTEN}


def test_share_targets_follow_the_seed() -> None:
    assert targets.share(targets.NGA_SHARE, 2024) == pytest.approx(0.050)
    assert targets.share(targets.MICRO_SHARE, 2022) == pytest.approx(0.112)
    assert targets.share(targets.MICRO_SHARE, 2024) == pytest.approx(0.147)
    assert targets.share(targets.NGA_SHARE, 2028) > targets.share(targets.NGA_SHARE, 2026)


def test_copy_providers_have_classes_and_22_early_w_providers() -> None:
    providers = copy_providers(region.aanbieders(1), 0)
    assert len(providers) == 140
    assert sum(1 for p in providers if p.w_early) == 22
    assert all(p.klasse == REGULAR for p in providers if p.spec.categorie in ("A", "B"))


# ---------------------------------------------------------------- zip writer


def _entries(n: int) -> list[tuple[str, bytes]]:
    return [
        (f"JW301_0983_T{i:011d}.xml", f"<Bericht n='{i}'>{'x' * (i % 50)}</Bericht>".encode())
        for i in range(n)
    ]


def test_zipsink_is_readable_and_deterministic(tmp_path: Path) -> None:
    blobs = []
    for run in range(2):
        sink = zipsink.ZipSink(tmp_path / f"run{run}.zip")
        for name, data in _entries(500):
            sink.add(name, data)
        path = sink.close()
        blobs.append(path.read_bytes())
        assert not path.with_name(path.name + ".part").exists()
    assert blobs[0] == blobs[1]
    with zipfile.ZipFile(io.BytesIO(blobs[0])) as zf:
        assert zf.testzip() is None
        assert [i.filename for i in zf.infolist()] == [n for n, _ in _entries(500)]
        assert zf.read("JW301_0983_T00000000007.xml") == _entries(8)[7][1]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())


def test_zipsink_spills_central_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipsink, "_SPILL_AT", 256)
    sink = zipsink.ZipSink(tmp_path / "spill.zip")
    for name, data in _entries(300):
        sink.add(name, data)
    path = sink.close()
    assert not (tmp_path / "spill.zip.cd").exists()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert len(zf.infolist()) == 300


@pytest.mark.slow
def test_zipsink_writes_zip64_beyond_65535_entries(tmp_path: Path) -> None:
    sink = zipsink.ZipSink(tmp_path / "big.zip", level=1)
    n = 70_000
    for i in range(n):
        sink.add(f"m{i:06d}.xml", b"<a/>")
    path = sink.close()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert len(names) == n
        assert zf.read("m069999.xml") == b"<a/>"


def test_monthly_zips_one_archive_per_month(tmp_path: Path) -> None:
    zips = zipsink.MonthlyZips(tmp_path)
    zips.add("2024-01", "a.xml", b"<a/>")
    zips.add("2023-12", "b.xml", b"<b/>")
    zips.add("2024-01", "c.xml", b"<c/>")
    sinks = zips.close()
    assert list(sinks) == ["2023-12", "2024-01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023-12.zip", "2024-01.zip"]
    with zipfile.ZipFile(tmp_path / "2024-01.zip") as zf:
        assert zf.namelist() == ["a.xml", "c.xml"]


# ---------------------------------------------------------------- argument checks


def test_generate_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path / "a", until=dt.date(2020, 12, 31))
    with pytest.raises(ValueError):
        generate(tmp_path / "b", scale=0, until=dt.date(2021, 3, 31))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "2021-01.zip").write_bytes(b"")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "c", until=dt.date(2021, 3, 31))
    assert (tmp_path / "c" / "2021-01.zip").exists()
