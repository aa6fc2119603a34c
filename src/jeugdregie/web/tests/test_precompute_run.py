"""The precompute's steps in one process or two (web.precompute_run): every step runs once, the
child's steps are reported by the parent, a failing or dying child leaves its steps to the parent,
and inside a transaction (every django_db test) no child is started."""

import os

import pytest

from jeugdregie import cores
from jeugdregie.web import precompute_run


def _steps(tmp_path, names, fail_in_child=(), die_in_child=()):
    parent = os.getpid()

    def work(name):
        def run():
            if os.getpid() != parent and name in fail_in_child:
                raise RuntimeError("kapot")
            if os.getpid() != parent and name in die_in_child:
                os._exit(3)
            (tmp_path / name).write_text(str(os.getpid()))

        return run

    return [(name, work(name)) for name in names]


def _run_one(name, work):
    work()
    return 0.25


@pytest.fixture
def forkable(monkeypatch):
    monkeypatch.setattr(precompute_run, "can_fork", lambda: True)


def test_two_processes_run_each_step_once_and_report_them_all(tmp_path, forkable):
    said: list[str] = []
    first, second = _steps(tmp_path, ["a", "b"]), _steps(tmp_path, ["c", "d", "e"])
    timings = precompute_run.run_steps((first, second), _run_one, said.append, workers=2)
    assert set(timings) == {"a", "b", "c", "d", "e", "totaal"}
    assert {timings[n] for n in "abcde"} == {0.25}
    pids = {n: int((tmp_path / n).read_text()) for n in "abcde"}
    assert {pids["a"], pids["b"]} == {os.getpid()}
    assert len({pids["c"], pids["d"], pids["e"]}) == 1 and pids["c"] != os.getpid()
    assert sorted(said) == sorted(["a: 0.2 s", "b: 0.2 s"] + [f"{n}: 0.2 s (tweede proces)" for n in "cde"])


def test_a_failing_child_leaves_the_rest_to_this_process(tmp_path, forkable):
    said: list[str] = []
    first, second = _steps(tmp_path, ["a"]), _steps(tmp_path, ["c", "d", "e"], fail_in_child={"d"})
    timings = precompute_run.run_steps((first, second), _run_one, said.append, workers=2)
    assert set(timings) == {"a", "c", "d", "e", "totaal"}
    assert int((tmp_path / "c").read_text()) != os.getpid()
    assert {int((tmp_path / n).read_text()) for n in "de"} == {os.getpid()}
    assert "Let op: d: RuntimeError: kapot; de rest wordt hier berekend." in said


def test_a_dying_child_leaves_the_rest_to_this_process(tmp_path, forkable):
    said: list[str] = []
    first, second = _steps(tmp_path, ["a"]), _steps(tmp_path, ["c", "d"], die_in_child={"c"})
    timings = precompute_run.run_steps((first, second), _run_one, said.append, workers=2)
    assert set(timings) == {"a", "c", "d", "totaal"}
    assert {int((tmp_path / n).read_text()) for n in "acd"} == {os.getpid()}
    assert "Let op: het tweede proces stopte onverwacht; de rest wordt hier berekend." in said


def test_one_worker_runs_everything_here_in_order(tmp_path, forkable):
    said: list[str] = []
    first, second = _steps(tmp_path, ["a", "b"]), _steps(tmp_path, ["c"])
    precompute_run.run_steps((first, second), _run_one, said.append, workers=1)
    assert said == ["a: 0.2 s", "b: 0.2 s", "c: 0.2 s"]
    assert {int((tmp_path / n).read_text()) for n in "abc"} == {os.getpid()}


@pytest.mark.django_db
def test_no_child_inside_a_transaction():
    assert precompute_run.can_fork() is False


def test_workers_from_the_environment(monkeypatch, settings):
    monkeypatch.setenv(precompute_run.WORKERS_ENV, "1")
    assert precompute_run.default_workers() == 1
    monkeypatch.setenv(precompute_run.WORKERS_ENV, "5")
    assert precompute_run.default_workers() == 2
    settings.PRECOMPUTE_WORKERS = 1
    assert precompute_run.default_workers() == 1


def test_a_core_is_free_when_nothing_else_runs(tmp_path, monkeypatch):
    loadavg = tmp_path / "loadavg"
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    loadavg.write_text("2.01 1.50 0.80 1/210 4242\n")  # only this process: the ingest just ended
    assert cores.core_free_now(loadavg=str(loadavg)) is True
    loadavg.write_text("0.40 0.30 0.20 2/210 4242\n")  # one other process running
    assert cores.core_free_now(loadavg=str(loadavg)) is False
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert cores.core_free_now(loadavg=str(loadavg)) is True
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    loadavg.write_text("0.00 0.00 0.00 1/210 4242\n")
    assert cores.core_free_now(loadavg=str(loadavg)) is False


def test_without_proc_loadavg_the_load_average_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    missing = str(tmp_path / "no-such-file")
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (0.4, 0.4, 0.4))
    assert cores.core_free_now(loadavg=missing) is True  # 1.6 cores idle
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (0.6, 0.6, 0.6))
    assert cores.core_free_now(loadavg=missing) is False
