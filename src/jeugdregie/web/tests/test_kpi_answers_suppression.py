"""Small numbers in the rejection KPIs: a return code's share that rests on fewer clients than the
threshold hides the breakdown outside the regio role (as the size classes)."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings

from jeugdregie.rules import kpi as rules
from jeugdregie.web.access import Scope
from jeugdregie.web.kpi_query import scoped_kpi_rows


def claim(client: str, amount: int, code: str = "") -> rules.ClaimFact:
    return rules.ClaimFact(
        client, "0983", "98000001", "A", False, "4", "A", "45N01", "", dt.date(2024, 3, 1), amount, 1,
        afgewezen=bool(code), retourcode=code,
    )  # fmt: skip


def by_id(rows):
    return {r["id"]: r["value"] for r in rows}


@override_settings(SMALL_NUMBER_THRESHOLD=3)
def test_a_return_code_of_too_few_clients_hides_the_breakdown_not_the_rejected_share():
    accepted = [claim(f"k{i}", 10_000) for i in range(6)]
    rejected = [claim("k0", 1_000, "8021"), claim("k1", 1_000, "8021"), claim("k2", 1_000, "8021")]
    facts = rules.Facts(claims=accepted, allocations=[], as_of=dt.date(2025, 6, 30), rejected_claims=rejected)
    gemeente = Scope("gemeente", gemeente="0983")
    values = by_id(scoped_kpi_rows(gemeente, 2024, "0983", facts=facts)[0])
    assert values["rejected_share"] == 3_000 / 63_000
    assert values["rejected_share_by_code"] == {"8021": 3_000 / 63_000}  # three clients: shown

    one_more = [*rejected, claim("k3", 500, "0611")]  # 0611 rests on one client
    facts = rules.Facts(claims=accepted, allocations=[], as_of=dt.date(2025, 6, 30), rejected_claims=one_more)
    values = by_id(scoped_kpi_rows(gemeente, 2024, "0983", facts=facts)[0])
    assert values["rejected_share"] == 3_500 / 63_500
    assert values["rejected_share_by_code"] is None
    regio = by_id(scoped_kpi_rows(Scope("regio"), 2024, "0983", facts=facts)[0])
    assert set(regio["rejected_share_by_code"]) == {"0611", "8021"}
