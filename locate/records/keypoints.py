"""The formats of the keypoint evaluation's files, one table of ``dvc metrics show -R`` per folder.

``metrics/keypoints/<method>.json`` and ``metrics/ablations/<variant>.json``: :class:`MethodScores`;
``metrics/per_keypoint/<model>.json`` (every method and ``ablation_<variant>``): :class:`KeypointPck`;
``metrics/ceilings/<ceiling>.json``: :class:`Ceiling`; ``metrics/keypoint_evaluation.json``:
:class:`KeypointEvaluation`. :class:`KeypointMetrics` is all of them together, as the report reads them.

PCK values are keyed by threshold (``pck_05`` = 0.05 of the ground-truth keypoints' bounding-box
diagonal, see :func:`locate.keypoints.pck.threshold_key`); per-keypoint values by keypoint name.
"""

from dataclasses import dataclass
from pathlib import Path

from locate.atomic import atomic_path
from locate.records.reading import read_record
from locate.records.writing import write_record

CEILINGS = ("random_assignment", "best_possible")


@dataclass(frozen=True)
class MethodScores:
    """One trained model: course PCK, symmetric PCK (the hands as an unordered pair), its shift gain (how far its
    predictions follow a moved figure, per pixel: :mod:`locate.keypoints_eval.shift_response`) and its trainable
    parameters."""

    pck: dict[str, float]
    pck_symmetric: dict[str, float]
    shift_gain: float
    parameters: int


@dataclass(frozen=True)
class KeypointPck:
    """One trained model's PCK per keypoint at :data:`locate.keypoints.pck.PER_KEYPOINT_THRESHOLD`, course and
    symmetric."""

    course: dict[str, float]
    symmetric: dict[str, float]


@dataclass(frozen=True)
class Ceiling:
    """Course PCK per threshold of an ideal predictor: ``random_assignment`` (a perfect localiser whose hands are
    assigned by a coin flip) or ``best_possible`` (the most any predictor can reach)."""

    pck: dict[str, float]


@dataclass(frozen=True)
class Decoding:
    """How heatmaps were decoded: sub-pixel refinement, the hand-pair radius (sigmas, 0 = off); the images scored."""

    subpixel: bool
    hand_pair_radius: float
    images: int


@dataclass(frozen=True)
class KeypointEvaluation:
    """failure_cases: group name -> val images in it; decoding: the decoding settings."""

    failure_cases: dict[str, int]
    decoding: Decoding


@dataclass(frozen=True)
class KeypointMetrics:
    """methods: method name -> scores; ablations: variant name -> scores; per_keypoint: model name (a method, or
    ``ablation_<variant>``) -> its per-keypoint PCK; ceilings: name (:data:`CEILINGS`) -> the data's ceiling;
    evaluation: the failure counts and decoding settings."""

    methods: dict[str, MethodScores]
    ablations: dict[str, MethodScores]
    per_keypoint: dict[str, KeypointPck]
    ceilings: dict[str, Ceiling]
    evaluation: KeypointEvaluation


@dataclass(frozen=True)
class KeypointFiles:
    """Where :class:`KeypointMetrics` is stored under the metrics folder ``root``: one folder per kind of record,
    one file per model or ceiling, and one file for the evaluation."""

    root: Path

    @property
    def folders(self) -> dict[str, Path]:
        """Field of :class:`KeypointMetrics` -> the folder of its files."""
        return {"methods": self.root / "keypoints", "ablations": self.root / "ablations",
                "per_keypoint": self.root / "per_keypoint", "ceilings": self.root / "ceilings"}

    @property
    def evaluation(self) -> Path:
        """The file of :attr:`KeypointMetrics.evaluation`."""
        return self.root / "keypoint_evaluation.json"

    def write(self, metrics: KeypointMetrics) -> None:
        """Every file of ``metrics``, each folder replaced as a whole (no file of a removed model stays)."""
        for field, folder in self.folders.items():
            with atomic_path(folder) as written:
                written.mkdir()
                for name, record in getattr(metrics, field).items():
                    write_record(written / f"{name}.json", record)
        write_record(self.evaluation, metrics.evaluation)

    def read(self, methods: list[str], variants: list[str]) -> KeypointMetrics:
        """The records of the keypoint ``methods`` and ablation ``variants``."""
        folders = self.folders

        def records(field: str, names: list[str], record_type: type) -> dict:
            return {name: read_record(folders[field] / f"{name}.json", record_type) for name in names}

        return KeypointMetrics(
            methods=records("methods", methods, MethodScores),
            ablations=records("ablations", variants, MethodScores),
            per_keypoint=records("per_keypoint", [*methods, *(f"ablation_{v}" for v in variants)], KeypointPck),
            ceilings=records("ceilings", list(CEILINGS), Ceiling),
            evaluation=read_record(self.evaluation, KeypointEvaluation),
        )
