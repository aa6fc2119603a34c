"""Plain-SQL reads of the batch path's stored facts (``stored_facts.StoredFacts``,
``ingest_claims``), instead of ORM querysets.

A batch asks a dozen small questions (the allocations, requests, claim lines its messages name);
the ORM took longer to build each query (``filter``, ``Q``, the SQL compiler) than the database
took to answer it: a third of the batch's reading. Here the SQL is put together from the models'
``_meta`` (tables and columns quoted by the backend) and every value is a parameter. The rows are
converted as the ORM converts them (``get_db_converters``: SQLite returns dates as text and booleans
as integers), and ``select`` builds the same model instances as ``select_related`` would, except
that rows pointing to the same related row share its (read-only) instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from django.db import connections, models, router

from jeugdregie.contracten.models import Aanbieder


def _connection(model: type[models.Model]):
    return connections[router.db_for_read(model)]


def quoted(model: type[models.Model], *names: str) -> tuple[str, ...]:
    """The quoted table of ``model`` and the quoted columns of the fields ``names``."""
    quote = _connection(model).ops.quote_name
    meta = model._meta
    return (quote(meta.db_table), *(quote(meta.get_field(name).column) for name in names))


def pairs_where(
    pairs: Iterable[tuple[Any, str]], first: str, second: str, first_value: str = "%s"
) -> tuple[str, list[Any]]:
    """SQL for the rows whose (``first``, ``second``) is one of ``pairs`` (two SQL column
    expressions): per value of ``first``, ``second`` IN its values, joined by OR (a plain IN on
    both columns would also match the pairs' cross product); and its parameters. ``first_value``:
    the SQL a value of ``first`` is compared with (a scalar subquery that turns a code into a key,
    say), with one %s for the value."""
    by_first: dict[Any, list[str]] = {}
    for a, b in pairs:
        by_first.setdefault(a, []).append(b)
    if not by_first:
        return "1 = 0", []
    terms: list[str] = []
    params: list[Any] = []
    for a, bs in by_first.items():
        terms.append(f"({first} = {first_value} AND {second} IN ({', '.join(['%s'] * len(bs))}))")
        params += [a, *bs]
    return " OR ".join(terms), params


def provider_id_of_code() -> str:
    """``first_value`` for ``pairs_where`` on a table's own ``aanbieder_id``: the provider's id of an
    AGB code. Compared with the row's own column (not the code through a join), PostgreSQL can use
    the unique index (aanbieder_id, referentie_aanbieder); through the join it read every request
    of the provider (scale 10: 31% of the server's time during the ingest)."""
    table, pk = quoted(Aanbieder, "id")
    return f"(SELECT {pk} FROM {table} WHERE agb_code = %s)"  # nosec B608 - quoted model names


def fetch(model: type[models.Model], sql: str, params: Sequence[Any]) -> list[tuple]:
    """The rows of a query of the module's own SQL (``model`` names the database)."""
    with _connection(model).cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def convert(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence]) -> list[list]:
    """``rows`` of the columns of the fields ``names`` of ``model``, as the ORM would return them."""
    connection = _connection(model)
    converters = []
    for i, name in enumerate(names):
        field = model._meta.get_field(name)
        col = field.get_col(model._meta.db_table)  # type: ignore[attr-defined]
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, found, col))
    out = []
    for values in rows:
        row = list(values)
        for i, found, col in converters:
            value = row[i]
            for converter in found:
                value = converter(value, col, connection)
            row[i] = value
        out.append(row)
    return out


def select(
    model: type[models.Model],
    related: Sequence[str],
    joins: str,
    where: str,
    params: Sequence[Any],
    order_by: str = "",
    extra: Sequence[str] = (),
) -> Iterator[tuple[Any, list]]:
    """The instances of ``model`` (table alias ``t``) with their foreign keys ``related`` loaded
    (aliases ``r0``, ``r1``, ...), as ``select_related`` makes them, each with the values of the
    SQL expressions ``extra`` (of the module's own; unconverted); ``joins``: further joins of the
    caller's for ``where`` and ``extra``."""
    connection = _connection(model)
    quote = connection.ops.quote_name
    meta = model._meta
    parts: list[tuple[type[models.Model], list[str], str]] = [
        (model, [f.attname for f in meta.concrete_fields], "t")
    ]
    tables = [f"{quote(meta.db_table)} t"]
    for i, name in enumerate(related):
        field = meta.get_field(name)
        target = cast(type[models.Model], field.related_model)
        parts.append((target, [f.attname for f in target._meta.concrete_fields], f"r{i}"))
        tables.append(
            f"JOIN {quote(target._meta.db_table)} r{i} "
            f"ON r{i}.{quote(target._meta.pk.column)} = t.{quote(field.column)}"  # type: ignore[attr-defined]
        )
    columns = ", ".join(
        f"{alias}.{quote(part._meta.get_field(name).column)}"
        for part, names, alias in parts
        for name in names
    )
    columns = ", ".join([columns, *extra])
    # Only the module's own SQL and the models' quoted names are formatted in; values are parameters.
    sql = f"SELECT {columns} FROM {' '.join(tables)} {joins} WHERE {where} {order_by}"  # nosec B608
    rows = fetch(model, sql, params)
    split = []
    start = 0
    for part, names, _ in parts:
        split.append((part, names, convert(part, names, [row[start : start + len(names)] for row in rows])))
        start += len(names)
    # One instance per related row (a provider has many allocations): only read, never changed.
    shared: list[dict[Any, models.Model]] = [{} for _ in related]
    for i in range(len(rows)):
        obj = model.from_db(connection.alias, split[0][1], split[0][2][i])
        for name, (part, names, values), seen in zip(related, split[1:], shared, strict=True):
            key = values[i][names.index(part._meta.pk.attname)]
            found = seen.get(key)
            if found is None:
                found = seen[key] = part.from_db(connection.alias, names, values[i])
            meta.get_field(name).set_cached_value(obj, found)  # type: ignore[attr-defined]
        yield obj, list(rows[i][start:])
