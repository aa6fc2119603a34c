"""Reads alongside each other: on a worker thread with a connection of its own outside a
transaction, at once on the caller's connection inside one; on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from jeugdregie.monitoring.alongside import start
from jeugdregie.monitoring.facts import shared, shared_facts
from jeugdregie.regio.models import Regio


def where_and_what() -> tuple[str, bool, list[str]]:
    """This thread's name, whether its connection was open before, and the regions it sees."""
    was_open = connection.connection is not None
    return threading.current_thread().name, was_open, list(Regio.objects.values_list("naam", flat=True))


def fails() -> None:
    raise LookupError("niet gevonden")


@pytest.mark.django_db
def test_inside_a_transaction_the_read_runs_at_once_on_the_callers_connection():
    Regio.objects.create(naam="Noord")  # not committed: only this connection sees it
    pending = start(where_and_what)
    assert not pending.alongside
    assert pending.result() == (threading.current_thread().name, True, ["Noord"])
    failed = start(fails)
    with pytest.raises(LookupError, match="niet gevonden"):
        failed.result()


@pytest.mark.django_db(transaction=True)  # committed, so that another connection sees the row
def test_outside_a_transaction_the_read_runs_on_a_thread_with_its_own_connection():
    Regio.objects.create(naam="Noord")
    pending = start(where_and_what)
    assert pending.alongside
    name, was_open, regions = pending.result()
    assert name.startswith("alongside") and name != threading.current_thread().name
    assert not was_open and regions == ["Noord"]  # a new connection, seeing what was committed
    with pytest.raises(LookupError, match="niet gevonden"):
        start(fails).result()
    # what the worker keeps in the caller's shared facts is there for the caller afterwards
    loads = []
    with shared_facts():
        start(shared, ("regions",), lambda: loads.append(1) or ["Noord"]).result()
        assert shared(("regions",), lambda: loads.append(2) or []) == ["Noord"]
    assert loads == [1]


@pytest.mark.django_db(transaction=True)
def test_the_workers_connection_is_closed_after_its_read():
    opened = []

    def remember():
        list(Regio.objects.all())
        opened.append(connections[DEFAULT_DB_ALIAS])  # this thread's wrapper, not the proxy
        return connection.connection is not None

    assert start(remember).result() is True
    (worker_connection,) = opened
    assert worker_connection is not connections[DEFAULT_DB_ALIAS]  # Django's are per thread
    if connection.vendor == "sqlite" and worker_connection.is_in_memory_db():
        # Django never closes the test's in-memory database (it would be gone); a file is closed
        assert worker_connection.connection is not None
    else:
        assert worker_connection.connection is None
    with transaction.atomic():
        assert not start(remember).alongside
