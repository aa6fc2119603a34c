import json
import signal
import sys
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jeugdregie.ijw.services import FILES_PER_TRANSACTION, DatabaseUnavailable, Ingester, count_sources

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


class Stopped(BaseException):
    """SIGTERM (``kill``, a service manager stopping the job) or Ctrl-C during the ingest. A
    BaseException, as KeyboardInterrupt, so that no ``except Exception`` on the way takes it for a
    bad file: the transaction in progress rolls back and the command says so in Dutch."""


def _stop(signum: int, _frame) -> None:
    raise Stopped(signal.Signals(signum).name)


class Command(BaseCommand):
    help = "Leest iJw-berichten in (bestanden, mappen, zipbestanden). Idempotent; afgekeurde berichten gaan naar de quarantaine."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--xsd-dir", help="map met de officiële iJw 3.2 XSD's voor strikte validatie")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="samenvatting als JSON op stdout"
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--files-per-transaction",
            type=int,
            default=FILES_PER_TRANSACTION,
            help=f"bestanden per transactie; een bestand landt heel of niet (standaard {FILES_PER_TRANSACTION})",
        )
        parser.add_argument(
            "--no-precompute",
            action="store_true",
            help="de cijfers van de schermen na afloop niet vooraf berekenen (zie 'jeugdregie precompute')",
        )

    def handle(
        self, *args, paths, xsd_dir, as_json, no_progress, files_per_transaction, no_precompute, **options
    ):
        try:
            total = count_sources(paths)
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        show = not no_progress and not as_json and sys.stderr.isatty()
        done = 0

        def advance(_name: str) -> None:
            nonlocal done
            done += 1
            bar.update(1)

        # Only the main thread may set a handler (call_command from a thread keeps the default).
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _stop) if main else None
        try:
            ingester = Ingester(xsd_dir=xsd_dir, files_per_transaction=files_per_transaction)
            with tqdm(total=total, unit="bestand", desc="Inlezen", disable=not show, file=sys.stderr) as bar:
                summary = ingester.ingest_paths(paths, progress=advance)
        except (Stopped, KeyboardInterrupt) as exc:
            how = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else str(exc)
            raise CommandError(
                f"Inlezen gestopt ({how}) na {done} van {total} bestanden. Wat al verwerkt was, is "
                "bewaard; van de bestanden die bezig waren is niets opgeslagen. Start dezelfde opdracht "
                "opnieuw om verder te gaan: al ingelezen bestanden worden herkend en overgeslagen.",
                returncode=130 if isinstance(exc, KeyboardInterrupt) else 143,
            ) from None
        except DatabaseUnavailable as exc:
            # Each file commits whole or not at all, so what was done stays and the file in progress
            # left nothing behind: running the same command again resumes.
            raise CommandError(
                f"De verbinding met de database is verbroken na {done} van {total} bestanden "
                f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else '-'}). "
                "Wat al verwerkt was, is bewaard; van het bestand dat bezig was is niets opgeslagen. "
                "Start dezelfde opdracht opnieuw zodra de database er weer is: hij gaat verder waar hij was.",
                returncode=2,
            ) from exc
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
        print_errors(summary.errors)
        if not no_precompute and (summary.accepted_messages or summary.reprocessed):
            # Once per run, not per file: the screens' first visit finds its figures ready.
            try:
                call_command("precompute", stdout=sys.stderr if as_json else self.stdout)
            except Exception as exc:  # noqa: BLE001 - the ingest stands; the screens then compute on first visit
                self.stderr.write(f"Vooraf berekenen van de schermen mislukt ({type(exc).__name__}: {exc}).")
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict()))
        else:
            for key, label in LABELS.items():
                self.stdout.write(f"{label:>34}: {getattr(summary, key)}")
        if summary.quarantined_messages or summary.quarantined_lines or summary.rejected_files:
            raise CommandError("Niet alles is verwerkt; zie de quarantaine.", returncode=1)
