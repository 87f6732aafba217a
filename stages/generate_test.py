"""Stage ``generate_test``: the held-out test split of both datasets, into ``data/test/{detection,keypoints}``.

The course's data has a train and a val split, and val selects checkpoints (the detector's
highest val mAP@0.5, the keypoint models' lowest val loss) as well as scoring them. The test
split is drawn by the same generator from its own seed (``test_data.seed``) and read only by
the evaluation stages, so its scores are the ones no choice was made on. Its own stage: adding
or resizing it leaves ``generate`` and every training up to date.

Also writes its wall time to ``metrics/speed/generate_test.json``.
"""

import time

from locate.data.config import TEST_ROOT, read_test_data
from locate.data.generate import generate_test_sets
from locate.errors import run_stage
from locate.records.speed import GenerationSpeed
from locate.records.writing import write_record

SPEED_FILE = "metrics/speed/generate_test.json"


def main() -> None:
    params = read_test_data()
    started = time.perf_counter()
    generate_test_sets(TEST_ROOT, params.seed, params.num_images)
    write_record(SPEED_FILE, GenerationSpeed(round(time.perf_counter() - started, 3)))


if __name__ == "__main__":
    run_stage(main)
