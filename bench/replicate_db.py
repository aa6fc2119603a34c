"""Scale N in a PostgreSQL database without generating and ingesting N times the traffic: the
ingested scale-1 demo, copied N - 1 times in SQL inside the same database, the way
bench/replicate.py copies the in-memory facts.

    createdb -h 127.0.0.1 -U postgres -T jr_x_s1 jr_x_s10      # a copy of an ingested scale-1 demo
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jr_x_s10 \\
        .venv/bin/python bench/replicate_db.py --scale 10

Copy k (1..N-1) of every fact row (the message log ``ijw_*`` and the care facts ``zorg_*``):

- gets the providers of copy k of ``region.aanbieders(N)`` (the i-th provider of the scale-1
  market becomes the i-th of copy k, as ``generate-demo-data --scale N`` names them; they are put
  in the database first with ``load_demo_region(N)``, as ``jeugdregie demo`` does for generated
  scale-N traffic), both as foreign key and as sender / receiver AGB code of its messages;
- gets its own clients: pseudonym ``sha256(pseudonym || '~k')`` (64 hex characters, as a real one);
- gets ids offset by k x (max id + 1) per table, also in every foreign key between fact tables;
  allocation numbers (``toewijzingnummer``, unique per municipality) and message ids
  (``identificatie``, unique per sender) offset by k x 10^9 in their numeric part; delivered
  files a new SHA-256 and the name suffixed ``#k``;
- keeps municipalities, products, dates, amounts and references (unique per provider).

The region's shared tables (municipalities, products, rates, agreements, users) are not copied.
The ceilings are computed again afterwards as the demo's ingest does (``demo_ingest
.set_ceilings``): they are per provider and on the region's production, so copy k's providers get
theirs. Then ``ANALYZE``.

Checks (the script fails if one does not hold): every fact table holds exactly N times its rows,
no foreign key of a fact table points nowhere (the copies are inserted with
``session_replication_role = replica``, without the per-row foreign key triggers), and the KPI's
spend and client count of 2025 of each copy's providers equal those of copy 0.

What this is not: the generator's copies are independent simulations (other random draws, the
same patterns), these are exact duplicates. Per-copy figures are identical instead of merely
alike; the sizes, distributions over providers and municipalities and the shape of every query
are those of a scale-N region.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import django

# Fact tables in insertion order (referenced tables first).
TABLES = (
    "ijw_aanlevering",
    "ijw_bericht",
    "ijw_quarantaineitem",
    "zorg_client",
    "zorg_toewijzing",
    "zorg_toewijzingwijziging",
    "zorg_verzoekomtoewijzing",
    "zorg_zorgstart",
    "zorg_zorgstop",
    "zorg_declaratie",
    "zorg_declaratieregel",
    "zorg_declaratieantwoord",
    "zorg_antwoordregel",
    "zorg_verzoekomwijziging",
    "zorg_gevraagdewijziging",
    "zorg_antwoordverzoek",
)
BILLION = 1_000_000_000


def numeric_offset(column: str) -> str:
    """``T00000000025`` -> ``T`` + (25 + k x 10^9), zero-padded to the same width (at least)."""
    return (
        f"substr({column}, 1, 1) || lpad((substr({column}, 2)::bigint + g.k::bigint * {BILLION})::text, "
        f"length({column}) - 1, '0')"
    )


SPECIAL = {
    ("ijw_aanlevering", "sha256"): "encode(sha256(convert_to(t.sha256 || '~' || g.k, 'UTF8')), 'hex')",
    ("ijw_aanlevering", "bestandsnaam"): "t.bestandsnaam || '#' || g.k",
    ("ijw_bericht", "afzender"): "coalesce(am.new, t.afzender)",
    ("ijw_bericht", "ontvanger"): "coalesce(am2.new, t.ontvanger)",
    ("ijw_bericht", "identificatie"): numeric_offset("t.identificatie"),
    ("ijw_quarantaineitem", "afzender"): "coalesce(am.new, t.afzender)",
    ("zorg_client", "pseudoniem"): "encode(sha256(convert_to(t.pseudoniem || '~' || g.k, 'UTF8')), 'hex')",
    ("zorg_toewijzing", "toewijzingnummer"): "(t.toewijzingnummer::bigint + g.k::bigint * 1000000000)::text",
}
# Joins for the AGB codes of messages (sender, receiver): municipalities stay (no match).
AGB_JOINS = {
    "ijw_bericht": (
        " LEFT JOIN h4_agb am ON am.k = g.k AND am.old = t.afzender"
        " LEFT JOIN h4_agb am2 ON am2.k = g.k AND am2.old = t.ontvanger"
    ),
    "ijw_quarantaineitem": " LEFT JOIN h4_agb am ON am.k = g.k AND am.old = t.afzender",
}


def setup() -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    django.setup()


def foreign_keys(cursor) -> dict[tuple[str, str], str]:
    """{(table, column): referenced table} of every single-column foreign key of the fact tables."""
    cursor.execute(
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)""",
        [list(TABLES)],
    )
    return {(t, col): ref for t, col, ref in cursor.fetchall()}


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cursor.fetchall()]


