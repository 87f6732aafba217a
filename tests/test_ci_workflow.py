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


def test_workflow_runs_tests_pipeline_and_posts_diffs():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]["pull_request"]["paths"]
    assert {"params.yaml", "dvc.yaml", "locate/**", "stages/**"} <= set(triggers)
    commands = "\n".join(step.get("run", "") for step in workflow["jobs"]["repro"]["steps"])
    for expected in ("make test", "make repro", "dvc metrics diff", "dvc params diff", "GITHUB_STEP_SUMMARY"):
        assert expected in commands


def test_ci_script_runs_the_readme_test_command():
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert "make test" in (REPO_ROOT / "README.md").read_text()
