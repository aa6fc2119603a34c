"""The KPI set as DuckDB SQL (``jeugdregie.monitoring.kpi_duckdb``) gives the registry's numbers.

``kpi --engine duckdb`` and bench/kpi_duckdb.py compute the KPIs with these queries; they are only
worth something while they compute what the registry (the reference) computes. This runs them on
small facts (hand-built edge cases and a seeded random set) for every KPI, period and cut, and
asserts parity. ``test_kpi_duckdb_reader.py`` does the same with the facts read from the database.
"""

from __future__ import annotations

import datetime as dt
import random
from itertools import count

import pytest

from jeugdregie.monitoring import kpi_duckdb as kpi_sql
from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.kpi import ClaimFact, Facts, tertial, year
from jeugdregie.rules.kpi_answers import ChangeRequestFact

D = dt.date
PERIODS = [year(2024), tertial(2024, 1), tertial(2024, 2), tertial(2024, 3), year(2025)]
CUT_SETS = [(), ("gemeente",), ("aanbieder",), ("categorie",), ("gemeente", "segment")]


# The dimensions every fact of the hand-built region shares unless a test says otherwise.
DIMENSIONS = dict(
    gemeente="0983",
    aanbieder="98000001",
    categorie="A",
    is_nga=False,
    segment="4",
    groep="A",
    product="45N01",
)


def alloc(ids, client, begin, end, **kw) -> AllocationFact:
    fields = {**DIMENSIONS, "product_categorie": "45", "pxq": True, **kw}
    return AllocationFact(id=next(ids), client=client, ingangsdatum=begin, einddatum=end, **fields)


def claim(client, amount, day, **kw) -> ClaimFact:
    fields = {**DIMENSIONS, "custom": "", "volume": 1, **kw}
    return ClaimFact(client=client, periode_begin=day, bedrag_cent=amount, **fields)


def request(ids, client, asked, outcome, decided, **kw) -> ChangeRequestFact:
    fields = {**DIMENSIONS, **kw}
    return ChangeRequestFact(
        id=next(ids), client=client, aangevraagd_op=asked, uitkomst=outcome, beslist_op=decided, **fields
    )


