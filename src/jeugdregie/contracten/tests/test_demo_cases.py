"""The demo region's contract cases (demo.contract_cases): on the region's worklist each Norm voor
Opdrachtgeverschap signal, an idle C agreement and reminders, with dates relative to the day the
demo was loaded."""

import datetime as dt

import pytest

from jeugdregie.accounts.testing import login
from jeugdregie.contracten import register, views
from jeugdregie.contracten.models import ContractDocument, Raamovereenkomst
from jeugdregie.demo import contract_cases, region
from jeugdregie.demo.loader import load_demo_region

pytestmark = pytest.mark.django_db
D = dt.date


def kenmerk(index: int) -> str:
    return f"RO-2026-{region.aanbieders()[index].agb_code}"


def kinds(signals) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for s in signals:
        found.setdefault(s.soort, []).append(s.kenmerk)
    return found


def test_demo_worklist_shows_every_signal_kind_and_reminders(monkeypatch):
    """Loaded and seen on 7-12-2026 (the traffic runs to 30-11-2026): exactly one signal of each
    kind and two reminders; no other agreement has a signal (no traffic: the other C agreements
    are idle for 340 days only)."""
    load_demo_region(today=D(2026, 12, 7))
    monkeypatch.setattr(views, "today", lambda: D(2026, 12, 7))
    signals = register.open_signals(D(2026, 12, 7))
    assert kinds(signals) == {
        "verlenging": [kenmerk(contract_cases.OVERDUE_EXTENSION)],
        "continuiteit": [kenmerk(contract_cases.ENDING)],
        "c-beeindigen": [f"RO-2025-{contract_cases.IDLE_AGB}"],
        "laat-getekend": [kenmerk(contract_cases.LATE_SIGNED)],
    }
    html = login("regio").get("/contracten/").content.decode()
    assert "<h2>Signalen (4)</h2>" in html and "<h2>Herinneringen (2)</h2>" in html
    assert "Register (81 overeenkomsten)" in html
    for text in (
        "Ondertekend op 20-11-2025, minder dan 3 maanden voor de ingang op 01-01-2026",
        "Het besluit over verlengingsoptie 1 moest uiterlijk 28-08-2026 genomen zijn; "
        "de looptijd eindigt op 28-02-2027.",
        "De overeenkomst eindigt op 31-03-2027 en er is geen continuïteitsplan voor de cliënten.",
        "Categorie C zonder cliënt sinds de ingang 01-10-2025 (432 dagen, meer dan een jaar)",
        "Document verloopt: Administratie- en controleprotocol",
    ):
        assert text in html
    reminders = [
        (m.kenmerk, m.wat, m.datum, m.dagen)
        for row in register.register_rows(D(2026, 12, 7))
        for m in row.reminders
    ]
    assert reminders == [
        (kenmerk(contract_cases.REMINDER), "Evaluatie", D(2026, 12, 28), 21),
        (
            kenmerk(contract_cases.REMINDER),
            "Document verloopt: Administratie- en controleprotocol",
            D(2027, 1, 31),
            55,
        ),
    ]


def test_demo_cases_follow_the_day_of_loading():
    """Loaded on 15-07-2027: the same cases, seven months later. Without traffic every other C
    agreement (from 1-1-2026) is now idle too: 54 of the 55 demo C agreements (not C051, which was
    terminated) and the idle provider's."""
    load_demo_region(users=False, today=D(2027, 7, 15))
    found = kinds(register.open_signals(D(2027, 7, 15)))
    assert {k: len(v) for k, v in found.items()} == {
        "verlenging": 1,
        "continuiteit": 1,
        "c-beeindigen": 55,
        "laat-getekend": 1,
    }
    overdue = Raamovereenkomst.objects.get(kenmerk=kenmerk(contract_cases.OVERDUE_EXTENSION))
    assert (overdue.ingangsdatum, overdue.einddatum) == (D(2026, 10, 1), D(2027, 9, 30))
    ending = Raamovereenkomst.objects.get(kenmerk=kenmerk(contract_cases.ENDING))
    assert ending.beeindigd_op == D(2027, 10, 31)


def test_cases_are_applied_once_and_leave_later_work_alone():
    load_demo_region(users=False, today=D(2026, 12, 7))
    documents = ContractDocument.objects.count()
    pilot = Raamovereenkomst.objects.get(kenmerk=kenmerk(contract_cases.OVERDUE_EXTENSION))
    pilot.looptijd_jaren = 3
    pilot.save()
    load_demo_region(users=False, today=D(2027, 3, 1))
    pilot.refresh_from_db()
    assert ContractDocument.objects.count() == documents == 7
    assert (pilot.looptijd_jaren, pilot.ingangsdatum) == (3, D(2026, 3, 1))
    assert Raamovereenkomst.objects.count() == 81


def test_without_cases_the_demo_agreements_are_uniform():
    load_demo_region(users=False, contract_cases=False)
    assert Raamovereenkomst.objects.count() == 80 and not ContractDocument.objects.exists()
    assert register.open_signals(D(2026, 12, 7)) == []
