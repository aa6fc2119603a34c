"""Ceilings for a year of the legacy book, and the tariff after the norm duration per claim line."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from jeugdregie.budget.models import Plafond
from jeugdregie.budget.services import calculate_ceilings
from jeugdregie.budget.settlement import resolve_rule_set, settle

from .settlement_support import BEESEL, VENLO, build_world, rule_set

pytestmark = pytest.mark.django_db


def test_ceilings_for_a_legacy_book_year_count_legacy_products_in_their_mapped_group():
    w = build_world()
    w.claim(w.a, "45L01", VENLO, dt.date(2023, 4, 1), 60_000)  # Perspectief 1 licht -> 45N01, group A
    w.claim(w.a, "45L09", BEESEL, dt.date(2023, 5, 1), 40_000)  # meerwerk -> 45N01, group A
    w.claim(w.a, "41L08", VENLO, dt.date(2023, 6, 1), 20_000)  # naschoolse dagbesteding -> 41N01, group D
    plafonds, _ = calculate_ceilings(2025, 2023)
    mine = {p.groep.code: p for p in plafonds if p.aanbieder == w.a}
    # index 2023 -> 2025: 2024 +6.10%, 2025 +3.60%: x 1.099196
    assert mine["A"].referentie_cent == 100_000 and mine["A"].bedrag_cent == 109_920
    assert mine["D"].bedrag_cent == 21_984  # 20,000 x 1.099196 = 21,983.92
    assert {v.gemeente.cbs_code: v.bedrag_cent for v in mine["A"].verdeling.all()} == {
        VENLO: 65_952,
        BEESEL: 43_968,
    }
    # The groups are those of the products the legacy products map to (the new book's).
    assert all(p.groep.boek.geldig_tot is None for p in mine.values())
    # Claims of 2025 on legacy products are settled in the same groups.
    w.claim(w.a, "45L02", VENLO, dt.date(2025, 3, 1), 150_000)
    w.claim(w.a, "41L08", VENLO, dt.date(2025, 3, 1), 10_000)
    s = settle(2025, resolve_rule_set(2025, "harde-plafond"))
    paid = {(g.agb, g.groep): g.outcome.paid_cents for g in s.groups if g.agb == w.a.agb_code}
    assert paid[(w.a.agb_code, "A")] == 109_920
    assert paid[(w.a.agb_code, "D")] == 10_000


def test_ceilings_command_for_the_legacy_year():
    w = build_world()
    w.claim(w.a, "41L08", VENLO, dt.date(2023, 6, 1), 20_000)
    out = StringIO()
    call_command("ceilings", "--year", "2025", "--reference-year", "2023", "--json", stdout=out)
    rows = json.loads(out.getvalue())["ceilings"]
    assert {"aanbieder": w.a.agb_code, "groep": "D", "plafond_cent": 21_984}.items() <= next(
        r for r in rows if r["aanbieder"] == w.a.agb_code and r["groep"] == "D"
    ).items()
    assert Plafond.objects.filter(jaar=2025).exists()


@pytest.fixture
def norm_world():
    w = build_world()
    y = 2026
    # Client p, Dagbehandeling 41N04 (norm 12 months, own factor 0.85): two allocations 10 days
    # apart form one care path from 2025-03-01, so the norm ends on 2026-03-01.
    w.allocation("p", w.a, "41N04", dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    p2 = w.allocation("p", w.a, "41N04", dt.date(2026, 1, 10), dt.date(2026, 12, 31))
    w.claim(w.a, "41N04", VENLO, dt.date(y, 2, 1), 100_001, toewijzing=p2)  # before the norm end
    w.claim(w.a, "41N04", VENLO, dt.date(y, 3, 1), 100_001, toewijzing=p2)  # reduced 15,000
    w.claim(w.a, "41N04", VENLO, dt.date(y, 4, 1), 100_001, toewijzing=p2)  # reduced 15,000
    w.claim(w.a, "41N04", VENLO, dt.date(y, 4, 1), 100_001, toewijzing=p2, dc="C")  # credit: -15,000
    # Client q, Dagbesteding 41N01 (norm 24 months, no own factor): the rule set's factor.
    q = w.allocation("q", w.a, "41N01", dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    w.claim(w.a, "41N01", VENLO, dt.date(y, 1, 1), 50_000, toewijzing=q)
    # Client r: a gap of more than 31 days starts a new path on 2025-09-01 (norm end 2026-09-01).
    w.allocation("r", w.a, "41N04", dt.date(2024, 1, 1), dt.date(2024, 6, 30), cbs=BEESEL)
    r2 = w.allocation("r", w.a, "41N04", dt.date(2025, 9, 1), dt.date(2026, 12, 31), cbs=BEESEL)
    w.claim(w.a, "41N04", BEESEL, dt.date(y, 5, 1), 80_000, toewijzing=r2)
    w.claim(w.a, "41N04", BEESEL, dt.date(y, 9, 1), 80_000, toewijzing=r2)  # reduced 12,000
    # A deleted allocation is no care path: its line is never reduced.
    gone = w.allocation("s", w.a, "41N04", dt.date(2023, 1, 1), dt.date(2026, 12, 31))
    gone.verwijderd = True
    gone.save()
    w.claim(w.a, "41N04", VENLO, dt.date(y, 6, 1), 7_000, toewijzing=gone)
    w.ceiling(w.a, "D", y, 10_000_000, {VENLO: 6_000_000, BEESEL: 4_000_000})
    return w


def test_norm_duration_reduction_per_line(norm_world):
    w = norm_world
    s = settle(2026, rule_set("0:1", "recorded", extra="norm_duration_factor = 0.5"))
    (g,) = [g for g in s.groups if g.agb == w.a.agb_code and g.groep == "D"]
    lines = [
        (n.line.periode_begin, n.line.bedrag_cent, n.factor, n.reduction_cents) for n in g.norm_reductions
    ]
    assert sorted(lines) == sorted(
        [
            (dt.date(2026, 1, 1), 50_000, Decimal("0.5"), 25_000),
            (dt.date(2026, 3, 1), 100_001, Decimal("0.85"), 15_000),
            (dt.date(2026, 4, 1), 100_001, Decimal("0.85"), 15_000),
            (dt.date(2026, 4, 1), -100_001, Decimal("0.85"), -15_000),
            (dt.date(2026, 9, 1), 80_000, Decimal("0.85"), 12_000),
        ]
    )
    ends = {n.line.zorgpad_begin: n.line.norm_end for n in g.norm_reductions}
    assert ends == {
        dt.date(2025, 3, 1): dt.date(2026, 3, 1),
        dt.date(2024, 1, 1): dt.date(2026, 1, 1),
        dt.date(2025, 9, 1): dt.date(2026, 9, 1),
    }
    o = g.outcome
    # D = 3 x 100,001 - 100,001 + 50,000 + 2 x 80,000 + 7,000 = 417,002; R = 52,000.
    assert (o.claimed_cents, o.after_norm_reduction_cents, o.paid_cents, o.unpaid_cents) == (
        417_002,
        52_000,
        365_002,
        52_000,
    )
    assert sum(g.charges.values()) == 365_002
    # Switched off (harde-plafond): no reduction, no lines.
    off = settle(2026, resolve_rule_set(2026, "harde-plafond"))
    (g,) = [g for g in off.groups if g.agb == w.a.agb_code and g.groep == "D"]
    assert (g.outcome.after_norm_reduction_cents, g.outcome.paid_cents, g.norm_reductions) == (0, 417_002, ())
