import json

from django.core.management.base import BaseCommand

from jeugdregie.budget.forecasting import LEVELS, allocation_inputs, claim_rows, series
from jeugdregie.monitoring.alongside import start
from jeugdregie.rules import forecast as rules

MONTHS = range(1, 12)


class Command(BaseCommand):
    help = (
        "Backtest van de prognosemethoden op afgelopen jaren: fout per methode en peilmaand, voor het "
        "regio-totaal (MAPE) of per sleutel van een niveau (WAPE: absolute fout per euro, en MAPE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, nargs="+", required=True)
        parser.add_argument("--level", choices=LEVELS, default="regio")
        parser.add_argument(
            "--min-euro",
            type=int,
            default=50_000,
            help="sleutels met een jaartotaal onder dit bedrag tellen niet mee (standaard 50.000)",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, years, level, min_euro, as_json, **options):
        # the claims' totals on a connection of their own while this one values the allocations
        claims = start(claim_rows, min(years) - 2)
        allocations_at = allocation_inputs(lambda *_: True) if level == "regio" else None
        rows = claims.result()
        # the region's claims as totals per care month and month received: the same figures
        region = series(rows, "regio").get("regio", [])
        if allocations_at is not None:
            table = rules.backtest(region, years, MONTHS, allocations_at=allocations_at)
            if as_json:
                self.stdout.write(json.dumps([r.__dict__ for r in table]))
                return
            self.stdout.write(
                f"Backtest regio-totaal, jaren {', '.join(map(str, years))}: MAPE per peilmaand"
            )
            self._table({(r.method, r.month): r.mape for r in table})
            return
        level_table = rules.backtest_level(
            series(rows, level), years, MONTHS, min_truth_cent=min_euro * 100, profile_claims=region
        )
        if as_json:
            self.stdout.write(json.dumps([r.__dict__ for r in level_table]))
            return
        cases = max((r.cases for r in level_table), default=0)
        minimum = f"{min_euro:,}".replace(",", ".")
        self.stdout.write(
            f"Backtest niveau {level}, jaren {', '.join(map(str, years))}, {cases} sleutel-jaren met minstens "
            f"EUR {minimum}: WAPE (absolute fout per euro) per peilmaand"
        )
        self._table({(r.method, r.month): r.wape for r in level_table})

    def _table(self, cells: dict[tuple[str, int], float]) -> None:
        methods = sorted({m for m, _ in cells})
        self.stdout.write(f"{'maand':<8}" + "".join(f"{m:>14}" for m in methods) + "   beste")
        for month in MONTHS:
            row = {m: cells[(m, mo)] for m, mo in cells if mo == month}
            best = min(row, key=row.__getitem__) if row else "-"
            self.stdout.write(
                f"{month:<8}"
                + "".join(f"{row.get(m, float('nan')) * 100:>13.1f}%" for m in methods)
                + f"   {best}"
            )
