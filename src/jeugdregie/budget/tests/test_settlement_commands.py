"""The settle and settle-compare commands: JSON shape, Dutch text, errors, and the outlook."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jeugdregie.budget.forecasting import forecast_levels
from jeugdregie.budget.models import CBudget
from jeugdregie.budget.settlement import resolve_rule_set, settle
from jeugdregie.cli import COMMANDS, USAGE
from jeugdregie.rules.money import round_cents
from jeugdregie.rules.settlement import example_rule_sets, settle_group

from .settlement_support import BEESEL, VENLO, build_world

pytestmark = pytest.mark.django_db
Y = 2026

GROUP_FIELDS = {
    "agb",
    "groep",
    "claimed_cents",
    "ceiling_cents",
    "approved_overrun_cents",
    "eligible_cents",
    "after_norm_reduction_cents",
    "paid_cents",
    "unpaid_cents",
    "charges",
}


@pytest.fixture
def world():
    w = build_world()
    for month in range(1, 7):
        # Received the month after: on 2026-06-30 January to May are in.
        received = dt.date(Y, month + 1, 5)
        w.claim(w.a, "45N01", VENLO, dt.date(Y, month, 1), 150_000, received=received)
        w.claim(w.a, "45N01", BEESEL, dt.date(Y, month, 1), 50_000, received=received)
        w.claim(w.c, "41N01", VENLO, dt.date(Y, month, 1), 30_000, received=received)
    w.claim(w.a, "45N01", VENLO, dt.date(Y - 1, 6, 1), 1_100_000, received=dt.date(Y - 1, 7, 5))
    w.ceiling(w.a, "A", Y, 1_000_000, {VENLO: 750_000, BEESEL: 250_000})
    return w


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_lists_and_reaches_both_commands():
    assert COMMANDS["settle"] == "settle" and COMMANDS["settle-compare"] == "settle_compare"
    assert "settle --year Y" in USAGE and "settle-compare --year Y --rules" in USAGE


def test_settle_json_shape(world):
    data = json.loads(run("settle", "--year", str(Y), "--json"))
    assert data["rules"]["name"] == "harde-plafond" and data["rules"]["source"].endswith("harde-plafond.toml")
    assert data["year"] == Y and data["as_of"] is None
    rows = {(g["agb"], g["groep"]): g for g in data["groups"]}
    a = rows[(world.a.agb_code, "A")]
    assert set(a) >= GROUP_FIELDS
    assert (a["claimed_cents"], a["ceiling_cents"], a["paid_cents"], a["unpaid_cents"]) == (
        1_200_000,
        1_000_000,
        1_000_000,
        200_000,
    )
    assert a["charges"] == {VENLO: 750_000, BEESEL: 250_000}
    assert a["outlook"] is None
    c = rows[(world.c.agb_code, "D")]
    assert (c["ceiling_cents"], c["paid_cents"], c["charges"]) == (None, 180_000, {VENLO: 180_000})
    municipalities = {m["cbs"]: m for m in data["municipalities"]}
    assert {"cbs", "claimed_cents", "charged_cents"} <= set(municipalities[VENLO])
    assert municipalities[VENLO]["charged_cents"] == 930_000
    assert (
        sum(m["charged_cents"] for m in data["municipalities"]) == data["totals"]["paid_cents"] == 1_180_000
    )
    for category in data["solidarity"]:
        assert {"name", "basis", "years", "municipalities"} <= set(category)
        assert category["years"] == [Y - 3, Y - 2, Y - 1]
        for row in category["municipalities"]:
            assert {"cbs", "share", "own_cost_cents", "contribution_cents", "balance_cents"} <= set(row)
        assert sum(r["balance_cents"] for r in category["municipalities"]) == 0
    assert data["c_budget"]["paid_cents"] == 180_000


def test_settle_text_is_dutch_with_totals(world):
    text = run("settle", "--year", str(Y), "--rules", "donut-5")
    assert "Afrekening 2026" in text and "Regelset: donut-5" in text
    assert "1.200.000,00" not in text  # cents are shown as euro
    assert "12.000,00" in text  # A's claims: EUR 12,000.00
    assert "Totaal" in text and "Solidariteit segment 4" in text


def test_settle_text_says_by_how_much_the_c_budget_is_overrun(world):
    # The category C provider is paid 6 x 300.00 = 1,800.00 in 2026.
    line = "C-budget (categorie C en NGA, geen individueel plafond): "
    text = run("settle", "--year", str(Y))
    assert f"{line}niet vastgesteld; uitbetaald 1.800,00." in text
    budget = CBudget.objects.create(jaar=Y, referentiejaar=Y - 2, bedrag_cent=150_000)
    text = run("settle", "--year", str(Y))
    assert f"{line}1.500,00, uitbetaald 1.800,00, overschreden met 300,00 (120,0%)." in text
    budget.bedrag_cent = 240_000
    budget.save()
    text = run("settle", "--year", str(Y))
    assert f"{line}2.400,00, uitbetaald 1.800,00, over 600,00 (75,0%)." in text


def test_settle_compare_json_and_text(world):
    names = sorted(example_rule_sets())
    data = json.loads(run("settle_compare", "--year", str(Y), "--rules", *names, "--json"))
    assert [r["label"] for r in data["rule_sets"]] == names and data["baseline"] == names[0]
    a = next(g for g in data["groups"] if g["agb"] == world.a.agb_code and g["groep"] == "A")
    # D = 1,200,000 at C = 1,000,000. donut-5: 1,000,000 + (1,200,000 - 1,050,000) = 1,150,000;
    # donut-staffel: 900,000 + 95,000 + 0.80 x 150,000 = 1,115,000; staffel: 900,000 + 95,000 +
    # 0.80 x 200,000 = 1,155,000; harde-plafond: 1,000,000.
    assert a["paid_cents"] == {
        "donut-5": 1_150_000,
        "donut-staffel": 1_115_000,
        "harde-plafond": 1_000_000,
        "staffel": 1_155_000,
    }
    assert a["differences_cents"]["harde-plafond"] == 1_000_000 - 1_150_000
    venlo = next(m for m in data["municipalities"] if m["cbs"] == VENLO)
    assert venlo["charged_cents"]["harde-plafond"] == 930_000
    assert set(data["totals"]["paid_cents"]) == set(names)
    text = run("settle_compare", "--year", str(Y), "--rules", "harde-plafond", "staffel")
    assert "Vergelijking regelsets" in text and "Verschil" in text


def test_rule_file_and_errors(world, tmp_path):
    path = example_rule_sets()["staffel"]
    assert (
        json.loads(run("settle", "--year", str(Y), "--rules", str(path), "--json"))["rules"]["name"]
        == "staffel"
    )
    with pytest.raises(CommandError, match="Onbekende regelset"):
        run("settle", "--year", str(Y), "--rules", "geen-regels")
    bad = tmp_path / "kapot.toml"
    bad.write_text('name = "x"\n')
    with pytest.raises(CommandError, match="kapot.toml"):
        run("settle", "--year", str(Y), "--rules", str(bad))
    with pytest.raises(CommandError, match="jeugdregie ceilings --year 2024"):
        run("settle", "--year", "2024")
    with pytest.raises(CommandError, match="ten minste twee"):
        run("settle_compare", "--year", str(Y), "--rules", "staffel")
    with pytest.raises(CommandError, match="laatste dag van een maand"):
        run("settle", "--year", str(Y), "--as-of", "2026-06-15")


def test_outlook_settles_low_mid_and_high_forecast(world):
    as_of = dt.date(Y, 6, 30)
    rules = resolve_rule_set(Y, "harde-plafond")
    s = settle(Y, rules, as_of=as_of)
    a = next(g for g in s.groups if g.agb == world.a.agb_code and g.groep == "A")
    assert a.outcome.claimed_cents == 1_000_000  # January to May received by the peildatum
    forecast = next(
        f.chosen
        for f in forecast_levels(Y, as_of, levels=("aanbieder_groep",), committed=False)
        if f.key == f"{world.a.agb_code}/A"
    )
    for band, value in (
        ("low", forecast.low_cent),
        ("mid", forecast.value_cent),
        ("high", forecast.high_cent),
    ):
        value = forecast.value_cent if value is None else value
        assert a.outlook[band] == settle_group(round_cents_of(value), 1_000_000, 0, rules, 0)
    assert a.outlook["low"].paid_cents <= a.outlook["mid"].paid_cents <= a.outlook["high"].paid_cents
    data = json.loads(run("settle", "--year", str(Y), "--as-of", "2026-06-30", "--json"))
    row = next(g for g in data["groups"] if g["agb"] == world.a.agb_code and g["groep"] == "A")
    assert set(row["outlook"]) == {"low", "mid", "high"}
    assert row["outlook"]["mid"]["paid_cents"] == a.outlook["mid"].paid_cents
    assert data["totals"]["outlook_mid_paid_cents"] == sum(
        g.outlook["mid"].paid_cents for g in s.groups if g.outlook
    )


def round_cents_of(value: float) -> int:
    from decimal import Decimal

    return round_cents(Decimal(str(value)))
