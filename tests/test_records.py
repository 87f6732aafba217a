"""Metrics records: written as plain JSON and read back equal; a malformed file is a UserError naming it."""

import dataclasses
import json

import pytest

from locate.errors import UserError
from locate.records.detector import CheckpointChoice, DetectorDetails, DetectorMetrics, LevelRecord
from locate.records.keypoints import (
    Ceiling,
    Decoding,
    KeypointEvaluation,
    KeypointFiles,
    KeypointMetrics,
    KeypointPck,
    MethodScores,
)
from locate.records.reading import read_record
from locate.records.speed import EvaluationSpeed, GenerationSpeed, RuntimeRecord, TrainingSpeed
from locate.records.writing import write_record
from tests.method_records import method_record

RUNTIME = RuntimeRecord("cpu", "Some CPU", "bf16", 2, 1)
PCK = {"pck_05": 0.5, "pck_10": 0.75, "pck_15": 0.875, "pck_20": 1.0}
SCORES = method_record(PCK, PCK, shift_gain=0.25, parameters=1234)
PER_KEYPOINT = KeypointPck({"head": 1.0, "left_hand": 0.5}, {"head": 1.0, "left_hand": 1.0})
LEVEL = LevelRecord(4, 56, [16.0, 24.0], {"circle": 3, "square": 0}, {"circle": 5, "square": 1}, 49)
DETECTOR = DetectorMetrics(0.5, 0.25, None, {"circle": 0.75, "square": None},
                           {"small": 0.5, "medium": None, "large": 0.25}, 16, 123456)
DETAILS = DetectorDetails(CheckpointChoice("val_map50", 16, 50), 0.95, 17, {"scale1": LEVEL, "scale2": LEVEL},
                          {"scale1+scale2": 3})
KEYPOINTS = KeypointMetrics({"regression": SCORES}, {"sigma_1": SCORES},
                            {"regression": PER_KEYPOINT, "ablation_sigma_1": PER_KEYPOINT},
                            {"random_assignment": Ceiling(PCK), "best_possible": Ceiling(PCK)},
                            KeypointEvaluation({"both_wrong": 3}, Decoding(True, 1.5, 200)))
