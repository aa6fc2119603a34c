"""Scale N for the benchmarks: the scale-1 demo facts N times over, each copy an independent
region (shared by bench/kpi_duckdb.py, bench/kpi_engines.py, bench/settle.py and
bench/analytics_scale.py, so every benchmark's scale N is the same data).

Copy k > 0 gets its own client pseudonyms (``<client>~k``), provider codes (``<agb>~k``, or what
``provider(agb, k)`` names, e.g. the providers of copy k of ``region.aanbieders(N)`` that a
database knows), allocation ids (offset k x (max id + 1), also on the claim lines that name
them) and change-request ids; municipalities, products and dates stay. Copy 0 is the original.
The generator's ``--scale`` also makes independent copies of the region, so the shape is the
same: every count and amount is N times the scale-1 one and every share the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

Provider = Callable[[str, int], str]


def tilde(agb: str, k: int) -> str:
    return f"{agb}~{k}"


def fact_fields(facts) -> tuple:
    """The fields of ``Facts`` in order, the lists copied (what a child process unpickles)."""
    return (
        list(facts.claims),
        list(facts.allocations),
        facts.as_of,
        facts.size_class_limits,
        list(facts.rejected_claims),
        list(facts.change_requests),
    )


def copies(
    claims: Sequence[Any],
    allocations: Sequence[Any],
    scale: int,
    *,
    rejected: Sequence[Any] = (),
    requests: Sequence[Any] = (),
    provider: Provider = tilde,
) -> Iterator[tuple[int, list, list, list, list]]:
    """(k, claims, allocations, rejected claims, change requests) of copy k, for k in 0..scale-1,
    one copy at a time (a loader need not hold all of them)."""
    step = max(a.id for a in allocations) + 1
    request_step = max((r.id for r in requests), default=0) + 1
    for k in range(scale):
        if k == 0 and provider is tilde:
            yield 0, list(claims), list(allocations), list(rejected), list(requests)
            continue
        clients: dict[str, str] = {}
        providers: dict[str, str] = {}

        def client(c: str, k: int = k, clients: dict = clients) -> str:
            found = clients.get(c)
            if found is None:
                found = clients[c] = c if k == 0 else f"{c}~{k}"
            return found

        def agb(p: str, k: int = k, providers: dict = providers) -> str:
            found = providers.get(p)
            if found is None:
                found = providers[p] = provider(p, k)
            return found

        def line(c, k: int = k):
            moved = None if c.toewijzing is None else c.toewijzing + k * step
            return dataclasses.replace(
                c, client=client(c.client), aanbieder=agb(c.aanbieder), toewijzing=moved
            )

        yield (
            k,
            [line(c) for c in claims],
            [
                dataclasses.replace(
                    a, id=a.id + k * step, client=client(a.client), aanbieder=agb(a.aanbieder)
                )
                for a in allocations
            ],
            [line(c) for c in rejected],
            [
                dataclasses.replace(
                    r, id=r.id + k * request_step, client=client(r.client), aanbieder=agb(r.aanbieder)
                )
                for r in requests
            ],
        )


def replicate(facts, scale: int):
    """``Facts`` of ``scale`` copies of the region (scale 1: a fresh ``Facts`` of the same lists)."""
    from jeugdregie.rules.kpi import Facts

    claims: list = []
    allocations: list = []
    rejected: list = []
    requests: list = []
    for _k, c, a, r, q in copies(
        facts.claims,
        facts.allocations,
        scale,
        rejected=facts.rejected_claims,
        requests=facts.change_requests,
    ):
        claims += c
        allocations += a
        rejected += r
        requests += q
    return Facts(claims, allocations, facts.as_of, facts.size_class_limits, rejected, requests)
