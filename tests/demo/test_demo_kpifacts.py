"""``demo.kpifacts`` on hand-made traffic with what generated data never holds: a deleted allocation
changed again, a shortened allocation, a withdrawn start, a stop delivered twice, a claim on a deleted allocation, a credit,
a credit without its debit, and a start and a claim that arrive before their allocation. The facts
must be those of the database after ``jeugdregie ingest`` of the same archives."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from demo_support import differing_fields
from django.conf import settings

from jeugdregie.demo import region
from jeugdregie.demo.kpifacts import read_kpi_facts
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.demo.sim_model import unique_bsn
from jeugdregie.ijw import writer
from jeugdregie.ijw.messages import (
    AangevraagdProduct,
    ClientIdentity,
    Declaratie,
    DeclaratieClient,
    Header,
    Omvang,
    Prestatie,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    ToegewezenProduct,
    Toewijzing,
    Verwijzer,
    VerzoekOmToewijzing,
)
from jeugdregie.ijw.services import Ingester
from jeugdregie.monitoring.facts import load_facts

D = dt.date
GEMEENTE = "0983"
AGB = region.aanbieders(1)[0].agb_code
CLIENT = ClientIdentity(unique_bsn(7), D(2012, 5, 1), "1")
HOUR = Omvang(10, "04", "2")
TARIEF = 7_200


def _allocation(nummer, code, begin, end, *, reden=None, ref=None, on=D(2024, 1, 10)) -> ToegewezenProduct:
    return ToegewezenProduct(nummer, code[:2], code, on, begin, end, reden, HOUR, referentie_aanbieder=ref)


def _line(ref, nummer, code, volume, dc="D", vorig=None) -> Prestatie:
    return Prestatie(
        ref,
        nummer,
        code[:2],
        code,
        D(2024, 1, 15),
        D(2024, 1, 31),
        volume,
        "04",
        TARIEF,
        volume * TARIEF,
        dc,
        vorig,
    )


def _claim(ident, day, *lines) -> Declaratie:
    return Declaratie(
        Header(AGB, GEMEENTE, ident, day),
        ident,
        D(2024, 1, 1),
        D(2024, 1, 31),
        day,
        (DeclaratieClient(CLIENT.bsn, lines),),
    )


def _start(ident, day, nummer, begin, status="1") -> StartZorg:
    product = StartProduct(nummer, "45", "45N01", D(2024, 1, 15), begin, status)
    return StartZorg(Header(AGB, GEMEENTE, ident, day), CLIENT, (product,))


def _stop(ident, day, reden) -> StopZorg:
    product = StopProduct("1", "45", "45N01", D(2024, 1, 15), D(2024, 1, 22), D(2024, 3, 10), reden)
    return StopZorg(Header(AGB, GEMEENTE, ident, day), CLIENT, (product,))


def _write(out: Path) -> None:
    request = AangevraagdProduct("VZ1", "45", "45N01", D(2024, 1, 15), Verwijzer("04"), D(2024, 6, 30), HOUR)
    archives = {
        "2024-01": [
            VerzoekOmToewijzing(Header(AGB, GEMEENTE, "V1", D(2024, 1, 5)), CLIENT, (request,)),
            Toewijzing(
                Header(GEMEENTE, AGB, "T1", D(2024, 1, 10)),
                CLIENT,
                (
                    _allocation("1", "45N01", D(2024, 1, 15), D(2024, 6, 30), ref="VZ1"),
                    _allocation("2", "41N01", D(2024, 1, 15), D(2024, 3, 31)),
                ),
            ),
            Toewijzing(
                Header(GEMEENTE, AGB, "T2", D(2024, 1, 20)),
                CLIENT,
                (_allocation("2", "41N01", D(2024, 1, 15), D(2024, 3, 31), reden="13", on=D(2024, 1, 20)),),
            ),
            _start("S1", D(2024, 1, 22), "1", D(2024, 1, 18)),
            _start("S2", D(2024, 1, 25), "1", D(2024, 1, 18), status="3"),  # withdraws S1
            _start("S3", D(2024, 1, 26), "1", D(2024, 1, 22)),
            _start("S4", D(2024, 1, 26), "99", D(2024, 1, 22)),  # never allocated
        ],
        "2024-02": [
            # a deleted allocation stays deleted, whatever comes after
            Toewijzing(
                Header(GEMEENTE, AGB, "T3", D(2024, 2, 1)),
                CLIENT,
                (_allocation("2", "41N01", D(2024, 1, 15), D(2024, 4, 30), reden="04", on=D(2024, 2, 1)),),
            ),
            _claim(
                "D1",
                D(2024, 2, 10),
                _line("R1", "1", "45N01", 20),
                _line("R2", "1", "45N01", 5),
                _line("R3", "2", "41N01", 4),  # on the deleted allocation: refused
                _line("R4", "3", "45N06", 3),  # allocation 3 comes in March: waits, then lands
            ),
            _start("S5", D(2024, 2, 12), "3", D(2024, 1, 20)),  # waits for allocation 3 as well
        ],
        "2024-03": [
            Toewijzing(
                Header(GEMEENTE, AGB, "T4", D(2024, 3, 1)),
                CLIENT,
                (_allocation("3", "45N06", D(2024, 1, 10), D(2024, 12, 31), on=D(2024, 3, 1)),),
            ),
            _claim(
                "D2",
                D(2024, 3, 10),
                _line("R5", "1", "45N01", 5, "C", "R2"),  # reverses R2
                _line("R6", "1", "45N01", 5, "C", "R99"),  # reverses nothing: refused
            ),
            # shortened: the allocation keeps its first Toewijzingsdatum
            Toewijzing(
                Header(GEMEENTE, AGB, "T5", D(2024, 3, 20)),
                CLIENT,
                (_allocation("1", "45N01", D(2024, 1, 15), D(2024, 5, 31), reden="05", on=D(2024, 3, 20)),),
            ),
            _stop("E1", D(2024, 3, 15), "33"),
            _stop("E2", D(2024, 3, 15), "31"),  # the same stop again: refused (TR074), the first counts
        ],
    }
    out.mkdir()
    for month, messages in archives.items():
        with zipfile.ZipFile(out / f"{month}.zip", "w") as zf:
            for msg in messages:
                zf.writestr(writer.message_filename(msg), writer.to_xml(msg))


def test_kpi_facts_follow_the_ingest(tmp_path: Path) -> None:
    out = tmp_path / "traffic"
    _write(out)
    xml = read_kpi_facts(out)

    assert xml.as_of == D(2024, 3, 20)
    one, three = sorted(xml.allocations, key=lambda a: a.id)  # 2 is deleted
    assert (one.id, three.id) == (1, 3)
    assert (one.zorg_start, one.stop_reden, one.stop_datum) == (D(2024, 1, 22), "33", D(2024, 3, 10))
    assert (one.verwijzer, one.aangevraagd_op, one.claimed_volume) == ("04", D(2024, 1, 5), 20)
    assert (one.toewijzingsdatum, one.einddatum) == (D(2024, 1, 10), D(2024, 5, 31))
    assert (three.zorg_start, three.claimed_volume, three.verwijzer) == (D(2024, 1, 20), 3, "01")
    claims = sorted((c.toewijzing, c.bedrag_cent, c.custom, c.verwijzer) for c in xml.claims)
    assert claims == [
        (1, -5 * TARIEF, "", "04"),
        (1, 5 * TARIEF, "", "04"),
        (1, 20 * TARIEF, "", "04"),
        (3, 3 * TARIEF, "maatwerk", "01"),
    ]


@pytest.mark.django_db
def test_kpi_facts_equal_the_database_facts(tmp_path: Path) -> None:
    out = tmp_path / "traffic"
    _write(out)
    load_demo_region(users=False)
    summary = Ingester().ingest_paths([out])
    assert summary.reprocessed == 2  # S5 and R4 landed on the retry
    xml = read_kpi_facts(out)
    db = load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=xml.as_of)
    differing = differing_fields(db, xml, settings.PSEUDONYM_KEY)
    assert differing == set()
