"""The demo region of SYSTEM.md section 4: a Noord-Limburg-like region as configuration.

Plain data, no ORM: the loader (``jeugdregie.demo.loader``) puts it in the database and the demo
data generator uses the same definitions, so the two can never disagree. Tariffs are illustrative
(the region's tariff study is not public): legacy tariffs are set for 2022 and indexed yearly,
the new book's tariffs are the 2026 figures of seed 000 section 7.3.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from jeugdregie.rules.money import index_cents

REGIO_NAAM = "Noord-Limburg (demo)"


@dataclass(frozen=True)
class GemeenteSpec:
    cbs_code: str
    naam: str
    jeugdigen: int  # youths 0-17, input for keys (rounded CBS-like figures)


GEMEENTEN: tuple[GemeenteSpec, ...] = (
    GemeenteSpec("0889", "Beesel", 2_350),
    GemeenteSpec("0893", "Bergen", 2_150),
    GemeenteSpec("0907", "Gennep", 3_050),
    GemeenteSpec("0983", "Venlo", 18_200),
    GemeenteSpec("0984", "Venray", 8_350),
    GemeenteSpec("1507", "Horst aan de Maas", 8_600),
    GemeenteSpec("1894", "Peel en Maas", 8_100),
)

SEGMENTEN: dict[str, str] = {"2": "Wonen", "3": "Dagbesteding en dagbehandeling", "4": "Ambulant"}

# Product groups (percelen): the level of the ceilings. Vervoer has no segment.
GROEPEN: dict[str, tuple[str | None, str]] = {
    "W": ("2", "Wonen"),
    "D": ("3", "Dagbesteding en dagbehandeling"),
    "A": ("4", "Ambulant"),
    "V": (None, "Vervoer"),
}

# Yearly tariff indexation (seed 000 mentions 4.74% for 2023); percentages per target year.
INDEXERING: dict[int, str] = {2023: "4.74", 2024: "6.10", 2025: "3.60", 2027: "3.00"}


@dataclass(frozen=True)
class NormSpec:
    duur_min_maanden: int | None
    duur_max_maanden: int | None
    intensiteit_min: str | None  # units per month, decimal as text
    intensiteit_max: str | None
    tarieffactor_na_normduur: str | None = None
    wachttijd_norm_dagen: int | None = None


@dataclass(frozen=True)
class ProductSpec:
    code: str
    categorie: str
    naam: str
    groep: str  # key of GROEPEN
    eenheid: str  # WJ756
    frequentie: str  # LDT_Frequentie
    bekostigingsvorm: str  # inspanning / output / taak / plek / subsidie
    tarief_cent: int  # tariff in the book's first year, per unit
    standaard_volume: int | None = None  # trajectory hours (legacy output products)
    standaard_duur_maanden: int | None = None
    meerwerk_maatwerk: str = ""
    norm: NormSpec | None = None
    nieuw: str | None = None  # legacy only: code of the product in the new book


@dataclass(frozen=True)
class BoekSpec:
    naam: str
    geldig_van: dt.date
    geldig_tot: dt.date | None
    producten: tuple[ProductSpec, ...]


def _traject(code: str, cat: str, naam: str, uren: int, uurtarief: int, nieuw: str) -> ProductSpec:
    """A legacy trajectory: fixed price (hours x hourly rate), 12 months, claimed monthly as 1/12.

    The unit is 82 (stuks output) with frequency 6 (total): the allocation is for 12 monthly
    instalments and each month's claim line is 1 instalment at the monthly tariff."""
    return ProductSpec(
        code=code,
        categorie=cat,
        naam=naam,
        groep="A",
        eenheid="82",
        frequentie="6",
        bekostigingsvorm="output",
        tarief_cent=round(uren * uurtarief * 100 / 12),
        standaard_volume=uren,
        standaard_duur_maanden=12,
        nieuw=nieuw,
    )


AMB_BASIS, AMB_SPEC, AMB_WO, GGZ_NIEUW, ANALYSE, DYSLEXIE, MAATWERK_NIEUW = (
    "45N01",
    "45N02",
    "45N03",
    "54N01",
    "45N04",
    "45N05",
    "45N06",
)

