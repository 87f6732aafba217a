"""``make repro`` with several jobs, on tiny params: DVC records what a serial ``dvc repro`` records.

One tiny project runs with 2 jobs while a file stands where the improved detector's training writes its
live log: that stage fails, the others
finish and are recorded, and its readers do not run. With the file gone, the next run reruns only the
failed stage and its readers, as on macOS (Python without ``os.sched_getaffinity``); ``dvc status`` is
then clean, ``dvc.lock`` staged in git (``core.autostage``) and every output hash in ``dvc.lock`` (timings
aside) is the serial baseline's. Without ``dvc.lock``, the trainings come back from the run-cache. A bad
``--jobs`` and a workspace another DVC command holds are refused in one line before any stage starts.
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from locate.cores import core_ids
from tools.parallel_stages import log_name
from tools.tiny import REPO_ROOT, command_env, dvc, run, tiny_project

pytestmark = pytest.mark.skipif(len(core_ids()) < 2, reason="one core: make repro runs dvc repro")

TIMED = ("metrics/speed/", "reports")  # outputs that hold or quote measured times
BAD_STAGE = "train_detector@improved"
BLOCKER = "live/train_detector_improved"  # the folder of that stage's live log, made a file
WITHOUT_AFFINITY = {"PYTHONPATH": str(Path(__file__).parent / "without_affinity")}  # every Python: os as on macOS


def _parallel(folder: Path, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.parallel_repro", *arguments], cwd=folder,
                          env=command_env() | (env or {}), capture_output=True, text=True)


def _output_hashes(folder: Path) -> dict[str, str]:
    lock = yaml.safe_load((folder / "dvc.lock").read_text())["stages"]
    return {out["path"]: out.get("md5") for stage in lock.values() for out in stage.get("outs", [])
            if not out["path"].startswith(TIMED)}


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tiny_project(tmp_path_factory.mktemp("parallel") / "project")
    (folder / BLOCKER).parent.mkdir(parents=True, exist_ok=True)
    (folder / BLOCKER).write_text("not a folder")
    return folder, _parallel(folder, "--jobs", "2")


def test_a_failed_stage_lets_the_others_finish_and_stops_its_readers(failed_run):
    folder, result = failed_run
    assert result.returncode == 1, result.stderr
    assert f"failed: {BAD_STAGE}; its log: logs/{log_name(BAD_STAGE)}" in result.stderr
    assert "not run (they read from a failed stage): evaluate_detector@improved, report" in result.stderr
    locked = set(yaml.safe_load((folder / "dvc.lock").read_text())["stages"])
    done = {"train_detector@course", "train_heatmap@heatmap", "evaluate_detector@course", "evaluate_keypoints"}
    assert done <= locked
    assert BAD_STAGE not in locked and "report" not in locked


def test_the_next_run_finishes_what_is_stale_as_a_serial_repro_records_it(failed_run, tiny_baseline):
    folder, _ = failed_run
    (folder / BLOCKER).unlink()
    dvc(folder, "config", "core.autostage", "true")
    result = _parallel(folder, "--jobs", "2", env=WITHOUT_AFFINITY)
    assert result.returncode == 0, result.stderr
    assert "runs on cpu (" in (folder / "logs" / log_name(BAD_STAGE)).read_text()
    ran = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("started ")}
    assert ran == {BAD_STAGE, "evaluate_detector@improved", "report"}, result.stderr
    assert dvc(folder, "status", "-q") == ""
    assert _output_hashes(folder) == _output_hashes(tiny_baseline)
    assert "dvc.lock" in run(folder, "git", "diff", "--cached", "--name-only").split()  # staged, as dvc repro does


def test_without_the_lock_file_the_trainings_come_back_from_the_run_cache(failed_run):
    folder, _ = failed_run
    (folder / "dvc.lock").unlink()
    result = _parallel(folder, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "train_detector@course: restored from the run-cache" in result.stderr
    assert "started train_detector@course " not in result.stderr and dvc(folder, "status", "-q") == ""


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_bad_number_of_jobs_is_refused_before_any_stage(jobs):
    result = _parallel(REPO_ROOT, f"--jobs={jobs}")
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(f"error: JOBS: got '{jobs}', expected a whole number")


def test_a_workspace_another_dvc_command_holds_is_refused(failed_run):
    from dvc.repo import Repo

    folder, _ = failed_run
    with Repo(str(folder)) as repo, repo.lock:
        result = _parallel(folder, "--jobs", "2")
    assert result.returncode == 2 and "holds this workspace" in result.stderr
    assert "started " not in result.stderr
