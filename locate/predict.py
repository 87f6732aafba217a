"""A trained model applied to a user's images: ``python -m locate.predict`` and :func:`load_model`.

``python -m locate.predict --model models/detector_improved.pt --out results photo.png scenes/`` reads PNG and
JPEG files (a folder: its images, not recursively), writes ``results/predictions.json`` (one record per image,
coordinates in that image's pixels) and ``results/pictures/<image name>.png`` (boxes with class and score, or
keypoints joined by the stick figure's bones). Images stream through a batch at a time, so a folder of any
size needs the memory of one batch. Bad input (an unreadable image, a folder without images, a file that is
no model checkpoint, an ``--out`` that cannot be written) ends with one line naming the file and exit code 2,
and leaves nothing half-written in ``--out``.

The checkpoint alone rebuilds the model: the trainers store its config and (detectors) the class names. Input
size, colour mode and normalisation are the model kind's (RGB 224x224 for a detector, grayscale 128x128 for a
keypoint model, pixels / 255). Postprocessing is the evaluation's own code; its settings, which checkpoints do
not carry, are the defaults of params.yaml's ``detector_eval.postprocess`` (:data:`DETECTOR_POSTPROCESS`) and
``keypoints_eval.decoding`` (:data:`KEYPOINT_DECODING`); ``--score-threshold`` and ``--nms-iou`` change them.

In Python::

    from locate.predict import load_model
    model = load_model("models/detector_improved.pt")
    records = model.predict(["photo.png", pil_image, uint8_array])
"""

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import torch
from PIL import Image
from tqdm import tqdm

from locate.atomic import atomic_path
from locate.checkpoint import load_checkpoint
from locate.data.entries import KEYPOINT_NAMES
from locate.detection.config import PostprocessSettings
from locate.detection.model import load_detector
from locate.detection.prediction import predictor_of
from locate.detection_eval.inference import TrainedDetector
from locate.errors import UserError, run_stage
from locate.keypoints.config import KeypointDecoding
from locate.keypoints_eval.inference import TrainedKeypoints
from locate.keypoints_eval.trained import decoder, method_from_checkpoint
from locate.runtime import DEVICES, PRECISIONS, make_runtime
from locate.user_images import ImageSource, Prepared, image_paths, prepared_batches

DETECTOR_POSTPROCESS = PostprocessSettings(score_threshold=0.05, nms_iou=0.5, top_k_per_level=100,
                                           max_detections=100, box_voting=True)  # params.yaml's detector_eval
KEYPOINT_DECODING = KeypointDecoding(subpixel=True, hand_pair_radius=1.5, hand_pair_min_ratio=0.25)  # keypoints_eval's
BATCH_SIZE = 32
PREDICTIONS_FILE = "predictions.json"
PICTURES_FOLDER = "pictures"
REBUILD = "written before checkpoints carried it; rebuild it with {command}"
ANY_STAGE = "`dvc repro --force` of the stage that trained it (e.g. train_heatmap@heatmap)"


class Applied(Protocol):
    """What :class:`Model` applies: a :class:`~locate.detection_eval.inference.TrainedDetector` or a
    :class:`~locate.keypoints_eval.inference.TrainedKeypoints`."""

    mode: str
    kind: str
    picture_side: int
    input_size: int

    def records(self, batch: list[Prepared]) -> list[dict]: ...

    def picture(self, prepared: Prepared, record: dict) -> Image.Image: ...


