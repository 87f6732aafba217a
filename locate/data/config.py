"""The ``data`` section of params.yaml: the seed, the split sizes and where the datasets come from."""

from dataclasses import dataclass

from locate.params import read_section, require

GENERATE = "generate"


@dataclass(frozen=True)
class DataParams:
    """Section ``data``: ``seed`` and ``num_train`` / ``num_val`` images per dataset for the generator;
    ``source``: ``GENERATE`` ("generate") draws the data, any other value is a course ``datasets/`` folder to import."""

    seed: int
    num_train: int
    num_val: int
    source: str

    def __post_init__(self) -> None:
        require(self.seed >= 0, "data.seed", self.seed, "an integer >= 0")
        require(self.num_train >= 1, "data.num_train", self.num_train, "an integer >= 1")
        require(self.num_val >= 1, "data.num_val", self.num_val, "an integer >= 1")


def read_data() -> DataParams:
    """The ``data`` section of params.yaml."""
    return read_section("data", DataParams)
