"""TR056: a re-delivered message stays a silent duplicate; a different message under an
identification the sender already used is quarantined with TR056 / 9056 (or, for another message
type, with the own code message.identification_taken) and reported in the ingest summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from test_ingest import AGB, client, declaratie, header, ingest, line, parties, toewijzing  # noqa: F401

from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import Bericht, QuarantaineItem
from jeugdregie.ijw.writer import to_xml
from jeugdregie.zorg.models import Declaratie, DeclaratieRegel, ZorgStart

pytestmark = pytest.mark.django_db


def start(ident="S1", begin=dt.date(2024, 1, 8)) -> m.StartZorg:
    return m.StartZorg(
        header(ident, from_gemeente=False, day=dt.date(2024, 1, 10)),
        client(),
        (m.StartProduct("1001", "45", "45N01", dt.date(2024, 1, 1), begin),),
    )


def test_identical_redelivery_in_other_bytes_is_a_silent_duplicate():
    ingest(("t.xml", to_xml(toewijzing())))
    data = to_xml(declaratie())
    first = ingest(("d.xml", data))
    again = ingest(("d-again.xml", data.replace(b"?>", b"?>\n", 1)), ("s.xml", to_xml(start())))
    again_start = ingest(("s2.xml", to_xml(start()).replace(b"?>", b"?>\n", 1)))
    assert first.accepted_lines == 1
    assert (again.duplicate_messages, again.quarantined_messages, again.accepted_messages) == (1, 0, 1)
    assert (again_start.duplicate_messages, again_start.quarantined_messages) == (1, 0)
    assert again.errors == [] and again_start.errors == []
    assert QuarantaineItem.objects.count() == 0
    assert DeclaratieRegel.objects.count() == 1 and Bericht.objects.count() == 3


def test_a_different_claim_under_a_used_identification_is_reported_with_tr056():
    ingest(("t.xml", to_xml(toewijzing())), ("d.xml", to_xml(declaratie())))
    other = declaratie(lines=(line("R9", volume=3),), number="101")  # same sender, same "D1"
    summary = ingest(("d2.xml", to_xml(other)))
    assert (summary.duplicate_messages, summary.quarantined_messages, summary.accepted_messages) == (0, 1, 0)
    [error] = summary.errors
    assert (error.tr, error.retourcode, error.rule) == ("TR056", "9056", "message.identification_reused")
    assert error.element == "/Bericht/Header/BerichtIdentificatie/Identificatie"
    assert "declaratie 101" in error.message and "100" in error.message
    item = QuarantaineItem.objects.get()
    assert (item.tr, item.retourcode, item.niveau, item.soort, item.afzender, item.bericht_identificatie) == (
        "TR056",
        "9056",
        "bericht",
        "JW323",
        AGB,
        "D1",
    )
    # Nothing of the second claim landed; the first is untouched.
    assert list(Declaratie.objects.values_list("declaratienummer", flat=True)) == ["100"]
    assert list(DeclaratieRegel.objects.values_list("referentienummer", flat=True)) == ["R1"]


def test_only_the_dagtekening_or_only_the_start_date_differs():
    ingest(("t.xml", to_xml(toewijzing())), ("s.xml", to_xml(start())))
    later = replace(start(), header=header("S1", from_gemeente=False, day=dt.date(2024, 1, 11)))
    other_date = start(begin=dt.date(2024, 1, 9))
    summary = ingest(("s2.xml", to_xml(later)), ("s3.xml", to_xml(other_date)))
    assert [e.tr for e in summary.errors] == ["TR056", "TR056"]
    assert "andere dagtekening (11-01-2024 i.p.v. 10-01-2024)" in summary.errors[0].message
    assert "toewijzing 1001 heeft een andere begin- of einddatum" in summary.errors[1].message
    assert list(ZorgStart.objects.values_list("begindatum", flat=True)) == [dt.date(2024, 1, 8)]


def test_another_message_type_with_a_used_identification_gets_its_own_code():
    ingest(("t.xml", to_xml(toewijzing())), ("s.xml", to_xml(start())))
    stop = m.StopZorg(
        header("S1", from_gemeente=False, day=dt.date(2024, 7, 2)),
        client(),
        (
            m.StopProduct(
                "1001", "45", "45N01", dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 6, 28), "31"
            ),
        ),
    )
    summary = ingest(("e.xml", to_xml(stop)))
    [error] = summary.errors
    assert (error.rule, error.tr, error.retourcode) == ("message.identification_taken", None, None)
    assert "eerder ontvangen als JW305, nu als JW307" in error.message
    assert QuarantaineItem.objects.get().regel == "message.identification_taken"


def test_the_ingest_command_prints_the_reused_identification(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "1-t.xml").write_bytes(to_xml(toewijzing()))
    (tmp_path / "a" / "2-d.xml").write_bytes(to_xml(declaratie()))
    (tmp_path / "b" / "d2.xml").write_bytes(to_xml(declaratie(lines=(line("R9"),), number="101")))
    call_command("ingest", str(tmp_path / "a"), "--no-progress")
    capsys.readouterr()
    with pytest.raises(CommandError, match="Niet alles is verwerkt"):  # exit code 1: not processed
        call_command("ingest", str(tmp_path / "b"), "--no-progress")
    err = capsys.readouterr().err
    assert "d2.xml: bericht D1: /Bericht/Header/BerichtIdentificatie/Identificatie: TR056 / 9056" in err
    assert "(message.identification_reused)" in err
