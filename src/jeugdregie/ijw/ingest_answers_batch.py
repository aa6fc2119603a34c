"""Claim answers (JW325) on the batch path of the ingest (``ingest_batch.FastBatch``).

As ``ingest_answers.AnswerIngest`` for a JW325, with the claims and their lines read once per batch
(``preload``) instead of per message, and the claims the run itself stored (``claim_applied``)
known from memory. The claims found are kept with the batch path's other stored facts
(``stored_facts.StoredFacts``) from one batch to the next, so a batch reads only those it lacks. The checks are the shared functions of ``ingest_answers``
(``unknown_claim_error``, ``claim_answer_line_problems``) and so are the rows
(``claim_answer_values``, ``claim_answer_lines``, ``claim_answer_rejections``). The answer, its
lines and the rejection of the claim lines are written by ``flush``, after the batch's claims and
their lines (whose keys an answer line needs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q

from jeugdregie.zorg.models import AntwoordRegel, Declaratie, DeclaratieAntwoord, DeclaratieRegel

from . import batch_read
from . import messages as m
from .batch_sql import Keys, insert_objects, insert_rows
from .errors import ValidationError
from .ingest_answers import (
    LineKey,
    StoredLine,
    claim_answer_line_problems,
    claim_answer_lines,
    claim_answer_rejections,
    claim_answer_values,
    stored_lines,
    unknown_claim_error,
)
from .ingest_claims import chunks


@dataclass
class Claim:
    """A stored claim (or one the batch stores) with its lines; a line's key is None until read
    (``flush``). A claim's lines do not change once it is stored."""

    declaratie: Declaratie
    lines: dict[LineKey, StoredLine]


@dataclass
class _Pending:
    answers: list[DeclaratieAntwoord] = field(default_factory=list)
    # (answer, its claim, claim line, return codes, rejected)
    lines: list[tuple[DeclaratieAntwoord, Claim, LineKey, str, bool]] = field(default_factory=list)
    # (claim, code, the lines rejected with it; None: all lines of the claim), in message order
    rejections: list[tuple[Claim, str, list[LineKey] | None]] = field(default_factory=list)