LEGACY_BOEK = BoekSpec(
    naam="Productboek 2022-2025",
    geldig_van=dt.date(2022, 1, 1),
    geldig_tot=dt.date(2025, 12, 31),
    producten=(
        # Segment 4 ambulant: trajectories licht / midden / zwaar (hours per seed 000).
        _traject("54L01", "54", "GGZ licht", 10, 110, GGZ_NIEUW),
        _traject("54L02", "54", "GGZ midden", 23, 110, GGZ_NIEUW),
        _traject("54L03", "54", "GGZ zwaar", 45, 110, GGZ_NIEUW),
        _traject("45L01", "45", "Perspectief 1 licht", 15, 80, AMB_BASIS),
        _traject("45L02", "45", "Perspectief 1 midden", 30, 80, AMB_BASIS),
        _traject("45L03", "45", "Perspectief 1 zwaar", 66, 80, AMB_BASIS),
        _traject("45L04", "45", "Perspectief 2 midden", 20, 85, AMB_SPEC),
        _traject("45L05", "45", "Perspectief 2 zwaar", 40, 85, AMB_SPEC),
        _traject("45L06", "45", "Duurzaam licht", 90, 70, AMB_SPEC),
        _traject("45L07", "45", "Duurzaam midden", 140, 70, AMB_SPEC),
        _traject("45L08", "45", "Duurzaam zwaar", 240, 70, AMB_SPEC),
        ProductSpec(
            "45L09",
            "45",
            "Meerwerk ambulant",
            "A",
            "04",
            "2",
            "inspanning",
            8_000,
            meerwerk_maatwerk="meerwerk",
            nieuw=AMB_BASIS,
        ),
        ProductSpec(
            "45L10",
            "45",
            "Maatwerk ambulant",
            "A",
            "04",
            "2",
            "inspanning",
            8_500,
            meerwerk_maatwerk="maatwerk",
            nieuw=MAATWERK_NIEUW,
        ),
        ProductSpec(
            "45L11",
            "45",
            "Dyslexiezorg (traject)",
            "A",
            "82",
            "6",
            "output",
            360_000,
            standaard_duur_maanden=12,
            nieuw=DYSLEXIE,
        ),
        # Segment 3 day care, per dagdeel.
        ProductSpec("41L01", "41", "Ontwikkelgroep", "D", "16", "2", "inspanning", 9_500, nieuw="41N05"),
        ProductSpec(
            "41L02",
            "41",
            "Schoolvervangende dagbesteding 1",
            "D",
            "16",
            "2",
            "inspanning",
            5_500,
            nieuw="41N02",
        ),
        ProductSpec(
            "41L03",
            "41",
            "Schoolvervangende dagbesteding 2",
            "D",
            "16",
            "2",
            "inspanning",
            7_000,
            nieuw="41N02",
        ),
        ProductSpec(
            "41L04",
            "41",
            "Schoolvervangende dagbesteding 3",
            "D",
            "16",
            "2",
            "inspanning",
            9_000,
            nieuw="41N02",
        ),
        ProductSpec(
            "41L05",
            "41",
            "Schoolvervangende dagbehandeling 1",
            "D",
            "16",
            "2",
            "inspanning",
            10_000,
            nieuw="41N03",
        ),
        ProductSpec(
            "41L06",
            "41",
            "Schoolvervangende dagbehandeling 2",
            "D",
            "16",
            "2",
            "inspanning",
            12_000,
            nieuw="41N03",
        ),
        ProductSpec(
            "41L07",
            "41",
            "Schoolvervangende dagbehandeling 3",
            "D",
            "16",
            "2",
            "inspanning",
            14_000,
            nieuw="41N03",
        ),
        ProductSpec(
            "41L08", "41", "Naschoolse dagbesteding", "D", "16", "2", "inspanning", 5_000, nieuw="41N01"
        ),
        ProductSpec(
            "41L09", "41", "Naschoolse dagbehandeling", "D", "16", "2", "inspanning", 11_000, nieuw="41N04"
        ),
        ProductSpec("41L10", "41", "Respijtzorg", "D", "16", "4", "inspanning", 6_000, nieuw="41N01"),
        ProductSpec("41L11", "41", "EMB dagbehandeling", "D", "16", "2", "inspanning", 14_000, nieuw="41N06"),
        # Segment 2 housing, per etmaal.
        ProductSpec("44L01", "44", "Pleegzorg", "W", "14", "4", "inspanning", 5_000, nieuw="44N01"),
        ProductSpec("43L01", "43", "Gezinshuis", "W", "14", "4", "inspanning", 21_000, nieuw="43N01"),
        ProductSpec(
            "43L02", "43", "Kleinschalige woonleefgroep", "W", "14", "4", "inspanning", 30_500, nieuw="43N02"
        ),
        ProductSpec(
            "44L02", "44", "Zelfstandig wonen training", "W", "14", "4", "inspanning", 15_000, nieuw="44N02"
        ),
        ProductSpec("44L03", "44", "Logeren", "W", "14", "4", "inspanning", 17_500, nieuw="44N03"),
        # Transport by provider: a fixed fee per single ride.
        ProductSpec(
            "42L01", "42", "Vervoer per rit (enkele reis)", "V", "84", "2", "inspanning", 1_700, nieuw="42N01"
        ),
    ),
)


