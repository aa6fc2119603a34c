"""Access to contract data with another party's id in the URL or the form (issue 14, "a provider or
municipality cannot reach another party's contract data"): the agreement, stuuropdracht, talks,
outcomes and applications of another provider; municipalities and referrers reach none of them."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from jeugdregie.accounts.testing import login
from jeugdregie.contracten import outcomes, views
from jeugdregie.contracten.models import (
    Aanbieder,
    Aanvraag,
    Contractgesprek,
    Raamovereenkomst,
    Tertiaalevaluatie,
    Toetredingsvenster,
    Uitkomstmeting,
)
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.rules.outcomes import OutcomeRow
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def parties(monkeypatch):
    """The demo provider user's provider (own, category A) and another A provider (other), each
    with a talk, a tertial evaluation and reported outcomes; an application of the other."""
    load_demo_region()
    monkeypatch.setattr(views, "today", lambda: D(2025, 9, 1))
    monkeypatch.setattr(outcomes, "today", lambda: D(2025, 9, 1))
    CareRows(D(2025, 9, 1)).message("JW301")
    own = Aanbieder.objects.get(agb_code=region.aanbieders()[0].agb_code)
    other = Aanbieder.objects.get(agb_code=region.aanbieders()[1].agb_code)
    assert (own.categorie, other.categorie) == ("A", "A")
    regio = User.objects.get(username="regio")
    for provider in (own, other):
        Contractgesprek.objects.create(
            aanbieder=provider,
            datum=D(2025, 5, 1),
            deelnemers="regio",
            afspraken=f"Afspraak met {provider.agb_code}",
            vastgelegd_door=regio,
        )
        Tertiaalevaluatie.objects.create(
            aanbieder=provider, tertiaal="2025-T1", oordeel="op koers", toelichting="x", door=regio
        )
    outcomes.import_outcomes(
        [
            OutcomeRow(own.agb_code, "2025-T1", "doelrealisatie", 40, 30),
            OutcomeRow(other.agb_code, "2025-T1", "doelrealisatie", 41, 29),
        ],
        regio,
    )
    window = Toetredingsvenster.objects.create(categorie="A", opent_op=D(2025, 8, 1), sluit_op=D(2025, 8, 31))
    aanvraag = Aanvraag.objects.create(
        agb_code=other.agb_code,
        organisatienaam=other.naam,
        categorie=other.categorie,
        soort="uitbreiding",
        ingediend_op=D(2025, 8, 1),
        venster=window,
        geregistreerd_door=regio,
    )
    return own, other, aanvraag


def test_provider_cannot_reach_another_providers_contract_data(parties):
    own, other, aanvraag = parties
    client = login("aanbieder")
    other_ro = Raamovereenkomst.objects.get(aanbieder=other)
    assert client.get(f"/contracten/{other_ro.kenmerk}/").status_code == 403
    assert client.get(f"/contracten/stuuropdracht/{other.agb_code}/?jaar=2025").status_code == 403
    talk = {"soort": "gesprek", "datum": "2025-08-01", "deelnemers": "x", "afspraken": "ingebroken"}
    assert client.post(f"/contracten/stuuropdracht/{other.agb_code}/", talk).status_code == 403
    assert client.get(f"/contracten/toetreding/{aanvraag.pk}/").status_code == 403
    assert client.get("/contracten/gesprekken/").status_code == 403
    assert client.get("/contracten/categorieen/").status_code == 403
    assert Contractgesprek.objects.filter(afspraken="ingebroken").count() == 0
    # Its own stuuropdracht shows its own talk and outcomes, nothing of the other's.
    html = client.get(f"/contracten/stuuropdracht/{own.agb_code}/?jaar=2025").content.decode()
    assert f"Afspraak met {own.agb_code}" in html and f"Afspraak met {other.agb_code}" not in html
    # The outcomes list holds its own reports only; reporting for the other is refused per row.
    html = client.get("/contracten/uitkomsten/").content.decode()
    assert "30" in html and other.agb_code not in html and other.naam not in html
    form = {
        "soort": "formulier",
        "aanbieder": other.agb_code,
        "tertiaal": "2025-T1",
        "indicator": "doelrealisatie",
        "gemeten": "41",
        "positief": "1",
    }
    html = client.post("/contracten/uitkomsten/", form).content.decode()
    assert (
        f"u levert alleen voor uw eigen organisatie aan (AGB {own.agb_code}), niet voor {other.agb_code}"
        in html
    )
    assert Uitkomstmeting.objects.get(aanbieder=other).positief == 29
    # The application list holds none of the other's.
    assert other.agb_code not in client.get("/contracten/toetreding/").content.decode()


@pytest.mark.parametrize("username", ["gemeente-venlo", "verwijzer"])
def test_municipality_and_referrer_reach_no_contract_data(parties, username):
    own, other, aanvraag = parties
    client = login(username)
    ro = Raamovereenkomst.objects.get(aanbieder=own)
    for url in (
        "/contracten/",
        f"/contracten/{ro.kenmerk}/",
        f"/contracten/stuuropdracht/{own.agb_code}/",
        f"/contracten/stuuropdracht/{other.agb_code}/",
        "/contracten/gesprekken/",
        "/contracten/uitkomsten/",
        "/contracten/categorieen/",
        "/contracten/toetreding/",
        f"/contracten/toetreding/{aanvraag.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    form = {
        "soort": "formulier",
        "aanbieder": own.agb_code,
        "tertiaal": "2025-T1",
        "indicator": "doelrealisatie",
        "gemeten": "40",
        "positief": "1",
    }
    assert client.post("/contracten/uitkomsten/", form).status_code == 403
    assert Uitkomstmeting.objects.get(aanbieder=own).positief == 30
