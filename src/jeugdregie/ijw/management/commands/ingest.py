import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jeugdregie.ijw.services import Ingester, count_sources

from ._common import print_errors

LABELS = {
    "files": "bestanden",
    "duplicate_files": "dubbele bestanden",
    "rejected_files": "geweigerde bestanden",
    "messages": "berichten",
    "accepted_messages": "geaccepteerde berichten",
    "quarantined_messages": "berichten in quarantaine",
    "duplicate_messages": "dubbele berichten",
    "lines": "declaratieregels",
    "accepted_lines": "geaccepteerde regels",
    "quarantined_lines": "regels in quarantaine",
    "reprocessed": "opnieuw verwerkt uit quarantaine",
}


class Command(BaseCommand):
    help = "Leest iJw-berichten in (bestanden, mappen, zipbestanden). Idempotent; afgekeurde berichten gaan naar de quarantaine."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--xsd-dir", help="map met de officiële iJw 3.2 XSD's voor strikte validatie")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="samenvatting als JSON op stdout"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, paths, xsd_dir, as_json, no_progress, **options):
        try:
            total = count_sources(paths)
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        ingester = Ingester(xsd_dir=xsd_dir)
        show = not no_progress and not as_json and sys.stderr.isatty()
        with tqdm(total=total, unit="bestand", desc="Inlezen", disable=not show, file=sys.stderr) as bar:
            summary = ingester.ingest_paths(paths, progress=lambda _name: bar.update(1))
        print_errors(summary.errors)
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict()))
        else:
            for key, label in LABELS.items():
                self.stdout.write(f"{label:>34}: {getattr(summary, key)}")
        if summary.quarantined_messages or summary.quarantined_lines or summary.rejected_files:
            raise CommandError("Niet alles is verwerkt; zie de quarantaine.", returncode=1)
