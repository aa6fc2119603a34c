"""The ingest without Django's query log.

While ``settings.DEBUG`` is on (``JEUGDREGIE_DEBUG`` defaults to "1" for development) every
statement goes through Django's debug cursor: it is timed, formatted with its parameters, logged on
``django.db.backends`` and kept in ``connection.queries``. The ingest runs a few statements per
message, hundreds of thousands for the demo traffic; the log of them is of no use and cost about a
tenth of the ingest's time (docs/performance.md). A test that counts queries
(``CaptureQueriesContext``, ``django_assert_num_queries``) forces the debug cursor itself and still
sees every statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def query_log_off() -> Iterator[None]:
    """Run the block with ``settings.DEBUG`` off (nothing else in the process reads it meanwhile:
    the ingest runs in its own command or background process), and restore it after."""
    if not settings.DEBUG:
        yield
        return
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = True
