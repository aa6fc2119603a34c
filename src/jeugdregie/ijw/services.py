"""Ingest of iJw messages into the care facts (SYSTEM.md section 5, 6).

Guarantees:
- idempotent: a file seen before (same SHA-256) and a message seen before (same sender and
  BerichtIdentificatie) change nothing;
- each file commits as a whole or not at all (a batch of files shares one transaction, see
  ``ingest_batch``; should anything in it fail, it is redone with a savepoint per file);
- nothing is lost: a rejected file, message or claim line goes to the quarantine with the rule it
  broke and a redacted payload (no BSN, name, address or contact data) from which it can be
  reprocessed;
- pseudonymisation at the door: the BSN is replaced by its keyed HMAC before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from jeugdregie.catalogus.models import Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente
from jeugdregie.zorg.models import (
    Client,
    Declaratie,
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    ZorgStart,
    ZorgStop,
)

from . import errors as E
from . import ingest_checks as checks
from . import ingest_claims as claims
from . import messages as m
from .batch_sql import take_write_lock
from .errors import ValidationError
from .gc_thresholds import collect_dropped, fewer_collections
from .ingest_answers import ANSWER_TYPES, AnswerIngest
from .ingest_answers import WAITING_RULES as ANSWER_WAITING_RULES
from .ingest_batch import FastBatch, StoredFacts
from .ingest_claims import DatabaseClaimState
from .models import Aanlevering, Bericht, QuarantaineItem
from .pseudonym import client_key, redact_payload
from .query_log import query_log_off
from .read_ahead import (
    IN_MESSAGE_RULE_KINDS,  # noqa: F401 - re-exported
    CheckedResult,
    ReadAhead,
    ReadFile,
    default_readers,
    read_errors,
    xsd_validator,
)
from .reader import ReadResult, read_bytes
from .reprocess import Reprocessing
from .reused_ids import handle_known_message
from .sources import count_sources, iter_sources, validate_paths  # noqa: F401 - re-exported

#: Files that ``ingest_paths`` stores in one transaction (``ingest_batch.FastBatch``; a savepoint
#: per file when the batch is redone the per-message way). A stop (kill, power cut) loses at most
#: this many files' work, which the next run redoes.
FILES_PER_TRANSACTION = 100

#: Failures of the database itself (gone, connection cut, locked beyond the timeout): the ingest
#: stops (the command says so in Dutch) instead of blaming, and quarantining, the file it was on.
DatabaseUnavailable = (OperationalError, InterfaceError)

# Rules that mean "not yet": the allocation a message refers to may arrive in a later file.
# Items quarantined for these are retried automatically at the end of every ingest run.
WAITING_RULES = frozenset(
    {E.CLAIM_UNKNOWN_ALLOCATION, E.CLAIM_CREDIT_WITHOUT_DEBIT, "allocation.unknown", *ANSWER_WAITING_RULES}
)


@dataclass
class IngestSummary:
    files: int = 0
    duplicate_files: int = 0
    rejected_files: int = 0
    messages: int = 0
    accepted_messages: int = 0
    quarantined_messages: int = 0
    duplicate_messages: int = 0
    lines: int = 0
    accepted_lines: int = 0
    quarantined_lines: int = 0
    reprocessed: int = 0
    errors: list[ValidationError] = field(default_factory=list)

    def add(self, other: IngestSummary) -> None:
        # Once per file on the batch path: the counters' names made once (_COUNTERS), not per call.
        self.errors.extend(other.errors)
        for name in _COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "errors"}


#: The counters of IngestSummary (every field but the errors).
_COUNTERS = tuple(name for name in IngestSummary.__dataclass_fields__ if name != "errors")


# ---------------------------------------------------------------- the ingest


class Ingester(Reprocessing):
    """Ingests files one by one. Caches the catalogue and the parties for speed."""

    def __init__(
        self,
        *,
        xsd_dir: str | Path | None = None,
        key: bytes | None = None,
        files_per_transaction: int = FILES_PER_TRANSACTION,
        readers: int | None = None,
    ) -> None:
        self.key = key or settings.PSEUDONYM_KEY
        self.files_per_transaction = max(1, files_per_transaction)
        self.xsd_dir = xsd_dir
        self.xsd = xsd_validator(xsd_dir) if xsd_dir else None
        # Worker processes that read ahead (``read_ahead``): 0 reads in this process; None: decided
        # at the start of every ``ingest_paths`` (``read_ahead.default_readers``).
        self.readers = readers
        self.answers = AnswerIngest(self)  # JW317, JW319, JW325
        self.gemeenten = {g.cbs_code: g for g in Gemeente.objects.all()}
        self.aanbieders = {a.agb_code: a for a in Aanbieder.objects.all()}
        self.products: dict[tuple[str, str], list[Product]] = {}
        for product in Product.objects.select_related("boek").order_by("boek__geldig_van"):
            self.products.setdefault((product.categorie, product.code), []).append(product)
        self.clients: dict[str, Client] = {}
        self._init_known()  # idempotence, bounded by the batch (``idempotence.KnownKeys``)
        self._allocation_pks: dict[str, int] = {}
        # The allocations a JW301 names, read by _allocation_number_problems for _apply_toewijzing.
        self._existing_allocations: tuple[object, dict[str, Toewijzing]] = (None, {})
        # The batch path's copy of stored facts, from one committed batch to the next within one
        # ingest_paths run (ingest_batch.StoredFacts); None: the next batch reads what it needs.
        self._stored_facts: StoredFacts | None = None

    # -- lookups

    def product(self, categorie: str | None, code: str | None, on: dt.date) -> Product | None:
        candidates = self.products.get((categorie or "", code or ""), [])
        for product in candidates:
            if product.boek.is_geldig_op(on):
                return product
        return candidates[-1] if candidates else None

    def aanbieder(self, agb: str) -> Aanbieder:
        """A provider we do not know yet is registered as non-contracted (NGA): the region buys from
        it per client. Nothing is lost; the region can categorise it later."""
        found = self.aanbieders.get(agb)
        if found is None:
            found, _ = Aanbieder.objects.get_or_create(
                agb_code=agb, defaults={"naam": f"Onbekende aanbieder {agb}", "is_nga": True}
            )
            self.aanbieders[agb] = found
        return found

    def client(self, bsn: str, identity: m.ClientIdentity | None, gemeente: Gemeente | None) -> Client:
        pseudonym = client_key(bsn, self.key)
        client = self.clients.get(pseudonym)
        if client is None:
            client, _ = Client.objects.get_or_create(pseudoniem=pseudonym)
            self.clients[pseudonym] = client
        if identity is not None:
            update = checks.client_values(identity, gemeente.pk if gemeente is not None else None)
            if checks.set_if_changed(client, update):
                client.save(update_fields=list(k.removesuffix("_id") for k in update))
        return client

    # -- files

    def ingest_paths(
        self,
        paths: Iterable[str | Path],
        *,
        progress: Callable[[str], object] | None = None,
        retry_waiting: bool = True,
    ) -> IngestSummary:
        summary = IngestSummary()
        self._stored_facts = None
        readers = default_readers() if self.readers is None else self.readers
        reading = ReadAhead(
            paths, self.files_per_transaction, xsd_dir=self.xsd_dir, readers=readers, stored=self._all_stored
        )
        # Django's query log while DEBUG is on: a tenth of the time, of no use; the cyclic garbage
        # collector a tenth too (gc_thresholds).
        with query_log_off(), fewer_collections():
            try:
                for batch in reading:  # read by the worker while the batch before is applied
                    try:
                        summary.add(self._ingest_batch(batch))
                    finally:
                        self._forget_known()
                    if progress:
                        for file in batch:
                            progress(file.name)
            finally:
                reading.close()
                self._stored_facts = None
            if retry_waiting:
                summary.add(
                    self.reprocess(QuarantaineItem.objects.filter(status="open", regel__in=WAITING_RULES))
                )
        return summary

    def _all_stored(self, batch: list[ReadFile]) -> bool:
        """Whether every file of the batch is stored already (asked once; ``_ingest_batch`` and
        ``ingest_file`` use the answer)."""
        self._look_up(files=[file.sha for file in batch])
        return all(self._file_known(file.sha) for file in batch)

    def _ingest_batch(self, batch: list[ReadFile]) -> IngestSummary:
        """Several files in one transaction, the fast way (``ingest_batch.FastBatch``: the stored
        state read once per batch, one write per table). Should anything in it fail, the batch is
        rolled back and redone the per-message way (``_ingest_batch_per_file``), which refuses or
        quarantines exactly the file that fails."""
        if len(batch) == 1:
            return self.ingest_file(batch[0].name, batch[0].data, batch[0].sha, batch[0].results)
        # Ask which files are stored before the transaction begins (see _ingest_batch_per_file);
        # the messages' ids are asked in it, after FastBatch.run took the write lock.
        self._look_up(files=[file.sha for file in batch])
        self._new_messages = []
        facts, self._stored_facts = self._stored_facts, None  # taken: kept again only after a commit
        fast = FastBatch(self, facts)
        try:
            with transaction.atomic():
                summary = fast.run([(f.name, f.data) for f in batch], [(f.sha, f.results) for f in batch])
        except DatabaseUnavailable:
            self._forget_batch()
            raise
        except Exception:  # noqa: BLE001 - redo the batch message by message, as before
            self._forget_batch()
            self.aanbieders = {a.agb_code: a for a in Aanbieder.objects.all()}
            return self._ingest_batch_per_file(batch)
        self._new_messages = []  # committed: ingest_paths forgets the batch's files and messages
        self._stored_facts = fast.kept_facts()
        if fast.facts.too_large():
            del fast  # the batch's last reference: only its own reference cycles hold it now
            self._drop_caches()
        return summary

    def _drop_caches(self) -> None:
        """After a batch whose copy of stored facts grew past its limit (and was not kept): that
        copy and the cached clients (read again per batch as needed) are freed now, so that a
        national run's memory stays bounded (``gc_thresholds.collect_dropped``)."""
        self.clients = {}
        collect_dropped()

    def _forget_batch(self) -> None:
        """After a rolled-back batch: ask for the stored files, messages and clients again (the
        objects cached may hold values of the rolled-back batch). No query: the database may be gone."""
        self._forget_known()
        self._new_messages = []
        self.clients = {}

    def _ingest_batch_per_file(self, batch: list[ReadFile]) -> IngestSummary:
        """Several files in one transaction, each in its own savepoint (``ingest_file``): a file
        still lands whole or not at all, and what ``ingest_file`` does with a bad file is the same.
        Only the commit is shared; it was the largest cost per small file. Should the commit itself
        fail (e.g. a deferred constraint), the files are ingested again one transaction each."""
        if len(batch) == 1:
            return self.ingest_file(batch[0].name, batch[0].data, batch[0].sha)
        clients_before = dict(self.clients)
        summary = IngestSummary()
        # Read the stored files before the transaction begins, so that its first statement is a
        # write: on SQLite a transaction that read first and must then wait for another writer
        # fails at once ("database is locked") instead of waiting for the busy timeout.
        self._look_up(files=[file.sha for file in batch])
        try:
            with transaction.atomic():
                for file in batch:
                    summary.add(self.ingest_file(file.name, file.data, file.sha))
            return summary
        except DatabaseUnavailable:
            raise
        except Exception:  # noqa: BLE001 - the shared commit failed: redo file by file, as before
            self._forget_known()  # ask again: nothing of the batch is stored
            self._forget_uncommitted(clients_before)
            summary = IngestSummary()
            for file in batch:
                summary.add(self.ingest_file(file.name, file.data, file.sha))
            return summary

    def ingest_file(
        self, name: str, data: bytes, sha: str | None = None, results: list[ReadResult] | None = None
    ) -> IngestSummary:
        """One file in its own transaction; ``sha`` and ``results``: computed and read already
        (``read_ahead``); ``results`` None: read here."""
        sha = sha or hashlib.sha256(data).hexdigest()
        if self._file_known(sha):
            return IngestSummary(files=1, duplicate_files=1)
        self._stored_facts = None  # the per-message path does not keep the batch path's copy
        client_cache = dict(self.clients)
        for attempt in (1, 2):
            summary = IngestSummary(files=1)
            self._new_messages = []
            try:
                with transaction.atomic():
                    take_write_lock()
                    self._ingest_file(name, data, sha, summary, results)
                break
            except DatabaseUnavailable:
                # The database went away or stayed locked: not the file's fault. Its transaction is
                # gone, so nothing of it is stored and it is not marked as delivered; a restart
                # resumes with this file.
                self._forget_uncommitted(client_cache)
                raise
            except IntegrityError:
                # Another ingest running at the same time may have stored this file, a message in it
                # or a party it creates, between our look-up and our insert.
                self._forget_uncommitted(client_cache)
                if Aanlevering.objects.filter(sha256=sha).exists():
                    self._remember(sha, ())
                    return IngestSummary(files=1, duplicate_files=1)
                if attempt == 1:
                    self._forget_messages()  # one may have landed meanwhile
                    continue
                return self._refuse_file(name, data, sha, sys.exc_info()[1])
            except Exception as exc:  # noqa: BLE001 - any failure rolls the file back and is kept, not raised
                self._forget_uncommitted(client_cache)
                return self._refuse_file(name, data, sha, exc)
        self._remember(sha, self._new_messages)
        self._new_messages = []
        return summary

    def _forget_uncommitted(self, client_cache: dict[str, Client]) -> None:
        self._new_messages = []
        self.clients = client_cache  # objects created in the rolled-back transaction are gone
        self.aanbieders = {a.agb_code: a for a in Aanbieder.objects.all()}

    def _refuse_file(self, name: str, data: bytes, sha: str, exc: BaseException | None) -> IngestSummary:
        """Keep a file whose storing failed unexpectedly in the quarantine, whole (``ingest.intern``)."""
        failed = IngestSummary(files=1, rejected_files=1)
        error = ValidationError(
            name,
            None,
            "/",
            "ingest.intern",
            f"Verwerking afgebroken, niets van dit bestand is opgeslagen: {exc!r}",
        )
        failed.errors.append(error)
        with transaction.atomic():
            delivery = Aanlevering.objects.create(
                bestandsnaam=name[-500:], sha256=sha, status="geweigerd", in_quarantaine=1
            )
            self._quarantine(delivery, name, data, error, level="bestand")
        self._remember(sha, ())
        return failed

    def _ingest_file(
        self,
        name: str,
        data: bytes,
        sha: str,
        summary: IngestSummary,
        results: list[ReadResult] | None = None,
    ) -> None:
        """One file in the caller's transaction; ``results``: the file read already (``FastBatch``)."""
        delivery = Aanlevering.objects.create(bestandsnaam=name[-500:], sha256=sha, status="verwerkt")
        if results is None:
            results = list(read_bytes(data, name))
        # The file's message ids, one query (after the write lock: see take_write_lock).
        self._look_up(
            messages=[
                (r.message.header.afzender, r.message.header.identificatie) for r in results if r.message
            ]
        )
        for result in results:
            errors = self._read_errors(result, data, name)
            message = result.message
            summary.messages += 1
            refused = checks.refusal(message, errors, result.header_known)
            if message is None or refused is not None:
                blocking, level = checks.count_refused(summary, refused)
                for error in blocking:
                    self._quarantine(delivery, name, data, error, level=level)
                continue
            header = message.header
            if self._message_known(header.afzender, header.identificatie):
                handle_known_message(self, delivery, name, data, message, summary)  # TR056
                continue
            if result.lines_rejected:
                summary.lines += result.lines_rejected
                summary.quarantined_lines += result.lines_rejected
            self._apply(delivery, name, data, message, errors, summary)
        totals = checks.delivery_totals(summary, delivery.status)
        for k, v in totals.items():
            setattr(delivery, k, v)
        Aanlevering.objects.filter(pk=delivery.pk).update(**totals)

    def _read_errors(self, result: ReadResult, data: bytes, name: str) -> list[ValidationError]:
        """The errors of a message: the reader's, the XSD's and those of the rules inside it
        (``read_ahead.read_errors``); found already by the read-ahead worker (``CheckedResult``)."""
        if isinstance(result, CheckedResult):
            return list(result.findings)
        return read_errors(result, data, name, self.xsd)

    def _quarantine(self, delivery, name, data, error: ValidationError, *, level: str, message=None) -> None:
        self._quarantine_item(delivery, name, data, error, level, message).save(force_insert=True)

    def _quarantine_item(
        self, delivery, name, data, error: ValidationError, level: str, message=None
    ) -> QuarantaineItem:
        """The quarantine row for ``error`` (unsaved; ``ingest_batch`` writes them per batch)."""
        header = message.header if message is not None else None
        return QuarantaineItem(
            aanlevering=delivery,
            bestandsnaam=name[-500:],
            niveau=level,
            soort=getattr(message, "kind", "") if message is not None else "",
            afzender=header.afzender if header else "",
            bericht_identificatie=(header.identificatie if header else (error.message_id or ""))[:20],
            element=error.element[:300],
            regel_referentie=(error.ref or "")[:36] if level == "regel" else "",
            regel=error.rule[:60],
            tr=error.tr or "",
            retourcode=error.retourcode or "",
            melding=error.message,
            regelnummer=error.line,
            payload=redact_payload(data, self.key),
        )

    # -- messages

    def _apply(
        self, delivery, name, data, message: m.Message, errors: list[ValidationError], summary
    ) -> None:
        header = message.header
        problems = self._message_problems(message, name)
        if problems:
            summary.quarantined_messages += 1
            summary.errors.extend(problems)
            for problem in problems:
                self._quarantine(delivery, name, data, problem, level="bericht", message=message)
            return
        bericht = Bericht.objects.create(aanlevering=delivery, **checks.message_values(message))
        self._new_messages.append((header.afzender, header.identificatie))
        if isinstance(message, m.Toewijzing):
            self._apply_toewijzing(bericht, message)
        elif isinstance(message, m.VerzoekOmToewijzing):
            self._apply_verzoek(bericht, message)
        elif isinstance(message, (m.StartZorg, m.StopZorg)):
            self._apply_start_stop(bericht, message)
        elif isinstance(message, m.Declaratie):
            self._apply_declaratie(delivery, name, data, bericht, message, errors, summary)
        elif isinstance(message, ANSWER_TYPES):
            self.answers.apply(bericht, message)
        summary.accepted_messages += 1

    def _apply_toewijzing(self, bericht: Bericht, message: m.Toewijzing) -> None:
        gemeente = self.gemeenten[message.header.afzender]
        aanbieder = self.aanbieder(message.header.ontvanger)
        client = self.client(message.client.bsn, message.client, gemeente)
        checked, existing = self._existing_allocations
        if checked is not message:  # not read by _allocation_number_problems for this message
            existing = {
                t.toewijzingnummer: t
                for t in Toewijzing.objects.filter(
                    gemeente=gemeente, toewijzingnummer__in=[p.toewijzing_nummer for p in message.producten]
                )
            }
        for p in message.producten:
            values = checks.allocation_values(
                p, client, aanbieder, self.product(p.product_categorie, p.product_code, p.ingangsdatum)
            )
            toewijzing = existing.get(p.toewijzing_nummer)
            if toewijzing is None:
                toewijzing = Toewijzing.objects.create(
                    gemeente=gemeente, toewijzingnummer=p.toewijzing_nummer, **values
                )
            else:
                checks.keep_first(values, toewijzing.toewijzingsdatum, toewijzing.referentie_aanbieder)
                changed = {k: v for k, v in values.items() if getattr(toewijzing, k) != v}
                if not changed and not _grants_request(toewijzing, p.referentie_aanbieder):
                    continue  # iJw repeats unchanged allocations in every JW301 for the client
                # A deleted allocation stays deleted: later versions are history, not a revival.
                changed["verwijderd"] = toewijzing.verwijderd or values["verwijderd"]
                for k, v in changed.items():
                    setattr(toewijzing, k, v)
                toewijzing.versie += 1
                toewijzing.save()
            ToewijzingWijziging.objects.create(
                toewijzing=toewijzing,
                bericht=bericht,
                volgnummer=toewijzing.versie,
                **checks.version_values(p),
            )

    def _apply_verzoek(self, bericht: Bericht, message: m.VerzoekOmToewijzing) -> None:
        gemeente = self.gemeenten[message.header.ontvanger]
        aanbieder = self.aanbieder(message.header.afzender)
        client = self.client(message.client.bsn, message.client, gemeente)
        for p in message.producten:
            VerzoekOmToewijzing.objects.update_or_create(
                aanbieder=aanbieder,
                referentie_aanbieder=p.referentie_aanbieder,
                defaults=checks.request_values(
                    message,
                    p,
                    gemeente,
                    client,
                    bericht,
                    self.product(p.product_categorie, p.product_code, p.toewijzing_ingangsdatum),
                ),
            )

    def _apply_start_stop(self, bericht: Bericht, message: m.StartZorg | m.StopZorg) -> None:
        self.client(message.client.bsn, message.client, None)
        for p in message.producten:
            toewijzing = self._allocation_pks[p.toewijzing_nummer]  # checked by _message_problems
            model = ZorgStart if isinstance(message, m.StartZorg) else ZorgStop
            if p.status_aanlevering == "3":  # verwijderen: withdraw the earlier start/stop
                model.objects.filter(toewijzing_id=toewijzing, begindatum=p.begindatum).delete()
            else:
                model.objects.create(toewijzing_id=toewijzing, bericht=bericht, **checks.care_values(p))

    def _apply_declaratie(
        self, delivery, name, data, bericht, message: m.Declaratie, errors, summary
    ) -> None:
        gemeente = self.gemeenten[message.header.ontvanger]
        aanbieder = self.aanbieder(message.header.afzender)
        state = DatabaseClaimState(self.key)
        state.preload(message)
        errors, rejected_refs = claims.claim_errors(message, name, errors, state)
        for error in errors:
            self._quarantine(delivery, name, data, error, level="regel", message=message)
        summary.errors.extend(errors)
        declaratie = Declaratie.objects.create(
            aanbieder=aanbieder, gemeente=gemeente, bericht=bericht, **claims.declaratie_values(message)
        )
        claims.insert_lines(claims.line_rows(declaratie, message, rejected_refs, state.allocation_ids))
        offered, stored = claims.offered_and_stored(message, rejected_refs)
        summary.lines += offered
        summary.accepted_lines += stored
        summary.quarantined_lines += offered - stored


def _grants_request(toewijzing: Toewijzing, referentie: str | None) -> bool:
    """``ingest_checks.grants_request`` (JW317) with the allocation's versions asked of the database."""
    return checks.grants_request(
        referentie,
        toewijzing.referentie_aanbieder,
        lambda ref: toewijzing.wijzigingen.filter(referentie_aanbieder=ref).exists(),
    )
