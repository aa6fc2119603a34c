"""Claims (JW323) at ingest: the stored facts their lines are checked against, the check of a
message's lines, and the storing of the accepted lines; shared by the per-message path
(``services.Ingester._apply_declaratie``) and the batch path (``ingest_batch.FastBatch``).

The rules themselves are those of ``validation``: ``declaratie_findings`` (inside the message) and
``check_claim_against_state`` (against what is stored), which reads the stored facts through the
``ClaimState`` protocol. Two implementations:

- ``DatabaseClaimState``: the facts one message needs, read from the database before the message
  (the per-message path and the reprocessing of the quarantine);
- ``BatchClaimState``: the facts all claims of a batch of files need, read once per batch and kept
  up to date as the batch's claims are applied (``record``); the allocations come from the batch's
  in-memory copy, which holds those the batch's JW301 messages created or changed.

Both answer every question as the database would after the earlier messages were stored, so the
two paths store the same lines and quarantine the same ones with the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db.models import Model

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.zorg.models import Declaratie, DeclaratieRegel, Toewijzing

from . import batch_read
from . import errors as E
from . import messages as m
from .batch_sql import insert_rows
from .errors import ValidationError
from .pseudonym import client_key
from .validation import AllocationView, check_claim_against_state, declaratie_findings

T = TypeVar("T")

#: The DeclaratieRegel columns (attribute names) in the order of the row tuples of ``line_rows``.
LINE_FIELDS = (
    "declaratie_id",
    "toewijzing_id",
    "client_id",
    "aanbieder_id",
    "gemeente_id",
    "product_id",
    "referentienummer",
    "vorig_referentienummer",
    "periode_begin",
    "periode_eind",
    "volume",
    "eenheid",
    "tarief_cent",
    "bedrag_cent",
    "debet_credit",
)


def _from(model: type[Model], alias: str) -> str:
    """FROM ``model`` (as ``alias``) JOIN its provider (as ``a``), quoted by the backend."""
    table, aanbieder = batch_read.quoted(model, "aanbieder")
    aanbieder_table, pk = batch_read.quoted(Aanbieder, "id")
    return f"FROM {table} {alias} JOIN {aanbieder_table} a ON a.{pk} = {alias}.{aanbieder}"


class _Sql:
    """The quoted names of the plain-SQL reads of ``_StoredLines`` and ``BatchClaimState``, made
    when first asked (the database connection is known then)."""

    def __getattr__(self, name: str) -> str:
        names = {
            "lines": _from(DeclaratieRegel, "r"),
            "claims": _from(Declaratie, "d"),
            "agb": batch_read.quoted(Aanbieder, "agb_code")[1],
            "ref": batch_read.quoted(DeclaratieRegel, "referentienummer")[1],
            "vorig": batch_read.quoted(DeclaratieRegel, "vorig_referentienummer")[1],
            "dc": batch_read.quoted(DeclaratieRegel, "debet_credit")[1],
            "number": batch_read.quoted(Declaratie, "declaratienummer")[1],
        }
        self.__dict__.update(names)
        return names[name]


_sql = _Sql()


def chunks(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- the checks of one claim


def claim_errors(
    message: m.Declaratie, name: str, read_errors: list[ValidationError], state: Any
) -> tuple[list[ValidationError], set[str]]:
    """The errors to quarantine at line level for an accepted JW323 (the reader's, then those
    inside the message, then those against ``state``: one per line, the first found) and the
    ReferentieNummers of the lines they reject. The reader already left out the lines and clients
    it rejected."""
    found = declaratie_findings(message, name)
    in_message = {e.ref for e in found}
    found += [e for e in check_claim_against_state(message, state, name) if e.ref not in in_message]
    return list(read_errors) + found, {e.ref for e in found if e.ref}


def declaratie_values(message: m.Declaratie) -> dict[str, Any]:
    """The Declaratie columns a JW323 fills (besides its parties and Bericht)."""
    return {
        "declaratienummer": message.declaratie_nummer,
        "periode_begin": message.periode_begin,
        "periode_eind": message.periode_eind,
        "dagtekening": message.dagtekening,
        "totaal_cent": message.totaal_bedrag,
    }


def offered_and_stored(message: m.Declaratie, rejected_refs: set[str]) -> tuple[int, int]:
    offered = stored = 0
    for c in message.clienten:
        for p in c.prestaties:
            offered += 1
            stored += p.referentie_nummer not in rejected_refs
    return offered, stored


def line_rows(
    declaratie: Declaratie,
    message: m.Declaratie,
    rejected_refs: set[str],
    ids: Callable[[str, str], tuple[int, int, int | None]],
) -> list[tuple]:
    """The rows (in the order of ``LINE_FIELDS``) of the lines not in ``rejected_refs``;
    ``ids(gemeente, ToewijzingNummer)`` gives (pk, client_id, product_id) of their allocation."""
    gemeente = message.header.ontvanger
    rows = []
    for c in message.clienten:
        for p in c.prestaties:
            if p.referentie_nummer in rejected_refs:
                continue
            toewijzing_id, client_id, product_id = ids(gemeente, p.toewijzing_nummer)
            sign = 1 if p.debet_credit == "D" else -1
            rows.append(
                (
                    declaratie.pk,
                    toewijzing_id,
                    client_id,
                    declaratie.aanbieder_id,
                    declaratie.gemeente_id,
                    product_id,
                    p.referentie_nummer,
                    p.vorig_referentie_nummer or "",
                    p.begindatum,
                    p.einddatum,
                    sign * p.geleverd_volume,
                    p.eenheid,
                    p.product_tarief,
                    sign * p.bedrag,
                    p.debet_credit,
                )
            )
    return rows


def insert_lines(rows: list[tuple]) -> None:
    """Insert claim lines given as tuples in the order of ``LINE_FIELDS``.

    Many lines: one parameterised INSERT for all of them (``executemany``), or on PostgreSQL a
    COPY, which is several times faster there than one INSERT per line. ``bulk_create`` makes a
    model instance and prepares every field of every line, which costs more than reading the file.
    """
    if rows:
        _check_line_fields()
        insert_rows(DeclaratieRegel, LINE_FIELDS, rows)


def _check_line_fields() -> None:
    """Raw SQL fills only database defaults: every column without db_default must be given."""
    meta = DeclaratieRegel._meta
    columns = {f.attname for f in meta.concrete_fields if not f.primary_key}
    with_db_default = {f.attname for f in meta.concrete_fields if f.has_db_default()}
    if not set(LINE_FIELDS) <= columns or columns - set(LINE_FIELDS) - with_db_default:
        raise RuntimeError(f"LINE_FIELDS is out of date with DeclaratieRegel: {sorted(columns)}")


def _lines(message: m.Declaratie) -> Iterator[m.Prestatie]:
    return (p for c in message.clienten for p in c.prestaties)


def _references(message: m.Declaratie) -> tuple[set[str], set[str]]:
    """(every ReferentieNummer and VorigReferentieNummer, the debit each credit line reverses)."""
    refs: set[str] = set()
    targets: set[str] = set()
    for p in _lines(message):
        refs.add(p.referentie_nummer)
        if p.vorig_referentie_nummer:
            refs.add(p.vorig_referentie_nummer)
        if p.debet_credit == "C":
            targets.add(p.vorig_referentie_nummer or p.referentie_nummer)
    return refs, targets


class _StoredLines:
    """What is stored of the lines of providers, as far as read: (aanbieder, ReferentieNummer, D/C)
    of every line (TR314), (aanbieder, ReferentieNummer) of the debits (TR323) and of the debits
    credited (TR390)."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str, str]] = set()
        self.debits: set[tuple[str, str]] = set()
        self.credited: set[tuple[str, str]] = set()

    def read(self, aanbieder: str, refs: set[str], targets: set[str]) -> None:
        """The stored lines of ``aanbieder`` with these ReferentieNummers (or VorigReferentieNummers)
        and the stored credits of the debits ``targets``; one query per 500 of each."""
        # Plain SQL (batch_read): the ORM took longer to build these queries than to run them.
        lines = f"{_sql.lines} WHERE a.{_sql.agb} = %s AND "
        for chunk in chunks(sorted(refs)):
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT r.{_sql.ref}, r.{_sql.dc} {lines} r.{_sql.ref} IN ({marks})"  # nosec B608
            for ref, dc in batch_read.fetch(DeclaratieRegel, sql, [aanbieder, *chunk]):
                self.used.add((aanbieder, ref, dc))
                if dc == "D":
                    self.debits.add((aanbieder, ref))
        for chunk in chunks(sorted(targets)):
            marks = ", ".join(["%s"] * len(chunk))
            sql = (
                f"SELECT r.{_sql.ref}, r.{_sql.vorig} {lines} r.{_sql.dc} = 'C' AND "  # nosec B608
                f"(r.{_sql.vorig} IN ({marks}) OR (r.{_sql.vorig} = '' AND r.{_sql.ref} IN ({marks})))"
            )
            for ref, vorig in batch_read.fetch(DeclaratieRegel, sql, [aanbieder, *chunk, *chunk]):
                self.credited.add((aanbieder, vorig or ref))

    def record(self, aanbieder: str, p: m.Prestatie) -> None:
        """A line stored after the read."""
        self.used.add((aanbieder, p.referentie_nummer, p.debet_credit))
        if p.debet_credit == "D":
            self.debits.add((aanbieder, p.referentie_nummer))
        else:
            self.credited.add((aanbieder, p.vorig_referentie_nummer or p.referentie_nummer))

    def reference_used(self, aanbieder: str, referentie_nummer: str, debet_credit: str) -> bool:
        return (aanbieder, referentie_nummer, debet_credit) in self.used

    def credited_(self, aanbieder: str, referentie_nummer: str) -> bool:
        return (aanbieder, referentie_nummer) in self.credited

    def debit_line(self, aanbieder: str, referentie_nummer: str) -> bool:
        return (aanbieder, referentie_nummer) in self.debits


