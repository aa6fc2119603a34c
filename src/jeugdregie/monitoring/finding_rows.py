"""The JSON-ready rows of the data-quality report, shared by its two parts: the checks of
`jeugdregie.rules.dataquality` and the iJw rules of `jeugdregie.rules.ijw_findings`. Clients
appear by a shortened pseudonym only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jeugdregie.rules.dataquality import Finding, FindingTotals

PSEUDONYM_SHOWN = 10  # characters of the pseudonym shown: enough to tell clients apart

#: (municipality names by CBS code, provider names by AGB code, allocation ids -> ToewijzingNummer)
Names = tuple[dict[str, str], dict[str, str], Callable[[set[int]], dict[int, str]]]


def short_pseudonym(pseudonym: str) -> str:
    return pseudonym[:PSEUDONYM_SHOWN]


def chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_rows(
    results: Iterable[tuple[dict[str, Any], FindingTotals, int | None]], names: Names
) -> list[dict[str, Any]]:
    """Per check: its own fields (`head`, in order), then count, clients, amount (cents) and every
    finding with the names of its municipality and provider and its allocations' numbers."""
    results = list(results)
    gemeente_names, provider_names, numbers_of = names
    numbers = numbers_of({i for _, r, _ in results for f in r.findings for i in f.toewijzingen})

    def row(f: Finding) -> dict[str, Any]:
        return {
            "gemeente": f.gemeente,
            "gemeente_naam": gemeente_names.get(f.gemeente, ""),
            "aanbieder": f.aanbieder,
            "aanbieder_naam": provider_names.get(f.aanbieder, ""),
            "client": short_pseudonym(f.client),
            "toewijzing": f.toewijzing,
            "toewijzingen": list(f.toewijzingen),
            "toewijzingnummers": [numbers.get(i, "") for i in f.toewijzingen],
            "product": f.product,
            "begin": f.begin.isoformat(),
            "eind": f.eind.isoformat() if f.eind else None,
            "bedrag_cent": f.bedrag_cent,
            "uitleg": f.uitleg,
        }

    return [
        {
            **head,
            "count": result.count,
            "clients": clients,
            "bedrag_cent": result.bedrag_cent,
            "findings": [row(f) for f in result.findings],
        }
        for head, result, clients in results
    ]
