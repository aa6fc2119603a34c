"""First-visit and cached times of the screens per demo role, without and with the screen cache
(issues 12 and 13: no page over 1 s after the first visit, the first visit after an ingest at most
2 s).

    .venv/bin/python bench/screens.py --var /tmp/speed-var [--mode before after] [--json]
    DATABASE_URL=postgres://... .venv/bin/python bench/screens.py --var DIR   (PostgreSQL)

``--var`` is a copy of an ingested demo region (never the original: the cache is written under
DIR/cache). Each role is measured in a fresh Python process, as the first visitor after a
restart: every page of the role twice (``first``, ``again``), timed around Django's test client
(server side: view, template, middleware; no network).

- before: JEUGDREGIE_SCREEN_CACHE=off, the behaviour without the shared cache (only the in-process
  memos that already were there);
- after: the cache directory emptied, ``jeugdregie precompute`` run (timed; it is what the end of
  an ingest runs), then the roles' visits in new processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "regio": ["/", "/kpi/", "/stoplicht/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "gemeente-venlo": ["/", "/kpi/", "/stoplicht/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "aanbieder": ["/", "/kpi/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "verwijzer": ["/", "/stoplicht/"],
}

VISIT = r"""
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client's host; nothing else
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
out = {}
for page in sys.argv[2:]:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        response = client.get(page)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (page, response.status_code)
    out[page] = {"first": times[0], "again": times[1]}
print(json.dumps(out))
"""


def run(code: str, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"failed: {args}")
    return result.stdout


def measure(mode: str, var: Path) -> dict:
    env = {
        **os.environ,
        "JEUGDREGIE_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "jeugdregie.settings",
        "JEUGDREGIE_SCREEN_CACHE": "off" if mode == "before" else "file",
    }
    result: dict = {"mode": mode, "roles": {}}
    if mode == "after":
        shutil.rmtree(var / "cache", ignore_errors=True)
        started = time.perf_counter()
        log = run(
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('precompute')",
            env=env,
        )
        result["precompute_s"] = time.perf_counter() - started
        result["precompute_log"] = log.strip().splitlines()
        print(
            f"[{mode}] precompute {result['precompute_s']:.1f} s: {result['precompute_log']}", file=sys.stderr
        )
    for user, pages in PAGES.items():
        result["roles"][user] = json.loads(run(VISIT, user, *pages, env=env).strip().splitlines()[-1])
        print(f"[{mode}] {user}: {json.dumps(result['roles'][user])}", file=sys.stderr, flush=True)
    return result


def table(result: dict) -> str:
    lines = [f"mode: {result['mode']}"]
    if "precompute_s" in result:
        lines.append(f"precompute: {result['precompute_s']:.1f} s")
    lines.append(f"{'role':<16}{'page':<18}{'first (s)':>10}{'again (s)':>10}")
    for user, pages in result["roles"].items():
        for page, t in pages.items():
            lines.append(f"{user:<16}{page:<18}{t['first']:>10.2f}{t['again']:>10.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var", type=Path, required=True, help="a copy of an ingested demo var dir")
    parser.add_argument("--mode", nargs="+", default=["before", "after"], choices=["before", "after"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [measure(mode, args.var.resolve()) for mode in args.mode]
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print("\n\n".join(table(r) for r in results))


if __name__ == "__main__":
    main()
