"""Validation errors of the iJw layer: one record per broken rule, with a stable rule code.

A ``ValidationError`` is a value, not an exception: the reader and the validators return lists of
them so that one bad line does not hide the others. ``str(error)`` gives the line the CLI prints:

    JW323_12345678_D1.xml: bericht D1: /Bericht/Declaratie/.../Prestatie[3]/ProductPeriode/Einddatum:
    date.invalid: ...

``scope`` says what the error rejects (see ``jeugdregie.ijw.validation`` for the full table):

* ``"message"``: the whole message (file) is rejected; ``ReadResult.message`` is ``None``.
* ``"client"``: JW323 only: every line of one Client is rejected (bad or missing Bsn).
* ``"line"``: JW323 only: one Prestatie is rejected; ``ref`` holds its ReferentieNummer when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Scope = Literal["message", "client", "line"]

# ------------------------------------------------------------------ rule codes (stable)

XML_MALFORMED: Final = "xml.malformed"
XML_NAMESPACE: Final = "xml.namespace"
STRUCTURE_MISSING: Final = "structure.missing"
STRUCTURE_INVALID: Final = "structure.invalid"
CODE_UNKNOWN: Final = "code.unknown"
DATE_INVALID: Final = "date.invalid"
DATE_ORDER: Final = "date.order"
DATE_OUTSIDE_PERIOD: Final = "date.outside_period"
BSN_ELFPROEF: Final = "bsn.elfproef"
AMOUNT_MISMATCH: Final = "amount.mismatch"
TOTAL_MISMATCH: Final = "total.mismatch"
CLAIM_DUPLICATE_REFERENCE: Final = "claim.duplicate_reference"
CLAIM_UNKNOWN_ALLOCATION: Final = "claim.unknown_allocation"
CLAIM_DELETED_ALLOCATION: Final = "claim.deleted_allocation"
CLAIM_OUTSIDE_ALLOCATION: Final = "claim.outside_allocation"
CLAIM_CREDIT_WITHOUT_DEBIT: Final = "claim.credit_without_debit"
CLAIM_OTHER_CLIENT: Final = "claim.other_client"
CLAIM_OTHER_PROVIDER: Final = "claim.other_provider"
CLAIM_OTHER_PRODUCT: Final = "claim.other_product"
XSD: Final = "xsd"

#: Every rule code with a short Dutch description (for documentation, the CLI and the UI).
RULES: Final[dict[str, str]] = {
    XML_MALFORMED: "Het bestand is geen goed gevormde XML (bijvoorbeeld afgebroken).",
    XML_NAMESPACE: "Onbekende of verkeerde namespace; het berichttype is niet te bepalen of niet ondersteund.",
    STRUCTURE_MISSING: "Een verplicht element ontbreekt.",
    STRUCTURE_INVALID: "Een element heeft een waarde met een verkeerd formaat (patroon, lengte, bereik).",
    CODE_UNKNOWN: "Een code komt niet voor in de iJw-codelijst.",
    DATE_INVALID: "Een datum is geen bestaande datum in het formaat JJJJ-MM-DD.",
    DATE_ORDER: "Een einddatum ligt voor de bijbehorende begin- of ingangsdatum.",
    DATE_OUTSIDE_PERIOD: "De productperiode ligt niet binnen de declaratieperiode.",
    BSN_ELFPROEF: "Het BSN voldoet niet aan de elfproef.",
    AMOUNT_MISMATCH: "IngediendBedrag is niet gelijk aan GeleverdVolume x ProductTarief.",
    TOTAL_MISMATCH: "TotaalIngediendBedrag is niet gelijk aan de netto som van de prestaties.",
    CLAIM_DUPLICATE_REFERENCE: "Hetzelfde ReferentieNummer komt twee keer voor in het bericht.",
    CLAIM_UNKNOWN_ALLOCATION: "De prestatie verwijst naar een onbekende toewijzing.",
    CLAIM_DELETED_ALLOCATION: "De prestatie verwijst naar een verwijderde toewijzing.",
    CLAIM_OUTSIDE_ALLOCATION: "De productperiode valt buiten de looptijd van de toewijzing.",
    CLAIM_CREDIT_WITHOUT_DEBIT: "Een creditregel verwijst niet naar een bestaande debetregel.",
    CLAIM_OTHER_CLIENT: "De toewijzing hoort bij een andere client.",
    CLAIM_OTHER_PROVIDER: "De toewijzing hoort bij een andere aanbieder.",
    CLAIM_OTHER_PRODUCT: "Het gedeclareerde product hoort niet bij de toewijzing.",
    XSD: "Het bericht voldoet niet aan het officiele iJw 3.2 XSD-schema.",
}


@dataclass(frozen=True)
class ValidationError:
    """One broken rule in one file.

    ``element`` is an XPath-like location without namespace prefixes, e.g.
    ``/Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[3]/ProductPeriode/Einddatum``;
    ``line`` is the source line of that element (or of the syntax error) when known.
    ``message`` is Dutch and never contains a BSN, name or address.
    """

    file: str
    message_id: str | None
    element: str
    rule: str
    message: str
    line: int | None = None
    scope: Scope = "message"
    ref: str | None = None  # ReferentieNummer of the rejected Prestatie (scope "line"), when known

    def __str__(self) -> str:
        return f"{self.file}: bericht {self.message_id or '?'}: {self.element}: {self.rule}: {self.message}"
