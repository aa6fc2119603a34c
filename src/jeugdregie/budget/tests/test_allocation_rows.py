"""The forecast's allocation rows: the database values each allocation (volume x periods of its
frequency x the tariff of its first year, else of its last) and sums what was claimed on it. The
values must be those of the Python rule ``rules.utilisation.monthly_value`` to the last bit, on SQLite and on
PostgreSQL: the committed spend and the allocations method add them up."""

import datetime as dt
import itertools

import pytest

from jeugdregie.budget import forecasting
from jeugdregie.budget.forecasting import allocation_rows
from jeugdregie.catalogus.models import Tarief
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.carepaths import DAYS_PER_MONTH
from jeugdregie.rules.utilisation import monthly_value
from jeugdregie.zorg.models import DeclaratieRegel
from jeugdregie.zorg.testing import CareRows

pytestmark = pytest.mark.django_db
D = dt.date
ROWS = CareRows(D(2026, 6, 30))
_n = itertools.count(1)

# (begin, end, volume, frequentie) of allocations of product 45N02 (tariff 2026 EUR 92, 2027
# EUR 94.76, none before 2026), and the value per month worked by hand
CASES = [
    (D(2026, 1, 1), D(2026, 12, 31), 10, "2", 10 * (DAYS_PER_MONTH / 7) * 9_200),  # 400,035.71
    (D(2026, 1, 1), D(2026, 12, 31), 3, "1", 3 * DAYS_PER_MONTH * 9_200),  # 840,075.00
    (D(2026, 1, 1), None, 5, "4", 46_000.0),
    (D(2026, 1, 1), D(2026, 3, 31), 100, "6", 100 / (90 / DAYS_PER_MONTH) * 9_200),  # 90 days
    (D(2026, 1, 1), D(2026, 1, 10), 100, "6", 920_000.0),  # less than a month counts as one
    (D(2026, 1, 1), None, 100, "6", 0.0),  # a total over an open validity: no monthly value
    (D(2026, 1, 1), D(2026, 12, 31), 10, "9", 0.0),  # an unknown frequency
    (D(2026, 1, 1), D(2026, 12, 31), None, "2", 0.0),  # no volume
    (D(2025, 6, 1), D(2026, 3, 31), 5, "4", 46_000.0),  # no tariff in 2025: the one of 2026
    (D(2027, 2, 1), None, 5, "4", 47_380.0),  # the tariff of 2027
]


def allocation(aanbieder, begin, end, volume, frequentie, *, deleted=False):
    n = next(_n)
    client = ROWS.client(f"v{n}-", Gemeente.objects.get(cbs_code="0983"))
    return ROWS.allocation(
        client,
        aanbieder,
        f"V{n}",
        begin,
        end,
        product_code="45N02",
        volume=volume,
        frequentie=frequentie,
        deleted=deleted,
    )


def test_the_database_values_every_allocation_as_the_python_rule_does():
    load_demo_region(users=False)
    a = Aanbieder.objects.filter(categorie="A").first()
    made = [allocation(a, begin, end, volume, freq) for begin, end, volume, freq, _ in CASES]
    allocation(a, D(2026, 1, 1), None, 5, "4", deleted=True)
    ROWS.line(made[0], D(2026, 1, 1), D(2026, 1, 31), 120_000)
    ROWS.line(made[0], D(2026, 2, 1), D(2026, 2, 28), 80_000)
    ROWS.line(made[0], D(2026, 3, 1), D(2026, 3, 31), 55_000)
    DeclaratieRegel.objects.filter(bedrag_cent=55_000).update(afgewezen=True)  # rejected: not claimed

    rows = {r.pk: r for r in allocation_rows()}
    assert set(rows) == {t.pk for t in made}  # the deleted one is left out
    tariffs = {(t.product_id, t.jaar): t.bedrag_cent for t in Tarief.objects.all()}
    for toewijzing, (begin, end, volume, freq, by_hand) in zip(made, CASES, strict=True):
        row = rows[toewijzing.pk]
        tariff = tariffs.get((toewijzing.product_id, begin.year)) or tariffs.get(
            (toewijzing.product_id, (end or begin).year), 0
        )
        # exactly, not approximately: the same operations in the same order
        assert row.valued.monthly_value_cent == monthly_value(volume, freq, begin, end, tariff)
        assert row.valued.monthly_value_cent == pytest.approx(by_hand, rel=1e-15), (freq, begin)
        assert (row.valued.ingangsdatum, row.valued.einddatum) == (begin, end)
        assert (row.aanbieder, row.categorie, row.gemeente, row.groep) == (a.agb_code, "A", "0983", "A")
        assert row.toewijzingsdatum == begin - dt.timedelta(days=7)
    assert rows[made[0].pk].valued.claimed_cent == 200_000
    assert {rows[t.pk].valued.claimed_cent for t in made[1:]} == {0}
    assert round(rows[made[0].pk].valued.monthly_value_cent) == 400_036


def test_the_backtests_month_ends_skip_whole_blocks_without_changing_anything(monkeypatch):
    """Blocks of allocations nobody knew yet, or that all ended a window before, are skipped: the
    inputs at every month end equal those of one block holding everything."""
    load_demo_region(users=False)
    a = Aanbieder.objects.filter(categorie="A").first()
    for begin, end in [
        (D(2026, 1, 1), D(2026, 2, 28)),  # ended long before the later month ends
        (D(2026, 1, 5), D(2026, 3, 31)),
        (D(2026, 3, 1), None),  # open-ended: its block is never skipped once known
        (D(2026, 6, 1), D(2027, 1, 31)),
        (D(2027, 3, 1), D(2027, 12, 31)),  # known only from 2027-02-22
        (D(2027, 4, 1), D(2027, 6, 30)),
    ]:
        allocation(a, begin, end, 10, "2")
    rows = allocation_rows()
    found = {}
    for block in (2, 1_000):
        monkeypatch.setattr(forecasting, "BLOCK", block)
        at = forecasting.allocation_inputs(lambda *_: True, rows)
        found[block] = [at(D(y, m, 28)) for y in (2026, 2027, 2028) for m in range(1, 13)]
    assert found[2] == found[1_000]
    running, redemption, inflow = found[2][12 + 5]  # 2027-06-28
    # running: the open one, the one of 2026-06 .. 2027-01 has ended (in the window), and the two of 2027
    assert [r.end_month for r in running] == [None, 2027 * 12 + 11, 2027 * 12 + 5]
    assert redemption == 0.0  # ended in the window, nothing claimed on them
    assert [r.end_month for r in found[2][0][0]] == [2026 * 12 + 1, 2026 * 12 + 2]  # 2026-01-28
    assert [r.end_month for r in found[2][24 + 11][0]] == [None]  # 2028-12-28: the open one left
