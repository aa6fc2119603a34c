"""The room for the large aggregates lasts exactly one transaction on PostgreSQL and is nothing
on SQLite: the screens' connections keep the server's settings."""

import pytest
from django.db import connection, transaction

from jeugdregie.monitoring.large_aggregates import WORK_MEM, make_room

# transaction=True: inside the test's own transaction every atomic() is a savepoint, and SET LOCAL
# lasts until the outermost transaction ends
pytestmark = pytest.mark.django_db(transaction=True)


def _setting(cursor, name: str) -> str:
    cursor.execute(f"SHOW {name}")
    return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_the_room_lasts_until_the_end_of_the_transaction():
    with connection.cursor() as cursor:
        before = (_setting(cursor, "work_mem"), _setting(cursor, "max_parallel_workers_per_gather"))
        with transaction.atomic():
            make_room(cursor, parallel=False)
            assert _setting(cursor, "work_mem") == WORK_MEM == "256MB"
            assert _setting(cursor, "max_parallel_workers_per_gather") == "0"
            with transaction.atomic():  # a nested block (a savepoint) keeps it
                assert _setting(cursor, "work_mem") == WORK_MEM
        after = (_setting(cursor, "work_mem"), _setting(cursor, "max_parallel_workers_per_gather"))
    assert after == before and before[0] != WORK_MEM


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_parallel_workers_stay_unless_asked():
    with connection.cursor() as cursor, transaction.atomic():
        before = _setting(cursor, "max_parallel_workers_per_gather")
        make_room(cursor)
        assert _setting(cursor, "work_mem") == WORK_MEM
        assert _setting(cursor, "max_parallel_workers_per_gather") == before


def test_nothing_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite")
    with connection.cursor() as cursor:
        executed = []
        with connection.execute_wrapper(lambda execute, sql, *rest: executed.append(sql)):
            make_room(cursor, parallel=False)
        assert executed == []
