"""Ingest the generated demo traffic through the normal ingest and mark it done (used by `demo`,
which runs it in the background so the application answers at once)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jeugdregie.ijw.services import Ingester


def demo_data_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-data"


def ingest_marker() -> Path:
    return demo_data_dir() / ".ingested.json"


class Command(BaseCommand):
    help = "Leest het gegenereerde berichtenverkeer van de demoregio in."

    def handle(self, *args, **options):
        out = demo_data_dir()
        manifest = json.loads((out / "manifest.json").read_text())
        summary = Ingester().ingest_paths([out])
        self.stdout.write(
            f"Ingelezen: {summary.accepted_messages} berichten, {summary.accepted_lines} declaratieregels; "
            f"{summary.quarantined_messages} berichten en {summary.quarantined_lines} regels in quarantaine."
        )
        ingest_marker().write_text(json.dumps(manifest))
