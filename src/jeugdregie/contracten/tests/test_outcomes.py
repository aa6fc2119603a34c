"""Outcomes upload (step 5): all rows or none with a Dutch error per row, a provider only for
itself, and the outcomes beside the KPIs in the stuuropdracht with suppression."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.accounts.testing import login
from jeugdregie.contracten import outcomes, views
from jeugdregie.contracten.models import Aanbieder, Uitkomstmeting
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.rules.outcomes import HEADER
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date


def xlsx(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("uitkomsten.xlsx", buffer.getvalue())


@pytest.fixture
def demo(monkeypatch):
    load_demo_region()
    monkeypatch.setattr(outcomes, "today", lambda: D(2025, 9, 1))
    monkeypatch.setattr(views, "today", lambda: D(2025, 9, 1))
    CareRows(D(2025, 9, 1)).message("JW301")  # the data runs to 1-9-2025: 2025 is a year with data
    return [Aanbieder.objects.get(agb_code=region.aanbieders()[i].agb_code) for i in range(4)]


def test_provider_uploads_its_own_outcomes(demo):
    own = demo[0].agb_code
    client = login("aanbieder")
    rows = [(own, "2025-T1", "Cliënttevredenheid", 40, 31), (int(own), "2025-T2", "doelrealisatie", 12, 9)]
    response = client.post("/contracten/uitkomsten/", {"soort": "upload", "bestand": xlsx(rows)})
    assert response.status_code == 302
    found = sorted(
        Uitkomstmeting.objects.values_list("tertiaal", "indicator", "gemeten", "positief", "door__username")
    )
    assert found == [
        ("2025-T1", "clienttevredenheid", 40, 31, "aanbieder"),
        ("2025-T2", "doelrealisatie", 12, 9, "aanbieder"),
    ]
    assert AuditRegel.objects.filter(actie="uitkomst aangeleverd").count() == 2
    # A newer report of the same tertial and indicator replaces the older.
    client.post(
        "/contracten/uitkomsten/",
        {"soort": "upload", "bestand": xlsx([(own, "2025-T1", "clienttevredenheid", 50, 45)])},
    )
    assert Uitkomstmeting.objects.get(tertiaal="2025-T1").gemeten == 50


def test_one_bad_row_imports_nothing_and_names_every_row(demo):
    own, other = demo[0].agb_code, demo[1].agb_code
    rows = [
        (own, "2025-T1", "clienttevredenheid", 40, 31),
        (other, "2025-T1", "doelrealisatie", 5, 4),
        (own, "2025-T3", "doelrealisatie", 3, 4),
    ]
    response = login("aanbieder").post("/contracten/uitkomsten/", {"soort": "upload", "bestand": xlsx(rows)})
    html = response.content.decode()
    assert response.status_code == 200 and not Uitkomstmeting.objects.exists()
    assert "Er is niets opgeslagen: 2 rij(en) met fouten." in html
    assert f"u levert alleen voor uw eigen organisatie aan (AGB {own}), niet voor {other}." in html
    assert (
        "tertiaal 2025-T3 is nog niet voorbij; aantal positief (4) is groter dan aantal gemeten (3)." in html
    )


def test_exactly_one_bad_row_among_good_rows_stores_nothing(demo):
    own = demo[0].agb_code
    rows = [
        (own, "2025-T1", "clienttevredenheid", 40, 31),
        (own, "2025-T1", "doelrealisatie", 40, 20),
        (own, "2025-T2", "clienttevredenheid", 12, "12,5"),  # Excel row 4
        (own, "2025-T2", "doelrealisatie", 12, 9),
    ]
    response = login("aanbieder").post("/contracten/uitkomsten/", {"soort": "upload", "bestand": xlsx(rows)})
    html = response.content.decode()
    assert response.status_code == 200
    assert Uitkomstmeting.objects.count() == 0 and not AuditRegel.objects.filter(actie="uitkomst aangeleverd")
    assert "Er is niets opgeslagen: 1 rij(en) met fouten." in html
    assert "<tr><td>4</td><td>aantal positief &#x27;12,5&#x27; is geen geheel getal.</td></tr>" in html
    # The same file with the row mended is imported whole.
    rows[2] = (own, "2025-T2", "clienttevredenheid", 12, 12)
    response = login("aanbieder").post("/contracten/uitkomsten/", {"soort": "upload", "bestand": xlsx(rows)})
    assert response.status_code == 302 and Uitkomstmeting.objects.count() == 4


def test_unreadable_file_and_wrong_header(demo):
    client = login("regio")
    bad = client.post(
        "/contracten/uitkomsten/", {"soort": "upload", "bestand": SimpleUploadedFile("x.xlsx", b"geen excel")}
    )
    assert "geen leesbaar Excel-bestand" in bad.content.decode()
    header = client.post(
        "/contracten/uitkomsten/", {"soort": "upload", "bestand": xlsx([], header=("AGB", "T"))}
    )
    assert "De eerste rij moet de kolomkoppen bevatten" in header.content.decode()
    assert not Uitkomstmeting.objects.exists()


def test_region_form_and_outcomes_in_the_stuuropdracht_with_suppression(demo):
    own = demo[0].agb_code
    regio = login("regio")
    form = {
        "soort": "formulier",
        "aanbieder": own,
        "tertiaal": "2025-T1",
        "indicator": "clienttevredenheid",
        "gemeten": "4",
        "positief": "3",
    }
    assert regio.post("/contracten/uitkomsten/", form).status_code == 302
    html = regio.get(f"/contracten/stuuropdracht/{own}/?jaar=2025").content.decode()
    assert "Cliënttevredenheid (eigen opgave)" in html and "75,0%" in html
    provider_html = login("aanbieder").get(f"/contracten/stuuropdracht/{own}/?jaar=2025").content.decode()
    assert "Cliënttevredenheid (eigen opgave)" in provider_html and "75,0%" not in provider_html  # 4 clients


def test_benchmark_of_peer_outcomes(demo):
    from django.contrib.auth.models import User

    from jeugdregie.contracten.outcomes import import_outcomes, outcome_rows
    from jeugdregie.rules.outcomes import OutcomeRow

    user = User.objects.get(username="regio")
    agbs = [p.agb_code for p in demo]
    import_outcomes(
        [OutcomeRow(agbs[0], "2025-T1", "doelrealisatie", 10, 5)]
        + [
            OutcomeRow(a, "2025-T1", "doelrealisatie", 10, k)
            for a, k in zip(agbs[1:], (6, 7, 8), strict=True)
        ],
        user,
    )
    (_, doel) = outcome_rows(agbs[0], 2025, agbs[1:], suppress=False)
    assert doel["values"] == {"jaar": 0.5, "T1": 0.5, "T2": None, "T3": None}
    assert (doel["benchmark"].q1, doel["benchmark"].median, doel["benchmark"].q3) == pytest.approx(
        (0.65, 0.7, 0.75)
    )
    assert doel["position"] == "onder het eerste kwartiel"
    (_, hidden) = outcome_rows(agbs[0], 2025, agbs[1:], suppress=True)
    assert hidden["values"]["jaar"] == 0.5 and hidden["benchmark"] is None  # three peers < 5
