"""The full KPI set from an ingested database to numbers, three ways, measured in one run:

1. the ORM fact reader (``monitoring.facts.load_facts_orm``, the route before issue 13) + the registry;
2. the lean route: the plain-SQL reader (``monitoring.facts_lean.load_facts``) + the registry;
3. DuckDB: the same lean facts copied into DuckDB (``bench/kpi_sql.load``) + one query per KPI
   (``bench/kpi_sql.run``).

    JEUGDREGIE_VAR_DIR=/tmp/analytics-var .venv/bin/python bench/kpi_engines.py [--year 2024]
        [--repeat 3] [--scale 1 10] [--json]

(``DATABASE_URL`` selects PostgreSQL instead of the SQLite file in the var dir.) The facts are
those a screen loads for one year (``load_facts(1 Jan, 31 Dec)``: the year's claim lines, the
allocations 190 days around it with whole care paths, the change requests); the KPI set is every
KPI of the registry for the year and its three tertials, whole and cut by gemeente and by
aanbieder (23 x 4 x 3 = 276 results). Scale N > 1 replicates the scale-1 facts N times (as
``bench/replicate.py``), for the computing steps only: the readers need an ingested database of
that size.

Every step is timed in wall seconds and in CPU seconds of this process (``time.process_time``):
on a shared machine the CPU seconds are the steadier figure. DuckDB runs with one thread for the
CPU comparison (its default thread count is printed beside). Best of ``--repeat``, the engines
interleaved. Parity: the registry gives exactly the same results on both readers' facts, and
DuckDB the registry's (counts and cents exactly, ratios to 1e-9); a difference fails the run.

``--from-database``: the two routes an application has from an ingested database to the 276
results, each run in a fresh process (so the peak RSS is the route's own), alternated
``--repeat`` times:

- ``lean``: ``facts_lean.load_facts`` + the registry (what ``kpi`` does by default);
- ``duckdb``: ``kpi_duckdb_reader.kpi_set``: the lean reader's SELECTs copied into DuckDB
  (PostgreSQL: ``COPY ... TO STDOUT`` through psycopg; SQLite: fetched and written as CSV), no
  Python fact records, then the queries (``kpi --engine duckdb``).

Per route: wall and CPU seconds of the client process (DuckDB's threads included), on PostgreSQL
the CPU seconds of the server backend that served the connection (``/proc/<pid>/stat``; the
server runs on this machine), the peak RSS, and parity of the two routes' results (compare).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jr_c_s10 .venv/bin/python bench/kpi_engines.py \
        --from-database --year 2022 --repeat 2 [--threads 1] [--routes duckdb]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CUT_SETS: list[tuple[str, ...]] = [(), ("gemeente",), ("aanbieder",)]


def timed(fn, *args, **kw):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kw)
    return result, time.perf_counter() - w0, time.process_time() - c0


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(w for w, _ in runs), min(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, nargs="+", default=[1])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--from-database", action="store_true", help="the two routes from the database")
    parser.add_argument("--threads", type=int, default=0, help="DuckDB threads (0: its default)")
    parser.add_argument(
        "--routes",
        nargs="+",
        choices=("lean", "duckdb"),
        default=["lean", "duckdb"],
        help="with --from-database",
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="with --from-database: also the DuckDB route on the src of this git revision (route 'baseline')",
    )
    parser.add_argument("--one-route", choices=("lean", "duckdb"), help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_route:
        one_route(args)
        return
    if args.from_database:
        from_database(args)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    import django

    django.setup()
    import duckdb
    from django.db import connection

    import kpi_sql
    from jeugdregie.monitoring import facts as orm
    from jeugdregie.monitoring import facts_lean as lean
    from jeugdregie.rules.kpi import Facts, tertial, year
    from replicate import replicate

    begin, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    periods = [year(args.year)] + [tertial(args.year, t) for t in (1, 2, 3)]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {os.cpu_count()} cores")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    # 1. the readers, interleaved
    loads: dict[str, list[tuple[float, float]]] = {"orm": [], "lean": []}
    for _ in range(args.repeat):
        reference, w, c = timed(orm.load_facts_orm, begin, end)
        loads["orm"].append((w, c))
        facts, w, c = timed(lean.load_facts, begin, end)
        loads["lean"].append((w, c))
    print(
        f"facts for {args.year}: {len(facts.claims):,} accepted + {len(facts.rejected_claims):,} rejected claim "
        f"lines, {len(facts.allocations):,} allocations, {len(facts.change_requests):,} change requests; "
        f"as of {facts.as_of}"
    )
    # the ORM leaves the order to the database: allocations and requests in id order as the lean
    # reader gives them (a float sum such as redemption depends on the order of its terms)
    reference = Facts(
        reference.claims,
        sorted(reference.allocations, key=lambda a: a.id),
        reference.as_of,
        reference.size_class_limits,
        reference.rejected_claims,
        sorted(reference.change_requests, key=lambda r: r.id),
    )
    same_facts = (
        sorted(map(repr, facts.claims)) == sorted(map(repr, reference.claims))
        and list(facts.allocations) == list(reference.allocations)
        and list(facts.change_requests) == list(reference.change_requests)
        and sorted(map(repr, facts.rejected_claims)) == sorted(map(repr, reference.rejected_claims))
    )
    on_orm = kpi_sql.registry_results(reference, periods, CUT_SETS)
    del reference

    results = []
    for scale in args.scale:
        scaled = replicate(facts, scale)
        out: dict = {
            "scale": scale,
            "claims": len(scaled.claims) + len(scaled.rejected_claims),
            "allocations": len(scaled.allocations),
            "load_orm": best(loads["orm"]) if scale == 1 else None,
            "load_lean": best(loads["lean"]) if scale == 1 else None,
        }
        registry_runs, duck_load_runs, duck_runs, duck_default_runs = [], [], [], []
        found = registry = None
        for _ in range(args.repeat):
            fresh = replicate(scaled, 1)  # fresh Facts: no caches carried over
            registry, w, c = timed(kpi_sql.registry_results, fresh, periods, CUT_SETS)
            registry_runs.append((w, c))
            del fresh
            con = duckdb.connect()
            con.execute("SET threads = 1")
            _, w, c = timed(kpi_sql.load, con, scaled)
            duck_load_runs.append((w, c))
            kpi_sql.set_periods(con, periods)
            found, w, c = timed(kpi_sql.run, con, periods, CUT_SETS)
            duck_runs.append((w, c))
            con.execute("RESET threads")
            out["threads"] = con.execute("SELECT current_setting('threads')").fetchone()[0]
            _, w, c = timed(kpi_sql.run, con, periods, CUT_SETS)
            duck_default_runs.append((w, c))
            con.close()
        assert registry is not None and found is not None
        out["registry"] = best(registry_runs)
        out["duckdb_load"] = best(duck_load_runs)
        out["duckdb"] = best(duck_runs)
        out["duckdb_default_threads"] = best(duck_default_runs)
        out["results"] = len(registry)
        out["mismatches_duckdb"] = kpi_sql.compare(registry, found)
        if scale == 1:
            out["same_facts"] = same_facts
            out["registry_orm_equal"] = on_orm == registry
        results.append(out)
        report(out)
    if args.json:
        print(json.dumps(results, indent=1))
    if any(r["mismatches_duckdb"] or not r.get("registry_orm_equal", True) for r in results):
        sys.exit(1)


def report(r: dict) -> None:
    def fmt(pair):
        return "-" if pair is None else f"{pair[0]:7.2f} s wall {pair[1]:7.2f} s cpu"

    print()
    print(
        f"scale {r['scale']}: {r['claims']:,} claim lines, {r['allocations']:,} allocations, {r['results']} results"
    )
    print(f"  ORM reader            {fmt(r['load_orm'])}")
    print(f"  lean reader           {fmt(r['load_lean'])}")
    print(f"  registry (full set)   {fmt(r['registry'])}")
    print(f"  DuckDB load           {fmt(r['duckdb_load'])}")
    print(f"  DuckDB queries, 1 thr {fmt(r['duckdb'])}")
    print(f"  DuckDB queries, {r['threads']} thr {fmt(r['duckdb_default_threads'])}")
    cpu = {k: r[k][1] for k in ("registry", "duckdb", "duckdb_load")}
    print(f"  ratio registry / DuckDB queries (cpu, 1 thread): {cpu['registry'] / cpu['duckdb']:.1f}")
    print(
        f"  ratio registry / DuckDB load + queries (cpu): {cpu['registry'] / (cpu['duckdb'] + cpu['duckdb_load']):.1f}"
    )
    if r["load_orm"]:
        lean_cpu, orm_cpu = r["load_lean"][1], r["load_orm"][1]
        today = orm_cpu + cpu["registry"]
        lean_route = lean_cpu + cpu["registry"]
        duck_route = lean_cpu + cpu["duckdb_load"] + cpu["duckdb"]
        print(
            f"  database -> numbers (cpu): ORM + registry {today:.2f} s, lean + registry {lean_route:.2f} s, "
            f"lean + DuckDB {duck_route:.2f} s; ratios to DuckDB {today / duck_route:.1f} and "
            f"{lean_route / duck_route:.1f}"
        )
        print(
            f"  parity: facts equal {r['same_facts']}, registry on ORM facts == on lean facts "
            f"{r['registry_orm_equal']}"
        )
    problems = r["mismatches_duckdb"]
    print(f"  parity with DuckDB: {'ok' if not problems else f'{len(problems)} differences'}")
    for line in problems[:20]:
        print(f"    {line}")


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds of a PostgreSQL backend on this machine (user + system), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_route(args) -> None:
    """One route in this (fresh) process; prints one JSON line, dumps the results for parity."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    import django

    django.setup()
    from django.db import connection

    from jeugdregie.monitoring import facts_lean as lean
    from jeugdregie.monitoring.kpi_duckdb import registry_results
    from jeugdregie.monitoring.kpi_duckdb_reader import kpi_set
    from jeugdregie.rules.kpi import tertial, year

    begin, end = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    periods = [year(args.year)] + [tertial(args.year, t) for t in (1, 2, 3)]
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    out: dict = {"route": args.one_route, "load_average": os.getloadavg()[0]}
    s0 = _server_cpu(pid)
    w0, c0 = time.perf_counter(), time.process_time()
    if args.one_route == "lean":
        facts = lean.load_facts(begin, end)
        out["read"] = (time.perf_counter() - w0, time.process_time() - c0)
        out["rows"] = {
            "claims": len(facts.claims),
            "rejected_claims": len(facts.rejected_claims),
            "allocations": len(facts.allocations),
            "change_requests": len(facts.change_requests),
        }
        results = registry_results(facts, periods, CUT_SETS)
    else:
        from jeugdregie.monitoring import kpi_duckdb_reader as reader

        if pid is not None:  # copies on connections of their own: count their backends too
            copy_postgres = reader._copy_postgres

            def measured(sql, params, path):
                copy_postgres(sql, params, path)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    own = cursor.fetchone()[0]
                if own != pid:  # a fresh backend per copy: its CPU so far is the copy's
                    other_backends.append(_server_cpu(own) or 0.0)

            other_backends: list[float] = []
            reader._copy_postgres = measured
        timings: dict = {}
        results, _as_of = kpi_set(
            begin, end, periods, CUT_SETS, threads=args.threads or None, timings=timings
        )
        out.update(copy=timings["copy"], duckdb_read=timings["duckdb"], queries=timings["queries"])
        out["copy_by_table"] = {k: round(v, 2) for k, v in timings["copy_by_table"].items()}
        out["rows"] = timings["rows"]
    out["wall"], out["cpu"] = time.perf_counter() - w0, time.process_time() - c0
    s1 = _server_cpu(pid)
    out["server_cpu"] = None if s0 is None or s1 is None else s1 - s0
    if out["server_cpu"] is not None and args.one_route == "duckdb":
        out["server_cpu"] += sum(other_backends)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["results"] = len(results)
    if args.dump:
        with open(args.dump, "wb") as fh:
            pickle.dump(results, fh)
    print(json.dumps(out, default=str))


