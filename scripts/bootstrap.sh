#!/usr/bin/env bash
# Zet de ontwikkelomgeving klaar in .venv (Python 3.11) uit requirements/lock.txt.
# Sets up the development environment in .venv (Python 3.11) from requirements/lock.txt.
#
# Idempotent: re-installs only when requirements/lock.txt or pyproject.toml changed (a stamp
# file in .venv holds their sha256). When nothing changed it returns in well under a second.
#
# Environment:
#   PYTHON   interpreter to create .venv with (default: first Python 3.11 found on PATH)
#   VENV     location of the virtual environment (default: .venv in the project root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-$ROOT/.venv}"
LOCK="requirements/lock.txt"
STAMP="$VENV/.jeugdregie-bootstrap.sha256"

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: FOUT / ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f "$LOCK" ]] || die "$LOCK ontbreekt / is missing (run: make lock)"

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [[ -n "$candidate" ]] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if is_py311 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

want_stamp() {
    # sha256 of the inputs that decide what is installed, plus the venv's Python version.
    local py_version
    py_version="$("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo none)"
    {
        sha256sum "$LOCK" pyproject.toml
        echo "python $py_version"
    } | sha256sum | cut -d' ' -f1
}

# Fast path: a working 3.11 venv whose stamp matches the current lock file and pyproject.toml.
up_to_date() {
    [[ -x "$VENV/bin/python" && -f "$STAMP" ]] && is_py311 "$VENV/bin/python" \
        && [[ "$(cat "$STAMP")" == "$(want_stamp)" ]]
}
if up_to_date; then
    say "up to date ($VENV)"
    exit 0
fi

# Serialise concurrent bootstraps (e.g. two make targets started at once), then look again:
# another bootstrap may have finished while this one waited.
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV.lock"
    flock 9
    if up_to_date; then
        say "up to date ($VENV)"
        exit 0
    fi
fi

if [[ -x "$VENV/bin/python" ]] && ! is_py311 "$VENV/bin/python"; then
    say "existing $VENV is not a working Python 3.11 environment: recreating it"
    rm -rf "$VENV"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    if ! PY="$(find_python)"; then
        cat >&2 <<'MSG'
bootstrap: FOUT: Python 3.11 is niet gevonden. Jeugdregie heeft Python 3.11 nodig.
           Installeer Python 3.11 (bijvoorbeeld via pyenv of het pakket python3.11)
           of wijs er een aan met PYTHON=/pad/naar/python3.11.
bootstrap: ERROR: Python 3.11 was not found. Jeugdregie requires Python 3.11.
           Install Python 3.11 (for example with pyenv or the python3.11 package)
           or point to one with PYTHON=/path/to/python3.11.
MSG
        exit 1
    fi
    say "creating $VENV with $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
    "$PY" -m venv "$VENV"
fi

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

# Run a command with its output captured; show the output only when it fails.
quiet() {
    if ! "$@" >"$LOG" 2>&1; then
        cat "$LOG" >&2
        die "command failed: $*"
    fi
}

PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input)

say "installing pinned dependencies from $LOCK (hash-checked) ..."
start=$SECONDS
quiet "${PIP[@]}" install --require-hashes --no-deps -r "$LOCK"
say "installing jeugdregie (editable, no dependencies) ..."
quiet "${PIP[@]}" install --no-deps --no-build-isolation -e .
if ! "${PIP[@]}" check >"$LOG" 2>&1; then
    cat "$LOG" >&2
    die "$LOCK does not satisfy pyproject.toml / past niet bij pyproject.toml: run 'make lock'"
fi

want_stamp >"$STAMP"
say "done in $((SECONDS - start))s ($VENV)"
