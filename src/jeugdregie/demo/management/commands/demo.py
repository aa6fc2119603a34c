"""`jeugdregie demo`: the embedded default, ready to look at: migrate, load the demo region,
generate (or reuse) its iJw traffic, ingest it through the normal ingest, and serve."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw.services import Ingester, count_sources


class Command(BaseCommand):
    help = "Zet de demoregio klaar op de ingebouwde database, leest haar iJw-berichten in en start de applicatie."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="alleen klaarzetten, niet starten")
        parser.add_argument(
            "--no-data", action="store_true", help="geen berichtenverkeer genereren en inlezen"
        )
        parser.add_argument("--until", help="genereer tot en met deze datum (standaard: einde vorige maand)")

    def handle(self, *args, host, port, no_serve, no_data, until, **options):
        self.stdout.write("Database bijwerken ...")
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_demo_region()
        self.stdout.write("Demoregio geladen: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if not no_data:
            self.load_traffic(until)
        names = ", ".join(u for u, _, _ in region.DEMO_GEBRUIKERS)
        self.stdout.write(f"Demogebruikers: {names}; wachtwoord: {region.DEMO_WACHTWOORD}")
        if not no_serve:
            call_command("serve", host=host, port=port)

    def load_traffic(self, until: str | None) -> None:
        out = Path(settings.VAR_DIR) / "demo-data"
        marker = out / ".ingested.json"
        manifest_path = out / "manifest.json"
        wanted_until = until or ""
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
        if manifest is None or (wanted_until and str(manifest.get("until")) != wanted_until):
            self.stdout.write(f"Berichtenverkeer van de demoregio genereren in {out} ...")
            options = {"until": until} if until else {}
            call_command("generate_demo_data", str(out), **options)
            manifest = json.loads(manifest_path.read_text())
            marker.unlink(missing_ok=True)
        if marker.exists() and json.loads(marker.read_text()) == manifest:
            self.stdout.write("Berichtenverkeer is al ingelezen.")
            return
        total = count_sources([out])
        self.stdout.write(f"{total} berichten inlezen via de gewone ingest ...")
        with tqdm(total=total, unit="bericht", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
            summary = Ingester().ingest_paths([out], progress=lambda _n: bar.update(1))
        self.stdout.write(
            f"Ingelezen: {summary.accepted_messages} berichten, {summary.accepted_lines} declaratieregels; "
            f"{summary.quarantined_messages} berichten en {summary.quarantined_lines} regels in quarantaine."
        )
        marker.write_text(json.dumps(manifest))
