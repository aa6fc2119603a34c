"""Quarantined items processed again from their redacted payload (``Reprocessing``, mixed into
``services.Ingester``): an item that now passes is marked reprocessed, one that fails again stays
open with the new reason and one more try. A whole message goes through the per-message path's
checks and apply step; a single claim line lands on the Declaratie its message created."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from jeugdregie.zorg.models import DeclaratieRegel

from . import ingest_claims as claims
from . import messages as m
from .errors import ValidationError
from .idempotence import KnownKeys
from .ingest_claims import DatabaseClaimState
from .message_problems import MessageProblems
from .models import Bericht, QuarantaineItem
from .reader import read_bytes
from .validation import check_claim_against_state

if TYPE_CHECKING:
    from .services import IngestSummary


class Reprocessing(KnownKeys, MessageProblems):
    """``reprocess`` (see the module docstring)."""

    if TYPE_CHECKING:

        def _apply(
            self, delivery, name, data, message: m.Message, errors: list[ValidationError], summary
        ) -> None: ...

    def reprocess(self, items) -> IngestSummary:
        """Process quarantined items again from their redacted payload. An item that now passes is
        marked reprocessed; one that fails again stays open with the new reason and one more try."""
        from .services import IngestSummary  # the module that mixes this in

        summary = IngestSummary()
        for item in list(items.order_by("aangemaakt_op", "pk")):
            payload = bytes(item.payload)
            results = list(read_bytes(payload, item.bestandsnaam))
            message = results[0].message if len(results) == 1 else None
            blocking = [e for r in results for e in r.errors if e.scope == "message"]
            if message is None or blocking:
                _retry_failed(item, blocking[0] if blocking else None)
                continue
            if item.niveau == QuarantaineItem.Niveau.REGEL:
                self._reprocess_line(item, message, summary)
                continue
            header = message.header
            if Bericht.objects.filter(afzender=header.afzender, identificatie=header.identificatie).exists():
                _close(item)  # landed meanwhile (e.g. the sender delivered it again)
                continue
            sub = IngestSummary()
            with transaction.atomic():
                problems = self._message_problems(message, item.bestandsnaam)
                if problems:
                    _retry_failed(item, problems[0])
                    continue
                self._new_messages = []
                self._apply(item.aanlevering, item.bestandsnaam, payload, message, [], sub)
                _close(item)
            self._remember(None, self._new_messages)
            self._new_messages = []
            summary.reprocessed += 1
            summary.accepted_lines += sub.accepted_lines
            summary.quarantined_lines += sub.quarantined_lines
        return summary

    def _reprocess_line(self, item: QuarantaineItem, message: m.Message, summary: IngestSummary) -> None:
        """Land one previously rejected claim line on the Declaratie its message created."""
        if not isinstance(message, m.Declaratie):
            _retry_failed(item, None)
            return
        single = _only_line(message, item.regel_referentie)
        bericht = Bericht.objects.filter(
            afzender=message.header.afzender, identificatie=message.header.identificatie
        ).first()
        if single is None or bericht is None:
            _retry_failed(item, None)
            return
        if DeclaratieRegel.objects.filter(
            aanbieder__agb_code=message.header.afzender,
            referentienummer=item.regel_referentie,
            debet_credit=single.clienten[0].prestaties[0].debet_credit,
        ).exists():
            _close(item)
            return
        state = DatabaseClaimState(self.key)
        state.preload(single)
        errors = check_claim_against_state(single, state, item.bestandsnaam)
        if errors:
            _retry_failed(item, errors[0])
            return
        with transaction.atomic():
            claims.insert_lines(claims.line_rows(bericht.declaratie, single, set(), state.allocation_ids))
            _close(item)
        summary.reprocessed += 1
        summary.accepted_lines += 1


def _only_line(message: m.Declaratie, referentie: str) -> m.Declaratie | None:
    for c in message.clienten:
        for p in c.prestaties:
            if p.referentie_nummer == referentie:
                return replace(message, clienten=(replace(c, prestaties=(p,)),))
    return None


def _retry_failed(item: QuarantaineItem, error: ValidationError | None) -> None:
    item.pogingen += 1
    if error is not None:
        item.regel, item.melding, item.element = error.rule[:60], error.message, error.element[:300]
        item.tr, item.retourcode = error.tr or "", error.retourcode or ""
    item.save(update_fields=["pogingen", "regel", "tr", "retourcode", "melding", "element"])


def _close(item: QuarantaineItem) -> None:
    item.status = QuarantaineItem.Status.HERVERWERKT
    item.afgehandeld_op = timezone.now()
    item.save(update_fields=["status", "afgehandeld_op"])
