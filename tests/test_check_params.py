"""Every section of params.yaml is checked at once, before any stage runs.

Each case breaks one key of the repository's params (a type, a range, a cross-key rule,
an unknown key, a bad ablation variant) and expects a UserError naming that key; the
command itself must end with exit code 2 and one line, and pass on the real params.
"""

import copy

import pytest

from locate.data.config import MAX_IMAGES
from locate.errors import UserError
from locate.params import MAX_BATCH_SIZE, MAX_CANDIDATES, MAX_DRAWN_IMAGES, MAX_EPOCHS, MAX_SEED, MAX_TIMED_IMAGES
from stages.check_params import check_all_params
from tests.stage_runner import repo_params, run_stage, write_params

BAD_KEYS = [
    (("data", "num_train"), 0, "data.num_train"),
    (("data", "seed"), "641", "data.seed"),
    (("runtime", "threads"), -1, "runtime.threads"),
    (("runtime", "precision"), "fp8", "runtime.precision"),
    (("detector", "negative_iou"), 0.6, "detector.negative_iou"),
    (("detector", "positive_iou"), 1.5, "detector.positive_iou"),
    (("detector", "anchor_sizes"), [[16], [32, -8], [64]], "detector.anchor_sizes"),
    (("detector", "anchor_sizes"), [[16], [32], [64], [96], [128]], "detector.anchor_sizes"),
    (("detector", "channels"), [32, 64, 128, 256], "detector.channels"),
    (("detector", "epochs"), 0, "detector.epochs"),
    (("detector_eval", "postprocess", "nms_iou"), 0.0, "detector_eval.postprocess.nms_iou"),
    (("detector_eval", "postprocess", "score_threshold"), 1.0, "detector_eval.postprocess.score_threshold"),
    (("keypoints", "sigma"), -2.0, "keypoints.sigma"),
    (("keypoints", "heatmap_size"), 48, "keypoints.heatmap_size"),
    (("keypoints", "schedule", "batch_size"), 2.5, "keypoints.schedule.batch_size"),
    (("keypoints_eval", "decoding", "hand_pair_min_ratio"), 0.0, "keypoints_eval.decoding.hand_pair_min_ratio"),
    (("ablations", "sigma"), {"sigma_3": 0}, "ablations.sigma.sigma_3"),
    (("ablations", "heatmap_size"), {"size_32": 33}, "ablations.heatmap_size.size_32"),
    (("ablations", "skips"), {"skips_off": "no"}, "ablations.skips.skips_off"),
    (("ablations", "skip"), {"skips_off": False}, "ablations.skip"),
    (("keypoints", "methods"), {"heatmap": {"twin": {"loss": "mse"}}, "regression": {"twin": {"loss": "mse"}},
                                "integral": {}}, "keypoints.methods.regression.twin"),
    (("keypoints", "methods"), {"heatmap": {"heatmap": {"loss": "l2"}}, "regression": {}, "integral": {}},
     "keypoints.methods.heatmap.heatmap.loss"),
    (("keypoints", "regression_dropout"), 1.0, "keypoints.regression_dropout"),
]
# Counts far beyond any real run: each names its key and its upper bound.
HUGE_COUNTS = [
    (("data", "seed"), 2**64, "data.seed", MAX_SEED),
    (("data", "num_val"), 10**9, "data.num_val", MAX_IMAGES),
    (("detector", "epochs"), 10**12, "detector.epochs", MAX_EPOCHS),
    (("detector", "batch_size"), 10**7, "detector.batch_size", MAX_BATCH_SIZE),
    (("detector", "seed"), 2**70, "detector.seed", MAX_SEED),
    (("detector", "negatives_per_positive"), 10**9, "detector.negatives_per_positive", MAX_CANDIDATES),
    (("detector_eval", "postprocess", "top_k_per_level"), 10**9, "detector_eval.postprocess.top_k_per_level",
     MAX_CANDIDATES),
    (("detector_eval", "postprocess", "max_detections"), 10**9, "detector_eval.postprocess.max_detections",
     MAX_CANDIDATES),
    (("detector_eval", "batch_size"), 10**9, "detector_eval.batch_size", MAX_BATCH_SIZE),
    (("detector_eval", "drawing", "images"), 10**6, "detector_eval.drawing.images", MAX_DRAWN_IMAGES),
    (("detector_eval", "latency_images"), 10**9, "detector_eval.latency_images", MAX_TIMED_IMAGES),
    (("keypoints", "schedule", "epochs"), 10**12, "keypoints.schedule.epochs", MAX_EPOCHS),
    (("keypoints", "schedule", "batch_size"), 10**7, "keypoints.schedule.batch_size", MAX_BATCH_SIZE),
    (("keypoints", "schedule", "seed"), 2**64, "keypoints.schedule.seed", MAX_SEED),
    (("keypoints_eval", "drawing", "images"), 10**6, "keypoints_eval.drawing.images", MAX_DRAWN_IMAGES),
    (("keypoints_eval", "drawing", "failure_images"), 10**6, "keypoints_eval.drawing.failure_images", MAX_DRAWN_IMAGES),
]


