"""The read-ahead of the ingest (``ijw/read_ahead.py``, issue 13) stores exactly what reading in the
main process stores: the demo slice plus the hand-made variants of
``test_ingest_batch_same_state`` ingested by `jeugdregie ingest` with ``JEUGDREGIE_INGEST_READERS``
0 (read in the main process) and 1 (a worker process reads ahead), in batches of 100 and of 7 files,
each in its own scratch database (SQLite, or PostgreSQL when DATABASE_URL names one). The
databases must be equal table by table, every row by its natural keys, and the summaries equal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faults_support import database_state, run_ingest, state_differences
from test_ingest_batch_same_state import varied_folder  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("per_transaction", ["100", "7"])
def test_the_read_ahead_stores_the_same_as_reading_in_process(
    varied_folder: Path,  # noqa: F811
    scratch_db,
    monkeypatch,
    per_transaction: str,
) -> None:
    runs = {}
    for readers in ("0", "1"):
        monkeypatch.setenv("JEUGDREGIE_INGEST_READERS", readers)
        db = scratch_db(f"readers{readers}_{per_transaction}")
        run = run_ingest(db, varied_folder, "--files-per-transaction", per_transaction, timeout=1500)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr  # quarantine: exit 1
        assert "leesproces" not in run.stderr  # the worker did not die
        runs[readers] = (json.loads(run.stdout), database_state(db), run.seconds)
    assert runs["1"][0] == runs["0"][0]
    assert runs["0"][0]["quarantined_messages"] == 13 and runs["0"][0]["duplicate_files"] == 1
    assert state_differences(runs["1"][1], runs["0"][1]) == {}
    print(
        f"\n{runs['0'][0]['files']} bestanden; lezen in het hoofdproces {runs['0'][2]:.1f} s, vooruit {runs['1'][2]:.1f} s"
    )
