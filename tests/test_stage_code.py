"""A training's ``deps:`` names exactly the code it runs, as its imports say, every other stage's its module and
the library; the top-level metrics and plots follow the stages and the keypoint methods."""

import ast
import shutil
from pathlib import Path

import yaml

from tools.stage_code import DVC_YAML, code_files, declared_code, mismatches, stage_module, written_dvc_yaml
from tools.tiny import REPO_ROOT


def test_every_stage_lists_the_code_its_rule_asks():
    assert mismatches() == {}


def test_the_committed_dvc_yaml_is_what_make_deps_writes():
    assert (REPO_ROOT / DVC_YAML).read_text() == written_dvc_yaml(), (
        "dvc.yaml differs from what `make deps` writes (code deps from the imports, top-level metrics and plots "
        "from the stages and the keypoint methods): run `make deps` and commit dvc.yaml")


def test_a_new_method_joins_the_metrics_and_plots_make_deps_writes(tmp_path):
    for name in ("locate", "stages"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / DVC_YAML, tmp_path / DVC_YAML)
    params = yaml.safe_load((REPO_ROOT / "params.yaml").read_text())
    params["keypoints"]["methods"]["integral"]["integral_plain"] = {"loss": "l1"}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    written = yaml.safe_load(written_dvc_yaml(tmp_path))
    assert "live/train_keypoints_integral_plain/metrics.json" in written["metrics"]
    charts = {next(iter(entry)): next(iter(entry.values())) for entry in written["plots"] if isinstance(entry, dict)}
    assert "course_integral_plain" in charts["course_pck"]["y"]["plots/keypoints/pck.csv"]
    epoch_pck = charts["keypoint_val_pck"]
    assert epoch_pck["y"]["plots/keypoints/integral_plain_history.csv"] == "val_pck_symmetric_05"
    live = "live/train_keypoints_integral_plain/plots/metrics/val/pck_symmetric_05.tsv"
    assert epoch_pck["y"][live] == "pck_symmetric_05" and epoch_pck["x"][live] == "step"
    assert list(epoch_pck["x"]) == list(epoch_pck["y"])  # DVC pairs each x with its y by position
    assert "plots/keypoints/integral_plain_history.csv" not in charts["ablation_val_pck"]["y"]
    assert not any(isinstance(entry, str) and entry.startswith("live/") for entry in written["plots"])


def test_make_deps_writes_a_new_import_and_shares_equal_lists(tmp_path):
    _write(tmp_path, {
        "stages/__init__.py": "", "locate/__init__.py": "", "locate/a.py": "", "locate/b.py": "", "locate/c.py": "",
        "stages/fit.py": "from locate import a\n",
        "dvc.yaml": "stages:\n  fit:\n    cmd: python -m stages.fit\n    deps:\n      - stages/fit.py  # kept\n"
                    "      - data/x\n    outs:\n      - models/m.pt\n  fit_more:\n    cmd: python -m stages.fit more\n"
                    "    deps:\n      - stages/fit.py\n      - data/x\n    outs:\n      - models/n.pt\n"
                    "  score:\n    cmd: python -m stages.fit score\n    deps:\n      - stages/fit.py\n"
                    "      - locate/a.py\n",
    })
    (tmp_path / "locate" / "a.py").write_text("from locate import b\n")
    assert written_dvc_yaml(tmp_path) == (
        "stages:\n  fit:\n    cmd: python -m stages.fit\n    deps: &fit_deps\n      - stages/fit.py\n"
        "      - locate/a.py\n      - locate/b.py\n      - data/x\n    outs:\n      - models/m.pt\n"
        "  fit_more:\n    cmd: python -m stages.fit more\n    deps: *fit_deps\n    outs:\n      - models/n.pt\n"
        "  score:\n    cmd: python -m stages.fit score\n    deps:\n      - stages/fit.py\n      - locate\n")


def test_a_folder_whose_every_module_a_training_runs_is_named_by_the_folder(tmp_path):
    _write(tmp_path, {
        "stages/__init__.py": "", "locate/__init__.py": "", "locate/unused.py": "",
        "locate/model/__init__.py": "", "locate/model/net.py": "from locate.model import parts\n",
        "locate/model/parts.py": "", "locate/model/heads/__init__.py": "", "locate/model/heads/box.py": "",
        "locate/eval/__init__.py": "", "locate/eval/score.py": "", "locate/eval/draw.py": "",
        "stages/fit.py": "from locate.model import net\nfrom locate.model.heads import box\n"
                         "from locate.eval import score\n",
        "dvc.yaml": "stages:\n  fit:\n    cmd: python -m stages.fit\n    deps:\n      - stages/fit.py\n"
                    "    outs:\n      - models/m.pt\n",
        "params.yaml": "{}\n",
    })
    written = written_dvc_yaml(tmp_path)
    assert yaml.safe_load(written)["stages"]["fit"]["deps"] == ["stages/fit.py", "locate/eval/score.py", "locate/model"]
    (tmp_path / DVC_YAML).write_text(written)
    assert mismatches(tmp_path) == {}  # the folder stands for its modules


def test_package_init_files_hold_no_code():
    for path in [*REPO_ROOT.glob("locate/**/__init__.py"), REPO_ROOT / "stages" / "__init__.py"]:
        body = ast.parse(path.read_text()).body
        assert all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body), path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_code_is_followed_through_imports_and_resources(tmp_path):
    _write(tmp_path, {
        "stages/__init__.py": "",
        "stages/fit.py": "import json\nfrom locate import shared\n",
        "locate/__init__.py": "",
        "locate/shared.py": "def run():\n    from locate.deep.leaf import VALUE\n",
        "locate/deep/__init__.py": "",
        "locate/deep/leaf.py": "VALUE = 1\n",
        "locate/deep/leaf.md": "a template\n",
        "locate/unused.py": "",
    })
    expected = {"stages/fit.py", "locate/shared.py", "locate/deep/leaf.py", "locate/deep/leaf.md"}
    assert code_files(tmp_path, "stages.fit") == expected


def test_folders_in_deps_stand_for_their_files(tmp_path):
    _write(tmp_path, {"locate/data/a.py": "", "locate/data/__init__.py": "", "locate/b.py": ""})
    assert declared_code(tmp_path, ["locate/data", "locate/b.py", "data/detection"]) == {"locate/data/a.py",
                                                                                        "locate/b.py"}


def test_stage_module_reads_the_command():
    assert stage_module("python -m stages.train_keypoints ablation sigma_1") == "stages.train_keypoints"
