"""The formats of ``metrics/speed/*.json``: how long each stage took, and on what.

Every record that ran models carries the same ``runtime`` block. ``seconds`` is the time
each kind of stage reports (training epochs, evaluation, or generation).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RuntimeRecord:
    """Where a stage computed: device type (cpu | cuda), its name, precision, CPU threads, processes."""

    device: str
    device_name: str
    precision: str
    threads: int
    processes: int


@dataclass(frozen=True)
class TrainingSpeed:
    """``metrics/speed/train_*.json`` and ``ablate_*.json``: wall time of the training and validation
    passes of the epochs, the training images per epoch and the training images per second.

    ``timed_epochs`` is present only when a run resumed from a state that did not keep its time:
    then ``train_seconds`` covers the last ``timed_epochs`` of the ``epochs``.
    """

    train_seconds: float
    epochs: int
    train_images: int
    train_images_per_second: float
    runtime: RuntimeRecord
    timed_epochs: int | None = None

    @property
    def seconds(self) -> float:
        """The training time."""
        return self.train_seconds

    @property
    def timed(self) -> int:
        """How many of the epochs ``train_seconds`` covers."""
        return self.epochs if self.timed_epochs is None else self.timed_epochs


@dataclass(frozen=True)
class EvaluationSpeed:
    """``metrics/speed/evaluate_*.json``: wall time of the whole evaluation, the val images, and the
    median milliseconds per image at batch 1 (inference and decoding) of each model by name."""

    eval_seconds: float
    val_images: int
    latency_ms_per_image: dict[str, float]
    runtime: RuntimeRecord

    @property
    def seconds(self) -> float:
        """The evaluation time."""
        return self.eval_seconds


@dataclass(frozen=True)
class GenerationSpeed:
    """``metrics/speed/generate.json``: wall time of drawing (or importing) both datasets."""

    seconds: float


SpeedRecord = TrainingSpeed | EvaluationSpeed | GenerationSpeed