class BatchClaimAnswers:
    """The claims a batch's JW325 messages name and what the batch's answers will write."""

    def __init__(
        self,
        message_known: Callable[[str, str], bool],
        gemeente_pk: Callable[[str], int],
        pseudonym_of: Callable[[str], str],
        by_message: dict[tuple[str, str], Claim | None],
        by_number: dict[tuple[str, str], list[Claim]],
    ) -> None:
        self.message_known = message_known
        self.gemeente_pk = gemeente_pk
        self.pseudonym_of = pseudonym_of
        # (aanbieder, claim's BerichtIdentificatie) -> the claim, None: none stored
        self.by_message = by_message
        # (aanbieder, DeclaratieNummer) -> every claim of that number, in key order
        self.by_number = by_number
        self.pending = _Pending()
        self._found: tuple[m.DeclaratieAntwoord, Claim, dict[LineKey, int | None]] | None = None

    def preload(self, answers: list[m.DeclaratieAntwoord]) -> None:
        """The stored claims the answers name (by the claim's sender and identification, or by its
        number) that ``by_message``/``by_number`` do not hold yet, with all their lines; one query
        for each (per 500 keys, all providers together), one for the lines."""
        idents = {(a.header.ontvanger, a.declaratie_identificatie) for a in answers}
        idents -= self.by_message.keys()
        numbers = {(a.header.ontvanger, a.declaratie_nummer) for a in answers if a.declaratie_nummer}
        numbers -= self.by_number.keys()
        self.by_message.update(dict.fromkeys(idents))
        for key in numbers:
            self.by_number[key] = []
        claims: dict[int, Claim] = {}
        for chunk in chunks(sorted(idents)):
            where, params = batch_read.pairs_where(chunk, "r0.afzender", "r0.identificatie")
            for declaratie, _ in batch_read.select(Declaratie, ["bericht"], "", where, params):
                key = (declaratie.bericht.afzender, declaratie.bericht.identificatie)
                self.by_message[key] = claims.setdefault(declaratie.pk, Claim(declaratie, {}))
        for chunk in chunks(sorted(numbers)):
            where, params = batch_read.pairs_where(chunk, "r0.agb_code", "t.declaratienummer")
            for declaratie, _ in batch_read.select(
                Declaratie, ["aanbieder"], "", where, params, order_by="ORDER BY t.id"
            ):
                key = (declaratie.aanbieder.agb_code, declaratie.declaratienummer)
                self.by_number[key].append(claims.setdefault(declaratie.pk, Claim(declaratie, {})))
        for keys in chunks(sorted(claims)):
            for declaratie_id, key, line in stored_lines(
                DeclaratieRegel.objects.filter(declaratie_id__in=keys)
            ):
                claims[declaratie_id].lines[key] = line

    def claim_applied(self, declaratie: Declaratie, message: m.Declaratie, rejected_refs: set[str]) -> None:
        """A claim this batch stores (not written yet), with its accepted lines. Its number's list
        is whole even when it was not read: TR333 let the claim through, so no other claim of the
        provider has the number."""
        lines: dict[LineKey, StoredLine] = {}
        for c in message.clienten:
            pseudonym = self.pseudonym_of(c.bsn)
            for p in c.prestaties:
                if p.referentie_nummer not in rejected_refs:
                    sign = 1 if p.debet_credit == "D" else -1
                    lines[(p.referentie_nummer, p.debet_credit)] = (
                        None,
                        sign * p.bedrag,
                        p.toewijzing_nummer,
                        pseudonym,
                    )
        claim = Claim(declaratie, lines)
        header = message.header
        self.by_message[(header.afzender, header.identificatie)] = claim
        self.by_number.setdefault((header.afzender, message.declaratie_nummer), []).append(claim)

    # ------------------------------------------------------------ as AnswerIngest._claim_answer_problems

    def problems(self, message: m.DeclaratieAntwoord, name: str) -> list[ValidationError]:
        agb = message.header.ontvanger
        gemeente_pk = self.gemeente_pk(message.header.afzender)
        # The claim message by its sender + identification, else the claim by its number; either
        # way of this provider and this municipality.
        if self.message_known(agb, message.declaratie_identificatie):
            candidates = [c for c in [self.by_message.get((agb, message.declaratie_identificatie))] if c]
        elif message.declaratie_nummer:
            candidates = self.by_number.get((agb, message.declaratie_nummer), [])
        else:
            candidates = []
        claim = next((c for c in candidates if c.declaratie.gemeente_id == gemeente_pk), None)
        if claim is None:
            return [unknown_claim_error(message, name)]
        problems, regels = claim_answer_line_problems(
            message, name, claim.declaratie.declaratienummer, claim.lines, self.pseudonym_of
        )
        self._found = (message, claim, regels)
        return problems

    # ------------------------------------------------------------ as AnswerIngest._apply_claim_answer

    def apply(self, message: m.DeclaratieAntwoord) -> DeclaratieAntwoord:
        """The answer's row, pending; the caller sets its message (``bericht_id``) before ``flush``."""
        assert self._found is not None and self._found[0] is message
        _, claim, _regels = self._found
        self._found = None
        antwoord = DeclaratieAntwoord(
            declaratie=claim.declaratie,
            **claim_answer_values(message, claim.declaratie.totaal_cent),
        )
        self.pending.answers.append(antwoord)
        for key, codes, afgewezen in claim_answer_lines(message):
            self.pending.lines.append((antwoord, claim, key, codes, afgewezen))
        whole, rejected = claim_answer_rejections(message)
        if whole is not None:
            self.pending.rejections.append((claim, whole, None))
        for code, keys in rejected.items():
            self.pending.rejections.append((claim, code, keys))
        return antwoord

    def key_counts(self) -> dict[type[Model], int]:
        """The rows ``flush`` will insert with keys of their own, by model (``batch_sql.Keys``)."""
        return {DeclaratieAntwoord: len(self.pending.answers)}

    def flush(self, keys: Keys) -> None:
        """Write the pending answers; the claims and lines they name are written already."""
        p = self.pending
        self.pending = _Pending()
        if not p.answers:
            return
        insert_objects(DeclaratieAntwoord, p.answers, keys)
        unkeyed = {claim.declaratie.pk: claim for _, claim, *_ in p.lines if None in _pks(claim)}
        unkeyed.update((claim.declaratie.pk, claim) for claim, *_ in p.rejections if None in _pks(claim))
        for chunk in chunks(sorted(unkeyed)):
            for declaratie_id, pk, ref, dc in DeclaratieRegel.objects.filter(
                declaratie_id__in=chunk
            ).values_list("declaratie_id", "pk", "referentienummer", "debet_credit"):
                lines = unkeyed[declaratie_id].lines
                _, bedrag, nummer, pseudonym = lines[(ref, dc)]
                lines[(ref, dc)] = (pk, bedrag, nummer, pseudonym)
        insert_rows(
            AntwoordRegel,
            ["antwoord_id", "regel_id", "retourcodes", "afgewezen"],
            [
                (antwoord.pk, claim.lines[key][0], codes, afgewezen)
                for antwoord, claim, key, codes, afgewezen in p.lines
            ],
        )
        for claim, code, rejected in p.rejections:
            if rejected is None:
                where = Q(declaratie_id=claim.declaratie.pk)
            else:
                where = Q(pk__in=[claim.lines[k][0] for k in rejected])
            DeclaratieRegel.objects.filter(where).update(afgewezen=True, afgewezen_retourcode=code)


def _pks(claim: Claim) -> set[int | None]:
    return {pk for pk, *_ in claim.lines.values()}
