"""A hand-made year 2025 for the municipality, provider, product and drill-down pages.

Venlo (0983), product 45N02, all allocations for the whole of 2025:
- P0 (the demo user "aanbieder", category A): 5 clients, each claiming months 1, 2, 5 and 9 at
  10,001 + 13 x i cents (i = 0..4); client 0 also has a credit of 25.03 in month 2, and one more
  line of 999.99 that the municipality rejected (JW325), which no amount may count.
- P2 (A): 5 clients, months 3 and 6 at 200.17 each.
- P3 (A): 5 clients, month 10 at 50.33.
- P1 (B): 2 clients, month 4 at 77.77: fewer than 5 clients, suppressed outside regio.
Beesel (0889): P0 with 3 clients on 45N01, month 7 at 30.01; P3 with 1 client on 41N01 (segment 3,
dagbesteding), months 8 and 9 at 44.44: Beesel rests on 4 clients, segment 3 on 1.
Plus one deleted allocation of P0 in Venlo (no care: counts nowhere) and a ceiling of EUR 5,000 for
P0 in the group of 45N02 in 2025.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jeugdregie.budget.models import Plafond
from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import create_demo_users, load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import DeclaratieRegel
from jeugdregie.zorg.testing import CareRows, month_end

D = dt.date
YEAR = 2025


@dataclass
class World:
    p0: Aanbieder
    p1: Aanbieder
    p2: Aanbieder
    p3: Aanbieder
    venlo: Gemeente
    beesel: Gemeente


def build() -> World:
    load_demo_region(users=False)
    specs = region.aanbieders()
    create_demo_users(specs)
    p0, p2, p3 = (Aanbieder.objects.get(agb_code=specs[i].agb_code) for i in (0, 1, 2))
    p1 = Aanbieder.objects.get(agb_code=specs[8].agb_code)
    assert (p0.categorie, p1.categorie) == ("A", "B")
    venlo, beesel = Gemeente.objects.get(cbs_code="0983"), Gemeente.objects.get(cbs_code="0889")
    rows = CareRows(D(YEAR, 12, 31))
    n = 0

    def client_with(provider, gemeente, code):
        nonlocal n
        n += 1
        client = rows.client(f"{provider.agb_code[-2:]}{n:02d}x", gemeente)
        return rows.allocation(client, provider, f"T{n}", D(YEAR, 1, 1), D(YEAR, 12, 31), product_code=code)

    def claim(allocation, month: int, cents: int, dc: str = "D") -> None:
        first = D(YEAR, month, 1)
        rows.line(allocation, first, month_end(first), cents, dc=dc, received=month_end(first))

    for i in range(5):
        a = client_with(p0, venlo, "45N02")
        for month in (1, 2, 5, 9):
            claim(a, month, 10_001 + 13 * i)
        if i == 0:
            claim(a, 2, 2_503, dc="C")
            claim(a, 3, 99_999)
            DeclaratieRegel.objects.filter(bedrag_cent=99_999).update(
                afgewezen=True, afgewezen_retourcode="8001"
            )
    for _ in range(5):
        a = client_with(p2, venlo, "45N02")
        claim(a, 3, 20_017)
        claim(a, 6, 20_017)
    for _ in range(5):
        claim(client_with(p3, venlo, "45N02"), 10, 5_033)
    for _ in range(2):
        claim(client_with(p1, venlo, "45N02"), 4, 7_777)
    for _ in range(3):
        claim(client_with(p0, beesel, "45N01"), 7, 3_001)
    day_care = client_with(p3, beesel, "41N01")
    claim(day_care, 8, 4_444)
    claim(day_care, 9, 4_444)
    deleted = client_with(p0, venlo, "45N02")
    deleted.verwijderd = True
    deleted.save()
    Plafond.objects.create(
        aanbieder=p0,
        groep=Product.objects.get(code="45N02").groep,
        jaar=YEAR,
        referentiejaar=YEAR - 2,
        referentie_cent=0,
        berekend_cent=500_000,
        bedrag_cent=500_000,
        basis="test",
    )
    return World(p0, p1, p2, p3, venlo, beesel)