def count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")  # nosec B608: a name from TABLES
    return cursor.fetchone()[0]


def provider_maps(cursor, scale: int) -> int:
    """Temporary tables h4_agb(k, old, new) (AGB codes) and h4_prov(k, old, new) (ids)."""
    from jeugdregie.demo import region

    one = [s.agb_code for s in region.aanbieders(1)]
    many = [s.agb_code for s in region.aanbieders(scale)]
    rows = [(k, agb, many[k * len(one) + i]) for k in range(1, scale) for i, agb in enumerate(one)]
    cursor.execute("CREATE TEMP TABLE h4_agb (k int, old varchar(8), new varchar(8), PRIMARY KEY (k, old))")
    cursor.executemany("INSERT INTO h4_agb VALUES (%s, %s, %s)", rows)
    cursor.execute(
        """CREATE TEMP TABLE h4_prov AS
           SELECT m.k, o.id AS old, n.id AS new FROM h4_agb m
           JOIN contracten_aanbieder o ON o.agb_code = m.old
           JOIN contracten_aanbieder n ON n.agb_code = m.new"""
    )
    cursor.execute("ALTER TABLE h4_prov ADD PRIMARY KEY (k, old)")
    cursor.execute("SELECT count(*) FROM h4_prov")
    found = cursor.fetchone()[0]
    if found != len(rows):
        raise SystemExit(f"{len(rows) - found} providers of the copies are missing from the database")
    # Every provider that has facts must be one of the scale-1 market (else it has no copy).
    cursor.execute(
        """SELECT DISTINCT a.agb_code FROM zorg_declaratieregel r JOIN contracten_aanbieder a
           ON a.id = r.aanbieder_id WHERE a.agb_code <> ALL(%s)""",
        [one],
    )
    stray = [r[0] for r in cursor.fetchall()]
    if stray:
        raise SystemExit(f"claim lines of providers outside the scale-1 market: {stray[:5]}")
    return len(one)


def insert_copies(cursor, table: str, scale: int, steps: dict[str, int], fks: dict) -> int:
    select = []
    cols = columns(cursor, table)
    joins = AGB_JOINS.get(table, "")
    for col in cols:
        ref = fks.get((table, col))
        if col == "id":
            select.append(f"t.id + g.k * {steps[table]}")
        elif (table, col) in SPECIAL:
            select.append(SPECIAL[(table, col)])
        elif ref == "contracten_aanbieder":
            joins += f" LEFT JOIN h4_prov p_{col} ON p_{col}.k = g.k AND p_{col}.old = t.{col}"
            select.append(f"p_{col}.new")
        elif ref in steps:
            select.append(f"t.{col} + g.k * {steps[ref]}")
        else:
            select.append(f"t.{col}")
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(select)}"  # nosec B608: names from TABLES and the catalogue
        f" FROM {table} t CROSS JOIN generate_series(1, {scale - 1}) AS g(k){joins} WHERE t.id < {steps[table]}"
    )
    cursor.execute(sql)
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # nosec B608
    )
    return cursor.rowcount


