"""The whole pipeline as DVC runs it, on tiny params in a temporary git repository.

One `dvc repro` of every stage; a forced rerun of every stage module must write the same
bytes, measured times aside; then a change to one ablation's param must make DVC name
and rerun only the stages that depend on it, leave the detector untouched, and show in
`dvc metrics diff`; then two queued experiments, started by `make queue`'s tool as the README's
sweep is, must be seen on two workers and both appear in `dvc exp show`, whose README forms (the headline,
one group at a time) print each experiment's numbers within 160 columns; a second `dvc repro`
while one runs is refused. `dvc plots show` draws at most 25 charts, none empty, also in a diff against a
revision without live logs and while a training runs.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_of
from tests.readme_blocks import USAGE, WIDE_TERMINAL, readme_commands
from tools.tiny import command_env, dvc, ran_stages, run

OUTPUT_FOLDERS = ("data", "models", "predictions", "metrics", "plots", "reports")
# Each stage module once, and both keypoint models (the regression head has dropout).
FORCED = ("generate", "train_detector@course", "evaluate_detector@course", "train_heatmap@heatmap",
          "train_regression@regression", "ablate_skips@skips_off", "evaluate_keypoints", "report")
# Measured times, and the files that quote them.
TIMED = ("metrics/speed/", "reports/report.md", "reports/summary.md")
# Stages the first of two concurrent repros reruns: long enough for the second to reach one while it writes;
# the report quotes the trainings' times.
REFUSED_WHILE = ("train_detector@course", "train_detector@improved", "report")
MAX_CHARTS = 25  # `dvc plots show`: one chart per question a user asks, not one per logged series


def _changed_stages(repo: Path) -> set[str]:
    return set(json.loads(dvc(repo, "status", "--json")))


@pytest.fixture(scope="module")
def repo(tiny_baseline, tmp_path_factory) -> Path:
    return copy_of(tiny_baseline, tmp_path_factory.mktemp("pipeline") / "project")


def test_repro_writes_every_declared_output(repo):
    assert _changed_stages(repo) == set()
    declared = yaml.safe_load((repo / "dvc.lock").read_text())["stages"]
    for stage in declared.values():
        for output in stage.get("outs", []):
            assert (repo / output["path"]).exists(), output["path"]
    assert (repo / "reports" / "report.md").is_file()


def _file_hashes(repo: Path) -> dict[str, str]:
    files = (path for folder in OUTPUT_FOLDERS for path in (repo / folder).rglob("*") if path.is_file())
    return {path.relative_to(repo).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def test_a_forced_rerun_writes_the_same_bytes(repo):
    before = _file_hashes(repo)
    log = dvc(repo, "repro", "--force", "--single-item", *FORCED)
    assert set(ran_stages(log)) == set(FORCED)
    after = _file_hashes(repo)
    assert set(after) == set(before)
    assert [name for name in before if after[name] != before[name] and not name.startswith(TIMED)] == []


def test_every_named_plot_renders(repo, tmp_path):
    rendered = json.loads(dvc(repo, "plots", "show", "--json", "-o", str(tmp_path / "plots")))
    assert not rendered.get("errors"), rendered.get("errors")
    names = set(rendered["data"])
    for plot in yaml.safe_load((repo / "dvc.yaml").read_text())["plots"]:
        name = next(iter(plot)) if isinstance(plot, dict) else plot
        assert any(name in rendered_name for rendered_name in names), (name, sorted(names))


def _charts(repo: Path, folder: Path, *command: str) -> dict[str, list[dict]]:
    """``dvc plots show`` / ``diff`` (``command``) as JSON, drawn into ``folder``: chart -> its rendered parts."""
    return json.loads(dvc(repo, "plots", *command, "--json", "-o", str(folder)))["data"]


def _empty(charts: dict[str, list[dict]]) -> list[str]:
    """The charts with no data: a vega chart without data points, an image without its file."""
    def drawn(part: dict) -> bool:
        return bool(part["content"]["data"]["values"]) if part["type"] == "vega" else Path(part["url"]).is_file()
    return [name for name, parts in charts.items() if not any(drawn(part) for part in parts)]


@contextmanager
def _moved(path: Path, aside: Path) -> Iterator[None]:
    """``path`` moved to ``aside`` meanwhile (a training in progress has no history yet, a checkout that never
    trained has no live log), then back."""
    shutil.move(path, aside)
    try:
        yield
    finally:
        shutil.move(aside, path)


def test_plots_draw_one_chart_per_question_none_empty(repo, tmp_path):
    shown = _charts(repo, tmp_path / "show", "show")
    assert len(shown) <= MAX_CHARTS and _empty(shown) == [], (len(shown), sorted(shown), _empty(shown))
    assert not any(name.startswith("live/") for name in shown), sorted(shown)  # live series join the curated charts
    # against a revision without live logs (git-ignored): from this workspace, then from one that never trained
    assert _empty(_charts(repo, tmp_path / "diff", "diff", "HEAD")) == []
    with _moved(repo / "live", tmp_path / "live"):
        assert _empty(_charts(repo, tmp_path / "untrained", "diff", "HEAD")) == []
    # a training in progress: no history CSV yet, its live log drawn
    with _moved(repo / "plots" / "detector" / "history.csv", tmp_path / "history.csv"):
        running = _charts(repo, tmp_path / "running", "show", "detector_val_map")["detector_val_map"]
    drawn = {point["filename"] for point in running[0]["content"]["data"]["values"]}
    assert "live/train_detector/plots/metrics/val/map50.tsv" in drawn and "plots/detector/history.csv" not in drawn


def test_a_param_change_reruns_only_its_dependants(repo):
    detector = (repo / "models" / "detector.pt").stat().st_mtime_ns
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["ablations"]["sigma"]["sigma_3"] = 2.5
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dependants = {"check_params", "ablate_sigma@sigma_3", "evaluate_keypoints", "report"}  # the check: same output
    assert _changed_stages(repo) == dependants
    assert set(ran_stages(dvc(repo, "repro"))) == dependants
    assert (repo / "models" / "detector.pt").stat().st_mtime_ns == detector
    diff = json.loads(dvc(repo, "metrics", "diff", "--json"))
    changed = {path for path, metrics in diff.items() if metrics}
    assert "metrics/ablations/sigma_3.json" in changed
    run(repo, "git", "checkout", "--", ".")
    dvc(repo, "checkout", "-q")


def test_two_queued_experiments_run_on_two_workers(repo):
    for value in ("2", "3"):  # each retrains the tiny detector: long enough for both workers to be seen
        dvc(repo, "exp", "run", "--queue", "-S", f"detector.epochs={value}")
    started = run(repo, sys.executable, "-m", "tools.queue_workers", "2")
    assert started.startswith("dvc queue: 2 workers running"), started
    for _ in range(900):
        status = dvc(repo, "queue", "status")
        if "Queued" not in status and "Running" not in status:
            break
        time.sleep(1)
    assert "Failed" not in status, status
    shown = json.loads(dvc(repo, "exp", "show", "--json"))
    experiments = [exp for commit in shown for exp in (commit.get("experiments") or [])]
    values = sorted(
        exp["revs"][0]["data"]["params"]["params.yaml"]["data"]["detector"]["epochs"] for exp in experiments
    )
    assert values == [2, 3]
    groups = json.loads((repo / "metrics/headline.json").read_text())
    for group in groups:  # the README's table of each headline group
        command = next(line for line in readme_commands(USAGE) if f"|{group}" in line)
        table = run(repo, "bash", "-c", f"COLUMNS=1000 {command}").splitlines()
        assert max(map(len, table)) <= WIDE_TERMINAL, "\n".join(table)
        rows = [line for line in table if "[" in line]  # an experiment's row names it in brackets
        cells = [row.split("]", 1)[1].split() for row in rows]  # one number per member of the group, none missing
        assert len(rows) == 2 and all(len(row) == len(groups[group]) for row in cells), "\n".join(table)
        assert all(re.fullmatch(r"\d+(\.\d+)?", cell) for row in cells for cell in row), "\n".join(table)


def test_a_second_repro_at_once_is_refused_and_the_first_finishes(repo, tmp_path):
    with open(tmp_path / "first.log", "w") as log:  # the two detector trainings forced: seconds
        first = subprocess.Popen([sys.executable, "-m", "dvc", "repro", "-f", "-s", *REFUSED_WHILE],
                                 cwd=repo, env=command_env(), stdout=log, stderr=subprocess.STDOUT)
    rwlock = repo / ".dvc" / "tmp" / "rwlock"
    deadline = time.monotonic() + 60
    while first.poll() is None and time.monotonic() < deadline and '"write": {}' in _text_or(rwlock, '"write": {}'):
        time.sleep(0.05)
    said = ""
    while first.poll() is None:  # a second run that starts while the first writes a stage's outputs finds the
        # stages it reaches unchanged (their bytes are the same) and succeeds; one that reaches the stage the first
        # runs, its outputs removed, must be refused: try until one is, or the first ends
        second = subprocess.run([sys.executable, "-m", "dvc", "repro"], cwd=repo, env=command_env(),
                                capture_output=True, text=True)
        said = second.stderr + second.stdout
        if second.returncode != 0:
            break
    assert first.wait(timeout=600) == 0, (tmp_path / "first.log").read_text()
    assert "is being blocked by" in said or "Unable to acquire lock" in said, said
    assert _changed_stages(repo) == set()


def _text_or(path: Path, default: str) -> str:
    return path.read_text() if path.exists() else default