def _set(params: dict, path: tuple[str, ...], value: object) -> dict:
    changed = copy.deepcopy(params)
    *parents, leaf = path
    part = changed
    for name in parents:
        part = part[name]
    part[leaf] = value
    return changed


@pytest.mark.parametrize(("path", "value", "key"), BAD_KEYS, ids=[".".join(case[0]) for case in BAD_KEYS])
def test_a_bad_value_in_any_section_names_its_key(tmp_path, monkeypatch, path, value, key):
    write_params(tmp_path, _set(repo_params(), path, value))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=f"params key '{key}'"):
        check_all_params()


@pytest.mark.parametrize(("path", "value", "key", "most"), HUGE_COUNTS, ids=[case[2] for case in HUGE_COUNTS])
def test_every_count_has_an_upper_bound_named_in_the_error(tmp_path, monkeypatch, path, value, key, most):
    write_params(tmp_path, _set(repo_params(), path, value))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=f"params key '{key}': got {value}, expected an integer from \\d+ to {most}$"):
        check_all_params()
    write_params(tmp_path, _set(repo_params(), path, most))
    check_all_params()


def test_an_unknown_section_is_named(tmp_path, monkeypatch):
    write_params(tmp_path, repo_params() | {"detectr": {"epochs": 3}})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="unknown section 'detectr'"):
        check_all_params()


def test_a_missing_section_is_named(tmp_path, monkeypatch):
    params = repo_params()
    del params["keypoints_eval"]
    write_params(tmp_path, params)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="missing section 'keypoints_eval'"):
        check_all_params()


def test_the_command_passes_the_real_params_and_fails_with_one_line(tmp_path):
    write_params(tmp_path, repo_params())
    assert run_stage(tmp_path, "check_params").returncode == 0
    write_params(tmp_path, _set(repo_params(), ("detector_eval", "postprocess", "max_detections"), 0))
    result = run_stage(tmp_path, "check_params")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "detector_eval.postprocess.max_detections" in result.stderr


def test_the_check_stage_declares_every_key_but_the_execution_settings():
    """So that a bad value of any key set with ``dvc exp run -S`` reruns the check, the first stage, and the execution
    settings still make no stage stale."""
    import yaml

    from locate.params import EXECUTION_SETTINGS
    from tests.stage_runner import REPO_ROOT

    declared = yaml.safe_load((REPO_ROOT / "dvc.yaml").read_text())["stages"]["check_params"]["params"]
    keys = {f"{section}.{key}" for section, values in repo_params().items() for key in values}
    covered = {key for key in keys if any(key == name or key.startswith(f"{name}.") for name in declared)}
    assert keys - covered == set(EXECUTION_SETTINGS)
