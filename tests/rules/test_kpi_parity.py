"""Parity of the lean fact reader (``monitoring.facts_lean``, plain SQL) with the ORM reader
(``monitoring.facts``, the reference): the same facts, and every KPI of the registry for every
period and every cut the same, exactly, on a hand-made database and on a small generated demo
region after the real ingest. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw.models import Aanlevering, Bericht
from jeugdregie.monitoring import facts as orm
from jeugdregie.monitoring import facts_lean as lean
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import kpi
from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    Client,
    Declaratie,
    DeclaratieRegel,
    GevraagdeWijziging,
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    ZorgStart,
    ZorgStop,
)

pytestmark = pytest.mark.django_db
D = dt.date

# Every cut on its own, none, and two pairs.
CUT_SETS: list[tuple[str, ...]] = [
    (),
    *((c,) for c in kpi.CUTS),
    ("gemeente", "segment"),
    ("aanbieder", "verwijzer"),
]


def periods(y: int) -> list[kpi.Period]:
    return [kpi.year(y), *(kpi.tertial(y, t) for t in (1, 2, 3)), *(kpi.month(y, m) for m in (1, 3, 6, 12))]


def both_ways(facts_a: kpi.Facts, facts_b: kpi.Facts, years: list[int]) -> tuple[int, int]:
    """Every KPI x period x cut set on both fact sets: assert equal; (results compared, results
    with two groups or more)."""
    results = split = 0
    for kpi_id, y, cuts in itertools.product(kpi.REGISTRY, years, CUT_SETS):
        for period in periods(y):
            a = kpi.compute(kpi_id, facts_a, period, cuts)
            b = kpi.compute(kpi_id, facts_b, period, cuts)
            assert a == b, (kpi_id, period.label, cuts)
            results += 1
            split += len(a) > 1
    return results, split


def in_id_order(facts: kpi.Facts) -> kpi.Facts:
    """The ORM reader's facts with allocations and change requests in id order, as the lean reader
    gives them (the ORM leaves the order to the database; a float sum such as redemption can
    differ in its last bit with the order of its terms)."""
    return kpi.Facts(
        claims=list(facts.claims),
        allocations=sorted(facts.allocations, key=lambda a: a.id),
        as_of=facts.as_of,
        rejected_claims=list(facts.rejected_claims),
        change_requests=sorted(facts.change_requests, key=lambda r: r.id),
    )


def assert_same_facts(reference: kpi.Facts, fast: kpi.Facts) -> None:
    def key(c: Any) -> tuple:
        return (c.toewijzing, c.periode_begin, c.bedrag_cent, c.volume, c.retourcode)

    assert sorted(fast.claims, key=key) == sorted(reference.claims, key=key)
    assert sorted(fast.rejected_claims, key=key) == sorted(reference.rejected_claims, key=key)
    assert list(fast.allocations) == list(reference.allocations)  # both in id order
    assert list(fast.change_requests) == list(reference.change_requests)
    assert fast.as_of == reference.as_of


# ---------------------------------------------------------------- a hand-made database


class World:
    def __init__(self) -> None:
        load_demo_region(users=False)
        self.venlo = Gemeente.objects.get(cbs_code="0983")
        self.beesel = Gemeente.objects.get(cbs_code="0889")
        self.contracted = Aanbieder.objects.filter(is_nga=False).order_by("agb_code").first()
        self.nga = Aanbieder.objects.filter(is_nga=True).order_by("agb_code").first()
        self.delivery = Aanlevering.objects.create(bestandsnaam="x", sha256="0" * 64, status="verwerkt")
        self.counter = itertools.count(1)

    def bericht(self, day: dt.date = D(2025, 1, 31)) -> Bericht:
        return Bericht.objects.create(
            aanlevering=self.delivery,
            soort="JW301",
            afzender="0983",
            ontvanger="x",
            identificatie=str(next(self.counter)),
            dagtekening=day,
        )

    def client(self, letter: str, gemeente: Gemeente) -> Client:
        return Client.objects.create(pseudoniem=letter * 64, gemeente=gemeente)

    def allocation(self, client, code, begin, end, *, gemeente=None, aanbieder=None, **kw) -> Toewijzing:
        product = Product.objects.get(code=code)
        defaults = {"volume": 4, "frequentie": "2", "referentie_aanbieder": "", "verwijderd": False}
        defaults.update(kw)
        return Toewijzing.objects.create(
            gemeente=gemeente or self.venlo,
            toewijzingnummer=str(next(self.counter)),
            client=client,
            aanbieder=aanbieder or self.contracted,
            product=product,
            product_categorie=product.categorie,
            product_code=product.code,
            toewijzingsdatum=begin - dt.timedelta(days=10),
            ingangsdatum=begin,
            einddatum=end,
            eenheid=product.eenheid,
            **defaults,
        )

    def line(self, t: Toewijzing, amount: int, volume: int, day: dt.date, *, dc="D", rejected="") -> None:
        ref = f"R{next(self.counter)}"
        declaratie = Declaratie.objects.create(
            aanbieder=t.aanbieder,
            gemeente=t.gemeente,
            bericht=self.bericht(),
            declaratienummer=ref,
            periode_begin=day,
            periode_eind=day,
            dagtekening=day,
            totaal_cent=amount,
        )
        sign = 1 if dc == "D" else -1
        DeclaratieRegel.objects.create(
            declaratie=declaratie,
            toewijzing=t,
            client=t.client,
            aanbieder=t.aanbieder,
            gemeente=t.gemeente,
            product=t.product,
            referentienummer=ref,
            periode_begin=day,
            periode_eind=day + dt.timedelta(days=27),
            volume=sign * volume,
            eenheid=t.eenheid,
            tarief_cent=amount // volume,
            bedrag_cent=sign * amount,
            debet_credit=dc,
            afgewezen=bool(rejected),
            afgewezen_retourcode=rejected,
        )


@pytest.fixture
def hand_made() -> World:
    w = World()
    a, b, c, d = (w.client(x, w.venlo) for x in "abcd")
    e = w.client("e", w.beesel)
    # a: legacy product to 31 Dec 2023, its successor 10 days later at the same provider (an
    # extension), a relapse in August; a JW315 request (referrer 02); start, two stops on one day
    legacy = w.allocation(a, "45L09", D(2023, 6, 1), D(2023, 12, 31))
    follow = w.allocation(a, "45N01", D(2024, 1, 10), D(2024, 4, 30), referentie_aanbieder="REF-A")
    later = w.allocation(a, "45N01", D(2024, 8, 1), D(2024, 10, 31), frequentie="4", volume=12)
    VerzoekOmToewijzing.objects.create(
        aanbieder=w.contracted,
        gemeente=w.venlo,
        client=a,
        bericht=w.bericht(),
        referentie_aanbieder="REF-A",
        aangevraagd_op=D(2024, 1, 2),
        toewijzing_ingangsdatum=D(2024, 1, 10),
        verwijzer_type="02",
    )
    ZorgStart.objects.create(toewijzing=follow, bericht=w.bericht(), begindatum=D(2024, 1, 20))
    ZorgStart.objects.create(toewijzing=follow, bericht=w.bericht(), begindatum=D(2024, 1, 15))
    for reason in ("33", "02"):  # the same day twice: the last recorded counts
        ZorgStop.objects.create(
            toewijzing=follow,
            bericht=w.bericht(),
            begindatum=D(2024, 1, 15),
            einddatum=D(2024, 4, 20),
            reden_beeindiging=reason,
        )
    ZorgStart.objects.create(toewijzing=later, bericht=w.bericht(), begindatum=D(2024, 8, 5))
    # b: open-ended at the NGA provider; c: a deleted allocation and a path from 2022 into 2024
    nga = w.allocation(b, "41N01", D(2024, 2, 1), None, aanbieder=w.nga)
    w.allocation(c, "45N01", D(2024, 2, 1), D(2024, 2, 28), verwijderd=True)
    old = w.allocation(c, "45N01", D(2022, 1, 1), D(2022, 12, 31))
    long = w.allocation(c, "45N01", D(2023, 1, 10), D(2024, 6, 30), frequentie="6", volume=40)
    # d: a one-day allocation, per day; e: in Beesel, P x Q from May
    one_day = w.allocation(d, "45N01", D(2024, 3, 1), D(2024, 3, 1), frequentie="1", volume=2)
    beesel = w.allocation(e, "45N01", D(2024, 5, 1), D(2024, 12, 31), gemeente=w.beesel)
    ZorgStart.objects.create(toewijzing=beesel, bericht=w.bericht(), begindatum=D(2024, 5, 20))

    w.line(legacy, 80_000, 10, D(2023, 11, 1))
    w.line(follow, 80_000, 10, D(2024, 1, 1))
    w.line(follow, 80_000, 10, D(2024, 2, 1))
    w.line(follow, 80_000, 10, D(2024, 2, 1), dc="C")
    w.line(follow, 40_000, 5, D(2024, 3, 1), rejected="8001")
    w.line(later, 36_000, 6, D(2024, 9, 1))
    w.line(nga, 6_200, 1, D(2024, 2, 1))
    w.line(nga, 6_200, 1, D(2024, 6, 1), rejected="0253")
    w.line(old, 10_000, 1, D(2022, 5, 1))
    w.line(long, 50_000, 20, D(2024, 5, 1))
    w.line(one_day, 1_000, 2, D(2024, 3, 1))
    w.line(beesel, 72_000, 10, D(2024, 6, 1))

    # change requests: one granted (a JW301 with its reference), one refused, one open
    asked = {}
    for ref, day in (("W-1", D(2024, 3, 1)), ("W-2", D(2024, 4, 1)), ("W-3", D(2024, 5, 1))):
        asked[ref] = VerzoekOmWijziging.objects.create(
            aanbieder=w.contracted,
            gemeente=w.venlo,
            client=c,
            bericht=w.bericht(),
            referentie_aanbieder=ref,
            reden_verzoek="1",
            aangevraagd_op=day,
        )
        GevraagdeWijziging.objects.create(
            verzoek=asked[ref],
            soort="wijzigen",
            toewijzing=long,
            product=long.product,
            gewenste_ingangsdatum=day,
            verlenging=True,
        )
    ToewijzingWijziging.objects.create(
        toewijzing=long,
        bericht=w.bericht(D(2024, 3, 15)),
        volgnummer=1,
        toewijzingsdatum=D(2024, 3, 15),
        ingangsdatum=D(2023, 1, 10),
        einddatum=D(2024, 6, 30),
        referentie_aanbieder="W-1",
    )
    AntwoordVerzoek.objects.create(
        aanbieder=w.contracted,
        gemeente=w.venlo,
        bericht=w.bericht(D(2024, 4, 20)),
        referentie_aanbieder="W-2",
        verzoek_wijziging=asked["W-2"],
        uitkomst=AntwoordVerzoek.Uitkomst.AFGEWEZEN,
        beantwoord_op=D(2024, 4, 20),
    )
    return w


def test_the_lean_reader_gives_the_orm_facts_and_every_kpi_and_cut_on_a_hand_made_database(hand_made):
    as_of = D(2025, 6, 30)
    reference = in_id_order(orm.load_facts_orm(D(2024, 1, 1), D(2024, 12, 31), as_of=as_of))
    fast = lean.load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=as_of)
    assert_same_facts(reference, fast)
    assert orm.load_facts(D(2024, 1, 1), D(2024, 12, 31), as_of=as_of) == fast  # what the app reads
    # the fixture reaches what it means to (worked by hand)
    assert len(fast.claims) == 8 and len(fast.rejected_claims) == 2  # 2022 and 2023: outside the year
    assert len(fast.allocations) == 8  # all but the deleted one: 2022's for c's whole path
    follow = next(x for x in fast.allocations if x.toegewezen_product == "45N01" and x.verwijzer == "02")
    assert (follow.zorg_start, follow.stop_datum, follow.stop_reden) == (D(2024, 1, 15), D(2024, 4, 20), "02")
    assert (follow.aangevraagd_op, follow.claimed_volume) == (D(2024, 1, 2), 10)
    assert {r.uitkomst for r in fast.change_requests} == {"toegekend", "afgewezen", "open"}
    y = kpi.year(2024)
    # 80,000 + 80,000 - 80,000 + 36,000 + 6,200 + 50,000 + 1,000 + 72,000
    assert kpi.compute("spend", fast, y) == {(): 245_200}
    assert kpi.compute("rejected_share", fast, y) == {(): 46_200 / (245_200 + 46_200)}
    assert kpi.compute("spend", fast, y, ("gemeente",)) == {("0889",): 72_000, ("0983",): 173_200}
    assert kpi.compute("extension_rate", fast, kpi.tertial(2024, 1)) == {(): 1 / 3}  # a's successor
    results, split = both_ways(reference, fast, [2023, 2024])
    assert results == len(kpi.REGISTRY) * 2 * len(CUT_SETS) * 8
    assert split > 300  # results cut into several groups


# ---------------------------------------------------------------- a generated demo region


@pytest.mark.slow
def test_the_lean_reader_gives_every_kpi_and_cut_on_a_generated_demo_region(tmp_path):
    from jeugdregie.demo.generator import generate
    from jeugdregie.ijw.services import Ingester

    result = generate(tmp_path / "demo", seed=3, scale=1, until=D(2021, 3, 31))
    load_demo_region(users=False)
    summary = Ingester().ingest_paths([result.out])
    assert summary.accepted_messages > 1000 and summary.quarantined_messages == 0
    reference = in_id_order(orm.load_facts_orm(D(2021, 1, 1), D(2021, 12, 31)))
    fast = lean.load_facts(D(2021, 1, 1), D(2021, 12, 31))
    assert_same_facts(reference, fast)
    assert len(fast.claims) > 1000 and len(fast.allocations) > 500 and fast.change_requests
    results, split = both_ways(reference, fast, [2021])
    assert results == len(kpi.REGISTRY) * len(CUT_SETS) * 8 and split > results // 3
