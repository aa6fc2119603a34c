import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.services import ENGINES, format_value, kpi_report
from jeugdregie.regio.models import Gemeente


class Command(BaseCommand):
    help = "Alle KPI's (SYSTEM.md paragraaf 7) voor een jaar en zijn tertialen, voor de regio, een gemeente of een aanbieder."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--municipality", metavar="CBS-CODE")
        parser.add_argument("--provider", metavar="AGB")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="registry",
            help="registry (standaard, de referentie) of duckdb (dezelfde KPI's in DuckDB, voor grote aantallen)",
        )

    def handle(self, *args, year, municipality, provider, as_json, engine, **options):
        if municipality and not Gemeente.objects.filter(cbs_code=municipality).exists():
            raise CommandError(f"Onbekende gemeente: {municipality}")
        if provider and not Aanbieder.objects.filter(agb_code=provider).exists():
            raise CommandError(f"Onbekende aanbieder: {provider}")
        report = kpi_report(year, gemeente=municipality, aanbieder=provider, engine=engine)
        if as_json:
            self.stdout.write(json.dumps(report, default=str))
            return
        scope = (
            " ".join(
                filter(
                    None,
                    [
                        f"gemeente {municipality}" if municipality else "",
                        f"aanbieder {provider}" if provider else "",
                    ],
                )
            )
            or "regio"
        )
        self.stdout.write(f"KPI's {year} ({scope}), gegevens tot en met {report['as_of']}")
        self.stdout.write(f"{'KPI':<38}{'jaar':>16}{'T1':>16}{'T2':>16}{'T3':>16}")
        for row in report["kpis"]:
            if row["unit"] == "tabel":
                self.stdout.write(f"{row['label']:<38}{format_value(row['value'], row['unit'])}")
                continue
            cells = [format_value(row["value"], row["unit"])] + [
                format_value(row["tertials"][t], row["unit"]) for t in ("T1", "T2", "T3")
            ]
            self.stdout.write(f"{row['label']:<38}" + "".join(f"{c:>16}" for c in cells))
