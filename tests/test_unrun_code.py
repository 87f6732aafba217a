"""The measure of a training's deps against the code it runs: a dep counts as run only when one of its
functions ran, not when it was merely imported."""

import textwrap

import yaml

from locate.detection.recipes import RECIPES, read_recipe
from locate.keypoints.config import read_schedule
from locate.params import read_section
from locate.runtime import RuntimeParams
from tests.stage_runner import repo_params, write_params
from tools.unrun_code import one_epoch, unrun_deps


def test_a_dep_only_imported_counts_as_never_run(tmp_path):
    (tmp_path / "locate").mkdir()
    (tmp_path / "stages").mkdir()
    for package in ("locate", "stages"):
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "locate" / "used.py").write_text("def twice(x):\n    return [2 * v for v in x]\n")
    (tmp_path / "locate" / "imported.py").write_text("LIMIT = 3\n\ndef never():\n    return LIMIT\n")
    (tmp_path / "stages" / "fake.py").write_text(textwrap.dedent("""
        from locate.imported import LIMIT
        from locate.used import twice

        if __name__ == "__main__":
            print(twice([LIMIT]))
    """))
    stage = {"cmd": "python -m stages.fake", "deps": ["stages/fake.py", "locate/used.py", "locate/imported.py"],
             "outs": ["out.txt"]}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"train_fake": stage}}))
    (tmp_path / "params.yaml").write_text("{}\n")
    assert unrun_deps(tmp_path, ("train_fake",)) == {"train_fake": ["locate/imported.py"]}


def test_the_trainings_are_cut_to_one_epoch_in_the_params_they_read(tmp_path, monkeypatch):
    write_params(tmp_path, repo_params())
    one_epoch(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert read_schedule().epochs == 1 and all(read_recipe(recipe).epochs == 1 for recipe in RECIPES)
    assert read_section("runtime", RuntimeParams).threads == 0
