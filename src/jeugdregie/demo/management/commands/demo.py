"""`jeugdregie demo`: the embedded default, ready to look at: migrate, load the demo region,
generate (or reuse) its iJw traffic and serve. The traffic is ingested through the normal ingest
in a background process, so the application answers at once and fills up while you look (the home
page shows the progress)."""

import json
import signal
import subprocess  # nosec B404
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region

from .demo_ingest import demo_data_dir, ingest_marker


def serve_without_debug(host: str) -> None:
    """The demo is what people try first: it serves as production does, without Django's debug
    pages (which show paths and settings), with the Dutch error pages instead. Static files keep
    coming from whitenoise. The development keys in var/ stay allowed (settings were loaded with
    DEBUG on), which is what the demo needs."""
    settings.DEBUG = False
    # Bandit B104 flags this comparison with the host asked for; it binds nothing (docs/reliability.md).
    if host in ("0.0.0.0", "::"):  # nosec B104
        settings.ALLOWED_HOSTS = ["*"]  # reachable on every address of this machine, as asked
    elif host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]


class Command(BaseCommand):
    help = "Zet de demoregio klaar op de ingebouwde database, leest haar iJw-berichten in en start de applicatie."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="alleen klaarzetten (en inlezen), niet starten"
        )
        parser.add_argument(
            "--no-data", action="store_true", help="geen berichtenverkeer genereren en inlezen"
        )
        parser.add_argument("--until", help="genereer tot en met deze datum (standaard: einde vorige maand)")

    def handle(self, *args, host, port, no_serve, no_data, until, **options):
        self.stdout.write("Database bijwerken ...")
        call_command("migrate", interactive=False, verbosity=0)
        # Traffic generated earlier with `generate-demo-data --scale N` into the demo folder comes
        # from N copies of the provider market: load them all, or their messages are refused.
        counts = load_demo_region(_generated_scale())
        self.stdout.write("Demoregio geladen: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        names = ", ".join(u for u, _, _ in region.DEMO_GEBRUIKERS)
        self.stdout.write(f"Demogebruikers: {names}; wachtwoord: {region.DEMO_WACHTWOORD}")
        background = None
        if not no_data and self.ensure_generated(until):
            if no_serve:
                call_command("demo_ingest")
            else:
                log = demo_data_dir() / "ingest.log"
                self.stdout.write(
                    f"Berichtenverkeer wordt op de achtergrond ingelezen (voortgang op de startpagina, log: {log})."
                )
                with log.open("w") as handle:
                    # This program itself with fixed arguments, no shell (bandit B603; docs/reliability.md).
                    background = subprocess.Popen(  # nosec B603
                        [sys.executable, "-m", "jeugdregie.cli", "manage", "demo_ingest"],
                        stdout=handle,
                        stderr=subprocess.STDOUT,
                    )
        if not no_serve:
            # `kill` (SIGTERM) must stop the background ingest too, as Ctrl-C does: turn it into an exit
            # so that the finally below runs.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            serve_without_debug(host)
            try:
                call_command("serve", host=host, port=port)
            finally:
                if background is not None and background.poll() is None:
                    background.terminate()  # each file commits or not at all: the next start resumes

    def ensure_generated(self, until: str | None) -> bool:
        """Generate the traffic when absent or for another end date. True when it still needs ingesting."""
        out = demo_data_dir()
        manifest_path = out / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
        if manifest is None or (until and str(manifest.get("until")) != until):
            self.stdout.write(f"Berichtenverkeer van de demoregio genereren in {out} ...")
            call_command("generate_demo_data", str(out), **({"until": until} if until else {}))
            manifest = json.loads(manifest_path.read_text())
            ingest_marker().unlink(missing_ok=True)
        marker = ingest_marker()
        if marker.exists() and json.loads(marker.read_text()) == manifest:
            self.stdout.write("Berichtenverkeer is al ingelezen.")
            return False
        return True


def _generated_scale() -> int:
    manifest = demo_data_dir() / "manifest.json"
    if not manifest.exists():
        return 1
    return int(json.loads(manifest.read_text()).get("scale", 1))
