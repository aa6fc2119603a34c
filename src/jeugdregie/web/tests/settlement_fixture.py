"""The hand-made year 2026 the settlement screen tests share (numbers worked out in the tests).

Provider A (the demo user "aanbieder"), group A (45N01), ceiling 8,000.00 (Venlo 5,000, Beesel
3,000): six Venlo clients at 1,000.00 and two Beesel clients at 2,000.00: D = 10,000.00; an
approved overrun of 500.00. Group D (41N04, norm 12 months, own factor 0.85): one Venlo client
whose care path began 2025-03-01, 1,000.01 in February and 1,000.01 in March 2026 (the March line
is after the norm: reduction 150.00 when a rule set switches it on); ceiling 3,000.00.
Category C provider, group A: one Venlo client, 2,500.00, no ceiling. 2025 history for
solidarity: provider A group A, Venlo 3,000.00 and Beesel 6,000.00 (shares 1/3 and 2/3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User

from jeugdregie.accounts.testing import login as login
from jeugdregie.budget.models import GoedgekeurdeOverschrijding
from jeugdregie.budget.tests.settlement_support import BEESEL, VENLO, World, build_world
from jeugdregie.catalogus.models import ProductGroep
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users
from jeugdregie.web.afrekening_service import clear_caches

Y = 2026


@dataclass
class Year2026:
    world: World
    regio: User

    @property
    def a(self):
        return self.world.a

    @property
    def c(self):
        return self.world.c


def build_year_2026() -> Year2026:
    clear_caches()
    w = build_world()
    create_demo_users(region.aanbieders())
    for month in range(1, 7):
        w.claim(w.a, "45N01", VENLO, dt.date(Y, month, 1), 100_000)
    for _ in range(2):
        w.claim(w.a, "45N01", BEESEL, dt.date(Y, 2, 1), 200_000)
    w.ceiling(w.a, "A", Y, 800_000, {VENLO: 500_000, BEESEL: 300_000})
    w.allocation("p", w.a, "41N04", dt.date(2025, 3, 1), dt.date(2025, 12, 31))
    p2 = w.allocation("p", w.a, "41N04", dt.date(2026, 1, 10), dt.date(2026, 12, 31))
    w.claim(w.a, "41N04", VENLO, dt.date(Y, 2, 1), 100_001, toewijzing=p2)
    w.claim(w.a, "41N04", VENLO, dt.date(Y, 3, 1), 100_001, toewijzing=p2)
    w.ceiling(w.a, "D", Y, 300_000, {VENLO: 300_000})
    w.claim(w.c, "45N01", VENLO, dt.date(Y, 3, 1), 250_000)
    w.claim(w.a, "45N01", VENLO, dt.date(Y - 1, 3, 1), 300_000)
    w.claim(w.a, "45N01", BEESEL, dt.date(Y - 1, 3, 1), 600_000)
    regio = User.objects.get(username="regio")
    GoedgekeurdeOverschrijding.objects.create(
        aanbieder=w.a,
        groep=ProductGroep.objects.get(code="A", boek__geldig_tot__isnull=True),
        jaar=Y,
        bedrag_cent=50_000,
        door=regio,
        reden="Crisisplaatsingen voorjaar",
    )
    return Year2026(w, regio)