def _norm(dmin, dmax, imin, imax, factor=None, wacht=None) -> NormSpec:
    return NormSpec(dmin, dmax, imin, imax, factor, wacht)


NIEUW_BOEK = BoekSpec(
    naam="Productboek 2026",
    geldig_van=dt.date(2026, 1, 1),
    geldig_tot=None,
    producten=(
        ProductSpec(
            "44N01",
            "44",
            "Pleegzorg",
            "W",
            "14",
            "4",
            "inspanning",
            5_500,
            norm=_norm(6, 60, "20", "31", None, 42),
        ),
        ProductSpec(
            "43N01",
            "43",
            "Gezinshuis",
            "W",
            "14",
            "4",
            "inspanning",
            23_500,
            norm=_norm(6, 36, "20", "31", "0.900", 42),
        ),
        ProductSpec(
            "43N02",
            "43",
            "Kleinschalige woonleefgroep",
            "W",
            "14",
            "4",
            "inspanning",
            34_000,
            norm=_norm(3, 24, "20", "31", "0.900", 42),
        ),
        ProductSpec(
            "44N02",
            "44",
            "Zelfstandig wonen training",
            "W",
            "14",
            "4",
            "inspanning",
            16_500,
            norm=_norm(6, 18, "20", "31", "0.900", 42),
        ),
        ProductSpec(
            "44N03",
            "44",
            "Logeren",
            "W",
            "14",
            "4",
            "inspanning",
            19_500,
            norm=_norm(1, 12, "2", "8", None, 28),
        ),
        ProductSpec(
            "41N01",
            "41",
            "Dagbesteding",
            "D",
            "16",
            "2",
            "inspanning",
            6_200,
            norm=_norm(3, 24, "4", "20", None, 28),
        ),
        ProductSpec(
            "41N02",
            "41",
            "Onderwijstoeleidende dagbesteding",
            "D",
            "16",
            "2",
            "inspanning",
            7_800,
            norm=_norm(6, 24, "8", "40", "0.900", 28),
        ),
        ProductSpec(
            "41N03",
            "41",
            "Onderwijstoeleidende dagbehandeling",
            "D",
            "16",
            "2",
            "inspanning",
            11_800,
            norm=_norm(6, 18, "8", "40", "0.850", 28),
        ),
        ProductSpec(
            "41N04",
            "41",
            "Dagbehandeling",
            "D",
            "16",
            "2",
            "inspanning",
            14_500,
            norm=_norm(3, 12, "4", "24", "0.850", 28),
        ),
        ProductSpec(
            "41N05",
            "41",
            "Voorschoolse dagbehandeling",
            "D",
            "16",
            "2",
            "inspanning",
            13_500,
            norm=_norm(6, 24, "8", "40", None, 28),
        ),
        ProductSpec(
            "41N06",
            "41",
            "Voorschoolse dagbehandeling EMB",
            "D",
            "16",
            "2",
            "inspanning",
            16_000,
            norm=_norm(6, 60, "8", "40", None, 28),
        ),
        ProductSpec(
            AMB_BASIS,
            "45",
            "Ambulante hulp thuis Basis (MBO4 / HBO niet-SKJ)",
            "A",
            "04",
            "2",
            "inspanning",
            7_200,
            norm=_norm(3, 12, "2", "12", "0.850", 35),
        ),
        ProductSpec(
            AMB_SPEC,
            "45",
            "Ambulante hulp thuis Gespecialiseerd (HBO SKJ)",
            "A",
            "04",
            "2",
            "inspanning",
            9_200,
            norm=_norm(3, 12, "2", "12", "0.850", 35),
        ),
        ProductSpec(
            AMB_WO,
            "45",
            "Ambulante hulp thuis WO",
            "A",
            "04",
            "2",
            "inspanning",
            11_800,
            norm=_norm(3, 12, "2", "10", "0.850", 35),
        ),
        ProductSpec(
            GGZ_NIEUW,
            "54",
            "GGZ",
            "A",
            "04",
            "2",
            "inspanning",
            12_800,
            norm=_norm(3, 12, "2", "8", "0.850", 35),
        ),
        ProductSpec(
            ANALYSE,
            "45",
            "Analysefase",
            "A",
            "04",
            "6",
            "inspanning",
            10_500,
            norm=_norm(1, 3, "2", "8", None, 21),
        ),
        ProductSpec(
            DYSLEXIE,
            "45",
            "Dyslexie (traject)",
            "A",
            "82",
            "6",
            "output",
            390_000,
            standaard_duur_maanden=12,
            norm=_norm(9, 18, None, None, None, 56),
        ),
        ProductSpec(
            MAATWERK_NIEUW,
            "45",
            "Maatwerk ambulant",
            "A",
            "04",
            "2",
            "inspanning",
            9_800,
            meerwerk_maatwerk="maatwerk",
            norm=_norm(1, 12, "1", "8", None, 35),
        ),
        ProductSpec("42N01", "42", "Vervoer per rit (enkele reis)", "V", "84", "2", "inspanning", 1_900),
    ),
)

