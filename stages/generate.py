"""Stage ``generate``: the course's two datasets into ``data/detection`` and ``data/keypoints``.

Also writes its wall time to ``metrics/speed/generate.json``.

Params (section ``data``): ``seed``, ``num_train``, ``num_val``, and ``source``:
``generate`` draws the data, any other value is a course ``datasets/`` folder to import. A
relative folder is taken from the project's root, which DVC names in ``DVC_ROOT``: a queued
experiment runs in a temporary copy of the project, but finds the folder the workspace would.
"""

import os
import time
from pathlib import Path

from locate.data.config import GENERATE, read_data
from locate.data.course_import import import_course_datasets
from locate.data.generate import generate_datasets
from locate.errors import run_stage
from locate.records.speed import GenerationSpeed
from locate.records.writing import write_record

DATA_ROOT = "data"
SPEED_FILE = "metrics/speed/generate.json"


def source_folder(source: str) -> Path:
    """The course ``datasets/`` folder ``source`` names; relative to ``$DVC_ROOT`` when DVC runs the stage."""
    path = Path(source).expanduser()
    return path if path.is_absolute() else Path(os.environ.get("DVC_ROOT", ".")) / path


def main() -> None:
    params = read_data()
    started = time.perf_counter()
    if params.source == GENERATE:
        generate_datasets(DATA_ROOT, params.seed, params.num_train, params.num_val)
    else:
        import_course_datasets(source_folder(params.source), DATA_ROOT)
    write_record(SPEED_FILE, GenerationSpeed(round(time.perf_counter() - started, 3)))


if __name__ == "__main__":
    run_stage(main)
