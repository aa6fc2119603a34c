"""The contract register from the database and its screens (issue 14, step 1): signals and
reminders on the region's worklist, extension decisions with the audit trail, and access (a
provider sees its own agreement only; municipalities and referrers none)."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.contracten import register, views
from jeugdregie.contracten.models import (
    Aanbieder,
    ContractDocument,
    Evaluatiemoment,
    Raamovereenkomst,
    Verlengingsbesluit,
)
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def demo(monkeypatch):
    """The demo region without its contract cases (agreements from 1-1-2026, signed 1-9-2025) seen
    on 15 March 2026."""
    load_demo_region(contract_cases=False)
    monkeypatch.setattr(views, "today", lambda: D(2026, 3, 15))
    own = Raamovereenkomst.objects.get(aanbieder__agb_code=region.aanbieders()[0].agb_code)
    other = Raamovereenkomst.objects.exclude(pk=own.pk).first()
    return own, other


def test_register_rows_read_documents_decisions_and_evaluations(demo):
    own, _ = demo
    own.ondertekend_op = D(2025, 10, 2)  # one day late
    own.save()
    Evaluatiemoment.objects.create(raamovereenkomst=own, datum=D(2026, 4, 30))
    (row,) = register.register_rows(D(2026, 3, 15), Raamovereenkomst.objects.filter(pk=own.pk))
    assert [s.soort for s in row.signals] == ["laat-getekend"]
    assert [(r.wat, r.dagen) for r in row.reminders] == [("Evaluatie", 46)]
    assert row.end == D(2030, 12, 31)
    ContractDocument.objects.create(
        raamovereenkomst=own, soort="continuiteit", titel="Plan", geldig_tot=D(2026, 4, 1)
    )
    (row,) = register.register_rows(D(2026, 3, 15), Raamovereenkomst.objects.filter(pk=own.pk))
    assert row.agreement.continuity_plan
    assert [(r.wat, r.dagen) for r in row.reminders] == [("Document verloopt: Plan", 17), ("Evaluatie", 46)]


def test_idle_c_agreement_from_allocations_365_vs_366_days():
    load_demo_region()
    provider = Aanbieder.objects.create(agb_code="97000077", naam="Praktijk Stil", categorie="C")
    ro = Raamovereenkomst.objects.create(aanbieder=provider, kenmerk="RO-C", ingangsdatum=D(2026, 1, 1))
    rows = CareRows(D(2026, 6, 30))
    venlo = Gemeente.objects.get(cbs_code="0983")
    rows.allocation(rows.client("a", venlo), provider, "T-1", D(2026, 2, 1), D(2026, 6, 30))
    rows.allocation(rows.client("b", venlo), provider, "T-2", D(2026, 3, 1), D(2026, 5, 31), deleted=True)
    qs = Raamovereenkomst.objects.filter(pk=ro.pk)
    (row,) = register.register_rows(D(2027, 6, 30), qs)  # 365 days after 30-6-2026
    assert row.agreement.last_client_day == D(2026, 6, 30) and row.signals == []
    (row,) = register.register_rows(D(2027, 7, 1), qs)
    assert [s.soort for s in row.signals] == ["c-beeindigen"]
    assert "366 dagen" in row.signals[0].uitleg
    # An allocation still open today: the last client day is today.
    rows.allocation(rows.client("c", venlo), provider, "T-3", D(2027, 6, 1), None)
    (row,) = register.register_rows(D(2027, 7, 1), qs)
    assert row.agreement.last_client_day == D(2027, 7, 1) and row.signals == []


def test_sroi_from_last_years_turnover():
    load_demo_region()
    provider = Aanbieder.objects.create(agb_code="97000078", naam="Groot Zorg", categorie="A")
    ro = Raamovereenkomst.objects.create(aanbieder=provider, kenmerk="RO-G", ingangsdatum=D(2026, 1, 1))
    rows = CareRows(D(2026, 1, 31))
    allocation = rows.allocation(
        rows.client("a", Gemeente.objects.get(cbs_code="0983")), provider, "T", D(2025, 1, 1), None
    )
    rows.line(allocation, D(2025, 3, 1), D(2025, 3, 31), 25_000_001)
    (row,) = register.register_rows(D(2026, 2, 1), Raamovereenkomst.objects.filter(pk=ro.pk))
    assert row.turnover_cent == 25_000_001
    assert (row.sroi.soort, row.sroi.bedrag_cent, row.sroi.mvi_plan) == (
        "resultaatverplichting",
        1_250_000,
        True,
    )
    ro.contractwaarde_cent = 40_000_000
    ro.save()
    (row,) = register.register_rows(D(2026, 2, 1), Raamovereenkomst.objects.filter(pk=ro.pk))
    assert row.sroi.bedrag_cent == 2_000_000


def test_region_worklist_shows_signals_and_reminders(demo):
    own, other = demo
    own.ondertekend_op = D(2025, 12, 1)
    own.save()
    Evaluatiemoment.objects.create(raamovereenkomst=other, datum=D(2026, 3, 15))
    html = login("regio").get("/contracten/").content.decode()
    assert "Te laat ondertekend" in html and own.kenmerk in html
    assert "Ondertekend op 01-12-2025, minder dan 3 maanden voor de ingang op 01-01-2026" in html
    assert "vandaag" in html  # the evaluation due today
    assert f"Register ({Raamovereenkomst.objects.count()} overeenkomsten)" in html


def test_every_norm_check_is_a_signal_on_the_region_worklist(demo):
    """On 15-03-2026: one agreement signed late, one whose extension decision was due 30-06-2025,
    one ending 30-06-2026 (107 days) without a continuity plan."""
    late, overdue, ending = Raamovereenkomst.objects.order_by("kenmerk")[:3]
    late.ondertekend_op = D(2025, 10, 2)
    late.save()
    overdue.ingangsdatum, overdue.ondertekend_op, overdue.looptijd_jaren = D(2025, 1, 1), D(2024, 9, 1), 1
    overdue.save()
    ending.ingangsdatum, ending.ondertekend_op = D(2025, 7, 1), D(2025, 3, 1)
    ending.looptijd_jaren, ending.verlengingen = 1, 0
    ending.save()
    html = login("regio").get("/contracten/").content.decode()
    assert "<h2>Signalen (3)</h2>" in html
    assert (
        f'<td>kritiek</td><td>Verlengingsbesluit te laat</td><td class="nowrap">'
        f'<a href="/contracten/{overdue.kenmerk}/">{overdue.kenmerk}</a>'
    ) in html
    assert "Het besluit over verlengingsoptie 1 moest uiterlijk 30-06-2025 genomen zijn" in html
    assert (
        f'<td>waarschuwing</td><td>Geen continuïteitsplan</td><td class="nowrap">'
        f'<a href="/contracten/{ending.kenmerk}/">{ending.kenmerk}</a>'
    ) in html
    assert "De overeenkomst eindigt op 30-06-2026 en er is geen continuïteitsplan voor de cliënten." in html
    assert (
        f'<td>waarschuwing</td><td>Te laat ondertekend</td><td class="nowrap">'
        f'<a href="/contracten/{late.kenmerk}/">{late.kenmerk}</a>'
    ) in html


def test_region_records_an_extension_decision_with_audit(demo):
    own, _ = demo
    client = login("regio")
    response = client.post(
        f"/contracten/{own.kenmerk}/", {"besluit": "verlengd", "reden": "Goede resultaten"}
    )
    assert response.status_code == 302
    decision = Verlengingsbesluit.objects.get(raamovereenkomst=own)
    assert (decision.optie, decision.besluit, decision.door.username) == (1, "verlengd", "regio")
    own.refresh_from_db()
    assert own.verlengingen_benut == 1 and own.einddatum == D(2034, 12, 31)
    assert AuditRegel.objects.filter(
        actie="verlengingsbesluit", object_omschrijving__contains=own.kenmerk
    ).exists()
    html = client.get(f"/contracten/{own.kenmerk}/").content.decode()
    assert "Goede resultaten" in html and "Besluit vastleggen" not in html
    with pytest.raises(ValidationError, match="staat niet open"):
        register.record_extension_decision(own, 1, "verlengd", "nogmaals", User.objects.get(username="regio"))


def test_decision_needs_a_reason(demo):
    own, _ = demo
    response = login("regio").post(f"/contracten/{own.kenmerk}/", {"besluit": "verlengd", "reden": ""})
    assert response.status_code == 200 and not Verlengingsbesluit.objects.exists()


def test_provider_sees_only_its_own_agreement(demo):
    own, other = demo
    client = login("aanbieder")
    response = client.get("/contracten/")
    assert response.status_code == 302 and response["Location"] == f"/contracten/{own.kenmerk}/"
    assert client.get(f"/contracten/{own.kenmerk}/").status_code == 200
    assert client.get(f"/contracten/{other.kenmerk}/").status_code == 403
    assert (
        client.post(f"/contracten/{own.kenmerk}/", {"besluit": "verlengd", "reden": "x"}).status_code == 403
    )
    assert not Verlengingsbesluit.objects.exists()


@pytest.mark.parametrize("username", ["gemeente-venlo", "verwijzer"])
def test_municipality_and_referrer_have_no_contract_data(demo, username):
    own, other = demo
    client = login(username)
    assert client.get("/contracten/").status_code == 403
    assert client.get(f"/contracten/{own.kenmerk}/").status_code == 403
    assert client.get(f"/contracten/{other.kenmerk}/").status_code == 403
