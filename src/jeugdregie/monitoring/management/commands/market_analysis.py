import datetime as dt
import json

from django.core.management.base import BaseCommand

from jeugdregie.monitoring.facts import claim_facts
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.kpi import claim_only, market_table

SEGMENT_LABELS = {"2": "2 Wonen", "3": "3 Dag", "4": "4 Ambulant", "": "Vervoer"}


class Command(BaseCommand):
    help = "Marktanalyse: cliënten en kosten per gemeente en segment in een jaar (seed 000 paragraaf 7.1)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, year, as_json, **options):
        table = market_table(claim_only(claim_facts(dt.date(year, 1, 1), dt.date(year, 12, 31))), year)
        names = dict(Gemeente.objects.values_list("cbs_code", "naam"))
        rows = [
            {
                "segment": segment or "vervoer",
                "gemeente": names.get(code, code),
                "cbs_code": code,
                "clients": clients,
                "spend_cent": spend,
            }
            for (code, segment), (clients, spend) in sorted(
                table.items(), key=lambda kv: (kv[0][1] or "9", names.get(kv[0][0], ""))
            )
        ]
        if as_json:
            self.stdout.write(json.dumps({"year": year, "rows": rows}))
            return
        self.stdout.write(f"Marktanalyse {year}")
        self.stdout.write(f"{'segment':<12}{'gemeente':<20}{'cliënten':>10}{'kosten (EUR)':>16}")
        for row in rows:
            label = SEGMENT_LABELS.get("" if row["segment"] == "vervoer" else row["segment"], row["segment"])
            euros = f"{row['spend_cent'] / 100:,.0f}".replace(",", ".")
            self.stdout.write(f"{label:<12}{row['gemeente']:<20}{row['clients']:>10}{euros:>16}")
