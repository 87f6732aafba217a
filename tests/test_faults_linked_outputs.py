"""An output folder linked to another place (another disk) is refused before a stage starts work.

DVC refuses outputs reached through a symlink out of the repository only once the stage has run. A training
stage with ``models`` linked out of its project must end at once with exit code 2 and the one line that names a
bind mount and DVC's cache settings, writing nothing there; a link that stays inside the project is accepted.
"""

from pathlib import Path

from locate.errors import refuse_linked_outputs
from tests.stage_runner import repo_params, run_stage, write_params


def test_a_training_refuses_models_linked_out_of_the_project(tmp_path):
    project, elsewhere = tmp_path / "project", tmp_path / "other-disk"
    project.mkdir()
    elsewhere.mkdir()
    (project / "models").symlink_to(elsewhere)
    write_params(project, repo_params())
    result = run_stage(project, "train_keypoints", "regression")
    assert result.returncode == 2, result.stderr
    target = str(elsewhere.resolve())
    assert result.stderr.count("\n") == 1 and result.stderr.count(target) == 1, result.stderr
    assert len(result.stderr) - len(target) <= 200, result.stderr
    assert result.stderr.startswith(f"error: models/ links to {target}, outside the repository")
    assert "a bind mount of it" in result.stderr and "(dvc cache dir)" in result.stderr
    assert list(elsewhere.iterdir()) == [] and not (project / ".resume").exists()


def test_a_link_inside_the_project_is_accepted(tmp_path):
    (tmp_path / "stored").mkdir()
    (tmp_path / "data").symlink_to(tmp_path / "stored")
    refuse_linked_outputs(Path(tmp_path))
