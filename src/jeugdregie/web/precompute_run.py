"""Running the precompute's steps (issue 13): in this process, or in two when a second core is free.

The steps are independent (each reads its own facts inside `shared_facts()` and writes its own
screen-cache entries, which are files: both processes can write them). With two workers a forked
child runs the second group of steps while this process runs the first; the child reports each
finished step through a pipe and this process says it. A child that fails or dies leaves its
remaining steps to this process (what it did compute is in the cache already), with a warning.

Workers: the setting ``PRECOMPUTE_WORKERS`` or ``JEUGDREGIE_PRECOMPUTE_WORKERS`` (1 or 2) when
given, else 2 when a second core is free now (``core_free_now``: on a loaded machine the two
processes only share the same CPU). Always one inside a transaction (a test's, or a caller's: the
child would not see its rows) and for an in-memory SQLite database.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence

from django.db import connections

from jeugdregie.cores import configured_or_free

Step = tuple[str, Callable[[], object]]
WORKERS_ENV = "JEUGDREGIE_PRECOMPUTE_WORKERS"


def default_workers() -> int:
    return configured_or_free("PRECOMPUTE_WORKERS", WORKERS_ENV, alone=1, with_free_core=2)


def can_fork() -> bool:
    """A child process can run steps: fork exists, no open transaction, no in-memory database."""
    if not hasattr(os, "fork"):
        return False
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            return False
    for alias in connections:
        conf = connections[alias].settings_dict
        name = str(conf.get("NAME") or "")
        if conf.get("ENGINE", "").endswith("sqlite3") and (name in ("", ":memory:") or "mode=memory" in name):
            return False
    return True


def run_steps(
    groups: tuple[Sequence[Step], Sequence[Step]],
    run_one: Callable[[str, Callable[[], object]], float],
    say: Callable[[str], object],
    workers: int | None = None,
) -> dict[str, float]:
    """Run every step of both groups with `run_one(name, work)` (which returns its seconds);
    returns seconds per step and "totaal" (wall-clock seconds of the whole)."""
    started = time.perf_counter()
    first, second = groups
    workers = default_workers() if workers is None else workers
    timings: dict[str, float] = {}

    def here(steps: Sequence[Step]) -> None:
        for name, work in steps:
            timings[name] = run_one(name, work)
            say(f"{name}: {timings[name]:.1f} s")

    if workers < 2 or not first or not second or not can_fork():
        here([*first, *second])
    else:
        _in_two(first, second, run_one, say, here, timings)
    timings["totaal"] = time.perf_counter() - started
    return timings


def _in_two(first, second, run_one, say, here, timings) -> None:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    connections.close_all()  # the child opens its own; a shared connection would break both

    def child() -> None:
        name = ""
        try:
            for name, work in second:
                send.send(("stap", name, run_one(name, work)))
            send.send(("klaar", "", 0.0))
        except BaseException as error:  # told to the parent, which computes the rest itself
            send.send(("fout", name, f"{type(error).__name__}: {error}"))
        finally:
            connections.close_all()
            send.close()

    process = context.Process(target=child, name="jeugdregie-precompute", daemon=True)
    process.start()
    send.close()
    failure = ""

    def hear(wait: bool) -> bool:
        """Say what the child finished; False once it is done (or gone)."""
        nonlocal failure
        while wait or receive.poll():
            try:
                kind, name, value = receive.recv()
            except EOFError:
                failure = failure or "het tweede proces stopte onverwacht"
                return False
            if kind == "stap":
                timings[name] = float(value)
                say(f"{name}: {float(value):.1f} s (tweede proces)")
            elif kind == "fout":
                failure = f"{name}: {value}"
                return False
            else:
                return False
        return True

    running = True
    for step in first:
        here([step])
        running = running and hear(wait=False)
    if running:
        hear(wait=True)
    process.join()
    receive.close()
    left = [step for step in second if step[0] not in timings]
    if left:
        say(f"Let op: {failure or 'het tweede proces stopte'}; de rest wordt hier berekend.")
        here(left)
