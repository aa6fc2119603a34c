"""Validation errors of the iJw layer: one record per broken rule, with a stable rule code.

A ``ValidationError`` is a value, not an exception: the reader and the validators return lists of
them so that one bad line does not hide the others. ``str(error)`` gives the line the CLI prints:

    JW323_12345678_D1.xml: bericht D1: /Bericht/Declaratie/.../Prestatie[3]/ProductPeriode:
    TR319 / 9319 (date.outside_period): ...

Every error carries the official iJw rule (``tr``, e.g. ``TR319``) and its return code
(``retourcode``, WJ001, e.g. ``9319``) where the standard has one: ``TR_BY_RULE`` maps the
internal rule codes that correspond one-to-one; where one internal code covers several official
rules (``date.order``, ``claim.outside_allocation``, ``claim.other_product``) the check that finds
the error names the rule. Structural and XSD errors without a TR keep their own code and get the
return code ``0001`` (rejected for technical reasons).

``scope`` says what the error rejects (see ``jeugdregie.ijw.validation`` for the full table):

* ``"message"``: the whole message (file) is rejected; ``ReadResult.message`` is ``None``.
* ``"client"``: JW323 only: every line of one Client is rejected (bad or missing Bsn).
* ``"line"``: JW323 only: one Prestatie is rejected; ``ref`` holds its ReferentieNummer when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from jeugdregie.ijw.trrules import RETOUR_TECHNISCH, retourcode

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
# Rules added with the official codes (see jeugdregie.ijw.trrules for the texts).
DATE_AFTER_DAGTEKENING: Final = "date.after_dagtekening"
DATE_TOO_OLD: Final = "date.too_old"
BIRTH_DATE_TOO_OLD: Final = "date.birth_too_old"
DUPLICATE_KEY: Final = "key.duplicate"
PRODUCT_OVERLAP: Final = "product.overlap"
ADDRESS_MISSING: Final = "address.missing"
CLAIM_DUPLICATE_PREVIOUS: Final = "claim.duplicate_previous_reference"
CLAIM_CREDIT_SAME_MESSAGE: Final = "claim.credit_same_message"
CLAIM_REFERENCE_USED: Final = "claim.reference_used"
CLAIM_CREDITED_TWICE: Final = "claim.credited_twice"
CLAIM_OTHER_UNIT: Final = "claim.other_unit"
CLAIM_DUPLICATE_NUMBER: Final = "claim.duplicate_declaratienummer"
ALLOCATION_UNKNOWN: Final = "allocation.unknown"
ALLOCATION_OTHER_PARTY: Final = "allocation.other_party"
ALLOCATION_NUMBER_TAKEN: Final = "allocation.number_taken"
START_STOP_UNKNOWN: Final = "startstop.unknown"
START_STOP_STOPPED: Final = "startstop.already_stopped"
START_STOP_DUPLICATE: Final = "startstop.duplicate"
START_OPEN: Final = "start.open"
MESSAGE_ID_REUSED: Final = "message.identification_reused"
MESSAGE_ID_TAKEN: Final = "message.identification_taken"

#: Every rule code with a short Dutch description (for documentation, the CLI and the UI).
RULES: Final[dict[str, str]] = {
    XML_MALFORMED: "Het bestand is geen goed gevormde XML (bijvoorbeeld afgebroken).",
    XML_NAMESPACE: "Onbekende of verkeerde namespace; het berichttype is niet te bepalen of niet ondersteund.",
    STRUCTURE_MISSING: "Een verplicht element ontbreekt.",
    STRUCTURE_INVALID: "Een element heeft een waarde met een verkeerd formaat (patroon, lengte, bereik).",
    CODE_UNKNOWN: "Een code komt niet voor in de iJw-codelijst.",
    DATE_INVALID: "Een datum is geen bestaande datum in het formaat JJJJ-MM-DD.",
    DATE_ORDER: "Een einddatum ligt voor de bijbehorende begin- of ingangsdatum.",
    DATE_OUTSIDE_PERIOD: "De productperiode ligt na de declaratieperiode of niet binnen een kalendermaand.",
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
    DATE_AFTER_DAGTEKENING: "Een datum ligt na de dagtekening van het bericht.",
    DATE_TOO_OLD: "De productperiode eindigt meer dan 5 jaar voor de declaratiedagtekening.",
    BIRTH_DATE_TOO_OLD: "De geboortedatum ligt meer dan 120 jaar voor de dagtekening.",
    DUPLICATE_KEY: "Dezelfde logische sleutel komt twee keer voor in het bericht.",
    PRODUCT_OVERLAP: "Hetzelfde product komt twee keer voor met overlappende perioden.",
    ADDRESS_MISSING: "De client heeft geen adres van soort 01, 02 of 03.",
    CLAIM_DUPLICATE_PREVIOUS: "Hetzelfde VorigReferentieNummer komt twee keer voor in het bericht.",
    CLAIM_CREDIT_SAME_MESSAGE: "Een debetregel wordt in hetzelfde bericht gecrediteerd.",
    CLAIM_REFERENCE_USED: "Het ReferentieNummer is al eerder door de aanbieder gebruikt.",
    CLAIM_CREDITED_TWICE: "De debetregel is al eerder gecrediteerd.",
    CLAIM_OTHER_UNIT: "De eenheid past niet bij de eenheid van de toewijzing.",
    CLAIM_DUPLICATE_NUMBER: "Het DeclaratieNummer is al eerder door de aanbieder gebruikt.",
    ALLOCATION_UNKNOWN: "De start of stop verwijst naar een (nog) onbekende toewijzing.",
    ALLOCATION_OTHER_PARTY: "De toewijzing van de start of stop hoort bij een andere aanbieder of client.",
    ALLOCATION_NUMBER_TAKEN: "Het ToewijzingNummer is bij de gemeente al gebruikt voor een andere client of aanbieder.",
    START_STOP_UNKNOWN: "De te verwijderen start of stop is niet eerder aangeleverd.",
    START_STOP_STOPPED: "De start kan niet verwijderd worden: er is al een stop.",
    START_STOP_DUPLICATE: "Deze start of stop is al eerder aangeleverd.",
    START_OPEN: "Er loopt al een start zonder stop voor deze toewijzing.",
    MESSAGE_ID_REUSED: "De afzender gebruikte deze BerichtIdentificatie al voor een ander bericht van dit type.",
    MESSAGE_ID_TAKEN: "De afzender gebruikte deze BerichtIdentificatie al voor een bericht van een ander type "
    "(iJw staat dat toe, Jeugdregie niet: het bericht wordt niet verwerkt).",
}

#: Internal rule code -> official rule, where they correspond one-to-one.
TR_BY_RULE: Final[dict[str, str]] = {
    DATE_INVALID: "TR134",
    DATE_AFTER_DAGTEKENING: "TR134",
    DATE_OUTSIDE_PERIOD: "TR319",
    DATE_TOO_OLD: "TR335",
    BIRTH_DATE_TOO_OLD: "TR002",
    DUPLICATE_KEY: "TR101",
    PRODUCT_OVERLAP: "TR302",
    ADDRESS_MISSING: "TR061",
    AMOUNT_MISMATCH: "TR346",
    TOTAL_MISMATCH: "TR358",
    CLAIM_DUPLICATE_REFERENCE: "TR314",
    CLAIM_REFERENCE_USED: "TR314",
    CLAIM_DUPLICATE_PREVIOUS: "TR315",
    CLAIM_CREDIT_SAME_MESSAGE: "TR316",
    CLAIM_UNKNOWN_ALLOCATION: "TR338",
    CLAIM_OTHER_PROVIDER: "TR338",
    CLAIM_DELETED_ALLOCATION: "TR384",
    CLAIM_CREDIT_WITHOUT_DEBIT: "TR323",
    CLAIM_CREDITED_TWICE: "TR390",
    CLAIM_OTHER_CLIENT: "TR304",
    CLAIM_OTHER_UNIT: "TR341",
    CLAIM_DUPLICATE_NUMBER: "TR333",
    ALLOCATION_UNKNOWN: "TR019",
    ALLOCATION_OTHER_PARTY: "TR019",
    ALLOCATION_NUMBER_TAKEN: "TR332",
    START_STOP_UNKNOWN: "TR063",
    START_STOP_STOPPED: "TR071",
    START_STOP_DUPLICATE: "TR074",
    START_OPEN: "TR326",
    MESSAGE_ID_REUSED: "TR056",
}

#: Internal codes that stand for several official rules; the check that finds the error names it.
TR_BY_PLACE: Final[dict[str, tuple[str, ...]]] = {
    DATE_ORDER: ("TR018", "TR137"),  # JW307 stop; JW323 periods (other date orders have no TR)
    CLAIM_OUTSIDE_ALLOCATION: ("TR307", "TR308"),  # before the start; after the end
    CLAIM_OTHER_PRODUCT: ("TR339", "TR340"),  # category; code
}

#: Internal codes without a TR that still reject on technical grounds (return code 0001).
TECHNICAL_RULES: Final = frozenset(
    {XML_MALFORMED, XML_NAMESPACE, STRUCTURE_MISSING, STRUCTURE_INVALID, CODE_UNKNOWN, XSD, BSN_ELFPROEF}
)


def official_codes(rule: str, tr: str | None = None) -> tuple[str | None, str | None]:
    """(TR, return code) of an error with internal code ``rule``; ``tr`` overrides the mapping."""
    tr = tr or TR_BY_RULE.get(rule)
    if tr is not None:
        return tr, retourcode(tr)
    return None, RETOUR_TECHNISCH if rule in TECHNICAL_RULES else None


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
    tr: str | None = None  # official rule (TR319); filled from TR_BY_RULE when not given
    retourcode: str | None = None  # WJ001 return code of ``tr`` (9319), or 0001 for technical errors

    def __post_init__(self) -> None:
        if self.retourcode is None or self.tr is None:
            tr, code = official_codes(self.rule, self.tr)
            object.__setattr__(self, "tr", tr)
            object.__setattr__(self, "retourcode", self.retourcode or code)

    @property
    def official(self) -> str:
        """``TR319 / 9319 (date.outside_period)``; ``xsd / 0001`` without a TR."""
        if self.tr is not None:
            return f"{self.tr} / {self.retourcode} ({self.rule})"
        return f"{self.rule} / {self.retourcode}" if self.retourcode else self.rule

    def __str__(self) -> str:
        return (
            f"{self.file}: bericht {self.message_id or '?'}: {self.element}: {self.official}: {self.message}"
        )


def markdown_table() -> str:
    """The internal rule codes with their official rule and return code, for ``docs/ijw.md``."""
    lines = ["| rule | TR / retourcode | meaning (as shown to users) |", "|---|---|---|"]
    for code, text in RULES.items():
        tr, rc = official_codes(code)
        if code in TR_BY_PLACE:
            official = " or ".join(f"{t} / {retourcode(t)}" for t in TR_BY_PLACE[code])
        elif tr is not None:
            official = f"{tr} / {rc}"
        else:
            official = f"- / {rc}" if rc else "-"
        lines.append(f"| `{code}` | {official} | {text} |")
    return "\n".join(lines)
