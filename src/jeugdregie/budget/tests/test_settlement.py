"""Settlement service on hand-made claims and ceilings: exact numbers per rule, approved overruns
under each policy, charges, solidarity, and D checked against a plain SQL sum."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection

from jeugdregie.budget.models import GoedgekeurdeOverschrijding, Regelset, RegelsetActivering
from jeugdregie.budget.settlement import SettlementError, resolve_rule_set, settle
from jeugdregie.catalogus.models import Product, ProductGroep, ProductMapping
from jeugdregie.regio.models import JeugdigenAantal
from jeugdregie.rules.settlement import example_rule_sets

from .settlement_support import BEESEL, GENNEP, VENLO, build_world, rule_set

pytestmark = pytest.mark.django_db
Y = 2026
JAN, FEB, MAR, JUN = dt.date(Y, 1, 1), dt.date(Y, 2, 1), dt.date(Y, 3, 1), dt.date(Y, 6, 1)


@pytest.fixture
def world():
    w = build_world()
    # Provider A, group A (ambulant, 45N01): D = 600,000 Venlo + 400,000 Beesel = 1,000,000; C = 800,000.
    w.claim(w.a, "45N01", VENLO, JAN, 400_000)
    w.claim(w.a, "45N01", VENLO, FEB, 250_000)
    w.claim(w.a, "45N01", VENLO, FEB, 50_000, dc="C", toewijzing=w.allocations["T2"])
    w.claim(w.a, "45N01", BEESEL, MAR, 400_000)
    w.ceiling(w.a, "A", Y, 800_000, {VENLO: 500_000, BEESEL: 300_000})
    # Provider A, group D: D = 100,000 at C = 200,000 (under the ceiling).
    w.claim(w.a, "41N01", GENNEP, JUN, 100_000)
    w.ceiling(w.a, "D", Y, 200_000, {GENNEP: 200_000})
    # Category C and NGA: no individual ceiling.
    w.claim(w.c, "45N01", VENLO, MAR, 250_000)
    w.claim(w.nga, "44N01", BEESEL, MAR, 70_000)
    # A rejected line (JW325) and a line of another year do not count.
    rejected = w.claim(w.a, "45N01", VENLO, JUN, 999_999)
    rejected.afgewezen = True
    rejected.save(update_fields=["afgewezen"])
    w.claim(w.a, "45N01", VENLO, dt.date(Y - 1, 12, 1), 123_456)
    return w


def group(settlement, agb, groep):
    return next(g for g in settlement.groups if g.agb == agb and g.groep == groep)


def test_hard_cap_without_approval_pays_the_ceiling_and_charges_by_production(world):
    s = settle(Y, resolve_rule_set(Y))  # nothing activated: harde-plafond
    assert s.rules.name == "harde-plafond"
    a = group(s, world.a.agb_code, "A").outcome
    assert (a.claimed_cents, a.ceiling_cents, a.approved_overrun_cents) == (1_000_000, 800_000, 0)
    assert (a.eligible_cents, a.paid_cents, a.unpaid_cents) == (800_000, 800_000, 200_000)
    # Production key: Venlo 600,000 and Beesel 400,000 of D -> 60% / 40% of 800,000.
    assert dict(group(s, world.a.agb_code, "A").charges) == {VENLO: 480_000, BEESEL: 320_000}
    d = group(s, world.a.agb_code, "D").outcome
    assert (d.paid_cents, d.unpaid_cents) == (100_000, 0)
    c = group(s, world.c.agb_code, "A").outcome
    assert (c.ceiling_cents, c.paid_cents) == (None, 250_000)
    assert group(s, world.nga.agb_code, "W").outcome.paid_cents == 70_000
    assert s.totals["claimed_cents"] == 1_420_000
    assert s.totals["paid_cents"] == 1_220_000
    charged = {m.cbs: m.charged_cents for m in s.municipalities if m.charged_cents}
    assert charged == {VENLO: 730_000, BEESEL: 390_000, GENNEP: 100_000}
    assert s.c_budget.paid_cents == 320_000


def test_claimed_equals_a_plain_sql_sum_over_the_claim_lines(world):
    s = settle(Y, resolve_rule_set(Y))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(bedrag_cent), 0) FROM zorg_declaratieregel "
            "WHERE periode_begin >= %s AND periode_begin <= %s AND NOT afgewezen",
            [dt.date(Y, 1, 1), dt.date(Y, 12, 31)],
        )
        (independent,) = cursor.fetchone()
    assert s.totals["claimed_cents"] == independent == 1_420_000


# D per provider x group by plain SQL, independent of `product_index`: a legacy product counts in
# the group of the new-book product it maps to (here 41L08, a day-care product of group D in the old
# book, mapped to 45N01 of group A so that the mapping shows), a rejected line and a line of another
# year do not count, a credit is netted.
PER_GROUP_SQL = """
    SELECT a.agb_code, g.code, SUM(r.bedrag_cent)
    FROM zorg_declaratieregel r
    JOIN contracten_aanbieder a ON a.id = r.aanbieder_id
    LEFT JOIN catalogus_productmapping m ON m.oud_product_id = r.product_id
    JOIN catalogus_product p ON p.id = COALESCE(m.nieuw_product_id, r.product_id)
    JOIN catalogus_productgroep g ON g.id = p.groep_id
    WHERE r.periode_begin >= %s AND r.periode_begin <= %s AND NOT r.afgewezen
    GROUP BY a.agb_code, g.code
