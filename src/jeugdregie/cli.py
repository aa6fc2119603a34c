"""The `jeugdregie` console script: a thin front over Django management commands.

`jeugdregie ijw validate PATH...` maps to the management command `ijw_validate`; every other
sub-command maps to the management command of the same name with dashes as underscores
(`generate-demo-data` -> `generate_demo_data`). Django's own commands (migrate, createsuperuser,
...) stay reachable through `jeugdregie manage ...`.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "demo",
    "serve": "serve",
    "generate-demo-data": "generate_demo_data",
    "ingest": "ingest",
    "market-analysis": "market_analysis",
    "kpi": "kpi",
    "data-quality": "data_quality",
    "ceilings": "ceilings",
    "forecast": "forecast",
    "settle": "settle",
    "settle-compare": "settle_compare",
    "forecast-backtest": "forecast_backtest",
    "signals": "signals",
    "load-demo-region": "load_demo_region",
    "report": "report",
    "precompute": "precompute",
}

USAGE = """Gebruik: jeugdregie <opdracht> [opties]

Opdrachten:
  demo                      demo-regio klaarzetten en de applicatie starten
  serve [--host H] [--port P]
  generate-demo-data OUT [--seed N] [--scale N] [--until YYYY-MM-DD]
  ijw validate PATH... [--xsd-dir DIR]
  ingest PATH... [--xsd-dir DIR]
  market-analysis --year Y [--json]
  kpi --year Y [--municipality CODE] [--provider AGB] [--json]
  data-quality --year Y [--municipality CODE] [--provider AGB] [--json] [--limit N]
  ceilings --year Y --reference-year R [--json]
  forecast --year Y --as-of YYYY-MM-DD [--json]
  forecast-backtest --years Y... [--level L] [--json]
  signals --year Y --as-of YYYY-MM-DD [--json]
  settle --year Y [--rules FILE|NAAM] [--as-of YYYY-MM-DD] [--json]
  settle-compare --year Y --rules A.toml B.toml [...] [--as-of YYYY-MM-DD] [--json]
  report --tertial JJJJ-T[1-3] [--provider AGB | --municipality CODE] --out FILE.pdf
  precompute [--year Y]...  cijfers van de schermen vooraf berekenen (na elke ingest vanzelf)
  manage <django-opdracht> ...   elke Django-beheeropdracht (migrate, createsuperuser, ...)

`jeugdregie <opdracht> --help` toont de opties van een opdracht.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        sys.exit(0)
    head, rest = argv[0], argv[1:]
    if head == "manage":
        command = rest[:1]
        rest = rest[1:]
    elif head == "ijw":
        if not rest or rest[0] != "validate":
            sys.stderr.write("Gebruik: jeugdregie ijw validate PATH... [--xsd-dir DIR]\n")
            sys.exit(2)
        command, rest = ["ijw_validate"], rest[1:]
    elif head in COMMANDS:
        command = [COMMANDS[head]]
    else:
        sys.stderr.write(f"Onbekende opdracht: {head}\n\n{USAGE}")
        sys.exit(2)

    from django.core.management import execute_from_command_line

    execute_from_command_line(["jeugdregie", *command, *rest])


if __name__ == "__main__":
    main()
