"""The KPI table of the screens, with small numbers suppressed where the numbers are selected
(SYSTEM.md section 6): outside the regio role no value is shown that rests on fewer clients than
SMALL_NUMBER_THRESHOLD.

"Rests on" is the set of distinct clients behind the KPI's base records in the selected group
(claims, allocations or care paths of the period, as the registry defines each KPI): a rate is
hidden when its denominator has too few clients, a count of clients when the count itself is too
small, a row of the top care paths when too few clients followed that sequence. Tertials of an
additive KPI are hidden together when one of them is, so that the year minus the others does not
give the hidden one away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings

from jeugdregie.monitoring.facts import derived, load_facts
from jeugdregie.rules import kpi as rules

from .access import Scope

# KPIs whose value counts clients: a small count is itself a small number.
CLIENT_COUNTS = frozenset({"clients", "clients_in_care", "inflow", "outflow"})
# KPIs whose year is the sum of its tertials.
ADDITIVE = frozenset({"spend", "allocations_new"})


def _in_care_at_start(facts: rules.Facts, period: rules.Period) -> list[Any]:
    return [a for a in facts.allocations if a.valid_on(period.begin)]


def _paths_starting(facts: rules.Facts, period: rules.Period) -> list[Any]:
    return [p for p in facts.paths if period.contains(p.begin)]


# Counts whose base holds only the clients counted: what they rest on is the population examined
# ("0 clients left care" says something about everyone in care at the start).
POPULATION = {"outflow": _in_care_at_start, "inflow": _paths_starting}


def threshold() -> int:
    return int(settings.SMALL_NUMBER_THRESHOLD)


def _group_key(gemeente: str | None, aanbieder: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    by = tuple(c for c, v in (("gemeente", gemeente), ("aanbieder", aanbieder)) if v)
    key = tuple(v for v in (gemeente, aanbieder) if v)
    return by, key


class _Groups:
    """Base records of a KPI in a period, per group of the cut: split once per base function, and
    once for every group when `memo` is shared between calls on the same facts."""

    def __init__(self, facts: rules.Facts, by: tuple[str, ...], key: tuple, memo: dict) -> None:
        self.facts, self.by, self.key, self.memo = facts, by, key, memo

    def records(self, kpi: rules.Kpi, period: rules.Period) -> list[Any]:
        base = POPULATION.get(kpi.id, kpi.base)
        cache_key = ("records", base, period, self.by)
        if cache_key not in self.memo:
            # The base records and groups `rules.compute` made for the same KPI: same keys, same order.
            if self.by:
                made = self.facts._cache.get(("groups", base, period, self.by))
            else:
                whole = self.facts._cache.get(("base", base, period))
                made = None if whole is None else [((), list(whole))]
            if made is not None:
                self.memo[cache_key] = dict(made)
                return self.memo[cache_key].get(self.key, [])
            groups: dict[tuple, list[Any]] = defaultdict(list)
            for r in base(self.facts, period):
                groups[tuple(rules.cut_value(r, c) for c in self.by)].append(r)
            self.memo[cache_key] = groups
        return self.memo[cache_key].get(self.key, [])


def _clients(records) -> int:
    return len({r.client for r in records})


def _suppress_value(kpi: rules.Kpi, value: Any, records: list[Any], facts: rules.Facts, year: int) -> Any:
    """`value` when every number in it rests on at least the threshold of clients, else None (or,
    for the top care paths, the value without the rows that rest on too few)."""
    if value is None:
        return None
    limit = threshold()
    clients = _clients(records)
    if 0 < clients < limit:
        return None
    if kpi.id in CLIENT_COUNTS and 0 < value < limit:
        return None
    if kpi.id == "top_paths":
        per_sequence: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for path in records:
            per_sequence[path.products].add(path.client)
        kept = [row for row in value if len(per_sequence[tuple(row["producten"])]) >= limit]
        return kept or None
    if kpi.id == "rejected_share_by_code":
        # As size classes: each code's share rests on the clients of its rejected lines, and the
        # shares add up to the rejected share shown beside them.
        per_code: dict[str, set[str]] = defaultdict(set)
        for claim in records:
            if claim.afgewezen:
                per_code[claim.retourcode].add(claim.client)
        if any(0 < len(c) < limit for c in per_code.values()):
            return None
    if kpi.id == "size_class_share":
        # Shares add up to 1: one class on too few clients is given away by the others.
        per_class: dict[str, set[str]] = defaultdict(set)
        for claim in records:
            per_class[facts.size_class(claim.aanbieder, claim.periode_begin.year)].add(claim.client)
        if any(0 < len(c) < limit for c in per_class.values()):
            return None
    return value


def scoped_kpi_rows(
    scope: Scope,
    year: int,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    *,
    facts: rules.Facts | None = None,
) -> tuple[list[dict[str, Any]], dt.date]:
    """Every KPI for the year and its tertials for the selected group, as `scope` may see it:
    rows of {id, label, unit, definition, value, tertials{T1..T3}}; suppressed values are None."""
    if facts is None:
        facts = load_facts(dt.date(year, 1, 1), dt.date(year, 12, 31))
    by, key = _group_key(gemeente, aanbieder)
    # Results for every group of the cut, kept for the next call on the same facts inside
    # `shared_facts()` (the screens' precompute asks for each municipality and provider in turn).
    memo = derived(facts)
    groups = _Groups(facts, by, key, memo)
    periods = [rules.year(year)] + [rules.tertial(year, t) for t in (1, 2, 3)]
    rows = []
    for kpi in rules.REGISTRY.values():
        values: list[Any] = []
        hidden = []
        for period in periods:
            computed_key = ("compute", kpi.id, period, by)
            if computed_key not in memo:
                memo[computed_key] = rules.compute(kpi.id, facts, period, by)
            value = memo[computed_key].get(key)
            if scope.suppress_small_numbers:
                shown = _suppress_value(kpi, value, groups.records(kpi, period), facts, year)
                hidden.append(shown is None and value is not None)
                value = shown
            values.append(value)
        if kpi.id in ADDITIVE and any(hidden[1:]):
            values[1:] = [None, None, None]
        rows.append(
            {
                "id": kpi.id,
                "label": kpi.label,
                "unit": kpi.unit,
                "good": kpi.good,
                "definition": kpi.definition,
                "value": values[0],
                "tertials": dict(zip(("T1", "T2", "T3"), values[1:], strict=True)),
            }
        )
    return rows, facts.as_of
