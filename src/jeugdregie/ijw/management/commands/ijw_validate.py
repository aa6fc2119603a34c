from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.ijw.conformance import validate_sources
from jeugdregie.ijw.services import iter_sources

from ._common import print_errors


class Command(BaseCommand):
    help = (
        "Controleert iJw 3.2-berichten van elk type (bestanden, mappen, zipbestanden) zonder ze in te "
        "lezen: per bestand het gevonden berichttype en elke gebroken regel (met TR-code en retourcode)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--xsd-dir", help="map met de officiële iJw 3.2 XSD's voor strikte validatie")

    def handle(self, *args, paths, xsd_dir, **options):
        count = 0
        errors = []
        kinds: Counter[str] = Counter()
        try:
            for result in validate_sources(iter_sources(paths), xsd_dir=xsd_dir):
                count += 1
                kind = result.kind or "onbekend type"
                kinds[kind] += 1
                verdict = "geldig" if not result.errors else f"{len(result.errors)} fouten"
                self.stdout.write(f"{result.file}: {kind}: {verdict}")
                errors.extend(result.errors)
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        print_errors(errors)
        per_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        self.stdout.write(f"{count} berichten gecontroleerd ({per_kind}), {len(errors)} fouten.")
        if errors:
            raise CommandError("Niet alle berichten zijn geldig.", returncode=1)
