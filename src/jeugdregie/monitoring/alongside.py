"""Database reads that run alongside each other, each on a connection of its own.

The analytics at national scale wait on the database for a third of their time (the forecast at
scale 60: about 20 of 60 s for the claims' totals and the claimed cents per allocation) while the
client's core could value allocations. ``start`` runs a read on a worker thread with a connection
of its own (Django's connections are per thread), so the server works on one core while this
process computes on the other; ``Pending.result`` then waits for it.

Inside a transaction (a request's, a test's) the read runs at once, on the caller's connection
instead: another connection cannot see that transaction's rows. The worker runs in a copy of the
caller's context, so ``monitoring.facts.shared`` keeps what it read for the caller.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from django.db import connection

T = TypeVar("T")


def on_own_connection(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """In a worker thread: ``fn`` on that thread's connection, which is closed after it (the
    thread ends, nobody else would)."""
    try:
        return fn(*args, **kwargs)
    finally:
        connection.close()


def may_run_alongside() -> bool:
    """False inside a transaction: its rows are visible on its own connection only."""
    return not connection.in_atomic_block


class Pending(Generic[T]):
    """A read started by ``start``; ``result()`` gives its value or raises its exception."""

    def __init__(self, fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        self._future: Future[T] | None = None
        self._value: T | None = None
        self._error: BaseException | None = None
        if may_run_alongside():
            pool = ThreadPoolExecutor(1, thread_name_prefix="alongside")
            context = contextvars.copy_context()
            self._future = pool.submit(context.run, on_own_connection, fn, *args, **kwargs)
            pool.shutdown(wait=False)  # the thread ends with its one task
            return
        try:
            self._value = fn(*args, **kwargs)
        except Exception as exc:  # raised from result(), as a worker's would be
            self._error = exc

    @property
    def alongside(self) -> bool:
        """Whether it runs on a worker thread (else it ran at once, on the caller's connection)."""
        return self._future is not None

    def result(self) -> T:
        if self._future is not None:
            return self._future.result()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def start(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Pending[T]:
    """``fn(*args, **kwargs)`` started alongside the caller (see the module's text)."""
    return Pending(fn, args, kwargs)
