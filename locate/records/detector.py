"""The format of ``metrics/detector.json``: the detector's AP on the val split and what each level does.

AP values are None (null) where no object of the class or area range exists.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LevelRecord:
    """One level of the detector, from the checkpoint's config, and what it found on the val split.

    stride: input pixels per feature-map cell; feature_size: side of its feature map (cells);
    anchor_sizes: sides of its square anchors (pixels); true_positives: category name -> true
    positives at IoU 0.5 whose detection came from this level's anchors; anchor_coverage:
    category name -> val objects that at least one anchor of this level overlaps at IoU >= 0.5.
    """

    stride: int
    feature_size: int
    anchor_sizes: list[float]
    true_positives: dict[str, int]
    anchor_coverage: dict[str, int]


@dataclass(frozen=True)
class DetectorMetrics:
    """map50: mAP at IoU 0.5 over the classes (the course's number); map50_95: COCO mAP@0.5:0.95;
    map50_visible: mAP@0.5 with the objects less visible than ``detector_eval.visible_threshold``
    neither hit nor miss; recall_ceiling: share of the val objects visible at all; detections:
    how many the detector kept; ap50: category name -> AP@0.5; ap50_by_area: COCO area range
    (small < 32^2 <= medium < 96^2 <= large) -> mAP@0.5; levels: level name -> :class:`LevelRecord`,
    finest first.
    """

    map50: float | None
    map50_95: float | None
    map50_visible: float | None
    recall_ceiling: float
    detections: int
    ap50: dict[str, float | None]
    ap50_by_area: dict[str, float | None]
    levels: dict[str, LevelRecord]
