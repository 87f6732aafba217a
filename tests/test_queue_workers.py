"""``make queue``: workers that die at start-up are started again, a shortfall is said, and two starts at once
do not give two workers one name."""

import subprocess
import sys
import threading
import time

import pytest

from tests.stage_runner import REPO_ROOT
from tools import queue_workers

STATUS = "Task     Name    Created    Status\n{rows}\nWorker status: {active} active, {idle} idle\n"


class FakeDvc:
    """``dvc`` whose queue keeps ``alive[i]`` workers after the i-th ``queue start`` (the last value after that),
    each running one of the ``pending`` experiments; ``answering``: how many of them its worker line counts."""

    def __init__(self, alive: list[int], pending: int = 2, answering: int | None = None):
        self.alive, self.pending, self.answering, self.starts = alive, pending, answering, 0

    def __call__(self, *args: str) -> str:
        if args[:2] == ("queue", "start"):
            self.starts += 1
            return ""
        workers = self.alive[min(self.starts, len(self.alive)) - 1] if self.starts else 0
        rows = "\n".join(f"abc{i}  exp-{i}  now  {'Running' if i < workers else 'Queued'}" for i in range(self.pending))
        answered = workers if self.answering is None else min(workers, self.answering)
        return STATUS.format(rows=rows, active=answered, idle=0)


def test_a_worker_lost_at_start_up_is_started_again(monkeypatch):
    fake = FakeDvc([1, 2])
    monkeypatch.setattr(queue_workers, "dvc", fake)
    assert queue_workers.start_workers(2, starts=3, wait_s=0.01) == 2 and fake.starts == 2


def test_busy_workers_that_miss_the_status_broadcast_count_by_their_running_experiments(monkeypatch):
    fake = FakeDvc([2], answering=0)
    monkeypatch.setattr(queue_workers, "dvc", fake)
    assert queue_workers.start_workers(2, starts=3, wait_s=0.01) == 2 and fake.starts == 1


def test_workers_that_stay_short_are_reported(monkeypatch, capsys):
    monkeypatch.setattr(queue_workers, "dvc", FakeDvc([1]))
    monkeypatch.setattr(queue_workers, "WAIT_S", 0.01)
    monkeypatch.setattr(sys, "argv", ["queue_workers", "2"])
    with pytest.raises(SystemExit) as exit_code:
        queue_workers.main()
    assert exit_code.value.code == 1
    assert capsys.readouterr().err == ("dvc queue: 1 of 2 workers running after 3 starts; "
                                       "see dvc queue status and dvc queue logs\n")


def test_fewer_experiments_than_workers_need_fewer_workers(monkeypatch):
    monkeypatch.setattr(queue_workers, "dvc", FakeDvc([1], pending=1))
    assert queue_workers.start_workers(2, starts=1, wait_s=0.01) == 1


@pytest.mark.parametrize("argument", [[], ["0"], ["-1"], ["two"], ["2", "3"]])
def test_a_bad_worker_count_is_one_line_and_exit_2(argument):
    result = subprocess.run([sys.executable, "-m", "tools.queue_workers", *argument], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "the number of queue workers (an integer >= 1)" in result.stderr


class NamingDvc:
    """``dvc`` whose ``queue start -j N`` names workers 1..N, skipping the names it finds running, a moment before it
    starts them (as DVC does): two starts at once would give two workers one name."""

    def __init__(self):
        self.names: list[str] = []

    def __call__(self, *args: str) -> str:
        if args[:2] == ("queue", "start"):
            found = set(self.names)
            time.sleep(0.2)
            self.names += [f"worker-{number}" for number in range(1, int(args[3]) + 1)
                           if f"worker-{number}" not in found]
            return ""
        return STATUS.format(rows="abc0  exp-0  now  Queued\nabc1  exp-1  now  Queued", active=len(self.names), idle=0)


def test_two_starts_at_once_give_their_workers_different_names(monkeypatch, tmp_path):
    fake = NamingDvc()
    monkeypatch.setattr(queue_workers, "dvc", fake)
    monkeypatch.chdir(tmp_path)
    starts = [threading.Thread(target=queue_workers.start_workers, args=(wanted, 1, 0.01)) for wanted in (1, 2)]
    for start in starts:
        start.start()
    for start in starts:
        start.join()
    assert sorted(fake.names) == ["worker-1", "worker-2"]