def hand_built() -> Facts:
    ids = count(1)
    allocations = [
        # a: a chain (overlap, a 31-day gap joins, a product change), ends 2024-06-30 with a dropout
        # stop; restarts 40 days later in another category (relapse), p x q with every frequency
        alloc(ids, "a", D(2023, 11, 1), D(2024, 2, 29), volume=4, frequentie="2", claimed_volume=60),
        alloc(ids, "a", D(2024, 2, 1), D(2024, 3, 31), volume=10, frequentie="4", claimed_volume=15),
        alloc(
            ids,
            "a",
            D(2024, 5, 1),
            D(2024, 6, 30),
            product="45A07",
            volume=30,
            frequentie="6",
            claimed_volume=30,
            stop_reden="33",
            aanbieder="98000002",
        ),
        alloc(
            ids,
            "a",
            D(2024, 8, 9),
            D(2024, 12, 31),
            product_categorie="54",
            product="54001",
            volume=1,
            frequentie="1",
            claimed_volume=100,
            toewijzingsdatum=D(2024, 8, 1),
            zorg_start=D(2024, 8, 20),
        ),
        # b: an extension of the same product starting the day after, then open-ended care
        alloc(ids, "b", D(2023, 1, 1), D(2024, 3, 31), gemeente="0889", volume=None),
        alloc(
            ids,
            "b",
            D(2024, 4, 1),
            D(2024, 9, 30),
            gemeente="0889",
            volume=0,
            frequentie="2",
            aangevraagd_op=D(2024, 3, 1),
            toewijzingsdatum=D(2024, 3, 20),
            zorg_start=D(2024, 4, 3),
        ),
        alloc(ids, "b", D(2024, 10, 1), None, gemeente="0889", is_nga=True, aanbieder="98000003"),
        # c: new in 2024 after a long gap (inflow), ends in T2, gone at the end of 2024 (outflow)
        alloc(ids, "c", D(2022, 1, 1), D(2022, 12, 31)),
        alloc(
            ids,
            "c",
            D(2024, 1, 15),
            D(2024, 7, 15),
            pxq=False,
            toewijzingsdatum=D(2024, 1, 10),
            zorg_start=D(2024, 1, 25),
        ),
        # d: two paths starting the same day in two categories; a one-day allocation
        alloc(
            ids,
            "d",
            D(2024, 3, 1),
            D(2024, 3, 1),
            product_categorie="47",
            product="47A01",
            aanbieder="98000002",
            volume=2,
            frequentie="9",
        ),
        alloc(
            ids,
            "d",
            D(2024, 3, 1),
            D(2024, 11, 30),
            product_categorie="45",
            gemeente="0957",
            toewijzingsdatum=D(2024, 2, 1),
            zorg_start=D(2024, 3, 4),
        ),
        # g: a legacy product converted to its successor at the same provider the next day: no
        # extension; then the successor again 5 days after it ends: an extension
        alloc(ids, "g", D(2023, 4, 1), D(2024, 3, 31), toegewezen_product="45L01", opvolger="45N01"),
        alloc(ids, "g", D(2024, 4, 1), D(2024, 6, 30)),
        alloc(ids, "g", D(2024, 7, 5), D(2024, 12, 31)),
        # h: two different legacy products that map to the same new one, at another provider: no
        # extension; i: the successor at the same provider 10 days after the legacy one: an extension
        alloc(ids, "h", D(2023, 5, 1), D(2024, 4, 30), toegewezen_product="45L01", opvolger="45N01"),
        alloc(
            ids,
            "h",
            D(2024, 5, 10),
            D(2024, 8, 31),
            toegewezen_product="45L02",
            opvolger="45N01",
            aanbieder="98000002",
        ),
        alloc(ids, "i", D(2023, 5, 1), D(2024, 4, 30), toegewezen_product="45L01", opvolger="45N01"),
        alloc(ids, "i", D(2024, 5, 11), D(2024, 8, 31)),
        # f: care at the start of 2024 and none at its end (outflow)
        alloc(ids, "f", D(2023, 6, 1), D(2024, 10, 31), aanbieder="98000002", gemeente="0957"),
        # e: several waits in one group (median of an even count, nearest-rank p90)
        *(
            alloc(
                ids,
                f"e{i}",
                D(2024, 9, 1),
                D(2025, 2, 28),
                toewijzingsdatum=D(2024, 8, 1),
                zorg_start=D(2024, 9, 1) + dt.timedelta(days=i * i),
            )
            for i in range(6)
        ),
    ]
    claims = [
        claim("a", 10_000, D(2024, 1, 1)),
        claim("a", -10_000, D(2024, 1, 1)),  # fully credited: no client
        claim("b", 7_500, D(2024, 5, 1), gemeente="0889", custom="maatwerk"),
        claim("b", -2_500, D(2024, 5, 1), gemeente="0889", custom="maatwerk"),
        claim("c", 40_000_000, D(2024, 2, 1), aanbieder="98000002"),  # a "klein" provider in 2024
        claim("c", 1_234, D(2024, 9, 1), aanbieder="98000003", is_nga=True),
        claim("d", 120_000_000, D(2025, 1, 1), aanbieder="98000002"),  # "groot" in 2025
        claim("d", -5_000, D(2024, 12, 1), aanbieder="98000004"),  # a group with a negative spend
    ]
    rejected = [
        claim("b", 2_500, D(2024, 5, 1), gemeente="0889", afgewezen=True, retourcode="8021"),
        claim("c", 1_000_000, D(2024, 2, 1), aanbieder="98000002", afgewezen=True, retourcode="0611"),
        claim("c", 500_000, D(2024, 3, 1), aanbieder="98000002", afgewezen=True, retourcode="0611"),
        claim("c", -400, D(2024, 9, 1), aanbieder="98000003", is_nga=True, afgewezen=True, retourcode="8017"),
        claim(
            "e", 9_000, D(2024, 6, 1), aanbieder="98000005", afgewezen=True, retourcode="9338"
        ),  # only rejected
    ]
    ids = count(1)
    requests = [
        request(ids, "a", D(2024, 1, 10), "toegekend", D(2024, 1, 20)),
        request(ids, "b", D(2024, 2, 1), "afgewezen", D(2024, 2, 4), gemeente="0889"),
        request(ids, "b", D(2024, 5, 1), "toegekend", D(2024, 5, 8), gemeente="0889", aanbieder="98000002"),
        request(ids, "c", D(2024, 8, 25), "toegekend", D(2024, 9, 2), is_nga=True, aanbieder="98000003"),
        request(ids, "d", D(2024, 11, 1), "in onderzoek", None),
        request(ids, "d", D(2024, 12, 20), "afgewezen", D(2025, 1, 3)),
    ]
    return Facts(
        claims=claims,
        allocations=allocations,
        as_of=D(2025, 10, 31),
        rejected_claims=rejected,
        change_requests=requests,
    )


