"""iJw 3.2 code lists used by Jeugdregie, with their Dutch labels.

Copied from the enumerations in ``basisschema.xsd`` (iJw release 3.2, BasisschemaXsdVersie 0.1.0)
because the XSD folder may be absent at run time. ``tests/ijw/test_codes.py`` compares these
tables with the XSD whenever ``shared/reference/ijw-3.2/xsd`` is present. Labels are stripped of
surrounding whitespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


def _frozen(items: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(items)


#: LDT_Eenheid (WJ756)
EENHEID: Final = _frozen(
    {
        "01": "Minuut",
        "04": "Uur",
        "14": "Etmaal",
        "16": "Dagdeel (4 uur)",
        "82": "Stuks (output)",
        "83": "Euro's",
        "84": "Stuks (inspanning)",
    }
)

#: LDT_Frequentie
FREQUENTIE: Final = _frozen(
    {
        "1": "Per dag",
        "2": "Per week",
        "4": "Per maand",
        "6": "Totaal binnen geldigheidsduur toewijzing",
    }
)

#: LDT_RedenWijziging
REDEN_WIJZIGING: Final = _frozen(
    {
        "01": "Administratieve correctie (vervallen)",
        "02": "Client overleden",
        "03": "Contractwijziging",
        "04": "Herbeoordeling: verlenging toewijzing",
        "05": "Herbeoordeling: verkorting toewijzing",
        "06": "Uitstroom naar ander domein",
        "07": "Verhuizing naar een andere gemeente",
        "08": "Wijziging leveringsvorm",
        "09": "Overstap naar andere aanbieder",
        "10": "Overgang naar nieuwe bekostigingssystematiek",
        "11": "Gemeentelijke herindeling",
        "12": "Geinitieerd door de aanbieder",
        "13": "Verwijderd",
        "14": "Administratieve correctie",
    }
)

#: LDT_RedenBeeindiging (JZ588)
REDEN_BEEINDIGING: Final = _frozen(
    {
        "02": "Overlijden",
        "20": "Levering is tijdelijk beeindigd.",
        "31": "Levering is volgens plan beeindigd.",
        "32": "Voortijdig afgesloten: eenzijdig door de client.",
        "33": "Voortijdig afgesloten: eenzijdig door de aanbieder.",
        "34": "Voortijdig afgesloten: in overeenstemming.",
        "35": "Voortijdig afgesloten: wegens externe omstandigheden.",
        "36": "Geinitieerd door de gemeente",
        "37": "In verband met wijzigingsverzoek",
        "38": "Overstap naar andere aanbieder",
        "39": "Uitstroom naar ander domein",
    }
)

#: LDT_StatusAanlevering
STATUS_AANLEVERING: Final = _frozen(
    {
        "1": "Eerste aanlevering",
        "2": "Gewijzigde aanlevering",
        "3": "Verwijderen aanlevering",
        "9": "Niet van toepassing (ongewijzigd)",
    }
)

#: LDT_TypeVerwijzer (COD327)
TYPE_VERWIJZER: Final = _frozen(
    {
        "01": "Gemeente",
        "02": "Huisarts",
        "03": "Jeugdarts",
        "04": "Gecertificeerde instelling",
        "05": "Medisch specialist",
        "06": "Zelfverwijzer/geen verwijzer",
        "08": "Rechter, Officier van Justitie, functionaris Justitiele jeugdinrichting",
    }
)

#: LDT_Geslacht
GESLACHT: Final = _frozen({"0": "Onbekend", "1": "Mannelijk", "2": "Vrouwelijk"})

#: LDT_DebetCredit
DEBET_CREDIT: Final = _frozen({"C": "Creditbedrag en aantal", "D": "Debetbedrag en aantal"})

#: LDT_ProductCategorie (JZ020)
PRODUCT_CATEGORIE: Final = _frozen(
    {
        "31": "(2015) Zonder verblijf: uitgevoerd door wijk- of buurtteam",
        "32": "(2015) Zonder verblijf: ambulante jeugdhulp op locatie van de aanbieder",
        "33": "(2015) Zonder verblijf: daghulp op locatie van de aanbieder",
        "34": "(2015) Zonder verblijf: jeugdhulp in het netwerk van de jeugdige",
        "35": "(2015) Met verblijf: pleegzorg",
        "36": "(2015) Met verblijf: gezinsgericht",
        "37": "(2015) Met verblijf: gesloten plaatsing",
        "38": "(2015) Met verblijf: overig residentieel",
        "40": "Persoonlijke verzorging",
        "41": "Dagbehandeling",
        "42": "Vervoerdiensten",
        "43": "Jeugdhulp verblijf (incl. behandeling)",
        "44": "Jeugdhulp verblijf (excl. behandeling)",
        "45": "Jeugdhulp ambulant",
        "46": "Jeugdhulp crisis",
        "47": "Jeugdreclassering",
        "48": "Jeugdbescherming",
        "49": "Activiteiten in het preventief justitieel kader",
        "50": "Maatwerkarrangementen jeugd",
        "51": "Generalistische basis-ggz",
        "52": "Specialistische ggz",
        "53": "Kindergeneeskunde",
        "54": "Jeugd-ggz",
        "55": "Landelijk ingekochte zorg",
    }
)

#: LDT_RedenVerzoek (JW317)
REDEN_VERZOEK: Final = _frozen({"1": "Verandering clientsituatie", "2": "Wijziging zorgplan"})

#: LDT_VerzoekAntwoord (JW319); a request is granted by a JW301, not by a JW319.
VERZOEK_ANTWOORD: Final = _frozen({"1": "Verzoek afgewezen", "2": "Aanvraag in onderzoek"})

#: LDT_RedenAfwijzingVerzoek (JW319)
REDEN_AFWIJZING_VERZOEK: Final = _frozen(
    {
        "1": "Geen wijziging, maar nieuwe aanvraag",
        "2": "Past niet binnen budget",
        "3": "Geen contract",
        "4": "Past niet binnen contract",
        "5": "Andere gemeente",
        "6": "Stapeling",
        "7": "Zorginhoudelijke afkeur",
        "8": "Woonplaatsbeginsel",
        "9": "Leeftijdsgrens is bereikt",
    }
)

#: All code lists by their XSD type name.
CODE_LISTS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "LDT_Eenheid": EENHEID,
        "LDT_Frequentie": FREQUENTIE,
        "LDT_RedenWijziging": REDEN_WIJZIGING,
        "LDT_RedenBeeindiging": REDEN_BEEINDIGING,
        "LDT_StatusAanlevering": STATUS_AANLEVERING,
        "LDT_TypeVerwijzer": TYPE_VERWIJZER,
        "LDT_Geslacht": GESLACHT,
        "LDT_DebetCredit": DEBET_CREDIT,
        "LDT_ProductCategorie": PRODUCT_CATEGORIE,
        "LDT_RedenVerzoek": REDEN_VERZOEK,
        "LDT_VerzoekAntwoord": VERZOEK_ANTWOORD,
        "LDT_RedenAfwijzingVerzoek": REDEN_AFWIJZING_VERZOEK,
    }
)

#: Reasons for ending care that count as "voortijdig afgesloten" (dropout KPI, SYSTEM.md section 7).
VOORTIJDIG_AFGESLOTEN: Final = frozenset({"32", "33", "34"})
#: RedenWijziging "Verwijderd": the allocation is deleted.
REDEN_WIJZIGING_VERWIJDERD: Final = "13"


def is_known(list_name: str, code: str) -> bool:
    """True if ``code`` is in the code list ``list_name`` (e.g. ``"LDT_Eenheid"``)."""
    return code in CODE_LISTS[list_name]


def label(list_name: str, code: str) -> str | None:
    """Dutch label of ``code`` in ``list_name``, or ``None`` for an unknown code."""
    return CODE_LISTS[list_name].get(code)
