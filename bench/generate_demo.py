"""Time and peak memory of ``jeugdregie generate-demo-data`` at several scales.

    .venv/bin/python bench/generate_demo.py [--scales 1 10] [--until 2026-10-31] [--seed 1] [--keep]

Every scale runs in a fresh Python process (so that the peak RSS is that run's own), writing to a
temporary directory that is removed afterwards (``--keep`` keeps it). Prints one line per scale:
wall time, peak RSS, messages, archives, output size and messages per second; ``--json`` prints
the results as one JSON document instead. The figures in docs/performance.md come from this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import datetime as dt, json, resource, sys, time
from jeugdregie.demo.generator import generate
out, seed, scale, until = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), dt.date.fromisoformat(sys.argv[4])
started = time.perf_counter()
result = generate(out, seed=seed, scale=scale, until=until)
seconds = time.perf_counter() - started
print(json.dumps({
    "scale": scale,
    "seconds": round(seconds, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "messages": result.total_messages,
    "claim_lines": result.claim_lines_debit + result.claim_lines_credit,
    "youths": result.youths,
    "allocations": result.allocations,
    "archives": len(result.files),
    "output_mb": round(sum(f["bytes"] for f in result.files) / 1e6, 1),
    "xml_mb": round(result.bytes_xml / 1e6, 1),
    "messages_per_second": round(result.total_messages / seconds),
}))
"""


def run(scale: int, seed: int, until: str, keep: bool) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"demo-scale{scale}-"))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(work / "out"), str(seed), str(scale), until],
            capture_output=True,
            text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "jeugdregie.settings"},
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"scale {scale} failed (exit {proc.returncode})")
        result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
        if keep:
            result["out"] = str(work / "out")
        return result
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--until", default="2026-10-31")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated output")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for scale in args.scales:
        r = run(scale, args.seed, args.until, args.keep)
        results.append(r)
        if not args.json:
            print(
                f"scale {scale:>3}: {r['seconds']:>7} s, peak RSS {r['peak_rss_mb']:>5} MB, "
                f"{r['messages']:>10,} messages ({r['messages_per_second']:,}/s), {r['archives']} archives, "
                f"{r['output_mb']} MB zipped ({r['xml_mb']} MB XML), {r['claim_lines']:,} claim lines, "
                f"{r['youths']:,} youths, {r['allocations']:,} allocations",
                flush=True,
            )
    if args.json:
        print(json.dumps({"until": args.until, "seed": args.seed, "results": results}, indent=1))


if __name__ == "__main__":
    main()
