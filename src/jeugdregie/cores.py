"""Whether a second core is free now: the ingest's read-ahead worker (``ijw.read_ahead``) and the
precompute's second process (``web.precompute_run``) are started only then.

Measured on the 2-core machines (docs/performance.md, issue 13): on a quiet machine the read-ahead
worker makes the ingest 1.4-1.6x as fast; on a machine loaded by other work it only shares the
same CPU with the main process (the kernel shares it per session) and the ingest ran 0.67-0.92x as
fast. The one-minute load average is a poor guide at the moment it matters: it still counts the
work this process did just before (the demo's generator, the ingest with its worker), so the
number of processes running *now* is read from /proc/loadavg (its fourth field, this process
included), the fewest of a few samples. Where that file does not exist, the load average decides.
"""

from __future__ import annotations

import os
import time

LOADAVG = "/proc/loadavg"


def configured_or_free(setting: str, env: str, alone: int, with_free_core: int) -> int:
    """How many processes to use: the Django setting ``setting`` or the environment variable
    ``env`` when given (kept between ``alone`` and ``with_free_core``), else ``with_free_core`` when
    a second core is free now and ``alone`` when not."""
    from django.conf import settings

    configured = getattr(settings, setting, None)
    if configured is None:
        configured = os.environ.get(env) or None
    if configured is None:
        return with_free_core if core_free_now() else alone
    return min(with_free_core, max(alone, int(configured)))


def core_free_now(samples: int = 3, loadavg: str | None = None) -> bool:
    """Two or more cores and, now, at most ``cores - 2`` other processes running (this one takes
    one core, the extra process the other)."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        running = []
        for n in range(samples):
            if n:
                time.sleep(0.05)
            with open(loadavg or LOADAVG, encoding="ascii") as file:
                running.append(int(file.read().split()[3].split("/")[0]))
    except (OSError, ValueError, IndexError):
        return _idle_by_load_average(cores)
    return min(running) - 1 <= cores - 2


def _idle_by_load_average(cores: int) -> bool:
    """One and a half cores idle by the load average of the last minute; no load average on this
    system: trust the cores."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return True
    return cores - load >= 1.5
