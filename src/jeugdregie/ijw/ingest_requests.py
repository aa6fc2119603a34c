"""Change requests (JW317) and answers to requests (JW319) at ingest: the checks and rows shared by
the per-message path (``ingest_answers.AnswerIngest``) and the batch path (``BatchRequests``, used
by ``ingest_batch.FastBatch``).

- JW317: a ReferentieAanbieder used before by the provider, for a JW317 or a JW315, is refused
  (TR347); every allocation it names must be known (``request.unknown_allocation``, waits) and be
  of the same client and provider (TR304). Stored with each product to change (``verlenging``
  when the wished end lies after the allocation's end) or to add.
- JW319: linked to the JW317, else the JW315, with the same provider and ReferentieAanbieder
  (TR355); an answer to an unknown request waits (``request.unknown``).

``BatchRequests`` reads the stored JW317s a batch's JW317/JW319 messages name once per batch, those
the batch path's copy of stored facts (``stored_facts.StoredFacts``, kept from one batch to the
next) does not hold yet; the allocations and the JW315 requests come from the same copy, which
holds those the run itself stores. Its rows are written by ``flush``, after the allocations,
requests and clients they point to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Model

from jeugdregie.catalogus.models import Product
from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    GevraagdeWijziging,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
)

from . import batch_read
from . import messages as m
from .batch_sql import Keys, insert_objects
from .errors import ValidationError
from .ingest_checks import message_error
from .ingest_claims import chunks
from .reader_answers import VERZOEK_PATH

REQUEST_UNKNOWN: Final = "request.unknown"
REQUEST_UNKNOWN_ALLOCATION: Final = "request.unknown_allocation"
REQUEST_OTHER_PARTY: Final = "request.other_party"
REQUEST_REFERENCE_USED: Final = "request.reference_used"


# ---------------------------------------------------------------- JW317


def reference_used_error(message: m.VerzoekOmWijziging, name: str) -> ValidationError:
    """TR347: the provider used this ReferentieAanbieder before (JW317 or JW315)."""
    return message_error(
        name,
        message,
        f"{VERZOEK_PATH}/ReferentieAanbieder",
        REQUEST_REFERENCE_USED,
        f"ReferentieAanbieder {message.referentie_aanbieder} is al eerder gebruikt door aanbieder "
        f"{message.header.afzender}.",
        "TR347",
    )


def named_allocations(message: m.VerzoekOmWijziging) -> list[tuple[str, str]]:
    """(ToewijzingNummer, path) of every allocation the request names, in message order."""
    return [
        *((n, f"{VERZOEK_PATH}/OngewijzigdeProducten/OngewijzigdProduct[{i}]")
          for i, n in enumerate(message.ongewijzigde_producten, start=1)),
        *((p.toewijzing_nummer, f"{VERZOEK_PATH}/TeWijzigenProducten/TeWijzigenProduct[{i}]")
          for i, p in enumerate(message.te_wijzigen_producten, start=1)),
    ]  # fmt: skip


def request_allocation_problems(
    message: m.VerzoekOmWijziging, name: str, allocations: dict[str, Toewijzing], pseudonym: str
) -> list[ValidationError]:
    """Each allocation named must be known (``allocations``: by ToewijzingNummer, those of the
    municipality that exist) and be of this client and provider (TR304)."""
    agb, gemeente = message.header.afzender, message.header.ontvanger
    problems = []
    for nummer, path in named_allocations(message):
        t = allocations.get(nummer)
        if t is None:
            problems.append(
                message_error(
                    name,
                    message,
                    f"{path}/ToewijzingNummer",
                    REQUEST_UNKNOWN_ALLOCATION,
                    f"Toewijzing {nummer} is (nog) niet bekend bij gemeente {gemeente}.",
                    None,
                )
            )
        elif (t.aanbieder.agb_code, t.client.pseudoniem) != (agb, pseudonym):
            problems.append(
                message_error(
                    name,
                    message,
                    f"{path}/ToewijzingNummer",
                    REQUEST_OTHER_PARTY,
                    f"Toewijzing {nummer} hoort bij een andere cliënt of aanbieder.",
                    "TR304",
                )
            )
    return problems


def request_values(message: m.VerzoekOmWijziging) -> dict[str, Any]:
    """The VerzoekOmWijziging columns (besides its parties, client and Bericht)."""
    return {
        "referentie_aanbieder": message.referentie_aanbieder,
        "reden_verzoek": message.reden_verzoek,
        "aangevraagd_op": message.header.dagtekening,
    }


def requested_changes(
    message: m.VerzoekOmWijziging,
    verzoek: VerzoekOmWijziging,
    allocations: dict[str, Toewijzing],
    product: Callable[[str | None, str | None, Any], Product | None],
) -> list[GevraagdeWijziging]:
    """The GevraagdeWijziging rows: each product to change (of a checked, known allocation), then
    each product to add."""
    rows = []
    for p in message.te_wijzigen_producten:
        t = allocations[p.toewijzing_nummer]
        rows.append(
            GevraagdeWijziging(
                verzoek=verzoek,
                soort=GevraagdeWijziging.Soort.WIJZIGEN,
                toewijzing=t,
                product_id=t.product_id,
                product_categorie=t.product_categorie,
                product_code=t.product_code,
                verlenging=p.einddatum is not None and t.einddatum is not None and p.einddatum > t.einddatum,
                **_wish(p.gewenste_ingangsdatum, p.einddatum, p.omvang, p.budget),
            )
        )
    for n in message.nieuwe_producten:
        rows.append(
            GevraagdeWijziging(
                verzoek=verzoek,
                soort=GevraagdeWijziging.Soort.NIEUW,
                product=product(n.product_categorie, n.product_code, n.gewenste_ingangsdatum),
                product_categorie=n.product_categorie or "",
                product_code=n.product_code or "",
                **_wish(n.gewenste_ingangsdatum, n.einddatum, n.omvang, n.budget),
            )
        )
    return rows


def _wish(ingang, einddatum, omvang: m.Omvang | None, budget: int | None) -> dict:
    return {
        "gewenste_ingangsdatum": ingang,
        "einddatum": einddatum,
        "volume": omvang.volume if omvang else None,
        "eenheid": omvang.eenheid if omvang else "",
        "frequentie": omvang.frequentie if omvang else "",
        "budget_cent": budget,
    }


# ---------------------------------------------------------------- JW319


def unknown_request_error(message: m.AntwoordVerzoek, name: str) -> ValidationError:
    """TR355: the request answered is not (yet) stored."""
    return message_error(
        name,
        message,
        "/Bericht/Antwoord/ReferentieAanbieder",
        REQUEST_UNKNOWN,
        f"Verzoek {message.referentie_aanbieder} van aanbieder {message.header.ontvanger} is (nog) niet bekend.",
        "TR355",
    )


def request_answer_values(message: m.AntwoordVerzoek) -> dict[str, Any]:
    """The AntwoordVerzoek columns (besides its parties, Bericht and the request answered)."""
    return {
        "referentie_aanbieder": message.referentie_aanbieder,
        "uitkomst": message.verzoek_antwoord,
        "reden_afwijzing": message.reden_afwijzing or "",
        "beantwoord_op": message.header.dagtekening,
    }


# ---------------------------------------------------------------- the batch path


@dataclass
class _Pending:
    requests: list[VerzoekOmWijziging] = field(default_factory=list)
    changes: list[GevraagdeWijziging] = field(default_factory=list)
    answers: list[AntwoordVerzoek] = field(default_factory=list)


class BatchRequests:
    """The stored JW317s a batch's JW317/JW319 messages name, those the batch adds, and their
    pending rows. ``allocations``, ``requests`` and ``changes`` are the batch's in-memory copies
    ((CBS code, ToewijzingNummer) -> Toewijzing, (AGB code, ReferentieAanbieder) -> JW315 request,
    JW317; None when known not to exist)."""

    def __init__(
        self,
        allocations: dict[tuple[str, str], Toewijzing | None],
        requests: dict[tuple[str, str], VerzoekOmToewijzing | None],
        changes: dict[tuple[str, str], VerzoekOmWijziging | None],
    ) -> None:
        self.allocations = allocations
        self.requests = requests
        self.changes = changes
        self.pending = _Pending()

    @staticmethod
    def reference(message: m.VerzoekOmWijziging | m.AntwoordVerzoek) -> tuple[str, str]:
        """(AGB code of the provider, ReferentieAanbieder)."""
        header = message.header
        agb = header.afzender if isinstance(message, m.VerzoekOmWijziging) else header.ontvanger
        return agb, message.referentie_aanbieder

    def preload(self, refs: set[tuple[str, str]]) -> None:
        """The stored JW317s with these (AGB code, ReferentieAanbieder) that ``changes`` does not
        hold yet; one query (per 500 keys) for all providers."""
        refs = refs - self.changes.keys()
        self.changes.update(dict.fromkeys(refs))
        for chunk in chunks(sorted(refs)):
            where, params = batch_read.pairs_where(
                chunk, "t.aanbieder_id", "t.referentie_aanbieder", batch_read.provider_id_of_code()
            )
            # The first by key wins, as .first() on the per-message path.
            for verzoek, _ in batch_read.select(
                VerzoekOmWijziging, ["aanbieder"], "", where, params, order_by="ORDER BY t.id DESC"
            ):
                self.changes[(verzoek.aanbieder.agb_code, verzoek.referentie_aanbieder)] = verzoek

    def request_problems(
        self, message: m.VerzoekOmWijziging, name: str, pseudonym: str
    ) -> list[ValidationError]:
        key = self.reference(message)
        if self.changes.get(key) is not None or self.requests.get(key) is not None:
            return [reference_used_error(message, name)]
        return request_allocation_problems(message, name, self._allocations(message), pseudonym)

    def _allocations(self, message: m.VerzoekOmWijziging) -> dict[str, Toewijzing]:
        gemeente = message.header.ontvanger
        found = {}
        for nummer, _ in named_allocations(message):
            t = self.allocations.get((gemeente, nummer))
            if t is not None:
                found[nummer] = t
        return found

    def apply_request(self, verzoek: VerzoekOmWijziging, message: m.VerzoekOmWijziging, product) -> None:
        """``verzoek``: the unsaved VerzoekOmWijziging with its parties, client and Bericht."""
        self.changes[self.reference(message)] = verzoek
        self.pending.requests.append(verzoek)
        self.pending.changes += requested_changes(message, verzoek, self._allocations(message), product)

    def answered(
        self, message: m.AntwoordVerzoek
    ) -> tuple[VerzoekOmWijziging | None, VerzoekOmToewijzing | None]:
        """The JW317, else the JW315, a JW319 answers (both None: TR355)."""
        key = self.reference(message)
        change = self.changes.get(key)
        return change, (self.requests.get(key) if change is None else None)

    def apply_answer(self, answer: AntwoordVerzoek) -> None:
        self.pending.answers.append(answer)

    def key_counts(self) -> dict[type[Model], int]:
        """The rows ``flush`` will insert, by model (``batch_sql.Keys``)."""
        p = self.pending
        return {
            VerzoekOmWijziging: len(p.requests),
            GevraagdeWijziging: len(p.changes),
            AntwoordVerzoek: len(p.answers),
        }

    def flush(self, keys: Keys) -> None:
        p = self.pending
        self.pending = _Pending()
        insert_objects(VerzoekOmWijziging, p.requests, keys)
        insert_objects(GevraagdeWijziging, p.changes, keys)
        insert_objects(AntwoordVerzoek, p.answers, keys)
