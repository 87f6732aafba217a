"""Stage ``generate``: the course's two datasets into ``data/detection`` and ``data/keypoints``.

Also writes its wall time to ``metrics/speed/generate.json``.

Params (section ``data``): ``seed``, ``num_train``, ``num_val``, and ``source``:
``generate`` draws the data, any other value is a course ``datasets/`` folder to import. A
relative folder is taken from the project's root, which DVC names in ``DVC_ROOT``: a queued
experiment runs in a temporary copy of the project, but finds the folder the workspace would.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from locate.atomic import write_json
from locate.data.course_import import import_course_datasets
from locate.data.generate import generate_datasets
from locate.errors import run_stage
from locate.params import read_section, require

DATA_ROOT = "data"
SPEED_FILE = "metrics/speed/generate.json"


@dataclass(frozen=True)
class DataParams:
    seed: int
    num_train: int
    num_val: int
    source: str

    def __post_init__(self) -> None:
        require(self.seed >= 0, "data.seed", self.seed, "an integer >= 0")
        require(self.num_train >= 1, "data.num_train", self.num_train, "an integer >= 1")
        require(self.num_val >= 1, "data.num_val", self.num_val, "an integer >= 1")


def source_folder(source: str) -> Path:
    """The course ``datasets/`` folder ``source`` names; relative to ``$DVC_ROOT`` when DVC runs the stage."""
    path = Path(source).expanduser()
    return path if path.is_absolute() else Path(os.environ.get("DVC_ROOT", ".")) / path


def main() -> None:
    params = read_section("data", DataParams)
    started = time.perf_counter()
    if params.source == "generate":
        generate_datasets(DATA_ROOT, params.seed, params.num_train, params.num_val)
    else:
        import_course_datasets(source_folder(params.source), DATA_ROOT)
    write_json(SPEED_FILE, {"seconds": round(time.perf_counter() - started, 3)})


if __name__ == "__main__":
    run_stage(main)
