"""The ingest's checks against stored state, and the values of the rows a message writes, as
plain functions of plain data.

Both ingest paths call these: the per-message path (``services.Ingester._message_problems``), which
reads what is stored with the ORM, and the fast batch path (``ingest_batch.FastBatch._problems``),
which reads its in-memory copy of it. Each path gathers the facts its own way; the rules, their
order, their Dutch messages and the values a message gives its rows live here once. Nothing here
touches the database (related objects such as the client are only passed through).

Within one message the municipality is fixed, so the stored facts are keyed by ToewijzingNummer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import errors as E
from . import messages as m
from .errors import ValidationError

if TYPE_CHECKING:
    from .services import IngestSummary

#: Where the products of a start (JW305) or stop (JW307) are.
START_BASE = "/Bericht/Client/StartProducten/StartProduct"
STOP_BASE = "/Bericht/Client/StopProducten/StopProduct"


def start_stop_base(message: m.StartZorg | m.StopZorg) -> str:
    return START_BASE if isinstance(message, m.StartZorg) else STOP_BASE


def refusal(
    message: m.Message | None, errors: list[ValidationError], header_known: bool
) -> tuple[list[ValidationError], str] | None:
    """Whether a read message is quarantined whole before it is checked against stored state:
    None when it goes on, else the errors to quarantine it for (those of scope "message"; all when
    no message was read) and their level ("bestand" when not even the header was read)."""
    blocking = [e for e in errors if e.scope == "message"]
    if message is not None and not blocking:
        return None
    return blocking or errors, "bericht" if message or header_known else "bestand"


def count_refused(
    summary: IngestSummary, refused: tuple[list[ValidationError], str] | None
) -> tuple[list[ValidationError], str]:
    """Count a message ``refusal`` refused (``None`` only when no message was read and there is no
    error to tell) in the file's summary; the errors to quarantine it for and their level."""
    errors, level = refused or ([], "bestand")
    summary.quarantined_messages += 1
    summary.errors.extend(errors)
    return errors, level


def delivery_totals(summary: IngestSummary, status: str) -> dict[str, Any]:
    """The Aanlevering counters and status after its file (``status`` as it was until then):
    refused ("geweigerd") when nothing was accepted and something quarantined, partly ("deels")
    when something was quarantined."""
    in_quarantaine = summary.quarantined_messages + summary.quarantined_lines
    if summary.accepted_messages == 0 and in_quarantaine:
        status = "geweigerd"
    elif in_quarantaine:
        status = "deels"
    return {
        "berichten": summary.messages,
        "regels": summary.lines,
        "geaccepteerd": summary.accepted_messages,
        "in_quarantaine": in_quarantaine,
        "dubbel": summary.duplicate_messages,
        "status": status,
    }


def allocation_number_problems(
    message: m.Toewijzing, name: str, pseudonym: str, stored: Mapping[str, tuple[str, str]]
) -> list[ValidationError]:
    """TR332: a ToewijzingNummer is unique per municipality, so a JW301 may repeat a known number
    only for the same client and provider. ``stored`` maps each of the message's numbers that the
    sending municipality already has to its (provider AGB code, client pseudonym)."""
    header = message.header
    taken = {nummer for nummer, party in stored.items() if party != (header.ontvanger, pseudonym)}
    return [
        ValidationError(
            name,
            header.identificatie,
            f"/Bericht/Client/ToegewezenProducten/ToegewezenProduct[{index}]/ToewijzingNummer",
            E.ALLOCATION_NUMBER_TAKEN,
            f"ToewijzingNummer {p.toewijzing_nummer} is bij gemeente {header.afzender} al gebruikt "
            "voor een andere cliënt of aanbieder.",
        )
        for index, p in enumerate(message.producten, start=1)
        if p.toewijzing_nummer in taken
    ]