"""


def test_claimed_per_provider_and_group_equals_plain_sql(world):
    successor = Product.objects.get(code="45N01", boek__geldig_tot__isnull=True)
    assert ProductMapping.objects.filter(oud_product__code="41L08").update(nieuw_product=successor) == 1
    world.claim(world.a, "41L08", GENNEP, JUN, 5_000)
    s = settle(Y, resolve_rule_set(Y))
    with connection.cursor() as cursor:
        cursor.execute(PER_GROUP_SQL, [dt.date(Y, 1, 1), dt.date(Y, 12, 31)])
        independent = {(agb, groep): int(total) for agb, groep, total in cursor.fetchall()}
    assert independent == {
        # 400,000 + 250,000 - 50,000 credit + 400,000, and 5,000 on the legacy 41L08
        (world.a.agb_code, "A"): 1_005_000,
        (world.a.agb_code, "D"): 100_000,
        (world.c.agb_code, "A"): 250_000,
        (world.nga.agb_code, "W"): 70_000,
    }
    assert {(g.agb, g.groep): g.outcome.claimed_cents for g in s.groups if g.outcome.claimed_cents} == (
        independent
    )


@pytest.mark.parametrize(
    ("recorded", "paid"),
    [(0, 800_000), (50_000, 850_000), (200_000, 1_000_000), (300_000, 1_000_000)],
)
def test_recorded_overrun_smaller_equal_and_larger_than_the_overrun(world, recorded, paid):
    user = User.objects.create(username="controller")
    groep = ProductGroep.objects.get(code="A", boek__geldig_tot__isnull=True)
    if recorded:
        # Two approvals add up.
        GoedgekeurdeOverschrijding.objects.create(
            aanbieder=world.a, groep=groep, jaar=Y, bedrag_cent=recorded - 10_000, door=user, reden="crisis"
        )
        GoedgekeurdeOverschrijding.objects.create(
            aanbieder=world.a, groep=groep, jaar=Y, bedrag_cent=10_000, door=user, reden="aanvulling"
        )
    GoedgekeurdeOverschrijding.objects.create(
        aanbieder=world.a, groep=groep, jaar=Y - 1, bedrag_cent=77_777, door=user, reden="ander jaar"
    )
    s = settle(Y, resolve_rule_set(Y, "harde-plafond"))
    g = group(s, world.a.agb_code, "A")
    assert g.recorded_overrun_cents == recorded
    assert g.outcome.approved_overrun_cents == recorded
    assert g.outcome.paid_cents == paid
    assert sum(g.charges.values()) == paid


def test_overrun_policies_none_all_recorded(world):
    user = User.objects.create(username="controller")
    groep = ProductGroep.objects.get(code="A", boek__geldig_tot__isnull=True)
    GoedgekeurdeOverschrijding.objects.create(
        aanbieder=world.a, groep=groep, jaar=Y, bedrag_cent=50_000, door=user, reden="crisis"
    )
    paid = {
        policy: group(settle(Y, rule_set("0:1", policy)), world.a.agb_code, "A").outcome
        for policy in ("none", "all", "recorded")
    }
    assert (paid["none"].approved_overrun_cents, paid["none"].paid_cents) == (0, 800_000)
    assert (paid["all"].approved_overrun_cents, paid["all"].paid_cents) == (200_000, 1_000_000)
    assert (paid["recorded"].approved_overrun_cents, paid["recorded"].paid_cents) == (50_000, 850_000)


def test_each_example_rule_set_on_the_same_claims(world):
    # D = 1,000,000 at C = 800,000, overruns "all":
    # donut-5: 800,000 + 0 x 40,000 + (1,000,000 - 840,000) = 960,000
    # staffel: 720,000 + 0.95 x 80,000 + 0.80 x 200,000 = 956,000
    # donut-staffel: 720,000 + 76,000 + 0 x 40,000 + 0.80 x 160,000 = 924,000
    expected = {"harde-plafond": 800_000, "donut-5": 960_000, "staffel": 956_000, "donut-staffel": 924_000}
    assert set(example_rule_sets()) == set(expected)
    for name, paid in expected.items():
        s = settle(Y, resolve_rule_set(Y, name))
        g = group(s, world.a.agb_code, "A")
        assert g.outcome.paid_cents == paid, name
        assert sum(g.charges.values()) == paid
        assert sum(m.charged_cents for m in s.municipalities) == s.totals["paid_cents"]


def test_overrun_keys_ceiling_population_fixed(world):
    fixed = rule_set("0:1", "none", key="fixed", extra=f'[fixed_keys]\n"{VENLO}" = 3\n"{GENNEP}" = 1\n')
    by_ceiling = group(settle(Y, rule_set("0:1", "none", key="ceiling")), world.a.agb_code, "A")
    assert dict(by_ceiling.charges) == {VENLO: 500_000, BEESEL: 300_000}
    by_fixed = group(settle(Y, fixed), world.a.agb_code, "A")
    assert dict(by_fixed.charges) == {VENLO: 600_000, GENNEP: 200_000}
    by_population = group(settle(Y, rule_set("0:1", "none", key="population")), world.a.agb_code, "A")
    assert sum(by_population.charges.values()) == 800_000 and len(by_population.charges) == 7
    # A category C provider has no ceiling split: the ceiling key falls back to production.
    c = group(settle(Y, rule_set("0:1", "none", key="ceiling")), world.c.agb_code, "A")
    assert dict(c.charges) == {VENLO: 250_000} and c.key == "production (terugval)"


def test_population_key_to_the_cent_from_the_latest_year_not_after(world):
    # Youth population of Y-1 (none for Y): Venlo 7, Beesel 3, Gennep 1; a row of Y+1 is ignored.
    # 800,000 x 7/11, 3/11, 1/11 = 509,090.9.., 218,181.8.., 72,727.2..: floors 799,998, the two
    # cents left to the largest remainders (Venlo, Beesel).
    JeugdigenAantal.objects.all().delete()
    for cbs, aantal in ((VENLO, 7), (BEESEL, 3), (GENNEP, 1)):
        JeugdigenAantal.objects.create(gemeente=world.gemeente(cbs), jaar=Y - 1, aantal=aantal)
    JeugdigenAantal.objects.create(gemeente=world.gemeente(VENLO), jaar=Y + 1, aantal=1_000)
    by_population = group(settle(Y, rule_set("0:1", "none", key="population")), world.a.agb_code, "A")
    assert by_population.key == "population"
    assert dict(by_population.charges) == {VENLO: 509_091, BEESEL: 218_182, GENNEP: 72_727}


def test_credits_larger_than_debits_with_and_without_a_ceiling(world):
    t = world.claim(world.b, "45N01", VENLO, JAN, 10_000).toewijzing
    world.claim(world.b, "45N01", VENLO, JAN, 30_000, dc="C", toewijzing=t)
    world.ceiling(world.b, "A", Y, 50_000, {VENLO: 50_000})
    t = world.claim(world.c, "41N01", BEESEL, JAN, 5_000).toewijzing
    world.claim(world.c, "41N01", BEESEL, JAN, 8_000, dc="C", toewijzing=t)
    s = settle(Y, resolve_rule_set(Y))
    b = group(s, world.b.agb_code, "A")
    assert (b.outcome.claimed_cents, b.outcome.paid_cents, b.outcome.unpaid_cents) == (-20_000, 0, -20_000)
    assert dict(b.charges) == {}
    c = group(s, world.c.agb_code, "D")
    assert (c.outcome.paid_cents, dict(c.charges)) == (-3_000, {BEESEL: -3_000})


def test_ab_provider_without_a_ceiling_row_gets_zero_and_zero_claims_row(world):
    world.claim(world.b, "41N01", VENLO, JAN, 40_000)  # B has no ceiling for D
    world.ceiling(world.b, "W", Y, 90_000, {VENLO: 90_000})  # a ceiling without claims
    s = settle(Y, resolve_rule_set(Y))
    d = group(s, world.b.agb_code, "D").outcome
    assert (d.ceiling_cents, d.paid_cents, d.unpaid_cents) == (0, 0, 40_000)
    w = group(s, world.b.agb_code, "W").outcome
    assert (w.claimed_cents, w.ceiling_cents, w.paid_cents) == (0, 90_000, 0)


def test_solidarity_balances_sum_to_zero_on_history(world):
    # History Y-3 .. Y-1 in segment 4 (group A): Venlo 300,000, Beesel 100,000 (Y-1's 123,456 at Venlo too).
    world.claim(world.c, "45N01", VENLO, dt.date(Y - 3, 5, 1), 176_544)
    world.claim(world.c, "45N01", BEESEL, dt.date(Y - 2, 5, 1), 100_000)
    world.claim(world.c, "45N01", GENNEP, dt.date(Y - 4, 5, 1), 500_000)  # before Y-3: not in the basis
    s = settle(Y, resolve_rule_set(Y))
    seg4 = next(c for c in s.solidarity if c.category.name == "segment 4")
    assert seg4.groups == ("A",) and seg4.years == (Y - 3, Y - 2, Y - 1)
    assert seg4.basis_values[VENLO] == Decimal(300_000) / 3
    rows = {r.cbs: r for r in seg4.rows}
    # Cost: A's 800,000 (Venlo 480,000, Beesel 320,000) + C's 250,000 at Venlo = 1,050,000.
    assert seg4.cost_cents == 1_050_000
    assert rows[VENLO].share == Decimal("0.75") and rows[BEESEL].share == Decimal("0.25")
    assert (rows[VENLO].own_cost_cents, rows[VENLO].contribution_cents, rows[VENLO].balance_cents) == (
        730_000,
        787_500,
        57_500,
    )
    assert rows[BEESEL].balance_cents == 262_500 - 320_000
    for category in s.solidarity:
        assert sum(r.balance_cents for r in category.rows) == 0
        assert sum(r.contribution_cents for r in category.rows) == category.cost_cents
    # No history for segment 3 (group D): each municipality carries its own cost.
    seg3 = next(c for c in s.solidarity if c.category.name == "segment 3")
    assert seg3.basis_used == "eigen kosten (geen historie)"
    assert {r.cbs: r.balance_cents for r in seg3.rows if r.own_cost_cents} == {GENNEP: 0}


def test_solidarity_clients_basis_counts_youths_with_positive_claims(world):
    text = (
        'name = "c"\ndescription = "c"\noverruns = "recorded"\noverrun_key = "production"\n'
        "[[tiers]]\nfrom = 0\nfactor = 1\n"
        '[[solidarity]]\nname = "ambulant"\nsegments = ["4"]\nbasis = "clients_3y"\n'
    )
    from jeugdregie.rules.settlement import parse_rule_set

    world.claim(world.c, "45N01", VENLO, dt.date(Y - 1, 3, 1), 1_000)
    world.claim(world.c, "45N01", VENLO, dt.date(Y - 2, 3, 1), 1_000, client="same")
    world.claim(world.c, "45N01", VENLO, dt.date(Y - 1, 3, 1), 1_000, client="same")  # counts in both years
    t = world.claim(world.c, "45N01", BEESEL, dt.date(Y - 1, 3, 1), 1_000, client="credited").toewijzing
    world.claim(world.c, "45N01", BEESEL, dt.date(Y - 1, 3, 1), 1_000, dc="C", toewijzing=t)  # net 0: no
    world.claim(world.c, "45N01", BEESEL, dt.date(Y - 1, 4, 1), 1_000, client="b")
    s = settle(Y, parse_rule_set(text))
    (category,) = s.solidarity
    # Venlo: Y-1's 123,456 client + 1 + "same" twice = 4; Beesel: 1.
    assert category.basis_values[VENLO] == Decimal(4) / 3
    assert category.basis_values[BEESEL] == Decimal(1) / 3
    assert sum(r.balance_cents for r in category.rows) == 0


def test_rule_set_in_the_database_activated_for_the_year(world):
    user = User.objects.create(username="controller")
    text = example_rule_sets()["donut-5"].read_text()
    first = Regelset.objects.create(naam="regio-donut", toml=text, door=user)
    second = Regelset.objects.create(
        naam="regio-donut", toml=text.replace("from = 1.05", "from = 1.10"), door=user
    )
    assert (first.versie, second.versie) == (1, 2)
    RegelsetActivering.objects.create(jaar=Y, regelset=first, door=user)
    s = settle(Y)
    assert s.rules.source == "database: regio-donut v1"
    assert group(s, world.a.agb_code, "A").outcome.paid_cents == 960_000
    RegelsetActivering.objects.create(jaar=Y, regelset=second, door=user)
    # 800,000 + 0 x 80,000 + (1,000,000 - 880,000) = 920,000
    assert group(settle(Y), world.a.agb_code, "A").outcome.paid_cents == 920_000
    assert resolve_rule_set(Y, "regio-donut").source == "database: regio-donut v2"


def test_rule_set_clean_reports_the_toml_error_in_dutch():
    bad = Regelset(naam="kapot", toml='name = "x"\ndescription = "x"\noverruns = "soms"\n')
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "toml" in err.value.message_dict


def test_errors_unknown_rule_set_and_no_ceilings(world, tmp_path):
    with pytest.raises(SettlementError, match="Onbekende regelset: bestaat-niet"):
        resolve_rule_set(Y, "bestaat-niet")
    with pytest.raises(SettlementError, match="niet gevonden"):
        resolve_rule_set(Y, str(tmp_path / "weg.toml"))
    with pytest.raises(SettlementError, match="jeugdregie ceilings --year 2024"):
        settle(2024, resolve_rule_set(2024))


def test_solidarity_fixed_shares_and_transport_category(world):
    from jeugdregie.rules.settlement import parse_rule_set

    text = (
        'name = "f"\ndescription = "f"\noverruns = "recorded"\noverrun_key = "production"\n'
        "[[tiers]]\nfrom = 0\nfactor = 1\n"
        '[[solidarity]]\nname = "ambulant"\nsegments = ["4"]\nbasis = "fixed"\n'
        f'fixed_shares = {{ "{VENLO}" = 0.5, "{BEESEL}" = 0.3, "{GENNEP}" = 0.2 }}\n'
        '[[solidarity]]\nname = "vervoer"\nsegments = ["vervoer"]\nbasis = "claimed_3y"\n'
    )
    world.claim(world.c, "42N01", GENNEP, FEB, 9_000)  # transport: the group without a segment
    s = settle(Y, parse_rule_set(text))
    ambulant, vervoer = s.solidarity
    rows = {r.cbs: r for r in ambulant.rows}
    # Cost 1,050,000 (as above): 525,000 / 315,000 / 210,000 against own 730,000 / 320,000 / 0.
    assert [rows[c].contribution_cents for c in (VENLO, BEESEL, GENNEP)] == [525_000, 315_000, 210_000]
    assert [rows[c].balance_cents for c in (VENLO, BEESEL, GENNEP)] == [-205_000, -5_000, 210_000]
    assert vervoer.groups == ("V",) and vervoer.cost_cents == 9_000
    assert sum(r.balance_cents for r in vervoer.rows) == 0