RECORDS = [
    DETECTOR,
    DETAILS,
    SCORES,
    PER_KEYPOINT,
    KEYPOINTS.evaluation,
    TRAINING := TrainingSpeed(12.5, 3, 100, 24.0, RUNTIME),
    RESUMED := TrainingSpeed(12.5, 3, 100, 16.0, RUNTIME, timed_epochs=2),
    EVALUATION := EvaluationSpeed(2.5, 200, {"heatmap": 3.25, "regression": 2.0}, RUNTIME),
    GenerationSpeed(1.25),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_a_record_reads_back_as_it_was_written(tmp_path, record):
    path = tmp_path / "record.json"
    write_record(path, record)
    assert read_record(path, type(record)) == record


def test_the_files_are_plain_json_with_names_as_keys(tmp_path):
    write_record(tmp_path / "detector.json", DETECTOR)
    written = json.loads((tmp_path / "detector.json").read_text())
    assert list(written) == ["map50", "map50_95", "map50_visible", "ap50", "ap50_area", "epoch", "parameters"]
    assert written["map50_visible"] is None and written["ap50_area"]["medium"] is None
    write_record(tmp_path / "details.json", DETAILS)
    written = json.loads((tmp_path / "details.json").read_text())
    assert written["levels"]["scale1"]["true_positives"] == {"circle": 3, "square": 0}
    assert written["checkpoint"] == {"rule": "val_map50", "epoch": 16, "epochs": 50}


def test_the_keypoint_records_are_one_file_per_model_and_read_back_as_written(tmp_path):
    files = KeypointFiles(tmp_path)
    (tmp_path / "keypoints").mkdir()
    (tmp_path / "keypoints" / "removed_method.json").write_text("{}")
    files.write(KEYPOINTS)
    names = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.json"))
    assert names == ["ablations/sigma_1.json", "ceilings/best_possible.json", "ceilings/random_assignment.json",
                     "keypoint_evaluation.json", "keypoints/regression.json", "per_keypoint/ablation_sigma_1.json",
                     "per_keypoint/regression.json"]
    assert json.loads((tmp_path / "keypoints" / "regression.json").read_text()) == dataclasses.asdict(SCORES)
    assert files.read(["regression"], ["sigma_1"]) == KEYPOINTS
    with pytest.raises(UserError, match="keypoints/heatmap.json: file not found"):
        files.read(["heatmap"], [])


def test_the_runtime_block_is_nested_in_every_speed_record_that_ran_models(tmp_path):
    for name, record in (("train", TRAINING), ("evaluate", EVALUATION)):
        write_record(tmp_path / f"{name}.json", record)
        assert json.loads((tmp_path / f"{name}.json").read_text())["runtime"]["threads"] == 2


def test_timed_epochs_is_written_only_when_a_resumed_run_did_not_time_them_all(tmp_path):
    whole, resumed = TRAINING, RESUMED
    write_record(tmp_path / "whole.json", whole)
    write_record(tmp_path / "resumed.json", resumed)
    assert "timed_epochs" not in json.loads((tmp_path / "whole.json").read_text())
    assert json.loads((tmp_path / "resumed.json").read_text())["timed_epochs"] == 2
    assert (whole.timed, resumed.timed) == (3, 2) and whole.seconds == 12.5


def test_an_integer_is_read_as_a_float_where_a_number_is_expected(tmp_path):
    (tmp_path / "generate.json").write_text('{"seconds": 2}')
    record = read_record(tmp_path / "generate.json", GenerationSpeed)
    assert record.seconds == 2.0 and isinstance(record.seconds, float)


def _written(tmp_path, record, change) -> object:
    path = tmp_path / "metrics.json"
    write_record(path, record)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["levels"]["scale2"].update(stride="4"), "key 'levels.scale2.stride': got '4', expected an integer"),
    (lambda d: d["levels"]["scale1"].update(stride=True), "key 'levels.scale1.stride': got True, expected an integer"),
    (lambda d: d.pop("recall_ceiling"), "key 'recall_ceiling': missing"),
    (lambda d: d.update(scale_specialization={}), "key 'scale_specialization': unknown key; allowed: checkpoint"),
    (lambda d: d["levels"].update(scale3=[1, 2]), "key 'levels.scale3': got [1, 2], expected a mapping with keys"),
    (lambda d: d["levels"]["scale1"].update(anchor_sizes=16), "'levels.scale1.anchor_sizes': got 16, expected a list"),
])
def test_a_malformed_detector_details_record_names_the_file_and_the_key(tmp_path, change, message):
    path = _written(tmp_path, DETAILS, change)
    with pytest.raises(UserError, match="^" + str(path).replace(".", r"\.") + ": ") as raised:
        read_record(path, DetectorDetails)
    assert message in str(raised.value)


def test_a_malformed_detector_metrics_record_names_the_key(tmp_path):
    path = _written(tmp_path, DETECTOR, lambda d: d["ap50"].update(circle="high"))
    with pytest.raises(UserError, match="metrics.json: key 'ap50.circle': got 'high', expected a number or null"):
        read_record(path, DetectorMetrics)


def test_a_method_record_with_an_unknown_key_is_rejected(tmp_path):
    path = _written(tmp_path, SCORES, lambda data: data.update(config={"model": "heatmap"}))
    with pytest.raises(UserError, match="metrics.json: key 'config': unknown key"):
        read_record(path, MethodScores)


def test_a_missing_or_invalid_file_is_a_user_error_naming_it(tmp_path):
    with pytest.raises(UserError, match="absent.json: file not found"):
        read_record(tmp_path / "absent.json", GenerationSpeed)
    (tmp_path / "broken.json").write_text('{"seconds": ')
    with pytest.raises(UserError, match="broken.json: not valid JSON"):
        read_record(tmp_path / "broken.json", GenerationSpeed)
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(UserError, match="list.json: got .*, expected a mapping with keys seconds"):
        read_record(tmp_path / "list.json", GenerationSpeed)
