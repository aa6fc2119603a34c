"""The batch path's in-memory copy of stored facts (``StoredFacts``): the allocations, their
versions' references, starts and stops, the JW315 requests, the JW317 change requests and the
claims answered that a batch of files names, read with one query per table (``load_allocations``,
``load_requests``; ``ingest_requests.BatchRequests.preload``,
``ingest_answers_batch.BatchClaimAnswers.preload``) and kept from one committed batch to the next
by ``Ingester.ingest_paths`` (``kept``), so that a batch reads only the keys it lacks.
``ingest_batch.FastBatch`` keeps the copy up to date as it applies the batch's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import (
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    ZorgStart,
    ZorgStop,
)

from . import batch_read as read
from .ingest_claims import chunks
from .models import Aanlevering

if TYPE_CHECKING:
    from .batch_rows import CareRow
    from .ingest_answers_batch import Claim

AllocationKey = tuple[str, str]  # (CBS code of the municipality, ToewijzingNummer)
RequestKey = tuple[str, str]  # (AGB code of the provider, ReferentieAanbieder)
ClaimKey = tuple[str, str]  # (AGB code of the provider, BerichtIdentificatie or DeclaratieNummer)

#: The in-memory copy of stored facts kept from one batch to the next (``StoredFacts``) is dropped
#: once it holds more keys than this (allocations, requests, change requests, claims answered; an
#: allocation takes about 2.7 KB), so that a national run reads again rather than grows.
MAX_KEPT_FACTS = 50_000


@dataclass
class _Care:
    """The starts or stops of one allocation: (begindatum, row): the primary key of a stored row
    (read as a plain value, no model object), the pending row (``batch_rows.CareRow``) when the
    batch adds it."""

    rows: list[tuple[object, int | CareRow]] = field(default_factory=list)

    def dates(self) -> set:
        return {d for d, _ in self.rows}


@dataclass
class StoredFacts:
    """The batch path's in-memory copy of stored facts, kept by ``Ingester.ingest_paths`` from one
    committed batch to the next so that a batch reads only the keys it does not hold yet: the
    allocations by (CBS code, ToewijzingNummer), their versions' references, starts and stops, the
    JW315 requests and JW317 change requests by (AGB code, ReferentieAanbieder), the claims by
    (AGB code, the claim's BerichtIdentificatie) and by (AGB code, DeclaratieNummer) (every claim
    of that number, in key order); None: known not to be stored.

    ``mark`` is the key of the newest delivery when the copy was last right: a batch whose first
    read finds another newest delivery (another ingest, or this one's per-message path, stored a
    file since) starts from an empty copy. The copy is not kept after a batch that rolled back, one
    that sent a file through the per-message path, or one that left it above ``MAX_KEPT_FACTS``."""

    allocations: dict[AllocationKey, Toewijzing | None] = field(default_factory=dict)
    version_refs: dict[AllocationKey, set[str]] = field(default_factory=dict)
    starts: dict[AllocationKey, _Care] = field(default_factory=dict)
    stops: dict[AllocationKey, _Care] = field(default_factory=dict)
    requests: dict[RequestKey, VerzoekOmToewijzing | None] = field(default_factory=dict)
    changes: dict[RequestKey, VerzoekOmWijziging | None] = field(default_factory=dict)
    claims_by_message: dict[ClaimKey, Claim | None] = field(default_factory=dict)
    claims_by_number: dict[ClaimKey, list[Claim]] = field(default_factory=dict)
    mark: int | None = None

    def size(self) -> int:
        return (
            len(self.allocations)
            + len(self.requests)
            + len(self.changes)
            + len(self.claims_by_message)
            + len(self.claims_by_number)
        )

    def too_large(self) -> bool:
        """Whether the copy holds more keys than ``MAX_KEPT_FACTS`` (it is then not kept)."""
        return self.size() > MAX_KEPT_FACTS

    def load_allocations(self, numbers: dict[str, set[str]]) -> None:
        """The stored allocations with these ToewijzingNummers (by CBS code) that the copy does not
        hold yet, with their versions' references, starts and stops; one query per table (per 500)."""
        numbers = {g: {n for n in ns if (g, n) not in self.allocations} for g, ns in numbers.items()}
        wanted = [(g, n) for g, ns in numbers.items() for n in ns]
        self.allocations.update(dict.fromkeys(wanted))
        for key in wanted:
            self.version_refs[key] = set()
            self.starts[key] = _Care()
            self.stops[key] = _Care()
        if not wanted:
            return
        gemeente_table, gemeente_pk = read.quoted(Gemeente, "id")
        join = f"JOIN {gemeente_table} g ON g.{gemeente_pk} = t.gemeente_id"
        # The allocation's own gemeente_id compared with the id of the CBS code, not the code
        # through the join: only then can PostgreSQL use the unique index (gemeente_id,
        # toewijzingnummer); by the joined code it read every allocation of the municipality
        # (at scale 10: 88 ms a query against 0.5 ms).
        code_to_id = f"(SELECT {gemeente_pk} FROM {gemeente_table} WHERE cbs_code = %s)"  # nosec B608 - the model's quoted names; the code is a parameter
        by_pk: dict[int, AllocationKey] = {}
        for chunk in chunks(sorted(wanted)):
            where, params = read.pairs_where(chunk, "t.gemeente_id", "t.toewijzingnummer", code_to_id)
            for t, (code,) in read.select(
                Toewijzing, ["aanbieder", "client"], join, where, params, extra=["g.cbs_code"]
            ):
                key = (code, t.toewijzingnummer)
                self.allocations[key] = t
                by_pk[t.pk] = key
        # Plain SQL (batch_read): only the models' quoted names and %s marks are formatted in.
        for pks in chunks(sorted(by_pk)):
            marks = ", ".join(["%s"] * len(pks))
            table, ref = read.quoted(ToewijzingWijziging, "referentie_aanbieder")
            sql = f"SELECT toewijzing_id, {ref} FROM {table} WHERE toewijzing_id IN ({marks})"  # nosec B608
            for pk, found in read.fetch(ToewijzingWijziging, sql, pks):
                self.version_refs[by_pk[pk]].add(found)
            for model, care in ((ZorgStart, self.starts), (ZorgStop, self.stops)):
                table, begindatum = read.quoted(model, "begindatum")
                sql = f"SELECT id, toewijzing_id, {begindatum} FROM {table} WHERE toewijzing_id IN ({marks})"  # nosec B608
                rows = read.fetch(model, f"{sql} ORDER BY id", pks)
                for row_pk, toewijzing_id, day in read.convert(
                    model, ["id", "toewijzing_id", "begindatum"], rows
                ):
                    care[by_pk[toewijzing_id]].rows.append((day, row_pk))

    def load_requests(self, refs: set[RequestKey]) -> None:
        """The stored JW315 requests with these keys that the copy does not hold yet; one query
        (per 500 keys)."""
        refs = refs - self.requests.keys()
        self.requests.update(dict.fromkeys(refs))
        for pairs in chunks(sorted(refs)):
            where, params = read.pairs_where(
                pairs, "t.aanbieder_id", "t.referentie_aanbieder", read.provider_id_of_code()
            )
            for request, _ in read.select(VerzoekOmToewijzing, ["aanbieder"], "", where, params):
                self.requests[(request.aanbieder.agb_code, request.referentie_aanbieder)] = request

    def kept(self, per_message: bool, care_added: set[AllocationKey]) -> StoredFacts | None:
        """The copy to hand to the next batch once this one has committed, or None (see the class).
        ``care_added``: the allocations the batch added starts or stops to; those rows are kept
        by their key only, as stored ones."""
        if per_message or self.mark is None or self.too_large():
            return None
        for key in care_added:
            for care in (self.starts[key], self.stops[key]):
                care.rows = [(d, row if isinstance(row, int) else row.pk) for d, row in care.rows]  # type: ignore[misc]
        return self


def newest_delivery() -> int | None:
    """The key of the newest stored delivery (``StoredFacts.mark``)."""
    table, pk = read.quoted(Aanlevering, "id")
    rows = read.fetch(Aanlevering, f"SELECT {pk} FROM {table} ORDER BY {pk} DESC LIMIT 1", [])  # nosec B608
    return rows[0][0] if rows else None
