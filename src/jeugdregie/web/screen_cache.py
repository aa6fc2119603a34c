"""The screens' computed figures, shared between processes (issues 12 and 13).

The slow part of the KPI, Plafonds, Stoplicht, Tertiaalrapportage and Datakwaliteit screens is
computing their figures from all claims and allocations; showing them is fast. `cached` keeps what
was computed in Django's "screens" cache (on disk under var/cache, see settings.CACHES: the ingest
that warms it and the server that reads it are different processes) with a small in-process layer
in front, so a hit does not even unpickle.

Every key carries `version()`: a fingerprint of the data the figures rest on (messages, claim
lines, allocations, ceilings, budgets, norms, rule sets, overruns) plus a generation number that
any change to the region's configuration (providers, municipalities, products, contracts, budgets)
bumps. New data gives a new version, so it can never show old figures; old entries simply age out.
`jeugdregie precompute` (run at the end of every ingest) fills the cache for the default view of
every role, so the first visit after an ingest is a hit.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Max

T = TypeVar("T")

GENERATION_KEY = "screens:generation"
# Apps whose saved or deleted rows change what the screens show without adding messages.
CONFIG_APPS = frozenset({"regio", "catalogus", "contracten", "budget"})
# Entries kept unpickled in this process. Under 20 users at scale 10 the four roles' pages use
# about 60 entries; with 32, every view of Datakwaliteit unpickled its report again (0.4 s each).
IN_PROCESS = 256
VERSION_COST_FACTOR = 10  # the data version is reused for at least this many times its cost,
VERSION_REUSE_MAX = 60.0  # but not longer than this many seconds

# How often each named computation ran in this process: the tests read it to see a hit.
computed: Counter[str] = Counter()
# Kept after their first view rather than by `precompute`: cheap to make (a rendered table, one
# query for a burn-up line or the home page's message count, a screen's figures shaped for one
# kind of viewer), so a first view that makes them still answers fast.
ON_FIRST_VIEW = frozenset(
    {
        "fragment",
        "overzicht-burnup",
        "overzicht-contracten",
        "berichten-aantal",
        "productinfo",
        "stoplicht-onderdrukt",
        "groepsnamen",
        "datakwaliteit-antwoorden",
        "plafonds-scherm",
        "grafiek",
    }
)


def figures_computed() -> dict[str, int]:
    """What ran in this process apart from the ON_FIRST_VIEW entries: empty after a precompute."""
    return {name: n for name, n in computed.items() if name not in ON_FIRST_VIEW}


_local: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()  # waitress serves from several threads


def enabled() -> bool:
    return settings.SCREEN_CACHE != "off"


def _store():
    return caches["screens"]


def generation() -> int:
    return int(_store().get(GENERATION_KEY, 0)) if enabled() else 0


def bump_generation(**_kwargs) -> None:
    """A signal receiver: the region's configuration changed, every cached figure is stale."""
    if not enabled():
        return
    store = _store()
    with _lock:
        _version_memo.clear()  # this process sees its own change at once
    try:
        store.incr(GENERATION_KEY)
    except ValueError:
        store.set(GENERATION_KEY, 1, timeout=None)


def on_config_change(sender, **kwargs) -> None:
    if sender._meta.app_label in CONFIG_APPS:
        bump_generation()


_version_memo: dict[str, tuple[float, str]] = {}  # database name -> (reused until, version)
_version_refreshing: set[str] = set()  # database names whose version a thread is computing now


def version(*, fresh: bool = False) -> str:
    """The fingerprint of everything the screens' figures rest on (a few aggregate queries),
    reused by this process for settings.SCREEN_VERSION_TTL seconds, or for ten times what computing
    it took when that is longer (at most a minute): under load every page view asked for it, and
    on the demo region it costs about 0.1 s (0.6-0.8 s at scale 10). `fresh` computes it anew (the
    precompute after an ingest in the same process).

    Once it is older than that, one thread computes it again while the others keep using the
    previous one until it is there (at scale 10 every server thread that found it stale counted
    the millions of rows at the same time, and each page view waited for it)."""
    ttl = settings.SCREEN_VERSION_TTL
    name = str(connection.settings_dict["NAME"])
    refreshing = False
    if ttl > 0 and not fresh:
        with _lock:
            memo = _version_memo.get(name)
            if memo is not None:
                if time.monotonic() < memo[0] or name in _version_refreshing:
                    return memo[1]
                _version_refreshing.add(name)
                refreshing = True
    started = time.monotonic()
    try:
        value = _compute_version()
    finally:
        if refreshing:
            with _lock:
                _version_refreshing.discard(name)
    if ttl > 0:
        took = time.monotonic() - started
        with _lock:
            # Kept for the TTL or for ten times what counting took, whichever is longer: at scale 10
            # the counts take 0.6-0.8 s of the database's CPU, and every 2 s that was a fifth of a
            # core under load. New data then shows at most some seconds later.
            reuse = max(ttl, min(VERSION_COST_FACTOR * took, VERSION_REUSE_MAX))
            _version_memo[name] = (time.monotonic() + reuse, value)
    return value


def _compute_version() -> str:
    from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

    from .afrekening_service import settlement_version  # includes budget.data_version()

    parts = (
        connection.settings_dict["NAME"],
        generation(),
        settlement_version(),
        tuple(DeclaratieRegel.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
        tuple(Toewijzing.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def cached(name: str, args: tuple, compute: Callable[[], T], *, at: str | None = None) -> T:
    """`compute()` under `name` + `args` for data version `at` (computed when not given): from
    this process, else from the shared cache, else computed and stored in both."""
    if not enabled():
        computed[name] += 1
        return compute()
    at = at or version()
    key = f"screens:{name}:{at}:" + hashlib.sha256(repr(args).encode()).hexdigest()[:24]
    with _lock:
        if key in _local:
            _local.move_to_end(key)
            return _local[key]
    value = _store().get(key, _MISSING)
    if value is _MISSING:
        computed[name] += 1
        value = compute()
        _store().set(key, value)
    with _lock:
        _keep_local(key, at, value)
    return value


_local_version = ""  # the data version of the entries in _local


def _keep_local(key: str, at: str, value: Any) -> None:
    """Keep `value` in this process; entries of another data version are let go first, so a server
    that sees new data every few seconds during an ingest does not hold 256 old copies."""
    global _local_version
    if at != _local_version:
        _local.clear()
        _local_version = at
    _local[key] = value
    while len(_local) > IN_PROCESS:
        _local.popitem(last=False)


def forget_local() -> None:
    """Empty the in-process layer and the reused data version (tests; the shared cache stays)."""
    with _lock:
        _local.clear()
        _version_memo.clear()


_MISSING = object()
