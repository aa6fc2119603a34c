"""The facts carried by the iJw 3.2 messages Jeugdregie reads and writes.

These dataclasses are the contract between the XML layer (reader, writer, validation), the
ingest service and the demo data generator. They hold only what the standard carries and what
the region needs; the writer fills the remaining mandatory XSD elements (names, contact data)
with neutral placeholders, and the reader never returns names, addresses or contact data.

Money is in euro cents (int), as in the messages themselves. Dates are ``datetime.date``.
The BSN is present here because it is in the message; the ingest replaces it by a pseudonym
before anything is stored (see ``jeugdregie.ijw.pseudonym``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

NAMESPACE_BASE = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"


def message_namespace(kind: str) -> str:
    """Namespace of a message type, e.g. ``message_namespace("jw301")``."""
    return f"http://www.istandaarden.nl/ijw/3_2/{kind.lower()}/schema"


# BerichtCode per message type (iJw 3.2).
BERICHTCODE = {"JW301": 436, "JW305": 438, "JW307": 440, "JW315": 446, "JW323": 490}


@dataclass(frozen=True)
class Header:
    """Header of every message. ``afzender``/``ontvanger`` are a CBS municipality code (4 digits)
    or an AGB code (8 digits), depending on the direction of the message."""

    afzender: str
    ontvanger: str
    identificatie: str  # BerichtIdentificatie/Identificatie, unique per sender
    dagtekening: dt.date  # BerichtIdentificatie/Dagtekening


@dataclass(frozen=True)
class ClientIdentity:
    """Who the message is about. Only ``bsn`` is used to key facts (after pseudonymisation);
    birth date is reduced to year-month and gender kept, per SYSTEM.md section 6."""

    bsn: str
    geboortedatum: dt.date
    geslacht: str  # LDT_Geslacht: "0" onbekend, "1" man, "2" vrouw


@dataclass(frozen=True)
class Omvang:
    volume: int
    eenheid: str  # WJ756 / LDT_Eenheid: "01","04","14","16","82","83","84"
    frequentie: str  # LDT_Frequentie: "1" dag, "2" week, "4" maand, "6" totaal


# ---------------------------------------------------------------- JW301 toewijzing


@dataclass(frozen=True)
class ToegewezenProduct:
    toewijzing_nummer: str
    product_categorie: str | None
    product_code: str | None
    toewijzingsdatum: dt.date
    ingangsdatum: dt.date
    einddatum: dt.date | None = None
    reden_wijziging: str | None = None  # "13" = verwijderd, "04" = verlengd, "05" = verkort, ...
    omvang: Omvang | None = None
    budget: int | None = None  # cents
    referentie_aanbieder: str | None = None


@dataclass(frozen=True)
class Toewijzing:
    """JW301: a municipality (afzender) allocates products to a provider (ontvanger)."""

    header: Header
    client: ClientIdentity
    producten: tuple[ToegewezenProduct, ...]

    kind = "JW301"


# ---------------------------------------------------------------- JW305 / JW307 start / stop


@dataclass(frozen=True)
class StartProduct:
    toewijzing_nummer: str
    product_categorie: str | None
    product_code: str | None
    toewijzing_ingangsdatum: dt.date
    begindatum: dt.date
    status_aanlevering: str = "1"  # "1" eerste, "2" gewijzigd, "3" verwijderen


@dataclass(frozen=True)
class StartZorg:
    """JW305: a provider (afzender) tells the municipality (ontvanger) care has started."""

    header: Header
    client: ClientIdentity
    producten: tuple[StartProduct, ...]

    kind = "JW305"


@dataclass(frozen=True)
class StopProduct:
    toewijzing_nummer: str
    product_categorie: str | None
    product_code: str | None
    toewijzing_ingangsdatum: dt.date
    begindatum: dt.date
    einddatum: dt.date
    reden_beeindiging: str  # JZ588 / LDT_RedenBeeindiging
    status_aanlevering: str = "1"


@dataclass(frozen=True)
class StopZorg:
    """JW307: a provider tells the municipality care has stopped."""

    header: Header
    client: ClientIdentity
    producten: tuple[StopProduct, ...]

    kind = "JW307"


# ---------------------------------------------------------------- JW315 verzoek om toewijzing


@dataclass(frozen=True)
class Verwijzer:
    type: str  # COD327 / LDT_TypeVerwijzer: "01".."08"
    zorgverlener_code: str | None = None  # AGB of the referring GP etc. (not a client's datum)


@dataclass(frozen=True)
class AangevraagdProduct:
    referentie_aanbieder: str
    product_categorie: str | None
    product_code: str | None
    toewijzing_ingangsdatum: dt.date
    verwijzer: Verwijzer
    toewijzing_einddatum: dt.date | None = None
    omvang: Omvang | None = None
    budget: int | None = None


@dataclass(frozen=True)
class VerzoekOmToewijzing:
    """JW315: a provider asks a municipality for an allocation after a referral."""

    header: Header
    client: ClientIdentity
    producten: tuple[AangevraagdProduct, ...]

    kind = "JW315"


# ---------------------------------------------------------------- JW323 declaratie


@dataclass(frozen=True)
class Prestatie:
    """One claim line. ``bedrag`` and ``volume`` are always positive; ``debet_credit`` says the
    sign. A credit line names the line it reverses in ``vorig_referentie_nummer``."""

    referentie_nummer: str
    toewijzing_nummer: str
    product_categorie: str
    product_code: str
    begindatum: dt.date  # ProductPeriode
    einddatum: dt.date
    geleverd_volume: int
    eenheid: str
    product_tarief: int | None  # cents per unit
    bedrag: int  # IngediendBedrag, cents
    debet_credit: str = "D"
    vorig_referentie_nummer: str | None = None

    @property
    def signed_bedrag(self) -> int:
        return self.bedrag if self.debet_credit == "D" else -self.bedrag


@dataclass(frozen=True)
class DeclaratieClient:
    bsn: str
    prestaties: tuple[Prestatie, ...]


@dataclass(frozen=True)
class Declaratie:
    """JW323: a provider claims delivered care from a municipality."""

    header: Header
    declaratie_nummer: str
    periode_begin: dt.date
    periode_eind: dt.date
    dagtekening: dt.date
    clienten: tuple[DeclaratieClient, ...] = field(default_factory=tuple)

    kind = "JW323"

    @property
    def totaal_bedrag(self) -> int:
        """Net total in cents (debet minus credit), as TotaalIngediendBedrag carries it."""
        return sum(p.signed_bedrag for c in self.clienten for p in c.prestaties)


Message = Toewijzing | StartZorg | StopZorg | VerzoekOmToewijzing | Declaratie
