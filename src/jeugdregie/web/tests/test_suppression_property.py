"""Property: outside the regio role, no number the KPI table shows rests on fewer clients than the
threshold, for any filter on any facts. The clients behind each shown value are counted here
independently of the query layer, from the facts and the KPI definitions of SYSTEM.md section 7
(for some KPIs an upper bound, which only makes the check stricter)."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jeugdregie.rules import kpi as rules
from jeugdregie.rules.carepaths import AllocationFact, care_paths
from jeugdregie.web.access import Scope
from jeugdregie.web.kpi_query import scoped_kpi_rows

D = dt.date
YEAR = 2024
AS_OF = D(2025, 9, 30)
GEMEENTEN = ("0983", "0984")
AANBIEDERS = ("11111111", "22222222", "33333333")
PRODUCTS = (("45N01", "45"), ("45L01", "45"), ("54001", "54"))


@st.composite
def care(draw):
    allocations, claims = [], []
    for client_no in range(draw(st.integers(0, 14))):
        client = f"c{client_no}"
        for _ in range(draw(st.integers(1, 3))):
            gemeente = draw(st.sampled_from(GEMEENTEN))
            aanbieder = draw(st.sampled_from(AANBIEDERS))
            product, categorie = draw(st.sampled_from(PRODUCTS))
            begin = D(2023, 7, 1) + dt.timedelta(days=draw(st.integers(0, 540)))
            days = draw(st.one_of(st.none(), st.integers(0, 300)))
            end = None if days is None else begin + dt.timedelta(days=days)
            waited = draw(st.one_of(st.none(), st.integers(0, 60)))
            allocation = AllocationFact(
                id=len(allocations) + 1,
                client=client,
                gemeente=gemeente,
                aanbieder=aanbieder,
                categorie="C" if aanbieder == "33333333" else "A",
                is_nga=False,
                segment="2",
                groep="G",
                product=product,
                product_categorie=categorie,
                ingangsdatum=begin,
                einddatum=end,
                pxq=draw(st.booleans()),
                volume=10,
                frequentie="4",
                claimed_volume=draw(st.integers(0, 40)),
                toewijzingsdatum=begin - dt.timedelta(days=7),
                zorg_start=None if waited is None else begin + dt.timedelta(days=waited),
                stop_reden=draw(st.sampled_from(("01", "32"))),
            )
            allocations.append(allocation)
            for _ in range(draw(st.integers(0, 3))):
                month = draw(st.integers(1, 12))
                claims.append(
                    rules.ClaimFact(
                        client=client,
                        gemeente=gemeente,
                        aanbieder=aanbieder,
                        categorie=allocation.categorie,
                        is_nga=False,
                        segment="2",
                        groep="G",
                        product=product,
                        custom=draw(st.sampled_from(("", "meerwerk"))),
                        periode_begin=D(YEAR, month, 1),
                        bedrag_cent=draw(st.integers(-50_000, 200_000)),
                        volume=1,
                    )
                )
    return rules.Facts(claims=claims, allocations=allocations, as_of=AS_OF)


def _matches(record, gemeente, aanbieder) -> bool:
    return (gemeente is None or record.gemeente == gemeente) and (
        aanbieder is None or record.aanbieder == aanbieder
    )


def _last(path):
    return max(path.allocations, key=lambda a: (a.einddatum or dt.date.max, a.ingangsdatum, a.id))


def behind(facts, paths, kpi_id, period, gemeente, aanbieder):
    """The clients a KPI value of the group rests on (at most); `paths` are the facts' care paths."""

    def inside(day):
        return day is not None and period.begin <= day <= period.end

    allocations = [a for a in facts.allocations if _matches(a, gemeente, aanbieder)]
    paths = [p for p in paths if _matches(_last(p), gemeente, aanbieder)]
    if kpi_id in ("spend", "clients", "cost_per_client", "nga_share", "custom_share", "size_class_share"):
        return {
            c.client for c in facts.claims if inside(c.periode_begin) and _matches(c, gemeente, aanbieder)
        }
    if kpi_id == "clients_in_care":
        return {a.client for a in allocations if a.valid_on_any_day(period.begin, period.end)}
    if kpi_id in ("allocations_new", "extension_rate"):
        return {a.client for a in allocations if inside(a.ingangsdatum)}
    if kpi_id == "redemption_rate":
        return {a.client for a in allocations if a.pxq and inside(a.einddatum)}
    if kpi_id in ("avg_duration_months", "dropout_rate", "top_paths", "relapse_rate", "no_restart_rate"):
        return {p.client for p in paths if inside(p.end)}
    if kpi_id == "inflow":
        return {p.client for p in paths if inside(p.begin)}
    if kpi_id == "outflow":
        return {a.client for a in allocations if a.valid_on(period.begin)}
    if kpi_id in ("waiting_days", "waiting_days_p90"):
        return {a.client for a in allocations if inside(a.zorg_start)}
    if kpi_id in ("rejected_share", "rejected_share_by_code"):
        submitted = [*facts.claims, *getattr(facts, "rejected_claims", ())]
        return {c.client for c in submitted if inside(c.periode_begin) and _matches(c, gemeente, aanbieder)}
    if kpi_id in ("change_requests_granted", "change_request_days"):
        requests = getattr(facts, "change_requests", ())
        return {r.client for r in requests if inside(r.beslist_op) and _matches(r, gemeente, aanbieder)}
    raise AssertionError(f"KPI zonder controle: {kpi_id}")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rol=st.sampled_from(("gemeente", "aanbieder", "verwijzer", "beheer")),
    facts=care(),
    gemeente=st.sampled_from((None, *GEMEENTEN)),
    aanbieder=st.sampled_from((None, *AANBIEDERS)),
    limit=st.integers(2, 6),
)
def test_no_shown_number_rests_on_fewer_clients_than_the_threshold(rol, facts, gemeente, aanbieder, limit):
    from django.conf import settings as django_settings

    old = django_settings.SMALL_NUMBER_THRESHOLD
    django_settings.SMALL_NUMBER_THRESHOLD = limit
    try:
        rows, _ = scoped_kpi_rows(Scope(rol, gemeente="0983"), YEAR, gemeente, aanbieder, facts=facts)
    finally:
        django_settings.SMALL_NUMBER_THRESHOLD = old
    periods = [rules.year(YEAR)] + [rules.tertial(YEAR, t) for t in (1, 2, 3)]
    paths = care_paths(facts.allocations)
    assert {r["id"] for r in rows} == set(rules.REGISTRY)
    for row in rows:
        shown = [row["value"], *row["tertials"].values()]
        clients = [behind(facts, paths, row["id"], p, gemeente, aanbieder) for p in periods]
        for value, who, period in zip(shown, clients, periods, strict=True):
            if value is None:
                continue
            assert len(who) == 0 or len(who) >= limit, (row["id"], period.label, value, len(who))
            if row["id"] in ("clients", "clients_in_care", "inflow", "outflow"):
                assert value == 0 or value >= limit, (row["id"], period.label, value)
            if row["id"] == "top_paths":
                ended = [
                    p
                    for p in paths
                    if p.end is not None
                    and period.begin <= p.end <= period.end
                    and _matches(_last(p), gemeente, aanbieder)
                ]
                for item in value:
                    followers = {p.client for p in ended if list(p.products) == item["producten"]}
                    assert len(followers) >= limit, (period.label, item, followers)
        if row["id"] == "spend" and shown[0] is not None:
            # A hidden tertial may not follow from the year and the other two (shown, or known to
            # be nothing because no client had claims then).
            hidden = [v is None and bool(who) for v, who in zip(shown[1:], clients[1:], strict=True)]
            known = [v is not None or not who for v, who in zip(shown[1:], clients[1:], strict=True)]
            assert not (sum(hidden) == 1 and sum(known) == 2), (shown, [len(c) for c in clients])


def test_the_region_sees_the_same_numbers_unsuppressed():
    one = AllocationFact(
        1, "c1", "0983", "11111111", "A", False, "2", "G", "45N01", "45", D(2024, 1, 1), D(2024, 2, 1)
    )
    claim = rules.ClaimFact(
        "c1", "0983", "11111111", "A", False, "2", "G", "45N01", "", D(2024, 1, 1), 5_000, 1
    )
    facts = rules.Facts(claims=[claim], allocations=[one], as_of=AS_OF)
    regio = {r["id"]: r["value"] for r in scoped_kpi_rows(Scope("regio"), YEAR, facts=facts)[0]}
    gemeente = {r["id"]: r["value"] for r in scoped_kpi_rows(Scope("gemeente", "0983"), YEAR, facts=facts)[0]}
    assert regio["spend"] == 5_000 and regio["clients"] == 1
    assert gemeente["spend"] is None and gemeente["clients"] is None
    assert all(v is None for v in gemeente.values())
