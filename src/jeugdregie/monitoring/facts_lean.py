"""The KPI facts read with one plain SQL query per fact kind (no ORM rows, no model instances).

The same facts as ``jeugdregie.monitoring.facts`` (the ORM reader, kept as the reference), in the
same order: ``tests/rules/test_kpi_parity.py`` compares the two fact sets and every KPI and cut of
the registry computed on each. The SQL is portable (SQLite and PostgreSQL): joins, ``GROUP BY``
and ``MIN``/``SUM``, parameters in the DB-API ``%s`` style Django's cursor translates.

Why (docs/performance.md, "KPI set: where the time goes"): the ORM reader spends most of its time
in Django's per-row machinery (``values_list`` iterators, converters, one extra query per id
list); the database work itself is small. Here each kind is one cursor, fetched in blocks, with
the look-ups (product book, referrers, claimed volume, first start, last stop) done in the
database or in one pass over a small table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

from django.db import connection, transaction

from jeugdregie.rules.carepaths import AllocationFact
from jeugdregie.rules.kpi import ClaimFact, Facts
from jeugdregie.rules.kpi_answers import ChangeRequestFact
from jeugdregie.zorg.requests import AFGEWEZEN, IN_ONDERZOEK, OPEN, TOEGEKEND

from .facts import MARGIN, data_complete_until, product_index, successor_index
from .large_aggregates import make_room

BLOCK = 10_000


def _date_parser() -> Callable[[Any], Any]:
    """Dates as dates: PostgreSQL and Django's SQLite converters give dates for date columns, but
    SQLite gives an aggregate (MIN) of dates back as ISO text."""
    fromiso = dt.date.fromisoformat
    return lambda v: fromiso(v) if isinstance(v, str) else v


def sql_for_vendor(sql: str) -> str:
    """``D(col)`` marks a date column. On SQLite it is read as text and parsed here: Django's
    SQLite converter (``parse_date`` per value) costs more than the rest of the row."""
    if connection.vendor == "sqlite":
        return re.sub(r"\bD\(([\w.]+)\)", r"CAST(\1 AS TEXT)", sql)
    return re.sub(r"\bD\(([\w.]+)\)", r"\1", sql)


def _rows(sql: str, params: list, *, large_aggregate: bool = False) -> Iterator[tuple]:
    with transaction.atomic() if large_aggregate else nullcontext(), connection.cursor() as cursor:
        if large_aggregate:
            make_room(cursor)
        cursor.execute(sql_for_vendor(sql), params)
        while block := cursor.fetchmany(BLOCK):
            yield from block


# The SQL of this module is also what ``kpi_duckdb_reader`` copies into DuckDB (one SQL for both).
REFERRERS = """
    SELECT t.id, v.verwijzer_type, D(v.aangevraagd_op)
    FROM zorg_toewijzing t
    JOIN zorg_verzoekomtoewijzing v
        ON v.aanbieder_id = t.aanbieder_id AND v.referentie_aanbieder = t.referentie_aanbieder
    WHERE t.referentie_aanbieder <> ''
"""


def referrers_by_allocation() -> dict[int, tuple[str, dt.date | None]]:
    """allocation id -> (referrer type, request date), as ``facts.referrers_by_allocation``: the
    JW315 request with the allocation's provider and ReferentieAanbieder (unique per provider)."""
    date = _date_parser()
    return {pk: (kind, date(day)) for pk, kind, day in _rows(REFERRERS, [])}


CLAIMS = """
    SELECT c.pseudoniem, g.cbs_code, a.agb_code, a.categorie, a.is_nga, r.product_id,
        D(r.periode_begin), r.bedrag_cent, r.volume, r.toewijzing_id, D(r.periode_eind), r.afgewezen_retourcode
    FROM zorg_declaratieregel r
    JOIN zorg_client c ON c.id = r.client_id
    JOIN regio_gemeente g ON g.id = r.gemeente_id
    JOIN contracten_aanbieder a ON a.id = r.aanbieder_id
    WHERE r.periode_begin >= %s AND r.periode_begin <= %s AND r.afgewezen = %s
    ORDER BY r.id
"""


def claim_facts(
    begin: dt.date, end: dt.date, *, products: dict, referrers: dict, afgewezen: bool = False
) -> list[ClaimFact]:
    """Accepted (or, with ``afgewezen``, rejected) claim lines whose ProductPeriode begins in
    [begin, end], in id order."""
    date = _date_parser()
    unknown = ("", "", "", "", False)
    facts: list[ClaimFact] = []
    append = facts.append
    for client, gem, agb, cat, nga, product_id, day, bedrag, volume, toewijzing, last_day, code in _rows(
        CLAIMS, [begin, end, afgewezen]
    ):
        segment, groep, product, custom, _pxq = products.get(product_id, unknown)
        append(
            ClaimFact(
                client,
                gem,
                agb,
                cat,
                bool(nga),
                segment,
                groep,
                product,
                custom,
                date(day),
                bedrag,
                volume,
                referrers.get(toewijzing, ("01", None))[0],
                date(last_day),
                toewijzing,
                afgewezen,
                code,
            )
        )
    return facts


