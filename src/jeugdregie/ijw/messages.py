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
BERICHTCODE = {
    "JW301": 436,
    "JW305": 438,
    "JW307": 440,
    "JW315": 446,
    "JW317": 486,
    "JW319": 488,
    "JW323": 490,
    "JW325": 491,
}

# Message types a municipality sends (the others are sent by a provider): Afzender is a CBS code.
SENT_BY_GEMEENTE = frozenset({"JW301", "JW319", "JW325"})


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


# ---------------------------------------------------------------- JW325 retourbericht declaratie

# Return codes (WJ001) that do not reject what they are attached to: 0200 no remark on this
# class, 0233 class not assessed, 8001 claim fully granted. Any other code on a Prestatie of a
# JW325 rejects that claim line.
NON_REJECTING_RETOURCODES = frozenset({"0200", "0233", "8001"})
RETOURCODE_GEEN_OPMERKING = "0200"
RETOURCODE_VOLLEDIG_TOEGEKEND = "8001"


@dataclass(frozen=True)
class PrestatieAntwoord:
    """One claim line of a JW325 with the municipality's verdict. ``prestatie`` repeats the claim
    line as it was claimed (TR367: the values equal those of the JW323 line, matched by
    ProductReferentie, TR366)."""

    prestatie: Prestatie
    retourcodes: tuple[str, ...]

    @property
    def afgewezen(self) -> bool:
        return any(code not in NON_REJECTING_RETOURCODES for code in self.retourcodes)

    @property
    def afwijzingscodes(self) -> tuple[str, ...]:
        """The rejecting return codes, in message order."""
        return tuple(code for code in self.retourcodes if code not in NON_REJECTING_RETOURCODES)


@dataclass(frozen=True)
class ClientAntwoord:
    bsn: str
    prestaties: tuple[PrestatieAntwoord, ...]
    retourcodes: tuple[str, ...] = (RETOURCODE_GEEN_OPMERKING,)


@dataclass(frozen=True)
class DeclaratieAntwoord:
    """JW325: the municipality (afzender) answers a provider's JW323 (ontvanger). By convention
    only the lines it rejects are listed (with their return codes); a claim granted in full has no
    ``clienten`` and return code 8001 on the DeclaratieAntwoord. Amounts are signed cents (credit
    negative), as ``Declaratie.totaal_bedrag``.

    A claim message rejected as a whole (e.g. 0001 in the header) is answered without a
    DeclaratieAntwoord: then ``antwoord_retourcodes`` is empty, ``declaratie_nummer`` "" and the
    totals 0 (the message has none), and ``geheel_afgewezen`` is true."""

    header: Header
    declaratie_identificatie: str  # BerichtIdentificatie/Identificatie of the JW323 answered
    declaratie_dagtekening: dt.date  # its Dagtekening
    declaratie_nummer: str
    totaal_ingediend: int
    totaal_toegekend: int
    clienten: tuple[ClientAntwoord, ...] = field(default_factory=tuple)
    retourcodes: tuple[str, ...] = (RETOURCODE_GEEN_OPMERKING,)  # Header/RetourCodes
    antwoord_retourcodes: tuple[str, ...] = (RETOURCODE_GEEN_OPMERKING,)  # DeclaratieAntwoord/RetourCodes

    kind = "JW325"

    @property
    def regels(self) -> tuple[PrestatieAntwoord, ...]:
        return tuple(p for c in self.clienten for p in c.prestaties)

    @property
    def geheel_afgewezen(self) -> bool:
        """The claim message is rejected as a whole: no DeclaratieAntwoord, a rejecting header code."""
        return not self.antwoord_retourcodes and any(
            c not in NON_REJECTING_RETOURCODES for c in self.retourcodes
        )


