"""The iJw rules reported as findings (TR318, TR321, TR322, TR056) and the municipality's answers
(JW325 rejections, JW317/JW319 change requests) in the data-quality report, the `data-quality`
command and the Datakwaliteit screen, on a hand-made database whose numbers are worked out below.

Provider P (the demo provider user's), Venlo, 2024, all 45N01 (hours):
- client a, allocation A1 (1 Jan - 31 Dec, 10 hours a month, started 1 Jan): January 10 hours
  (EUR 720), February 11 hours (EUR 792: TR321, one hour over), April 10 hours (EUR 720); no claim
  message over March while A1 ran: TR318 gap in March. A January line of EUR 100 is rejected
  (JW325, 0611);
- client b, allocation B1 (1 Jan - 30 Jun, 20 hours in total, not started): January 10 hours
  (EUR 720), February 11 hours (EUR 792): 21 > 20, TR322 in February. A January line of EUR 50 is
  rejected (9321).
Provider Q, Venlo: client c, January EUR 500, nothing rejected.
Submitted 2024: 720 + 792 + 720 + 100 + 720 + 792 + 50 + 500 = EUR 4,394; rejected EUR 150.
Change requests of P: W-1 (1 March) granted 15 March (14 days), W-2 (1 April) refused 21 April (20
days), W-3 (1 May) open: 3 asked, 2 decided, 1 granted (50%), median 17 days.
A JW305 of P dated 10 June 2024 reused an identification: TR056 in the quarantine.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from jeugdregie.accounts.testing import login
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.models import QuarantaineItem
from jeugdregie.ijw.pseudonym import redact_payload
from jeugdregie.ijw.writer import to_xml
from jeugdregie.monitoring.dataquality import data_quality_report
from jeugdregie.monitoring.services import format_value, kpi_report
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    DeclaratieRegel,
    GevraagdeWijziging,
    ToewijzingWijziging,
    VerzoekOmWijziging,
)
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date
SUBMITTED = 720_00 + 792_00 + 720_00 + 100_00 + 720_00 + 792_00 + 50_00 + 500_00


@pytest.fixture(autouse=True)
def world():
    load_demo_region()
    venlo = Gemeente.objects.get(cbs_code="0983")
    p = Aanbieder.objects.get(agb_code=region.aanbieders()[0].agb_code)
    q = Aanbieder.objects.get(agb_code=region.aanbieders()[5].agb_code)
    rows = CareRows(D(2025, 1, 31))
    a, b, c = rows.client("a", venlo), rows.client("b", venlo), rows.client("c", venlo)
    a1 = rows.allocation(a, p, "A1", D(2024, 1, 1), D(2024, 12, 31), volume=10, frequentie="4")
    rows.start(a1, D(2024, 1, 1))
    rows.line(a1, D(2024, 1, 1), D(2024, 1, 31), 720_00, volume=10)
    rows.line(a1, D(2024, 2, 1), D(2024, 2, 29), 792_00, volume=11)
    rows.line(a1, D(2024, 4, 1), D(2024, 4, 30), 720_00, volume=10)
    rows.line(a1, D(2024, 1, 1), D(2024, 1, 31), 100_00, volume=1)
    b1 = rows.allocation(b, p, "B1", D(2024, 1, 1), D(2024, 6, 30), volume=20, frequentie="6")
    rows.line(b1, D(2024, 1, 1), D(2024, 1, 31), 720_00, volume=10)
    rows.line(b1, D(2024, 2, 1), D(2024, 2, 29), 792_00, volume=11)
    rows.line(b1, D(2024, 1, 1), D(2024, 1, 31), 50_00, volume=1)
    c1 = rows.allocation(c, q, "C1", D(2024, 1, 1), D(2024, 12, 31))
    rows.start(c1, D(2024, 1, 1))
    rows.line(c1, D(2024, 1, 1), D(2024, 1, 31), 500_00, volume=5)
    for amount, code in ((100_00, "0611"), (50_00, "9321")):
        DeclaratieRegel.objects.filter(bedrag_cent=amount).update(afgewezen=True, afgewezen_retourcode=code)

    asked = {}
    for ref, day in (("W-1", D(2024, 3, 1)), ("W-2", D(2024, 4, 1)), ("W-3", D(2024, 5, 1))):
        asked[ref] = VerzoekOmWijziging.objects.create(
            aanbieder=p, gemeente=venlo, client=a, bericht=rows.message("JW317", day),
            referentie_aanbieder=ref, reden_verzoek="1", aangevraagd_op=day,
        )  # fmt: skip
        GevraagdeWijziging.objects.create(
            verzoek=asked[ref], soort="wijzigen", toewijzing=a1, product=a1.product, gewenste_ingangsdatum=day
        )
    ToewijzingWijziging.objects.create(
        toewijzing=a1, bericht=rows.message("JW301", D(2024, 3, 15)), volgnummer=2,
        toewijzingsdatum=D(2024, 3, 15), ingangsdatum=D(2024, 1, 1), referentie_aanbieder="W-1",
    )  # fmt: skip
    AntwoordVerzoek.objects.create(
        aanbieder=p, gemeente=venlo, bericht=rows.message("JW319", D(2024, 4, 21)), referentie_aanbieder="W-2",
        verzoek_wijziging=asked["W-2"], uitkomst="1", beantwoord_op=D(2024, 4, 21),
    )  # fmt: skip

    start = m.StartZorg(
        m.Header(p.agb_code, "0983", "S-77", D(2024, 6, 10)),
        m.ClientIdentity("999990019", D(2012, 5, 17), "2"),
        (m.StartProduct("1001", "45", "45N01", D(2024, 1, 1), D(2024, 6, 3)),),
    )
    QuarantaineItem.objects.create(
        bestandsnaam="s77.xml", niveau="bericht", soort="JW305", afzender=p.agb_code, bericht_identificatie="S-77",
        regel="message.identification_reused", tr="TR056", retourcode="9056",
        melding="BerichtIdentificatie S-77 van afzender ... is al gebruikt voor een ander bericht.",
        payload=redact_payload(to_xml(start), settings.PSEUDONYM_KEY),
    )  # fmt: skip
    rows.message("JW301")  # dates the data: 31 January 2025
    return p, q


def by_id(checks):
    return {c["id"]: c for c in checks}


def test_the_report_finds_each_rule_exactly_where_worked_out(world):
    p, q = world
    report = data_quality_report(2024)
    rules = by_id(report["ijw_regels"])
    assert [c["id"] for c in report["ijw_regels"]] == [
        "tr322_total",
        "tr321_volume",
        "tr389_second_debit",
        "tr318_gap",
        "tr387_period",
        "tr056_reused_id",
    ]
    assert {c["id"]: (c["tr"], c["retourcode"], c["count"]) for c in report["ijw_regels"]} == {
        "tr322_total": ("TR322", "9322", 1),
        "tr321_volume": ("TR321", "9321", 1),
        "tr389_second_debit": ("TR389", "9389", 0),
        "tr318_gap": ("TR318", "8214", 1),
        "tr387_period": ("TR387", "9387", 0),
        "tr056_reused_id": ("TR056", "9056", 1),
    }
    [total] = rules["tr322_total"]["findings"]
    assert (total["toewijzingnummers"], total["begin"], total["bedrag_cent"], total["client"]) == (
        ["B1"],
        "2024-02-01",
        792_00,
        "bbbbbbbbbb",
    )
    [volume] = rules["tr321_volume"]["findings"]
    assert (volume["toewijzingnummers"], volume["begin"], volume["bedrag_cent"]) == (
        ["A1"],
        "2024-02-01",
        792_00,
    )
    assert "geleverd 11 uur" in volume["uitleg"] and "(1 te veel)" in volume["uitleg"]
    [gap] = rules["tr318_gap"]["findings"]
    assert (gap["aanbieder"], gap["gemeente"], gap["begin"], gap["eind"], gap["toewijzingnummers"]) == (
        p.agb_code,
        "0983",
        "2024-03-01",
        "2024-03-31",
        ["A1"],
    )
    assert rules["tr318_gap"]["clients"] == 1
    [reused] = rules["tr056_reused_id"]["findings"]
    assert (reused["aanbieder"], reused["gemeente"], reused["begin"]) == (p.agb_code, "0983", "2024-06-10")
    assert "JW305 S-77 in s77.xml" in reused["uitleg"]
    # Another year and another provider: nothing.
    assert all(c["count"] == 0 for c in data_quality_report(2024, aanbieder=q.agb_code)["ijw_regels"])
    assert by_id(data_quality_report(2023)["ijw_regels"])["tr056_reused_id"]["count"] == 0


def test_the_answers_are_the_kpi_engines_numbers(world):
    p, q = world
    answers = data_quality_report(2024)["antwoorden"]
    total = answers["afwijzingen"]["totaal"]
    assert (total["regels"], total["afgewezen_regels"], total["ingediend_cent"], total["afgewezen_cent"]) == (
        8,
        2,
        SUBMITTED,
        150_00,
    )
    assert total["aandeel"] == 150_00 / SUBMITTED
    providers = {r["aanbieder"]: r for r in answers["afwijzingen"]["per_aanbieder"]}
    assert providers[p.agb_code]["aandeel"] == 150_00 / (SUBMITTED - 500_00)
    assert (providers[q.agb_code]["afgewezen_regels"], providers[q.agb_code]["aandeel"]) == (0, 0.0)
    assert [
        (r["retourcode"], r["tr"], r["afgewezen_cent"], r["aandeel"])
        for r in answers["afwijzingen"]["per_retourcode"]
    ] == [
        ("0611", "TR418", 100_00, 100_00 / SUBMITTED),
        ("9321", "TR321", 50_00, 50_00 / SUBMITTED),
    ]
    requests = answers["verzoeken"]["totaal"]
    assert {k: requests[k] for k in ("ingediend", "beslist", "toegekend", "afgewezen", "aandeel_toegekend", "mediaan_dagen")} == {
        "ingediend": 3, "beslist": 2, "toegekend": 1, "afgewezen": 1, "aandeel_toegekend": 0.5, "mediaan_dagen": 17.0,
    }  # fmt: skip
    # The same numbers as the KPI report (and so the `kpi` command), for the region and per provider.
    for selection in ({}, {"aanbieder": p.agb_code}, {"gemeente": "0983"}):
        kpis = {r["id"]: r["value"] for r in kpi_report(2024, **selection)["kpis"]}
        mine = data_quality_report(2024, **selection)["antwoorden"]
        assert mine["afwijzingen"]["totaal"]["aandeel"] == kpis["rejected_share"]
        assert {r["retourcode"]: r["aandeel"] for r in mine["afwijzingen"]["per_retourcode"]} == kpis[
            "rejected_share_by_code"
        ]
        assert mine["verzoeken"]["totaal"]["aandeel_toegekend"] == kpis["change_requests_granted"]
        assert mine["verzoeken"]["totaal"]["mediaan_dagen"] == kpis["change_request_days"]


def test_the_command_reports_rules_and_answers(world, capsys):
    call_command("data_quality", "--year", "2024")
    out = capsys.readouterr().out
    assert "TR321 / 9321 Geleverd volume past niet bij de toegewezen omvang [hoog]: 1 bevinding(en)" in out
    assert "TR318 / 8214 Gat in de declaratieperioden [middel]: 1 bevinding(en), 1 cliënt(en)" in out
    assert (
        "TR056 / 9056 Berichtidentificatie hergebruikt voor een ander bericht [middel]: 1 bevinding(en), bedrag"
        in out
    )
    share = format_value(150_00 / SUBMITTED, "fractie")
    assert (
        f"Afgewezen declaratieregels (JW325): 2 van 8 regels, EUR 150,00 van EUR 4.394,00 (afgewezen aandeel {share})"
        in out
    )
    assert "retourcode 0611 (TR418)" in out
    assert (
        "Wijzigingsverzoeken (JW317/JW319): 3 ingediend; 2 beslist: 1 toegekend, 1 afgewezen (toegekend 50,0%, mediaan 17,0 dagen"
        in out
    )
    report = json.loads(_json(capsys))
    assert report["antwoorden"]["verzoeken"]["totaal"]["beslist"] == 2


def _json(capsys):
    call_command("data_quality", "--year", "2024", "--json")
    return capsys.readouterr().out


def page(client, query="jaar=2024"):
    response = client.get(f"/datakwaliteit/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_region_sees_rules_and_answers_as_the_kpi_screen(world):
    p, q = world
    html = page(login("regio"))
    assert "TR321</td><td>9321</td>" in html and "TR318 / 8214: Gat in de declaratieperioden" in html
    assert "TR056 / 9056" in html and "JW305 S-77" in html
    assert "(1 te veel)" in html and "bbbbbbbbbb…" in html
    kpis = {r["id"]: r for r in kpi_report(2024)["kpis"]}
    share = format_value(kpis["rejected_share"]["value"], "fractie")
    assert f"afgewezen aandeel <strong>{share}</strong>" in html
    assert (
        "<td>0611</td><td>TR418</td><td>Niet voldaan aan: ProductTarief is het contracttarief van de ProductCode.</td>"
        in html
    )
    assert format_value(kpis["change_request_days"]["value"], "dagen") in html  # 17,0
    assert f'<td>{p.naam}</td><td class="num">3</td><td class="num">2</td>' in html


@override_settings(SMALL_NUMBER_THRESHOLD=2)
def test_small_numbers_are_hidden_outside_regio_with_complementary_hiding(world):
    p, q = world
    html = page(login("gemeente-venlo"))  # its own municipality: findings shown, numbers suppressed
    assert "bbbbbbbbbb…" in html and "TR322 / 9322" in html
    # P rests on 2 clients (shown by itself), Q on 1 (hidden): P is hidden with it, else the total
    # (3 clients, shown) minus P would give Q away.
    assert f'<td>{q.naam}</td><td class="num">-</td>' in html
    assert f'<td>{p.naam}</td><td class="num">-</td>' in html
    assert "2</strong> van 8 regels afgewezen" in html
    # The return codes rest on one client each: the breakdown is not shown.
    assert "De verdeling over retourcodes wordt niet getoond" in html and "<td>0611</td>" not in html
    regio = page(login("regio"))
    assert "<td>0611</td>" in regio and "De verdeling over retourcodes" not in regio


def test_scoping_a_provider_sees_its_own_and_another_provider_is_refused(world):
    p, q = world
    client = login("aanbieder")
    html = page(client)
    assert "TR321 / 9321" in html and "bbbbbbbbbb…" in html and q.naam not in html
    assert client.get(f"/datakwaliteit/?jaar=2024&aanbieder={q.agb_code}").status_code == 403
    # A municipality asking for another municipality is refused; the whole region: no findings.
    assert login("gemeente-venlo").get("/datakwaliteit/?jaar=2024&gemeente=0889").status_code == 403
    other = page(login("gemeente-venlo"), "jaar=2024&gemeente=")
    assert "bbbbbbbbbb" not in other and "aaaaaaaaaa" not in other and "JW305 S-77" not in other
