"""The fast path of the ingest: a batch of files in one transaction, with the stored state the
small messages need read once per batch and their rows written with one statement per table.

``Ingester._ingest_batch`` runs a batch (``--files-per-transaction``, default 100) through
``FastBatch.run`` inside one transaction. Every message type (``FAST_KINDS``: JW301 allocations,
JW305/307 starts and stops, JW315 requests, JW317 change requests, JW319 answers to requests, JW323
claims, JW325 claim answers) is checked against an in-memory copy of the stored facts it names
(allocations, their versions' references, starts, stops, requests, clients; the stored lines and
claim numbers of the claims' providers, ``ingest_claims.BatchClaimState``; the claims and lines
answered, ``ingest_answers_batch.BatchClaimAnswers``; the change requests,
``ingest_requests.BatchRequests``), loaded with one query per table for the whole batch and kept up
to date as the batch's messages are applied. All but the claims' lines and numbers are kept from
one committed batch to the next (``stored_facts.StoredFacts``): a batch reads only the keys it
lacks. Their rows are written at the end with one statement per table (``batch_sql``: an INSERT
through ``executemany``, or COPY on PostgreSQL, with keys the batch reserves; an UPDATE by key
through ``executemany``). A message whose sender and identification are known (a duplicate or
TR056) and a file that does not hold exactly one message first write what is pending and then go through
``Ingester._ingest_file``, the per-message path, in the same transaction, without reading the file
again.

The checks and the rows are those of the per-message path (``services.Ingester._apply`` and
``_message_problems``), message for message: both call the plain functions of ``ingest_checks``,
``ingest_claims``, ``ingest_answers`` and ``ingest_requests`` for the rules, their Dutch texts and
the rows' values; only where the stored facts come from differs. What an accepted message adds is
in ``ingest_batch_apply``; the rows nothing reads back (deliveries, messages, versions, starts,
stops) are plain rows, not model instances (``batch_rows``); the stored facts are read with plain
SQL (``batch_read``).
``tests/faults/test_ingest_batch_same_state.py`` compares the whole database after both paths.

Guarantees: should anything in the batch raise (a bug, a constraint another ingest running at the
same time violated), the transaction rolls back and the caller redoes the batch the per-message way
(a savepoint per file), which quarantines or refuses exactly the failing file as before. A file is
stored whole or not at all because the batch is; a kill loses at most the uncommitted batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Model

from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    Client,
    Declaratie,
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    ZorgStart,
    ZorgStop,
)

from . import ingest_checks as checks
from . import ingest_claims as claims
from . import messages as m
from .batch_rows import (
    CareRow,
    Delivery,
    Message,
    insert_care,
    insert_deliveries,
    insert_messages,
    insert_versions,
)
from .batch_sql import Keys, insert_objects, take_write_lock, update_by_key
from .errors import ValidationError
from .ingest_answers_batch import BatchClaimAnswers
from .ingest_batch_apply import ApplyRows
from .ingest_claims import chunks
from .ingest_requests import (
    BatchRequests,
    named_allocations,
    request_answer_values,
    request_values,
    unknown_request_error,
)
from .models import Aanlevering, Bericht, QuarantaineItem
from .pseudonym import client_key
from .reader import ReadResult, read_bytes
from .stored_facts import AllocationKey, StoredFacts, newest_delivery

if TYPE_CHECKING:
    from .services import Ingester, IngestSummary

#: The message types the fast path applies itself; the others go through ``Ingester._ingest_file``.
FAST_KINDS = frozenset({"JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325"})

#: The Toewijzing columns a JW301 version may change (``Ingester._apply_toewijzing``).
_ALLOCATION_FIELDS = [
    "client",
    "aanbieder",
    "product",
    "product_categorie",
    "product_code",
    "toewijzingsdatum",
    "ingangsdatum",
    "einddatum",
    "volume",
    "eenheid",
    "frequentie",
    "budget_cent",
    "reden_wijziging",
    "verwijderd",
    "referentie_aanbieder",
    "versie",
]
_REQUEST_FIELDS = [
    "gemeente",
    "client",
    "bericht",
    "product",
    "product_categorie",
    "product_code",
    "aangevraagd_op",
    "toewijzing_ingangsdatum",
    "toewijzing_einddatum",
    "volume",
    "eenheid",
    "frequentie",
    "verwijzer_type",
    "verwijzer_zorgverlenercode",
]
_CLIENT_FIELDS = ["geboortejaar", "geboortemaand", "geslacht", "gemeente"]


@dataclass
class _Pending:
    # Plain rows (batch_rows) where nothing reads the row back as a model object.
    deliveries: list[Delivery] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    quarantine: list[tuple[QuarantaineItem, Delivery]] = field(default_factory=list)
    # Model instances that point to a pending message, and that message (its key set at flush).
    of_message: list[tuple[Model, Message]] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    changed_clients: dict[int, Client] = field(default_factory=dict)
    allocations: list[Toewijzing] = field(default_factory=list)
    changed_allocations: dict[int, Toewijzing] = field(default_factory=dict)
    versions: list[list] = field(default_factory=list)  # batch_rows.version_row
    starts: list[CareRow] = field(default_factory=list)
    stops: list[CareRow] = field(default_factory=list)
    deleted_starts: set[int] = field(default_factory=set)
    deleted_stops: set[int] = field(default_factory=set)
    requests: list[VerzoekOmToewijzing] = field(default_factory=list)
    changed_requests: dict[int, VerzoekOmToewijzing] = field(default_factory=dict)
    declaraties: list[Declaratie] = field(default_factory=list)
    # (Declaratie, its message, the ReferentieNummers of its rejected lines): the lines to store
    lines: list[tuple[Declaratie, m.Declaratie, set[str]]] = field(default_factory=list)


def _ids(message: m.Message) -> list[tuple[str, str]]:
    header = message.header  # the ids _fast and BatchClaimAnswers.problems ask about
    if isinstance(message, m.DeclaratieAntwoord):  # and the claim it answers
        return [(header.afzender, header.identificatie), (header.ontvanger, message.declaratie_identificatie)]
    return [(header.afzender, header.identificatie)]


class FastBatch(ApplyRows):
    """One batch of files, run inside the caller's transaction (see the module docstring)."""

    def __init__(self, ingester: Ingester, facts: StoredFacts | None = None) -> None:
        self.ing = ingester
        self.pending = _Pending()
        self.seen_files: set[str] = set()
        # BSN -> pseudonym, for this batch only: the keyed hash once per client, not per look-up.
        self.pseudonyms: dict[str, str] = {}
        self._use(facts or StoredFacts())
        self.per_message = False  # a file of this batch went through Ingester._ingest_file
        self._newest_own: int | None = None  # the key of the newest delivery this batch wrote
        self._care_added: set[AllocationKey] = set()  # allocations this batch added starts/stops to

    def _use(self, facts: StoredFacts) -> None:
        self.facts = facts
        self.allocations = facts.allocations
        self.version_refs = facts.version_refs
        self.starts = facts.starts
        self.stops = facts.stops
        self.requests = facts.requests
        self.claims = claims.BatchClaimState(self.allocations, self.pseudonym)
        self.answers = self._answers()
        self.change_requests = BatchRequests(self.allocations, self.requests, facts.changes)

    def kept_facts(self) -> StoredFacts | None:
        """The copy to hand to the next batch, once this one has committed (see ``StoredFacts``)."""
        return self.facts.kept(self.per_message, self._care_added)

    # ------------------------------------------------------------ the batch

    def run(
        self,
        batch: list[tuple[str, bytes]],
        prepared: list[tuple[str, list[ReadResult] | None]] | None = None,
    ) -> IngestSummary:
        """``prepared``: per file its SHA-256 and, read ahead (``read_ahead``), its results (None:
        read here)."""
        from .services import IngestSummary

        take_write_lock()
        mark = newest_delivery()
        if self.facts.mark != mark:  # something else stored files since the copy was made
            self._use(StoredFacts())
        total = IngestSummary()
        read: list[tuple[str, bytes, str, list[ReadResult] | None]] = []
        for i, (name, data) in enumerate(batch):
            sha, ahead = prepared[i] if prepared is not None else (hashlib.sha256(data).hexdigest(), None)
            results = None
            if not self.ing._file_known(sha) and sha not in self.seen_files:
                self.seen_files.add(sha)
                results = ahead if ahead is not None else list(read_bytes(data, name))
            read.append((name, data, sha, results))
        fresh = [r for *_, results in read if results for r in results]
        # Which of their ids (and the claims the JW325s answer) are stored: one query, in the lock.
        self.ing._look_up(messages=[k for r in fresh if r.message for k in _ids(r.message)])
        self._preload(fresh)
        for name, data, sha, results in read:
            if results is None:
                total.add(IngestSummary(files=1, duplicate_files=1))
                continue
            summary = IngestSummary(files=1)
            if len(results) == 1 and self._fast(results[0]):
                self._file(name, data, sha, results[0], summary)
            else:
                self.flush()
                self.per_message = True
                self.ing._ingest_file(name, data, sha, summary, results)
                if any(r.kind in FAST_KINDS for r in results):  # never so far: one message a file
                    self._reset()
                    self._preload([r for *_, rs in read if rs for r in rs])
            total.add(summary)
        self.flush()
        # Keep the copy only if no other ingest stored a file meanwhile (the newest is this batch's).
        newest = newest_delivery()
        self.facts.mark = newest if newest == (self._newest_own or mark) else None
        return total

    def _fast(self, result: ReadResult) -> bool:
        """Whether this path handles the file: one message of a small type (or none, the file
        refused), not one whose sender and identification are known (a duplicate or TR056: the
        per-message path compares it with what the earlier message stored)."""
        message = result.message
        if message is None:
            return True
        header = message.header
        return result.kind in FAST_KINDS and not self.ing._message_known(
            header.afzender, header.identificatie
        )

    def _reset(self) -> None:
        """Forget the in-memory state (after the per-message path changed what it mirrors)."""
        self._use(StoredFacts())

    def _answers(self) -> BatchClaimAnswers:
        gemeenten = self.ing.gemeenten
        return BatchClaimAnswers(
            self.ing._message_known,
            lambda code: gemeenten[code].pk,
            self.pseudonym,
            self.facts.claims_by_message,
            self.facts.claims_by_number,
        )

    def pseudonym(self, bsn: str) -> str:
        found = self.pseudonyms.get(bsn)
        if found is None:
            found = self.pseudonyms[bsn] = client_key(bsn, self.ing.key)
        return found

    def _preload(self, results: list[ReadResult]) -> None:
        """The stored facts the batch's small messages name, one query per table."""
        ing = self.ing
        numbers: dict[str, set[str]] = {}
        pseudonyms: set[str] = set()
        refs: set[tuple[str, str]] = set()
        declaraties: list[m.Declaratie] = []
        answers: list[m.DeclaratieAntwoord] = []
        change_refs: set[tuple[str, str]] = set()
        for result in results:
            message = result.message
            if message is None or result.kind not in FAST_KINDS:
                continue
            header = message.header
            if isinstance(message, m.Toewijzing):
                numbers.setdefault(header.afzender, set()).update(
                    p.toewijzing_nummer for p in message.producten
                )
            elif isinstance(message, (m.StartZorg, m.StopZorg)):
                numbers.setdefault(header.ontvanger, set()).update(
                    p.toewijzing_nummer for p in message.producten
                )
            elif isinstance(message, m.VerzoekOmToewijzing):
                refs.update((header.afzender, p.referentie_aanbieder) for p in message.producten)
            elif isinstance(message, m.Declaratie):
                numbers.setdefault(header.ontvanger, set()).update(
                    p.toewijzing_nummer for c in message.clienten for p in c.prestaties
                )
                declaraties.append(message)
                continue
            elif isinstance(message, m.DeclaratieAntwoord):
                answers.append(message)
                continue
            elif isinstance(message, m.VerzoekOmWijziging):  # JW317
                numbers.setdefault(header.ontvanger, set()).update(n for n, _ in named_allocations(message))
                refs.add(BatchRequests.reference(message))
                change_refs.add(BatchRequests.reference(message))
                pseudonyms.add(self.pseudonym(message.bsn))
                continue
            elif isinstance(message, m.AntwoordVerzoek):  # JW319
                refs.add(BatchRequests.reference(message))
                change_refs.add(BatchRequests.reference(message))
                continue
            else:
                continue
            pseudonyms.add(self.pseudonym(message.client.bsn))
        # Only the keys the copy does not hold yet (it may come from the batches before).
        self.facts.load_allocations(numbers)
        missing = sorted(p for p in pseudonyms if p not in ing.clients)
        for chunk in chunks(missing):
            for client in Client.objects.filter(pseudoniem__in=chunk):
                ing.clients[client.pseudoniem] = client
        self.facts.load_requests(refs)
        self.claims.preload(declaraties)
        self.answers.preload(answers)
        self.change_requests.preload(change_refs)

    # ------------------------------------------------------------ one file (as Ingester._ingest_file)

    def _file(self, name: str, data: bytes, sha: str, result: ReadResult, summary: IngestSummary) -> None:
        ing = self.ing
        delivery = Delivery(name[-500:], sha, "verwerkt")
        self.pending.deliveries.append(delivery)
        errors = ing._read_errors(result, data, name)
        message = result.message
        summary.messages += 1
        refused = checks.refusal(message, errors, result.header_known)
        if message is None or refused is not None:
            blocking, level = checks.count_refused(summary, refused)
            for error in blocking:
                self._quarantine(delivery, name, data, error, level)
        else:  # not known: see _fast
            if result.lines_rejected:
                summary.lines += result.lines_rejected
                summary.quarantined_lines += result.lines_rejected
            self._apply(delivery, name, data, message, errors, summary)
        for k, v in checks.delivery_totals(summary, delivery.status).items():
            setattr(delivery, k, v)

    def _quarantine(self, delivery, name, data, error: ValidationError, level: str, message=None) -> None:
        item = self.ing._quarantine_item(None, name, data, error, level, message)  # its delivery: at flush
        self.pending.quarantine.append((item, delivery))

    def _apply(self, delivery, name, data, message, errors, summary: IngestSummary) -> None:
        header = message.header
        problems = self.ing._party_problems(message, name) or self._problems(message, name)
        if problems:
            summary.quarantined_messages += 1
            summary.errors.extend(problems)
            for problem in problems:
                self._quarantine(delivery, name, data, problem, "bericht", message)
            return
        bericht = Message(delivery, checks.message_values(message))
        self.pending.messages.append(bericht)
        self.ing._new_messages.append((header.afzender, header.identificatie))
        if isinstance(message, m.Toewijzing):
            self._apply_toewijzing(bericht, message)
        elif isinstance(message, m.VerzoekOmToewijzing):
            self._apply_verzoek(bericht, message)
        elif isinstance(message, m.Declaratie):
            self._apply_declaratie(delivery, name, data, bericht, message, errors, summary)
        elif isinstance(message, m.DeclaratieAntwoord):
            self.pending.of_message.append((self.answers.apply(message), bericht))
        elif isinstance(message, m.VerzoekOmWijziging):
            gemeente = self.ing.gemeenten[header.ontvanger]
            verzoek = VerzoekOmWijziging(
                aanbieder=self.ing.aanbieder(header.afzender),
                gemeente=gemeente,
                client=self._client(message.bsn, None, gemeente),
                **request_values(message),
            )
            self.pending.of_message.append((verzoek, bericht))
            self.change_requests.apply_request(verzoek, message, self.ing.product)
        elif isinstance(message, m.AntwoordVerzoek):
            change, request = self.change_requests.answered(message)
            answer = AntwoordVerzoek(
                aanbieder=self.ing.aanbieder(header.ontvanger),
                gemeente=self.ing.gemeenten[header.afzender],
                verzoek_wijziging=change,
                verzoek_toewijzing=request,
                **request_answer_values(message),
            )
            self.pending.of_message.append((answer, bericht))
            self.change_requests.apply_answer(answer)
        else:
            self._apply_start_stop(bericht, message)
        summary.accepted_messages += 1

    # ------------------------------------------------------------ checks (as Ingester._message_problems)

    def _problems(self, message, name: str) -> list[ValidationError]:
        if isinstance(message, m.VerzoekOmToewijzing):
            return []
        if isinstance(message, m.DeclaratieAntwoord):
            return self.answers.problems(message, name)
        if isinstance(message, m.VerzoekOmWijziging):
            return self.change_requests.request_problems(message, name, self.pseudonym(message.bsn))
        if isinstance(message, m.AntwoordVerzoek):
            return (
                [] if any(self.change_requests.answered(message)) else [unknown_request_error(message, name)]
            )
        if isinstance(message, m.Declaratie):  # TR333
            used = self.claims.number_used(message.header.afzender, message.declaratie_nummer)
            return [claims.number_used_error(message, name)] if used else []
        header = message.header
        pseudonym = self.pseudonym(message.client.bsn)
        if isinstance(message, m.Toewijzing):
            stored = self._parties(header.afzender, message)
            return checks.allocation_number_problems(message, name, pseudonym, stored)
        stored = self._parties(header.ontvanger, message)
        return checks.start_stop_allocation_problems(
            message, name, pseudonym, stored
        ) or self._start_stop_problems(message, name)

    def _parties(self, gemeente: str, message) -> dict[str, tuple[str, str]]:
        """(provider AGB code, client pseudonym) of each allocation the message names that the
        municipality has (stored or earlier in the batch)."""
        stored = {}
        for p in message.producten:
            t = self.allocations.get((gemeente, p.toewijzing_nummer))
            if t is not None:
                stored[p.toewijzing_nummer] = (t.aanbieder.agb_code, t.client.pseudoniem)
        return stored

    def _start_stop_problems(self, message: m.StartZorg | m.StopZorg, name: str) -> list[ValidationError]:
        """The facts ``ingest_checks.start_stop_problems`` needs, from the in-memory copy."""
        gemeente = message.header.ontvanger
        is_start = isinstance(message, m.StartZorg)
        own_care = self.starts if is_start else self.stops
        nummers = {p.toewijzing_nummer for p in message.producten}
        own = {(n, d) for n in nummers for d in own_care[(gemeente, n)].dates()}
        stopped = {n for n, _ in own if self.stops[(gemeente, n)].rows} if is_start else set()
        return checks.start_stop_problems(message, name, own, stopped)

    # ------------------------------------------------------------ writing

    def flush(self) -> None:
        """Write what is pending, parents first, one statement per table. The new rows' keys are
        reserved first (``batch_sql.Keys``), so every row knows the keys of the rows it points to."""
        p = self.pending
        self.pending = _Pending()
        keys = Keys(
            {
                Aanlevering: len(p.deliveries),
                Client: len(p.clients),
                Bericht: len(p.messages),
                QuarantaineItem: len(p.quarantine),
                Toewijzing: len(p.allocations),
                ToewijzingWijziging: len(p.versions),
                ZorgStart: len(p.starts),
                ZorgStop: len(p.stops),
                VerzoekOmToewijzing: len(p.requests),
                Declaratie: len(p.declaraties),
                **self.change_requests.key_counts(),
                **self.answers.key_counts(),
            }
        )
        insert_deliveries(p.deliveries, keys)
        if p.deliveries:
            self._newest_own = max(p.deliveries[-1].pk, self._newest_own or 0)  # type: ignore[type-var]
        insert_objects(Client, p.clients, keys)
        if p.changed_clients:
            update_by_key(Client, p.changed_clients.values(), _CLIENT_FIELDS)
        insert_messages(p.messages, keys)
        for obj, bericht in p.of_message:  # in message order: the last message of a request wins
            obj.bericht_id = bericht.pk  # type: ignore[attr-defined]
        for item, delivery in p.quarantine:
            item.aanlevering_id = delivery.pk
        insert_objects(QuarantaineItem, [item for item, _ in p.quarantine], keys)
        insert_objects(Toewijzing, p.allocations, keys)
        if p.changed_allocations:
            update_by_key(Toewijzing, p.changed_allocations.values(), _ALLOCATION_FIELDS)
        insert_versions(p.versions, keys)
        if p.deleted_starts:
            ZorgStart.objects.filter(pk__in=p.deleted_starts).delete()
        if p.deleted_stops:
            ZorgStop.objects.filter(pk__in=p.deleted_stops).delete()
        insert_care(ZorgStart, p.starts, keys)
        insert_care(ZorgStop, p.stops, keys)
        insert_objects(VerzoekOmToewijzing, p.requests, keys)
        if p.changed_requests:
            update_by_key(VerzoekOmToewijzing, p.changed_requests.values(), _REQUEST_FIELDS)
        self.change_requests.flush(keys)
        insert_objects(Declaratie, p.declaraties, keys)
        rows = []
        for declaratie, message, rejected_refs in p.lines:
            rows += claims.line_rows(declaratie, message, rejected_refs, self.claims.allocation_ids)
        claims.insert_lines(rows)
        self.answers.flush(keys)
