"""`jeugdregie demo`: the embedded default, ready to look at: migrate, load the demo region,
create one user per role, and serve."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region


class Command(BaseCommand):
    help = "Zet de demoregio klaar op de ingebouwde database en start de applicatie."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="alleen klaarzetten, niet starten")

    def handle(self, *args, host, port, no_serve, **options):
        self.stdout.write("Database bijwerken ...")
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo_region()
        self.stdout.write("Demoregio geladen: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        names = ", ".join(u for u, _, _ in region.DEMO_GEBRUIKERS)
        self.stdout.write(f"Demogebruikers: {names}; wachtwoord: {region.DEMO_WACHTWOORD}")
        if not no_serve:
            call_command("serve", host=host, port=port)