# ---------------------------------------------------------------- the state of one message


class DatabaseClaimState:
    """The stored facts the claim rules of one message need, read in bulk before it (``preload``).
    It also keeps the keys of the allocations read, so that storing the accepted lines needs no
    second query."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._allocations: dict[tuple[str, str], AllocationView | None] = {}
        self._ids: dict[tuple[str, str], tuple[int, int, int | None]] = {}
        self._lines = _StoredLines()

    def preload(self, decl: m.Declaratie) -> None:
        gemeente = decl.header.ontvanger
        numbers = {p.toewijzing_nummer for p in _lines(decl)}
        missing = [n for n in numbers if (gemeente, n) not in self._allocations]
        for nummer in missing:
            self._allocations[(gemeente, nummer)] = None
        for chunk in chunks(missing):
            rows = Toewijzing.objects.filter(
                gemeente__cbs_code=gemeente, toewijzingnummer__in=chunk
            ).values_list(
                "toewijzingnummer",
                "client__pseudoniem",
                "aanbieder__agb_code",
                "ingangsdatum",
                "einddatum",
                "verwijderd",
                "product_categorie",
                "product_code",
                "pk",
                "client_id",
                "product_id",
                "eenheid",
            )
            for nummer, client, agb, start, end, deleted, cat, code, pk, client_id, product_id, unit in rows:
                self._ids[(gemeente, nummer)] = (pk, client_id, product_id)
                self._allocations[(gemeente, nummer)] = AllocationView(
                    client_key=client,
                    aanbieder=agb,
                    ingangsdatum=start,
                    einddatum=end,
                    deleted=deleted,
                    product_categorie=cat or None,
                    product_code=code or None,
                    eenheid=unit or None,
                )
        self._lines.read(decl.header.afzender, *_references(decl))

    def reference_used(self, aanbieder: str, referentie_nummer: str, debet_credit: str) -> bool:
        return self._lines.reference_used(aanbieder, referentie_nummer, debet_credit)

    def credited(self, aanbieder: str, referentie_nummer: str) -> bool:
        return self._lines.credited_(aanbieder, referentie_nummer)

    def allocation(self, gemeente: str, toewijzing_nummer: str) -> AllocationView | None:
        return self._allocations.get((gemeente, toewijzing_nummer))

    def debit_line(self, aanbieder: str, referentie_nummer: str) -> bool:
        return self._lines.debit_line(aanbieder, referentie_nummer)

    def allocation_ids(self, gemeente: str, toewijzing_nummer: str) -> tuple[int, int, int | None]:
        """(pk, client_id, product_id) of a preloaded, known allocation."""
        return self._ids[(gemeente, toewijzing_nummer)]

    def pseudonym_of(self, bsn: str) -> str:
        return client_key(bsn, self.key)


# ---------------------------------------------------------------- the state of a batch


class BatchClaimState:
    """The facts all claims of a batch need: the stored lines and claim numbers read once
    (``preload``), the allocations from the batch's in-memory copy (``allocations``: (CBS code,
    ToewijzingNummer) -> Toewijzing or None), and what the batch's accepted claims add
    (``record``)."""

    def __init__(
        self,
        allocations: dict[tuple[str, str], Toewijzing | None],
        pseudonym_of: Callable[[str], str],
    ) -> None:
        self.allocations = allocations
        self.pseudonym_of = pseudonym_of
        self._lines = _StoredLines()
        self._numbers: set[tuple[str, str]] = set()  # (aanbieder, DeclaratieNummer) stored

    def preload(self, claims: list[m.Declaratie]) -> None:
        by_provider: dict[str, tuple[set[str], set[str], set[str]]] = {}
        for decl in claims:
            refs, targets, numbers = by_provider.setdefault(decl.header.afzender, (set(), set(), set()))
            more_refs, more_targets = _references(decl)
            refs |= more_refs
            targets |= more_targets
            numbers.add(decl.declaratie_nummer)
        for aanbieder, (refs, targets, numbers) in by_provider.items():
            self._lines.read(aanbieder, refs, targets)
            for chunk in chunks(sorted(numbers)):
                marks = ", ".join(["%s"] * len(chunk))
                sql = f"SELECT d.{_sql.number} {_sql.claims} WHERE a.{_sql.agb} = %s AND d.{_sql.number} IN ({marks})"  # nosec B608
                for (nummer,) in batch_read.fetch(Declaratie, sql, [aanbieder, *chunk]):
                    self._numbers.add((aanbieder, nummer))

    def number_used(self, aanbieder: str, declaratie_nummer: str) -> bool:
        """TR333: the provider used this DeclaratieNummer before."""
        return (aanbieder, declaratie_nummer) in self._numbers

    def record(self, message: m.Declaratie, rejected_refs: set[str]) -> None:
        """An accepted claim: its number and its lines not rejected are now stored."""
        aanbieder = message.header.afzender
        self._numbers.add((aanbieder, message.declaratie_nummer))
        for p in _lines(message):
            if p.referentie_nummer not in rejected_refs:
                self._lines.record(aanbieder, p)

    def allocation(self, gemeente: str, toewijzing_nummer: str) -> AllocationView | None:
        t = self.allocations.get((gemeente, toewijzing_nummer))
        if t is None:
            return None
        return AllocationView(
            client_key=t.client.pseudoniem,
            aanbieder=t.aanbieder.agb_code,
            ingangsdatum=t.ingangsdatum,
            einddatum=t.einddatum,
            deleted=t.verwijderd,
            product_categorie=t.product_categorie or None,
            product_code=t.product_code or None,
            eenheid=t.eenheid or None,
        )

    def allocation_ids(self, gemeente: str, toewijzing_nummer: str) -> tuple[int, int, int | None]:
        """(pk, client_id, product_id) of a known allocation, once it is written."""
        t = self.allocations[(gemeente, toewijzing_nummer)]
        assert t is not None and t.pk is not None
        return t.pk, t.client_id, t.product_id

    def reference_used(self, aanbieder: str, referentie_nummer: str, debet_credit: str) -> bool:
        return self._lines.reference_used(aanbieder, referentie_nummer, debet_credit)

    def credited(self, aanbieder: str, referentie_nummer: str) -> bool:
        return self._lines.credited_(aanbieder, referentie_nummer)

    def debit_line(self, aanbieder: str, referentie_nummer: str) -> bool:
        return self._lines.debit_line(aanbieder, referentie_nummer)


def number_used_error(message: m.Declaratie, name: str) -> ValidationError:
    """TR333: the DeclaratieNummer is unique for the provider; this one was used before."""
    return ValidationError(
        name,
        message.header.identificatie,
        "/Bericht/Declaratie/DeclaratieNummer",
        E.CLAIM_DUPLICATE_NUMBER,
        f"DeclaratieNummer {message.declaratie_nummer} is al eerder gebruikt door aanbieder "
        f"{message.header.afzender}.",
    )