def claim_answer(
    claim: Declaratie,
    rejected: dict[str, tuple[str, ...]],
    *,
    identificatie: str,
    dagtekening: dt.date,
) -> DeclaratieAntwoord:
    """The JW325 answering ``claim``: ``rejected`` maps the ReferentieNummer of each rejected line
    to its return codes (e.g. ``{"R7": ("8021",)}``); the other lines are granted and not listed.
    Sender and receiver are the claim's, swapped."""
    unknown = set(rejected) - {p.referentie_nummer for c in claim.clienten for p in c.prestaties}
    if unknown:
        raise ValueError(f"afgewezen regels staan niet in de declaratie: {sorted(unknown)}")
    clienten = []
    refused = 0
    for c in claim.clienten:
        lines = tuple(
            PrestatieAntwoord(p, tuple(rejected[p.referentie_nummer]))
            for p in c.prestaties
            if p.referentie_nummer in rejected
        )
        if lines:
            clienten.append(ClientAntwoord(c.bsn, lines))
            refused += sum(a.prestatie.signed_bedrag for a in lines if a.afgewezen)
    total = claim.totaal_bedrag
    return DeclaratieAntwoord(
        header=Header(claim.header.ontvanger, claim.header.afzender, identificatie, dagtekening),
        declaratie_identificatie=claim.header.identificatie,
        declaratie_dagtekening=claim.header.dagtekening,
        declaratie_nummer=claim.declaratie_nummer,
        totaal_ingediend=total,
        totaal_toegekend=total - refused,
        clienten=tuple(clienten),
        antwoord_retourcodes=(RETOURCODE_GEEN_OPMERKING if clienten else RETOURCODE_VOLLEDIG_TOEGEKEND,),
    )


# ---------------------------------------------------------------- JW317 verzoek om wijziging


@dataclass(frozen=True)
class TeWijzigenProduct:
    """An allocated product the provider wants changed: a later ``einddatum`` is an extension."""

    toewijzing_nummer: str
    gewenste_ingangsdatum: dt.date
    einddatum: dt.date | None = None
    omvang: Omvang | None = None
    budget: int | None = None  # cents


@dataclass(frozen=True)
class NieuwProduct:
    """A product the provider asks to have allocated in addition."""

    product_categorie: str | None
    product_code: str | None
    gewenste_ingangsdatum: dt.date
    einddatum: dt.date | None = None
    omvang: Omvang | None = None
    budget: int | None = None  # cents


@dataclass(frozen=True)
class VerzoekOmWijziging:
    """JW317: a provider (afzender) asks the municipality (ontvanger) to change the allocations of
    a client. The municipality grants it with a JW301 carrying the same ReferentieAanbieder, or
    answers with a JW319 (refused, or under investigation)."""

    header: Header
    bsn: str
    referentie_aanbieder: str
    reden_verzoek: str  # LDT_RedenVerzoek: "1" verandering cliëntsituatie, "2" wijziging zorgplan
    ongewijzigde_producten: tuple[str, ...] = field(default_factory=tuple)  # ToewijzingNummers
    te_wijzigen_producten: tuple[TeWijzigenProduct, ...] = field(default_factory=tuple)
    nieuwe_producten: tuple[NieuwProduct, ...] = field(default_factory=tuple)

    kind = "JW317"


# ---------------------------------------------------------------- JW319 antwoord op een verzoek

VERZOEK_AFGEWEZEN = "1"  # LDT_VerzoekAntwoord
VERZOEK_IN_ONDERZOEK = "2"  # labels and reasons: jeugdregie.ijw.codes


@dataclass(frozen=True)
class AntwoordVerzoek:
    """JW319: the municipality (afzender) answers a provider's JW315 or JW317 (ontvanger),
    matched by ReferentieAanbieder. iJw 3.2 has two answers: "1" refused (with a reason) and "2"
    under investigation; a request is granted by a JW301 with the same ReferentieAanbieder, not by
    a JW319. The message carries no client."""

    header: Header
    referentie_aanbieder: str
    verzoek_antwoord: str  # "1" afgewezen, "2" aanvraag in onderzoek
    reden_afwijzing: str | None = None  # LDT_RedenAfwijzingVerzoek, with "1"
    woonplaatsbeginsel_gemeente: str | None = None  # CBS code, with reason "8"

    kind = "JW319"

    @property
    def afgewezen(self) -> bool:
        return self.verzoek_antwoord == VERZOEK_AFGEWEZEN


Message = (
    Toewijzing
    | StartZorg
    | StopZorg
    | VerzoekOmToewijzing
    | Declaratie
    | DeclaratieAntwoord
    | VerzoekOmWijziging
    | AntwoordVerzoek
)
