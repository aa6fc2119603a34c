"""`jeugdregie report --tertial YYYY-T[1-3] [--provider AGB | --municipality CODE] --out FILE.pdf`"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.rapportage.data import ReportError, build_report, parse_tertial


class Command(BaseCommand):
    help = "Tertiaalrapportage als PDF voor de regio, een aanbieder of een gemeente."

    def add_arguments(self, parser):
        parser.add_argument("--tertial", required=True, help="JJJJ-T1, JJJJ-T2 of JJJJ-T3")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--provider", help="AGB-code: de versie voor een aanbieder")
        group.add_argument("--municipality", help="CBS-code: de versie voor een gemeente (naast de regio)")
        parser.add_argument("--out", required=True, help="PDF-bestand")
        parser.add_argument("--html", action="store_true", help="schrijf HTML in plaats van PDF")

    def handle(self, *args, **options):
        from jeugdregie.rapportage.pdf import report_html, report_pdf

        try:
            year, t = parse_tertial(options["tertial"])
            report = build_report(year, t, aanbieder=options["provider"], gemeente=options["municipality"])
        except ReportError as error:
            raise CommandError(str(error)) from error
        out = Path(options["out"])
        try:
            if options["html"]:
                out.write_text(report_html(report), encoding="utf-8")
            else:
                out.write_bytes(report_pdf(report))
        except (OSError, RuntimeError) as error:
            raise CommandError(f"{out}: {error}") from error
        self.stdout.write(f"Tertiaalrapportage {report.label} voor {report.subject} geschreven naar {out}\n")
