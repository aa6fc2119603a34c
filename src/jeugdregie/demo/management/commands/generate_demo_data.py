"""`jeugdregie generate-demo-data OUT [--seed N] [--scale N] [--until YYYY-MM-DD]`.

Writes the demo region's iJw message traffic (SYSTEM.md section 4) to OUT: one zip archive per
month of delivery plus ``manifest.json`` (see ``jeugdregie.demo.generator``). Progress goes to
stderr, a short summary to stdout. Needs no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jeugdregie.demo.generator import MAX_SCALE, default_until, generate


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"geen geldige datum (JJJJ-MM-DD): {value}") from exc


def _n(value: int) -> str:
    """A count with Dutch thousands separators."""
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Genereert deterministische iJw-berichten (JW301, JW305, JW307, JW315, JW323) van de demoregio "
        "naar map OUT: een zip per maand van aanlevering en manifest.json."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out", metavar="OUT", help="doelmap (wordt aangemaakt; mag nog geen archieven bevatten)"
        )
        parser.add_argument("--seed", type=int, default=1, help="startwaarde van de toeval (standaard 1)")
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"aantal onafhankelijke kopieën van de regio (1-{MAX_SCALE}; 60 is ongeveer Nederland)",
        )
        parser.add_argument(
            "--until",
            type=_date,
            default=None,
            help="laatste dag met berichten (standaard: einde van de laatste volledige maand)",
        )

    def handle(
        self, *args: object, out: str, seed: int, scale: int, until: dt.date | None, **options: object
    ) -> None:
        if isinstance(until, str):  # call_command(..., until="2024-06-30") skips argparse's type
            try:
                until = _date(until)
            except argparse.ArgumentTypeError as exc:
                raise CommandError(f"--until: {exc}") from exc
        until = until or default_until()
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stderr.write(f"[{time.perf_counter() - started:7.1f}s] {message}")
            self.stderr.flush()

        progress(f"demodata genereren naar {out} (seed {seed}, scale {scale}, tot en met {until})")
        try:
            result = generate(out, seed=seed, scale=scale, until=until, progress=progress)
        except (ValueError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        for line in result.log:
            self.stderr.write(f"let op: {line}")
        m = result.messages
        per_kind = ", ".join(f"{kind} {_n(n)}" for kind, n in m.items())
        lines = result.claim_lines_debit + result.claim_lines_credit
        self.stdout.write(
            f"Klaar in {result.seconds:.1f} s: {_n(len(result.files))} archieven, {_n(result.total_messages)} "
            f"berichten ({per_kind}), {_n(lines)} declaratieregels ({_n(result.claim_lines_credit)} credit), "
            f"{_n(result.youths)} jeugdigen, {_n(result.allocations)} toewijzingen."
        )
        self.stdout.write(f"Manifest: {result.out / 'manifest.json'}")
