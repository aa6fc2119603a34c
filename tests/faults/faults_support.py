"""Helpers of the fault tests: a small generated run, scratch databases outside the test database,
`jeugdregie ingest` as a real subprocess, and the database state by natural keys.

The ingest runs as the command a user runs, in its own process, against its own scratch database
(a SQLite file, or a PostgreSQL database `jr_scale_*` created from a template), so that it can be
killed, run twice at once or cut off from its database while the test watches from outside.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.db import models

REPO_ROOT = Path(__file__).resolve().parents[2]
JEUGDREGIE = [sys.executable, "-m", "jeugdregie.cli"]

#: The slice of the demo traffic the fault tests ingest: every message of one municipality of the
#: region (claims, answers, starts and stops all name their municipality, so the slice is whole).
SLICE_UNTIL = "2021-03-31"
SLICE_GEMEENTE = "0893"

_PARTY = re.compile(rb"<(?:\w+:)?(Afzender|Ontvanger)>(\d+)</")


def municipality_of(data: bytes) -> str:
    """The municipality of a message: the sender or receiver with a 4-digit (CBS) code."""
    parties = dict(_PARTY.findall(data[:4000]))
    return next(code.decode() for code in parties.values() if len(code) == 4)


def make_slice(generated: Path, out: Path, gemeente: str = SLICE_GEMEENTE) -> int:
    """Copy the messages of one municipality from the generated monthly zips into ``out`` (same
    archive and entry names), and add one file that is not XML (it must land in the quarantine
    whole). Returns the number of files (zip entries) written."""
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    for archive in sorted(generated.glob("*.zip")):
        with zipfile.ZipFile(archive) as source:
            entries = [(i.filename, source.read(i)) for i in source.infolist()]
        kept = [(name, data) for name, data in entries if municipality_of(data) == gemeente]
        if kept:
            with zipfile.ZipFile(out / archive.name, "w", zipfile.ZIP_DEFLATED) as target:
                for name, data in kept:
                    target.writestr(name, data)
            files += len(kept)
    (out / "zz_afgebroken.xml").write_bytes(b"<?xml version='1.0'?><Bericht><Header><Berich")
    return files + 1


# ---------------------------------------------------------------- scratch databases


def postgres_admin_url() -> str | None:
    """The PostgreSQL server of the test run, if the suite runs on PostgreSQL (DATABASE_URL)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@dataclass
