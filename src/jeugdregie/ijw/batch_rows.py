"""The rows the batch path of the ingest (``ingest_batch.FastBatch``) writes without a Django model
instance: deliveries (Aanlevering), messages (Bericht), allocation versions (ToewijzingWijziging),
starts and stops (ZorgStart, ZorgStop). Nothing in the batch reads these rows back as model objects,
so building an instance for each (``Model.__init__`` and the foreign-key descriptors: 12% of the
batch's time) only to turn it into a row again was waste.

Each pending row is a small object with a ``pk`` slot, None until ``flush`` reserves its key
(``batch_sql.Keys``); the rows that point to it (a message to its delivery, a version to its
message) take that key when their own row is made, as ``batch_sql.insert_objects`` does for model
instances. ``insert_new`` writes them with ``batch_sql.insert_rows`` and checks once per model and
column list that every column is given (raw SQL fills no Python default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

from jeugdregie.zorg.models import ToewijzingWijziging, ZorgStart, ZorgStop

from .batch_sql import Keys, insert_rows
from .models import Aanlevering, Bericht


class Delivery:
    """A pending Aanlevering (its counters set by ``ingest_checks.delivery_totals``)."""

    __slots__ = (
        "pk",
        "bestandsnaam",
        "sha256",
        "status",
        "berichten",
        "regels",
        "geaccepteerd",
        "in_quarantaine",
        "dubbel",
    )

    def __init__(self, bestandsnaam: str, sha256: str, status: str) -> None:
        self.pk: int | None = None
        self.bestandsnaam = bestandsnaam
        self.sha256 = sha256
        self.status = status
        self.berichten = self.regels = self.geaccepteerd = self.in_quarantaine = self.dubbel = 0


class Message:
    """A pending Bericht of ``delivery`` (``values``: ``ingest_checks.message_values``)."""

    __slots__ = ("pk", "delivery", "values")

    def __init__(self, delivery: Delivery, values: dict[str, Any]) -> None:
        self.pk: int | None = None
        self.delivery = delivery
        self.values = values


class CareRow:
    """A pending ZorgStart or ZorgStop (``values``: ``ingest_checks.care_values``). ``toewijzing``
    is the allocation's model instance, whose key may be reserved by the same flush."""

    __slots__ = ("pk", "toewijzing", "bericht", "values")

    def __init__(self, toewijzing: models.Model, bericht: Message, values: dict[str, Any]) -> None:
        self.pk: int | None = None
        self.toewijzing = toewijzing
        self.bericht = bericht
        self.values = values


#: The columns (attribute names) of the rows, after the key.
DELIVERY_FIELDS = (
    "bestandsnaam",
    "sha256",
    "ontvangen_op",
    "status",
    "berichten",
    "regels",
    "geaccepteerd",
    "in_quarantaine",
    "dubbel",
)
MESSAGE_VALUES = ("soort", "afzender", "ontvanger", "identificatie", "dagtekening")
MESSAGE_FIELDS = ("aanlevering_id", *MESSAGE_VALUES, "verwerkt_op")
VERSION_VALUES = (
    "toewijzingsdatum",
    "ingangsdatum",
    "einddatum",
    "volume",
    "eenheid",
    "frequentie",
    "budget_cent",
    "reden_wijziging",
    "referentie_aanbieder",
)
VERSION_FIELDS = ("toewijzing_id", "bericht_id", "volgnummer", *VERSION_VALUES)
START_VALUES = ("begindatum", "status_aanlevering")
STOP_VALUES = ("begindatum", "einddatum", "reden_beeindiging", "status_aanlevering")


def version_row(toewijzing: models.Model, bericht: Message, volgnummer: int, values: dict[str, Any]) -> list:
    """A pending ToewijzingWijziging, in the order of ``VERSION_FIELDS`` (``values``:
    ``ingest_checks.version_values``); the allocation and the message get their keys at ``flush``."""
    return [toewijzing, bericht, volgnummer, *(values[name] for name in VERSION_VALUES)]


def _now(model: type[models.Model], name: str) -> Any:
    """The database value of ``timezone.now()`` for the auto_now_add field ``name`` (as
    ``batch_sql.insert_objects`` writes it: SQLite stores a naive UTC text)."""
    connection = connections[router.db_for_write(model)]
    return model._meta.get_field(name).get_db_prep_save(timezone.now(), connection)


_checked: set[tuple[type[models.Model], tuple[str, ...]]] = set()


def _check_columns(model: type[models.Model], names: tuple[str, ...]) -> None:
    """Raw SQL fills only database defaults: every other column must be given, once."""
    if (model, names) in _checked:
        return
    meta = model._meta
    columns = {f.attname for f in meta.concrete_fields if not f.primary_key}
    with_db_default = {f.attname for f in meta.concrete_fields if f.has_db_default()}
    if len(set(names)) != len(names) or not set(names) <= columns or columns - set(names) - with_db_default:
        raise RuntimeError(f"the columns of {model.__name__} are out of date: {sorted(columns)}")
    _checked.add((model, names))


def insert_new(model: type[models.Model], names: Sequence[str], rows: list[list]) -> None:
    """Insert rows whose first value is the key, then the values of ``names``."""
    if rows:
        _check_columns(model, tuple(names))
        insert_rows(model, [model._meta.pk.attname, *names], rows)


def take_keys(model: type[models.Model], pending: Sequence[Delivery | Message | CareRow], keys: Keys) -> None:
    for row, pk in zip(pending, keys.take(model, len(pending)), strict=True):
        row.pk = pk


def insert_deliveries(deliveries: list[Delivery], keys: Keys) -> None:
    take_keys(Aanlevering, deliveries, keys)
    now = _now(Aanlevering, "ontvangen_op")
    rows = [
        [
            d.pk,
            d.bestandsnaam,
            d.sha256,
            now,
            d.status,
            d.berichten,
            d.regels,
            d.geaccepteerd,
            d.in_quarantaine,
            d.dubbel,
        ]
        for d in deliveries
    ]
    insert_new(Aanlevering, DELIVERY_FIELDS, rows)


def insert_messages(messages: list[Message], keys: Keys) -> None:
    """The deliveries are written (keyed) already."""
    take_keys(Bericht, messages, keys)
    now = _now(Bericht, "verwerkt_op")
    rows = []
    for b in messages:
        values = b.values
        rows.append([b.pk, b.delivery.pk, *(values[name] for name in MESSAGE_VALUES), now])
    insert_new(Bericht, MESSAGE_FIELDS, rows)


def insert_versions(versions: list[list], keys: Keys) -> None:
    """The allocations and messages are written (keyed) already."""
    rows = []
    for pk, row in zip(keys.take(ToewijzingWijziging, len(versions)), versions, strict=True):
        toewijzing, bericht, *rest = row
        rows.append([pk, _key(toewijzing), _key(bericht), *rest])
    insert_new(ToewijzingWijziging, VERSION_FIELDS, rows)


def insert_care(model: type[ZorgStart] | type[ZorgStop], care: list[CareRow], keys: Keys) -> None:
    """Starts or stops; the allocations and messages are written (keyed) already."""
    take_keys(model, care, keys)
    names = START_VALUES if model is ZorgStart else STOP_VALUES
    rows = []
    for c in care:
        values = c.values
        rows.append([c.pk, _key(c.toewijzing), _key(c.bericht), *(values[name] for name in names)])
    insert_new(model, ("toewijzing_id", "bericht_id", *names), rows)


def _key(row: Any) -> int:
    pk = row.pk
    if pk is None:
        raise ValueError(f"{type(row).__name__}: not written yet")
    return pk
