"""A hand-made region for the report tests and the PDF walk-through: the demo region's master data
with 150 clients over 10 providers and the 7 municipalities, care from January 2026 to August 2027
(monthly claims, some paths ending, some clients returning), ceilings 2027 on 2026 production.
Deterministic (seeded), so the figures are the same on every run."""

from __future__ import annotations

import datetime as dt
import random

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.testing import CareRows

D = dt.date
END = D(2027, 8, 31)  # data complete to: the last complete tertial is 2027-T2
PROVIDERS = (0, 1, 2, 3, 6, 10, 11, 40, 41, 45)  # demo indices: A x5, B x2, C x3
PRODUCTS = {"45N01": 95_000, "45N02": 120_000, "44N01": 310_000, "41N01": 180_000}


def _month_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return D(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return _month_after(day, 1) - dt.timedelta(days=1)


def build_dataset(clients: int = 150, seed: int = 14) -> dict:
    from jeugdregie.budget.services import calculate_ceilings

    load_demo_region()
    rng = random.Random(seed)
    municipalities = list(Gemeente.objects.order_by("cbs_code"))
    specs = region.aanbieders()
    providers = [Aanbieder.objects.get(agb_code=specs[i].agb_code) for i in PROVIDERS]
    weights = [14, 12, 10, 9, 8, 6, 5, 2, 2, 1]
    rows = CareRows(END)
    for n in range(clients):
        gemeente = municipalities[min(int(rng.expovariate(0.45)), len(municipalities) - 1)]
        client = rows.client(f"{n:03d}", gemeente)
        provider = rng.choices(providers, weights)[0]
        code = rng.choice(list(PRODUCTS))
        start = D(2026, rng.randint(1, 12), 1) if n % 5 else D(2027, rng.randint(1, 6), 1)
        months = rng.randint(3, 14)
        last = _month_end(_month_after(start, months - 1))
        end = last if last < END else None
        allocation = rows.allocation(client, provider, f"T{n:04d}", start, end, product_code=code)
        rows.start(allocation, start)
        month = start
        while month <= (end or END):
            amount = PRODUCTS[code] + rng.randint(-20, 20) * 500
            rows.line(allocation, month, _month_end(month), amount, received=_month_end(month))
            month = _month_after(month, 1)
        if end is not None:
            reason = "32" if n % 7 == 0 else "01"
            rows.stop(allocation, start, end, reden=reason)
            if n % 6 == 0 and _month_after(end, 3) < END:  # returns after about three months
                again = _month_after(end, 3)
                second = rows.allocation(client, provider, f"R{n:04d}", again, None, product_code=code)
                rows.start(second, again)
                month = again
                while month <= END:
                    rows.line(second, month, _month_end(month), PRODUCTS[code], received=_month_end(month))
                    month = _month_after(month, 1)
    rows.message("JW301", END)
    calculate_ceilings(2027, 2026)
    return {"providers": providers, "municipalities": municipalities}
