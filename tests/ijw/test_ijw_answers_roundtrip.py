"""Property-based round trip for JW325, JW317 and JW319: dataclass -> to_xml -> reader gives the
same facts, and every written message is valid against the official XSDs (free text from all of
Unicode's letters, digits, punctuation and symbols, so escaping is exercised)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ijw_support import (
    XSD_DIR,
    XSD_MISSING_REASON,
    after,
    bsn,
    code_of,
    dates,
    free_text,
    header,
    money,
    omvang,
    product_code,
    product_pair,
    toewijzing_nummer,
    xsd_available,
)

from jeugdregie.ijw import codes
from jeugdregie.ijw.messages import (
    AntwoordVerzoek,
    ClientAntwoord,
    DeclaratieAntwoord,
    NieuwProduct,
    Prestatie,
    PrestatieAntwoord,
    TeWijzigenProduct,
    VerzoekOmWijziging,
)
from jeugdregie.ijw.reader import read_message
from jeugdregie.ijw.validation import XsdValidator
from jeugdregie.ijw.writer import to_xml

SETTINGS = settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
retourcode = st.sampled_from(["0200", "0233", "0611", "8017", "8021", "8187", "9019", "9338", "9321", "9389"])


@st.composite
def prestatie_antwoord(draw: st.DrawFn) -> PrestatieAntwoord:
    begin = draw(dates)
    p = Prestatie(
        referentie_nummer=draw(free_text(20)),
        toewijzing_nummer=draw(toewijzing_nummer),
        product_categorie=draw(code_of(codes.PRODUCT_CATEGORIE)),
        product_code=draw(product_code),
        begindatum=begin,
        einddatum=draw(after(begin, 30)),
        geleverd_volume=draw(money),
        eenheid=draw(code_of(codes.EENHEID)),
        product_tarief=draw(st.none() | money),
        bedrag=draw(money),
        debet_credit=draw(code_of(codes.DEBET_CREDIT)),
        vorig_referentie_nummer=draw(st.none() | free_text(20)),
    )
    return PrestatieAntwoord(p, tuple(draw(st.lists(retourcode, min_size=1, max_size=3))))


signed_total = st.integers(-999_999_999_999, 999_999_999_999)
declaratie_antwoord = st.builds(
    DeclaratieAntwoord,
    header=header(gemeente_sends=True),
    declaratie_identificatie=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,11}", fullmatch=True),
    declaratie_dagtekening=dates,
    declaratie_nummer=st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True),
    totaal_ingediend=signed_total,
    totaal_toegekend=signed_total,
    clienten=st.lists(
        st.builds(
            ClientAntwoord,
            bsn=bsn,
            prestaties=st.lists(prestatie_antwoord(), min_size=1, max_size=3).map(tuple),
            retourcodes=st.lists(retourcode, min_size=1, max_size=2).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
    retourcodes=st.lists(retourcode, min_size=1, max_size=2).map(tuple),
    antwoord_retourcodes=st.lists(retourcode | st.just("8001"), min_size=1, max_size=2).map(tuple),
)


@st.composite
def te_wijzigen(draw: st.DrawFn) -> TeWijzigenProduct:
    ingang = draw(dates)
    return TeWijzigenProduct(
        draw(toewijzing_nummer),
        ingang,
        draw(st.none() | after(ingang)),
        draw(st.none() | omvang),
        draw(st.none() | money),
    )


@st.composite
def nieuw(draw: st.DrawFn) -> NieuwProduct:
    cat, code = draw(product_pair())
    ingang = draw(dates)
    return NieuwProduct(
        cat, code, ingang, draw(st.none() | after(ingang)), draw(st.none() | omvang), draw(st.none() | money)
    )


verzoek_om_wijziging = st.builds(
    VerzoekOmWijziging,
    header=header(gemeente_sends=False),
    bsn=bsn,
    referentie_aanbieder=free_text(36),
    reden_verzoek=code_of(codes.REDEN_VERZOEK),
    ongewijzigde_producten=st.lists(toewijzing_nummer, max_size=2).map(tuple),
    te_wijzigen_producten=st.lists(te_wijzigen(), min_size=1, max_size=3).map(tuple),
    nieuwe_producten=st.lists(nieuw(), max_size=2).map(tuple),
)
antwoord_verzoek = st.builds(
    AntwoordVerzoek,
    header=header(gemeente_sends=True),
    referentie_aanbieder=free_text(36),
    verzoek_antwoord=code_of(codes.VERZOEK_ANTWOORD),
    reden_afwijzing=st.none() | code_of(codes.REDEN_AFWIJZING_VERZOEK),
    woonplaatsbeginsel_gemeente=st.none() | st.from_regex(r"[0-9]{4}", fullmatch=True),
)
MESSAGES = {"JW317": verzoek_om_wijziging, "JW319": antwoord_verzoek, "JW325": declaratie_antwoord}


@pytest.fixture(scope="module")
def xsd() -> XsdValidator:
    if not xsd_available():
        pytest.skip(XSD_MISSING_REASON)
    return XsdValidator(XSD_DIR, kinds=tuple(MESSAGES))


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_roundtrip_and_official_xsd(kind: str, xsd: XsdValidator) -> None:
    @SETTINGS
    @given(MESSAGES[kind])
    def check(msg) -> None:
        data = to_xml(msg)
        assert xsd.validate_bytes(data, "written.xml") == []
        result = read_message(data, "roundtrip.xml", xsd=xsd)
        assert result.errors == [] and result.message == msg

    check()
