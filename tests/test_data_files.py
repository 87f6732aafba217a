"""Determinism, COCO compatibility, the course importer, readers and bad input."""

import json
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image
from pycocotools.coco import COCO

from locate.data.coco import course_from_coco
from locate.data.course_import import import_course_datasets
from locate.data.datasets import load_detection, load_keypoints
from locate.data.generate import generate_datasets
from locate.data.keypoint_files import course_from_keypoints
from locate.errors import UserError


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("small")
    generate_datasets(root, seed=7, num_train=12, num_val=5)
    return root


def test_same_params_give_identical_bytes(small_data, tmp_path):
    generate_datasets(tmp_path, seed=7, num_train=12, num_val=5, workers=1)
    assert _tree(tmp_path) == _tree(small_data)


def test_other_seed_gives_other_data(small_data, tmp_path):
    generate_datasets(tmp_path, seed=8, num_train=12, num_val=5)
    assert (tmp_path / "detection" / "val.json").read_text() != (small_data / "detection" / "val.json").read_text()
    assert (tmp_path / "keypoints" / "val.json").read_text() != (small_data / "keypoints" / "val.json").read_text()


def test_pycocotools_reads_our_detection_json(small_data):
    ours = json.loads((small_data / "detection" / "train.json").read_text())
    coco = COCO(str(small_data / "detection" / "train.json"))
    assert len(coco.getImgIds()) == len(ours["images"]) == 12
    assert len(coco.getAnnIds()) == len(ours["annotations"])
    assert sorted(coco.getCatIds()) == [0, 1, 2]
    assert min(a["id"] for a in ours["annotations"]) == 1
    first = coco.loadAnns(coco.getAnnIds(imgIds=[0]))[0]
    assert first["iscrowd"] == 0 and len(first["bbox"]) == 4


def test_readers_give_tensors(small_data):
    detection = load_detection(small_data / "detection", "val")
    assert detection.images.shape == (5, 3, 224, 224) and detection.images.dtype == torch.uint8
    assert detection.image_ids.tolist() == [12, 13, 14, 15, 16]
    document = json.loads((small_data / "detection" / "val.json").read_text())
    first = [a for a in document["annotations"] if a["image_id"] == 12]
    x, y, w, h = first[0]["bbox"]
    assert detection.boxes[0][0].tolist() == [x, y, x + w, y + h]
    assert detection.labels[0].tolist() == [a["category_id"] for a in first]
    keypoints = load_keypoints(small_data / "keypoints", "train")
    assert keypoints.images.shape == (12, 1, 128, 128) and keypoints.keypoints.shape == (12, 5, 2)
    assert keypoints.keypoint_names[0] == "head"


def _as_course_folder(ours: Path, course: Path) -> None:
    for task, convert in (("detection", course_from_coco), ("keypoints", course_from_keypoints)):
        for split in ("train", "val"):
            shutil.copytree(ours / task / split, course / task / split)
            document = json.loads((ours / task / f"{split}.json").read_text())
            (course / task / f"{split}_annotations.json").write_text(json.dumps(convert(document)))


def test_course_importer_writes_the_generated_bytes(small_data, tmp_path):
    """Importing a course folder that holds the generated data writes byte-identical files (so DVC sees the
    same hashes and no training goes stale)."""
    _as_course_folder(small_data, tmp_path / "datasets")
    import_course_datasets(tmp_path / "datasets", tmp_path / "imported")
    assert _tree(tmp_path / "imported") == _tree(small_data)


