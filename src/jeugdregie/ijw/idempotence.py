"""Idempotence of the ingest: which files (SHA-256) and messages (sender, BerichtIdentificatie) are
stored already (SYSTEM.md section 5).

``KnownKeys`` is mixed into ``services.Ingester``. Of the files and message ids the current batch
names, it remembers which are stored (``_look_up``: one query each per 500 keys, by the unique
indexes) or stored by this batch (``_remember``); they are forgotten once the batch has committed
(they are in the database then) or rolled back (they are not), so the memory is bounded by the
batch, not by the delivery log. The unique constraints stay the backstop against another ingest
storing one meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router

from .ingest_claims import chunks
from .models import Aanlevering, Bericht


class KnownKeys:
    """The stored files and message ids the current batch asked about (see the module docstring)."""

    def _init_known(self) -> None:
        self._asked_files: set[str] = set()
        self._known_files: set[str] = set()
        self._asked_messages: set[tuple[str, str]] = set()
        self._known_messages: set[tuple[str, str]] = set()
        # The message ids stored by the file (or batch) being ingested, not committed yet.
        self._new_messages: list[tuple[str, str]] = []

    def _look_up(self, files: Iterable[str] = (), messages: Iterable[tuple[str, str]] = ()) -> None:
        """Which of ``files`` and ``messages`` not asked yet are stored: one query each per 500 keys,
        by the unique indexes (sha256; sender + identification)."""
        new_files = set(files) - self._asked_files
        if new_files:
            # Plain SQL, as for the message ids below: the ORM took longer to compile this query
            # (once a batch) than the database took to answer it.
            files_connection = connections[router.db_for_read(Aanlevering)]
            quote = files_connection.ops.quote_name
            files_table = quote(Aanlevering._meta.db_table)
            sha256 = quote(Aanlevering._meta.get_field("sha256").column)
            for chunk in chunks(sorted(new_files)):
                with files_connection.cursor() as cursor:
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"SELECT {sha256} FROM {files_table} WHERE {sha256} IN ({marks})", chunk)  # nosec B608
                    self._known_files.update(sha for (sha,) in cursor.fetchall())
        self._asked_files |= new_files
        new_messages = set(messages) - self._asked_messages
        connection = connections[router.db_for_read(Bericht)]
        table = connection.ops.quote_name(Bericht._meta.db_table)
        for pairs in chunks(sorted(new_messages)):
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # The pairs as two arrays joined to the table: a nested loop of probes of the
                    # unique index, planned at once; 100 OR terms took PostgreSQL 3x longer
                    # (measured on the scale-10 database: 3.3-4.4 ms against 1.3-1.4 ms).
                    cursor.execute(
                        f"SELECT b.afzender, b.identificatie FROM {table} b "  # nosec B608
                        "JOIN unnest(%s::text[], %s::text[]) AS k(afzender, identificatie) "
                        "ON b.afzender = k.afzender AND b.identificatie = k.identificatie",
                        [[a for a, _ in pairs], [i for _, i in pairs]],
                    )
                else:
                    # One exact pair per OR term, in plain SQL: each is one probe of the unique
                    # index; the grouped pairs_filter (AND identificatie IN) measured 3x slower on
                    # SQLite, and the ORM took longer to compile it than the database to answer.
                    where = " OR ".join(["(afzender = %s AND identificatie = %s)"] * len(pairs))
                    cursor.execute(
                        f"SELECT afzender, identificatie FROM {table} WHERE {where}",  # nosec B608
                        [value for pair in pairs for value in pair],
                    )
                self._known_messages.update(map(tuple, cursor.fetchall()))
        self._asked_messages |= new_messages

    def _file_known(self, sha: str) -> bool:
        if sha not in self._asked_files:  # not announced by the batch: asked on its own
            self._look_up(files=[sha])
        return sha in self._known_files

    def _message_known(self, afzender: str, identificatie: str) -> bool:
        key = (afzender, identificatie)
        if key not in self._asked_messages:
            self._look_up(messages=[key])
        return key in self._known_messages or key in self._new_messages

    def _remember(self, sha: str | None, messages: Iterable[tuple[str, str]]) -> None:
        """A file and messages that have just been stored (committed, or in the batch's transaction)."""
        if sha is not None:
            self._asked_files.add(sha)
            self._known_files.add(sha)
        self._asked_messages.update(messages)
        self._known_messages.update(messages)

    def _forget_messages(self) -> None:
        """Ask for the message ids again (another ingest may have stored one meanwhile)."""
        self._asked_messages, self._known_messages = set(), set()

    def _forget_known(self) -> None:
        """After a batch: committed, what it stored is in the database; rolled back, it is not."""
        self._asked_files, self._known_files = set(), set()
        self._forget_messages()
