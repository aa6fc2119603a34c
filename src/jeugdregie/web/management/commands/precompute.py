"""`jeugdregie precompute [--year Y ...]`: fill the screen cache for every role's default view (run
at the end of every ingest; by hand after changing the region's configuration in bulk)."""

from django.core.management.base import BaseCommand

from jeugdregie.web import screen_cache
from jeugdregie.web.precompute import precompute


class Command(BaseCommand):
    help = "Rekent de cijfers van de schermen vooraf uit voor elke rol (na elke inlezing automatisch)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="jaar (herhaalbaar); standaard dit en vorig jaar",
        )
        parser.add_argument(
            "--alle-aanbieders",
            action="store_true",
            help="rapportage en datakwaliteit voor elke aanbieder met gegevens, niet alleen die met een gebruiker",
        )
        parser.add_argument(
            "--zonder-aanbieders", action="store_true", help="alleen regio en gemeenten, niet elke aanbieder"
        )
        parser.add_argument(
            "--processen",
            type=int,
            choices=(1, 2),
            dest="workers",
            help="1 of 2 processen (standaard 2 als er een tweede kern vrij is; "
            "JEUGDREGIE_PRECOMPUTE_WORKERS)",
        )

    def handle(self, *args, years, zonder_aanbieders, alle_aanbieders, workers=None, **options):
        if not screen_cache.enabled():
            self.stdout.write("De schermcache staat uit (JEUGDREGIE_SCREEN_CACHE=off); niets te doen.")
            return
        timings = precompute(
            years,
            providers=not zonder_aanbieders,
            all_providers=alle_aanbieders,
            report=self.stdout.write,
            workers=workers,
        )
        self.stdout.write(f"Schermcijfers vooraf berekend in {timings.get('totaal', 0.0):.1f} s.")
