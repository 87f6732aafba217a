"""Results travel through a DVC remote, and CI reruns only what a pull request changed.

On the tiny baseline: push to a local folder remote, then in a fresh clone pull and find
every stage up to date; a simulated pull request changing ``detector_eval.nms_iou`` runs
``ci.pull_request``, which pulls the base's outputs, reruns only the stages that read the key
and writes a short diff; a missing or misconfigured remote is one line and exit code 2.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ci.pull_request import COMMENT_LIMIT, cut
from ci.tiny import command_env, dvc, ran_stages, run
from tests.conftest import copy_of


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
    pushed = _module(folder, "ci.remote", "push")
    assert pushed.returncode == 0, pushed.stderr
    return folder


def _clone(origin: Path, folder: Path) -> Path:
    run(origin.parent, "git", "clone", "-q", str(origin), str(folder))
    return folder


def test_a_fresh_clone_pulls_every_output_and_has_nothing_to_rerun(origin, tmp_path):
    clone = _clone(origin, tmp_path / "clone")
    assert not (clone / "models").exists()
    pulled = _module(clone, "ci.remote", "pull")
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(dvc(clone, "status", "--json")) == {}
    assert ran_stages(dvc(clone, "repro")) == []
    assert (clone / "models/detector.pt").read_bytes() == (origin / "models/detector.pt").read_bytes()


def test_a_pull_request_reruns_only_the_stages_that_read_its_change(origin, tmp_path):
    clone = _clone(origin, tmp_path / "pull-request")
    run(clone, "git", "checkout", "-qb", "change-nms")
    params = yaml.safe_load((clone / "params.yaml").read_text())
    params["detector_eval"]["nms_iou"] = 0.2
    (clone / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run(clone, "git", "commit", "-qam", "nms 0.2")
    result = _module(clone, "ci.pull_request", "--base", "main", "--out", "ci-output", "--pull")
    assert result.returncode == 0, result.stderr
    out = clone / "ci-output"
    assert (out / "stages.txt").read_text().split() == ["evaluate_detector", "evaluate_detector_improved", "report"]
    diff = (out / "diff.md").read_text()
    assert len(diff) < COMMENT_LIMIT
    assert "`evaluate_detector`, `evaluate_detector_improved`, `report`" in diff
    assert "| params.yaml | detector_eval.nms_iou | 0.5 | 0.2 |" in diff
    results = diff.split("### Results that changed")[1].split("### Params")[0]
    assert "metrics/detector/" in results and "metrics/speed" not in results


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
        result = _module(clone, "ci.remote", direction)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert message in result.stderr
    assert sorted(path.name for path in clone.iterdir()) == before


def test_no_remote_says_how_to_add_one(origin, tmp_path):
    clone = _clone(origin, tmp_path / "clone")
    dvc(clone, "remote", "remove", "storage")
    result = _module(clone, "ci.remote", "pull")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "no default DVC remote" in result.stderr and "dvc remote add -d" in result.stderr


def test_a_long_diff_is_cut_below_the_limit_with_a_note():
    text = "".join(f"| metrics/x.json | key_{index} | 0.1 | 0.2 | 0.1 |\n" for index in range(5000))
    shortened = cut(text, COMMENT_LIMIT)
    assert len(text) > COMMENT_LIMIT >= len(shortened)
    assert shortened.endswith("(diff-full.md)._\n") and "more characters" in shortened
    assert cut("short\n", COMMENT_LIMIT) == "short\n"
