"""Hand-worked tests of the KPIs from claim answers and change requests, accepted claims in the
amount KPIs, and the extension rule with conversions to a new product book."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from jeugdregie.rules.carepaths import AllocationFact, extension_ids
from jeugdregie.rules.kpi import REGISTRY, ClaimFact, Facts, compute, year
from jeugdregie.rules.kpi_answers import ChangeRequestFact

D = dt.date
Y2024 = year(2024)


def claim(amount, *, aanbieder="98000001", code="", day=D(2024, 3, 1)) -> ClaimFact:
    return ClaimFact(
        "k1", "0983", aanbieder, "A", False, "4", "A", "45N01", "", day, amount, 1,
        afgewezen=bool(code), retourcode=code,
    )  # fmt: skip


ACCEPTED = [claim(10_000), claim(5_000, aanbieder="98000002")]
REJECTED = [
    claim(3_000, code="8021"),
    claim(2_000, code="0611", aanbieder="98000002"),
    claim(-500, code="8017"),  # a rejected credit: the region pays 5.00 more
    claim(7_000, code="8021", day=D(2023, 12, 1)),  # another year
]
CLAIM_FACTS = Facts(claims=ACCEPTED, allocations=[], as_of=D(2025, 1, 31), rejected_claims=REJECTED)


def test_spend_reads_accepted_claims_only():
    assert compute("spend", CLAIM_FACTS, Y2024) == {(): 15_000}
    assert compute("clients", CLAIM_FACTS, Y2024) == {(): 1}


def test_rejected_share_of_the_net_claimed_amount():
    # submitted net 10,000 + 5,000 + 3,000 + 2,000 - 500 = 19,500; rejected net 4,500
    assert compute("rejected_share", CLAIM_FACTS, Y2024) == {(): pytest.approx(4_500 / 19_500)}
    assert compute("rejected_share", CLAIM_FACTS, Y2024, ("aanbieder",)) == {
        ("98000001",): pytest.approx(2_500 / 12_500),
        ("98000002",): pytest.approx(2_000 / 7_000),
    }
    assert compute("rejected_share", CLAIM_FACTS, year(2023)) == {(): 1.0}


def test_rejected_share_per_return_code_adds_up():
    by_code = compute("rejected_share_by_code", CLAIM_FACTS, Y2024)[()]
    assert by_code == {
        "0611": pytest.approx(2_000 / 19_500),
        "8017": pytest.approx(-500 / 19_500),
        "8021": pytest.approx(3_000 / 19_500),
    }
    assert sum(by_code.values()) == pytest.approx(4_500 / 19_500)
    none_rejected = Facts(claims=ACCEPTED, allocations=[], as_of=D(2025, 1, 31))
    assert compute("rejected_share_by_code", none_rejected, Y2024) == {(): {}}
    assert compute("rejected_share", none_rejected, Y2024) == {(): 0.0}


def request(rid, outcome, asked, decided, *, gemeente="0983") -> ChangeRequestFact:
    return ChangeRequestFact(
        rid, f"k{rid}", gemeente, "98000001", "A", False, "4", "A", "45N01", asked, outcome, decided
    )


REQUESTS = [
    request(1, "toegekend", D(2024, 1, 10), D(2024, 1, 20)),  # 10 days
    request(2, "afgewezen", D(2024, 2, 1), D(2024, 2, 4), gemeente="0889"),  # 3 days
    request(3, "toegekend", D(2024, 5, 1), D(2024, 5, 8)),  # 7 days
    request(4, "toegekend", D(2024, 8, 25), D(2024, 9, 2), gemeente="0889"),  # 8 days
    request(5, "in onderzoek", D(2024, 11, 1), None),  # undecided: not counted
    request(6, "afgewezen", D(2024, 12, 20), D(2025, 1, 3)),  # decided in 2025
]
REQUEST_FACTS = Facts(claims=[], allocations=[], as_of=D(2025, 1, 31), change_requests=REQUESTS)


def test_share_of_change_requests_granted():
    assert compute("change_requests_granted", REQUEST_FACTS, Y2024) == {(): 0.75}
    assert compute("change_requests_granted", REQUEST_FACTS, Y2024, ("gemeente",)) == {
        ("0889",): 0.5,
        ("0983",): 1.0,
    }
    assert compute("change_requests_granted", REQUEST_FACTS, year(2025)) == {(): 0.0}


def test_median_days_from_request_to_decision():
    assert compute("change_request_days", REQUEST_FACTS, Y2024) == {(): 7.5}  # of 3, 7, 8, 10
    assert compute("change_request_days", REQUEST_FACTS, year(2025)) == {(): 14}
    assert compute("change_request_days", REQUEST_FACTS, year(2023)) == {(): None}


def alloc(ids, client, begin, end, *, code, successor="", aanbieder="98000001") -> AllocationFact:
    return AllocationFact(
        next(ids), client, "0983", aanbieder, "A", False, "4", "A", successor or code, "45", begin, end,
        toegewezen_product=code, opvolger=successor,
    )  # fmt: skip


def test_extension_rule_with_a_new_product_book():
    ids = count(1)
    legacy = {"code": "45L01", "successor": "45N01"}
    allocations = [
        # g: converted to the successor at the same provider the next day: a conversion, no extension;
        # then the successor again 5 days after the conversion ends: an extension (same code)
        g1 := alloc(ids, "g", D(2023, 4, 1), D(2024, 3, 31), **legacy),
        g2 := alloc(ids, "g", D(2024, 4, 1), D(2024, 6, 30), code="45N01"),
        g3 := alloc(ids, "g", D(2024, 7, 5), D(2024, 12, 31), code="45N01"),
        # h: another legacy product that maps to the same new product, at another provider: no extension
        alloc(ids, "h", D(2023, 5, 1), D(2024, 4, 30), **legacy),
        h2 := alloc(
            ids, "h", D(2024, 5, 10), D(2024, 8, 31), code="45L02", successor="45N01", aanbieder="98000002"
        ),
        # i: the successor at the same provider 11 days after the legacy product ended: an extension
        alloc(ids, "i", D(2023, 5, 1), D(2024, 4, 30), **legacy),
        i2 := alloc(ids, "i", D(2024, 5, 11), D(2024, 8, 31), code="45N01"),
        # j: the successor at another provider: not the same product
        alloc(ids, "j", D(2023, 5, 1), D(2024, 4, 30), **legacy),
        j2 := alloc(ids, "j", D(2024, 5, 1), D(2024, 8, 31), code="45N01", aanbieder="98000002"),
        # k: the same legacy code again, at another provider: an extension
        alloc(ids, "k", D(2023, 5, 1), D(2024, 4, 30), **legacy),
        k2 := alloc(ids, "k", D(2024, 5, 1), D(2024, 8, 31), **legacy, aanbieder="98000002"),
    ]
    assert extension_ids(allocations) == {g3.id, i2.id, k2.id}
    assert g1.id not in extension_ids(allocations) and {g2.id, h2.id, j2.id}.isdisjoint(
        extension_ids(allocations)
    )
    facts = Facts(claims=[], allocations=allocations, as_of=D(2025, 6, 30))
    # new in 2024: g2, g3, h2, i2, j2, k2; extensions g3, i2, k2
    assert compute("allocations_new", facts, Y2024) == {(): 6}
    assert compute("extension_rate", facts, Y2024) == {(): 0.5}


def test_without_the_allocated_code_the_mapped_product_is_compared():
    # facts built without toegewezen_product/opvolger (older callers) keep the plain rule
    ids = count(1)
    a = AllocationFact(
        next(ids), "x", "0983", "98000001", "A", False, "4", "A", "45N01", "45", D(2024, 1, 1), D(2024, 3, 31)
    )
    b = AllocationFact(
        next(ids), "x", "0983", "98000001", "A", False, "4", "A", "45N01", "45", D(2024, 4, 1), None
    )
    assert extension_ids([a, b]) == {b.id}


def test_the_definitions_say_it():
    assert "reden wijziging 13" in REGISTRY["allocations_new"].definition
    extension = REGISTRY["extension_rate"].definition
    assert "omzetting" in extension and "dezelfde productcode zoals toegewezen" in extension
    assert "geaccepteerde" in REGISTRY["spend"].definition