def orphans(cursor, fks: dict) -> list[str]:
    bad = []
    for (table, col), ref in sorted(fks.items()):
        cursor.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{col} IS NOT NULL"  # nosec B608: catalogue names
            f" AND NOT EXISTS (SELECT 1 FROM {ref} r WHERE r.id = t.{col})"
        )
        n = cursor.fetchone()[0]
        if n:
            bad.append(f"{table}.{col}: {n}")
    return bad


def kpi_per_copy(scale: int, year: int) -> list[tuple[int, int, int]]:
    """(copy, spend in cents, clients) of the year per copy of the providers (KPI registry)."""
    from jeugdregie.demo import region
    from jeugdregie.monitoring.facts import load_facts
    from jeugdregie.rules import kpi

    specs = region.aanbieders(scale)
    per_copy = len(specs) // scale
    copy_of = {s.agb_code: i // per_copy for i, s in enumerate(specs)}
    facts = load_facts(dt.date(year, 1, 1), dt.date(year, 12, 31))
    period = kpi.year(year)
    result = []
    for k in range(scale):

        def mine(rows, k=k):
            return [r for r in rows if copy_of.get(r.aanbieder) == k]

        part = kpi.Facts(
            mine(facts.claims),
            mine(facts.allocations),
            facts.as_of,
            facts.size_class_limits,
            mine(facts.rejected_claims),
            mine(facts.change_requests),
        )
        spend = kpi.compute("spend", part, period)[()]
        clients = kpi.compute("clients", part, period)[()]
        result.append((k, spend, clients))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--kpi-year", type=int, default=2025)
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction

    from jeugdregie.demo.loader import load_demo_region
    from jeugdregie.demo.management.commands.demo_ingest import Command as DemoIngest

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (DATABASE_URL)")
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:7.1f}s] {text}", flush=True)

    counts = load_demo_region(args.scale)
    say(f"region for scale {args.scale}: {counts}")
    with transaction.atomic(), connection.cursor() as cursor:
        before = {t: count(cursor, t) for t in TABLES}
        per_copy = provider_maps(cursor, args.scale)
        say(f"provider maps: {per_copy} providers x {args.scale - 1} copies")
        steps = {}
        for t in TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {t}")  # nosec B608: a name from TABLES
            steps[t] = cursor.fetchone()[0]
        fks = foreign_keys(cursor)
        cursor.execute("SET LOCAL session_replication_role = replica")
        for t in TABLES:
            insert_copies(cursor, t, args.scale, steps, fks)
            say(f"{t}: {before[t]:,} -> {count(cursor, t):,}")
        cursor.execute("SET LOCAL session_replication_role = origin")
        wrong = [t for t in TABLES if count(cursor, t) != args.scale * before[t]]
        if wrong:
            raise SystemExit(f"not {args.scale}x: {wrong}")
        bad = orphans(cursor, fks)
        if bad:
            raise SystemExit(f"foreign keys pointing nowhere: {bad}")
        say("counts exactly scale x, no dangling foreign keys")
    DemoIngest().set_ceilings()
    say("ceilings computed again")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say("analyzed")
    figures = kpi_per_copy(args.scale, args.kpi_year)
    for k, spend, clients in figures:
        say(f"copy {k}: spend {args.kpi_year} {spend} cents, {clients} clients")
    if len({(s, c) for _k, s, c in figures}) != 1:
        raise SystemExit("the copies' KPI figures differ")
    say(f"every copy's spend and clients of {args.kpi_year} equal copy 0's")


if __name__ == "__main__":
    main()
