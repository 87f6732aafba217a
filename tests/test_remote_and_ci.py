"""Results travel through a DVC remote, and CI reruns only what a pull request changed.

On the tiny baseline: push to a local folder remote, then in a fresh clone pull and find
every stage up to date; a simulated pull request changing ``detector_eval.postprocess.nms_iou`` runs
``ci.pull_request``, which pulls the base's outputs, reruns only the stages that read the key
and writes a short diff; a push of several commits is compared as a whole; a run killed part
way (a job timeout) leaves a cache from which the next run continues without redoing the
finished stages; a missing or misconfigured remote is one line and exit code 2.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ci.changes import base_revision
from ci.pull_request import COMMENT_LIMIT, cut, diff_markdown, flat
from tests.conftest import copy_of
from tools.tiny import command_env, dvc, ran_stages, run


def _module(folder: Path, module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=folder, env=command_env(),
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def origin(tiny_baseline, tmp_path_factory) -> Path:
    """The baseline with a local folder as default remote (committed), its outputs pushed there."""
    root = tmp_path_factory.mktemp("remote")
    folder = copy_of(tiny_baseline, root / "origin")
    dvc(folder, "remote", "add", "-d", "storage", str(root / "storage"))
    run(folder, "git", "commit", "-qam", "default remote")
    pushed = _module(folder, "tools.remote", "push")
    assert pushed.returncode == 0, pushed.stderr
    return folder


def _clone(origin: Path, folder: Path) -> Path:
    run(origin.parent, "git", "clone", "-q", str(origin), str(folder))
    return folder


def test_a_fresh_clone_pulls_every_output_and_has_nothing_to_rerun(origin, tmp_path):
    clone = _clone(origin, tmp_path / "clone")
    assert not (clone / "models").exists()
    pulled = _module(clone, "tools.remote", "pull")
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(dvc(clone, "status", "--json")) == {}
    assert ran_stages(dvc(clone, "repro")) == []
    assert (clone / "models/detector.pt").read_bytes() == (origin / "models/detector.pt").read_bytes()


def _run_outputs(cache: Path) -> set[str]:
    """The md5 of every output the run-cache entries in ``cache`` name (experiments' and uncached ones too)."""
    entries = (yaml.safe_load(entry.read_text()) for entry in (cache / "runs").glob("*/*/*"))
    return {output["md5"] for entry in entries for output in entry["outs"]}


def _objects(files: Path) -> set[str]:
    return {path.parent.name + path.name for path in (files / "md5").glob("*/*")}


def test_every_run_of_the_run_cache_travels_with_its_outputs(origin, tmp_path):
    needed = _run_outputs(origin / ".dvc" / "cache")
    storage = origin.parent / "storage"  # the origin fixture's remote
    assert needed and needed <= _objects(storage / "files")  # dvc push alone leaves the uncached outputs out
    clone = _clone(origin, tmp_path / "clone")
    assert _module(clone, "tools.remote", "pull").returncode == 0
    assert needed <= _objects(clone / ".dvc" / "cache" / "files")


def test_a_pull_request_reruns_only_the_stages_that_read_its_change(origin, tmp_path):
    clone = _clone(origin, tmp_path / "pull-request")
    run(clone, "git", "checkout", "-qb", "change-nms")
    params = yaml.safe_load((clone / "params.yaml").read_text())
    params["detector_eval"]["postprocess"]["nms_iou"] = 0.2
    (clone / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(clone, "git", "commit", "-qam", "nms 0.2")
    result = _module(clone, "ci.pull_request", "--base", "main", "--out", "ci-output", "--pull")
    assert result.returncode == 0, result.stderr
    out = clone / "ci-output"
    assert (out / "stages.txt").read_text().split() == ["check_params", "evaluate_detector@course",
                                                        "evaluate_detector@improved", "report"]
    diff = (out / "diff.md").read_text()
    assert len(diff) < COMMENT_LIMIT
    headline = flat(json.loads((clone / "metrics/headline.json").read_text()))
    assert [line.split("**")[1] for line in diff.splitlines()[: len(headline)]] == list(headline)
    assert "`evaluate_detector@course`, `evaluate_detector@improved`, `report`" in diff
    assert "| params.yaml | detector_eval.postprocess.nms_iou | 0.5 | 0.2 |" in diff
    results = diff.split("Every other result that changed")[1].split("Params that changed")[0]
    assert "metrics/detector/" in results and "metrics/speed" not in results and "live/" not in diff


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("{tmp}/no-such-folder", "DVC remote 'storage' ({tmp}/no-such-folder): folder not found"),
        ("s3://bucket/locate", "DVC remote 'storage' (s3://bucket/locate): needs the package dvc-s3"),
    ],
    ids=["missing-folder", "missing-plugin"],
)
def test_a_bad_remote_is_one_line_and_leaves_the_workspace_as_it_was(origin, tmp_path, url, message):
    clone = _clone(origin, tmp_path / "clone")
    url, message = url.format(tmp=tmp_path), message.format(tmp=tmp_path)
    dvc(clone, "remote", "modify", "storage", "url", url)
    before = sorted(path.name for path in clone.iterdir())
    for direction in ("pull", "push") if url.startswith("s3") else ("pull",):
        result = _module(clone, "tools.remote", direction)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert message in result.stderr
    assert sorted(path.name for path in clone.iterdir()) == before


def test_no_remote_says_how_to_add_one(origin, tmp_path):
    clone = _clone(origin, tmp_path / "clone")
    dvc(clone, "remote", "remove", "storage")
    result = _module(clone, "tools.remote", "pull")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "no default DVC remote" in result.stderr and "dvc remote add -d" in result.stderr


