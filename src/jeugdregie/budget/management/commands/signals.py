import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.budget.signals import collect_signals
from jeugdregie.monitoring.services import ENGINES


class Command(BaseCommand):
    help = (
        "Signalen voor contractmanagement op een peildatum: plafonds (90%/100%), gemeenten boven hun deel "
        "van de plafonds, het C-budget, waterbedeffect en KPI's buiten de norm van de stuuropdracht."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", required=True, help="peildatum JJJJ-MM-DD (einde van een maand)")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="registry",
            help="KPI's van de normen: registry (standaard, de referentie) of duckdb (dezelfde KPI's in DuckDB, voor grote aantallen)",
        )

    def handle(self, *args, year, as_of, as_json, engine, **options):
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"Ongeldige peildatum: {as_of}") from exc
        if as_of_date.year != year:
            raise CommandError("De peildatum valt niet in het jaar van de signalen.")
        found = collect_signals(year, as_of_date, engine=engine)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"year": year, "as_of": as_of, "signals": [s.__dict__ for s in found]}, ensure_ascii=False
                )
            )
            return
        self.stdout.write(f"Signalen {year}, peildatum {as_of}: {len(found)}")
        for s in found:
            self.stdout.write(f"[{s.ernst:<12}] {s.soort:<14} {s.niveau:<10} {s.sleutel:<10} {s.uitleg}")
