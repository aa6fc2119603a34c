"""Stuuropdracht screen (step 3): a KPI against its norm per year and tertial, the benchmark of
comparable providers with suppression outside the region, contract talks with actions, tertial
evaluations, talk planning, and access."""

import datetime as dt

import pytest

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.contracten import views
from jeugdregie.contracten.models import Aanbieder, Actiepunt, Contractgesprek, KpiNorm, Tertiaalevaluatie
from jeugdregie.contracten.stuuropdracht import norm_rows, peers_of
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.monitoring.facts import load_facts
from jeugdregie.regio.models import Gemeente
from jeugdregie.web.access import Scope
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def care(monkeypatch):
    """2024, all in 45N01 (segment of group A), all category A: the demo provider user's provider
    (own) three clients at EUR 1.000 each in T1; peers 1, 2, 3 one client each at EUR 1.000, 2.000
    and 3.000. Own norm: cost per client at most EUR 900."""
    load_demo_region()
    monkeypatch.setattr(views, "today", lambda: D(2025, 1, 15))
    venlo = Gemeente.objects.get(cbs_code="0983")
    providers = [Aanbieder.objects.get(agb_code=region.aanbieders()[i].agb_code) for i in range(4)]
    rows = CareRows(D(2025, 1, 31))
    people = [
        ("a", 0, 100_000),
        ("b", 0, 100_000),
        ("c", 0, 100_000),
        ("d", 1, 100_000),
        ("e", 2, 200_000),
        ("f", 3, 300_000),
    ]
    for key, index, amount in people:
        allocation = rows.allocation(
            rows.client(key, venlo), providers[index], f"T-{key}", D(2024, 1, 1), D(2024, 3, 31)
        )
        rows.line(allocation, D(2024, 2, 1), D(2024, 2, 28), amount)
    rows.message("JW301")
    KpiNorm.objects.create(aanbieder=providers[0], kpi="cost_per_client", maximum=90_000)
    return providers


def cost_row(scope, providers):
    facts = load_facts(D(2024, 1, 1), D(2024, 12, 31))
    return next(r for r in norm_rows(scope, providers[0].agb_code, 2024, facts) if r.kpi == "cost_per_client")


def test_norm_and_benchmark_for_the_region(care):
    providers = care
    facts = load_facts(D(2024, 1, 1), D(2024, 12, 31))
    assert peers_of(providers[0].agb_code, facts, 2024) == sorted(p.agb_code for p in providers[1:])
    row = cost_row(Scope("regio"), providers)
    assert row.values == {"jaar": 100_000, "T1": 100_000, "T2": None, "T3": None}
    assert row.status == {"jaar": "buiten", "T1": "buiten", "T2": None, "T3": None}
    assert (row.benchmark.peers, row.benchmark.q1, row.benchmark.median, row.benchmark.q3) == (
        3,
        150_000,
        200_000,
        250_000,
    )
    assert row.position == "onder het eerste kwartiel"


def test_outside_the_region_small_numbers_are_suppressed(care):
    providers = care
    row = cost_row(Scope("aanbieder", aanbieder=providers[0].agb_code), providers)
    assert row.values["jaar"] is None  # three clients
    assert row.benchmark is None  # every peer rests on one client


def test_screen_talk_with_actions_and_evaluation(care):
    providers = care
    client = login("regio")
    url = f"/contracten/stuuropdracht/{providers[0].agb_code}/?jaar=2024"
    html = client.get(url).content.decode()
    assert "Kosten per cliënt" in html
    assert "EUR 2.000" in html and "buiten norm" in html and "elke zes weken" in html
    # A talk with one action; without its owner and deadline the action is incomplete.
    talk = {
        "soort": "gesprek",
        "datum": "2025-01-10",
        "deelnemers": "regio, bestuurder",
        "afspraken": "Kosten omlaag",
        "actie_1": "Plan maken",
    }
    bad = client.post(url, talk)
    assert (
        bad.status_code == 200
        and "vul de actie, de eigenaar en de datum alle drie in" in bad.content.decode()
    )
    assert not Contractgesprek.objects.exists()
    ok = client.post(url, {**talk, "eigenaar_1": "aanbieder", "deadline_1": "2025-02-01"})
    assert ok.status_code == 302
    (action,) = Actiepunt.objects.all()
    assert (action.gesprek.aanbieder, action.eigenaar, action.deadline) == (
        providers[0],
        "aanbieder",
        D(2025, 2, 1),
    )
    assert (
        client.post(
            url,
            {
                "soort": "evaluatie",
                "tertiaal": "2024-T1",
                "oordeel": "bijsturen",
                "toelichting": "Boven norm",
            },
        ).status_code
        == 302
    )
    again = client.post(
        url, {"soort": "evaluatie", "tertiaal": "2024-T1", "oordeel": "op koers", "toelichting": "x"}
    )
    assert "al een evaluatie" in again.content.decode()
    assert Tertiaalevaluatie.objects.get().oordeel == "bijsturen"
    assert AuditRegel.objects.filter(actie__in=["contractgesprek", "tertiaalevaluatie"]).count() == 2
    html = client.get(url).content.decode()
    assert "volgend gesprek uiterlijk 21-02-2025" in html  # six weeks after 10-01-2025
    planning = client.get("/contracten/gesprekken/").content.decode()
    assert "Plan maken" in planning and providers[1].naam in planning


def test_provider_sees_its_own_stuuropdracht_only(care):
    providers = care
    client = login("aanbieder")
    assert client.get(f"/contracten/stuuropdracht/{providers[0].agb_code}/?jaar=2024").status_code == 200
    assert client.get(f"/contracten/stuuropdracht/{providers[1].agb_code}/?jaar=2024").status_code == 403
    post = client.post(
        f"/contracten/stuuropdracht/{providers[0].agb_code}/",
        {"soort": "evaluatie", "tertiaal": "2024-T1", "oordeel": "op koers", "toelichting": "x"},
    )
    assert post.status_code == 403 and not Tertiaalevaluatie.objects.exists()
    assert client.get("/contracten/gesprekken/").status_code == 403


@pytest.mark.parametrize("username", ["gemeente-venlo", "verwijzer"])
def test_municipality_has_no_stuuropdracht(care, username):
    assert login(username).get(f"/contracten/stuuropdracht/{care[0].agb_code}/").status_code == 403


def test_c_provider_has_no_stuuropdracht(care):
    c = Aanbieder.objects.filter(categorie="C", is_nga=False).first()
    assert login("regio").get(f"/contracten/stuuropdracht/{c.agb_code}/").status_code == 404