# The claimed volume per allocation: a sum over every claim line, which only the redemption KPI
# reads; its parameter is the SELECT's first.
_CLAIMED_VOLUME_JOIN = """
    LEFT JOIN (
        SELECT toewijzing_id, SUM(volume) AS v FROM zorg_declaratieregel WHERE afgewezen = %s
        GROUP BY toewijzing_id
    ) claimed ON claimed.toewijzing_id = t.id"""

# Allocations valid on a day of [begin, end], with the earlier allocations of the same clients
# (whole care paths); deleted ones never count.
_ALLOCATIONS = """
    SELECT t.id, c.pseudoniem, g.cbs_code, a.agb_code, a.categorie, a.is_nga, t.product_id,
        t.product_categorie, D(t.ingangsdatum), D(t.einddatum), t.volume, t.frequentie,
        D(t.toewijzingsdatum), t.product_code, {claimed}, D(starts.d)
    FROM zorg_toewijzing t
    JOIN zorg_client c ON c.id = t.client_id
    JOIN regio_gemeente g ON g.id = t.gemeente_id
    JOIN contracten_aanbieder a ON a.id = t.aanbieder_id{claimed_join}
    LEFT JOIN (
        SELECT toewijzing_id, MIN(begindatum) AS d FROM zorg_zorgstart GROUP BY toewijzing_id
    ) starts ON starts.toewijzing_id = t.id
    WHERE t.verwijderd = %s AND t.ingangsdatum <= %s AND t.client_id IN (
        SELECT w.client_id FROM zorg_toewijzing w
        WHERE w.verwijderd = %s AND w.ingangsdatum <= %s AND (w.einddatum IS NULL OR w.einddatum >= %s)
    )
    ORDER BY t.id
"""
ALLOCATIONS = _ALLOCATIONS.format(claimed="claimed.v", claimed_join=_CLAIMED_VOLUME_JOIN)
#: The same without the claimed volume (NULL) and without its parameter.
ALLOCATIONS_UNCLAIMED = _ALLOCATIONS.format(claimed="NULL", claimed_join="")


# every stop; in this order the last one of an allocation is its last stop
LAST_STOPS = (
    "SELECT toewijzing_id, D(einddatum), reden_beeindiging, id FROM zorg_zorgstop ORDER BY einddatum, id"
)


def _last_stops() -> dict[int, tuple[dt.date, str]]:
    """allocation id -> (Einddatum, reason) of its last stop: the latest Einddatum, on a tie the
    last recorded (as ``facts.allocation_facts``)."""
    date = _date_parser()
    return {pk: (date(day), reason) for pk, day, reason, _id in _rows(LAST_STOPS, [])}


def allocation_facts(
    begin: dt.date, end: dt.date, *, products: dict, referrers: dict
) -> list[AllocationFact]:
    """As ``facts.allocation_facts(..., whole_paths=True)``, in id order."""
    date = _date_parser()
    successors = successor_index()
    stops = _last_stops()
    unknown = ("", "", "", "", False)
    facts: list[AllocationFact] = []
    append = facts.append
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
        claimed,
        first_start,
    ) in _rows(ALLOCATIONS, [False, False, end, False, end, begin], large_aggregate=True):
        segment, groep, code, _custom, pxq = products.get(product_id, unknown)
        verwijzer, requested = referrers.get(pk, ("01", None))
        stop_day, reason = stops.get(pk, (None, ""))
        append(
            AllocationFact(
                pk,
                client,
                gem,
                agb,
                cat,
                bool(nga),
                segment,
                groep,
                code,
                pcat,
                date(start),
                date(stop),
                verwijzer,
                pxq,
                volume,
                freq,
                claimed or 0,
                date(allocated_on),
                requested,
                date(first_start),
                reason,
                stop_day,
                allocated_code,
                successors.get(product_id, "") if product_id is not None else "",
            )
        )
    return facts


