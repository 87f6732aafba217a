"""``python -m locate.predict`` and :func:`locate.predict.load_model`: equal to the evaluation on the val images of
the tiny pipeline's models, the same records from paths, PIL images and arrays, predictions mapped back to an
image's own size, and one line with exit code 2 for each bad input, nothing left behind."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from benchmarks import predict_speed
from locate.checkpoint import save_checkpoint, save_torch
from locate.detection.config import DetectorConfig, read_detector_eval
from locate.detection.model import Detector
from locate.detection.recipes import RECIPES, RecipeFiles
from locate.errors import UserError, run_stage
from locate.keypoints.config import read_keypoints_eval
from locate.keypoints.method import HeatmapSettings, MethodConfig, build_model
from locate.keypoints_eval.inference import in_image_pixels
from locate.predict import DETECTOR_POSTPROCESS, KEYPOINT_DECODING, load_model, main
from tests.stage_runner import REPO_ROOT

BOX_TOLERANCE = 0.05  # pixels
SCORE_TOLERANCE = 1e-3
KEYPOINT_METHODS = ("heatmap", "regression", "integral")
TINY_CONFIG = DetectorConfig([4, 4, 8, 8, 8], [[16, 24, 32], [48, 64, 96], [96, 128, 192]], 3, 224)
NAMES = ["circle", "square", "triangle"]
FP32_CPU = {"device": "cpu", "precision": "fp32", "threads": 1}  # as the tiny params run the evaluation


def _val_images(project: Path, kind: str) -> tuple[list[Path], list[int]]:
    """The val images' paths and ids of dataset ``kind`` (``detection`` or ``keypoints``) in ``project``."""
    document = json.loads((project / f"data/{kind}/val.json").read_text())
    images = document["images"]
    return [project / f"data/{kind}/val" / image["file_name"] for image in images], [image["id"] for image in images]


def _detection_differences(ours: list[dict], theirs: list[dict]) -> tuple[float, float]:
    """Largest box and score differences between each of ``theirs`` (COCO results of one image) and the detection of
    ``ours`` of its category nearest to it; infinite when the counts differ."""
    if len(ours) != len(theirs):
        return float("inf"), float("inf")
    box, score = 0.0, 0.0
    left = list(ours)
    for expected in theirs:
        same_class = [d for d in left if d["category_id"] == expected["category_id"]]
        if not same_class:
            return float("inf"), float("inf")
        gaps = [max(abs(a - b) for a, b in zip(d["bbox"], expected["bbox"], strict=True)) for d in same_class]
        nearest = same_class[int(np.argmin(gaps))]
        left.remove(nearest)
        box, score = max(box, min(gaps)), max(score, abs(nearest["score"] - expected["score"]))
    return box, score


@pytest.mark.parametrize("recipe", RECIPES)
def test_detections_equal_the_evaluation(tiny_baseline, recipe):
    files = RecipeFiles.of(recipe)
    paths, ids = _val_images(tiny_baseline, "detection")
    records = load_model(tiny_baseline / files.checkpoint, **FP32_CPU).predict(paths, batch_size=3)
    written = json.loads((tiny_baseline / files.predictions).read_text())
    assert written, "the tiny evaluation found nothing to compare"
    differences = [_detection_differences(record["detections"], [w for w in written if w["image_id"] == image_id])
                   for record, image_id in zip(records, ids, strict=True)]
    box, score = max(d[0] for d in differences), max(d[1] for d in differences)
    print(f"{recipe}: {len(written)} detections, largest differences: box {box} px, score {score}")
    assert box <= BOX_TOLERANCE and score <= SCORE_TOLERANCE
    assert [record["image"] for record in records] == list(map(str, paths))
    assert {d["category"] for r in records for d in r["detections"]} <= set(NAMES)


@pytest.mark.parametrize("method", KEYPOINT_METHODS)
def test_keypoints_equal_the_evaluation(tiny_baseline, method):
    paths, ids = _val_images(tiny_baseline, "keypoints")
    records = load_model(tiny_baseline / f"models/keypoints/{method}.pt", **FP32_CPU).predict(paths)
    written = {entry["image_id"]: entry["keypoints"]
               for entry in json.loads((tiny_baseline / f"predictions/keypoints/{method}.json").read_text())}
    ours = torch.tensor([[[k["x"], k["y"]] for k in record["keypoints"]] for record in records])
    theirs = torch.tensor([written[image_id] for image_id in ids])
    largest = float((ours - theirs).abs().max())
    print(f"{method}: largest keypoint difference {largest} px")
    assert largest <= BOX_TOLERANCE
    assert [k["name"] for k in records[0]["keypoints"]] == ["head", "left_hand", "right_hand", "left_foot",
                                                             "right_foot"]