BOEKEN: tuple[BoekSpec, ...] = (LEGACY_BOEK, NIEUW_BOEK)


def product_by_code(code: str) -> ProductSpec:
    for boek in BOEKEN:
        for product in boek.producten:
            if product.code == code:
                return product
    raise KeyError(code)


def boek_for(code: str) -> BoekSpec:
    for boek in BOEKEN:
        if any(p.code == code for p in boek.producten):
            return boek
    raise KeyError(code)


def tarief_cent(code: str, jaar: int) -> int:
    """Tariff of a product in a year: the book's base tariff, indexed year by year (half-up to the cent).

    Indexation compounds on the rounded tariff of the year before, as an indexation run does."""
    boek = boek_for(code)
    amount = product_by_code(code).tarief_cent
    for year in range(boek.geldig_van.year + 1, jaar + 1):
        amount = index_cents(amount, INDEXERING.get(year, "0"))
    return amount


def tariefjaren(boek: BoekSpec, until_year: int = 2027) -> range:
    last = boek.geldig_tot.year if boek.geldig_tot else until_year
    return range(boek.geldig_van.year, last + 1)


# ---------------------------------------------------------------- providers


@dataclass(frozen=True)
class AanbiederSpec:
    agb_code: str
    naam: str
    categorie: str  # A / B / C
    is_nga: bool
    groepen: tuple[str, ...]  # product groups it delivers (keys of GROEPEN)
    gewicht: float  # relative size within its groups, drives its market share
    micro: bool = False  # a micro provider (under EUR 250k regional spend a year)
    contract_start: dt.date = field(default=dt.date(2026, 1, 1))


_PREFIXES = (
    "Jeugdhulp",
    "Zorggroep",
    "Stichting",
    "Praktijk",
    "Centrum",
    "Gezinshuis",
    "Kind en Gezin",
    "Jeugdzorg",
    "Ambulant Team",
    "Coöperatie",
)
_NAMES = (
    "De Linde",
    "Maasvallei",
    "Peelland",
    "Het Kompas",
    "De Horizon",
    "Noorderlicht",
    "Groenewoud",
    "De Brug",
    "Kei",
    "Vlinder",
    "De Zonnebloem",
    "Oosterhof",
    "Maasduinen",
    "Kasteeltuin",
    "De Wilg",
    "Het Anker",
    "Rozenhof",
    "De Eik",
    "Boschhuis",
    "Lindenhof",
    "De Schakel",
    "Het Baken",
    "Vitaal",
    "Perspectief",
    "Samen Sterk",
    "Zuiderzon",
    "De Regenboog",
    "Klavertje",
    "Eikenhorst",
    "Het Veld",
    "Heidebloem",
    "De Molen",
    "Waterrijk",
    "Het Palet",
    "Kleurrijk",
    "De Vlieger",
)


