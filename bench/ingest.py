"""Ingest throughput against a bare lxml parse of the same files, measured in the same run.

    .venv/bin/python bench/ingest.py [--clients N] [--months M] [--database sqlite|postgres]
                                     [--repeat R] [--profile]

Generates N allocations (one JW301 file each) and, per month, one JW323 per municipality with a
claim line for every allocation of that municipality; then times
  1. a bare parse: lxml iterparse over every file, counting Prestatie elements (the baseline);
  2. the reader alone (all validation that needs no database), for information;
  3. the real ingest (validation, pseudonymisation, storage) into a fresh database.
Prints claim lines per second for each and the ratio ingest / bare (the figure; target >= 0.25 on
SQLite). With --repeat R the claims are generated R times with other references and message ids
and each set is timed in turn (the database grows); the best time of each step counts, which
steadies the figure on a busy machine.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path


def build_files(out: Path, clients: int, months: int, repeat: int = 1) -> int:
    """Write the JW301 files to out/jw301 and ``repeat`` sets of JW323 files to out/jw323,
    out/jw323-r1, ...; returns the number of claim lines in one set."""
    from jeugdregie.demo import region
    from jeugdregie.ijw import messages as m
    from jeugdregie.ijw.bsn import generate_bsn
    from jeugdregie.ijw.writer import to_xml

    rng = random.Random(7)
    gemeenten = [g.cbs_code for g in region.GEMEENTEN]
    agb = region.aanbieders()[0].agb_code
    tarief = region.tarief_cent("45N01", 2026)
    per_gemeente: dict[str, list[tuple[str, str]]] = {g: [] for g in gemeenten}
    (out / "jw301").mkdir(parents=True)
    for n in range(clients):
        gemeente = gemeenten[n % len(gemeenten)]
        bsn = generate_bsn(rng)
        nummer = str(100000 + n)
        msg = m.Toewijzing(
            m.Header(gemeente, agb, f"T{n}", dt.date(2025, 12, 15)),
            m.ClientIdentity(bsn, dt.date(2012, 1 + n % 12, 1), "1"),
            (
                m.ToegewezenProduct(
                    nummer,
                    "45",
                    "45N01",
                    dt.date(2025, 12, 15),
                    dt.date(2026, 1, 1),
                    dt.date(2026, 12, 31),
                    None,
                    m.Omvang(4, "04", "2"),
                ),
            ),
        )
        (out / "jw301" / f"{n:07d}.xml").write_bytes(to_xml(msg))
        per_gemeente[gemeente].append((bsn, nummer))
    lines = 0
    for r in range(repeat):
        claims = out / claim_dir(r)
        claims.mkdir()
        tag = f"R{r}" if r else ""  # set 0 is the same as without --repeat
        lines = 0
        for month in range(1, months + 1):
            begin = dt.date(2026, month, 1)
            end = (dt.date(2026, month + 1, 1) if month < 12 else dt.date(2027, 1, 1)) - dt.timedelta(days=1)
            for gemeente, members in per_gemeente.items():
                clienten = tuple(
                    m.DeclaratieClient(
                        bsn,
                        (
                            m.Prestatie(
                                f"{tag}{month}-{nummer}",
                                nummer,
                                "45",
                                "45N01",
                                begin,
                                end,
                                16,
                                "04",
                                tarief,
                                16 * tarief,
                            ),
                        ),
                    )
                    for bsn, nummer in members
                )
                decl = m.Declaratie(
                    m.Header(agb, gemeente, f"{tag}D{month}-{gemeente}", end),
                    f"{tag}{month}{gemeente}",
                    begin,
                    end,
                    end,
                    clienten,
                )
                (claims / f"{month:02d}-{gemeente}.xml").write_bytes(to_xml(decl))
                lines += len(clienten)
    return lines


def claim_dir(r: int) -> str:
    return f"jw323-r{r}" if r else "jw323"


def bare_parse(paths: list[Path]) -> int:
    from lxml import etree

    count = 0
    for path in paths:
        for _event, element in etree.iterparse(str(path), events=("end",)):
            if element.tag.endswith("}Prestatie"):
                count += 1
            element.clear(keep_tail=False)
    return count


def reader_only(paths: list[Path]) -> int:
    from jeugdregie.ijw.reader import read_message

    count = 0
    for path in paths:
        result = read_message(path.read_bytes(), str(path))
        assert result.ok, result.errors[:3]
        count += result.lines_total
    return count


def timed(step, *args):
    t0 = time.perf_counter()
    result = step(*args)
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1, help="time R sets of claims, keep the best")
    parser.add_argument(
        "--profile", action="store_true", help="print the 25 most expensive calls of the ingest"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jeugdregie-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # generated files and SQLite database
    os.environ["JEUGDREGIE_VAR_DIR"] = str(work / "var")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/jeugdregie_bench"
        )
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if args.database == "postgres":
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)
    from jeugdregie.demo.loader import load_demo_region
    from jeugdregie.ijw.services import Ingester

    load_demo_region(users=False)
    t0 = time.perf_counter()
    lines = build_files(work / "data", args.clients, args.months, args.repeat)
    print(
        f"generated {args.clients} JW301 + {args.repeat} x {args.months * 7} JW323 files "
        f"({lines} claim lines per set) in {time.perf_counter() - t0:.1f}s"
    )
    ingester = Ingester()
    ingester.ingest_paths([work / "data" / "jw301"])
    import cProfile
    import pstats

    best = {"bare": float("inf"), "reader": float("inf"), "ingest": float("inf")}  # seconds
    for r in range(args.repeat):
        claims = work / "data" / claim_dir(r)
        claim_files = sorted(claims.glob("*.xml"))
        parsed, bare = timed(bare_parse, claim_files)
        assert parsed == lines
        _, reader = timed(reader_only, claim_files)

        profiler = cProfile.Profile() if args.profile and r == 0 else None
        if profiler:
            profiler.enable()
        summary, ingest = timed(ingester.ingest_paths, [claims])
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        if summary.accepted_lines != lines:
            sys.exit(f"ingest accepted {summary.accepted_lines} of {lines} lines: {summary.errors[:3]}")
        if args.repeat > 1:
            print(
                f"set {r}: bare {lines / bare:,.0f}, ingest {lines / ingest:,.0f} claim lines/s, ratio {bare / ingest:.3f}"
            )
        for step, seconds in (("bare", bare), ("reader", reader), ("ingest", ingest)):
            best[step] = min(best[step], seconds)

    bare, reader, ingest = best["bare"], best["reader"], best["ingest"]
    bare_rate, reader_rate, ingest_rate = lines / bare, lines / reader, lines / ingest
    print(f"database:        {connection.vendor}")
    print(f"bare lxml parse: {bare_rate:>10,.0f} claim lines/s ({bare:.2f}s)")
    print(f"reader only:     {reader_rate:>10,.0f} claim lines/s ({reader:.2f}s)")
    print(f"ingest:          {ingest_rate:>10,.0f} claim lines/s ({ingest:.2f}s)")
    print(f"ratio:           {ingest_rate / bare_rate:.3f}  (target >= 0.25)")


if __name__ == "__main__":
    main()
