"""The ``data`` and ``test_data`` sections of params.yaml: the seeds, the split sizes, where the data comes from."""

from dataclasses import dataclass
from pathlib import Path

from locate.params import MAX_SEED, read_section, require, require_count

GENERATE = "generate"
TEST_ROOT = Path("data/test")  # generate_test writes detection/ and keypoints/ here, each with one split:
TEST_SPLIT = "test"
MAX_IMAGES = 100_000  # per split: the stages hold a whole split in memory (about 15 GB of detection images)


@dataclass(frozen=True)
class DataParams:
    """Section ``data``: ``seed`` and ``num_train`` / ``num_val`` images per dataset for the generator;
    ``source``: ``GENERATE`` ("generate") draws the data, any other value is a course ``datasets/`` folder to import."""

    seed: int
    num_train: int
    num_val: int
    source: str

    def __post_init__(self) -> None:
        require_count(self.seed, "data.seed", 0, MAX_SEED)
        require_count(self.num_train, "data.num_train", 1, MAX_IMAGES)
        require_count(self.num_val, "data.num_val", 1, MAX_IMAGES)


@dataclass(frozen=True)
class DataSeed:
    """``data.seed`` alone: all that stage ``generate_test`` reads of section ``data``."""

    seed: int


@dataclass(frozen=True)
class TestDataParams:
    """Section ``test_data``: the held-out test split of both datasets, ``num_images`` each, drawn by the generator
    from ``seed`` (not ``data.seed``, which would repeat the first training images)."""

    seed: int
    num_images: int

    def __post_init__(self) -> None:
        require_count(self.seed, "test_data.seed", 0, MAX_SEED)
        require_count(self.num_images, "test_data.num_images", 1, MAX_IMAGES)


def read_test_data() -> TestDataParams:
    """The ``test_data`` section of params.yaml; its seed must differ from ``data.seed``."""
    test = read_section("test_data", TestDataParams)
    require(test.seed != read_section("data", DataSeed, partial=True).seed, "test_data.seed", test.seed,
            "a seed other than data.seed")
    return test


def read_data() -> DataParams:
    """The ``data`` section of params.yaml."""
    return read_section("data", DataParams)
