"""Approved overruns and rule sets through the admin: who and when come from the request."""

import pytest

from jeugdregie.budget.models import GoedgekeurdeOverschrijding, Regelset, RegelsetActivering
from jeugdregie.catalogus.models import ProductGroep
from jeugdregie.rules.settlement import example_rule_sets

from .settlement_support import build_world

pytestmark = pytest.mark.django_db


def test_admin_records_an_approved_overrun_with_who_and_when(admin_client, admin_user):
    w = build_world()
    groep = ProductGroep.objects.get(code="A", boek__geldig_tot__isnull=True)
    response = admin_client.post(
        "/admin/budget/goedgekeurdeoverschrijding/add/",
        {
            "aanbieder": w.a.pk,
            "groep": groep.pk,
            "jaar": 2026,
            "bedrag_cent": 50_000,
            "reden": "crisisplaatsing",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    approval = GoedgekeurdeOverschrijding.objects.get()
    assert (approval.door, approval.bedrag_cent, approval.reden) == (admin_user, 50_000, "crisisplaatsing")
    assert approval.op is not None
    # A saved approval is read-only: a change makes a new record.
    page = admin_client.get(f"/admin/budget/goedgekeurdeoverschrijding/{approval.pk}/change/")
    assert page.status_code == 200 and b'name="bedrag_cent"' not in page.content


def test_admin_refuses_a_wrong_rule_set_and_versions_a_good_one(admin_client, admin_user):
    bad = admin_client.post("/admin/budget/regelset/add/", {"naam": "x", "toml": 'name = "x"\n'})
    assert bad.status_code == 200 and Regelset.objects.count() == 0
    text = example_rule_sets()["staffel"].read_text()
    for _ in range(2):
        ok = admin_client.post("/admin/budget/regelset/add/", {"naam": "regio", "toml": text})
        assert ok.status_code == 302
    assert list(Regelset.objects.values_list("versie", flat=True).order_by("versie")) == [1, 2]
    newest = Regelset.objects.get(versie=2)
    assert newest.door == admin_user
    activated = admin_client.post(
        "/admin/budget/regelsetactivering/add/", {"jaar": 2026, "regelset": newest.pk}
    )
    assert activated.status_code == 302
    assert RegelsetActivering.active_for(2026) == newest
