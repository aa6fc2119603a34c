"""Time of the full KPI set through the registry against the same KPIs as DuckDB SQL, measured in
the same run on the same facts, at scale 1 and 10.

    .venv/bin/python bench/kpi_duckdb.py [--scale 1 10] [--year 2024] [--repeat 3] [--no-tertials]
                                         [--data DIR] [--source xml|database] [--json]

The facts: the demo region generated at scale 1 (seed 1, until 2026-10-31) into a temporary
directory (``--data DIR`` reuses a generated one) and read with
``jeugdregie.demo.kpifacts.read_kpi_facts``; when that module is missing, ``--source database``
reads them with ``jeugdregie.monitoring.facts.load_facts`` from ``DATABASE_URL`` (an ingested
demo). Scale N is not generated: the scale-1 facts are replicated N times with their own client
pseudonyms, provider codes and allocation ids per copy by ``bench/replicate.py`` (the generator's ``--scale`` also makes
independent copies of the region, so the shape is the same; every count and amount is N times
the scale-1 one and every share the same).

The full KPI set: every KPI of the registry for the year and its three tertials, for the whole
region and cut by gemeente and by aanbieder (19 x 4 x 3 = 228 ``compute`` calls). Each scale runs
in a fresh Python process (so its peak RSS is its own) and times

1. the registry: ``compute`` for the whole set on fresh ``Facts`` (care paths and other caches
   built inside the timing), best of ``--repeat``;
2. DuckDB load: the facts into an in-memory database (CSV via the csv module, then COPY; no
   pandas or Arrow), once, reported apart;
3. DuckDB queries: ``bench/kpi_sql.py``, one query per KPI for all periods and cuts, results
   fetched into the registry's shape, best of ``--repeat``, with DuckDB's default thread count
   (the number of cores) and with one thread.

Then it checks that both sides give the same numbers (counts and cents exactly, ratios to 1e-9)
and lists every difference; the ratio registry / DuckDB is printed only for a run without one.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jeugdregie.rules.kpi import Facts

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from demo_source import UNTIL, demo_data  # noqa: E402 (bench/ is on the path only from here)
from replicate import fact_fields, replicate  # noqa: E402

CUT_SETS: list[tuple[str, ...]] = [(), ("gemeente",), ("aanbieder",)]


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024)
    return 0


# ---------------------------------------------------------------- facts


def read_facts(data: Path | None, source: str, work: Path) -> tuple[Facts, str]:
    """The scale-1 facts and a line saying where they come from."""
    if source == "xml":
        try:
            from jeugdregie.demo.kpifacts import read_kpi_facts
        except ImportError as exc:
            if not os.environ.get("DATABASE_URL"):
                sys.exit(
                    f"jeugdregie.demo.kpifacts is not available ({exc}); run with --source database and "
                    "DATABASE_URL (and JEUGDREGIE_VAR_DIR) of an ingested demo to read the facts from there"
                )
            print(f"jeugdregie.demo.kpifacts is not available ({exc}): reading the facts from DATABASE_URL")
            source = "database"
    if source == "database":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
        import django

        django.setup()
        from jeugdregie.monitoring.facts import load_facts

        t0 = time.perf_counter()
        facts = load_facts(dt.date(2019, 1, 1), UNTIL)
        return (
            facts,
            f"read from the database {os.environ.get('DATABASE_URL')} in {time.perf_counter() - t0:.1f} s",
        )

    data = demo_data(data, work)
    t0 = time.perf_counter()
    facts = read_kpi_facts(data, scale=1)
    return facts, f"read from {data} with read_kpi_facts in {time.perf_counter() - t0:.1f} s"


# ---------------------------------------------------------------- one scale (child process)


def run_scale(args: argparse.Namespace) -> dict:
    import duckdb

    import kpi_sql
    from jeugdregie.rules.kpi import REGISTRY, Facts, tertial, year

    periods = [year(args.year)] + ([] if args.no_tertials else [tertial(args.year, t) for t in (1, 2, 3)])
    out: dict = {"scale": args.child_scale, "year": args.year, "periods": [p.label for p in periods]}
    with open(args.child, "rb") as fh:
        claims, allocations, as_of, limits, rejected, requests = pickle.load(fh)
    t0 = time.perf_counter()
    facts = replicate(Facts(claims, allocations, as_of, limits, rejected, requests), args.child_scale)
    del claims, allocations, rejected, requests
    out.update(
        replicate_s=round(time.perf_counter() - t0, 2),
        claims=len(facts.claims),
        allocations=len(facts.allocations),
        as_of=str(facts.as_of),
        rss_facts_mb=rss_mb(),
    )

    # 1. the registry, on fresh Facts each time (no caches carried over)
    best_registry: dict[str, float] = {}
    reference = None
    for _ in range(args.repeat):
        fresh = Facts(
            facts.claims,
            facts.allocations,
            facts.as_of,
            facts.size_class_limits,
            facts.rejected_claims,
            facts.change_requests,
        )
        timings: dict[str, float] = {}
        reference = kpi_sql.registry_results(fresh, periods, CUT_SETS, timings=timings)
        if sum(timings.values()) < sum(best_registry.values() or [float("inf")]):
            best_registry = timings
        del fresh
    out["rss_registry_mb"] = rss_mb()

    # 2. DuckDB load
    con = duckdb.connect()
    t0 = time.perf_counter()
    load = kpi_sql.load(con, facts, args.work)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["load_steps_s"] = {k: round(v, 3) for k, v in load.items()}
    kpi_sql.set_periods(con, periods)
    out["duckdb_threads"] = con.execute("SELECT current_setting('threads')").fetchone()[0]
    out["duckdb_version"] = duckdb.__version__

    # 3. DuckDB queries, default threads and one thread
    found = None
    best: dict[str, dict[str, float]] = {}
    for label, threads in (("default", out["duckdb_threads"]), ("1", 1)):
        con.execute(f"SET threads = {threads}")
        best[label] = {}
        for _ in range(args.repeat):
            timings = {}
            result = kpi_sql.run(con, periods, CUT_SETS, timings=timings)
            if found is None:
                found = result
            if sum(timings.values()) < sum(best[label].values() or [float("inf")]):
                best[label] = timings
    out["rss_duckdb_mb"] = rss_mb()
    out["duckdb_memory"] = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
    con.close()

    assert reference is not None and found is not None
    mismatches = kpi_sql.compare(reference, found)
    out["mismatches"] = mismatches
    out["compared_results"] = len(reference)
    out["compared_groups"] = sum(len(v) for v in reference.values())
    out["per_kpi"] = {
        k: {
            "registry_s": best_registry[k],
            "duckdb_s": best["default"][k],
            "duckdb_1_thread_s": best["1"][k],
        }
        for k in ["paths", *REGISTRY]
    }
    out["registry_s"] = sum(best_registry.values())
    out["duckdb_s"] = sum(best["default"].values())
    out["duckdb_1_thread_s"] = sum(best["1"].values())
    out["peak_rss_mb"] = peak_rss_mb()
    # a few figures to show that the copies add up (spend x N, shares the same)
    out["spend_year"] = reference[("spend", periods[0].label, ())][()]
    out["clients_year"] = reference[("clients", periods[0].label, ())][()]
    out["nga_share_year"] = reference[("nga_share", periods[0].label, ())][()]
    return out


# ---------------------------------------------------------------- report


def report(r: dict) -> None:
    print()
    print(
        f"scale {r['scale']}: {r['claims']:,} claim lines, {r['allocations']:,} allocations, as of {r['as_of']} "
        f"(replicated in {r['replicate_s']} s); periods {', '.join(r['periods'])}; cuts: whole, gemeente, aanbieder"
    )
    print(f"  {'KPI':<22} {'registry s':>11} {'duckdb s':>10} {'1 thread s':>11} {'ratio':>8}")
    for kpi, t in r["per_kpi"].items():
        name = "care paths (shared)" if kpi == "paths" else kpi
        ratio = t["registry_s"] / t["duckdb_s"] if t["duckdb_s"] else float("nan")
        print(
            f"  {name:<22} {t['registry_s']:>11.3f} {t['duckdb_s']:>10.3f} {t['duckdb_1_thread_s']:>11.3f} "
            f"{ratio:>8.1f}"
        )
    print(
        f"  {'total':<22} {r['registry_s']:>11.3f} {r['duckdb_s']:>10.3f} {r['duckdb_1_thread_s']:>11.3f} "
        f"{r['registry_s'] / r['duckdb_s']:>8.1f}"
    )
    steps = r["load_steps_s"]
    print(
        f"  duckdb load {r['load_s']:.2f} s (csv writing {steps['write_csv']:.2f} s, COPY {steps['copy']:.2f} s); "
        f"DuckDB {r['duckdb_version']}, {r['duckdb_threads']} threads by default"
    )
    print(
        f"  RSS: facts {r['rss_facts_mb']} MB, after the registry {r['rss_registry_mb']} MB, after DuckDB "
        f"{r['rss_duckdb_mb']} MB (DuckDB buffers {r['duckdb_memory'] / 1e6:.0f} MB); peak {r['peak_rss_mb']} MB"
    )
    print(
        f"  {r['year']}: spend {r['spend_year']:,} cent, clients {r['clients_year']:,}, "
        f"nga_share {r['nga_share_year']:.6f}"
    )
    if r["mismatches"]:
        print(f"  PARITY FAILED: {len(r['mismatches'])} differences (first 30):")
        for line in r["mismatches"][:30]:
            print(f"    {line}")
    else:
        print(
            f"  parity: {r['compared_results']} results ({r['compared_groups']:,} groups) equal "
            "(counts and cents exact, ratios to 1e-9)"
        )


def summary(results: list[dict]) -> None:
    print()
    print(
        f"{'scale':>5} {'claims':>10} {'allocs':>9} {'registry s':>11} {'duckdb s':>9} {'1 thr s':>8} "
        f"{'load s':>7} {'ratio':>7} {'ratio 1 thr':>11} {'peak RSS':>9} parity"
    )
    for r in results:
        ok = not r["mismatches"]
        parity = "ok" if ok else f"{len(r['mismatches'])} differences"
        ratio = f"{r['registry_s'] / r['duckdb_s']:.1f}" if ok else "-"
        ratio1 = f"{r['registry_s'] / r['duckdb_1_thread_s']:.1f}" if ok else "-"
        print(
            f"{r['scale']:>5} {r['claims']:>10,} {r['allocations']:>9,} {r['registry_s']:>11.2f} "
            f"{r['duckdb_s']:>9.3f} {r['duckdb_1_thread_s']:>8.3f} {r['load_s']:>7.2f} {ratio:>7} {ratio1:>11} "
            f"{r['peak_rss_mb']:>6} MB {parity}"
        )
    print(
        "ratio = registry seconds / DuckDB query seconds (load excluded); parity must be ok for it to count"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs of each side (default 3)")
    parser.add_argument("--no-tertials", action="store_true", help="only the year, not its tertials")
    parser.add_argument(
        "--data", type=Path, help="a generated demo folder (scale 1) to read instead of generating"
    )
    parser.add_argument("--source", choices=["xml", "database"], default="xml")
    parser.add_argument("--json", action="store_true", help="print the results as JSON as well")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(run_scale(args)))
        return

    try:
        import duckdb  # noqa: F401
    except ImportError:
        sys.exit("duckdb is not installed: it is a dev dependency (pip install -e '.[dev]')")
    work = Path(tempfile.mkdtemp(prefix="jeugdregie-kpi-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    os.environ.setdefault("JEUGDREGIE_VAR_DIR", str(work / "var"))
    facts, where = read_facts(args.data, args.source, work)
    print(f"facts: {len(facts.claims):,} claim lines, {len(facts.allocations):,} allocations, {where}")
    if not facts.claims or not facts.allocations:
        sys.exit("no claims or no allocations: nothing to compare (is the database an ingested demo?)")
    if any(scale > 1 for scale in args.scale):
        print(
            "scale N > 1: the scale-1 facts replicated N times, each copy with its own client pseudonyms, "
            "provider codes and allocation ids (not generated)"
        )
    facts_file = work / "facts.pickle"
    with open(facts_file, "wb") as fh:
        pickle.dump(fact_fields(facts), fh, 5)
    del facts
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")

    results = []
    for scale in args.scale:
        command = [
            sys.executable,
            __file__,
            "--child",
            str(facts_file),
            "--child-scale",
            str(scale),
            "--work",
            str(work),
            "--year",
            str(args.year),
            "--repeat",
            str(args.repeat),
        ] + (["--no-tertials"] if args.no_tertials else [])
        proc = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            sys.exit(f"scale {scale} failed (exit {proc.returncode})")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        report(result)
    summary(results)
    if args.json:
        print(json.dumps(results, indent=1))
    if any(r["mismatches"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
