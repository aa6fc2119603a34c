"""The KPI registry (SYSTEM.md section 7, ``jeugdregie.rules.kpi``) as DuckDB SQL: the analytical
engine for the full KPI set at scale (``kpi --engine duckdb``; docs/performance.md, "KPI set
through DuckDB from the database"). The registry stays the reference:
``tests/rules/test_kpi_duckdb_parity.py`` and ``tests/rules/test_kpi_duckdb_reader.py`` compare
every KPI, period and cut.

Every query here computes one KPI for every period and every cut set at once and returns rows
``(period label, cut set number, cut key list, value)``; ``kpi_duckdb.run`` turns them into the
shape of ``jeugdregie.rules.kpi.compute``: ``{(kpi id, period label, cuts): {key tuple: value}}``.

How the registry's rules map to SQL:

- claims are attributed to a period by ``periode_begin``; allocations by their own dates;
- care paths are gaps and islands over (client, productcategorie) ordered by (start, id): an
  allocation starts a new path when it is the first, or when no earlier allocation of the pair is
  open-ended and it starts more than 31 days after the latest end so far. A path sits in the cuts
  where its last allocation (latest end, open = 9999-12-31, then start, then id) sits;
- cuts are ``GROUPING SETS``, one per cut set (``GROUPS(alias; columns)`` in the templates);
  ``CUT(alias)`` turns a row's ``GROUPING()`` bits into the cut set number and the key list.
  Two-level KPIs (clients: net per client first; top_paths: count per sequence, then rank) group
  by the sets in the inner query and by (period, set, key) in the outer one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from jeugdregie.rules.carepaths import (
    CONVERSION_DAYS,
    DAYS_PER_MONTH,
    DROPOUT_REASONS,
    EXTENSION_DAYS,
    RELAPSE_FROM_DAYS,
    RELAPSE_UNTIL_DAYS,
)
from jeugdregie.rules.kpi import REGISTRY

CLAIM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("client", "VARCHAR"),
    ("gemeente", "VARCHAR"),
    ("aanbieder", "VARCHAR"),
    ("categorie", "VARCHAR"),
    ("is_nga", "BOOLEAN"),
    ("segment", "VARCHAR"),
    ("groep", "VARCHAR"),
    ("product", "VARCHAR"),
    ("custom", "VARCHAR"),
    ("periode_begin", "DATE"),
    ("bedrag_cent", "BIGINT"),
    ("volume", "BIGINT"),
    ("verwijzer", "VARCHAR"),
    ("afgewezen", "BOOLEAN"),
    ("retourcode", "VARCHAR"),
)

CHANGE_REQUEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "BIGINT"),
    ("client", "VARCHAR"),
    ("gemeente", "VARCHAR"),
    ("aanbieder", "VARCHAR"),
    ("categorie", "VARCHAR"),
    ("is_nga", "BOOLEAN"),
    ("segment", "VARCHAR"),
    ("groep", "VARCHAR"),
    ("product", "VARCHAR"),
    ("verwijzer", "VARCHAR"),
    ("aangevraagd_op", "DATE"),
    ("uitkomst", "VARCHAR"),
    ("beslist_op", "DATE"),
)

ALLOCATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "BIGINT"),
    ("client", "VARCHAR"),
    ("gemeente", "VARCHAR"),
    ("aanbieder", "VARCHAR"),
    ("categorie", "VARCHAR"),
    ("is_nga", "BOOLEAN"),
    ("segment", "VARCHAR"),
    ("groep", "VARCHAR"),
    ("product", "VARCHAR"),
    ("product_categorie", "VARCHAR"),
    ("ingangsdatum", "DATE"),
    ("einddatum", "DATE"),
    ("verwijzer", "VARCHAR"),
    ("pxq", "BOOLEAN"),
    ("volume", "BIGINT"),
    ("frequentie", "VARCHAR"),
    ("claimed_volume", "BIGINT"),
    ("toewijzingsdatum", "DATE"),
    ("aangevraagd_op", "DATE"),
    ("zorg_start", "DATE"),
    ("stop_reden", "VARCHAR"),
    ("toegewezen_product", "VARCHAR"),
    ("opvolger", "VARCHAR"),
)

#: KPIs whose query gives ``{v, odd}``: Python's ``statistics.median`` is an int for an odd count
#: (the middle value) and a float for an even one (a mean), and the value keeps that type.
MEDIANS = frozenset({"waiting_days", "change_request_days"})

#: The value of a KPI over no records, as the registry gives it for the whole region (a group
#: without records is absent in both).
EMPTY: dict[str, Any] = {
    "spend": 0,
    "clients": 0,
    "clients_in_care": 0,
    "allocations_new": 0,
    "inflow": 0,
    "outflow": 0,
}


# ---------------------------------------------------------------- the queries


def _cut_expr(alias: str, cut: str) -> str:
    if cut == "categorie":
        return f"(CASE WHEN {alias}.is_nga THEN 'NGA' ELSE {alias}.categorie END)"
    return f"{alias}.{cut}"


def _cut_columns(alias: str, cut_sets: Sequence[tuple[str, ...]]) -> str:
    """``CUT(alias)``: the cut set number and the cut key (a list of strings) of a row of a
    ``GROUPING SETS`` aggregation made by ``GROUPS``."""
    exprs = list(dict.fromkeys(_cut_expr(alias, c) for cuts in cut_sets for c in cuts))
    if not exprs:
        return "0 AS set_id, []::VARCHAR[] AS cut_key"
    grouping = f"GROUPING({', '.join(exprs)})"
    set_ids, keys, masks = [], [], set()
    for i, cuts in enumerate(cut_sets):
        # GROUPING gives a bit per expression, the first the highest, set when it is not grouped on
        used = {_cut_expr(alias, c) for c in cuts}
        mask = sum(1 << (len(exprs) - 1 - n) for n, e in enumerate(exprs) if e not in used)
        if mask in masks:
            raise ValueError(f"cut sets must differ as sets: {cut_sets}")
        masks.add(mask)
        set_ids.append(f"WHEN {mask} THEN {i}")
        keys.append(f"WHEN {mask} THEN [{', '.join(_cut_expr(alias, c) for c in cuts)}]::VARCHAR[]")
    return (
        f"CASE {grouping} {' '.join(set_ids)} END AS set_id, CASE {grouping} {' '.join(keys)} END AS cut_key"
    )


def _grouping_sets(alias: str, columns: str, cut_sets: Sequence[tuple[str, ...]]) -> str:
    """``GROUPS(alias; columns)``: one grouping set per cut set, each with ``columns``."""
    sets = ", ".join(f"({', '.join([columns, *(_cut_expr(alias, c) for c in cuts)])})" for cuts in cut_sets)
    return f"GROUPING SETS ({sets})"


_DROPOUT = ", ".join(f"'{r}'" for r in sorted(DROPOUT_REASONS))
_CONSTANTS = {
    "EXT": str(EXTENSION_DAYS),
    "CONVERSION": str(CONVERSION_DAYS),
    "RELAPSE_FROM": str(RELAPSE_FROM_DAYS),
    "RELAPSE_UNTIL": str(RELAPSE_UNTIL_DAYS),
    "DAYS_PER_MONTH": f"CAST({DAYS_PER_MONTH!r} AS DOUBLE)",
    "DROPOUT": _DROPOUT,
}

#: Derived tables every care-path KPI reads (the registry's ``Facts.paths``), built once per run.
PREPARE: tuple[str, ...] = (
    """
    CREATE OR REPLACE TEMP TABLE path_members AS
    WITH w AS (
        SELECT a.id, a.client, a.product_categorie, a.product, a.ingangsdatum, a.einddatum,
            row_number() OVER (PARTITION BY a.client, a.product_categorie ORDER BY a.ingangsdatum, a.id) AS rn,
            max(a.einddatum) OVER (
                PARTITION BY a.client, a.product_categorie ORDER BY a.ingangsdatum, a.id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,
            bool_or(a.einddatum IS NULL) OVER (
                PARTITION BY a.client, a.product_categorie ORDER BY a.ingangsdatum, a.id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_open,
            lag(a.product) OVER (PARTITION BY a.client, a.product_categorie ORDER BY a.ingangsdatum, a.id)
                AS prev_product
        FROM allocations a
    ), flagged AS (
        SELECT *, (rn = 1 OR (NOT prev_open AND ingangsdatum - prev_end > {EXT})) AS starts_path FROM w
    )
    SELECT *,
        sum(starts_path::INTEGER) OVER (
            PARTITION BY client, product_categorie ORDER BY ingangsdatum, id ROWS UNBOUNDED PRECEDING) AS path_no
    FROM flagged
    """,
    """
    CREATE OR REPLACE TEMP TABLE paths AS
    WITH p AS (
        SELECT client, product_categorie, path_no,
            min(ingangsdatum) AS path_begin,
            CASE WHEN bool_or(einddatum IS NULL) THEN NULL ELSE max(einddatum) END AS path_end,
            arg_max(id, (coalesce(einddatum, DATE '9999-12-31'), ingangsdatum, id)) AS last_id,
            list(product ORDER BY ingangsdatum, id)
                FILTER (WHERE starts_path OR prev_product IS DISTINCT FROM product) AS products
        FROM path_members
        GROUP BY client, product_categorie, path_no
    )
    SELECT p.*, l.gemeente, l.aanbieder, l.categorie, l.is_nga, l.segment, l.groep, l.product,
        l.verwijzer, l.stop_reden
    FROM p JOIN allocations l ON l.id = p.last_id
    """,
)

_IN_PERIOD = "BETWEEN per.period_begin AND per.period_end"

QUERIES: dict[str, str] = {
    "spend": f"""
        SELECT per.label, CUT(c), sum(c.bedrag_cent) AS v
        FROM claims c JOIN periods per ON c.periode_begin {_IN_PERIOD}
        GROUP BY GROUPS(c; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "clients": f"""
        WITH per_client AS (
            SELECT per.label, CUT(c), sum(c.bedrag_cent) AS net
            FROM claims c JOIN periods per ON c.periode_begin {_IN_PERIOD}
            GROUP BY GROUPS(c; per.label, c.client)
        )
        SELECT label, set_id, cut_key, count(*) FILTER (WHERE net > 0) AS v
        FROM per_client GROUP BY label, set_id, cut_key
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "clients_in_care": """
        SELECT per.label, CUT(a), count(DISTINCT a.client) AS v
        FROM allocations a
        JOIN periods per ON a.ingangsdatum <= per.period_end
            AND (a.einddatum IS NULL OR a.einddatum >= per.period_begin)
        GROUP BY GROUPS(a; per.label)
    """,
    "cost_per_client": f"""
        WITH per_client AS (
            SELECT per.label, CUT(c), sum(c.bedrag_cent) AS net
            FROM claims c JOIN periods per ON c.periode_begin {_IN_PERIOD}
            GROUP BY GROUPS(c; per.label, c.client)
        )
        SELECT label, set_id, cut_key,
            CASE WHEN count(*) FILTER (WHERE net > 0) > 0
                THEN sum(net) / count(*) FILTER (WHERE net > 0) END AS v
        FROM per_client GROUP BY label, set_id, cut_key
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "allocations_new": f"""
        SELECT per.label, CUT(a), count(*) AS v
        FROM allocations a JOIN periods per ON a.ingangsdatum {_IN_PERIOD}
        GROUP BY GROUPS(a; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # allocated volume: volume x periods of the frequency over the whole validity (frequency 6 is
    # the total; weeks are days / 7, months days / 30.4375); an unknown frequency, a missing or a
    # zero volume leaves the allocation out of both sums, an allocated total of 0 gives no value.
    # The floats are summed in id order, as the registry sums them: the same value to the last bit.
    "redemption_rate": f"""
        WITH base AS (
            SELECT per.label, a.*,
                a.volume * CASE a.frequentie
                    WHEN '1' THEN (a.einddatum - a.ingangsdatum + 1)::DOUBLE
                    WHEN '2' THEN (a.einddatum - a.ingangsdatum + 1)::DOUBLE / 7
                    WHEN '4' THEN (a.einddatum - a.ingangsdatum + 1)::DOUBLE / {{DAYS_PER_MONTH}}
                    WHEN '6' THEN 1.0::DOUBLE
                END AS allocated
            FROM allocations a JOIN periods per ON a.einddatum {_IN_PERIOD}
            WHERE a.pxq AND a.einddatum IS NOT NULL
        ), grouped AS (
            SELECT label, CUT(base),
                sum(allocated ORDER BY id) FILTER (WHERE allocated <> 0) AS allocated,
                sum(claimed_volume::DOUBLE) FILTER (WHERE allocated <> 0) AS claimed
            FROM base
            GROUP BY GROUPS(base; label)
        )
        SELECT label, set_id, cut_key,
            CASE WHEN coalesce(allocated, 0) <> 0 THEN coalesce(claimed, 0) / allocated END AS v
        FROM grouped
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # extension: another allocation of the client ended 0-31 days before this one starts, with the
    # same product code as allocated; or ended 2-31 days before at the same provider with a legacy
    # product whose book successor is this one's code (0-1 days: a conversion, no extension)
    "extension_rate": f"""
        WITH codes AS (
            SELECT *, coalesce(nullif(toegewezen_product, ''), product) AS code, coalesce(opvolger, '') AS succ
            FROM allocations
        ), ext AS (
            SELECT DISTINCT a.id
            FROM codes a JOIN codes e ON e.client = a.client
            WHERE e.id <> a.id AND e.einddatum IS NOT NULL AND (
                (e.code = a.code AND a.ingangsdatum - e.einddatum BETWEEN 0 AND {{EXT}})
                OR (e.succ <> '' AND e.succ = a.code AND e.aanbieder = a.aanbieder
                    AND a.ingangsdatum - e.einddatum BETWEEN {{CONVERSION}} + 1 AND {{EXT}}))
        )
        SELECT per.label, CUT(a), count(ext.id) / count(*) AS v
        FROM allocations a JOIN periods per ON a.ingangsdatum {_IN_PERIOD}
        LEFT JOIN ext ON ext.id = a.id
        GROUP BY GROUPS(a; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "avg_duration_months": f"""
        SELECT per.label, CUT(pa), avg(pa.path_end - pa.path_begin) / {{DAYS_PER_MONTH}} AS v
        FROM paths pa JOIN periods per ON pa.path_end {_IN_PERIOD}
        GROUP BY GROUPS(pa; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # only periods with 183 days of follow-up after their end (the registry's _paths_followed_up)
    "relapse_rate": f"""
        WITH base AS (
            SELECT per.label, pa.*,
                EXISTS (
                    SELECT 1 FROM allocations b
                    WHERE b.client = pa.client
                        AND b.ingangsdatum - pa.path_end BETWEEN {{RELAPSE_FROM}} AND {{RELAPSE_UNTIL}}
                ) AS relapsed
            FROM paths pa JOIN periods per ON pa.path_end {_IN_PERIOD} CROSS JOIN meta m
            WHERE m.as_of - per.period_end >= {{RELAPSE_UNTIL}} AND m.as_of - pa.path_end >= {{RELAPSE_UNTIL}}
        )
        SELECT label, CUT(base), count(*) FILTER (WHERE relapsed) / count(*) AS v
        FROM base
        GROUP BY GROUPS(base; label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "dropout_rate": f"""
        SELECT per.label, CUT(pa), count(*) FILTER (WHERE pa.stop_reden IN ({{DROPOUT}})) / count(*) AS v
        FROM paths pa JOIN periods per ON pa.path_end {_IN_PERIOD}
        GROUP BY GROUPS(pa; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "nga_share": f"""
        SELECT per.label, CUT(c),
            CASE WHEN sum(c.bedrag_cent) <> 0
                THEN coalesce(sum(c.bedrag_cent) FILTER (WHERE c.is_nga), 0) / sum(c.bedrag_cent) END AS v
        FROM claims c JOIN periods per ON c.periode_begin {_IN_PERIOD}
        GROUP BY GROUPS(c; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    "custom_share": f"""
        SELECT per.label, CUT(c),
            CASE WHEN sum(c.bedrag_cent) <> 0
                THEN coalesce(sum(c.bedrag_cent) FILTER (WHERE c.custom <> ''), 0) / sum(c.bedrag_cent) END AS v
        FROM claims c JOIN periods per ON c.periode_begin {_IN_PERIOD}
        GROUP BY GROUPS(c; per.label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # size class of a provider by its regional spend in the calendar year of the claim's period
    "size_class_share": f"""
        WITH provider_year AS (
            SELECT aanbieder, year(periode_begin) AS y, sum(bedrag_cent) AS spent FROM claims GROUP BY ALL
        ), classed AS (
            SELECT c.*, CASE WHEN py.spent < m.micro THEN 'micro' WHEN py.spent < m.klein THEN 'klein'
                ELSE 'groot' END AS size_class
            FROM claims c JOIN provider_year py ON py.aanbieder = c.aanbieder AND py.y = year(c.periode_begin)
            CROSS JOIN meta m
        ), grouped AS (
            SELECT per.label, CUT(c), sum(c.bedrag_cent) AS total,
                coalesce(sum(c.bedrag_cent) FILTER (WHERE c.size_class = 'micro'), 0) AS micro,
                coalesce(sum(c.bedrag_cent) FILTER (WHERE c.size_class = 'klein'), 0) AS klein,
                coalesce(sum(c.bedrag_cent) FILTER (WHERE c.size_class = 'groot'), 0) AS groot
            FROM classed c JOIN periods per ON c.periode_begin {_IN_PERIOD}
            GROUP BY GROUPS(c; per.label)
        )
        SELECT label, set_id, cut_key,
            CASE WHEN total <> 0 THEN {{'micro': micro / total, 'klein': klein / total, 'groot': groot / total}}
            END AS v
        FROM grouped
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # per client the first path starting in the period (ties: the lowest productcategorie, as the
    # registry walks the paths sorted by client and category), kept when the client had no
    # allocation valid on a day of the 183 days before it
    "inflow": f"""
        WITH starts AS (
            SELECT per.label, pa.*,
                row_number() OVER (
                    PARTITION BY per.label, pa.client ORDER BY pa.path_begin, pa.product_categorie, pa.path_no) AS rn
            FROM paths pa JOIN periods per ON pa.path_begin {_IN_PERIOD}
        ), firsts AS (
            SELECT * FROM starts f
            WHERE rn = 1 AND NOT EXISTS (
                SELECT 1 FROM allocations b
                WHERE b.client = f.client AND b.ingangsdatum <= f.path_begin - 1
                    AND (b.einddatum IS NULL OR b.einddatum >= f.path_begin - {{RELAPSE_UNTIL}})
            )
        )
        SELECT label, CUT(firsts), count(DISTINCT client) AS v
        FROM firsts
        GROUP BY GROUPS(firsts; label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # the allocations valid at the period's start of clients with none valid at its end; each
    # such allocation places its client in its own cut
    "outflow": """
        WITH at_start AS (
            SELECT per.label, per.period_end, a.*
            FROM allocations a
            JOIN periods per ON a.ingangsdatum <= per.period_begin
                AND (a.einddatum IS NULL OR a.einddatum >= per.period_begin)
        ), gone AS (
            SELECT * FROM at_start x
            WHERE NOT EXISTS (
                SELECT 1 FROM allocations b
                WHERE b.client = x.client AND b.ingangsdatum <= x.period_end
                    AND (b.einddatum IS NULL OR b.einddatum >= x.period_end)
            )
        )
        SELECT label, CUT(gone), count(DISTINCT client) AS v
        FROM gone
        GROUP BY GROUPS(gone; label)
    """,
    "waiting_days": f"""
        WITH w AS (
            SELECT per.label, a.*, a.zorg_start - coalesce(a.aangevraagd_op, a.toewijzingsdatum) AS wait
            FROM allocations a JOIN periods per ON a.zorg_start {_IN_PERIOD}
            WHERE coalesce(a.aangevraagd_op, a.toewijzingsdatum) IS NOT NULL
        )
        SELECT label, CUT(w), {{'v': median(wait)::DOUBLE, 'odd': count(*) % 2 = 1}} AS v
        FROM w
        GROUP BY GROUPS(w; label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # nearest rank: the value at rank ceil(n x 90 / 100) of the sorted waits (lists count from 1)
    "waiting_days_p90": f"""
        WITH w AS (
            SELECT per.label, a.*, a.zorg_start - coalesce(a.aangevraagd_op, a.toewijzingsdatum) AS wait
            FROM allocations a JOIN periods per ON a.zorg_start {_IN_PERIOD}
            WHERE coalesce(a.aangevraagd_op, a.toewijzingsdatum) IS NOT NULL
        )
        SELECT label, CUT(w), (list(wait ORDER BY wait)[greatest(1, (count(*) * 90 + 99) // 100)])::DOUBLE AS v
        FROM w
        GROUP BY GROUPS(w; label)
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
    # product sequences (repeats folded when the paths were built), the ten most frequent per
    # group: most frequent first, ties in list order (as Python orders tuples)
    "top_paths": f"""
        WITH counted AS (
            SELECT per.label, CUT(pa), pa.products, count(*) AS n
            FROM paths pa JOIN periods per ON pa.path_end {_IN_PERIOD}
            GROUP BY GROUPS(pa; per.label, pa.products)
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY label, set_id, cut_key ORDER BY n DESC, products) AS r
            FROM counted
        )
        SELECT label, set_id, cut_key, list({{'producten': products, 'aantal': n}} ORDER BY r) AS v
        FROM ranked WHERE r <= 10
        GROUP BY label, set_id, cut_key
    """,  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
}
# rejected: net amount of rejected lines / net amount submitted (accepted + rejected)
_SUBMITTED = "(SELECT * FROM claims UNION ALL SELECT * FROM rejected_claims)"
QUERIES["rejected_share"] = f"""
    SELECT per.label, CUT(c),
        CASE WHEN sum(c.bedrag_cent) <> 0
            THEN coalesce(sum(c.bedrag_cent) FILTER (WHERE c.afgewezen), 0) / sum(c.bedrag_cent) END AS v
    FROM {_SUBMITTED} c JOIN periods per ON c.periode_begin {_IN_PERIOD}
    GROUP BY GROUPS(c; per.label)
"""  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
QUERIES["rejected_share_by_code"] = f"""
    WITH per_code AS (
        SELECT per.label, CUT(c), c.afgewezen AS rejected, c.retourcode AS code, sum(c.bedrag_cent) AS amount
        FROM {_SUBMITTED} c JOIN periods per ON c.periode_begin {_IN_PERIOD}
        GROUP BY GROUPS(c; per.label, c.afgewezen, c.retourcode)
    ), totals AS (
        SELECT *, sum(amount) OVER (PARTITION BY label, set_id, cut_key) AS total FROM per_code
    )
    SELECT label, set_id, cut_key,
        CASE WHEN any_value(total) <> 0 THEN
            CASE WHEN count(*) FILTER (WHERE rejected) = 0 THEN MAP()::MAP(VARCHAR, DOUBLE)
            ELSE map_from_entries(list((code, amount / total) ORDER BY code) FILTER (WHERE rejected)) END
        END AS v
    FROM totals GROUP BY label, set_id, cut_key
"""  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
# change requests decided in the period: granted share, median days from request to decision
QUERIES["change_requests_granted"] = f"""
    SELECT per.label, CUT(r), count(*) FILTER (WHERE r.uitkomst = 'toegekend') / count(*) AS v
    FROM change_requests r JOIN periods per ON r.beslist_op {_IN_PERIOD}
    GROUP BY GROUPS(r; per.label)
"""  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input
QUERIES["change_request_days"] = f"""
    SELECT per.label, CUT(r),
        {{'v': median(r.beslist_op - r.aangevraagd_op)::DOUBLE, 'odd': count(*) % 2 = 1}} AS v
    FROM change_requests r JOIN periods per ON r.beslist_op {_IN_PERIOD}
    GROUP BY GROUPS(r; per.label)
"""  # nosec B608 - DuckDB SQL composed from this module's own constants; no outside input

# no_restart_rate is 1 - relapse_rate over the same records
QUERIES["no_restart_rate"] = QUERIES["relapse_rate"].replace(
    "count(*) FILTER (WHERE relapsed) / count(*) AS v", "1 - count(*) FILTER (WHERE relapsed) / count(*) AS v"
)
assert QUERIES["no_restart_rate"] != QUERIES["relapse_rate"]


def render(sql: str, cut_sets: Sequence[tuple[str, ...]]) -> str:
    """Fill in the constants, ``CUT(alias)`` and ``GROUPS(alias; columns)``."""
    for name, value in _CONSTANTS.items():
        sql = sql.replace("{" + name + "}", value)
    sql = re.sub(r"CUT\((\w+)\)", lambda m: _cut_columns(m.group(1), cut_sets), sql)
    return re.sub(
        r"GROUPS\((\w+); ([^)]*)\)", lambda m: _grouping_sets(m.group(1), m.group(2), cut_sets), sql
    )


#: The tables the queries read, filled from the database (``kpi_duckdb_reader``) or from records.
FACT_TABLES = ("claims", "rejected_claims", "allocations", "change_requests")


def tables_read(kpi_ids: Iterable[str]) -> set[str]:
    """The fact tables the queries of ``kpi_ids`` read; the care paths (``PREPARE``) are built
    from the allocations. A reader can leave the others empty (issue 13: the norm signals' path
    KPIs need no claim lines)."""
    sql = " ".join(QUERIES[k] for k in kpi_ids)
    found = {table for table in FACT_TABLES if re.search(rf"\b{table}\b", sql)}
    if re.search(r"\bpaths\b", sql):
        found.add("allocations")
    return found


def reads_claimed_volume(kpi_ids: Iterable[str]) -> bool:
    """Whether a query of ``kpi_ids`` reads the allocations' claimed volume (a sum over every claim
    line; the redemption KPI's), which a reader may otherwise leave out."""
    return any("claimed_volume" in QUERIES[k] for k in kpi_ids)


def check_coverage() -> list[str]:
    """KPI ids of the registry without a query (empty when every KPI is covered)."""
    return [k for k in REGISTRY if k not in QUERIES]
