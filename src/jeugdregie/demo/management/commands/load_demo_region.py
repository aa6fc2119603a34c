from django.core.management.base import BaseCommand

from jeugdregie.demo.loader import load_demo_region


class Command(BaseCommand):
    help = "Laadt gemeenten, productboeken, tarieven, normen, aanbieders en demogebruikers van de demoregio."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="aantal kopieën van de aanbiedersmarkt")

    def handle(self, *args, scale, **options):
        counts = load_demo_region(scale)
        self.stdout.write("Demoregio geladen: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
