"""Generate both course datasets from one seed into folders of PNGs and JSON.

Layout written under a root folder (``data/`` in the pipeline)::

    detection/{train,val}/NNNNNN.png   detection/{train,val}.json   (COCO)
    keypoints/{train,val}/NNNNNN.png   keypoints/{train,val}.json

and the same with one split, ``test``, under another root (``data_test/``), from its own seed.

All random draws come from one ``random.Random(seed)`` in the course's order (the
whole detection set, train then val, then the whole keypoint set); rendering and PNG
encoding, which draw nothing, run in worker processes.
"""

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from locate.atomic import atomic_path
from locate.cores import cpu_line, usable_cores
from locate.data.coco import CATEGORIES, annotation_entry, image_entry
from locate.data.config import TEST_SPLIT
from locate.data.files import write_annotations
from locate.data.keypoint_files import keypoint_document, keypoint_image_entry
from locate.data.shapes import Shape, render_scene, sample_scene
from locate.data.stick_figures import render_figure, sample_figure

SPLITS = ("train", "val")


def split_ids(num_train: int, num_val: int) -> dict[str, range]:
    """Image ids per split: train ``0..num_train-1``, then val."""
    return {"train": range(num_train), "val": range(num_train, num_train + num_val)}


def _save_png(pixels, path: Path) -> None:
    Image.fromarray(pixels).save(path, compress_level=1)


def _render_scenes(job: tuple[Path, list[int], list[list[Shape]]]) -> list[list[float]]:
    folder, image_ids, scenes = job
    visibilities = []
    for image_id, shapes in zip(image_ids, scenes, strict=True):
        pixels, visible = render_scene(shapes)
        _save_png(pixels, folder / f"{image_id:06d}.png")
        visibilities.append(visible)
    return visibilities


def _render_figures(job: tuple[Path, list[int], list[list[list[int]]]]) -> list[None]:
    folder, image_ids, figures = job
    for image_id, keypoints in zip(image_ids, figures, strict=True):
        _save_png(render_figure(keypoints), folder / f"{image_id:06d}.png")
    return [None] * len(image_ids)


def _chunks(folder: Path, image_ids: range, items: list, count: int) -> list[tuple]:
    step = max(1, -(-len(items) // count))
    return [
        (folder, list(image_ids[start : start + step]), items[start : start + step])
        for start in range(0, len(items), step)
    ]


def _render_splits(root: Path, ids: dict[str, range], items: list, render, pool: ProcessPoolExecutor, jobs: int):
    """Render every split's ``items`` into ``root/<split>/`` in the pool; yield (split, ids, items, results)."""
    offset = 0
    for split, image_ids in ids.items():
        folder = root / split
        folder.mkdir(parents=True)
        split_items = items[offset : offset + len(image_ids)]
        offset += len(image_ids)
        results = [
            result for chunk in pool.map(render, _chunks(folder, image_ids, split_items, jobs)) for result in chunk
        ]
        yield split, image_ids, split_items, results


def _write_detection(root: Path, ids: dict[str, range], scenes: list, pool: ProcessPoolExecutor, jobs: int) -> None:
    annotation_id = 1
    for split, image_ids, split_scenes, visibilities in _render_splits(root, ids, scenes, _render_scenes, pool, jobs):
        annotations = []
        for image_id, shapes, visible in zip(image_ids, split_scenes, visibilities, strict=True):
            for shape, visibility in zip(shapes, visible, strict=True):
                annotations.append(annotation_entry(annotation_id, image_id, shape, visibility))
                annotation_id += 1
        document = {"images": [image_entry(i) for i in image_ids], "annotations": annotations, "categories": CATEGORIES}
        write_annotations(root / f"{split}.json", document)


def _write_keypoints(root: Path, ids: dict[str, range], figures: list, pool: ProcessPoolExecutor, jobs: int) -> None:
    for split, image_ids, split_figures, _ in _render_splits(root, ids, figures, _render_figures, pool, jobs):
        images = [keypoint_image_entry(i, f) for i, f in zip(image_ids, split_figures, strict=True)]
        write_annotations(root / f"{split}.json", keypoint_document(images))


def generate_datasets(root: str | Path, seed: int, num_train: int, num_val: int, workers: int | None = None) -> None:
    """Write ``root/detection`` and ``root/keypoints`` (splits train and val) for ``seed`` and the split sizes.

    Each folder appears complete or not at all (written beside, then renamed).
    """
    _generate(Path(root), seed, split_ids(num_train, num_val), workers)


def generate_test_sets(root: str | Path, seed: int, num_images: int, workers: int | None = None) -> None:
    """Write ``root/detection`` and ``root/keypoints`` holding one split, ``test`` (ids ``0..num_images-1``), drawn
    by the same generator from its own ``seed``: images no model sees while it trains or is selected."""
    _generate(Path(root), seed, {TEST_SPLIT: range(num_images)}, workers)


def _generate(root: Path, seed: int, ids: dict[str, range], workers: int | None) -> None:
    """Both datasets for the splits ``ids`` (split -> image ids), drawn in the course's order: every scene of
    every split, then every figure."""
    rng = random.Random(seed)
    total = sum(map(len, ids.values()))
    scenes = [sample_scene(rng) for _ in range(total)]
    figures = [sample_figure(rng) for _ in range(total)]
    workers = workers or usable_cores()
    print(cpu_line(workers), flush=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        with atomic_path(root / "detection") as folder:
            _write_detection(folder, ids, scenes, pool, 4 * workers)
        with atomic_path(root / "keypoints") as folder:
            _write_keypoints(folder, ids, figures, pool, 4 * workers)
