import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.budget.management.commands.settle import parse_day
from jeugdregie.budget.settlement import SettlementError, compare, resolve_rule_set
from jeugdregie.budget.settlement_report import comparison_json, comparison_text
from jeugdregie.rules.settlement import RuleSetError


class Command(BaseCommand):
    help = (
        "Vergelijkt de afrekening van een jaar onder twee of meer regelsets: uitbetaald per aanbieder en "
        "productgroep en toegerekend per gemeente, met het verschil ten opzichte van de eerste."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--rules",
            nargs="+",
            required=True,
            help="twee of meer regelsets (TOML-bestanden, namen van voorbeelden of van regelsets in de database)",
        )
        parser.add_argument("--as-of", help="peildatum JJJJ-MM-DD: declaraties ontvangen t/m die dag")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, year, rules, as_of, as_json, **options):
        if len(rules) < 2:
            raise CommandError("Geef ten minste twee regelsets om te vergelijken (--rules A.toml B.toml).")
        try:
            rule_sets = [resolve_rule_set(year, spec) for spec in rules]
            results = compare(year, rule_sets, as_of=parse_day(as_of))
        except (SettlementError, RuleSetError) as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(comparison_json(results)))
        else:
            self.stdout.write("\n".join(comparison_text(results)))
