"""The analytics at scale: the full KPI set, the forecast, its backtest, the signals and the
settlement, each timed at scale 1, 10 and 60 in one fresh process per scale (issue 13).

    .venv/bin/python bench/analytics_scale.py --data DIR [--scales 1 10 60] [--work DIR]
        [--baseline REV] [--steps kpi forecast backtest signals settle] [--json]

The facts: generated demo output (``jeugdregie generate-demo-data DIR``, scale 1) read once with
``jeugdregie.demo.kpifacts.read_kpi_facts`` and kept in ``--work`` (``facts.pickle``). Scale N is
the demo region N times over, replicated by ``bench/replicate.py`` (the same copies as
bench/kpi_duckdb.py, bench/kpi_engines.py and bench/settle.py make).

Where each step gets its facts:

- *KPI set* (in memory): the registry takes ``Facts``, so it runs on the replicated facts
  directly, as bench/kpi_engines.py does: every KPI of the registry for ``--kpi-year`` and its
  three tertials, whole and by gemeente and by aanbieder (``kpi_sql.registry_results``);
  rows = results.
- *forecast*, *backtest*, *signals*, *settle* (database): these services read the database, so
  they run on a SQLite database per scale bulk-loaded as bench/settle.py loads one (clients,
  allocations, claim lines with a declaratie received on the 5th of the next month, the demo
  region's catalogue, providers and contracts; ``--work DIR/var-N`` keeps it and reuses it), with
  the ceilings of the years computed first (``calculate_ceilings``, timed apart as setup). Each
  step is the management command the CLI runs, called with ``call_command`` and ``--json``:
  ``forecast --year 2026 --as-of 2026-10-31``, ``forecast-backtest --years 2023 2024 2025``,
  ``signals --year 2026 --as-of 2026-10-31`` and ``settle --year 2025 --rules harde-plafond``.
  rows = forecasts, backtest cells, signals, provider x group lines. The bulk load stores no
  starts, stops, change requests or rejected claim lines, so the KPI norm signals (which read
  the KPI facts from the database) see fewer facts than after a real ingest.

Timed per step: wall and CPU seconds of the process (``time.process_time``; SQLite runs in the
process, so its work counts), and the process's peak RSS after the step
(``resource.getrusage``; the peak so far, so it includes the steps before). The bulk load is
not timed as a step (bench/settle.py gives its cost).

Parity: with ``--baseline REV`` every database step also runs the ``src`` of that git revision
(exported with ``git archive``, on PYTHONPATH) in its own process on the same database, and the
JSON output of each command must be the same bytes; the KPI results of the registry of REV must
equal the current ones. A difference fails the run.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

KPI_STEPS = ("kpi",)
DB_STEPS = ("forecast", "backtest", "signals", "settle")
CUT_SETS: list[tuple[str, ...]] = [(), ("gemeente",), ("aanbieder",)]


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def timed(work):
    w0, c0 = time.perf_counter(), time.process_time()
    result = work()
    return result, round(time.perf_counter() - w0, 2), round(time.process_time() - c0, 2)


# ---------------------------------------------------------------- one scale (child process)


def command(name: str, **options) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command(name, stdout=out, as_json=True, **options)
    return out.getvalue()


def db_steps(args: argparse.Namespace) -> dict[str, tuple]:
    """step -> (function returning the command's JSON output, rows of that output)."""
    return {
        "forecast": (
            lambda: command("forecast", year=args.year, as_of=args.as_of),
            lambda out: len(json.loads(out)["forecasts"]),
        ),
        "backtest": (
            lambda: command("forecast_backtest", years=args.backtest_years),
            lambda out: len(json.loads(out)),
        ),
        "signals": (
            lambda: command("signals", year=args.year, as_of=args.as_of),
            lambda out: len(json.loads(out)["signals"]),
        ),
        "settle": (
            lambda: command("settle", year=args.settle_year, rules="harde-plafond"),
            lambda out: len(json.loads(out)["groups"]),
        ),
    }


def run_child(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    scale = args.child_scale
    out: dict = {"scale": scale, "code": os.environ.get("BENCH_CODE", "current"), "steps": {}}

    def record(step: str, value, rows: int, wall: float, cpu: float, digest: str) -> None:
        out["steps"][step] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_mb": peak_rss_mb(),
            "rows": rows,
            "sha256": digest,
        }
        print(
            f"  scale {scale} {step}: {wall} s wall, {cpu} s cpu, {peak_rss_mb()} MB, {rows} rows",
            file=sys.stderr,
        )

    if "kpi" in args.steps:
        import kpi_sql
        from jeugdregie.rules.kpi import Facts, tertial, year
        from replicate import replicate

        with open(args.work / "facts.pickle", "rb") as fh:
            fields = pickle.load(fh)
        facts, w, c = timed(lambda: replicate(Facts(*fields), scale))
        del fields
        out["replicate"] = {
            "wall_s": w,
            "cpu_s": c,
            "claims": len(facts.claims),
            "allocations": len(facts.allocations),
        }
        periods = [year(args.kpi_year)] + [tertial(args.kpi_year, t) for t in (1, 2, 3)]
        results, w, c = timed(lambda: kpi_sql.registry_results(facts, periods, CUT_SETS))
        text = repr(sorted((k, sorted(v.items())) for k, v in results.items()))
        record("kpi", results, len(results), w, c, hashlib.sha256(text.encode()).hexdigest())
        del facts, results, text
        gc.collect()

    wanted = [s for s in DB_STEPS if s in args.steps]
    if wanted:
        from jeugdregie.budget.models import Plafond
        from jeugdregie.budget.services import calculate_ceilings
        from settle import bulk_load

        loaded, w, c = timed(lambda: bulk_load(args.work / "settle-facts.pickle", scale, resume=args.resume))
        out["bulk_load"] = {"wall_s": w, "cpu_s": c, **loaded}
        if (
            loaded["loaded"] != "reused"
            or not Plafond.objects.filter(jaar=args.year).exists()
            or not Plafond.objects.filter(jaar=args.settle_year).exists()
        ):
            _, w, c = timed(
                lambda: (
                    calculate_ceilings(args.settle_year, args.settle_year - 2),
                    calculate_ceilings(args.year, args.year - 2),
                )
            )
            out["ceilings"] = {"wall_s": w, "cpu_s": c}
        import jeugdregie

        # the rule set's file is named by its path: the baseline's is in its exported src
        src = str(Path(jeugdregie.__file__).resolve().parent.parent)
        for step in wanted:
            run, rows = db_steps(args)[step]
            text, w, c = timed(run)
            text = text.replace(src, "<src>")
            record(step, text, rows(text), w, c, hashlib.sha256(text.encode()).hexdigest())
            if args.keep_output:
                (args.work / f"out-{scale}-{out['code']}-{step}.json").write_text(text)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# ---------------------------------------------------------------- parent


def prepare(args: argparse.Namespace) -> None:
    if (args.work / "facts.pickle").exists():
        return
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    import django

    django.setup()
    from jeugdregie.demo.kpifacts import read_kpi_facts
    from replicate import fact_fields

    t0 = time.perf_counter()
    facts = read_kpi_facts(args.data, scale=1)
    print(
        f"read {len(facts.claims):,} claim lines, {len(facts.allocations):,} allocations in "
        f"{time.perf_counter() - t0:.1f} s (as of {facts.as_of})",
        file=sys.stderr,
    )
    with open(args.work / "settle-facts.pickle", "wb") as fh:
        pickle.dump((list(facts.claims), list(facts.allocations)), fh)
    with open(args.work / "facts.pickle", "wb") as fh:
        pickle.dump(fact_fields(facts), fh)


def child(args: argparse.Namespace, scale: int, steps: list[str], src: Path | None, code: str) -> dict:
    env = os.environ.copy()
    env["JEUGDREGIE_VAR_DIR"] = str(args.work / f"var-{scale}")
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "jeugdregie.settings"
    env["BENCH_CODE"] = code
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(src) if src else "", str(HERE), env.get("PYTHONPATH", "")) if p
    )
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child-scale",
        str(scale),
        "--work",
        str(args.work),
        "--steps",
        *steps,
        "--year",
        str(args.year),
        "--as-of",
        args.as_of,
        "--kpi-year",
        str(args.kpi_year),
        "--settle-year",
        str(args.settle_year),
        "--backtest-years",
        *map(str, args.backtest_years),
    ]
    if args.keep_output:
        cmd.append("--keep-output")
    if args.resume and code == "current":  # the first run of a scale completes the load
        cmd.append("--resume")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode:
        sys.exit(f"scale {scale} ({code}) failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    from ingest_demo import export_revision  # bench/ is on sys.path when run as a script

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 60])
    parser.add_argument("--data", type=Path, help="generated demo output (scale 1)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/analytics-scale"))
    parser.add_argument(
        "--steps", nargs="+", default=[*KPI_STEPS, *DB_STEPS], choices=[*KPI_STEPS, *DB_STEPS]
    )
    parser.add_argument("--year", type=int, default=2026, help="forecast and signals year")
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--kpi-year", type=int, default=2025)
    parser.add_argument("--settle-year", type=int, default=2025)
    parser.add_argument("--backtest-years", type=int, nargs="+", default=[2023, 2024, 2025])
    parser.add_argument(
        "--baseline", metavar="REV", help="also run the steps with the src of this git revision"
    )
    parser.add_argument("--keep-output", action="store_true", help="write each command's JSON into --work")
    parser.add_argument(
        "--resume", action="store_true", help="complete a database whose bulk load was stopped part way"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work = args.work.resolve()
    if args.child_scale is not None:
        print(json.dumps(run_child(args)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    if not (args.work / "facts.pickle").exists():
        if args.data is None:
            sys.exit("--data DIR is needed once (generated demo output) to read the facts")
        prepare(args)
    baseline = (
        export_revision(args.baseline, args.work / f"baseline-{args.baseline}") if args.baseline else None
    )
    results, failed = [], False
    print(f"load average at start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    for scale in args.scales:
        # the database is loaded by the first run of a scale and reused by the next
        runs = [child(args, scale, args.steps, None, "current")]
        if baseline is not None:
            runs.append(child(args, scale, args.steps, baseline, args.baseline))
            for step, new in runs[0]["steps"].items():
                old = runs[1]["steps"][step]
                new["baseline_wall_s"], new["baseline_cpu_s"] = old["wall_s"], old["cpu_s"]
                new["baseline_peak_rss_mb"] = old["peak_rss_mb"]
                new["same_as_baseline"] = old["sha256"] == new["sha256"]
                failed |= not new["same_as_baseline"]
        results.append(runs[0])
        report(runs[0])
    print(f"load average at end: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=1))
    if failed:
        sys.exit("parity: some step's output differs from the baseline's")


def report(r: dict) -> None:
    print(
        f"scale {r['scale']}: peak RSS {r['peak_rss_mb']} MB; "
        + "; ".join(f"{k} {r[k]}" for k in ("replicate", "bulk_load", "ceilings") if k in r)
    )
    print(
        f"{'step':<10}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'rows':>8}   baseline (wall / CPU s / RSS, same)"
    )
    for step, s in r["steps"].items():
        base = (
            f"   {s['baseline_wall_s']} / {s['baseline_cpu_s']} / {s['baseline_peak_rss_mb']} MB, "
            f"{'same' if s['same_as_baseline'] else 'DIFFERENT'}"
            if "baseline_wall_s" in s
            else ""
        )
        print(f"{step:<10}{s['wall_s']:>9}{s['cpu_s']:>9}{s['peak_rss_mb']:>13}{s['rows']:>8}{base}")


if __name__ == "__main__":
    main()
