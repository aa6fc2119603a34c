"""The checks of the per-message path against stored state that reject a whole message, made
before anything is written (``MessageProblems``, mixed into ``services.Ingester``): the
municipality belongs to the region, TR332 (a known ToewijzingNummer only for the same client and
provider), TR333 (a DeclaratieNummer once per provider), the allocation a start or stop names
(TR063, TR071, TR074, TR326) and the checks of the answer messages (``ingest_answers``). The batch
path applies the same rules (``ingest_checks``) to its in-memory copy of stored facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jeugdregie.zorg.models import Declaratie, Toewijzing, ZorgStart, ZorgStop

from . import ingest_checks as checks
from . import ingest_claims as claims
from . import messages as m
from .errors import ValidationError
from .ingest_answers import ANSWER_TYPES
from .pseudonym import client_key

if TYPE_CHECKING:
    from jeugdregie.regio.models import Gemeente

    from .ingest_answers import AnswerIngest


class MessageProblems:
    """The checks against stored state of one message (see the module docstring). What they read
    of an allocation is kept for the apply step that follows for the same message."""

    key: bytes
    gemeenten: dict[str, Gemeente]
    answers: AnswerIngest
    _allocation_pks: dict[str, int]
    _existing_allocations: tuple[object, dict[str, Toewijzing]]

    def _party_problems(self, message: m.Message, name: str) -> list[ValidationError]:
        """The municipality of the message must belong to the region."""
        from_gemeente = message.kind in m.SENT_BY_GEMEENTE
        gemeente_code = message.header.afzender if from_gemeente else message.header.ontvanger
        if gemeente_code in self.gemeenten:
            return []
        element = "/Bericht/Header/Afzender" if from_gemeente else "/Bericht/Header/Ontvanger"
        return [
            ValidationError(
                name,
                message.header.identificatie,
                element,
                "party.unknown_municipality",
                f"Gemeente {gemeente_code} hoort niet bij deze regio.",
            )
        ]

    def _message_problems(self, message: m.Message, name: str) -> list[ValidationError]:
        """Checks against stored state that reject a whole message, made before anything is written."""
        header = message.header
        gemeente_code = header.afzender if message.kind in m.SENT_BY_GEMEENTE else header.ontvanger
        party = self._party_problems(message, name)
        if party:
            return party
        if isinstance(message, m.Toewijzing):
            return self._allocation_number_problems(message, name)
        if isinstance(message, m.Declaratie):
            return self._declaratie_number_problems(message, name)
        if isinstance(message, ANSWER_TYPES):
            return self.answers.problems(message, name)
        if not isinstance(message, (m.StartZorg, m.StopZorg)):
            return []
        # A start or stop must name an allocation we have, of the same provider and client.
        pseudonym = client_key(message.client.bsn, self.key)
        rows = Toewijzing.objects.filter(
            gemeente__cbs_code=gemeente_code,
            toewijzingnummer__in=[p.toewijzing_nummer for p in message.producten],
        ).values_list("toewijzingnummer", "aanbieder__agb_code", "client__pseudoniem", "pk")
        known = {nummer: (agb, client) for nummer, agb, client, _ in rows}
        # Kept for _apply_start_stop, which runs right after for the same message.
        self._allocation_pks = {nummer: pk for nummer, _, _, pk in rows}
        return checks.start_stop_allocation_problems(
            message, name, pseudonym, known
        ) or self._start_stop_problems(message, name)

    def _allocation_number_problems(self, message: m.Toewijzing, name: str) -> list[ValidationError]:
        """TR332: a ToewijzingNummer is unique per municipality, so a JW301 may repeat a known
        number only for the same client and provider. The one query also serves
        ``_apply_toewijzing``, which runs right after for the same message."""
        header = message.header
        pseudonym = client_key(message.client.bsn, self.key)
        existing = {
            t.toewijzingnummer: t
            for t in Toewijzing.objects.filter(
                gemeente__cbs_code=header.afzender,
                toewijzingnummer__in=[p.toewijzing_nummer for p in message.producten],
            ).select_related("aanbieder", "client")
        }
        self._existing_allocations = (message, existing)
        stored = {nummer: (t.aanbieder.agb_code, t.client.pseudoniem) for nummer, t in existing.items()}
        return checks.allocation_number_problems(message, name, pseudonym, stored)

    def _declaratie_number_problems(self, message: m.Declaratie, name: str) -> list[ValidationError]:
        """TR333: the DeclaratieNummer is unique for the provider."""
        if Declaratie.objects.filter(
            aanbieder__agb_code=message.header.afzender, declaratienummer=message.declaratie_nummer
        ).exists():
            return [claims.number_used_error(message, name)]
        return []

    def _start_stop_problems(self, message: m.StartZorg | m.StopZorg, name: str) -> list[ValidationError]:
        """The stored facts ``ingest_checks.start_stop_problems`` (TR063, TR071, TR074, TR326)
        needs: the stored starts (of a JW305) or stops (of a JW307) of the named allocations, one
        query per message, a second only for a start on an allocation that was started before."""
        nummers = {pk: nummer for nummer, pk in self._allocation_pks.items()}
        is_start = isinstance(message, m.StartZorg)
        model = ZorgStart if is_start else ZorgStop
        own = set(
            model.objects.filter(toewijzing_id__in=list(nummers)).values_list("toewijzing_id", "begindatum")
        )
        started = {pk for pk, _ in own} if is_start else set()
        stopped = (
            set(ZorgStop.objects.filter(toewijzing_id__in=started).values_list("toewijzing_id", flat=True))
            if started
            else set()
        )
        return checks.start_stop_problems(
            message, name, {(nummers[pk], d) for pk, d in own}, {nummers[pk] for pk in stopped}
        )