def test_a_bad_course_folder_is_named_as_the_user_wrote_it(small_data, tmp_path):
    _as_course_folder(small_data, tmp_path / "datasets")
    written = tmp_path / "datasets" / "detection" / "val_annotations.json"
    _edit_json(written, _set_first("annotations", "bbox", [200, 200, 260, 250]))
    first = json.loads(written.read_text())["annotations"][0]["id"]
    with pytest.raises(UserError) as caught:
        import_course_datasets(tmp_path / "datasets", tmp_path / "imported")
    assert str(caught.value).startswith(f"{written}: annotation {first} box ") and ".tmp" not in str(caught.value)
    _as_course_folder(small_data, tmp_path / "again")
    (tmp_path / "again" / "keypoints" / "train" / "000003.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(UserError, match=f"^{tmp_path / 'again' / 'keypoints' / 'train' / '000003.png'}: not a"):
        import_course_datasets(tmp_path / "again", tmp_path / "imported")
    assert not (tmp_path / "imported" / "keypoints").exists()


def test_missing_image_is_a_user_error(small_data, tmp_path):
    shutil.copytree(small_data / "detection", tmp_path / "detection")
    (tmp_path / "detection" / "val" / "000013.png").unlink()
    with pytest.raises(UserError, match="000013.png: image file not found"):
        load_detection(tmp_path / "detection", "val")


def test_corrupt_image_is_a_user_error(small_data, tmp_path):
    shutil.copytree(small_data / "keypoints", tmp_path / "keypoints")
    (tmp_path / "keypoints" / "train" / "000003.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(UserError, match="000003.png: not a readable PNG"):
        load_keypoints(tmp_path / "keypoints", "train")


def test_corrupt_annotations_are_a_user_error(small_data, tmp_path):
    shutil.copytree(small_data / "detection", tmp_path / "detection")
    (tmp_path / "detection" / "train.json").write_text('{"images": [')
    with pytest.raises(UserError, match="train.json: not valid JSON"):
        load_detection(tmp_path / "detection", "train")
    with pytest.raises(UserError, match="val.json: file not found"):
        load_detection(tmp_path / "missing", "val")


def test_annotation_outside_its_image_is_a_user_error(small_data, tmp_path):
    shutil.copytree(small_data / "detection", tmp_path / "detection")
    document = json.loads((tmp_path / "detection" / "val.json").read_text())
    document["annotations"][0]["bbox"] = [200, 200, 50, 50]
    (tmp_path / "detection" / "val.json").write_text(json.dumps(document))
    with pytest.raises(UserError, match="is not inside its image"):
        load_detection(tmp_path / "detection", "val")


def _edit_json(path: Path, edit) -> None:
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))


def _set_first(section: str, key: str, value):
    return lambda document: document[section][0].__setitem__(key, value)


@pytest.mark.parametrize(
    ("task", "edit", "message"),
    [
        ("detection", _set_first("annotations", "image_id", 99999), "refers to unknown image 99999"),
        ("detection", _set_first("annotations", "category_id", 7), "has unknown category 7"),
        ("detection", _set_first("annotations", "bbox", [-3, 10, 20, 20]), "is not inside its image"),
        ("detection", lambda d: d["annotations"][0].pop("bbox"), "each annotation must be an object with keys"),
        ("keypoints", _set_first("images", "keypoints", [[10, 10]] * 4), "must have 5 keypoints"),
        ("keypoints", _set_first("images", "keypoints", [[130, 10]] * 5), "has a keypoint outside the image"),
        ("keypoints", lambda d: d.__setitem__("images", []), "the split has no images"),
    ],
    ids=["unknown-image", "unknown-category", "negative-box", "no-bbox", "keypoint-count", "keypoint-outside",
         "empty-split"],
)
def test_bad_annotations_name_the_file(small_data, tmp_path, task, edit, message):
    shutil.copytree(small_data / task, tmp_path / task)
    _edit_json(tmp_path / task / "val.json", edit)
    load = load_detection if task == "detection" else load_keypoints
    with pytest.raises(UserError, match=message) as caught:
        load(tmp_path / task, "val")
    assert "val" in str(caught.value)


def test_image_of_the_wrong_size_names_the_file(small_data, tmp_path):
    shutil.copytree(small_data / "keypoints", tmp_path / "keypoints")
    image = tmp_path / "keypoints" / "val" / "000012.png"
    Image.open(image).resize((64, 64)).save(image)
    with pytest.raises(UserError, match="000012.png: expected a 128x128 L image, got 64x64 L"):
        load_keypoints(tmp_path / "keypoints", "val")


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    import locate.data.generate as generate

    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(generate, "_write_keypoints", fail)
    with pytest.raises(KeyboardInterrupt):
        generate.generate_datasets(tmp_path, seed=1, num_train=3, num_val=2)
    assert not (tmp_path / "keypoints").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["detection"]
