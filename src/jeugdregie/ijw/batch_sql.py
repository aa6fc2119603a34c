"""SQL the batch path of the ingest (``ingest_batch``) writes with: inserts of model instances or
of plain rows without ``bulk_create`` (``insert_objects``, ``insert_rows``, with keys of our own,
``Keys``), updates by key (``update_by_key``) and the ingest's write lock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from django.db import connections, models, router
from django.utils import timezone

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
    # (field, whether its value needs get_db_prep_save): as insert_objects, the plain types go as they are.
    prepared = [(f, type(f) not in _PLAIN_FIELDS) for f in fields]
    rows = []
    for obj in objects:
        for f in fields:
            if f.is_relation:  # the related object may have been stored after it was assigned
                related = obj._state.fields_cache.get(f.name)
                if related is not None and getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, related.pk)
        row = [getattr(obj, f.attname) for f in fields]
        for i, (f, convert) in enumerate(prepared):
            if convert:
                row[i] = f.get_db_prep_save(row[i], connection)
        rows.append([*row, obj.pk])
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


# ---------------------------------------------------------------- inserts without bulk_create

#: Field types whose Python values the database drivers take as they are (the backends' adapters
#: and psycopg's dumpers write them as Django would). Any other field (a DateTimeField: SQLite
#: stores it naive in UTC) goes through ``get_db_prep_save``.
_PLAIN_FIELDS = (
    models.BigAutoField,
    models.AutoField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateField,
    models.BinaryField,
    models.ForeignKey,
    models.OneToOneField,
)


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert rows given as sequences of database-ready values of the columns ``names`` (attribute
    names): on PostgreSQL by COPY, elsewhere by one parameterised INSERT (``executemany``).

    ``bulk_create`` prepares every field of every row through the model and its SQL compiler,
    which took about a third of a batch's time; COPY is several times faster on PostgreSQL than
    an INSERT per row."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column_of[name]) for name in names)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's cursor: psycopg 3 has copy(), sqlite3 has not
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            values = ", ".join(["%s"] * len(names))  # Django's cursor takes %s on every backend
            # Names from the model's _meta, quoted by the backend; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # nosec B608
            cursor.executemany(sql, rows)


class Keys:
    """New primary keys for the rows one flush inserts, reserved for all its tables with one query
    (rows of the same flush point to each other by them, so they are known before the INSERT).

    PostgreSQL: a block from each table's sequence (keys other sessions take in between are
    skipped). SQLite: the keys after the highest one used, as an INSERT would: the batch holds the
    database's write lock (``take_write_lock``), so no other connection inserts until it commits."""

    def __init__(self, counts: Mapping[type[models.Model], int]) -> None:
        wanted = [(model, count) for model, count in counts.items() if count > 0]
        self._free: dict[type[models.Model], Iterator[int]] = {}
        if not wanted:
            return
        connection = connections[router.db_for_write(wanted[0][0])]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                parts, params = [], []
                for i, (model, count) in enumerate(wanted):
                    parts.append(
                        f"SELECT {i}, nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"  # nosec B608
                    )
                    params += [model._meta.db_table, model._meta.pk.column, count]
                # Only numbers of our own are formatted in; the names are parameters.
                cursor.execute(" UNION ALL ".join(parts), params)  # nosec B608
                found: dict[int, list[int]] = {}
                for i, key in cursor.fetchall():
                    found.setdefault(i, []).append(key)
                for i, (model, _) in enumerate(wanted):
                    self._free[model] = iter(sorted(found[i]))
            elif connection.vendor == "sqlite":
                # Django makes every key AUTOINCREMENT on SQLite: sqlite_sequence holds the highest
                # key a table ever had (no row: none yet), which is where an INSERT would go on.
                names = [model._meta.db_table for model, _ in wanted]
                marks = ", ".join(["%s"] * len(names))
                cursor.execute(f"SELECT name, seq FROM sqlite_sequence WHERE name IN ({marks})", names)  # nosec B608
                highest = dict(cursor.fetchall())
                for model, count in wanted:
                    first = (highest.get(model._meta.db_table) or 0) + 1
                    self._free[model] = iter(range(first, first + count))
            else:
                raise NotImplementedError(connection.vendor)

    def take(self, model: type[models.Model], count: int) -> list[int]:
        keys = list(itertools.islice(self._free.get(model, iter(())), count))
        if len(keys) != count:
            raise RuntimeError(f"{count} keys of {model.__name__} wanted, {len(keys)} reserved")
        return keys


def insert_objects(model: type[models.Model], objects: list, keys: Keys) -> None:
    """Insert unsaved model instances, as ``bulk_create`` would: each gets a key from ``keys`` and
    its auto_now_add time, a foreign key to an object stored after it was assigned takes that
    object's key, and the instances count as stored afterwards."""
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk_name = meta.pk.attname
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    now = timezone.now()
    stamped = []  # (position, attribute name, database value) of the auto_now(_add) times
    converted = []  # (position, field) of the values the field converts to the database's
    for i, f in enumerate(fields):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamped.append((i, f.attname, f.get_db_prep_save(now, connection)))
        elif type(f) not in _PLAIN_FIELDS:  # the exact type: a DateTimeField is a DateField
            converted.append((i, f))
    relations = [(f.attname, f.name) for f in fields if f.is_relation]
    rows = []
    for obj, pk in zip(objects, keys.take(model, len(objects)), strict=True):
        values = obj.__dict__  # written directly: setattr on a foreign key's id drops the cached object
        if values.get(pk_name) is not None:
            raise ValueError(f"{model.__name__} {values[pk_name]} is stored already")
        values[pk_name] = pk
        cache = obj._state.fields_cache
        for attname, name in relations:
            if values[attname] is None and cache.get(name) is not None:
                related_pk = cache[name].pk
                if related_pk is None:
                    raise ValueError(f"{model.__name__}.{name}: the related object is not stored yet")
                values[attname] = related_pk
        obj._state.adding = False
        obj._state.db = connection.alias
        row = [pk, *(values[name] for name in names)]
        for i, name, value in stamped:
            values[name] = now
            row[i + 1] = value
        for i, f in converted:
            row[i + 1] = f.get_db_prep_save(row[i + 1], connection)
        rows.append(row)
    insert_rows(model, [pk_name, *names], rows)
