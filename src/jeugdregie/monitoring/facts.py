"""Reads the care facts from the database as the plain records the KPI rules take.

The rules (jeugdregie.rules.kpi, .carepaths) know nothing of Django; this module is the only
place that turns rows into facts, so every screen, command and report sees the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models import Max, Min, Sum

from jeugdregie.catalogus.models import Bekostigingsvorm, Product
from jeugdregie.ijw.models import Bericht
from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.kpi import ClaimFact, Facts, Period
from jeugdregie.rules.kpi_answers import ChangeRequestFact
from jeugdregie.zorg.models import (
    DeclaratieRegel,
    GevraagdeWijziging,
    Toewijzing,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
    ZorgStart,
    ZorgStop,
)
from jeugdregie.zorg.requests import request_outcomes

# Relapse and inflow look 183 days around a period: load that much extra.
MARGIN = dt.timedelta(days=190)

T = TypeVar("T")
_shared: ContextVar[dict[Any, Any] | None] = ContextVar("jeugdregie_shared_facts", default=None)


@contextmanager
def shared_facts():
    """Inside this block the same facts are read once: `load_facts` (and the data-quality input)
    with the same arguments return the same object, and `derived(facts)` gives one dict per facts
    object for results computed from it. For a batch that reads the same data many times (the
    screens' precompute); the data must not change inside the block, and nobody may alter facts."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key: tuple, load: Callable[[], T]) -> T:
    """`load()`, once per `key` inside `shared_facts()`; every time outside it."""
    memo = _shared.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def derived(facts: object) -> dict[Any, Any]:
    """A dict for results derived from `facts`: shared inside `shared_facts()` (the facts stay
    alive there, so their id is theirs), a fresh one outside it."""
    memo = _shared.get()
    if memo is None:
        return {}
    entry = memo.setdefault(("derived", id(facts)), (facts, {}))
    return entry[1]


def computed(kpi_id: str, facts: Facts, period: Period, by: tuple[str, ...] = ()) -> dict[tuple, Any]:
    """`rules.kpi.compute(kpi_id, facts, period, by)`, once per KPI, period and cut for the same
    facts inside `shared_facts()` (the precompute asks the same for every municipality and
    provider); computed every time outside it. Callers must not alter the result."""
    from jeugdregie.rules.kpi import compute

    memo = derived(facts)
    key = ("compute", kpi_id, period, by)
    if key not in memo:
        memo[key] = compute(kpi_id, facts, period, by)
    return memo[key]


def product_index() -> dict[int, tuple[str, str, str, str, bool]]:
    """product id -> (segment, group, product code in the current book, meerwerk/maatwerk flag,
    P x Q). Legacy products are reported as their mapped new product so history stays comparable;
    group and segment are the new product's, the flag and funding form the claimed product's own.
    Read once inside `shared_facts()`; callers must not alter it."""
    return shared(("product index",), _product_index)


def _product_index() -> dict[int, tuple[str, str, str, str, bool]]:
    index = {}
    for product in Product.objects.select_related("groep__segment", "mapping__nieuw_product__groep__segment"):
        current = product.mapping.nieuw_product if hasattr(product, "mapping") else product
        segment = current.groep.segment.code if current.groep.segment else ""
        index[product.pk] = (
            segment,
            current.groep.code,
            current.code,
            product.meerwerk_maatwerk,
            product.bekostigingsvorm == Bekostigingsvorm.INSPANNING,
        )
    return index


def successor_index() -> dict[int, str]:
    """product id -> code of its book successor, for legacy products with a mapping (the
    extension rule: a conversion to the successor is no extension)."""
    return dict(
        Product.objects.filter(mapping__isnull=False).values_list("pk", "mapping__nieuw_product__code")
    )


def referrers_by_allocation() -> dict[int, tuple[str, dt.date]]:
    """allocation id -> (referrer type, request date) for allocations a JW315 request led to.
    Read once inside `shared_facts()`; callers must not alter it."""
    return shared(("referrers",), _referrers_by_allocation)


def _referrers_by_allocation() -> dict[int, tuple[str, dt.date]]:
    requests = {
        (agb, ref): (kind, day)
        for agb, ref, kind, day in VerzoekOmToewijzing.objects.values_list(
            "aanbieder_id", "referentie_aanbieder", "verwijzer_type", "aangevraagd_op"
        )
    }
    found = {}
    for pk, agb, ref in Toewijzing.objects.exclude(referentie_aanbieder="").values_list(
        "pk", "aanbieder_id", "referentie_aanbieder"
    ):
        if (agb, ref) in requests:
            found[pk] = requests[(agb, ref)]
    return found


def claim_facts(
    begin: dt.date,
    end: dt.date,
    *,
    gemeente: str | None = None,
    aanbieder: str | None = None,
    products: dict | None = None,
    referrers: dict | None = None,
    afgewezen: bool = False,
) -> Iterator[ClaimFact]:
    """Claim lines whose ProductPeriode begins in [begin, end]: the accepted lines, or with
    ``afgewezen`` the lines a claim answer (JW325) rejected. Accepted claims are what every
    amount reads (SYSTEM.md section 5: accepted = submitted minus rejected)."""
    products = products if products is not None else product_index()
    referrers = referrers if referrers is not None else referrers_by_allocation()
    rows = DeclaratieRegel.objects.filter(
        periode_begin__gte=begin, periode_begin__lte=end, afgewezen=afgewezen
    )
    if gemeente:
        rows = rows.filter(gemeente__cbs_code=gemeente)
    if aanbieder:
        rows = rows.filter(aanbieder__agb_code=aanbieder)
    fields = (
        "client__pseudoniem",
        "gemeente__cbs_code",
        "aanbieder__agb_code",
        "aanbieder__categorie",
        "aanbieder__is_nga",
        "product_id",
        "periode_begin",
        "bedrag_cent",
        "volume",
        "toewijzing_id",
        "periode_eind",
        "afgewezen_retourcode",
    )
    for (
        client,
        gem,
        agb,
        cat,
        nga,
        product_id,
        day,
        bedrag,
        volume,
        toewijzing,
        last_day,
        retourcode,
    ) in rows.values_list(*fields).iterator(chunk_size=5000):
        segment, groep, code, custom, _pxq = products.get(product_id, ("", "", "", "", False))
        verwijzer = referrers.get(toewijzing, ("01", None))[0]
        yield ClaimFact(
            client,
            gem,
            agb,
            cat,
            nga,
            segment,
            groep,
            code,
            custom,
            day,
            bedrag,
            volume,
            verwijzer,
            periode_eind=last_day,
            toewijzing=toewijzing,
            afgewezen=afgewezen,
            retourcode=retourcode,
        )


def allocation_facts(
    begin: dt.date, end: dt.date, *, products=None, referrers=None, whole_paths: bool = False
) -> list[AllocationFact]:
    """Allocations valid on at least one day of [begin, end]; deleted allocations are left out
    (they never were care). `whole_paths` adds the earlier allocations of the same clients, so a
    care path that ends in the window is complete however long ago it began."""
    products = products if products is not None else product_index()
    referrers = referrers if referrers is not None else referrers_by_allocation()
    successors = successor_index()
    rows = Toewijzing.objects.filter(verwijderd=False, ingangsdatum__lte=end).exclude(einddatum__lt=begin)
    if whole_paths:
        rows = Toewijzing.objects.filter(
            verwijderd=False, ingangsdatum__lte=end, client__in=rows.values("client")
        )
    claimed = dict(
        DeclaratieRegel.objects.filter(toewijzing__in=rows, afgewezen=False)
        .values("toewijzing_id")
        .annotate(v=Sum("volume"))
        .values_list("toewijzing_id", "v")
    )
    starts = dict(
        ZorgStart.objects.filter(toewijzing__in=rows)
        .values("toewijzing_id")
        .annotate(d=Min("begindatum"))
        .values_list("toewijzing_id", "d")
    )
    last_stop_day = dict(
        ZorgStop.objects.filter(toewijzing__in=rows)
        .values("toewijzing_id")
        .annotate(d=Max("einddatum"))
        .values_list("toewijzing_id", "d")
    )
    stop_reason = {
        t: reden
        for t, day, reden in ZorgStop.objects.filter(toewijzing__in=rows)
        .order_by("einddatum", "pk")
        .values_list("toewijzing_id", "einddatum", "reden_beeindiging")
        if last_stop_day.get(t) == day
    }
    facts = []
    fields = (
        "pk",
        "client__pseudoniem",
        "gemeente__cbs_code",
        "aanbieder__agb_code",
        "aanbieder__categorie",
        "aanbieder__is_nga",
        "product_id",
        "product_categorie",
        "ingangsdatum",
        "einddatum",
        "volume",
        "frequentie",
        "toewijzingsdatum",
        "product_code",
    )
    for (
        pk,
        client,
        gem,
        agb,
        cat,
        nga,
        product_id,
        pcat,
        start,
        stop,
        volume,
        freq,
        allocated_on,
        allocated_code,
    ) in rows.values_list(*fields).iterator(chunk_size=5000):
        segment, groep, code, _custom, pxq = products.get(product_id, ("", "", "", "", False))
        verwijzer, requested = referrers.get(pk, ("01", None))
        facts.append(
            AllocationFact(
                id=pk,
                client=client,
                gemeente=gem,
                aanbieder=agb,
                categorie=cat,
                is_nga=nga,
                segment=segment,
                groep=groep,
                product=code,
                product_categorie=pcat,
                ingangsdatum=start,
                einddatum=stop,
                verwijzer=verwijzer,
                pxq=pxq,
                volume=volume,
                frequentie=freq,
                claimed_volume=claimed.get(pk) or 0,
                toewijzingsdatum=allocated_on,
                aangevraagd_op=requested,
                zorg_start=starts.get(pk),
                stop_reden=stop_reason.get(pk, ""),
                stop_datum=last_stop_day.get(pk),
                toegewezen_product=allocated_code,
                opvolger=successors.get(product_id, "") if product_id is not None else "",
            )
        )
    return facts


def change_request_facts(
    begin: dt.date, end: dt.date, *, products: dict | None = None, referrers: dict | None = None
) -> list[ChangeRequestFact]:
    """Requests to change allocations (JW317) made in [begin, end], with their outcome
    (``jeugdregie.zorg.requests``). Cut attributes come from the first product the request names:
    the allocation to change, else the new product asked for."""
    products = products if products is not None else product_index()
    referrers = referrers if referrers is not None else referrers_by_allocation()
    requests = list(
        VerzoekOmWijziging.objects.filter(aangevraagd_op__gte=begin, aangevraagd_op__lte=end).values_list(
            "pk",
            "aanbieder_id",
            "referentie_aanbieder",
            "aanbieder__agb_code",
            "client__pseudoniem",
            "gemeente__cbs_code",
            "aanbieder__categorie",
            "aanbieder__is_nga",
            "aangevraagd_op",
        )
    )
    outcomes = request_outcomes((pk, agb_id, ref) for pk, agb_id, ref, *_ in requests)
    first: dict[int, tuple[int | None, int | None, bool]] = {}
    for verzoek, toewijzing, allocated_product, product, verlenging in (
        GevraagdeWijziging.objects.filter(verzoek_id__in=[r[0] for r in requests])
        .order_by("verzoek_id", "-soort", "pk")  # "wijzigen" before "nieuw"
        .values_list("verzoek_id", "toewijzing_id", "toewijzing__product_id", "product_id", "verlenging")
    ):
        if verzoek not in first:
            first[verzoek] = (toewijzing, allocated_product or product, verlenging)
    facts = []
    for pk, _agb_id, _ref, agb, client, gem, cat, nga, asked in requests:
        toewijzing, product_id, verlenging = first.get(pk, (None, None, False))
        segment, groep, code, _custom, _pxq = products.get(product_id, ("", "", "", "", False))
        uitkomst, decided = outcomes[pk]
        facts.append(
            ChangeRequestFact(
                id=pk,
                client=client,
                gemeente=gem,
                aanbieder=agb,
                categorie=cat,
                is_nga=nga,
                segment=segment,
                groep=groep,
                product=code,
                aangevraagd_op=asked,
                uitkomst=uitkomst,  # type: ignore[arg-type]
                beslist_op=decided,
                verlenging=verlenging,
                verwijzer=referrers.get(toewijzing, ("01", None))[0],
            )
        )
    return facts


def data_complete_until() -> dt.date:
    """The newest message date: follow-up windows (relapse) end there."""
    return Bericht.objects.aggregate(d=Max("dagtekening"))["d"] or dt.date.today()


def load_facts(begin: dt.date, end: dt.date, *, as_of: dt.date | None = None) -> Facts:
    """All facts the KPIs need for periods inside [begin, end] (read once inside `shared_facts()`),
    read by `facts_lean` with one SQL query per fact kind: the facts `load_facts_orm` gives
    (tests/rules/test_kpi_parity.py) in less time (docs/performance.md, issue 13)."""
    from .facts_lean import load_facts as lean

    return shared(("facts", begin, end, as_of), lambda: lean(begin, end, as_of=as_of))


def load_facts_orm(begin: dt.date, end: dt.date, *, as_of: dt.date | None = None) -> Facts:
    """The same facts read through the ORM: the reference the lean reader is compared with."""
    products = product_index()
    referrers = referrers_by_allocation()
    wide_begin, wide_end = begin - MARGIN, end + MARGIN
    claims = list(
        claim_facts(
            dt.date(begin.year, 1, 1), dt.date(end.year, 12, 31), products=products, referrers=referrers
        )
    )
    rejected = list(
        claim_facts(
            dt.date(begin.year, 1, 1),
            dt.date(end.year, 12, 31),
            products=products,
            referrers=referrers,
            afgewezen=True,
        )
    )
    allocations = allocation_facts(
        wide_begin, wide_end, products=products, referrers=referrers, whole_paths=True
    )
    requests = change_request_facts(wide_begin, end, products=products, referrers=referrers)
    return Facts(
        claims=claims,
        allocations=allocations,
        as_of=as_of or data_complete_until(),
        rejected_claims=rejected,
        change_requests=requests,
    )
