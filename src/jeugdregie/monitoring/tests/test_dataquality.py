"""The data-quality report and the `data-quality` command on rows built with the ORM; the expected
findings are worked out by hand below."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import Toewijzing
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2025, 1, 31)  # every message below is dated this: the data's date


@pytest.fixture
def region():
    load_demo_region(users=False)
    venlo = Gemeente.objects.get(cbs_code="0983")
    first, second = Aanbieder.objects.filter(is_nga=False).order_by("agb_code")[:2]
    return venlo, first, second


@pytest.fixture
def care(region):
    """Client a at the first provider: a claim past an allocation that was shortened, one on a
    deleted allocation, one on an allocation of 2021, and one after a stop. Client b at the first
    provider: three allocations of about two months in 2024. Client c at the second provider: an
    allocation of June 2024 that never started, and one of mid-November (77 days before the data's
    date, within the 90 days)."""
    venlo, first, second = region
    rows = CareRows(AS_OF)
    a, b, c = rows.client("a", venlo), rows.client("b", venlo), rows.client("c", venlo)

    shortened = rows.allocation(a, first, "A-KORT", D(2024, 1, 1), D(2024, 3, 15))
    rows.start(shortened, D(2024, 1, 5))
    rows.line(shortened, D(2024, 2, 1), D(2024, 2, 29), 800_00)  # inside
    rows.line(shortened, D(2024, 3, 1), D(2024, 3, 31), 800_00)  # runs 16 days past the end
    deleted = rows.allocation(a, first, "A-WEG", D(2024, 2, 1), D(2024, 6, 30), deleted=True)
    rows.line(deleted, D(2024, 2, 1), D(2024, 2, 29), 62_00)
    old = rows.allocation(a, first, "A-2021", D(2021, 1, 1), D(2021, 12, 31))
    rows.start(old, D(2021, 1, 4))
    rows.line(old, D(2024, 2, 1), D(2024, 2, 29), 100_00)  # far outside the usual fact window
    stopped = rows.allocation(a, first, "A-STOP", D(2024, 1, 1), D(2024, 12, 31))
    rows.start(stopped, D(2024, 1, 10))
    rows.stop(stopped, D(2024, 1, 10), D(2024, 5, 10))
    rows.line(stopped, D(2024, 5, 1), D(2024, 5, 31), 500_00)  # begins before the stop: fine
    rows.line(stopped, D(2024, 6, 1), D(2024, 6, 30), 500_00)  # after the stop
    rows.line(stopped, D(2024, 7, 1), D(2024, 7, 31), 500_00)  # after the stop, then credited:
    rows.line(stopped, D(2024, 7, 1), D(2024, 7, 31), 500_00, dc="C")  # netted away

    for nummer, begin, end in (
        ("B-1", D(2024, 1, 1), D(2024, 2, 29)),  # 59 days
        ("B-2", D(2024, 4, 1), D(2024, 5, 31)),  # 60 days
        ("B-3", D(2024, 7, 2), D(2024, 9, 1)),  # 61 days; 32 days after B-2: no extension of it
    ):
        short = rows.allocation(b, first, nummer, begin, end)
        rows.start(short, begin)
        rows.line(short, begin, begin + dt.timedelta(days=27), 200_00)

    rows.allocation(c, second, "C-NOOIT", D(2024, 6, 1), D(2024, 12, 31))  # 244 days old
    rows.allocation(c, second, "C-NIEUW", D(2024, 11, 15), None)  # 77 days old
    return first, second


def run(*args, capsys):
    call_command("data_quality", "--year", "2024", *args)
    return capsys.readouterr().out


def test_the_json_report_of_the_region(care, capsys):
    first, second = care
    report = json.loads(run("--json", capsys=capsys))
    assert (report["year"], report["as_of"], report["thresholds"]["short_max_days"]) == (
        2024,
        "2025-01-31",
        92,
    )
    checks = {c["id"]: c for c in report["checks"]}
    assert [c["id"] for c in report["checks"]] == [
        "claims_outside_allocation",
        "claims_after_stop",
        "short_trajectories",
        "never_started",
    ]

    outside = checks["claims_outside_allocation"]
    assert (outside["count"], outside["clients"], outside["bedrag_cent"]) == (3, 1, 800_00 + 100_00 + 62_00)
    assert [
        (f["toewijzingnummers"], f["begin"], f["eind"], f["bedrag_cent"]) for f in outside["findings"]
    ] == [
        (["A-KORT"], "2024-03-01", "2024-03-31", 800_00),
        (["A-2021"], "2024-02-01", "2024-02-29", 100_00),
        (["A-WEG"], "2024-02-01", "2024-02-29", 62_00),
    ]
    assert "verwijderd" in outside["findings"][2]["uitleg"]
    assert outside["findings"][0]["aanbieder"] == first.agb_code
    assert outside["findings"][0]["aanbieder_naam"] == first.naam
    assert outside["findings"][0]["gemeente_naam"] == "Venlo"

    after = checks["claims_after_stop"]
    assert [(f["toewijzingnummers"], f["begin"], f["bedrag_cent"]) for f in after["findings"]] == [
        (["A-STOP"], "2024-06-01", 500_00)
    ]
    assert "10-05-2024" in after["findings"][0]["uitleg"]

    (short,) = checks["short_trajectories"]["findings"]
    assert short["toewijzing"] is None and short["toewijzingnummers"] == ["B-1", "B-2", "B-3"]
    assert (short["client"], short["begin"], short["eind"], short["bedrag_cent"]) == (
        "bbbbbbbbbb",
        "2024-01-01",
        "2024-09-01",
        600_00,
    )

    (never,) = checks["never_started"]["findings"]
    assert (never["toewijzingnummers"], never["aanbieder"], never["bedrag_cent"]) == (
        ["C-NOOIT"],
        second.agb_code,
        0,
    )
    assert "244 dagen" in never["uitleg"]
    # Pseudonyms appear shortened only.
    text = json.dumps(report)
    assert "a" * 11 not in text and "b" * 11 not in text and "aaaaaaaaaa" in text


def test_filters_on_provider_and_municipality(care, capsys):
    first, second = care
    report = json.loads(run("--json", "--provider", second.agb_code, capsys=capsys))
    assert {c["id"]: c["count"] for c in report["checks"]} == {
        "claims_outside_allocation": 0,
        "claims_after_stop": 0,
        "short_trajectories": 0,
        "never_started": 1,
    }
    assert report["aanbieder"] == second.agb_code
    beesel = json.loads(run("--json", "--municipality", "0889", capsys=capsys))
    assert all(c["count"] == 0 and c["findings"] == [] for c in beesel["checks"])
    with pytest.raises(CommandError, match="Onbekende aanbieder"):
        run("--provider", "12345678", capsys=capsys)


def test_thresholds_from_the_command_line(care, capsys):
    # G = 300: C-NOOIT (244 days) is young enough. M = 60: only B-1 (59 days) is short, one is no run
    # even with N = 2.
    report = json.loads(
        run("--json", "--not-started-days", "300", "--short-days", "60", "--short-count", "2", capsys=capsys)
    )
    counts = {c["id"]: c["count"] for c in report["checks"]}
    assert counts["never_started"] == 0 and counts["short_trajectories"] == 0
    assert report["thresholds"]["not_started_days"] == 300
    report = json.loads(run("--json", "--short-days", "61", "--short-count", "2", capsys=capsys))
    (short,) = next(c for c in report["checks"] if c["id"] == "short_trajectories")["findings"]
    assert short["toewijzingnummers"] == ["B-1", "B-2"]  # 59 and 60 days; B-3 lasts 61


def test_the_text_report_is_dutch_and_limited(care, capsys):
    out = run("--limit", "1", capsys=capsys)
    assert out.startswith("Datakwaliteit 2024 (regio), gegevens tot en met 2025-01-31")
    assert "Declaraties buiten de toewijzing [hoog]: 3 bevinding(en), 1 cliënt(en), bedrag EUR 962,00" in out
    assert "cliënt aaaaaaaaaa…, toewijzing A-KORT" in out
    assert "… en nog 2; toon meer met --limit of alles met --json." in out
    assert "Toewijzingen nooit gestart [laag]: 1 bevinding(en)" in out
    assert "a" * 11 not in out
    # The console script knows the command.
    from jeugdregie.cli import COMMANDS

    assert COMMANDS["data-quality"] == "data_quality"


def test_an_empty_database_gives_an_empty_report(region, capsys):
    report = json.loads(run("--json", capsys=capsys))
    assert [c["count"] for c in report["checks"]] == [0, 0, 0, 0]
    assert Toewijzing.objects.count() == 0
