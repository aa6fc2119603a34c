"""Read-ahead of the ingest (issue 13): a worker process reads the next batch's files while the
main process applies the current batch to the database.

``ReadAhead`` yields the files of ``ingest_paths`` batch by batch, in the order of
``sources.iter_sources``, as ``ReadFile``: name, bytes, SHA-256 and, read by the worker, the
reader's results (``reader.read_bytes``) with the findings inside the message that
``Ingester._read_errors`` adds (the XSD with ``--xsd``, TR101/TR134 of ``conformance.check_tree``).
The lxml tree the reader keeps on ``ReadResult.tree`` cannot be pickled: the worker runs the
tree-based checks itself and hands on a ``CheckedResult`` (tree dropped, ``findings`` kept), which
``Ingester._read_errors`` returns as it is. The main process decides everything that needs the
database: whether a file (by the worker's SHA-256) or a message is stored already, the checks
against stored facts, the writes. The worker never touches the database.

Readers: ``JEUGDREGIE_INGEST_READERS`` (setting ``INGEST_READERS``) or ``Ingester(readers=...)``;
by default 1 when the machine has two or more cores and a second one is free now
(``cores.core_free_now``: no other process running), else 0. 0 reads in the main process, as before (only the SHA-256 is computed here,
once per file). More than one is taken as one: one reader stays ahead of the database work
(reading is about 35-40% of the in-process run).

A resumed ingest starts without the worker: while every file of a batch is stored already (the
main process asks the database, ``stored``), the batch is handed on unread, as the ingest skips
stored files without reading them; the worker starts at the first batch that holds a file not
stored, from the file after it. Before, the worker read and checked every stored file first: on
the scale-10 resume, 7 minutes for 1.69 million files.

The worker is bounded: it sends one batch through a pipe and blocks until the main process takes
it, so it is at most one batch ahead. A file the worker failed to read (an unexpected exception in
the reader) comes back unread and is read in the main process, where such a failure is handled as
before (the batch is redone per file, the file refused). An error in finding the files
(``FileNotFoundError``, a broken zip) is raised in the main process at the same point as before,
after the batches before it. Should the worker die (killed, out of memory), the main process sees
the pipe close, logs a warning in Dutch and reads the files it has not received yet itself: no
file is lost or read twice, and it never waits on a dead worker. Should the main process die, the
worker ends too (the pipe breaks; on Linux also the parent-death signal).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import os
import pickle  # nosec B403
import signal
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, fields
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jeugdregie.cores import configured_or_free

from .conformance import check_tree
from .conformance import parse as parse_message
from .errors import ValidationError
from .reader import ReadResult, read_bytes
from .reader_answers import ANSWER_KINDS
from .sources import iter_sources
from .validation import SUPPORTED_KINDS, XsdValidator

log = logging.getLogger(__name__)

READERS_ENV = "JEUGDREGIE_INGEST_READERS"

#: The types whose rules inside one message (``conformance.check_tree``) are applied at ingest.
IN_MESSAGE_RULE_KINDS = frozenset({"JW301", "JW305", "JW307", "JW315"})


def default_readers() -> int:
    """The number of reader processes: the setting ``INGEST_READERS`` or ``JEUGDREGIE_INGEST_READERS``
    when given, else 1 when a second core is free now (``cores.core_free_now``), else 0."""
    return configured_or_free("INGEST_READERS", READERS_ENV, alone=0, with_free_core=1)


def xsd_validator(xsd_dir: str | Path) -> XsdValidator:
    """The XSD check of the ingest: every type it reads."""
    return XsdValidator(xsd_dir, kinds=(*SUPPORTED_KINDS, *ANSWER_KINDS))


def read_errors(
    result: ReadResult, data: bytes, name: str, xsd: XsdValidator | None
) -> list[ValidationError]:
    """The reader's errors of a message, with the XSD's and, for the small single-client
    messages, TR101 and TR134 (``check_tree``; JW323 has its own, per line). Both check the
    reader's tree (``result.tree``); only a message the reader did not keep whole is parsed again."""
    errors = list(result.errors)
    tree = result.tree
    if xsd is not None and result.message is not None:
        errors.extend(xsd.validate(data, name) if tree is None else xsd.validate_tree(tree, name))
    if result.message is not None and result.kind in IN_MESSAGE_RULE_KINDS:
        errors.extend(check_tree(parse_message(data) if tree is None else tree, name, ingest_only=True))
    return errors


@dataclass
class CheckedResult(ReadResult):
    """A ``ReadResult`` read by the worker: no tree, and ``findings`` = ``read_errors`` of it."""

    findings: list[ValidationError] = field(default_factory=list)


@dataclass
class ReadFile:
    """One file of a batch. ``results`` None: not read yet (the main process reads it)."""

    name: str
    data: bytes
    sha: str
    results: list[ReadResult] | None = None


def prepare(name: str, data: bytes, xsd: XsdValidator | None) -> ReadFile:
    """What the worker computes of one file (see the module docstring)."""
    sha = hashlib.sha256(data).hexdigest()
    checked: list[ReadResult] = []
    try:
        for result in read_bytes(data, name):
            findings = read_errors(result, data, name, xsd)
            values = {f.name: getattr(result, f.name) for f in fields(result)}
            checked.append(CheckedResult(**{**values, "tree": None}, findings=findings))
    except Exception:  # noqa: BLE001 - read again in the main process, which handles it as before
        return ReadFile(name, data, sha)
    return ReadFile(name, data, sha, checked)


@dataclass
class _Failed:
    """Finding the files failed (the worker's exception, raised in the main process)."""

    error: BaseException