def start_stop_allocation_problems(
    message: m.StartZorg | m.StopZorg, name: str, pseudonym: str, stored: Mapping[str, tuple[str, str]]
) -> list[ValidationError]:
    """A start or stop must name an allocation we have, of the same provider and client.
    ``stored`` maps each of the message's numbers that the receiving municipality has to its
    (provider AGB code, client pseudonym)."""
    header = message.header
    base = start_stop_base(message)
    problems = []
    products: tuple[m.StartProduct | m.StopProduct, ...] = message.producten
    for index, p in enumerate(products, start=1):
        element = f"{base}[{index}]/ToewijzingNummer"
        if p.toewijzing_nummer not in stored:
            problems.append(
                ValidationError(
                    name,
                    header.identificatie,
                    element,
                    "allocation.unknown",
                    f"Toewijzing {p.toewijzing_nummer} is (nog) niet bekend bij gemeente {header.ontvanger}.",
                )
            )
        elif stored[p.toewijzing_nummer] != (header.afzender, pseudonym):
            problems.append(
                ValidationError(
                    name,
                    header.identificatie,
                    element,
                    "allocation.other_party",
                    f"Toewijzing {p.toewijzing_nummer} hoort bij een andere aanbieder of cliënt.",
                )
            )
    return problems


def start_stop_problems(
    message: m.StartZorg | m.StopZorg,
    name: str,
    own: set[tuple[str, dt.date]],
    stopped: set[str],
) -> list[ValidationError]:
    """TR063 (a delete names an earlier start/stop), TR071 (no delete of a start once stopped),
    TR074 (a first delivery is new) and TR326 (no new start while one runs without a stop).

    ``own``: (ToewijzingNummer, begindatum) of the stored starts (of a JW305) or stops (of a
    JW307) of the named allocations. ``stopped``: the numbers among them that have a stored stop
    (only asked for a start on an allocation in ``own``, so it may be limited to those)."""
    is_start = isinstance(message, m.StartZorg)
    base = start_stop_base(message)
    started = {nummer for nummer, _ in own} if is_start else set()
    problems = []
    products: tuple[m.StartProduct | m.StopProduct, ...] = message.producten
    for index, p in enumerate(products, start=1):
        nummer = p.toewijzing_nummer
        key = (nummer, p.begindatum)
        found: tuple[str, str] | None = None
        if p.status_aanlevering == "3" and key not in own:
            found = (E.START_STOP_UNKNOWN, "de te verwijderen start of stop is niet eerder aangeleverd")
        elif p.status_aanlevering == "3" and is_start and nummer in stopped:
            found = (E.START_STOP_STOPPED, "de start kan niet verwijderd worden: er is al een stop")
        elif p.status_aanlevering == "1" and key in own:
            found = (E.START_STOP_DUPLICATE, "deze start of stop met deze begindatum is al aangeleverd")
        elif p.status_aanlevering == "1" and is_start and nummer in started and nummer not in stopped:
            found = (E.START_OPEN, f"toewijzing {nummer} heeft al een start zonder stop")
        if found is not None:
            problems.append(
                ValidationError(
                    name,
                    message.header.identificatie,
                    f"{base}[{index}]/StatusAanlevering",
                    found[0],
                    # Only the first letter: str.capitalize() lowercased a number like "D1".
                    f"{found[1][:1].upper()}{found[1][1:]}.",
                )
            )
    return problems


def grants_request(
    referentie: str | None, first_referentie: str, on_a_version: Callable[[str], bool]
) -> bool:
    """A repeated JW301 version that carries a request's ReferentieAanbieder for the first time
    grants that request (JW317): it is stored as a version even when nothing else changed.
    ``first_referentie``: the allocation's stored (first) reference; ``on_a_version(ref)``: whether
    a stored version of the allocation already carries ``ref`` (asked only when it matters)."""
    if not referentie or referentie == first_referentie:
        return False
    return not on_a_version(referentie)


# ---------------------------------------------------------------- the values of the rows


def message_values(message: m.Message) -> dict[str, Any]:
    """The Bericht columns a message fills (besides its delivery)."""
    header = message.header
    return {
        "soort": message.kind,
        "afzender": header.afzender,
        "ontvanger": header.ontvanger,
        "identificatie": header.identificatie,
        "dagtekening": header.dagtekening,
    }


def client_values(identity: m.ClientIdentity, gemeente_id: int | None) -> dict[str, Any]:
    """The Client columns a message's client sets: birth year and month, gender, and the
    municipality when the message is one of a municipality's (``gemeente_id`` not None)."""
    values: dict[str, Any] = {
        "geboortejaar": identity.geboortedatum.year,
        "geboortemaand": identity.geboortedatum.month,
        "geslacht": identity.geslacht,
    }
    if gemeente_id is not None:
        values["gemeente_id"] = gemeente_id
    return values


