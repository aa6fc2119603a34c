"""Calibration of the demo data (scale 1, seed 1) against SYSTEM.md section 4 / seed 000 section 7.1.

The market table is computed from the generated JW323 messages themselves (read back with the
project's reader); the other patterns from the generator's facts of what it emitted (which the
market table check shows to agree with the XML). Tolerances (also in docs/performance.md):

=====================================  ==========================================================
market table 2022, 2023 (binding)      spend within 5% per cell; clients within 5% or 3 clients
transport 2022, 2023                   spend and clients within 10% per municipality
segments 3+4 growth                    2023 +10.8% +/- 1.5 pt (the table itself gives +10.3%),
                                       2024 +14.1% +/- 1 pt, clients 2024 within 3% of 2023
NGA share of segment 3+4 spend         2024 5.0% +/- 0.5 pt, rising 2022 < 2023 < 2024
micro share (< EUR 250k a year)        2022 11.2% and 2024 14.7%, each +/- 1 pt, rising
provider size classes                  every micro/NGA provider < EUR 250k, every other >= 250k
maatwerk/meerwerk share                rising 2022 < 2023 < 2024
redemption of P x Q allocations        2023: 70-80% overall, micro/NGA providers higher
average care path duration (3+4)       2023: 6.0-8.5 months ("about 7")
extensions                             2023: at least 20% of new allocations (3+4)
relapse (6-month window)               2022-2024: 2-8% each year, spread at most 1.5 pt
segment 2 providers 2022-2023          exactly 22
=====================================  ==========================================================
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from jeugdregie.demo import analysis as A
from jeugdregie.demo import region, targets
from jeugdregie.demo.catalog import PRODUCTS
from jeugdregie.demo.generator import GenerationResult
from jeugdregie.demo.xmlfacts import read_facts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def xml_market(long_run: GenerationResult) -> dict[tuple[int, str, str], tuple[int, int]]:
    facts = read_facts(long_run.out, kinds=("JW323",))
    assert facts.errors == []
    return A.market_table(facts.claims)


@pytest.fixture(scope="module")
def facts(long_run: GenerationResult):
    assert long_run.facts is not None
    return long_run.facts


def _within_clients(got: int, want: int) -> bool:
    return abs(got - want) <= max(3, 0.05 * want)


@pytest.mark.parametrize("year", [2022, 2023])
def test_market_table_from_the_xml(xml_market, year: int) -> None:
    bad = []
    for segment, gemeente in targets.MARKT:
        want_clients, want_cents = targets.target(segment, gemeente, year)
        clients, cents = xml_market.get((year, gemeente, segment), (0, 0))
        if abs(cents / want_cents - 1) > 0.05 or not _within_clients(clients, want_clients):
            bad.append((segment, gemeente, clients, want_clients, cents / 100, want_cents / 100))
    assert bad == []


@pytest.mark.parametrize("year", [2022, 2023])
def test_transport_table_from_the_xml(xml_market, year: int) -> None:
    for gemeente in targets.VERVOER:
        want_clients, want_cents = targets.target("V", gemeente, year)
        clients, cents = xml_market[(year, gemeente, "V")]
        assert abs(cents / want_cents - 1) <= 0.10, (gemeente, cents, want_cents)
        assert abs(clients - want_clients) <= max(1, 0.10 * want_clients), (gemeente, clients, want_clients)


def test_xml_facts_and_manifest_agree(xml_market, long_run: GenerationResult, facts) -> None:
    assert A.market_table(facts.claims) == xml_market
    assert long_run.market == xml_market


def test_growth_of_segments_3_and_4(xml_market) -> None:
    spend23, clients23 = A.growth(xml_market, 2023, ("3", "4"))
    spend24, clients24 = A.growth(xml_market, 2024, ("3", "4"))
    assert spend23 == pytest.approx(0.108, abs=0.015)
    assert spend24 == pytest.approx(0.141, abs=0.010)
    assert abs(clients24) <= 0.03


def test_nga_micro_and_custom_shares(facts) -> None:
    shares = A.shares(facts.claims, facts.nga_providers)
    nga = [shares[y]["nga"] for y in (2022, 2023, 2024)]
    micro = [shares[y]["micro"] for y in (2022, 2023, 2024)]
    custom = [shares[y]["custom"] for y in (2022, 2023, 2024)]
    assert nga[2] == pytest.approx(0.050, abs=0.005)
    assert nga[0] < nga[1] < nga[2]
    assert micro[0] == pytest.approx(0.112, abs=0.01)
    assert micro[2] == pytest.approx(0.147, abs=0.01)
    assert micro[0] < micro[1] < micro[2]
    assert custom[0] < custom[1] < custom[2]


def test_provider_size_classes_match_spend(facts) -> None:
    spend = A.spend_by_provider(facts.claims)
    small = facts.micro_providers | facts.nga_providers
    for (year, agb), cents in spend.items():
        if year not in (2022, 2023, 2024) or cents <= 0:
            continue
        if agb in small:
            assert cents < 250_000_00, (year, agb, cents)
        else:
            assert cents >= 250_000_00, (year, agb, cents)


def test_segment_2_spread_over_22_providers(facts) -> None:
    providers = {
        c.provider
        for c in facts.claims
        if c.begin.year in (2022, 2023) and A.segment(c.code) == "2" and c.bedrag > 0
    }
    assert len(providers) == 22


def test_redemption(facts) -> None:
    small = facts.micro_providers | facts.nga_providers
    regular = {a.provider for a in facts.allocations} - small
    overall = A.redemption(facts.allocations, facts.claims, 2023)
    micro = A.redemption(facts.allocations, facts.claims, 2023, providers=small)
    other = A.redemption(facts.allocations, facts.claims, 2023, providers=regular)
    assert 0.70 <= overall <= 0.80
    assert micro > other


def test_care_paths_extensions_and_relapses(facts) -> None:
    paths = A.care_paths(facts.allocations, segments=("3", "4"))
    assert 6.0 <= A.avg_duration_months(paths, 2023) <= 8.5
    assert A.extension_rate(facts.allocations, 2023, segments=("3", "4")) >= 0.20
    relapse = [A.relapse_rate(paths, facts.allocations, y) for y in (2022, 2023, 2024)]
    assert all(0.02 <= r <= 0.08 for r in relapse), relapse
    assert max(relapse) - min(relapse) <= 0.015
    dropout = A.dropout_rate(paths, facts.stops, 2023)
    assert 0.03 <= dropout <= 0.25


def test_referrals_changes_and_deletions(long_run: GenerationResult, facts) -> None:
    changes = long_run.jw301_changes
    assert changes["04"] > 0 and changes["05"] > 0 and changes["10"] > 0 and changes["13"] > 0
    deleted = [a for a in facts.allocations if a.deleted]
    claimed = {(c.gemeente, c.nummer) for c in facts.claims}
    assert deleted and not any((a.gemeente, a.nummer) in claimed for a in deleted)


def test_transition_to_the_new_product_book(facts) -> None:
    start = dt.date(2026, 1, 1)
    assert not [c for c in facts.claims if c.begin >= start and PRODUCTS[c.code].legacy]
    assert not [a for a in facts.allocations if a.ingang >= start and PRODUCTS[a.code].legacy]
    assert {c.code for c in facts.claims if c.begin >= start} >= {
        p.code for p in region.NIEUW_BOEK.producten
    } - {region.ANALYSE, region.DYSLEXIE}
    by_key = {(a.gemeente, a.nummer): a for a in facts.allocations}
    followers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in facts.allocations:
        if a.ingang == start:
            followers[(a.client, a.provider)].add(a.code)
    # every legacy allocation still valid in 2026 was cut on 31 December 2025 (RedenWijziging 10) ...
    legacy = [a for a in facts.allocations if PRODUCTS[a.code].legacy and not a.deleted]
    assert all(a.einde is not None and a.einde < start for a in legacy)
    transitions = [(g, n) for g, n, reden, _ in facts.changes if reden == "10"]
    assert len(transitions) > 1000
    # ... and where care went on (JW307 reason 36 on that day), re-allocated under the mapped product
    running = {(s.gemeente, s.nummer) for s in facts.stops if s.reden == "36"}
    assert all(s.einde == dt.date(2025, 12, 31) for s in facts.stops if s.reden == "36")
    continued = 0
    for key in transitions:
        old = by_key[key]
        assert old.einde == dt.date(2025, 12, 31) and PRODUCTS[old.code].legacy
        if key in running:
            assert PRODUCTS[old.code].nieuw in followers[(old.client, old.provider)], old
            continued += 1
    assert continued > 500