REQUESTS = """
    SELECT v.id, v.aanbieder_id, v.referentie_aanbieder, a.agb_code, c.pseudoniem, g.cbs_code, a.categorie,
        a.is_nga, D(v.aangevraagd_op)
    FROM zorg_verzoekomwijziging v
    JOIN zorg_client c ON c.id = v.client_id
    JOIN regio_gemeente g ON g.id = v.gemeente_id
    JOIN contracten_aanbieder a ON a.id = v.aanbieder_id
    WHERE v.aangevraagd_op >= %s AND v.aangevraagd_op <= %s
    ORDER BY v.id
"""
# the first product a request names: the allocation to change before a new product, then by id
FIRST_PRODUCT = """
    SELECT w.verzoek_id, w.toewijzing_id, t.product_id, w.product_id, w.verlenging,
        CASE WHEN w.soort = 'wijzigen' THEN 0 ELSE 1 END AS soort_rank, w.id
    FROM zorg_gevraagdewijziging w
    JOIN zorg_verzoekomwijziging v ON v.id = w.verzoek_id
    LEFT JOIN zorg_toewijzing t ON t.id = w.toewijzing_id
    WHERE v.aangevraagd_op >= %s AND v.aangevraagd_op <= %s
    ORDER BY w.verzoek_id, soort_rank, w.id
"""
# a grant: the first JW301 (by Dagtekening) carrying the provider's ReferentieAanbieder
GRANTS = """
    SELECT t.aanbieder_id, w.referentie_aanbieder, MIN(b.dagtekening)
    FROM zorg_toewijzingwijziging w
    JOIN zorg_toewijzing t ON t.id = w.toewijzing_id
    JOIN ijw_bericht b ON b.id = w.bericht_id
    WHERE w.referentie_aanbieder <> ''
    GROUP BY t.aanbieder_id, w.referentie_aanbieder
"""
ANSWERS = """
    SELECT verzoek_wijziging_id, uitkomst, D(beantwoord_op) FROM zorg_antwoordverzoek
    WHERE verzoek_wijziging_id IS NOT NULL
"""


def change_request_facts(
    begin: dt.date, end: dt.date, *, products: dict, referrers: dict
) -> list[ChangeRequestFact]:
    """As ``facts.change_request_facts``: the JW317 requests made in [begin, end] with their
    outcome by the rule of ``jeugdregie.zorg.requests`` (the first grant or refusal by date decides,
    a grant on the refusal's day wins; else in onderzoek or open), in id order."""
    date = _date_parser()
    grants = {(agb, ref): date(day) for agb, ref, day in _rows(GRANTS, [])}
    refused: dict[int, dt.date] = {}
    investigated: set[int] = set()
    for pk, uitkomst, day in _rows(ANSWERS, []):
        if uitkomst == "1":  # AntwoordVerzoek.Uitkomst.AFGEWEZEN
            day = date(day)
            if pk not in refused or day < refused[pk]:
                refused[pk] = day
        else:
            investigated.add(pk)
    first: dict[int, tuple[int | None, int | None, bool]] = {}
    for verzoek, toewijzing, allocated_product, product, verlenging, *_order in _rows(
        FIRST_PRODUCT, [begin, end]
    ):
        if verzoek not in first:
            first[verzoek] = (toewijzing, allocated_product or product, bool(verlenging))
    unknown = ("", "", "", "", False)
    facts: list[ChangeRequestFact] = []
    for pk, agb_id, ref, agb, client, gem, cat, nga, asked in _rows(REQUESTS, [begin, end]):
        grant, refusal = grants.get((agb_id, ref)), refused.get(pk)
        if grant is not None and (refusal is None or grant <= refusal):
            uitkomst, decided = TOEGEKEND, grant
        elif refusal is not None:
            uitkomst, decided = AFGEWEZEN, refusal
        else:
            uitkomst, decided = (IN_ONDERZOEK if pk in investigated else OPEN), None
        toewijzing, product_id, verlenging = first.get(pk, (None, None, False))
        segment, groep, code, _custom, _pxq = products.get(product_id, unknown)
        facts.append(
            ChangeRequestFact(
                id=pk,
                client=client,
                gemeente=gem,
                aanbieder=agb,
                categorie=cat,
                is_nga=bool(nga),
                segment=segment,
                groep=groep,
                product=code,
                aangevraagd_op=date(asked),
                uitkomst=uitkomst,  # type: ignore[arg-type]
                beslist_op=decided,
                verlenging=verlenging,
                verwijzer=referrers.get(toewijzing, ("01", None))[0],
            )
        )
    return facts


def load_facts(begin: dt.date, end: dt.date, *, as_of: dt.date | None = None) -> Facts:
    """All facts the KPIs need for periods inside [begin, end]: ``facts.load_facts``, leaner."""
    products = product_index()
    referrers = referrers_by_allocation()
    first, last = dt.date(begin.year, 1, 1), dt.date(end.year, 12, 31)
    return Facts(
        claims=claim_facts(first, last, products=products, referrers=referrers),
        allocations=allocation_facts(begin - MARGIN, end + MARGIN, products=products, referrers=referrers),
        as_of=as_of or data_complete_until(),
        rejected_claims=claim_facts(first, last, products=products, referrers=referrers, afgewezen=True),
        change_requests=change_request_facts(begin - MARGIN, end, products=products, referrers=referrers),
    )
