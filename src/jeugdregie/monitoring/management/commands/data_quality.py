import json

from django.core.management.base import BaseCommand, CommandError

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.dataquality import data_quality_report
from jeugdregie.monitoring.services import format_value
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.dataquality import Thresholds, format_euro

DEFAULTS = Thresholds()


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Controles op datakwaliteit (issue 5) voor een jaar: meerdere korte trajecten, declaraties buiten "
        "de toewijzing of na een stopmelding, toewijzingen die nooit gestart zijn; iJw-regels die als bevinding "
        "worden gemeld (TR318, TR321, TR322, TR387/388, TR389, TR056); afgewezen declaraties en "
        "wijzigingsverzoeken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--municipality", metavar="CBS-CODE")
        parser.add_argument("--provider", metavar="AGB")
        parser.add_argument("--json", action="store_true", dest="as_json", help="alles als één JSON-document")
        parser.add_argument(
            "--limit",
            type=int,
            default=10,
            metavar="N",
            help="toon per controle de eerste N bevindingen (10)",
        )
        parser.add_argument(
            "--short-count",
            type=_positive,
            default=DEFAULTS.short_min_count,
            metavar="N",
            help=f"korte trajecten: minstens N toewijzingen ({DEFAULTS.short_min_count})",
        )
        parser.add_argument(
            "--short-days",
            type=_positive,
            default=DEFAULTS.short_max_days,
            metavar="M",
            help=f"korte trajecten: elk korter dan M dagen ({DEFAULTS.short_max_days})",
        )
        parser.add_argument(
            "--short-window",
            type=_positive,
            default=DEFAULTS.short_window_days,
            metavar="DAGEN",
            help=f"korte trajecten: gestart binnen zoveel dagen ({DEFAULTS.short_window_days})",
        )
        parser.add_argument(
            "--not-started-days",
            type=_positive,
            default=DEFAULTS.not_started_days,
            metavar="G",
            help=f"nooit gestart: ingangsdatum meer dan G dagen voor de peildatum ({DEFAULTS.not_started_days})",
        )

    def handle(self, *args, year, municipality, provider, as_json, limit, **options):
        if municipality and not Gemeente.objects.filter(cbs_code=municipality).exists():
            raise CommandError(f"Onbekende gemeente: {municipality}")
        if provider and not Aanbieder.objects.filter(agb_code=provider).exists():
            raise CommandError(f"Onbekende aanbieder: {provider}")
        if limit < 0:
            raise CommandError("--limit kan niet negatief zijn.")
        thresholds = Thresholds(
            short_min_count=options["short_count"],
            short_max_days=options["short_days"],
            short_window_days=options["short_window"],
            not_started_days=options["not_started_days"],
        )
        report = data_quality_report(year, gemeente=municipality, aanbieder=provider, thresholds=thresholds)
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        scope = (
            " ".join(
                part
                for part in (
                    f"gemeente {municipality}" if municipality else "",
                    f"aanbieder {provider}" if provider else "",
                )
                if part
            )
            or "regio"
        )
        self.stdout.write(f"Datakwaliteit {year} ({scope}), gegevens tot en met {report['as_of']}")
        for check in report["checks"]:
            self._check(check, check["label"], limit, product=True)
        self.stdout.write("")
        self.stdout.write("iJw-regels die als bevinding worden gemeld (niet geweigerd)")
        for check in report["ijw_regels"]:
            self._check(
                check, f"{check['tr']} / {check['retourcode']} {check['label']}", limit, product=False
            )
        self._answers(report["antwoorden"])

    def _check(self, check, title, limit, *, product):
        """One check of the report: its totals, definition and first `limit` findings. The iJw rules
        name no product, and a finding without a client (TR318, TR056) names none."""
        clients = "" if check["clients"] is None else f"{check['clients']} cliënt(en), "
        self._section(
            f"{title} [{check['severity']}]: {check['count']} bevinding(en), {clients}"
            f"bedrag {format_euro(check['bedrag_cent'])}",
            [f"  {check['definition']}"],
        )
        for f in check["findings"][:limit]:
            nummers = ", ".join(n for n in f["toewijzingnummers"] if n) or "-"
            who = f", cliënt {f['client']}…" if f["client"] else ""
            what = f", product {f['product']}" if product else ""
            self.stdout.write(
                f"  - gemeente {f['gemeente']}, aanbieder {f['aanbieder']}{who}, toewijzing {nummers}{what}: "
                f"{f['uitleg']}"
            )
        hidden = check["count"] - min(limit, check["count"])
        if hidden:
            self.stdout.write(f"  … en nog {hidden}; toon meer met --limit of alles met --json.")

    def _section(self, heading, lines):
        """A blank line, the heading and its lines."""
        self.stdout.write("")
        self.stdout.write(heading)
        for line in lines:
            self.stdout.write(line)

    def _answers(self, answers):
        def share(value):
            return format_value(value, "fractie")

        rejected = answers["afwijzingen"]
        total = rejected["totaal"]
        self._section(
            f"Afgewezen declaratieregels (JW325): {total['afgewezen_regels']} van {total['regels']} regels, "
            f"{format_euro(total['afgewezen_cent'])} van {format_euro(total['ingediend_cent'])} "
            f"(afgewezen aandeel {share(total['aandeel'])})",
            [
                f"  - aanbieder {row['aanbieder']}: {row['afgewezen_regels']} van {row['regels']} regels, "
                f"{format_euro(row['afgewezen_cent'])} van {format_euro(row['ingediend_cent'])} ({share(row['aandeel'])})"
                for row in rejected["per_aanbieder"]
            ]
            + [
                f"  - retourcode {row['retourcode']}{' (' + row['tr'] + ')' if row['tr'] else ''} {row['betekenis']} "
                f"{row['afgewezen_regels']} regel(s), {format_euro(row['afgewezen_cent'])} "
                f"({share(row['aandeel'])} van het ingediende bedrag)"
                for row in rejected["per_retourcode"]
            ],
        )
        requests = answers["verzoeken"]
        total = requests["totaal"]
        self._section(
            f"Wijzigingsverzoeken (JW317/JW319): {total['ingediend']} ingediend; {total['beslist']} beslist: "
            f"{total['toegekend']} toegekend, {total['afgewezen']} afgewezen (toegekend {share(total['aandeel_toegekend'])}, "
            f"mediaan {format_value(total['mediaan_dagen'], 'dagen')} dagen tot beslissing)",
            [
                f"  - aanbieder {row['aanbieder']}: {row['ingediend']} ingediend, {row['beslist']} beslist, "
                f"{row['toegekend']} toegekend, {row['afgewezen']} afgewezen ({share(row['aandeel_toegekend'])}), "
                f"mediaan {format_value(row['mediaan_dagen'], 'dagen')} dagen"
                for row in requests["per_aanbieder"]
            ],
        )
