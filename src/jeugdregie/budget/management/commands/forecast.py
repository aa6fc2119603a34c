import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.budget.forecasting import forecast_levels


def euro(cents: float | None) -> str:
    if cents is None:
        return "-"
    return f"{cents / 100:,.0f}".replace(",", ".")


class Command(BaseCommand):
    help = "Prognose van de jaaruitgaven per regio, aanbieder, gemeente en productgroep op een peildatum (SYSTEM.md paragraaf 9)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", required=True, help="peildatum JJJJ-MM-DD (einde van een maand)")
        parser.add_argument(
            "--level",
            choices=["regio", "categorie", "aanbieder", "gemeente", "groep", "aanbieder_groep"],
            action="append",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, year, as_of, level, as_json, **options):
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"Ongeldige peildatum: {as_of}") from exc
        if as_of_date.year != year:
            raise CommandError("De peildatum valt niet in het prognosejaar.")
        results = [r for r in forecast_levels(year, as_of_date) if not level or r.level in level]
        rows = [
            {
                "level": r.level,
                "key": r.key,
                "method": r.chosen.method,
                "forecast_cent": round(r.chosen.value_cent),
                "low_cent": None if r.chosen.low_cent is None else round(r.chosen.low_cent),
                "high_cent": None if r.chosen.high_cent is None else round(r.chosen.high_cent),
                "claimed_cent": r.claimed_cent,
                "committed_cent": r.committed_cent,
                "ceiling_cent": r.ceiling_cent,
                "projected_utilisation": r.projected_utilisation,
                "methods": {name: round(f.value_cent) for name, f in r.forecasts.items()},
            }
            for r in results
        ]
        if as_json:
            self.stdout.write(json.dumps({"year": year, "as_of": as_of, "forecasts": rows}))
            return
        self.stdout.write(f"Prognose {year}, peildatum {as_of} (bedragen in EUR)")
        self.stdout.write(
            f"{'niveau':<16}{'sleutel':<14}{'gedeclareerd':>14}{'vastgelegd':>14}{'prognose':>14}{'plafond':>14}"
            f"{'benutting':>11}"
        )
        for row in rows:
            util = (
                "-" if row["projected_utilisation"] is None else f"{row['projected_utilisation'] * 100:.0f}%"
            )
            self.stdout.write(
                f"{row['level']:<16}{row['key']:<14}{euro(row['claimed_cent']):>14}"
                f"{euro(row['committed_cent']):>14}{euro(row['forecast_cent']):>14}{euro(row['ceiling_cent']):>14}"
                f"{util:>11}"
            )