def test_the_comment_leads_with_every_headline_number_and_stays_within_githubs_limit():
    headline = {"map50": {"course": 0.8, "improved": 0.9}, "p20": {"heatmap": 0.85}}
    changed = {f"metrics/keypoints/m{index}.json": {f"key_{key}": {"old": 0.1, "new": 0.2, "diff": 0.1}
                                                    for key in range(100)} for index in range(100)}
    metrics = changed | {"metrics/headline.json": {"map50.course": {"old": 0.7, "new": 0.8, "diff": 0.1}},
                         "live/train_detector/metrics.json": {"val_map50": {"old": 0.1, "new": 0.2, "diff": 0.1}}}
    text = diff_markdown("main", ["report"], metrics, {}, 12.0, headline, COMMENT_LIMIT)
    assert text.splitlines()[:3] == ["- **map50.course**: 0.7 → 0.8 (+0.1)", "- **map50.improved**: 0.9 (unchanged)",
                                     "- **p20.heatmap**: 0.85 (unchanged)"]
    assert len(text) <= COMMENT_LIMIT < 65_536 and "live/" not in text and "more characters" in text
    assert text.count("<details>") == text.count("</details>") == 3
    assert len(diff_markdown("main", ["report"], metrics, {}, 12.0, headline)) > COMMENT_LIMIT  # diff-full.md


def test_a_long_diff_is_cut_below_the_limit_with_a_note():
    text = "".join(f"| metrics/x.json | key_{index} | 0.1 | 0.2 | 0.1 |\n" for index in range(5000))
    shortened = cut(text, COMMENT_LIMIT)
    assert len(text) > COMMENT_LIMIT >= len(shortened)
    assert shortened.endswith("(diff-full.md)._\n") and "more characters" in shortened
    assert cut("short\n", COMMENT_LIMIT) == "short\n"


def _set_params(clone: Path, group: str, key: str, value: object, message: str) -> None:
    """Commit params.yaml with ``key`` of ``group`` (dotted: ``detector_eval.postprocess``) set to ``value``."""
    params = yaml.safe_load((clone / "params.yaml").read_text())
    values = params
    for part in group.split("."):
        values = values[part]
    values[key] = value
    (clone / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(clone, "git", "commit", "-qam", message)


def test_a_push_of_several_commits_is_compared_with_the_commit_before_it(origin, tmp_path):
    clone = _clone(origin, tmp_path / "push")
    before = run(clone, "git", "rev-parse", "HEAD").strip()
    _set_params(clone, "detector_eval.postprocess", "nms_iou", 0.2, "nms 0.2")
    _set_params(clone, "detector_eval.postprocess", "score_threshold", 0.1, "score 0.1")
    result = _module(clone, "ci.pull_request", "--base", before, "--out", "ci-output", "--pull")
    assert result.returncode == 0, result.stderr
    diff = (clone / "ci-output" / "diff.md").read_text()
    assert f"against `{before}`. Stages rerun" in diff
    assert "detector_eval.postprocess.nms_iou | 0.5 | 0.2" in diff
    assert "detector_eval.postprocess.score_threshold | 0.05 | 0.1" in diff


@pytest.mark.parametrize("base", ["", "0" * 40, "1234567890abcdef1234567890abcdef12345678"],
                         ids=["empty", "new-branch", "unknown-commit"])
def test_a_base_that_names_no_commit_falls_back_to_the_parent(origin, base, monkeypatch):
    monkeypatch.chdir(origin)
    assert base_revision(base) == "HEAD^"
    assert base_revision("main") == "main"


def _run_cache_entries(folder: Path) -> int:
    runs = folder / ".dvc" / "cache" / "runs"
    return sum(1 for path in runs.rglob("*") if path.is_file()) if runs.is_dir() else 0


def test_a_run_cut_short_is_continued_from_its_saved_cache(origin, tmp_path):
    """A pull request that makes the heatmap trainings stale, its run killed after 3 stages as a job timeout
    would; the next run, given only the saved ``.dvc/cache`` and ``.resume``, does not rerun those stages."""
    first = _clone(origin, tmp_path / "first-run")
    run(first, "git", "checkout", "-qb", "longer")
    _set_params(first, "keypoints", "sigma", 1.5, "heatmap targets of sigma 1.5")
    dvc(first, "pull", "-q", "--run-cache")
    finished_before = _run_cache_entries(first)
    cut_after = 3
    with open(tmp_path / "first.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "ci.pull_request", "--base", "main", "--out", "ci-output"],
                                   cwd=first, env=command_env(), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 600
    # A stage's run-cache entry is written just before its outputs go into the cache: once the entry of the
    # stage after the 3rd exists, the 3rd is complete.
    while _run_cache_entries(first) < finished_before + cut_after + 1 and time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "first.log").read_text()
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)
    second = _clone(first, tmp_path / "second-run")
    for saved in (".dvc/cache", ".resume"):
        if (first / saved).is_dir():
            shutil.copytree(first / saved, second / saved, dirs_exist_ok=True)
    result = _module(second, "ci.pull_request", "--base", "main", "--out", "ci-output")
    assert result.returncode == 0, result.stderr
    ran = (second / "ci-output" / "stages.txt").read_text().split()
    log = (second / "ci-output" / "repro.log").read_text()
    restored = re.findall(r"Stage '([^']+)' is cached - skipping run", log)
    print(f"cut after {cut_after} stages; the next run restored {len(restored)} {restored} and ran {len(ran)} {ran}")
    assert len(restored) >= cut_after and not set(restored) & set(ran), log
    assert "train_detector" not in ran and "evaluate_keypoints" in ran
    assert json.loads(dvc(second, "status", "--json")) == {}
