"""Import a course ``datasets/`` folder (corner boxes, the course's JSON) into our layout.

The course writes ``datasets/detection/{split}/NNNNNN.png`` with
``datasets/detection/{split}_annotations.json``, and the same under ``keypoints/``.
:func:`import_course_datasets` validates every file and writes ``root/detection`` and
``root/keypoints`` exactly as :func:`locate.data.generate.generate_datasets` does.
"""

import re
import shutil
from pathlib import Path

from locate.atomic import atomic_path
from locate.data.coco import coco_from_course
from locate.data.datasets import load_detection, load_keypoints
from locate.data.files import read_json, require_keys, write_annotations
from locate.data.generate import SPLITS
from locate.data.keypoint_files import keypoints_from_course
from locate.errors import UserError


def _copy_split(source: Path, target: Path, split: str, document: dict) -> None:
    (target / split).mkdir(parents=True)
    for image in document["images"]:
        shutil.copyfile(source / split / image["file_name"], target / split / image["file_name"])
    write_annotations(target / f"{split}.json", document)


def as_written(message: str, converted: Path, images: Path, path: Path, images_written: Path, task: str) -> str:
    """A loader's error about the converted split as the user wrote it: the converted annotation file
    ``converted`` named as the course's ``path``, an image under ``images`` as the one under
    ``images_written``, and a detection annotation by its course id (ours count from 1, the course's from 0)."""
    message = message.replace(str(converted), str(path)).replace(str(images), str(images_written))
    if task == "detection":
        message = re.sub(r"\bannotation (\d+)\b", lambda found: f"annotation {int(found[1]) - 1}", message)
    return message


def _import_task(source: Path, root: Path, task: str, convert, load) -> None:
    with atomic_path(root / task) as target:
        for split in SPLITS:
            path = source / task / f"{split}_annotations.json"
            course = read_json(path)
            require_keys(path, course, ("images",), f"{task} annotation file")
            try:
                document = convert(course)
            except (KeyError, TypeError, ValueError) as error:
                raise UserError(f"{path}: not in the course's {task} format ({error!r})") from None
            try:
                _copy_split(source / task, target, split, document)
                load(target, split)
            except UserError as error:
                written = as_written(str(error), target / f"{split}.json", target / split, path, source / task / split,
                                     task)
                raise UserError(written) from None


def import_course_datasets(source: str | Path, root: str | Path) -> None:
    """Convert the course folder ``source`` into ``root/detection`` and ``root/keypoints``."""
    source, root = Path(source), Path(root)
    if not source.is_dir():
        raise UserError(f"{source}: course datasets folder not found")
    _import_task(source, root, "detection", coco_from_course, load_detection)
    _import_task(source, root, "keypoints", keypoints_from_course, load_keypoints)
