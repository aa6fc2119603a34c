"""The storing half of the batch path of the ingest (``ingest_batch.FastBatch``): per message type
what an accepted message adds to the batch's pending rows and to its in-memory copy of the stored
facts, as ``services.Ingester._apply_*`` does on the per-message path (the values of the rows come
from the same plain functions of ``ingest_checks``, ``ingest_claims`` and ``ingest_requests``).
``FastBatch.flush`` writes the pending rows.

Rows that nothing reads back are plain (``batch_rows``: messages, versions, starts, stops); the
allocations, requests and clients stay model instances, because later messages of the batch (and
the batches after it, through ``stored_facts.StoredFacts``) read and change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jeugdregie.zorg.models import Client, Declaratie, Toewijzing, VerzoekOmToewijzing

from . import ingest_checks as checks
from . import ingest_claims as claims
from . import messages as m
from .batch_rows import CareRow, Message, version_row
from .stored_facts import AllocationKey, _Care

if TYPE_CHECKING:
    from .ingest_answers_batch import BatchClaimAnswers
    from .ingest_batch import _Pending
    from .services import Ingester


class ApplyRows:
    """Mixed into ``ingest_batch.FastBatch``, which holds these attributes."""

    ing: Ingester
    pending: _Pending
    allocations: dict[AllocationKey, Toewijzing | None]
    version_refs: dict[AllocationKey, set[str]]
    starts: dict[AllocationKey, _Care]
    stops: dict[AllocationKey, _Care]
    requests: dict[tuple[str, str], VerzoekOmToewijzing | None]
    claims: claims.BatchClaimState
    answers: BatchClaimAnswers
    _care_added: set[AllocationKey]

    def pseudonym(self, bsn: str) -> str:
        raise NotImplementedError

    def _quarantine(
        self, delivery: Any, name: str, data: bytes, error: Any, level: str, message: Any = None
    ) -> None:
        raise NotImplementedError

    def _client(self, bsn: str, identity: m.ClientIdentity | None, gemeente) -> Client:
        clients = self.ing.clients
        pseudonym = self.pseudonym(bsn)
        client = clients.get(pseudonym)
        if client is None:
            client = Client(pseudoniem=pseudonym)
            clients[pseudonym] = client
            self.pending.clients.append(client)
        if identity is not None:
            update = checks.client_values(identity, gemeente.pk if gemeente is not None else None)
            if checks.set_if_changed(client, update) and client.pk is not None:
                self.pending.changed_clients[client.pk] = client
        return client

    def _apply_toewijzing(self, bericht: Message, message: m.Toewijzing) -> None:
        ing = self.ing
        gemeente = ing.gemeenten[message.header.afzender]
        aanbieder = ing.aanbieder(message.header.ontvanger)
        client = self._client(message.client.bsn, message.client, gemeente)
        for p in message.producten:
            key = (gemeente.cbs_code, p.toewijzing_nummer)
            values = checks.allocation_values(
                p, client, aanbieder, ing.product(p.product_categorie, p.product_code, p.ingangsdatum)
            )
            toewijzing = self.allocations.get(key)
            if toewijzing is None:
                toewijzing = Toewijzing(gemeente=gemeente, toewijzingnummer=p.toewijzing_nummer, **values)
                self.allocations[key] = toewijzing
                self.pending.allocations.append(toewijzing)
            else:
                checks.keep_first(values, toewijzing.toewijzingsdatum, toewijzing.referentie_aanbieder)
                changed = {k: v for k, v in values.items() if _differs(toewijzing, k, v)}
                grants = checks.grants_request(
                    p.referentie_aanbieder,
                    toewijzing.referentie_aanbieder,
                    self.version_refs[key].__contains__,
                )
                if not changed and not grants:
                    continue
                changed["verwijderd"] = toewijzing.verwijderd or values["verwijderd"]
                for k, v in changed.items():
                    setattr(toewijzing, k, v)
                toewijzing.versie += 1
                if toewijzing.pk is not None:
                    self.pending.changed_allocations[toewijzing.pk] = toewijzing
            self.version_refs.setdefault(key, set()).add(p.referentie_aanbieder or "")
            self.starts.setdefault(key, _Care())
            self.stops.setdefault(key, _Care())
            self.pending.versions.append(
                version_row(toewijzing, bericht, toewijzing.versie, checks.version_values(p))
            )

    def _apply_verzoek(self, bericht: Message, message: m.VerzoekOmToewijzing) -> None:
        ing = self.ing
        gemeente = ing.gemeenten[message.header.ontvanger]
        aanbieder = ing.aanbieder(message.header.afzender)
        client = self._client(message.client.bsn, message.client, gemeente)
        for p in message.producten:
            defaults = checks.request_values(
                message,
                p,
                gemeente,
                client,
                None,  # the message: its key is set at flush
                ing.product(p.product_categorie, p.product_code, p.toewijzing_ingangsdatum),
            )
            del defaults["bericht"]
            key = (aanbieder.agb_code, p.referentie_aanbieder)
            request = self.requests.get(key)
            if request is None:
                request = VerzoekOmToewijzing(
                    aanbieder=aanbieder, referentie_aanbieder=p.referentie_aanbieder
                )
                self.requests[key] = request
                self.pending.requests.append(request)
            for k, v in defaults.items():
                setattr(request, k, v)
            self.pending.of_message.append((request, bericht))
            if request.pk is not None:
                self.pending.changed_requests[request.pk] = request

    def _apply_start_stop(self, bericht: Message, message: m.StartZorg | m.StopZorg) -> None:
        self._client(message.client.bsn, message.client, None)
        gemeente = message.header.ontvanger
        is_start = isinstance(message, m.StartZorg)
        for p in message.producten:
            key = (gemeente, p.toewijzing_nummer)
            toewijzing = self.allocations[key]  # checked by _problems
            care = (self.starts if is_start else self.stops)[key]
            if p.status_aanlevering == "3":  # verwijderen: withdraw the earlier start/stop
                kept = []
                for d, row in care.rows:
                    if d != p.begindatum:
                        kept.append((d, row))
                    elif (
                        stored := row if isinstance(row, int) else row.pk
                    ) is not None:  # maybe by this batch
                        (self.pending.deleted_starts if is_start else self.pending.deleted_stops).add(stored)
                    else:
                        (self.pending.starts if is_start else self.pending.stops).remove(row)  # type: ignore[arg-type]
                care.rows = kept
            elif is_start:
                self._care_added.add(key)
                start = CareRow(toewijzing, bericht, checks.care_values(p))
                care.rows.append((p.begindatum, start))
                self.pending.starts.append(start)
            else:
                self._care_added.add(key)
                stop = CareRow(toewijzing, bericht, checks.care_values(p))
                care.rows.append((p.begindatum, stop))
                self.pending.stops.append(stop)

    def _apply_declaratie(
        self, delivery, name, data, bericht, message: m.Declaratie, errors, summary
    ) -> None:
        """As ``Ingester._apply_declaratie``; the lines are written by ``flush``."""
        ing = self.ing
        gemeente = ing.gemeenten[message.header.ontvanger]
        aanbieder = ing.aanbieder(message.header.afzender)
        errors, rejected_refs = claims.claim_errors(message, name, errors, self.claims)
        for error in errors:
            self._quarantine(delivery, name, data, error, "regel", message)
        summary.errors.extend(errors)
        declaratie = Declaratie(aanbieder=aanbieder, gemeente=gemeente, **claims.declaratie_values(message))
        self.pending.of_message.append((declaratie, bericht))
        self.pending.declaraties.append(declaratie)
        self.pending.lines.append((declaratie, message, rejected_refs))
        self.claims.record(message, rejected_refs)
        self.answers.claim_applied(declaratie, message, rejected_refs)
        offered, stored = claims.offered_and_stored(message, rejected_refs)
        summary.lines += offered
        summary.accepted_lines += stored
        summary.quarantined_lines += offered - stored


def _differs(instance, name: str, value) -> bool:
    """``getattr(instance, name) != value`` without loading a related object: foreign keys compare
    by id, or by identity while the related row is not stored yet."""
    field = instance._meta.get_field(name)
    if not field.is_relation:
        return getattr(instance, name) != value
    if value is None:
        return getattr(instance, field.attname) is not None
    if value.pk is None:
        return instance._state.fields_cache.get(name) is not value
    return getattr(instance, field.attname) != value.pk
