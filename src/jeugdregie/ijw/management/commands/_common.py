"""Shared pieces of the iJw commands: printing errors as SYSTEM.md section 14 asks."""

import sys

from jeugdregie.ijw.errors import ValidationError

MAX_PRINTED_ERRORS = 200


def print_errors(errors: list[ValidationError], stream=None) -> None:
    """Each error on one line on stderr: file, message, element, rule and the reason."""
    stream = stream or sys.stderr
    for error in errors[:MAX_PRINTED_ERRORS]:
        where = f" (regel {error.line})" if error.line else ""
        stream.write(f"{error}{where}\n")
    if len(errors) > MAX_PRINTED_ERRORS:
        stream.write(
            f"... en nog {len(errors) - MAX_PRINTED_ERRORS} fouten (zie de quarantaine in het beheer)\n"
        )
