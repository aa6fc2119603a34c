"""TR056: a BerichtIdentificatie the sender already used.

The ingest stores a message once per sender and identification (``Bericht``), so delivering the
same message again is safe: it is counted as a duplicate and nothing else happens. A *different*
message under an identification already used is another matter: it is not processed (the earlier
message holds the identification), and saying nothing would lose it silently. This module decides
which of the two it is, by comparing the new message with what the earlier one stored, and puts a
reused identification in the quarantine with the rule (TR056 / 9056), so it shows in the ingest
summary, in the quarantine (payload kept, redacted) and as a data-quality finding.

What is compared: type, receiver and Dagtekening, and per type what identifies its content (the
client's pseudonym and the allocation numbers and dates of a JW301/305/307, the references of a
JW315/317/319, DeclaratieNummer, periods and totals of a JW323/325). Only values the earlier
message stored are compared, so a re-delivery whose earlier version was partly withdrawn since
(a start deleted with StatusAanlevering 3) still counts as the same message.

A message of another type with the same identification is allowed by iJw (TR056 is per message
type) but Jeugdregie keys messages per sender and identification over all types; it is reported
under its own code, without TR. Called only on the duplicate path, so it costs nothing otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jeugdregie.ijw import errors as E
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.errors import ValidationError
from jeugdregie.ijw.models import Bericht
from jeugdregie.ijw.pseudonym import client_key
from jeugdregie.zorg.models import (
    AntwoordVerzoek,
    Declaratie,
    DeclaratieAntwoord,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    ZorgStart,
    ZorgStop,
)

if TYPE_CHECKING:
    from jeugdregie.ijw.services import IngestSummary

ELEMENT = "/Bericht/Header/BerichtIdentificatie/Identificatie"


def _day(d: Any) -> str:
    return d.strftime("%d-%m-%Y") if d else "geen"


def _client_differs(stored_pseudonyms: set[str], bsn: str, key: bytes) -> bool:
    return bool(stored_pseudonyms) and client_key(bsn, key) not in stored_pseudonyms


def _allocation_message(stored: Bericht, message: m.Toewijzing, key: bytes) -> str | None:
    products = {p.toewijzing_nummer: p for p in message.producten}
    versions = list(
        ToewijzingWijziging.objects.filter(bericht=stored).values_list(
            "toewijzing__toewijzingnummer",
            "ingangsdatum",
            "einddatum",
            "volume",
            "toewijzing__client__pseudoniem",
        )
    )
    if _client_differs({v[4] for v in versions}, message.client.bsn, key):
        return "het gaat over een andere cliënt"
    for nummer, ingang, eind, volume, _client in versions:
        p = products.get(nummer)
        if p is None:
            return f"toewijzing {nummer} ontbreekt"
        if (p.ingangsdatum, p.einddatum, p.omvang.volume if p.omvang else None) != (ingang, eind, volume):
            return f"toewijzing {nummer} heeft andere datums of een ander volume"
    return None


def _start_stop(stored: Bericht, message: m.StartZorg | m.StopZorg, key: bytes) -> str | None:
    if isinstance(message, m.StartZorg):
        rows = ZorgStart.objects.filter(bericht=stored).values_list(
            "toewijzing__toewijzingnummer", "begindatum", "begindatum", "toewijzing__client__pseudoniem"
        )
        sent = {(p.toewijzing_nummer, p.begindatum, p.begindatum) for p in message.producten}
    else:
        rows = ZorgStop.objects.filter(bericht=stored).values_list(
            "toewijzing__toewijzingnummer", "begindatum", "einddatum", "toewijzing__client__pseudoniem"
        )
        sent = {(p.toewijzing_nummer, p.begindatum, p.einddatum) for p in message.producten}
    rows = list(rows)
    if _client_differs({r[3] for r in rows}, message.client.bsn, key):
        return "het gaat over een andere cliënt"
    for nummer, begin, eind, _client in rows:
        if (nummer, begin, eind) not in sent:
            return f"toewijzing {nummer} heeft een andere begin- of einddatum"
    return None


def _request(stored: Bericht, message: m.VerzoekOmToewijzing, key: bytes) -> str | None:
    rows = list(
        VerzoekOmToewijzing.objects.filter(bericht=stored).values_list(
            "referentie_aanbieder", "client__pseudoniem"
        )
    )
    if _client_differs({r[1] for r in rows}, message.client.bsn, key):
        return "het gaat over een andere cliënt"
    sent = {p.referentie_aanbieder for p in message.producten}
    missing = sorted({r[0] for r in rows} - sent)
    return f"ReferentieAanbieder {missing[0]} ontbreekt" if missing else None


def _change_request(stored: Bericht, message: m.VerzoekOmWijziging, key: bytes) -> str | None:
    rows = list(
        VerzoekOmWijziging.objects.filter(bericht=stored).values_list(
            "referentie_aanbieder", "client__pseudoniem"
        )
    )
    if _client_differs({r[1] for r in rows}, message.bsn, key):
        return "het gaat over een andere cliënt"
    if rows and rows[0][0] != message.referentie_aanbieder:
        return f"andere ReferentieAanbieder ({message.referentie_aanbieder} i.p.v. {rows[0][0]})"
    return None


def _request_answer(stored: Bericht, message: m.AntwoordVerzoek) -> str | None:
    row = (
        AntwoordVerzoek.objects.filter(bericht=stored).values_list("referentie_aanbieder", "uitkomst").first()
    )
    if row and row != (message.referentie_aanbieder, message.verzoek_antwoord):
        return "een ander antwoord of een ander verzoek"
    return None


def _claim(stored: Bericht, message: m.Declaratie) -> str | None:
    row = (
        Declaratie.objects.filter(bericht=stored)
        .values_list("declaratienummer", "periode_begin", "periode_eind", "totaal_cent")
        .first()
    )
    sent = (message.declaratie_nummer, message.periode_begin, message.periode_eind, message.totaal_bedrag)
    if row and row != sent:
        return (
            f"declaratie {message.declaratie_nummer} ({_day(message.periode_begin)} t/m "
            f"{_day(message.periode_eind)}) is een andere dan {row[0]} ({_day(row[1])} t/m {_day(row[2])})"
            if row[:3] != sent[:3]
            else "ander totaalbedrag"
        )
    return None


def _claim_answer(stored: Bericht, message: m.DeclaratieAntwoord) -> str | None:
    row = (
        DeclaratieAntwoord.objects.filter(bericht=stored)
        .values_list("declaratie__bericht__identificatie", "totaal_toegekend_cent")
        .first()
    )
    if row is None:
        return None
    if row[0] != message.declaratie_identificatie:
        return f"antwoord op een andere declaratie ({message.declaratie_identificatie} i.p.v. {row[0]})"
    if not message.geheel_afgewezen and row[1] != message.totaal_toegekend:
        return "ander toegekend bedrag"
    return None


def difference(stored: Bericht, message: m.Message, key: bytes) -> str | None:
    """How ``message`` differs from the stored message with its sender and identification, in
    Dutch; None when it is the same message (a re-delivery)."""
    if stored.soort != message.kind:
        return f"eerder ontvangen als {stored.soort}, nu als {message.kind}"
    header = message.header
    if stored.ontvanger != header.ontvanger:
        return f"andere ontvanger ({header.ontvanger} i.p.v. {stored.ontvanger})"
    if stored.dagtekening != header.dagtekening:
        return f"andere dagtekening ({_day(header.dagtekening)} i.p.v. {_day(stored.dagtekening)})"
    if isinstance(message, m.Toewijzing):
        return _allocation_message(stored, message, key)
    if isinstance(message, (m.StartZorg, m.StopZorg)):
        return _start_stop(stored, message, key)
    if isinstance(message, m.VerzoekOmToewijzing):
        return _request(stored, message, key)
    if isinstance(message, m.VerzoekOmWijziging):
        return _change_request(stored, message, key)
    if isinstance(message, m.AntwoordVerzoek):
        return _request_answer(stored, message)
    if isinstance(message, m.Declaratie):
        return _claim(stored, message)
    if isinstance(message, m.DeclaratieAntwoord):
        return _claim_answer(stored, message)
    return None


def handle_known_message(
    ingester: Any, delivery: Any, name: str, data: bytes, message: m.Message, summary: IngestSummary
) -> None:
    """The sender already used this message's identification: a re-delivery of the same message
    is a silent duplicate; a different message is quarantined with TR056 (or, for another message
    type, with ``message.identification_taken``)."""
    header = message.header
    stored = Bericht.objects.filter(afzender=header.afzender, identificatie=header.identificatie).first()
    why = difference(stored, message, ingester.key) if stored is not None else None
    if why is None:
        summary.duplicate_messages += 1
        return
    other_type = stored is not None and stored.soort != message.kind
    error = ValidationError(
        name,
        header.identificatie,
        ELEMENT,
        E.MESSAGE_ID_TAKEN if other_type else E.MESSAGE_ID_REUSED,
        f"BerichtIdentificatie {header.identificatie} van afzender {header.afzender} is al gebruikt voor een "
        f"ander bericht ({why}); dit bericht is niet verwerkt."
        + (" iJw staat dit toe (uniek per berichttype), Jeugdregie niet." if other_type else ""),
    )
    summary.quarantined_messages += 1
    summary.errors.append(error)
    ingester._quarantine(delivery, name, data, error, level="bericht", message=message)
