"""Product facts the generator needs, derived from ``jeugdregie.demo.region`` (never duplicated)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from . import region

# How a product's claim lines come about:
#   traject  legacy output trajectory: 1 instalment (unit 82) per month at the monthly tariff, 12 in all
#   output1  output product claimed once (1 unit at the full price) when the trajectory is completed
#   etmaal   housing per day: every day in care is one unit (not scalable)
#   pxq      effort products (hour, dagdeel, night, ride): delivered volume varies, 70-80% of allocated
TRAJECT, OUTPUT1, ETMAAL, PXQ = "traject", "output1", "etmaal", "pxq"

LOGEREN_CODES: Final = frozenset({"44L03", "44N03"})


@dataclass(frozen=True, slots=True)
class Prod:
    code: str
    categorie: str
    groep: str  # W / D / A / V
    segment: str  # "2" / "3" / "4" / "V"
    eenheid: str
    frequentie: str
    wijze: str  # TRAJECT / OUTPUT1 / ETMAAL / PXQ
    legacy: bool
    custom: bool  # meerwerk or maatwerk
    nieuw: str | None
    standaard_volume: int | None


def _wijze(p: region.ProductSpec) -> str:
    if p.eenheid == "82":
        return TRAJECT if p.standaard_volume is not None else OUTPUT1
    if p.eenheid == "14" and p.code not in LOGEREN_CODES:
        return ETMAAL
    return PXQ


def _build() -> dict[str, Prod]:
    out: dict[str, Prod] = {}
    for boek in region.BOEKEN:
        legacy = boek is region.LEGACY_BOEK
        for p in boek.producten:
            segment = region.GROEPEN[p.groep][0] or "V"
            out[p.code] = Prod(
                code=p.code,
                categorie=p.categorie,
                groep=p.groep,
                segment=segment,
                eenheid=p.eenheid,
                frequentie=p.frequentie,
                wijze=_wijze(p),
                legacy=legacy,
                custom=bool(p.meerwerk_maatwerk),
                nieuw=p.nieuw,
                standaard_volume=p.standaard_volume,
            )
    return out


PRODUCTS: Final[dict[str, Prod]] = _build()


@cache
def tarief(code: str, year: int) -> int:
    """Tariff in cents of a product in a year (region's indexed tariffs)."""
    return region.tarief_cent(code, year)