def from_database(args) -> None:
    from ingest_demo import export_revision
    from jeugdregie.monitoring.kpi_duckdb import compare

    runs: dict[str, list[dict]] = {"lean": [], "duckdb": [], "baseline": []}
    loaded: dict[str, dict] = {}
    routes = [*args.routes, *(["baseline"] if args.baseline else [])]
    with tempfile.TemporaryDirectory(prefix="kpi-engines-") as tmp:
        env = dict(os.environ)
        if args.baseline:  # the DuckDB route of another revision, its src first on the path
            src = export_revision(args.baseline, Path(tmp) / "baseline")
            env_baseline = {
                **env,
                "PYTHONPATH": os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p),
            }
        for i in range(args.repeat):
            for route in routes if i % 2 == 0 else routes[::-1]:
                dump = os.path.join(tmp, f"{route}.pickle")
                one = "duckdb" if route == "baseline" else route
                cmd = [sys.executable, __file__, "--one-route", one, "--year", str(args.year)]
                cmd += ["--threads", str(args.threads), "--dump", dump]
                run_env = env_baseline if route == "baseline" else env
                done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=run_env)
                runs[route].append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[route][-1], default=str), flush=True)
                with open(dump, "rb") as fh:
                    loaded[route] = pickle.load(fh)
    first = runs[routes[0]][0]
    print(f"\nyear {args.year}, best of {args.repeat} (a fresh process per run), rows {first['rows']}")
    for route, label in (
        ("lean", "lean reader + registry"),
        ("duckdb", "database -> DuckDB (COPY)"),
        ("baseline", f"DuckDB route of {args.baseline}"),
    ):
        r = runs[route]
        if not r:
            continue
        server = [x["server_cpu"] for x in r if x["server_cpu"] is not None]
        print(
            f"  {label:<28} wall {min(x['wall'] for x in r):7.2f} s  client cpu {min(x['cpu'] for x in r):7.2f} s"
            f"  server cpu {min(server) if server else float('nan'):6.2f} s"
            f"  peak RSS {min(x['peak_rss_mb'] for x in r):6.0f} MB"
        )
    print(f"  load averages: {[round(x['load_average'], 1) for rs in runs.values() for x in rs]}")
    d = runs["duckdb"]
    if d:
        print(
            f"  of DuckDB's wall: copy out {min(x['copy'] for x in d):.2f} s, read into DuckDB "
            f"{min(x['duckdb_read'] for x in d):.2f} s, queries {min(x['queries'] for x in d):.2f} s"
        )
        print(f"  copy out per table (wall s, last run): {d[-1]['copy_by_table']}")
    b = runs["baseline"]
    if b and d:
        print(
            f"  baseline {args.baseline} / this code, DuckDB route: wall "
            f"{min(x['wall'] for x in b) / min(x['wall'] for x in d):.2f}x, copy out "
            f"{min(x['copy'] for x in b) / min(x['copy'] for x in d):.2f}x; copy out per table "
            f"(baseline, last run): {b[-1]['copy_by_table']}"
        )
        problems = compare(loaded["baseline"], loaded["duckdb"])
        print(f"  parity with the baseline: {'ok' if not problems else f'{len(problems)} differences'}")
        if problems:
            sys.exit(1)
    if "lean" not in loaded or "duckdb" not in loaded:
        return
    lean_cpu, duck_cpu = min(x["cpu"] for x in runs["lean"]), min(x["cpu"] for x in d)
    lean_wall, duck_wall = min(x["wall"] for x in runs["lean"]), min(x["wall"] for x in d)
    print(f"  ratio lean / DuckDB: client cpu {lean_cpu / duck_cpu:.1f}, wall {lean_wall / duck_wall:.1f}")
    problems = compare(loaded["lean"], loaded["duckdb"])
    print(
        f"  parity ({len(loaded['lean'])} results): {'ok' if not problems else f'{len(problems)} differences'}"
    )
    for line in problems[:20]:
        print(f"    {line}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
