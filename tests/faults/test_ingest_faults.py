"""Faults around the ingest (issue 13): the process killed at random points, two ingests of the
same folder at once, the database connection cut mid-run. Each run is the `jeugdregie ingest`
command in its own process on a scratch database, compared table by table (by natural keys) with
an uninterrupted run of the same slice of the demo traffic. Figures: docs/reliability.md."""

from __future__ import annotations

import json
import random
import signal
import time

import pytest
from faults_support import (
    committed_files,
    database_state,
    postgres_admin_url,
    row_counts,
    run_ingest,
    start_ingest,
    state_differences,
    wait_until,
)

pytestmark = pytest.mark.slow

KILL_SEEDS = (1, 2, 3)


def test_the_reference_run_stores_the_whole_slice(reference) -> None:
    summary = json.loads(reference.summary)
    counts = row_counts(reference.state)
    assert summary["files"] == reference.files
    assert summary["quarantined_messages"] == 1  # the broken file, whole
    assert summary["accepted_messages"] == summary["messages"] - 1 and summary["quarantined_lines"] == 0
    assert counts["ijw_aanlevering"] == reference.files
    assert counts["ijw_quarantaineitem"] == 1
    assert counts["zorg_declaratieregel"] > 0 and counts["zorg_declaratieantwoord"] > 0
    print(f"\nreferentie: {reference.files} bestanden in {reference.seconds:.1f} s; {counts}")


def test_one_file_per_transaction_gives_the_same_state_as_the_shared_transactions(
    reference, fault_slice, scratch_db
) -> None:
    """The reference shares one transaction between files (a savepoint each); file by file, as
    before that change, must store exactly the same."""
    folder, files = fault_slice
    db = scratch_db("perfile")
    run = run_ingest(db, folder, "--files-per-transaction", "1", timeout=1500)  # minutes on a busy PostgreSQL
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert json.loads(run.stdout) == json.loads(reference.summary)
    assert state_differences(database_state(db), reference.state) == {}
    print(f"\nbestand voor bestand: {run.seconds:.1f} s (gedeelde transacties: {reference.seconds:.1f} s)")


@pytest.mark.parametrize("seed", KILL_SEEDS)
def test_killed_at_a_random_point_and_restarted_ends_in_the_uninterrupted_state(
    seed, reference, fault_slice, scratch_db
) -> None:
    """SIGKILL at a statement drawn from the whole run: between files, inside a file's savepoint,
    inside a transaction of many files; the restart must end where an uninterrupted run ends."""
    folder, files = fault_slice
    kill_at = random.Random(seed).randint(1, reference.statements)
    db = scratch_db(f"kill{seed}")
    killed = run_ingest(db, folder, kill_at_statement=kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    at_kill = committed_files(db)
    assert 0 <= at_kill < files

    resumed = run_ingest(db, folder)
    assert resumed.returncode in (0, 1) and "Traceback" not in resumed.stderr, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["files"] == files and summary["duplicate_files"] >= at_kill
    assert state_differences(database_state(db), reference.state) == {}
    print(
        f"\nseed {seed}: gedood bij opdracht {kill_at}/{reference.statements}, na {at_kill}/{files} bestanden; "
        f"hervat in {resumed.seconds:.1f} s"
    )


def test_two_ingests_of_the_same_folder_at_once_store_each_message_once(
    reference, fault_slice, scratch_db
) -> None:
    folder, files = fault_slice
    db = scratch_db("twice")
    started = time.perf_counter()
    first, second = start_ingest(db, folder), start_ingest(db, folder)
    outcomes = [p.communicate(timeout=300) for p in (first, second)]
    seconds = time.perf_counter() - started
    for proc, (_out, err) in zip((first, second), outcomes, strict=True):
        assert proc.returncode in (0, 1), err.decode()
        assert "Traceback" not in err.decode(), err.decode()
    summaries = [json.loads(out) for out, _ in outcomes]
    # Between them every file was stored once: the other process saw it as a duplicate.
    stored = sum(s["files"] - s["duplicate_files"] for s in summaries)
    assert stored == files
    assert state_differences(database_state(db), reference.state) == {}
    print(
        f"\ntwee tegelijk: {[s['files'] - s['duplicate_files'] for s in summaries]} bestanden, {seconds:.1f} s"
    )


@pytest.mark.skipif(postgres_admin_url() is None, reason="alleen op PostgreSQL (DATABASE_URL=postgres://...)")
def test_the_database_connection_cut_mid_run_gives_a_dutch_error_and_a_clean_resume(
    reference, fault_slice, scratch_db
) -> None:
    folder, files = fault_slice
    db = scratch_db("cut")
    # One file per transaction and the cut after the first files: the cut must land mid-run, and
    # a fast ingest on a busy machine (xdist, PostgreSQL) once finished the last two thirds before
    # this process was scheduled again.
    proc = start_ingest(db, folder, "--files-per-transaction", "1")
    assert wait_until(lambda: committed_files(db) >= 20, timeout=120)
    with db.connect() as conn:
        terminated = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    out, err = proc.communicate(timeout=120)
    at_cut = committed_files(db)
    assert terminated and proc.returncode not in (0, None)
    message = err.decode()
    assert "Traceback" not in message, message
    assert "verbinding met de database" in message, message
    assert 0 < at_cut < files
    # No file half stored: every committed delivery is complete, none refused for the cut.
    with db.connect() as conn:
        refused = conn.execute("SELECT count(*) FROM ijw_quarantaineitem WHERE regel = 'ingest.intern'")
        assert refused.fetchone()[0] == 0

    resumed = run_ingest(db, folder)
    assert resumed.returncode in (0, 1) and "Traceback" not in resumed.stderr, resumed.stderr
    assert state_differences(database_state(db), reference.state) == {}
    print(f"\nverbinding verbroken na {at_cut}/{files} bestanden; melding: {message.strip()!r}")


def test_stopped_with_sigterm_says_so_in_dutch_and_resumes_to_the_uninterrupted_state(
    reference, fault_slice, scratch_db
) -> None:
    """`kill <pid>` (a service manager stopping the job): the batch in progress rolls back, the
    command names what happened in Dutch instead of dying silently, and a restart completes it."""
    folder, files = fault_slice
    db = scratch_db("sigterm")
    # Sent by the ingest itself at a statement, as the kill above, so that it lands mid-run however
    # long this process waits for the CPU: a third of the reference run's statements, which is
    # early in this run (five files a transaction take more statements than a hundred).
    stop_at = reference.statements // 3
    stopped = run_ingest(db, folder, "--files-per-transaction", "5", kill_at_statement=f"{stop_at}:SIGTERM")
    at_stop = committed_files(db)
    message = stopped.stderr
    assert stopped.returncode == 143, message
    assert "Traceback" not in message, message
    assert "Inlezen gestopt (SIGTERM)" in message and "opnieuw" in message, message
    assert 0 < at_stop < files

    resumed = run_ingest(db, folder)
    assert resumed.returncode in (0, 1) and "Traceback" not in resumed.stderr, resumed.stderr
    assert json.loads(resumed.stdout)["duplicate_files"] == at_stop
    assert state_differences(database_state(db), reference.state) == {}
    print(f"\nSIGTERM na {at_stop}/{files} bestanden; melding: {message.strip()!r}")
