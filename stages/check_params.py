"""Check every section of ``params.yaml`` before any stage starts work.

Each stage checks its own sections when it starts; this command checks all of them at
once, with the same rules (types, ranges, unknown keys, every ablation variant), so that a
mistake in a late stage's section is caught before the early stages spend time.
``make repro`` and the CI workflow run it before ``dvc repro``. Exit code 2 and one line
naming the key on the first mistake; prints the checked sections otherwise.

It is also the pipeline's first stage (``check_params`` in ``dvc.yaml``, which the first stages read from), so
that a bad value set with ``dvc exp run -S`` fails before any other stage runs. Its output, ``CHECKED``, holds
the same bytes whatever the (valid) params, so it never makes a stage stale by itself. It declares every key but
the execution settings (:data:`locate.params.EXECUTION_SETTINGS`), which make no stage stale. Unlike every other
stage it reads the whole file under DVC too (:data:`locate.params.STAGE_VARIABLE` cleared): a key that no stage
declares, a misspelled one, is refused here rather than ignored, and so is a bad execution setting.

Run from the repository root: ``python -m stages.check_params``.
"""

import os

from locate.atomic import write_text
from locate.data.config import DataParams, TestDataParams, read_test_data
from locate.detection.config import DetectorEvalParams, DetectorParams
from locate.detection.recipes import IMPROVED, RECIPE_SECTIONS, read_recipe
from locate.errors import UserError, run_stage
from locate.keypoints.config import KeypointsEvalParams, read_ablations, read_keypoints
from locate.params import PARAMS_FILE, STAGE_VARIABLE, load_params, read_section
from locate.runtime import RuntimeParams

SCHEMAS = {
    "data": DataParams,
    "test_data": TestDataParams,
    "runtime": RuntimeParams,
    "detector": DetectorParams,
    "detector_eval": DetectorEvalParams,
    "keypoints_eval": KeypointsEvalParams,
}
KNOWN_SECTIONS = (*SCHEMAS, RECIPE_SECTIONS[IMPROVED], "keypoints", "ablations")
CHECKED = "metrics/params_check.txt"  # the stage's output: the same line whenever the params are valid


def check_all_params() -> list[str]:
    """Parse every section of params.yaml; returns the section names checked.

    Raises UserError on the first mistake, including a top-level section no stage reads.
    """
    unknown = sorted(set(load_params()) - set(KNOWN_SECTIONS))
    if unknown:
        raise UserError(f"{PARAMS_FILE}: unknown section '{unknown[0]}'; allowed: {', '.join(KNOWN_SECTIONS)}")
    for name, schema in SCHEMAS.items():
        read_section(name, schema)
    read_test_data()
    read_recipe(IMPROVED)
    read_ablations().variants(read_keypoints().heatmap)
    return list(KNOWN_SECTIONS)


def main() -> None:
    os.environ.pop(STAGE_VARIABLE, None)  # the whole file, not the declared part a stage sees under DVC
    sections = check_all_params()
    write_text(CHECKED, f"{PARAMS_FILE}: every section valid\n")
    print(f"{PARAMS_FILE}: all {len(sections)} sections valid ({', '.join(sections)})")


if __name__ == "__main__":
    run_stage(main)