class Scratch:
    """One scratch database: a SQLite file or a PostgreSQL database."""

    url: str
    vendor: str
    path: Path | None = None  # SQLite
    name: str | None = None  # PostgreSQL

    @property
    def env(self) -> dict[str, str]:
        # No screen cache: these runs compare database state, and would otherwise precompute the
        # screens at the end of every ingest into the shared var/cache.
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "jeugdregie.settings",
            "JEUGDREGIE_SCREEN_CACHE": "off",
        }

    def connect(self):
        if self.vendor == "sqlite":
            assert self.path is not None
            return sqlite3.connect(self.path, timeout=30)
        import psycopg

        return psycopg.connect(_psycopg_dsn(self.url), autocommit=True)

    def drop(self) -> None:
        if self.vendor == "sqlite":
            assert self.path is not None
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            _pg_admin(self.url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _psycopg_dsn(url: str) -> str:
    cfg = dj_database_url.parse(url)
    return (
        f"host={cfg['HOST'] or '127.0.0.1'} port={cfg['PORT'] or 5432} user={cfg['USER'] or 'postgres'} "
        f"dbname={cfg['NAME']}" + (f" password={cfg['PASSWORD']}" if cfg.get("PASSWORD") else "")
    )


def _with_db(url: str, name: str) -> str:
    """The same server URL with another database name (any query string dropped)."""
    return url.split("?", 1)[0].rsplit("/", 1)[0] + "/" + name


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_dsn(_with_db(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)


def prepared_template(workdir: Path) -> Scratch:
    """A database with the schema and the demo region (parties, products), made once per session
    by a separate process; copied for every run (a file copy, or CREATE DATABASE ... TEMPLATE)."""
    admin = postgres_admin_url()
    if admin is None:
        scratch = Scratch(
            f"sqlite:///{workdir / 'template.sqlite3'}", "sqlite", path=workdir / "template.sqlite3"
        )
    else:
        name = f"jr_scale_tpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(admin, f'CREATE DATABASE "{name}"')
        scratch = Scratch(_with_db(admin, name), "postgresql", name=name)
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from jeugdregie.demo.loader import load_demo_region\n"
        "load_demo_region(users=False)\n"
    )
    subprocess.run([sys.executable, "-c", script], env=scratch.env, check=True, cwd=REPO_ROOT, timeout=300)
    if scratch.vendor == "sqlite":
        with sqlite3.connect(scratch.path) as conn:  # fold the WAL into the file before copying it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return scratch


def copy_of(template: Scratch, workdir: Path, label: str) -> Scratch:
    if template.vendor == "sqlite":
        assert template.path is not None
        path = workdir / f"{label}.sqlite3"
        shutil.copyfile(template.path, path)
        return Scratch(f"sqlite:///{path}", "sqlite", path=path)
    name = f"jr_scale_{label}_{uuid.uuid4().hex[:6]}"
    _pg_admin(template.url, f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"')
    return Scratch(_with_db(template.url, name), "postgresql", name=name)


# ---------------------------------------------------------------- the ingest as a process


#: `jeugdregie` signalling itself at its K-th SQL statement ("K" for SIGKILL, "K:SIGTERM"; 0 only
#: counts them, on the line starting with STATEMENTS_LINE); see the script.
KILL_AT_STATEMENT = [sys.executable, str(Path(__file__).with_name("kill_at_statement.py"))]


def start_ingest(
    db: Scratch, folder: Path, *extra: str, kill_at_statement: int | str | None = None
) -> subprocess.Popen:
    command = JEUGDREGIE if kill_at_statement is None else [*KILL_AT_STATEMENT, str(kill_at_statement)]
    return subprocess.Popen(
        [*command, "ingest", str(folder), "--json", "--no-progress", *extra],
        env=db.env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_ingest(
    db: Scratch, folder: Path, *extra: str, timeout: float = 300, kill_at_statement: int | str | None = None
) -> Finished:
    started = time.perf_counter()
    proc = start_ingest(db, folder, *extra, kill_at_statement=kill_at_statement)
    out, err = proc.communicate(timeout=timeout)
    return Finished(proc.returncode, out.decode(), err.decode(), time.perf_counter() - started)


def committed_files(db: Scratch) -> int:
    """Deliveries committed so far, read from outside the ingest process."""
    conn = db.connect()
    try:
        return conn.execute("SELECT count(*) FROM ijw_aanlevering").fetchone()[0]
    except Exception:  # noqa: BLE001 - the table may be locked for a moment; count as unknown
        return -1
    finally:
        conn.close()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


# ---------------------------------------------------------------- the state by natural keys


def _state_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("jeugdregie.") and not m._meta.proxy and m._meta.managed
    ]


def _normalise(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def database_state(db: Scratch) -> dict[str, collections.Counter]:
    """Every table of the project's apps as a multiset of rows, each row with its primary key and
    timestamps left out and every foreign key replaced by the row it points to (recursively): the
    state by natural keys, comparable between two databases whose ids differ."""
    conn = db.connect()
    try:
        raw: dict[str, dict[Any, dict[str, Any]]] = {}
        for model in _state_models():
            meta = model._meta
            columns = [f.column for f in meta.concrete_fields]
            rows = conn.execute(f'SELECT {", ".join(columns)} FROM "{meta.db_table}"').fetchall()
            raw[meta.db_table] = {
                row[columns.index(meta.pk.column)]: dict(zip(columns, map(_normalise, row), strict=True))
                for row in rows
            }
    finally:
        conn.close()

    memo: dict[tuple[str, Any], tuple] = {}

    def canonical(model: type[models.Model], pk: Any) -> tuple:
        key = (model._meta.db_table, pk)
        if key not in memo:
            memo[key] = ()  # guards a cycle; none is expected
            row = raw[model._meta.db_table][pk]
            items = []
            for f in model._meta.concrete_fields:
                if f.primary_key or isinstance(f, models.DateTimeField):
                    continue
                value = row[f.column]
                if f.is_relation and value is not None:
                    value = canonical(f.related_model, value)
                items.append((f.name, value))
            memo[key] = tuple(items)
        return memo[key]

    return {
        model._meta.db_table: collections.Counter(canonical(model, pk) for pk in raw[model._meta.db_table])
        for model in _state_models()
    }


def state_differences(a: dict[str, collections.Counter], b: dict[str, collections.Counter]) -> dict[str, str]:
    """Per differing table: how many rows only one side has."""
    found = {}
    for table in sorted(set(a) | set(b)):
        left, right = a.get(table, collections.Counter()), b.get(table, collections.Counter())
        if left != right:
            found[table] = (
                f"{sum((left - right).values())} rijen alleen links, {sum((right - left).values())} alleen rechts"
            )
    return found


def row_counts(state: dict[str, collections.Counter]) -> dict[str, int]:
    return {table: sum(rows.values()) for table, rows in state.items() if rows}
