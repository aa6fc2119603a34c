"""Ingest transactions are serialised among themselves (``batch_sql.take_write_lock``): on
PostgreSQL by a transaction-level advisory lock, which another ingest's transaction waits for and
which a reader of the screens never takes."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction

from jeugdregie.ijw.batch_sql import INGEST_LOCK_KEY, take_write_lock

pytestmark = pytest.mark.django_db(transaction=True)


def other_connection() -> psycopg.Connection:
    cfg = connection.settings_dict
    return psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        dbname=cfg["NAME"],
        autocommit=True,
    )


def lock_free(other: psycopg.Connection) -> bool:
    """Whether another session could take the ingest lock now (released at once if so)."""
    with other.transaction():
        row = other.execute("SELECT pg_try_advisory_xact_lock(%s)", [INGEST_LOCK_KEY]).fetchone()
    return bool(row and row[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_an_ingest_transaction_holds_the_lock_until_it_commits() -> None:
    with other_connection() as other:
        assert lock_free(other)
        with transaction.atomic():
            take_write_lock()
            assert not lock_free(other)  # a second ingest would wait here
            with transaction.atomic():  # a file's savepoint inside a batch takes it again
                take_write_lock()
            assert not lock_free(other)
        assert lock_free(other)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_a_reader_is_not_held_up_by_an_ingest_transaction() -> None:
    with other_connection() as other, transaction.atomic():
        take_write_lock()
        assert other.execute("SELECT count(*) FROM ijw_aanlevering").fetchone() == (0,)