def random_facts(seed: int = 5, clients: int = 60) -> Facts:
    rng = random.Random(seed)
    ids = count(1)
    day0 = D(2023, 1, 1)
    allocations, claims, rejected, requests = [], [], [], []
    request_ids = count(1)
    for n in range(clients):
        client = f"k{n}"
        start = day0 + dt.timedelta(days=rng.randrange(900))
        for _ in range(rng.randrange(1, 6)):
            length = rng.randrange(1, 300)
            end = None if rng.random() < 0.08 else start + dt.timedelta(days=length)
            wait_from = start - dt.timedelta(days=rng.randrange(0, 90))
            allocations.append(
                alloc(
                    ids,
                    client,
                    start,
                    end,
                    gemeente=rng.choice(["0983", "0889", "0957"]),
                    aanbieder=rng.choice(["98000001", "98000002", "98000003"]),
                    is_nga=rng.random() < 0.1,
                    product_categorie=rng.choice(["45", "47"]),
                    product=rng.choice(["45N01", "45A07", "47A01"]),
                    pxq=rng.random() < 0.7,
                    volume=rng.choice([None, 0, 1, 4, 12]),
                    frequentie=rng.choice(["1", "2", "4", "6", ""]),
                    claimed_volume=rng.randrange(0, 200),
                    toewijzingsdatum=wait_from if rng.random() < 0.8 else None,
                    aangevraagd_op=wait_from - dt.timedelta(days=9) if rng.random() < 0.3 else None,
                    zorg_start=start + dt.timedelta(days=rng.randrange(0, 20))
                    if rng.random() < 0.9
                    else None,
                    stop_reden=rng.choice(["", "01", "32", "33", "34"]),
                    **rng.choice(
                        [
                            {},
                            {},
                            {"toegewezen_product": "45L01", "opvolger": "45N01"},
                            {"toegewezen_product": "45L02", "opvolger": "45N01"},
                            {"toegewezen_product": "47L01", "opvolger": "47A01"},
                        ]
                    ),
                )
            )
            if end is None:
                break
            start = end + dt.timedelta(days=rng.choice([-20, 0, 1, 15, 31, 32, 60, 183, 184, 400]))
        for _ in range(rng.randrange(0, 3)):
            asked = D(2023, 1, 1) + dt.timedelta(days=rng.randrange(900))
            outcome = rng.choice(["toegekend", "toegekend", "afgewezen", "in onderzoek", "open"])
            decided = (
                asked + dt.timedelta(days=rng.randrange(0, 40))
                if outcome in ("toegekend", "afgewezen")
                else None
            )
            requests.append(
                request(
                    request_ids,
                    client,
                    asked,
                    outcome,
                    decided,
                    gemeente=rng.choice(["0983", "0889", "0957"]),
                    aanbieder=rng.choice(["98000001", "98000002", "98000003"]),
                    is_nga=rng.random() < 0.1,
                )
            )
        for _ in range(rng.randrange(0, 8)):
            is_rejected = rng.random() < 0.15
            (rejected if is_rejected else claims).append(
                claim(
                    client,
                    rng.choice([-1, 1, 1, 1]) * rng.randrange(1, 30_000_000),
                    D(rng.choice([2023, 2024, 2025]), rng.randrange(1, 13), 1),
                    gemeente=rng.choice(["0983", "0889"]),
                    aanbieder=rng.choice(["98000001", "98000002", "98000003"]),
                    is_nga=rng.random() < 0.2,
                    custom=rng.choice(["", "", "meerwerk", "maatwerk"]),
                    segment=rng.choice(["2", "3", "4", ""]),
                    afgewezen=is_rejected,
                    retourcode=rng.choice(["8021", "0611", "9338"]) if is_rejected else "",
                )
            )
    return Facts(
        claims=claims,
        allocations=allocations,
        as_of=D(2025, 9, 30),
        rejected_claims=rejected,
        change_requests=requests,
    )


@pytest.mark.parametrize("make", [hand_built, random_facts], ids=["hand-built", "random"])
def test_the_sql_gives_the_registrys_numbers(make):
    assert kpi_sql.check_coverage() == []
    reference = kpi_sql.registry_results(make(), PERIODS, CUT_SETS)
    con = kpi_sql.connect()
    kpi_sql.load(con, make())
    kpi_sql.set_periods(con, PERIODS)
    found = kpi_sql.run(con, PERIODS, CUT_SETS)
    assert kpi_sql.compare(reference, found) == []
    # the facts do reach the interesting cases
    assert reference[("relapse_rate", "2024-T2", ())][()] is not None
    assert any(v for v in reference[("extension_rate", "2024", ("gemeente",))].values())
    assert reference[("top_paths", "2024", ())][()]
    assert reference[("redemption_rate", "2024", ())][()] is not None
    assert reference[("outflow", "2024", ())][()] and reference[("inflow", "2024", ())][()]
    assert (
        reference[("rejected_share", "2024", ())][()]
        and reference[("rejected_share_by_code", "2024", ())][()]
    )
    assert reference[("change_requests_granted", "2024", ())][()] is not None
    assert reference[("change_request_days", "2024", ())][()] is not None


def test_a_difference_is_reported():
    assert kpi_sql.compare({("spend", "2024", ()): {(): 1}}, {("spend", "2024", ()): {(): 2}})
    assert kpi_sql.compare({("x", "2024", ()): {(): 0.5}}, {("x", "2024", ()): {(): 0.5 + 1e-7}})
    assert not kpi_sql.compare({("x", "2024", ()): {(): 0.5}}, {("x", "2024", ()): {(): 0.5 + 1e-12}})
    assert kpi_sql.compare({("x", "2024", ()): {(): 3}}, {("x", "2024", ()): {(): 3.0000000001}})
    assert not kpi_sql.compare({("x", "2024", ()): {(): 33}}, {("x", "2024", ()): {(): 33.0}})
