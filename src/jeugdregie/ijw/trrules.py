"""The official technical rules (TR) of iJw 3.2 with their return codes (code list WJ001).

One entry per rule: the code (``TR319``), the return code the standard gives a message or line
that breaks it (``9319``; ``0001`` for the rules inside one message), the level (inside one
message, across messages, or needing an external source), the message types it applies to, a
short Dutch text, and how Jeugdregie handles it:

* ``ingest``: checked when a message is read in; a broken rule puts the message or line in the
  quarantine (and ``jeugdregie ijw validate`` reports the rules inside one message);
* ``validatie``: checked by ``jeugdregie ijw validate`` only (types or data Jeugdregie does not
  ingest or store);
* ``datakwaliteit``: reported as a data-quality finding, not rejected;
* ``niet controleerbaar``: Jeugdregie cannot check it; ``toelichting`` says why.

Source: "Regels op berichten iJw release 3.2" and WJ001, condensed in
``shared/reference/ijw-3.2/rules/README.md``. Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Niveau = Literal["bericht", "berichtoverstijgend", "extern"]
Afhandeling = Literal["ingest", "validatie", "datakwaliteit", "niet controleerbaar"]

INGEST: Final = "ingest"
VALIDATIE: Final = "validatie"
DATAKWALITEIT: Final = "datakwaliteit"
NIET: Final = "niet controleerbaar"

#: Return code for a message rejected on technical grounds (XSD or a rule inside one message).
RETOUR_TECHNISCH: Final = "0001"

NIVEAU_TEKST: Final[dict[str, str]] = {
    "bericht": "in het bericht",
    "berichtoverstijgend": "berichtoverstijgend",
    "extern": "externe bron",
}


@dataclass(frozen=True)
class TechnicalRule:
    code: str
    retourcode: str
    niveau: Niveau
    berichten: tuple[str, ...]
    tekst: str
    afhandeling: Afhandeling
    toelichting: str


def _types(numbers: str) -> tuple[str, ...]:
    return tuple(f"JW{n}" for n in numbers.split())


_ALL = "301 302 305 306 307 308 315 316 317 318 319 320 323 325"

_ROWS: Final[tuple[tuple[str, str, Niveau, str, str, Afhandeling, str], ...]] = (
    (
        "TR002",
        "0001",
        "bericht",
        "301 305 307 315",
        "Geboortedatum ligt hoogstens 120 jaar voor de dagtekening, tenzij onbekend (DatumGebruik 3).",
        VALIDATIE,
        "Alleen in ijw validate: Jeugdregie bewaart alleen geboortejaar en -maand.",
    ),
    (
        "TR006",
        "0001",
        "bericht",
        "301",
        "Een Contact heeft een Telefoon en/of Huisnummer met Postcode.",
        NIET,
        "Niet gecontroleerd: telefoon en adres zijn persoonsgegevens die Jeugdregie niet leest of "
        "bewaart, en de eigen berichtschrijver (demo, tests) laat ze bewust weg (een Contact met "
        "alleen Soort); die berichten zouden de regel allemaal breken.",
    ),
    (
        "TR018",
        "0001",
        "bericht",
        "307",
        "Einddatum ligt niet voor Begindatum.",
        INGEST,
        "Het stopbericht wordt geweigerd.",
    ),
    (
        "TR019",
        "9019",
        "berichtoverstijgend",
        "305 307",
        "Een start- of stopbericht hoort via ToewijzingNummer bij een toewijzing van deze aanbieder en client.",
        INGEST,
        "Geweigerd tot de toewijzing binnen is (wacht in de quarantaine, wordt automatisch opnieuw geprobeerd).",
    ),
    (
        "TR056",
        "9056",
        "berichtoverstijgend",
        _ALL,
        "BerichtIdentificatie is uniek per berichttype voor de afzender.",
        INGEST,
        "Hetzelfde bericht opnieuw aangeleverd (zelfde afzender en identificatie, zelfde inhoud) "
        "wordt stil als dubbel overgeslagen. Een ander bericht onder een al gebruikte identificatie "
        "gaat naar de quarantaine (TR056 / 9056) en staat bij de datakwaliteit (tr056_reused_id). Strenger dan de regel: "
        "uniek per afzender over alle typen; een ander berichttype met dezelfde identificatie krijgt "
        "de eigen code message.identification_taken.",
    ),
    (
        "TR061",
        "0001",
        "bericht",
        "301",
        "Een Client heeft een adres van soort 01, 02 of 03.",
        VALIDATIE,
        "Alleen in ijw validate: adressen worden niet bewaard.",
    ),
    (
        "TR063",
        "9063",
        "berichtoverstijgend",
        "305 307",
        "StatusAanlevering 3 (verwijderen) verwijst naar een eerder aangeleverde start of stop met dezelfde sleutel.",
        INGEST,
        "Het bericht wordt geweigerd als de te verwijderen start of stop niet bekend is.",
    ),
    (
        "TR071",
        "9071",
        "berichtoverstijgend",
        "305",
        "Een start kan niet verwijderd worden als er al een stop is gestuurd.",
        INGEST,
        "Het bericht wordt geweigerd.",
    ),
    (
        "TR074",
        "9074",
        "berichtoverstijgend",
        "305 307",
        "StatusAanlevering 1: de sleutel is uniek in het bericht en ten opzichte van alle eerder ontvangen berichten.",
        INGEST,
        "Het bericht wordt geweigerd als dezelfde start of stop al bekend is.",
    ),
    (
        "TR101",
        "0001",
        "bericht",
        "301 305 307 315 317 323 325",
        "Geen dubbele regels: de logische sleutel van elke klasse is uniek in het bericht.",
        INGEST,
        "JW301/305/307/315: het bericht wordt geweigerd. JW323: een herhaald ReferentieNummer is "
        "TR314 (regel geweigerd); een herhaalde Client meldt alleen ijw validate. JW317/JW325: "
        "ijw validate.",
    ),
    (
        "TR134",
        "0001",
        "bericht",
        "301 305 307 315 323 325",
        "Een datum bestaat en ligt niet na de dagtekening van het bericht.",
        INGEST,
        "Onbestaande datums en datums na de dagtekening worden geweigerd.",
    ),
    (
        "TR135",
        "8848",
        "extern",
        _ALL,
        "De dagtekening ligt niet in de toekomst.",
        NIET,
        "Hangt af van de systeemdatum bij ontvangst; bij het opnieuw inlezen van historie zou dat "
        "verschillen. Jeugdregie controleert het niet.",
    ),
    (
        "TR137",
        "0001",
        "bericht",
        "323 325",
        "Einddatum van een periode ligt niet voor de begindatum en niet na de dagtekening.",
        INGEST,
        "Declaratieperiode of productperiode in verkeerde volgorde: bericht of regel geweigerd.",
    ),
    (
        "TR302",
        "0001",
        "bericht",
        "301",
        "Een product komt alleen meer dan eens voor met niet-overlappende perioden.",
        VALIDATIE,
        "In ijw validate; bij inlezen niet geweigerd, omdat een JW301 alle lopende toewijzingen "
        "herhaalt en de toewijzingen per ToewijzingNummer worden bewaard.",
    ),
    (
        "TR304",
        "8187",
        "berichtoverstijgend",
        "317 323 325",
        "Het Bsn hoort bij de client van de toewijzing.",
        INGEST,
        "Declaratieregel geweigerd (vergeleken op pseudoniem).",
    ),
    (
        "TR307",
        "9307",
        "berichtoverstijgend",
        "323",
        "Begindatum van de ProductPeriode ligt niet voor de ingangsdatum van de toewijzing.",
        INGEST,
        "Declaratieregel geweigerd.",
    ),
    (
        "TR308",
        "9308",
        "berichtoverstijgend",
        "323",
        "Einddatum van de ProductPeriode ligt niet na de einddatum van de toewijzing (als die gevuld is).",
        INGEST,
        "Declaratieregel geweigerd.",
    ),
    (
        "TR314",
        "8021",
        "berichtoverstijgend",
        "323",
        "ReferentieNummer is uniek voor de aanbieder, binnen het bericht en over berichten heen.",
        INGEST,
        "Declaratieregel geweigerd; vergeleken met de opgeslagen regels van de aanbieder (per bericht "
        "in een keer opgehaald).",
    ),
    (
        "TR315",
        "0001",
        "bericht",
        "323",
        "VorigReferentieNummer is uniek in het bericht.",
        INGEST,
        "De tweede regel met hetzelfde VorigReferentieNummer wordt geweigerd.",
    ),
    (
        "TR316",
        "0001",
        "bericht",
        "323",
        "Een debetregel wordt niet in hetzelfde bericht gecrediteerd.",
        INGEST,
        "De creditregel wordt geweigerd.",
    ),
    (
        "TR318",
        "8214",
        "berichtoverstijgend",
        "323",
        "De declaratieperiode sluit aan op de vorige als er elke maand zorg is geleverd.",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr318_gap): een maand tussen twee declaratieperioden van een aanbieder "
        "aan een gemeente zonder declaratie, terwijl bij een toewijzing de zorg die hele maand liep (gestart, "
        "niet gestopt). Niet geweigerd: late declaraties (TR319) maken een gat tijdelijk normaal.",
    ),
    (
        "TR319",
        "9319",
        "berichtoverstijgend",
        "323",
        "De ProductPeriode ligt in de huidige of een eerdere declaratieperiode en binnen een kalendermaand.",
        INGEST,
        "Late regels worden geaccepteerd en tellen in hun eigen ProductPeriode; een periode na de "
        "declaratieperiode of over een maandgrens wordt geweigerd.",
    ),
    (
        "TR321",
        "9321",
        "berichtoverstijgend",
        "323",
        "GeleverdVolume past bij de toegewezen Omvang (eenheid, frequentie, periode).",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr321_volume), niet geweigerd: netto volume per toewijzing en "
        "productperiode boven Volume x dagen (per dag), x weken naar boven afgerond (per week) of Volume "
        "(per maand); minuten omgerekend naar uren.",
    ),
    (
        "TR322",
        "9322",
        "berichtoverstijgend",
        "323",
        "De som van GeleverdVolume over alle regels van een toewijzing past binnen de totale Omvang.",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr322_total), niet geweigerd: omvang 'totaal binnen de "
        "geldigheidsduur', netto volume over alle geaccepteerde regels, in het jaar van de "
        "productperiode waarin het totaal werd overschreden.",
    ),
    (
        "TR323",
        "8017",
        "berichtoverstijgend",
        "323",
        "Een creditregel verwijst met VorigReferentieNummer naar een eerdere debetregel.",
        INGEST,
        "Creditregel geweigerd; wacht in de quarantaine tot de debetregel er is.",
    ),
    (
        "TR326",
        "9326",
        "berichtoverstijgend",
        "305",
        "Geen nieuwe start zolang er een lopende start zonder stop is.",
        INGEST,
        "Het startbericht wordt geweigerd.",
    ),
    (
        "TR332",
        "9332",
        "berichtoverstijgend",
        "301",
        "ToewijzingNummer is uniek per gemeente.",
        INGEST,
        "Een JW301 die een bekend ToewijzingNummer voor een andere client of aanbieder gebruikt, "
        "wordt geweigerd.",
    ),
    (
        "TR333",
        "9333",
        "berichtoverstijgend",
        "323",
        "DeclaratieNummer is uniek voor de aanbieder.",
        INGEST,
        "Het declaratiebericht wordt geweigerd.",
    ),
    (
        "TR335",
        "0001",
        "bericht",
        "323",
        "Einddatum van de ProductPeriode ligt niet meer dan 5 jaar voor de DeclaratieDagtekening.",
        INGEST,
        "Declaratieregel geweigerd.",
    ),
    (
        "TR338",
        "9338",
        "berichtoverstijgend",
        "323",
        "Elke regel hoort via ToewijzingNummer bij een toegewezen product van deze aanbieder.",
        INGEST,
        "Declaratieregel geweigerd; wacht in de quarantaine tot de toewijzing er is.",
    ),
    (
        "TR339",
        "9339",
        "berichtoverstijgend",
        "323",
        "ProductCategorie is gelijk aan die van de toewijzing.",
        INGEST,
        "Declaratieregel geweigerd.",
    ),
    (
        "TR340",
        "9340",
        "berichtoverstijgend",
        "323",
        "ProductCode is gelijk aan die van de toewijzing als die een code heeft.",
        INGEST,
        "Declaratieregel geweigerd.",
    ),
    (
        "TR341",
        "9341",
        "berichtoverstijgend",
        "323",
        "Eenheid past bij de eenheid van de toewijzing (uren mogen in minuten).",
        INGEST,
        "Declaratieregel geweigerd als de toewijzing een eenheid heeft.",
    ),
    (
        "TR346",
        "9346",
        "extern",
        "323",
        "IngediendBedrag = GeleverdVolume x ProductTarief (behalve eenheid 83, euro's).",
        INGEST,
        "Declaratieregel geweigerd; het contracttarief zelf is TR418.",
    ),
    (
        "TR347",
        "9347",
        "berichtoverstijgend",
        "315 317",
        "ReferentieAanbieder is uniek voor de aanbieder.",
        INGEST,
        "JW317: een verzoek met een al gebruikte ReferentieAanbieder wordt geweigerd. Een JW315 die een "
        "verzoek met dezelfde ReferentieAanbieder herhaalt, werkt het verzoek bij (geen weigering).",
    ),
    (
        "TR355",
        "9355",
        "berichtoverstijgend",
        "319",
        "De ReferentieAanbieder van het antwoord komt voor in een eerder verzoek.",
        INGEST,
        "Een JW319 voor een (nog) onbekend verzoek wacht in quarantaine en wordt bij elke inleesronde "
        "opnieuw geprobeerd.",
    ),
    (
        "TR358",
        "0001",
        "bericht",
        "323",
        "TotaalIngediendBedrag is de som van de regels: debet opgeteld, credit afgetrokken.",
        INGEST,
        "Het hele declaratiebericht wordt geweigerd.",
    ),
    (
        "TR366",
        "9366",
        "berichtoverstijgend",
        "325",
        "Elke regel van een declaratie-antwoord hoort bij een declaratieregel (ProductReferentie).",
        INGEST,
        "Een JW325 voor een (nog) onbekende declaratie of regel wacht in quarantaine en wordt bij elke "
        "inleesronde opnieuw geprobeerd.",
    ),
    (
        "TR367",
        "9367",
        "berichtoverstijgend",
        "325",
        "De waarden zijn gelijk aan die van de bijbehorende declaratieregel.",
        INGEST,
        "Het antwoord wordt geweigerd als een regel afwijkt van de gedeclareerde regel.",
    ),
    (
        "TR374",
        "9374",
        "berichtoverstijgend",
        "315 317",
        "Geen verzoek zolang een ander verzoek van die aanbieder voor de client in behandeling is.",
        NIET,
        "Jeugdregie ziet niet altijd wanneer een verzoek is afgehandeld (een JW301 zonder referentie).",
    ),
    (
        "TR378",
        "S300",
        "extern",
        "301 302 305 306 307 308 315 316 317 318 319 320 323",
        "Een bestaande CBS-gemeentecode (geldig op de ingangsdatum).",
        NIET,
        "De CBS-lijst is niet beschikbaar. Jeugdregie weigert wel elke gemeente buiten de regio "
        "(eigen regel party.unknown_municipality, zonder retourcode).",
    ),
    (
        "TR381",
        "S329",
        "extern",
        "301 305 307 315 317 323",
        "ProductCode past bij ProductCategorie in de gebruikte productcodelijst.",
        NIET,
        "De landelijke productcodelijst is niet beschikbaar; de regionale productcatalogus is de bron.",
    ),
    (
        "TR382",
        "9069",
        "berichtoverstijgend",
        "307",
        "Een stop draagt de sleutel van zijn start ongewijzigd.",
        NIET,
        "Niet gebouwd.",
    ),
    (
        "TR384",
        "9384",
        "berichtoverstijgend",
        "323",
        "Geen declaratie op een toewijzing die met RedenWijziging 13 is verwijderd.",
        INGEST,
        "Debetregel geweigerd.",
    ),
    (
        "TR385",
        "9385",
        "berichtoverstijgend",
        "301",
        "Een toewijzing met goedgekeurde, niet gecrediteerde regels kan niet worden verwijderd (13).",
        NIET,
        "Jeugdregie ontvangt de toewijzing van de gemeente als feit; niet gebouwd als weigering.",
    ),
    (
        "TR387",
        "9387",
        "berichtoverstijgend",
        "323",
        "De ProductPeriode begint op de 1e van de maand, tenzij de toewijzing later in die maand begint.",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr387_period, samen met TR388), niet geweigerd.",
    ),
    (
        "TR388",
        "9388",
        "berichtoverstijgend",
        "323",
        "De ProductPeriode eindigt op de laatste dag van de maand, tenzij de toewijzing eerder eindigt.",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr387_period, samen met TR387), niet geweigerd.",
    ),
    (
        "TR389",
        "9389",
        "berichtoverstijgend",
        "323",
        "Een debet voor dezelfde periode, categorie, code en toewijzing alleen als de eerdere debet is gecrediteerd.",
        DATAKWALITEIT,
        "Bevinding bij de datakwaliteit (tr389_second_debit), niet geweigerd: volgorde op dagtekening van de "
        "declaraties; een door de gemeente afgewezen debetregel (JW325) telt niet.",
    ),
    (
        "TR390",
        "9390",
        "berichtoverstijgend",
        "323",
        "Een regel wordt maar een keer gecrediteerd.",
        INGEST,
        "Tweede creditregel geweigerd (in het bericht en tegen de opgeslagen regels).",
    ),
    (
        "TR416",
        "0001",
        "bericht",
        "323",
        "Binnen een bericht een debet per periode, categorie, code en toewijzing.",
        NIET,
        "Niet gebouwd.",
    ),
    (
        "TR418",
        "0611",
        "extern",
        "323",
        "ProductTarief is het contracttarief van de ProductCode.",
        NIET,
        "Het tarief per aanbieder per product is niet in Jeugdregie vastgelegd als contractbron.",
    ),
)

RULES: Final[dict[str, TechnicalRule]] = {
    row[0]: TechnicalRule(row[0], row[1], row[2], _types(row[3]), row[4], row[5], row[6]) for row in _ROWS
}


def retourcode(tr: str) -> str | None:
    """The WJ001 return code of rule ``tr`` (e.g. ``"TR319"`` -> ``"9319"``), None if unknown."""
    rule = RULES.get(tr)
    return rule.retourcode if rule is not None else None


#: Return codes of WJ001 that belong to no single rule.
GENERAL_RETOURCODES: Final[dict[str, str]] = {
    "0001": "Bericht is afgekeurd om technische redenen (XSD of een regel in het bericht).",
    "0200": "Geen opmerking over deze klasse.",
    "0233": "Klasse is niet beoordeeld.",
    "8001": "Declaratie is volledig toegekend.",
}


def retourcode_meaning(code: str) -> tuple[str | None, str]:
    """(TR, Dutch meaning) of a WJ001 return code: the rule that has it (the first by code when
    several share it), else a general code; (None, "onbekende retourcode") otherwise."""
    for rule in RULES.values():
        if rule.retourcode == code and code != RETOUR_TECHNISCH:
            return rule.code, rule.tekst
    if code in GENERAL_RETOURCODES:
        return None, GENERAL_RETOURCODES[code]
    return None, "Onbekende retourcode."


def rules_for(kind: str) -> list[TechnicalRule]:
    """The rules that apply to message type ``kind`` (e.g. ``"JW323"``), in code order."""
    return [r for r in RULES.values() if kind in r.berichten]


def markdown_table() -> str:
    """The rules as a Markdown table for ``docs/ijw.md``."""
    lines = [
        "| regel | retourcode | niveau | berichten | wat | Jeugdregie | waarom / hoe |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in RULES.values():
        kinds = " ".join(k.removeprefix("JW") for k in r.berichten)
        lines.append(
            f"| {r.code} | {r.retourcode} | {NIVEAU_TEKST[r.niveau]} | {kinds} | {r.tekst} | "
            f"{r.afhandeling} | {r.toelichting} |"
        )
    return "\n".join(lines)
