"""The format of ``benchmarks/results/seed_noise.json``: the run-to-run noise of the results, which
:mod:`benchmarks.seed_noise` measures by retraining with other seeds and the report reads.

A number is named ``<file under metrics/>:<dotted key>``, e.g. ``detector/course.json:map50`` or
``test/keypoints/heatmap.json:pck_symmetric.pck_05``. ``runs`` holds, per part (``detectors``,
``keypoints``) and seed, where that run trained; the committed run is one of the seeds.
"""

from dataclasses import dataclass
from pathlib import Path

from locate.records.reading import read_record
from locate.records.speed import RuntimeRecord

SEED_NOISE_FILE = Path("benchmarks/results/seed_noise.json")


@dataclass(frozen=True)
class Spread:
    """One number over the seeds: its value per seed, their mean and sample standard deviation."""

    values: dict[str, float]
    mean: float
    std: float


@dataclass(frozen=True)
class SeedRun:
    """One seed's run of a part: where its trainings ran and their wall seconds (None for the committed run, whose
    stage times are the pipeline's)."""

    runtime: RuntimeRecord
    seconds: float | None


@dataclass(frozen=True)
class SeedNoise:
    """runs: part -> seed -> :class:`SeedRun`; numbers: number name -> its :class:`Spread`."""

    runs: dict[str, dict[str, SeedRun]]
    numbers: dict[str, Spread]

    def std(self, name: str) -> float | None:
        """The standard deviation of number ``name`` over the seeds; None where it was not measured."""
        spread = self.numbers.get(name)
        return None if spread is None else spread.std


def read_seed_noise(path: Path = SEED_NOISE_FILE) -> SeedNoise:
    """The noise record at ``path``; an empty one where none was measured (no file)."""
    return read_record(path, SeedNoise) if path.is_file() else SeedNoise({}, {})