@dataclass(frozen=True)
class Model:
    """A trained model loaded from its checkpoint by :func:`load_model`; ``kind`` is ``detector`` or
    ``keypoints``."""

    applied: Applied
    path: Path

    @property
    def kind(self) -> str:
        """``detector`` or ``keypoints``."""
        return self.applied.kind

    def predict(self, images: Iterable[ImageSource], batch_size: int = BATCH_SIZE) -> list[dict]:
        """One record per image of ``images`` (paths of PNG or JPEG files, PIL images, uint8 arrays
        ``(H, W)`` or ``(H, W, 3)``), in order: a detector's ``{"image", "detections": [{"category",
        "category_id", "bbox": [x, y, w, h], "score"}]}``, a keypoint model's ``{"image", "keypoints":
        [{"name", "x", "y"}]}``, in each image's own pixels; ``image`` is the path, or None for an image
        given in memory."""
        return [record for _, record in self.stream(images, batch_size)]

    def stream(self, images: Iterable[ImageSource], batch_size: int = BATCH_SIZE, pictures: bool = False
               ) -> Iterator[tuple[Prepared, dict]]:
        """Each image of ``images`` prepared, with its record, read and predicted ``batch_size`` images at a
        time; with ``pictures``, each :class:`Prepared` keeps the image to draw on (:meth:`picture`)."""
        applied = self.applied
        side = applied.picture_side if pictures else 0
        for batch in prepared_batches(images, applied.mode, applied.input_size, batch_size, side):
            yield from zip(batch, applied.records(batch), strict=True)

    def picture(self, prepared: Prepared, record: dict) -> Image.Image:
        """The picture of one image (prepared by :meth:`stream` with ``pictures``) and its record."""
        return self.applied.picture(prepared, record)


def _model_config(checkpoint: dict, path: Path) -> dict:
    """The checkpoint's model config; weights without one are an older checkpoint, a file without weights no
    model checkpoint of this project."""
    config = checkpoint.get("config") if isinstance(checkpoint, dict) else None
    if not isinstance(checkpoint, dict) or "model" not in checkpoint:
        raise UserError(f"{path}: not a model checkpoint of this project (no model weights in it); expected a "
                        "detector or keypoint model written by a training stage (models/*.pt)")
    if not isinstance(config, dict):
        raise UserError(f"{path}: a checkpoint without its model config, " + REBUILD.format(command=ANY_STAGE))
    return config


def load_model(path: str | Path, device: str = "auto", precision: str = "auto", threads: int = 0,
               score_threshold: float | None = None, nms_iou: float | None = None) -> Model:
    """The detector or keypoint model of the checkpoint at ``path`` (weights loaded with ``weights_only``), on
    ``device`` at ``precision`` (``auto``: as ``runtime`` in params.yaml picks them; ``threads`` 0: every
    core); ``score_threshold`` and ``nms_iou`` change a detector's postprocessing. A missing, corrupt or
    foreign file is a UserError naming ``path``."""
    path = Path(path)
    checkpoint = load_checkpoint(path)
    config = _model_config(checkpoint, path)
    runtime = make_runtime(device, precision, threads)
    if "channels" in config:
        if "category_names" not in checkpoint:
            raise UserError(f"{path}: a detector checkpoint without its class names, "
                            + REBUILD.format(command="`dvc repro --force train_detector@course` (or @improved)"))
        model, detector_config = load_detector(path, runtime.device)
        settings = replace(DETECTOR_POSTPROCESS, **{key: value for key, value in
                                                    (("score_threshold", score_threshold), ("nms_iou", nms_iou))
                                                    if value is not None})
        predictor = predictor_of(model, detector_config, settings, runtime)
        return Model(TrainedDetector(predictor, list(checkpoint["category_names"])), path)
    try:
        model, codec, method = method_from_checkpoint(checkpoint, path, KEYPOINT_DECODING.subpixel)
    except UserError:
        raise UserError(f"{path}: a keypoint checkpoint without a valid model config, "
                        + REBUILD.format(command=ANY_STAGE)) from None
    if method.num_keypoints != len(KEYPOINT_NAMES):
        raise UserError(f"{path}: {method.num_keypoints} keypoints, the stick figures have {len(KEYPOINT_NAMES)}")
    model = model.to(runtime.device, memory_format=torch.channels_last).eval()
    return Model(TrainedKeypoints(model, decoder(method, codec, KEYPOINT_DECODING), method, runtime), path)


