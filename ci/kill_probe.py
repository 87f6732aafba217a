"""SIGKILL a tiny training stage at random instants; every rerun must end as an uninterrupted run.

``python -m ci.kill_probe [runs] [seed]`` trains the regression keypoint method (3 epochs on 32
images) once straight through, then ``runs`` times (default 10) in fresh folders killed with
SIGKILL after a random share of the straight run's time (its finish included), and reruns
each until it succeeds. Each rerun must exit 0 with no hand-made cleanup, write the same
history and checkpoint bytes as the straight run, and leave no work folder in ``.resume/`` nor
a temporary file. Prints one line per run and exits 1 if any run did not hold.
"""

import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ci.tiny import REPO_ROOT, command_env
from locate.data.generate import generate_datasets

METHOD = "regression"
COMMAND = [sys.executable, "-m", "stages.train_keypoints", METHOD]
COMPARED = (f"models/keypoints/{METHOD}.pt", f"plots/keypoints/{METHOD}_history.csv")
RERUNS = 3  # a killed run is rerun at most this often before the run counts as stuck


def prepare(folder: Path, data: Path) -> Path:
    """``folder`` with the shared tiny dataset and params for a 3-epoch regression training."""
    shutil.copytree(data, folder / "data")
    params = yaml.safe_load((REPO_ROOT / "params.yaml").read_text())
    params["keypoints"] |= {"batch_size": 8, "epochs": 3}
    params["runtime"] = {"device": "cpu", "precision": "fp32", "threads": 1}
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return folder


def run_stage(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(COMMAND, cwd=folder, env=command_env() | {"PYTHONPATH": str(REPO_ROOT)},
                          capture_output=True, text=True)


def kill_after(folder: Path, seconds: float) -> None:
    """Start the stage in ``folder`` and SIGKILL it after ``seconds`` (unless it ended before)."""
    process = subprocess.Popen(COMMAND, cwd=folder, env=command_env() | {"PYTHONPATH": str(REPO_ROOT)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def problems(folder: Path, reference: Path) -> list[str]:
    """What differs from an uninterrupted run after a rerun: outputs, leftovers."""
    found = [name for name in COMPARED if (folder / name).read_bytes() != (reference / name).read_bytes()]
    found += [str(path.relative_to(folder)) for path in folder.rglob("*.tmp")]
    work = folder / ".resume" / f"models_keypoints_{METHOD}"
    return found + ([f"{work.relative_to(folder)} left"] if work.exists() else [])


def probe_one(folder: Path, reference: Path, seconds: float) -> str:
    """Kill after ``seconds``, rerun until it succeeds; '' when the run held, else what went wrong."""
    kill_after(folder, seconds)
    for _ in range(RERUNS):
        result = run_stage(folder)
        if result.returncode == 0:
            return ", ".join(problems(folder, reference))
    return f"rerun exited {result.returncode}: {result.stderr.strip().splitlines()[-1:]}"


def main(runs: int = 10, seed: int = 0) -> int:
    draw = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        generate_datasets(scratch / "shared", 5, 32, 8, workers=1)
        reference = prepare(scratch / "reference", scratch / "shared")
        started = time.perf_counter()
        assert run_stage(reference).returncode == 0, "the uninterrupted run failed"
        straight = time.perf_counter() - started
        failed = 0
        for index in range(runs):
            seconds = draw.uniform(0.3, 1.0) * straight
            problem = probe_one(prepare(scratch / f"run_{index}", scratch / "shared"), reference, seconds)
            failed += bool(problem)
            print(f"kill after {seconds:5.2f} s of {straight:.2f} s: {'NOT HELD: ' + problem if problem else 'held'}")
        print(f"{runs - failed} of {runs} killed runs held")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:])))
