import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.budget.settlement import SettlementError, resolve_rule_set, settle
from jeugdregie.budget.settlement_report import settlement_json, settlement_text
from jeugdregie.rules.settlement import RuleSetError


def parse_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ongeldige peildatum: {text} (verwacht JJJJ-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Afrekening van een jaar per aanbieder en productgroep: uitbetaald, niet betaald, toegerekend aan "
        "de gemeenten en solidariteit (SYSTEM.md paragraaf 10 en 11); met --as-of ook de vooruitblik."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--rules",
            help="regelset: een TOML-bestand, de naam van een voorbeeld (harde-plafond, donut-5, staffel, "
            "donut-staffel) of van een regelset in de database; standaard de voor het jaar geactiveerde, "
            "anders harde-plafond",
        )
        parser.add_argument(
            "--as-of",
            help="peildatum JJJJ-MM-DD: declaraties ontvangen t/m die dag; in het jaar zelf (laatste dag van "
            "een maand) ook de vooruitblik op de prognose",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, year, rules, as_of, as_json, **options):
        as_of_date = parse_day(as_of)
        try:
            rule_set = resolve_rule_set(year, rules)
            result = settle(year, rule_set, as_of=as_of_date)
        except (SettlementError, RuleSetError) as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(settlement_json(result)))
        else:
            self.stdout.write("\n".join(settlement_text(result)))
