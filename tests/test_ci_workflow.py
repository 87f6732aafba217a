"""The CI workflow is valid GitHub Actions and runs what it promises."""

import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pipeline.yml"


def test_workflow_matches_the_github_actions_schema():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["pipeline"]["steps"]


def test_workflow_runs_tests_smoke_and_the_pull_request_script():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]["pull_request"]["paths"]
    assert {"params.yaml", "dvc.yaml", "locate/**", "stages/**", "ci/**"} <= set(triggers)
    commands = "\n".join(step.get("run", "") for step in _steps())
    for expected in ("make test", "make smoke", "python -m ci.pull_request", "GITHUB_STEP_SUMMARY", "gh pr comment"):
        assert expected in commands
    assert "make repro" not in commands


def test_workflow_restores_the_base_cache_and_saves_it_from_main_only():
    steps = _steps()
    restore = next(step for step in steps if step.get("uses", "").startswith("actions/cache/restore"))
    assert restore["with"]["path"] == ".dvc/cache" and "hashFiles('dvc.lock')" in restore["with"]["key"]
    assert restore["with"]["restore-keys"] == "dvc-cache-"
    save = next(step for step in steps if step.get("uses", "").startswith("actions/cache/save"))
    assert "refs/heads/main" in save["if"] and save["with"]["key"] == restore["with"]["key"]


def test_comment_only_where_the_token_may_write_and_artifacts_always():
    steps = _steps()
    comment = next(step for step in steps if "gh pr comment" in step.get("run", ""))
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    summary = next(step for step in steps if "GITHUB_STEP_SUMMARY" in step.get("run", ""))
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert summary["if"] == upload["if"] == "always()"


def test_ci_script_runs_the_readme_test_command():
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert "make test" in (REPO_ROOT / "README.md").read_text()
