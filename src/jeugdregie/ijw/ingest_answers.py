"""Ingest of claim answers (JW325), change requests (JW317) and answers to requests (JW319).

The ``Ingester`` (``jeugdregie.ijw.services``) calls ``problems`` before it stores a message of
these types and ``apply`` right after it created the ``Bericht``; idempotence (sender +
BerichtIdentificatie), the transaction per file and the quarantine are the Ingester's.

- JW325: the answer is matched to the stored claim by provider and the claim's
  BerichtIdentificatie (else its DeclaratieNummer), each listed line to a stored claim line by
  ReferentieNummer and debit/credit (TR366). A rejected line is marked ``afgewezen`` with its first
  rejecting return code; all its codes stay on the AntwoordRegel. An answer naming a claim or line
  not (yet) stored waits in the quarantine (``answer.unknown_claim_line``) and is retried at the
  end of every ingest run, as a claim waits for its allocation.
- JW317: stored with each product to change (linked to its allocation; ``verlenging`` when the
  wished end lies after the allocation's end) or to add. A request naming an unknown allocation
  waits (``request.unknown_allocation``); a ReferentieAanbieder used before is refused (TR347).
- JW319: linked to the JW317 or JW315 with the same provider and ReferentieAanbieder (TR355); an
  answer to an unknown request waits (``request.unknown``).

No BSN or name is stored: clients are keyed by the pseudonym, as everywhere.

The checks and rows of JW325 are plain functions at the end of this module, those of JW317/JW319 in
``ingest_requests``: the batch path (``ingest_answers_batch``, ``ingest_requests.BatchRequests``)
calls the same functions with the facts it keeps in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from django.db.models import QuerySet

from jeugdregie.zorg.models import (
    AntwoordRegel,
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    DeclaratieRegel,
    GevraagdeWijziging,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
)

from . import messages as m
from .errors import ValidationError
from .ingest_checks import message_error
from .ingest_requests import (
    REQUEST_OTHER_PARTY,
    REQUEST_REFERENCE_USED,
    REQUEST_UNKNOWN,
    REQUEST_UNKNOWN_ALLOCATION,
    named_allocations,
    reference_used_error,
    request_allocation_problems,
    request_answer_values,
    request_values,
    requested_changes,
    unknown_request_error,
)
from .models import Bericht
from .pseudonym import client_key
from .reader_answers import CLIENT_PATH_325

if TYPE_CHECKING:
    from .services import Ingester

ANSWER_UNKNOWN_CLAIM_LINE: Final = "answer.unknown_claim_line"
ANSWER_OTHER_VALUES: Final = "answer.other_values"
ANSWER_OTHER_CLIENT: Final = "answer.other_client"

#: Rules that mean "not yet": what the message refers to may arrive in a later file.
WAITING_RULES: Final = frozenset({ANSWER_UNKNOWN_CLAIM_LINE, REQUEST_UNKNOWN, REQUEST_UNKNOWN_ALLOCATION})

#: Dutch descriptions, for the documentation and the admin.
RULES: Final = {
    ANSWER_UNKNOWN_CLAIM_LINE: "Het antwoord (JW325) noemt een declaratie of declaratieregel die (nog) niet bekend is.",
    ANSWER_OTHER_VALUES: "Een regel in het antwoord (JW325) wijkt af van de gedeclareerde regel.",
    ANSWER_OTHER_CLIENT: "Een regel in het antwoord (JW325) hoort bij een andere cliënt.",
    REQUEST_UNKNOWN: "Het antwoord (JW319) verwijst naar een verzoek dat (nog) niet bekend is.",
    REQUEST_UNKNOWN_ALLOCATION: "Het verzoek om wijziging (JW317) noemt een (nog) onbekende toewijzing.",
    REQUEST_OTHER_PARTY: "De toewijzing in het verzoek om wijziging hoort bij een andere cliënt of aanbieder.",
    REQUEST_REFERENCE_USED: "De ReferentieAanbieder is al eerder door de aanbieder gebruikt.",
}

ANSWER_TYPES: Final = (m.DeclaratieAntwoord, m.VerzoekOmWijziging, m.AntwoordVerzoek)


@dataclass
class _Found:
    """What ``problems`` looked up, for ``apply`` of the same message."""

    message: object
    declaratie: Declaratie | None = None
    regels: dict[tuple[str, str], int | None] | None = None  # (ReferentieNummer, D/C) -> DeclaratieRegel pk
    toewijzingen: dict[str, Toewijzing] | None = None
    verzoek_wijziging: VerzoekOmWijziging | None = None
    verzoek_toewijzing: VerzoekOmToewijzing | None = None


class AnswerIngest:
    """The JW317/JW319/JW325 part of one Ingester."""

    def __init__(self, ingester: Ingester) -> None:
        self.ingester = ingester
        self._found: _Found | None = None

    # ------------------------------------------------------------ checks against stored state

    def problems(self, message: m.Message, name: str) -> list[ValidationError]:
        self._found = _Found(message)
        if isinstance(message, m.DeclaratieAntwoord):
            return self._claim_answer_problems(message, name)
        if isinstance(message, m.VerzoekOmWijziging):
            return self._request_problems(message, name)
        if isinstance(message, m.AntwoordVerzoek):
            return self._request_answer_problems(message, name)
        return []

    def _error(self, name: str, message: m.Message, element: str, rule: str, text: str, tr: str | None):
        return ValidationError(name, message.header.identificatie, element, rule, text, tr=tr)

    def _claim_answer_problems(self, message: m.DeclaratieAntwoord, name: str) -> list[ValidationError]:
        found = self._found
        assert found is not None
        agb, gemeente = message.header.ontvanger, message.header.afzender
        # The claim message by its sender + identificatie (the unique index of Bericht), else the
        # claim by its DeclaratieNummer; either way of this provider and this municipality.
        claims = Declaratie.objects.filter(gemeente_id=self.ingester.gemeenten[gemeente].pk)
        bericht = Bericht.objects.filter(afzender=agb, identificatie=message.declaratie_identificatie).first()
        declaratie = (
            claims.filter(bericht=bericht).first()
            if bericht is not None
            else claims.filter(aanbieder__agb_code=agb, declaratienummer=message.declaratie_nummer).first()
            if message.declaratie_nummer
            else None
        )
        if declaratie is None:
            return [unknown_claim_error(message, name)]
        found.declaratie = declaratie
        refs = {a.prestatie.referentie_nummer for a in message.regels}
        stored = {
            key: line
            for _claim, key, line in stored_lines(
                DeclaratieRegel.objects.filter(declaratie_id=declaratie.pk, referentienummer__in=refs)
            )
        }
        problems, found.regels = claim_answer_line_problems(
            message, name, declaratie.declaratienummer, stored, lambda bsn: client_key(bsn, self.ingester.key)
        )
        return problems

    def _request_problems(self, message: m.VerzoekOmWijziging, name: str) -> list[ValidationError]:
        found = self._found
        assert found is not None
        agb, gemeente = message.header.afzender, message.header.ontvanger
        ref = message.referentie_aanbieder
        if (
            VerzoekOmWijziging.objects.filter(aanbieder__agb_code=agb, referentie_aanbieder=ref).exists()
            or VerzoekOmToewijzing.objects.filter(aanbieder__agb_code=agb, referentie_aanbieder=ref).exists()
        ):
            return [reference_used_error(message, name)]
        allocations = {
            t.toewijzingnummer: t
            for t in Toewijzing.objects.filter(
                gemeente__cbs_code=gemeente, toewijzingnummer__in=[n for n, _ in named_allocations(message)]
            ).select_related("aanbieder", "client")
        }
        found.toewijzingen = allocations
        return request_allocation_problems(
            message, name, allocations, client_key(message.bsn, self.ingester.key)
        )

    def _request_answer_problems(self, message: m.AntwoordVerzoek, name: str) -> list[ValidationError]:
        found = self._found
        assert found is not None
        agb, ref = message.header.ontvanger, message.referentie_aanbieder
        found.verzoek_wijziging = VerzoekOmWijziging.objects.filter(
            aanbieder__agb_code=agb, referentie_aanbieder=ref
        ).first()
        if found.verzoek_wijziging is None:
            found.verzoek_toewijzing = VerzoekOmToewijzing.objects.filter(
                aanbieder__agb_code=agb, referentie_aanbieder=ref
            ).first()
        if found.verzoek_wijziging is None and found.verzoek_toewijzing is None:
            return [unknown_request_error(message, name)]
        return []

    # ------------------------------------------------------------ storing

    def apply(self, bericht: Bericht, message: m.Message) -> None:
        found = self._found
        if found is None or found.message is not message:  # problems() was not run for it
            if self.problems(message, bericht.aanlevering.bestandsnaam):
                raise ValueError(f"bericht {message.header.identificatie} kan niet worden opgeslagen")
            found = self._found
        assert found is not None
        self._found = None
        if isinstance(message, m.DeclaratieAntwoord):
            self._apply_claim_answer(bericht, message, found)
        elif isinstance(message, m.VerzoekOmWijziging):
            self._apply_request(bericht, message, found)
        elif isinstance(message, m.AntwoordVerzoek):
            self._apply_request_answer(bericht, message, found)

    def _apply_claim_answer(self, bericht: Bericht, message: m.DeclaratieAntwoord, found: _Found) -> None:
        assert found.declaratie is not None and found.regels is not None
        antwoord = DeclaratieAntwoord.objects.create(
            declaratie=found.declaratie,
            bericht=bericht,
            **claim_answer_values(message, found.declaratie.totaal_cent),
        )
        regels = found.regels
        AntwoordRegel.objects.bulk_create(
            AntwoordRegel(antwoord=antwoord, regel_id=regels[key], retourcodes=codes, afgewezen=afgewezen)
            for key, codes, afgewezen in claim_answer_lines(message)
        )
        whole, rejected = claim_answer_rejections(message)
        if whole is not None:  # every line of the claim is rejected, with the header's first rejecting code
            DeclaratieRegel.objects.filter(declaratie_id=found.declaratie.pk).update(
                afgewezen=True, afgewezen_retourcode=whole
            )
        for code, keys in rejected.items():
            DeclaratieRegel.objects.filter(pk__in=[regels[k] for k in keys]).update(
                afgewezen=True, afgewezen_retourcode=code
            )

    def _apply_request(self, bericht: Bericht, message: m.VerzoekOmWijziging, found: _Found) -> None:
        ingester = self.ingester
        gemeente = ingester.gemeenten[message.header.ontvanger]
        verzoek = VerzoekOmWijziging.objects.create(
            aanbieder=ingester.aanbieder(message.header.afzender),
            gemeente=gemeente,
            client=ingester.client(message.bsn, None, gemeente),
            bericht=bericht,
            **request_values(message),
        )
        GevraagdeWijziging.objects.bulk_create(
            requested_changes(message, verzoek, found.toewijzingen or {}, ingester.product)
        )

    def _apply_request_answer(self, bericht: Bericht, message: m.AntwoordVerzoek, found: _Found) -> None:
        ingester = self.ingester
        AntwoordVerzoek.objects.create(
            aanbieder=ingester.aanbieder(message.header.ontvanger),
            gemeente=ingester.gemeenten[message.header.afzender],
            bericht=bericht,
            verzoek_wijziging=found.verzoek_wijziging,
            verzoek_toewijzing=found.verzoek_toewijzing,
            **request_answer_values(message),
        )


# ---------------------------------------------------------------- JW325, shared with ingest_answers_batch

#: A stored claim line as the JW325 checks see it: (pk or None while not written, bedrag_cent
#: (signed), ToewijzingNummer, pseudonym).
StoredLine = tuple[int | None, int, str, str]
LineKey = tuple[str, str]  # (ReferentieNummer, D/C)


def stored_lines(lines: QuerySet[DeclaratieRegel]) -> Iterator[tuple[int, LineKey, StoredLine]]:
    """(Declaratie pk, line key, StoredLine) of each claim line in `lines`: what the JW325
    checks compare an answer with, read the same way by both ingest paths."""
    for claim, pk, ref, dc, bedrag, nummer, pseudonym in lines.values_list(
        "declaratie_id",
        "pk",
        "referentienummer",
        "debet_credit",
        "bedrag_cent",
        "toewijzing__toewijzingnummer",
        "client__pseudoniem",
    ):
        yield claim, (ref, dc), (pk, bedrag, nummer, pseudonym)


def unknown_claim_error(message: m.DeclaratieAntwoord, name: str) -> ValidationError:
    """TR366: the claim the answer names is not (yet) stored."""
    return message_error(
        name,
        message,
        "/Bericht/Header/DeclaratieIdentificatie/Identificatie",
        ANSWER_UNKNOWN_CLAIM_LINE,
        f"Declaratie {message.declaratie_identificatie} ({message.declaratie_nummer}) van aanbieder "
        f"{message.header.ontvanger} is (nog) niet bekend.",
        "TR366",
    )


def claim_answer_line_problems(
    message: m.DeclaratieAntwoord,
    name: str,
    declaratie_nummer: str,
    stored: dict[LineKey, StoredLine],
    pseudonym_of: Callable[[str], str],
) -> tuple[list[ValidationError], dict[LineKey, int | None]]:
    """The lines of a JW325 against the stored lines of its claim (TR366 unknown line, TR367 other
    amount or allocation, TR304 other client); the pk of each line found."""
    regels: dict[LineKey, int | None] = {}
    problems = []
    for ci, client in enumerate(message.clienten, start=1):
        pseudonym = pseudonym_of(client.bsn)
        for li, answer in enumerate(client.prestaties, start=1):
            p = answer.prestatie
            path = f"{CLIENT_PATH_325}[{ci}]/Prestaties/Prestatie[{li}]"
            row = stored.get((p.referentie_nummer, p.debet_credit))
            if row is None:
                problems.append(
                    message_error(
                        name,
                        message,
                        f"{path}/ProductReferentie/ReferentieNummer",
                        ANSWER_UNKNOWN_CLAIM_LINE,
                        f"Declaratieregel {p.referentie_nummer} ({p.debet_credit}) staat (nog) niet in "
                        f"declaratie {declaratie_nummer}.",
                        "TR366",
                    )
                )
                continue
            pk, bedrag, nummer, stored_pseudonym = row
            if abs(bedrag) != p.bedrag or nummer != p.toewijzing_nummer:
                problems.append(
                    message_error(
                        name,
                        message,
                        f"{path}/IngediendBedrag/Bedrag",
                        ANSWER_OTHER_VALUES,
                        f"Regel {p.referentie_nummer} wijkt af van de gedeclareerde regel (bedrag of "
                        "toewijzing).",
                        "TR367",
                    )
                )
            elif stored_pseudonym != pseudonym:
                problems.append(
                    message_error(
                        name,
                        message,
                        f"{CLIENT_PATH_325}[{ci}]/Bsn",
                        ANSWER_OTHER_CLIENT,
                        f"Regel {p.referentie_nummer} hoort bij een andere cliënt.",
                        "TR304",
                    )
                )
            regels[(p.referentie_nummer, p.debet_credit)] = pk
    return problems, regels


def claim_answer_values(message: m.DeclaratieAntwoord, claim_total_cent: int) -> dict:
    """The DeclaratieAntwoord columns (besides its claim and Bericht)."""
    whole = message.geheel_afgewezen
    return {
        "beantwoord_op": message.header.dagtekening,
        "totaal_ingediend_cent": claim_total_cent if whole else message.totaal_ingediend,
        "totaal_toegekend_cent": 0 if whole else message.totaal_toegekend,
        "retourcodes": " ".join(dict.fromkeys((*message.retourcodes, *message.antwoord_retourcodes)))[:100],
    }


def claim_answer_lines(message: m.DeclaratieAntwoord) -> list[tuple[LineKey, str, bool]]:
    """(line, its return codes, rejected) of every AntwoordRegel."""
    return [
        (
            (a.prestatie.referentie_nummer, a.prestatie.debet_credit),
            " ".join(a.retourcodes)[:100],
            a.afgewezen,
        )
        for a in message.regels
    ]


def claim_answer_rejections(message: m.DeclaratieAntwoord) -> tuple[str | None, dict[str, list[LineKey]]]:
    """The code every line of the claim is rejected with when the claim is rejected whole (the
    header's first rejecting code), and the lines rejected, by their first rejecting code (applied
    after the whole)."""
    whole = None
    if message.geheel_afgewezen:
        whole = next(c for c in message.retourcodes if c not in m.NON_REJECTING_RETOURCODES)
    rejected: dict[str, list[LineKey]] = {}
    for a in message.regels:
        if a.afgewezen:
            key = (a.prestatie.referentie_nummer, a.prestatie.debet_credit)
            rejected.setdefault(a.afwijzingscodes[0], []).append(key)
    return whole, rejected