def _picklable(exc: BaseException) -> BaseException:
    """The worker's exception if it goes through the pipe (pickled, as every message), else its text."""
    try:
        pickle.loads(pickle.dumps(exc))  # nosec B301
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _detach(parent: int) -> None:
    """In the worker: Ctrl-C and SIGTERM are the main process's to handle (it ends the worker),
    and the worker dies with the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - then the broken pipe ends it
            pass
    if os.getppid() != parent:  # the main process ended before the signal was set
        os._exit(0)


def _work(
    paths: list[str | Path],
    batch_size: int,
    xsd_dir: str | Path | None,
    receiving: Connection,
    sending: Connection,
    parent: int,
    skip: int = 0,
) -> None:
    """The worker: the files after the first ``skip`` batch by batch, each sent as a list of
    ``ReadFile``; then None."""
    receiving.close()  # the main process's end: with it closed here, its death breaks the pipe
    _detach(parent)
    xsd = xsd_validator(xsd_dir) if xsd_dir else None
    sources = itertools.islice(iter_sources(paths), skip, None)
    try:
        while True:
            try:
                batch = list(itertools.islice(sources, batch_size))
            except Exception as exc:  # noqa: BLE001 - raised in the main process, at the same point
                sending.send(_Failed(_picklable(exc)))
                return
            if not batch:
                break
            sending.send([prepare(name, data, xsd) for name, data in batch])
        sending.send(None)
    except (BrokenPipeError, ConnectionResetError):  # the main process is gone
        return
    finally:
        sending.close()


class _WorkerDied(Exception):
    """The worker is gone without sending its next message."""


class ReadAhead:
    """The files of an ingest in batches of ``ReadFile`` (see the module docstring). Use as a
    context manager: leaving it ends the worker."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        batch_size: int,
        *,
        xsd_dir: str | Path | None = None,
        readers: int = 0,
        stored: Callable[[list[ReadFile]], bool] | None = None,
    ) -> None:
        """``stored``: whether every file of a batch (by its SHA-256) is stored already; the worker
        is started only after the batches for which it says so (see the module docstring)."""
        self.paths = list(paths)
        self.stored = stored
        self.batch_size = batch_size
        self.xsd_dir = xsd_dir
        self.readers = min(1, max(0, readers))
        self.fell_back = False  # the worker died and the main process read the rest
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receiving: Connection | None = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[list[ReadFile]]:
        if self.readers == 0:
            yield from self._in_process(0)
            return
        received = 0
        first_new: list[ReadFile] | None = None  # the first batch not stored whole, read here
        if self.stored is not None:
            unread = self._in_process(0)
            for batch in unread:
                received += len(batch)
                if not self.stored(batch):
                    first_new = batch
                    break
                yield batch
            unread.close()
            if first_new is None:  # every file stored: nothing to read ahead
                return
        try:
            self._start(received)
        except OSError as exc:  # no process to be had (a limit on processes or memory)
            log.warning(
                "Geen leesproces voor de ingest gestart (%s); de bestanden worden in het hoofdproces gelezen.",
                exc,
            )
            self.fell_back = True
            if first_new is not None:
                yield first_new
            yield from self._in_process(received)
            return
        if first_new is not None:  # read in this process while the worker reads the next batch
            yield first_new
        while True:
            try:
                item = self._receive()
            except _WorkerDied:
                code = None
                if self._process is not None:
                    self._process.join(timeout=1)
                    code = self._process.exitcode
                log.warning(
                    "Het leesproces van de ingest is onverwacht gestopt (exitcode %s); de overige "
                    "bestanden worden in het hoofdproces gelezen, vanaf bestand %d.",
                    code,
                    received + 1,
                )
                self.close()
                self.fell_back = True
                yield from self._in_process(received)
                return
            if item is None:
                self.close()
                return
            if isinstance(item, _Failed):
                self.close()
                raise item.error
            received += len(item)
            yield item

    def _in_process(self, skip: int) -> Generator[list[ReadFile], None, None]:
        """The files read in this process (``results`` left to the ingest), after the first ``skip``."""
        sources = itertools.islice(iter_sources(self.paths), skip, None)
        while batch := list(itertools.islice(sources, self.batch_size)):
            yield [ReadFile(name, data, hashlib.sha256(data).hexdigest()) for name, data in batch]

    def _start(self, skip: int = 0) -> None:
        # fork where there is one (Linux): no second import of the reader, no Django set up again;
        # the worker uses none of the inherited state but the reader's modules.
        methods = multiprocessing.get_all_start_methods()
        context: Any = multiprocessing.get_context(
            "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"
        )
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(
            target=_work,
            args=(self.paths, self.batch_size, self.xsd_dir, receiving, sending, os.getpid(), skip),
            name="jeugdregie-ingest-lezer",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            receiving.close()
            sending.close()
            raise
        sending.close()  # only the worker writes: its end closing is the end of the pipe
        self._process, self._receiving = process, receiving

    def _receive(self) -> list[ReadFile] | _Failed | None:
        """The worker's next message; ``_WorkerDied`` once it is gone without sending one."""
        assert self._receiving is not None and self._process is not None
        while True:
            try:
                if self._receiving.poll(0.5):
                    return self._receiving.recv()
            except (EOFError, OSError) as exc:
                raise _WorkerDied from exc
            if not self._process.is_alive():
                try:  # what it sent just before it ended
                    if self._receiving.poll(0):
                        return self._receiving.recv()
                except (EOFError, OSError):
                    pass
                raise _WorkerDied

    def close(self) -> None:
        """End the worker (at once if it is not done) and close the pipe. Idempotent."""
        receiving, process = self._receiving, self._process
        self._receiving = self._process = None
        if receiving is not None:
            receiving.close()
        if process is not None:
            process.join(timeout=1)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            if process.is_alive():  # pragma: no cover
                process.kill()
                process.join()
            process.close()