def _agb(n: int) -> str:
    # AGB codes of youth care providers start with 98 (type jeugdhulp) in this demo.
    return f"98{n:06d}"


def aanbieders(scale: int = 1) -> list[AanbiederSpec]:
    """The region's providers, deterministic. `scale` copies the market with independent providers.

    Per copy: 8 A providers (large, several groups), 17 B (specialist), 55 C (small flexible ring,
    two in three micro) and 60 NGA providers (non-contracted, bought per client, all micro):
    SYSTEM.md section 4 (about 80 contracted, 250 providers including NGA over 2021-2024)."""
    rng = random.Random(20260101)
    specs: list[AanbiederSpec] = []
    number = 1
    for copy in range(scale):
        suffix = "" if copy == 0 else f" {copy + 1}"
        plan: list[tuple[str, bool, int]] = [
            ("A", False, 8),
            ("B", False, 17),
            ("C", False, 55),
            ("C", True, 60),
        ]
        for categorie, nga, count in plan:
            for i in range(count):
                if categorie == "A":
                    groepen = ("A", "D", "W", "V") if i < 3 else (("A", "D", "V") if i < 6 else ("A", "W"))
                    gewicht = rng.uniform(6.0, 14.0)
                    micro = False
                elif categorie == "B":
                    groepen = (("W",), ("D", "V"), ("A",), ("A",))[i % 4]
                    gewicht = rng.uniform(1.5, 5.0)
                    micro = False
                else:
                    groepen = (
                        (("A",), ("A",), ("D",), ("W",), ("A",))[i % 5]
                        if not nga
                        else (("A",), ("A",), ("D",), ("W",))[i % 4]
                    )
                    # Micro by position, so that every copy (``scale``) has the same number of micro
                    # providers per product group: two in three C providers, every NGA provider (bought
                    # per client, each well under EUR 250k a year). The draw is kept so that the names and
                    # weights of the providers stay as they were.
                    rng.random()
                    micro = nga or i % 3 != 0
                    gewicht = rng.uniform(0.1, 0.4) if micro else rng.uniform(0.5, 1.5)
                prefix = rng.choice(_PREFIXES)
                naam = f"{prefix} {_NAMES[(number * 7) % len(_NAMES)]}{suffix}"
                specs.append(
                    AanbiederSpec(
                        agb_code=_agb(number),
                        naam=f"{naam} ({'NGA' if nga else categorie}{number:03d})",
                        categorie=categorie,
                        is_nga=nga,
                        groepen=groepen,
                        gewicht=round(gewicht, 3),
                        micro=micro,
                    )
                )
                number += 1
    return specs


# ---------------------------------------------------------------- stuuropdracht

# Regional KPI norms for the A and B providers (SYSTEM.md section 13): {kpi id: (min, max, why)}.
# Illustrative: the region sets its own in the admin, per provider where needed.
KPI_NORMEN: dict[str, tuple[float | None, float | None, str]] = {
    "avg_duration_months": (None, 12.0, "Zorgpaden duren gemiddeld niet langer dan een jaar."),
    "relapse_rate": (None, 0.15, "Hoogstens 15% herhaald beroep binnen een half jaar."),
    "dropout_rate": (None, 0.25, "Hoogstens een kwart van de zorgpaden voortijdig afgesloten."),
}


# ---------------------------------------------------------------- demo users, one per role

DEMO_WACHTWOORD = "jeugdregie-demo"
DEMO_GEBRUIKERS: tuple[tuple[str, str, str | None], ...] = (
    # username, role, scope (CBS code for gemeente, index into aanbieders() for aanbieder)
    ("regio", "regio", None),
    ("gemeente-venlo", "gemeente", "0983"),
    ("aanbieder", "aanbieder", "0"),
    ("verwijzer", "verwijzer", None),
    ("beheer", "beheer", None),
)
