"""Shared, once per session: the slice of demo traffic, the template database and the state of an
uninterrupted ingest of the slice (the reference every fault run must end in)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from faults_support import (
    SLICE_UNTIL,
    Scratch,
    copy_of,
    database_state,
    make_slice,
    prepared_template,
    run_ingest,
)
from kill_at_statement import STATEMENTS_LINE

from jeugdregie.demo.generator import generate


@dataclass
class Reference:
    state: dict
    files: int
    seconds: float
    summary: str
    statements: int  # SQL statements of the run: the range the kill tests draw from


@pytest.fixture(scope="session")
def fault_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="session")
def fault_slice(fault_workdir: Path) -> tuple[Path, int]:
    generated = fault_workdir / "generated"
    generate(generated, seed=1, scale=1, until=dt.date.fromisoformat(SLICE_UNTIL))
    folder = fault_workdir / "slice"
    return folder, make_slice(generated, folder)


@pytest.fixture(scope="session")
def fault_template(fault_workdir: Path):
    template = prepared_template(fault_workdir)
    yield template
    template.drop()


@pytest.fixture
def scratch_db(fault_template: Scratch, fault_workdir: Path, request: pytest.FixtureRequest):
    made: list[Scratch] = []

    def make(label: str) -> Scratch:
        db = copy_of(fault_template, fault_workdir, label)
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


@pytest.fixture(scope="session")
def reference(fault_template: Scratch, fault_workdir: Path, fault_slice: tuple[Path, int]):
    folder, files = fault_slice
    db = copy_of(fault_template, fault_workdir, "reference")
    try:
        run = run_ingest(db, folder, kill_at_statement=0)  # 0: kills nothing, counts the statements
        assert run.returncode == 1, run.stderr  # the broken file goes to the quarantine
        assert "Traceback" not in run.stderr
        statements = int(run.stderr.rsplit(STATEMENTS_LINE, 1)[1])
        yield Reference(database_state(db), files, run.seconds, run.stdout, statements)
    finally:
        db.drop()
