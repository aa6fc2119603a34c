"""Runs a `jeugdregie` command that signals itself (SIGKILL, or another) at its K-th SQL statement.

    python kill_at_statement.py K[:SIGNAL] ingest FOLDER ...      e.g. 120, 120:SIGTERM

A kill from outside after some committed files raced the ingest: the fault slice takes about a
third of a second once Django has started, so on a busy machine the run was often over before
the test process was scheduled again. Counting statements puts the kill at a chosen point inside
the work, also inside a transaction, whatever the machine's load. K = 0 kills nothing and prints
the number of statements the command ran to stderr, so a test can draw K from the whole run.
(COPY on PostgreSQL does not pass through the wrapper; the kill lands at the next statement.)
"""

from __future__ import annotations

import atexit
import os
import signal
import sys

STATEMENTS_LINE = "statements:"  # what faults_support reads the count after


def main() -> None:
    at, _, name = sys.argv[1].partition(":")
    kill_at, sent, argv = int(at), signal.Signals[name or "SIGKILL"], sys.argv[2:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")
    from django.db.backends.signals import connection_created

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), sent)  # SIGKILL ends here; a handled signal at the next bytecode
        return execute(sql, params, many, context)

    def wrap(sender, connection, **kwargs) -> None:
        connection.execute_wrappers.append(counting)

    connection_created.connect(wrap, weak=False)
    if kill_at == 0:
        atexit.register(lambda: sys.stderr.write(f"{STATEMENTS_LINE} {count}\n"))
    from jeugdregie.cli import main as jeugdregie

    jeugdregie(argv)


if __name__ == "__main__":
    main()
