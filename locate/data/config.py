"""The ``data`` section of params.yaml: the seed, the split sizes and where the datasets come from."""

from dataclasses import dataclass

from locate.params import MAX_SEED, read_section, require_count

GENERATE = "generate"
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


def read_data() -> DataParams:
    """The ``data`` section of params.yaml."""
    return read_section("data", DataParams)
