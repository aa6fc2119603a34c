"""SQL the batch path of the ingest (``ingest_batch``) writes with, besides ``bulk_create``."""

from __future__ import annotations

from django.db import connections, router

from .models import Aanlevering


def update_by_key(model, objects, names: list[str]) -> None:
    """Write these fields of stored objects: one parameterised UPDATE by primary key for all of them
    (``executemany``). ``bulk_update`` builds a CASE WHEN per field over the whole batch, which took
    most of a batch's time."""
    objects = list(objects)
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # Names from the model's _meta, quoted by the backend; every value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # nosec B608
    rows = []
    for obj in objects:
        for f in fields:
            if f.is_relation:  # the related object may have been stored after it was assigned
                related = obj._state.fields_cache.get(f.name)
                if related is not None and getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, related.pk)
        rows.append([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


#: The key of the PostgreSQL advisory lock that serialises ingest batches ("JRIJW" in ASCII).
INGEST_LOCK_KEY = 0x4A52494A57


def take_write_lock() -> None:
    """Serialise ingest batches: a batch reads what is stored, decides, then writes, so another
    ingest committing in between could make its decisions stale (a claim number or reference
    taken twice, a stop before a start it never saw).

    On SQLite, make the transaction a writer before it reads: a reading transaction that must
    then write fails at once when another ingest writes ("database is locked"), whereas a writer
    waits for the busy timeout. A write that changes no row takes the lock. On PostgreSQL,
    which has no database write lock, a transaction-level advisory lock does the same among
    ingests only: readers (the screens) are not held up."""
    connection = connections[router.db_for_write(Aanlevering)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INGEST_LOCK_KEY])
    elif connection.vendor == "sqlite":
        table = connection.ops.quote_name(Aanlevering._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET status = status WHERE 0 = 1")  # nosec B608
