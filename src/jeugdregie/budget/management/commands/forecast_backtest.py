import json

from django.core.management.base import BaseCommand

from jeugdregie.budget.forecasting import allocation_inputs, claim_rows
from jeugdregie.rules import forecast as rules


class Command(BaseCommand):
    help = "Backtest van de prognosemethoden op afgelopen jaren: MAPE per methode en maand (regio-totaal)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, nargs="+", required=True)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, years, as_json, **options):
        amounts = [r.amount for r in claim_rows(min(years) - 2)]
        table = rules.backtest(amounts, years, allocations_at=allocation_inputs(lambda *_: True))
        if as_json:
            self.stdout.write(json.dumps([r.__dict__ for r in table]))
            return
        methods = sorted({r.method for r in table})
        self.stdout.write(f"Backtest regio-totaal, jaren {', '.join(map(str, years))}: MAPE per peilmaand")
        self.stdout.write(f"{'maand':<8}" + "".join(f"{m:>14}" for m in methods) + "   beste")
        for month in range(1, 12):
            cells = {r.method: r.mape for r in table if r.month == month}
            best = rules.best_method(table, month)
            self.stdout.write(
                f"{month:<8}"
                + "".join(f"{cells.get(m, float('nan')) * 100:>13.1f}%" for m in methods)
                + f"   {best.method if best else '-'}"
            )
