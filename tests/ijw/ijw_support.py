"""Shared helpers for the iJw tests: paths and hypothesis strategies for the five messages.

The strategies produce messages that are valid on every layer (XSD, structure, business rules),
with free-text fields drawn from all of Unicode's letters, digits, punctuation and symbols so
that escaping is exercised.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import strategies as st

from jeugdregie.ijw import codes
from jeugdregie.ijw.bsn import generate_bsn
from jeugdregie.ijw.messages import (
    AangevraagdProduct,
    ClientIdentity,
    Declaratie,
    DeclaratieClient,
    Header,
    Omvang,
    Prestatie,
    StartProduct,
    StartZorg,
    StopProduct,
    StopZorg,
    ToegewezenProduct,
    Toewijzing,
    Verwijzer,
    VerzoekOmToewijzing,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "xsd"
XSD_MISSING_REASON = (
    f"official iJw 3.2 XSDs not found at {XSD_DIR} (the shared/ folder beside the repository is absent)"
)


def xsd_available() -> bool:
    return (XSD_DIR / "basisschema.xsd").is_file()


# ------------------------------------------------------------------ building blocks

dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
gemeente = st.from_regex(r"[0-9]{4}", fullmatch=True)
agb = st.from_regex(r"[0-9]{8}", fullmatch=True)
identificatie = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,11}", fullmatch=True)
bsn = st.randoms(use_true_random=False).map(generate_bsn)
toewijzing_nummer = st.integers(0, 999_999_999).map(str)
money = st.integers(0, 99_999_999)


def free_text(max_size: int) -> st.SearchStrategy[str]:
    """Non-blank text without surrounding whitespace or line breaks, any script, incl. & < >."""
    alphabet = st.characters(categories=["L", "N", "P", "S"]) | st.just(" ")
    return st.text(alphabet, min_size=1, max_size=max_size).filter(lambda s: s.strip() == s and s != "")


product_code = free_text(5)


def code_of(table: object) -> st.SearchStrategy[str]:
    assert isinstance(table, type(codes.EENHEID))
    return st.sampled_from(sorted(table))


@st.composite
def product_pair(draw: st.DrawFn) -> tuple[str | None, str | None]:
    cat = draw(st.none() | code_of(codes.PRODUCT_CATEGORIE))
    code = None if cat is None else draw(st.none() | product_code)
    return cat, code


def after(start: dt.date, max_days: int = 800) -> st.SearchStrategy[dt.date]:
    return st.integers(0, max_days).map(lambda d: start + dt.timedelta(days=d))


omvang = st.builds(
    Omvang,
    volume=st.integers(0, 99_999_999),
    eenheid=code_of(codes.EENHEID),
    frequentie=code_of(codes.FREQUENTIE),
)
client_identity = st.builds(ClientIdentity, bsn=bsn, geboortedatum=dates, geslacht=code_of(codes.GESLACHT))


def header(gemeente_sends: bool) -> st.SearchStrategy[Header]:
    afz, ont = (gemeente, agb) if gemeente_sends else (agb, gemeente)
    return st.builds(Header, afzender=afz, ontvanger=ont, identificatie=identificatie, dagtekening=dates)


# ------------------------------------------------------------------ JW301


@st.composite
def toegewezen_product(draw: st.DrawFn) -> ToegewezenProduct:
    cat, code = draw(product_pair())
    ingang = draw(dates)
    return ToegewezenProduct(
        toewijzing_nummer=draw(toewijzing_nummer),
        product_categorie=cat,
        product_code=code,
        toewijzingsdatum=draw(dates),
        ingangsdatum=ingang,
        einddatum=draw(st.none() | after(ingang)),
        reden_wijziging=draw(st.none() | code_of(codes.REDEN_WIJZIGING)),
        omvang=draw(st.none() | omvang),
        budget=draw(st.none() | money),
        referentie_aanbieder=draw(st.none() | free_text(36)),
    )


toewijzing = st.builds(
    Toewijzing,
    header=header(gemeente_sends=True),
    client=client_identity,
    producten=st.lists(toegewezen_product(), min_size=1, max_size=4).map(tuple),
)

# ------------------------------------------------------------------ JW305 / JW307


@st.composite
def start_product(draw: st.DrawFn) -> StartProduct:
    cat, code = draw(product_pair())
    ingang = draw(dates)
    return StartProduct(
        toewijzing_nummer=draw(toewijzing_nummer),
        product_categorie=cat,
        product_code=code,
        toewijzing_ingangsdatum=ingang,
        begindatum=draw(after(ingang)),
        status_aanlevering=draw(code_of(codes.STATUS_AANLEVERING)),
    )


@st.composite
def stop_product(draw: st.DrawFn) -> StopProduct:
    cat, code = draw(product_pair())
    ingang = draw(dates)
    begin = draw(after(ingang))
    return StopProduct(
        toewijzing_nummer=draw(toewijzing_nummer),
        product_categorie=cat,
        product_code=code,
        toewijzing_ingangsdatum=ingang,
        begindatum=begin,
        einddatum=draw(after(begin)),
        reden_beeindiging=draw(code_of(codes.REDEN_BEEINDIGING)),
        status_aanlevering=draw(code_of(codes.STATUS_AANLEVERING)),
    )


start_zorg = st.builds(
    StartZorg,
    header=header(gemeente_sends=False),
    client=client_identity,
    producten=st.lists(start_product(), min_size=1, max_size=4).map(tuple),
)
stop_zorg = st.builds(
    StopZorg,
    header=header(gemeente_sends=False),
    client=client_identity,
    producten=st.lists(stop_product(), min_size=1, max_size=4).map(tuple),
)

# ------------------------------------------------------------------ JW315


@st.composite
def aangevraagd_product(draw: st.DrawFn) -> AangevraagdProduct:
    cat, code = draw(product_pair())
    ingang = draw(dates)
    return AangevraagdProduct(
        referentie_aanbieder=draw(free_text(36)),
        product_categorie=cat,
        product_code=code,
        toewijzing_ingangsdatum=ingang,
        verwijzer=Verwijzer(draw(code_of(codes.TYPE_VERWIJZER)), draw(st.none() | agb)),
        toewijzing_einddatum=draw(st.none() | after(ingang)),
        omvang=draw(st.none() | omvang),
        budget=draw(st.none() | money),
    )


verzoek_om_toewijzing = st.builds(
    VerzoekOmToewijzing,
    header=header(gemeente_sends=False),
    client=client_identity,
    producten=st.lists(aangevraagd_product(), min_size=1, max_size=4).map(tuple),
)

# ------------------------------------------------------------------ JW323


@st.composite
def prestatie(draw: st.DrawFn, referentie: str, begin: dt.date, eind: dt.date) -> Prestatie:
    span = (eind - begin).days
    b = begin + dt.timedelta(days=draw(st.integers(0, span)))
    # TR319: a ProductPeriode lies within one calendar month.
    month_end = (b.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    e = b + dt.timedelta(days=draw(st.integers(0, (min(eind, month_end) - b).days)))
    volume = draw(st.integers(0, 10_000))
    tarief = draw(st.none() | st.integers(0, 9_999))
    bedrag = volume * tarief if tarief is not None else draw(money)
    return Prestatie(
        referentie_nummer=referentie,
        toewijzing_nummer=draw(toewijzing_nummer),
        product_categorie=draw(code_of(codes.PRODUCT_CATEGORIE)),
        product_code=draw(product_code),
        begindatum=b,
        einddatum=e,
        geleverd_volume=volume,
        eenheid=draw(code_of(codes.EENHEID)),
        product_tarief=tarief,
        bedrag=bedrag,
        debet_credit=draw(code_of(codes.DEBET_CREDIT)),
        vorig_referentie_nummer=draw(st.none() | free_text(20)),
    )


@st.composite
def declaratie(draw: st.DrawFn) -> Declaratie:
    begin = draw(dates)
    eind = draw(after(begin, 62))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    refs = draw(st.lists(free_text(20), min_size=sum(sizes), max_size=sum(sizes), unique=True))
    clienten = []
    pos = 0
    for size in sizes:
        lines = tuple(draw(prestatie(refs[pos + i], begin, eind)) for i in range(size))
        pos += size
        clienten.append(DeclaratieClient(draw(bsn), lines))
    return Declaratie(
        header=draw(header(gemeente_sends=False)),
        declaratie_nummer=draw(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True)),
        periode_begin=begin,
        periode_eind=eind,
        # TR137 / TR335: dated on or after the period, less than 5 years after it.
        dagtekening=draw(after(eind, 1500)),
        clienten=tuple(clienten),
    )


MESSAGES = {
    "JW301": toewijzing,
    "JW305": start_zorg,
    "JW307": stop_zorg,
    "JW315": verzoek_om_toewijzing,
    "JW323": declaratie(),
}
