"""CI's choices that need no pipeline run: which changes skip the pipeline job, and which DVC plugin a remote's
URL needs."""

import subprocess
import sys

import pytest

from ci.changes import needs_pipeline
from ci.use_remote import plugin_requirement
from tools.tiny import REPO_ROOT, command_env


@pytest.mark.parametrize(("changed", "expected"), [
    (["docs/gpu.md", "README.md"], False),
    (["docs/figures/a.png"], False),
    (["README.md", "params.yaml"], True),
    (["reports/report.md"], True),  # the report stage's output: a result
    (["locate/runtime.py"], True),
    ([], True),  # nothing to compare (a new branch): run
])
def test_only_a_change_of_prose_alone_skips_the_pipeline(changed, expected):
    assert needs_pipeline(changed) is expected


@pytest.mark.parametrize(("url", "expected"), [
    ("s3://bucket/locate", "dvc[s3]==3.67.1"),
    ("gs://bucket/locate", "dvc[gs]==3.67.1"),
    ("azure://container/locate", "dvc[azure]==3.67.1"),
    ("ssh://user@host/srv/locate", "dvc[ssh]==3.67.1"),
    ("https://host/locate", None),
    ("/mnt/shared/locate-dvc", None),
])
def test_the_plugin_comes_from_the_urls_scheme_at_the_pinned_dvc_version(url, expected):
    assert plugin_requirement(url, "3.67.1") == expected


def test_the_command_compares_head_with_its_base(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, env=command_env(), check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("one\n")
    git("add", "-A")
    git("commit", "-qm", "one")
    (tmp_path / "docs" / "page.md").write_text("two\n")
    git("commit", "-qam", "two")
    command = [sys.executable, "-m", "ci.changes", "--base", "HEAD^"]
    said = subprocess.run(command, cwd=tmp_path, env=command_env() | {"PYTHONPATH": str(REPO_ROOT)},
                          capture_output=True, text=True)
    assert said.stdout == "pipeline=false\n", said.stderr
