"""Ingest the generated demo traffic through the normal ingest and mark it done (used by `demo`,
which runs it in the background so the application answers at once)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
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
        started = time.perf_counter()
        summary = Ingester().ingest_paths([out])
        seconds = time.perf_counter() - started
        rate = _dutch(round(summary.accepted_messages / seconds)) if seconds else "-"
        self.stdout.write(
            f"Ingelezen in {seconds:.0f} s ({rate} berichten/s): {summary.accepted_messages} berichten, {summary.accepted_lines} declaratieregels; "
            f"{summary.quarantined_messages} berichten en {summary.quarantined_lines} regels in quarantaine."
        )
        self.set_ceilings()
        # The screens' figures for every role, before the demo says it is ready (issue 13).
        call_command("precompute", stdout=self.stdout)
        ingest_marker().write_text(json.dumps(manifest))

    def set_ceilings(self) -> None:
        """The new contracts run from 2026 with ceilings on the production of 2024 (the seed's
        advice), later years two years back; a ceiling set by hand is kept."""
        from jeugdregie.budget.services import calculate_ceilings
        from jeugdregie.monitoring.facts import data_complete_until

        for year in range(2026, data_complete_until().year + 1):
            plafonds, c_budget = calculate_ceilings(year, year - 2)
            total = sum(p.bedrag_cent for p in plafonds)
            self.stdout.write(
                f"Plafonds {year} (referentiejaar {year - 2}): {len(plafonds)} plafonds, "
                f"EUR {_euro(total)}, C-budget EUR {_euro(c_budget.bedrag_cent)}"
            )


def _euro(cents: int) -> str:
    return _dutch(round(cents / 100))


def _dutch(number: int) -> str:
    return f"{number:,}".replace(",", ".")