def set_if_changed(instance: object, values: Mapping[str, Any]) -> bool:
    """Set all ``values`` on ``instance`` when any differs; whether it did."""
    if all(getattr(instance, k) == v for k, v in values.items()):
        return False
    for k, v in values.items():
        setattr(instance, k, v)
    return True


def allocation_values(p: m.ToegewezenProduct, client: Any, aanbieder: Any, product: Any) -> dict[str, Any]:
    """The Toewijzing columns a JW301 product sets on a new allocation."""
    return {
        "client": client,
        "aanbieder": aanbieder,
        "product": product,
        "product_categorie": p.product_categorie or "",
        "product_code": p.product_code or "",
        "toewijzingsdatum": p.toewijzingsdatum,
        "ingangsdatum": p.ingangsdatum,
        "einddatum": p.einddatum,
        **_omvang(p.omvang),
        "budget_cent": p.budget,
        "reden_wijziging": p.reden_wijziging or "",
        "verwijderd": p.reden_wijziging == "13",
        # Links the allocation to the provider's JW315 request (referrer, request date).
        "referentie_aanbieder": p.referentie_aanbieder or "",
    }


def keep_first(values: dict[str, Any], toewijzingsdatum: dt.date, referentie_aanbieder: str) -> None:
    """Adjust ``allocation_values`` for an allocation that is known already (its stored
    ``toewijzingsdatum`` and ``referentie_aanbieder`` given). The allocation date stays the first
    one: a change's own date is kept in its ToewijzingWijziging; waiting times run from when the
    allocation was first issued. The first reference stays: it links the JW315 request (referrer,
    waiting time); a later one (a JW317 granted by this version) is kept on the version."""
    values["toewijzingsdatum"] = min(toewijzingsdatum, values["toewijzingsdatum"])
    values["referentie_aanbieder"] = referentie_aanbieder or values["referentie_aanbieder"]


def message_error(name: str, message: m.Message, element: str, rule: str, text: str, tr: str | None):
    """A finding on a whole message: file, message id, element, rule, text and TR code."""
    return ValidationError(name, message.header.identificatie, element, rule, text, tr=tr)


def version_values(p: m.ToegewezenProduct) -> dict[str, Any]:
    """The ToewijzingWijziging columns of a JW301 product (besides allocation, message, number)."""
    return {
        "toewijzingsdatum": p.toewijzingsdatum,
        "ingangsdatum": p.ingangsdatum,
        "einddatum": p.einddatum,
        **_omvang(p.omvang),
        "budget_cent": p.budget,
        "reden_wijziging": p.reden_wijziging or "",
        "referentie_aanbieder": p.referentie_aanbieder or "",
    }


def request_values(
    message: m.VerzoekOmToewijzing,
    p: m.AangevraagdProduct,
    gemeente: Any,
    client: Any,
    bericht: Any,
    product: Any,
) -> dict[str, Any]:
    """The VerzoekOmToewijzing columns a JW315 product sets (besides provider and reference)."""
    return {
        "gemeente": gemeente,
        "client": client,
        "bericht": bericht,
        "product": product,
        "product_categorie": p.product_categorie or "",
        "product_code": p.product_code or "",
        "aangevraagd_op": message.header.dagtekening,
        "toewijzing_ingangsdatum": p.toewijzing_ingangsdatum,
        "toewijzing_einddatum": p.toewijzing_einddatum,
        **_omvang(p.omvang),
        "verwijzer_type": p.verwijzer.type,
        "verwijzer_zorgverlenercode": p.verwijzer.zorgverlener_code or "",
    }


def care_values(p: m.StartProduct | m.StopProduct) -> dict[str, Any]:
    """The ZorgStart (JW305) or ZorgStop (JW307) columns of a product (besides allocation, message)."""
    values = {"begindatum": p.begindatum, "status_aanlevering": p.status_aanlevering}
    if isinstance(p, m.StopProduct):
        values.update(einddatum=p.einddatum, reden_beeindiging=p.reden_beeindiging)
    return values


def _omvang(omvang: m.Omvang | None) -> dict[str, Any]:
    return {
        "volume": omvang.volume if omvang else None,
        "eenheid": omvang.eenheid if omvang else "",
        "frequentie": omvang.frequentie if omvang else "",
    }