def _picture_names(paths: list[Path]) -> list[str]:
    """``<stem>.png`` for each of ``paths``; a stem seen before gets ``_2``, ``_3``, ..."""
    seen: dict[str, int] = {}
    names = []
    for path in paths:
        seen[path.stem] = seen.get(path.stem, 0) + 1
        names.append(f"{path.stem}.png" if seen[path.stem] == 1 else f"{path.stem}_{seen[path.stem]}.png")
    return names


def _output_folder(out: Path) -> bool:
    """Make the folder ``out`` if needed; whether it was made. One that cannot be is a UserError naming it."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: --out must be a folder, this is a file")
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{out}: cannot make the output folder ({error.strerror})") from None
    return made


def write_predictions(model: Model, paths: list[Path], out: Path, batch_size: int = BATCH_SIZE,
                      pictures: bool = True) -> int:
    """``out/predictions.json`` (a JSON list, one record per line) and ``out/pictures/`` for the images at
    ``paths``, written atomically once every image is done, with a progress bar; the number of images. On any
    error nothing new is left in ``out`` (a folder made for it is removed again)."""
    made = _output_folder(out)
    try:
        with ExitStack() as stack:
            try:
                listing = stack.enter_context(atomic_path(out / PREDICTIONS_FILE))
                folder = stack.enter_context(atomic_path(out / PICTURES_FOLDER)) if pictures else None
                if folder is not None:
                    folder.mkdir()
                written = listing.open("w")
            except OSError as error:
                raise UserError(f"{error.filename or out}: cannot write there ({error.strerror})") from None
            with written, tqdm(total=len(paths), unit="image", disable=None, file=sys.stderr) as progress:
                written.write("[")
                names = iter(_picture_names(paths))
                for count, (prepared, record) in enumerate(model.stream(paths, batch_size, pictures)):
                    written.write(("\n" if count == 0 else ",\n") + json.dumps(record, allow_nan=False))
                    if folder is not None:
                        model.picture(prepared, record).save(folder / next(names))
                    progress.update()
                written.write("\n]\n")
    except BaseException:
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise
    return len(paths)


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (``error: ...``), exit code 2."""

    def error(self, message: str) -> None:
        print(f"error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def parse_arguments(arguments: list[str]) -> argparse.Namespace:
    """The command line of ``python -m locate.predict``."""
    parser = _OneLineParser(prog="python -m locate.predict", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="a checkpoint: models/detector*.pt or "
                        "models/keypoints/<method>.pt")
    parser.add_argument("--out", type=Path, required=True, help="folder for predictions.json and pictures/")
    parser.add_argument("images", nargs="+", help="PNG or JPEG files, or folders of them")
    parser.add_argument("--score-threshold", type=float, help="detectors: least score kept (default "
                        f"{DETECTOR_POSTPROCESS.score_threshold}, detector_eval's)")
    parser.add_argument("--nms-iou", type=float, help=f"detectors: NMS IoU (default {DETECTOR_POSTPROCESS.nms_iou})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"images per pass (default {BATCH_SIZE})")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default 0: every core)")
    parser.add_argument("--no-pictures", action="store_true", help="write predictions.json only")
    options = parser.parse_args(arguments)
    if options.score_threshold is not None and not 0 <= options.score_threshold < 1:
        parser.error(f"--score-threshold: expected a number in [0, 1), got {options.score_threshold}")
    if options.nms_iou is not None and not 0 < options.nms_iou <= 1:
        parser.error(f"--nms-iou: expected a number in (0, 1], got {options.nms_iou}")
    if options.batch_size < 1 or options.threads < 0:
        parser.error("--batch-size must be at least 1 and --threads at least 0")
    return options


def main(arguments: list[str] | None = None) -> None:
    """``python -m locate.predict``: see the module's docstring."""
    options = parse_arguments(sys.argv[1:] if arguments is None else arguments)
    paths = image_paths(options.images)
    model = load_model(options.model, options.device, options.precision, options.threads, options.score_threshold,
                       options.nms_iou)
    count = write_predictions(model, paths, options.out, options.batch_size, not options.no_pictures)
    print(f"{count} images: {options.out / PREDICTIONS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    run_stage(main)
