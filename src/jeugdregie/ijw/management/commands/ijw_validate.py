from django.core.management.base import BaseCommand, CommandError

from jeugdregie.ijw.services import validate_paths

from ._common import print_errors


class Command(BaseCommand):
    help = "Controleert iJw-berichten (bestanden, mappen, zipbestanden) zonder ze in te lezen."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--xsd-dir", help="map met de officiële iJw 3.2 XSD's voor strikte validatie")

    def handle(self, *args, paths, xsd_dir, **options):
        try:
            count, errors = validate_paths(paths, xsd_dir=xsd_dir)
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        print_errors(errors)
        self.stdout.write(f"{count} berichten gecontroleerd, {len(errors)} fouten.")
        if errors:
            raise CommandError("Niet alle berichten zijn geldig.", returncode=1)
