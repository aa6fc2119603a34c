"""Open-house admission (step 6): windows, checklist, decision with reasons, the new agreement or
the product extension on admission, audit trail, and access."""

import datetime as dt

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.catalogus.models import Product
from jeugdregie.contracten import views
from jeugdregie.contracten.admission import start_date_after
from jeugdregie.contracten.models import Aanvraag, Raamovereenkomst, Toetredingscriterium, Toetredingsvenster
from jeugdregie.demo.loader import load_demo_region

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def setup(monkeypatch):
    load_demo_region()
    monkeypatch.setattr(views, "today", lambda: D(2026, 3, 10))
    Toetredingsvenster.objects.create(categorie="C", opent_op=D(2026, 3, 1), sluit_op=D(2026, 3, 31))
    Toetredingsvenster.objects.create(categorie="C", opent_op=D(2026, 9, 1), sluit_op=D(2026, 9, 30))
    for i, text in enumerate(["Inschrijving KvK", "Kwaliteitskader jeugd", "VOG medewerkers"]):
        Toetredingscriterium.objects.create(categorie="C", omschrijving=text, volgorde=i)
    products = Product.objects.filter(code__in=["45N01", "45N02"]).order_by("-boek__geldig_van")[:2]
    return list(products)


def apply(client, products, **extra):
    data = {
        "agb": "97001234",
        "naam": "Praktijk Nieuw",
        "categorie": "C",
        "soort": "nieuw",
        "ingediend_op": "2026-03-10",
    }
    data.update(extra)
    data["producten"] = [p.pk for p in products]
    return client.post("/contracten/toetreding/", data)


def test_start_date_meets_the_three_month_norm():
    assert start_date_after(D(2026, 3, 10)) == D(2026, 7, 1)
    assert start_date_after(D(2026, 3, 1)) == D(2026, 6, 1)


def test_application_outside_a_window_is_refused(setup):
    response = apply(login("regio"), setup, ingediend_op="2026-04-01")
    html = response.content.decode()
    assert (
        "geen toetredingsmoment open voor categorie C" in html and "01-09-2026 tot en met 30-09-2026" in html
    )
    assert not Aanvraag.objects.exists()


def test_admission_creates_the_agreement_with_audit(setup):
    client = login("regio")
    response = apply(client, setup)
    aanvraag = Aanvraag.objects.get()
    assert response.status_code == 302 and aanvraag.beoordelingen.count() == 3
    items = list(aanvraag.beoordelingen.order_by("criterium__volgorde"))
    # Admitting with one criterion not assessed is refused.
    answers = {f"voldaan_{items[0].pk}": "ja", f"voldaan_{items[1].pk}": "ja"}
    html = client.post(
        f"/contracten/toetreding/{aanvraag.pk}/", {**answers, "besluit": "toegelaten", "motivering": "ok"}
    ).content.decode()
    assert "Nog niet beoordeeld: VOG medewerkers." in html
    aanvraag.refresh_from_db()
    assert aanvraag.status == "ingediend"
    answers[f"voldaan_{items[2].pk}"] = "ja"
    response = client.post(
        f"/contracten/toetreding/{aanvraag.pk}/",
        {**answers, "besluit": "toegelaten", "motivering": "Voldoet aan alle eisen"},
    )
    assert response.status_code == 302
    aanvraag.refresh_from_db()
    ro = Raamovereenkomst.objects.get(aanbieder__agb_code="97001234")
    assert (aanvraag.status, aanvraag.besloten_door.username, aanvraag.raamovereenkomst) == (
        "toegelaten",
        "regio",
        ro,
    )
    assert (ro.kenmerk, ro.ingangsdatum, ro.aanbieder.categorie) == ("RO-2026-97001234", D(2026, 7, 1), "C")
    assert set(ro.toegelaten_producten.all()) == set(setup)
    acties = set(AuditRegel.objects.values_list("actie", flat=True))
    assert {
        "toetredingsaanvraag",
        "toetreding beoordeeld",
        "toetredingsbesluit",
        "raamovereenkomst aangemaakt",
    } <= acties


def test_refusal_needs_a_failed_criterion_and_extension_adds_products(setup):
    client = login("regio")
    own = Raamovereenkomst.objects.filter(aanbieder__categorie="C").first()
    admitted = set(own.toegelaten_producten.values_list("code", flat=True))
    new_products = [
        p for p in Product.objects.order_by("-boek__geldig_van", "code") if p.code not in admitted
    ][:1]
    apply(client, new_products, agb=own.aanbieder.agb_code, naam=own.aanbieder.naam, soort="uitbreiding")
    aanvraag = Aanvraag.objects.get()
    items = list(aanvraag.beoordelingen.all())
    all_met = {f"voldaan_{b.pk}": "ja" for b in items}
    html = client.post(
        f"/contracten/toetreding/{aanvraag.pk}/",
        {**all_met, "besluit": "afgewezen", "motivering": "Liever niet"},
    ).content.decode()
    assert "Afwijzen kan niet als aan alle criteria is voldaan" in html
    response = client.post(
        f"/contracten/toetreding/{aanvraag.pk}/",
        {**all_met, "besluit": "toegelaten", "motivering": "Schaarste"},
    )
    assert response.status_code == 302
    assert new_products[0] in own.toegelaten_producten.all()
    # An application for products already admitted is refused.
    html = apply(
        client, new_products, agb=own.aanbieder.agb_code, naam=own.aanbieder.naam, soort="uitbreiding"
    ).content.decode()
    assert "Al toegelaten" in html


def test_provider_sees_only_its_own_applications(setup):
    regio = login("regio")
    apply(regio, setup)
    other = Aanvraag.objects.get()
    provider = login("aanbieder")
    assert provider.get(f"/contracten/toetreding/{other.pk}/").status_code == 403
    assert "Praktijk Nieuw" not in provider.get("/contracten/toetreding/").content.decode()
    assert provider.post("/contracten/toetreding/", {"agb": "97009999"}).status_code == 403
    assert login("gemeente-venlo").get("/contracten/toetreding/").status_code == 403
