"""The formats of a detector recipe's evaluation files: ``metrics/detector/<recipe>.json`` (the headline
numbers, :class:`DetectorMetrics`) and ``plots/<detector name>/details.json`` (which checkpoint, what each
level does: :class:`DetectorDetails`), named by :class:`locate.detection.recipes.RecipeFiles`.

AP values are None (null) where no object of the class or area range exists.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LevelRecord:
    """One level of the detector, from the checkpoint's config, and what it found on the val split.

    stride: input pixels per feature-map cell; feature_size: side of its feature map (cells);
    anchor_sizes: sides of its square anchors (pixels); true_positives: category name -> true
    positives at IoU 0.5 whose detection came from this level's anchors; anchor_coverage:
    category name -> val objects that at least one anchor of this level overlaps at IoU >= 0.5;
    receptive_field: side in pixels of the input square one of its output cells sees.
    """

    stride: int
    feature_size: int
    anchor_sizes: list[float]
    true_positives: dict[str, int]
    anchor_coverage: dict[str, int]
    receptive_field: int


@dataclass(frozen=True)
class CheckpointChoice:
    """Which epoch's weights were evaluated: ``rule`` (val_loss, last or val_map50: the lowest val loss, the
    last epoch, the highest val mAP@0.5) and the ``epoch`` it kept, of ``epochs``."""

    rule: str
    epoch: int
    epochs: int


@dataclass(frozen=True)
class DetectorMetrics:
    """The headline numbers, one row of ``dvc metrics show -R metrics/detector``.

    map50: mAP at IoU 0.5 over the classes (the course's number); map50_95: COCO mAP@0.5:0.95;
    map50_visible: mAP@0.5 with the objects less visible than ``detector_eval.visible_threshold``
    neither hit nor miss; ap50: category name -> AP@0.5; ap50_area: COCO area range
    (small < 32^2 <= medium < 96^2 <= large) -> mAP@0.5; epoch: the training epoch evaluated
    (:attr:`DetectorDetails.checkpoint` says by which rule); parameters: the model's trainable
    parameters (batch norms unfolded, as trained).
    """

    map50: float | None
    map50_95: float | None
    map50_visible: float | None
    ap50: dict[str, float | None]
    ap50_area: dict[str, float | None]
    epoch: int
    parameters: int


@dataclass(frozen=True)
class DetectorDetails:
    """checkpoint: the training epoch evaluated and the rule that chose it; recall_ceiling: share of the val
    objects visible at all; detections: how many the detector kept; levels: level name -> :class:`LevelRecord`,
    finest first; duplicates: level pair (``scale1+scale2``) -> pairs of detections above 0.5 of one class on
    one object (:mod:`locate.detection_eval.duplicates`), only the pairs found."""

    checkpoint: CheckpointChoice
    recall_ceiling: float
    detections: int
    levels: dict[str, LevelRecord]
    duplicates: dict[str, int]