def test_the_command_writes_the_records_and_a_picture_per_image(tiny_baseline, tmp_path):
    paths, _ = _val_images(tiny_baseline, "detection")
    model = tiny_baseline / RecipeFiles.of("improved").checkpoint
    run_stage(lambda: main(["--model", str(model), "--out", str(tmp_path / "out"), "--device", "cpu", "--precision",
                            "fp32", "--threads", "1", str(paths[0].parent)]))
    written = json.loads((tmp_path / "out/predictions.json").read_text())
    assert written == load_model(model, **FP32_CPU).predict(sorted(paths))
    assert sorted(p.name for p in (tmp_path / "out/pictures").iterdir()) == sorted(f"{p.stem}.png" for p in paths)


def test_the_defaults_are_those_of_params_yaml(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert DETECTOR_POSTPROCESS == read_detector_eval().postprocess
    assert KEYPOINT_DECODING == read_keypoints_eval().decoding


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """Untrained checkpoints with the trainers' meta: a narrow detector and a heatmap model."""
    folder = tmp_path_factory.mktemp("models")
    torch.manual_seed(0)
    save_checkpoint(folder / "detector.pt", Detector(TINY_CONFIG),
                    {"config": TINY_CONFIG.to_dict(), "category_names": NAMES, "epoch": 1})
    heatmap = MethodConfig.for_model("heatmap", "mse", HeatmapSettings(32, 2.0, False), 0.1)
    save_checkpoint(folder / "heatmap.pt", build_model(heatmap), {"config": heatmap.to_meta(), "name": "heatmap"})
    return {"detector": folder / "detector.pt", "heatmap": folder / "heatmap.pt"}


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    """A 224x224 RGB PNG of a few filled shapes."""
    pixels = np.full((224, 224, 3), 255, dtype=np.uint8)
    pixels[40:100, 30:90] = (200, 30, 30)
    pixels[120:200, 110:190] = (30, 160, 30)
    path = tmp_path_factory.mktemp("images") / "scene.png"
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.parametrize("kind", ["detector", "heatmap"])
def test_paths_pil_images_and_arrays_give_the_same_records(models, scene, kind):
    model = load_model(models[kind], **FP32_CPU)
    image = Image.open(scene)
    from_path, from_image, from_array = model.predict([scene, image, np.asarray(image)])
    assert from_path["image"] == str(scene) and from_image["image"] is None
    assert from_image == from_array == from_path | {"image": None}


def test_boxes_and_keypoints_are_mapped_back_to_the_image_size(models, scene):
    detector = load_model(models["detector"], **FP32_CPU, score_threshold=0.0)
    prepared = detector.stream([scene]).__next__()[0]
    same, wider = detector.applied.records([prepared, replace(prepared, width=448, height=336)])
    assert same["detections"]
    for small, large in zip(same["detections"], wider["detections"], strict=True):
        scaled = [value * factor for value, factor in zip(small["bbox"], (2, 1.5, 2, 1.5), strict=True)]
        assert large["bbox"] == pytest.approx(scaled, abs=0.011)
    points = torch.tensor([[0.0, 0.0], [127.0, 63.5]])
    assert in_image_pixels(points, 128, 128, 128) is points
    assert in_image_pixels(points, 256, 64, 128).tolist() == [[0.5, -0.25], [254.5, 31.5]]


def test_a_large_jpeg_in_another_mode_is_read_and_drawn(models, tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("CMYK", (640, 480), (0, 0, 0, 0)).save(path)
    out = tmp_path / "out"
    run_stage(lambda: main(["--model", str(models["heatmap"]), "--out", str(out), "--threads", "1", str(path)]))
    record = json.loads((out / "predictions.json").read_text())[0]
    assert all(-0.5 <= k["x"] <= 639.5 and -0.5 <= k["y"] <= 479.5 for k in record["keypoints"])
    assert max(Image.open(out / "pictures/photo.png").size) >= 384


def _bad_input(tmp_path, capsys, make) -> tuple[str, Path]:
    """Run the command on what ``make(folder)`` returns (its arguments but --out): the one line it wrote, after
    checking exit code 2 and that ``--out`` holds only what it held before."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "kept.txt").write_text("a file of the user's")
    arguments = make(tmp_path)
    arguments = ["--threads", "1", *([] if "--out" in arguments else ["--out", str(out)]), *arguments]
    with pytest.raises(SystemExit) as ended:
        run_stage(lambda: main(arguments))
    assert ended.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert sorted(p.name for p in out.iterdir()) == ["kept.txt"]
    return lines[0], out


def _truncated_folder(folder: Path, scene: Path) -> Path:
    images = folder / "images"
    images.mkdir()
    for index in range(10):  # more than a batch before the bad image
        (images / f"{index:03d}.png").write_bytes(scene.read_bytes())
    (images / "100.png").write_bytes(scene.read_bytes()[:300])
    (images / "101.png").write_bytes(scene.read_bytes())
    return images


@pytest.mark.parametrize("case", ["text file", "truncated image", "empty folder", "missing image", "corrupt model",
                                  "foreign model", "pickled object", "older detector", "older keypoints",
                                  "no config",
                                  "out is a file",
                                  "out under a file", "bad option"])
def test_bad_input_is_one_line_naming_the_file_and_nothing_is_left(models, scene, tmp_path, capsys, case):
    def make(folder: Path) -> list[str]:
        model = str(models["detector"])
        if case == "text file":
            (folder / "notes.png").write_text("not an image")
            return ["--model", model, str(folder / "notes.png")]
        if case == "truncated image":
            return ["--model", model, "--batch-size", "4", str(_truncated_folder(folder, scene))]
        if case == "empty folder":
            (folder / "empty").mkdir()
            (folder / "empty/readme.txt").write_text("no images")
            return ["--model", model, str(folder / "empty")]
        if case == "missing image":
            return ["--model", model, str(folder / "absent.png")]
        if case == "corrupt model":
            (folder / "model.pt").write_bytes(models["detector"].read_bytes()[:1000])
        if case == "foreign model":
            save_torch(folder / "model.pt", {"weights": torch.zeros(3)})
        if case == "pickled object":
            torch.save({"model": {}, "config": {"channels": Path("x")}}, folder / "model.pt")
        if case == "older detector":
            checkpoint = torch.load(models["detector"], weights_only=True)
            del checkpoint["category_names"]
            save_torch(folder / "model.pt", checkpoint)
        if case == "older keypoints":
            checkpoint = torch.load(models["heatmap"], weights_only=True)
            del checkpoint["config"]["image_size"]
            save_torch(folder / "model.pt", checkpoint)
        if case == "no config":
            checkpoint = torch.load(models["heatmap"], weights_only=True)
            del checkpoint["config"]
            save_torch(folder / "model.pt", checkpoint)
        if case == "out is a file":
            (folder / "taken").write_text("")
            return ["--model", model, "--out", str(folder / "taken"), str(scene)]
        if case == "out under a file":
            (folder / "taken").write_text("")
            return ["--model", model, "--out", str(folder / "taken/results"), str(scene)]
        if case == "bad option":
            return ["--model", model, "--score-threshold", "1.5", str(scene)]
        return ["--model", str(folder / "model.pt"), str(scene)]

    line, _ = _bad_input(tmp_path, capsys, make)
    named = {"text file": "notes.png", "truncated image": "100.png", "empty folder": "empty",
             "missing image": "absent.png", "out is a file": "taken", "out under a file": "taken/results",
             "bad option": "--score-threshold"}
    assert line.startswith("error: ") and named.get(case, "model.pt") in line
    if case.startswith("older") or case == "no config":
        assert "rebuild it with `dvc repro --force" in line


def test_an_array_of_the_wrong_type_is_named_by_its_place(models):
    with pytest.raises(UserError, match=r"image 1: expected a uint8 array"):
        load_model(models["heatmap"], **FP32_CPU).predict([np.zeros((8, 8), np.uint8), np.zeros((8, 8))])


def test_the_speed_benchmark_runs_on_tiny_settings(tiny_baseline, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    out = tmp_path / "predict_speed.json"
    models = [tiny_baseline / "models/detector.pt", tiny_baseline / "models/keypoints/integral.pt"]
    predict_speed.main(["--models", *map(str, models), "--runs", "1", "--batches", "1", "--rounds", "1",
                        "--stream-images", "10", "--precision", "fp32", "--out", str(out)])
    results = json.loads(out.read_text())
    assert set(results["models"]) == {str(path.with_suffix("")) for path in models}
    for speed in results["models"].values():
        assert 0 < speed["latency_ms_batch1"]["best"] <= speed["latency_ms_batch1"]["median"]
        assert speed["throughput_images_per_second_batch32"]["best"] > 0
    assert [run["images"] for run in results["stream"]["runs"]] == [1, 10]
    assert all(run["peak_rss_mib"] > 0 for run in results["stream"]["runs"])
