"""Small-number suppression of the rows of one table whose total is shown too (SYSTEM.md section 6).

A row resting on fewer clients than the threshold is hidden (primary suppression). When the rows
of a table add up to a total that is shown (on the same page, or on a page the same user may
open), hiding one row is not enough: the total minus the shown rows gives it away. So the hidden
rows together must rest on at least the threshold of clients; while they do not, the shown row
with the fewest clients is hidden with them (complementary suppression). The Datakwaliteit
answers, the municipality, provider and product pages and the drill-down use this one rule.

Clients are counted per row; a client in two rows is counted in both, so "together" may count a
client twice (the rule can then hide one row too few; docs/screens.md, Differencing).
"""

from __future__ import annotations

from collections.abc import Sequence


def too_small(clients: int | None, limit: int) -> bool:
    """A row on 1 to limit - 1 clients; a row without clients reveals nobody."""
    return clients is not None and 0 < clients < limit


def hidden_rows(clients: Sequence[int], limit: int) -> list[bool]:
    """Per row (by its number of clients): hidden or not, primary and complementary (of shown rows
    with as many clients, the earlier one first)."""
    hidden = [too_small(n, limit) for n in clients]
    together = sum(n for n, h in zip(clients, hidden, strict=True) if h)
    if together == 0:
        return hidden
    for i in sorted((i for i, h in enumerate(hidden) if not h and clients[i] > 0), key=lambda i: clients[i]):
        if together >= limit:
            break
        hidden[i] = True
        together += clients[i]
    return hidden
