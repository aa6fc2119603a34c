"""Ingest speed on the demo traffic, messages per second (issue 13: target 5,000/s).

    .venv/bin/python bench/ingest_demo.py [--until 2021-06-30] [--files N] [--database sqlite postgres]
                                          [--files-per-transaction 1 100] [--data DIR] [--json]
                                          [--baseline REV]

Generates the demo traffic up to ``--until`` (seed 1, scale 1; or reuses ``--data DIR``), takes the
first ``--files`` files in ingest order (all when omitted), and for every database and every value
of ``--files-per-transaction`` ingests them with ``Ingester.ingest_paths`` into a fresh database (a
SQLite file, or a PostgreSQL database ``jr_scale_bench_*`` on ``BENCH_POSTGRES_URL``, default
postgres://postgres@127.0.0.1:5432/postgres) holding the schema and the demo region. Each run is a
fresh Python process; only the ingest is timed (not migrating, not loading the region). In the same
run, a bare ``lxml.etree.fromstring`` of the same files gives the yardstick: each result is also
printed as a fraction of that rate. With ``--baseline REV`` (a git revision, e.g. HEAD~3) every run is
also made with the ``src`` of that revision (``git archive``, put first on PYTHONPATH), right after
the run of the working tree, and the ratio after/before is printed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = r"""
import json, resource, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from jeugdregie.demo.loader import load_demo_region
load_demo_region(users=False)
from jeugdregie.ijw.services import Ingester
ingester = Ingester(files_per_transaction=int(sys.argv[2]))
def peak_rss_mb():  # VmHWM: the peak since the reset below (Linux), else the process's peak
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) // 1024 for l in status if l.startswith("VmHWM"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
try:  # the peak of the ingest only, not of migrating and loading the region
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
except OSError:
    pass
started = time.perf_counter()
summary = ingester.ingest_paths([sys.argv[1]])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), **summary.as_dict()}))
"""


def take_files(source: Path, out: Path, limit: int | None) -> int:
    """The first ``limit`` files of ``source`` in the order the ingest reads them, in zips of the
    same names."""
    out.mkdir(parents=True, exist_ok=True)
    taken = 0
    for archive in sorted(source.glob("*.zip")):
        if limit is not None and taken >= limit:
            break
        with zipfile.ZipFile(archive) as src, zipfile.ZipFile(out / archive.name, "w") as dst:
            for info in sorted(src.infolist(), key=lambda i: i.filename):
                if limit is not None and taken >= limit:
                    break
                dst.writestr(info.filename, src.read(info))
                taken += 1
    return taken


def export_revision(revision: str, out: Path) -> Path:
    """The ``src`` folder of a git revision, exported into ``out``; returns the folder to put on
    PYTHONPATH."""
    archive = subprocess.run(
        ["git", "archive", revision, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(out, filter="data")
    return out / "src"


def run_once(database: str, folder: Path, work: Path, per_transaction: int, src: Path | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdregie.settings"}
    if src is not None:  # the code of another revision
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    created = None
    if database == "sqlite":
        path = work / f"bench-{uuid.uuid4().hex[:6]}.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        admin = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        created = f"jr_scale_bench_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{created}"')
        env["DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/" + created
    try:
        out = subprocess.run(
            [sys.executable, "-c", RUN, str(folder), str(per_transaction)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])
    finally:
        if created:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def bare_parse(folder: Path, repeat: int = 3) -> float:
    """Messages per second of a bare ``lxml.etree.fromstring`` of every file in ``folder`` (the
    zips read into memory first, not timed); the best of ``repeat`` rounds."""
    from lxml import etree

    blobs = []
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as source:
            blobs += [source.read(info) for info in sorted(source.infolist(), key=lambda i: i.filename)]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for data in blobs:
            etree.fromstring(data)
        best = min(best, time.perf_counter() - started)
    return len(blobs) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", default="2021-06-30")
    parser.add_argument("--files", type=int, help="only the first N files in ingest order")
    parser.add_argument(
        "--database", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--files-per-transaction", nargs="+", type=int, default=[1, 100])
    parser.add_argument("--data", type=Path, help="reuse generated demo traffic in DIR")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--baseline", metavar="REV", help="also run the code of this git revision, each time right after"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ingest-demo-") as tmp:
        work = Path(tmp)
        data = args.data
        if data is None:
            data = work / "generated"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "jeugdregie.cli",
                    "generate-demo-data",
                    str(data),
                    "--until",
                    args.until,
                ],
                check=True,
                cwd=ROOT,
                capture_output=True,
            )
        folder = work / "slice"
        files = take_files(data, folder, args.files)
        baseline = export_revision(args.baseline, work / "baseline") if args.baseline else None
        parse_rate = bare_parse(folder)
        if not args.json:
            print(f"kale lxml-parse: {files:,} berichten = {parse_rate:,.0f} berichten/s", flush=True)
        results = []
        for database in args.database:
            for per_transaction in args.files_per_transaction:
                started = time.perf_counter()
                r = run_once(database, folder, work, per_transaction)
                r.update(
                    database=database,
                    files_per_transaction=per_transaction,
                    wall_seconds=time.perf_counter() - started,
                    messages_per_second=r["messages"] / r["seconds"],
                )
                r["ratio_to_bare_parse"] = r["messages_per_second"] / parse_rate
                if baseline is not None:
                    b = run_once(database, folder, work, per_transaction, baseline)
                    r["baseline"] = args.baseline
                    r["baseline_messages_per_second"] = b["messages"] / b["seconds"]
                    r["baseline_seconds"] = b["seconds"]
                    r["baseline_peak_rss_mb"] = b.get("peak_rss_mb")
                    r["gain"] = r["messages_per_second"] / r["baseline_messages_per_second"]
                    measured = ("seconds", "peak_rss_mb")
                    if {k: v for k, v in b.items() if k not in measured} != {
                        k: v for k, v in r.items() if k in b and k not in measured
                    }:
                        r["baseline_summary_differs"] = b
                results.append(r)
                if not args.json:
                    print(
                        f"{database:<9} {per_transaction:>4} bestanden/transactie: {r['messages']:,} berichten "
                        f"in {r['seconds']:.1f} s = {r['messages_per_second']:,.0f} berichten/s "
                        f"(piekgeheugen {r['peak_rss_mb']} MB) "
                        f"= {r['ratio_to_bare_parse']:.2%} van de kale parse "
                        f"({r['accepted_lines']:,} regels; quarantaine {r['quarantined_messages']} berichten, "
                        f"{r['quarantined_lines']} regels)",
                        flush=True,
                    )
                    if baseline is not None:
                        print(
                            f"{'':<9} {'':>4} baseline {args.baseline}: {r['baseline_messages_per_second']:,.0f} "
                            f"berichten/s ({r['baseline_seconds']:.1f} s, piekgeheugen {r['baseline_peak_rss_mb']} MB); "
                            f"nu {r['gain']:.2f}x zo snel"
                            + (" - ANDERE SAMENVATTING" if "baseline_summary_differs" in r else ""),
                            flush=True,
                        )
        if args.json:
            print(
                json.dumps(
                    {
                        "files": files,
                        "until": args.until,
                        "bare_parse_per_second": parse_rate,
                        "results": results,
                    },
                    indent=2,
                )
            )


if __name__ == "__main__":
    main()
