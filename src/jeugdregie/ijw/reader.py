"""Streaming reader of iJw 3.2 messages (JW301, JW305, JW307, JW315, JW323).

One file holds one Bericht. The file is read with ``lxml.etree.iterparse`` (no DTD, no entity
resolution, no network, ``huge_tree`` off); the message type comes from the root namespace. For
JW323 every Prestatie is parsed and checked as soon as it ends and then cleared, so a claim with
many clients and lines is read in constant memory. The reader runs validation layers a, b and d
(see ``jeugdregie.ijw.validation``) and, given an ``XsdValidator``, layer c.

Speed (docs/performance.md): libxml2 parses, and checks the well-formedness of, the whole file,
but lxml's tag filter hands Python only the elements the reader acts on (Bericht, Header,
Clienten, Client, Prestatie). A valid claim line is read in one pass over its children
(``_quick_prestatie``); a line with any error is read again by the full path, which builds the
error locations (``_check_prestatie``). As the open elements are not tracked, a malformed file is
read a second time to say where it broke: the source must be seekable (a pipe is read into
memory first). A message of another type (small: one client) is parsed whole with ``fromstring``
instead (``run_whole``, the same checks; cheaper than ``iterparse``), and its tree is handed on in
``ReadResult.tree`` so that the rules inside one message and the XSD check it without a second
parse.

The reader returns the facts of ``jeugdregie.ijw.messages`` only: names, addresses and contact
data are never read. The BSN is returned as it is in the message (pseudonymise before storing);
a Bsn holding a ``P:<64 hex>`` marker (a redacted quarantined payload) is accepted as an already
pseudonymised client and skips the 11-proef.

Result: ``ReadResult.message`` is ``None`` when any message-level error was found; otherwise it
holds the message, for JW323 with only the accepted lines (line- and client-level errors are in
``ReadResult.errors`` too).

Modules: this one is the entry point (``read_file``, ``read_bytes``, ``read_message``; it picks
the reader and runs the XSD check); ``reader_base`` holds ``ReadResult`` and the checks shared by
every type; ``reader_whole`` reads JW301/305/307/315 parsed whole; ``reader_claims`` reads JW323
and holds the ``iterparse`` driver; ``reader_answers`` reads JW317/319/325.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

from jeugdregie.ijw import errors as E
from jeugdregie.ijw.reader_base import ReadResult
from jeugdregie.ijw.reader_claims import _Reader
from jeugdregie.ijw.validation import XsdValidator

__all__ = ["ReadResult", "Source", "read_bytes", "read_file", "read_message"]

Source = str | os.PathLike[str] | IO[bytes]

# The other types are small: parsed whole (``_Reader.run_whole``) up to this size, a claim always
# streamed (its namespace in the head of the file; else found at the root, and streamed then).
_WHOLE_MAX: Final = 1 << 20
_CLAIM_HEAD: Final = re.compile(rb"/jw323/schema")
_HEAD_BYTES: Final = 4096


def _name_of(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def _read(stream: IO[bytes], file: str, xsd: XsdValidator | None) -> ReadResult:
    seekable = getattr(stream, "seekable", None)
    if seekable is None or not seekable():  # a pipe or socket: held in memory once
        stream = io.BytesIO(stream.read())
    # JW317, JW319 and JW325 are read by their own module (which builds on this one).
    from jeugdregie.ijw.reader_answers import read_if_answer

    answer = read_if_answer(stream, file, xsd)
    if answer is not None:
        return answer
    start = stream.tell()
    data = stream.read(_WHOLE_MAX + 1)
    result = None
    if len(data) <= _WHOLE_MAX and _CLAIM_HEAD.search(data, 0, _HEAD_BYTES) is None:
        result = _Reader(file).run_whole(data)
    if result is None:
        stream.seek(start)
        result = _Reader(file).run(stream)
    if xsd is None or any(e.rule in (E.XML_MALFORMED, E.XML_NAMESPACE) for e in result.errors):
        return result
    if result.tree is not None:
        xsd_errors = xsd.validate_tree(result.tree, file)
    else:
        stream.seek(start)
        xsd_errors = xsd.validate_bytes(stream.read(), file)
    if xsd_errors:
        result.errors.extend(xsd_errors)
        result.message = None
        result.lines_rejected = result.lines_total
    return result


def read_file(source: Source, *, xsd: XsdValidator | None = None) -> Iterator[ReadResult]:
    """Read one iJw file (a path or a binary file object) and yield its ``ReadResult``.

    iJw puts one Bericht in a file, so this yields exactly one result; it is an iterator so that
    callers can treat files and future multi-message containers alike. With ``xsd`` the file is
    also validated against the official schemas (strict mode: any ``xsd`` error rejects the
    message; the file is then held in memory once). A file object that cannot seek (a pipe) is
    held in memory once too.
    """
    file = _name_of(source)
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as stream:
            yield _read(stream, file, xsd)
    else:
        yield _read(source, file, xsd)


def read_bytes(
    data: bytes, file: str = "<bytes>", *, xsd: XsdValidator | None = None
) -> Iterator[ReadResult]:
    """Read iJw data from memory (``file`` is the name used in errors); yields one result per
    Bericht, i.e. exactly one, like ``read_file``."""
    yield read_message(data, file, xsd=xsd)


def read_message(data: bytes, file: str = "<bytes>", *, xsd: XsdValidator | None = None) -> ReadResult:
    """Read the one iJw message in ``data`` and return its ``ReadResult`` directly."""
    return _read(io.BytesIO(data), file, xsd)
