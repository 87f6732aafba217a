"""Each detector recipe's val predictions scored by pycocotools beside the pipeline's own AP, and the
degenerate boxes among them.

``python -m benchmarks.detector_oracle --project DIR --label NAME`` reads, in the project folder
``DIR`` (default: this repository) after its evaluation stages ran, each recipe's
``predictions/*_val.json`` and ``metrics/detector/<recipe>.json``; it counts the predicted boxes
that are not finite or have no width or height, scores the predictions with pycocotools
(COCOeval, bbox, 100 detections per image) and writes, under ``NAME`` in
``benchmarks/results/detector_oracle.json`` (or ``--out``), both sets of figures: mAP@0.5, mAP@0.5:0.95 and
AP@0.5 per class. Run it on the predictions of two revisions to see what a postprocessing
change moved (``--label before`` on one checkout, ``--label after`` on another).
"""

import argparse
import json
import math
from pathlib import Path

from locate.detection.recipes import RECIPES, RecipeFiles
from tools.coco_scores import coco_scores

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "benchmarks" / "results" / "detector_oracle.json"
VAL_ANNOTATIONS = Path("data/detection/val.json")


def box_counts(predictions: list[dict]) -> dict[str, int]:
    """How many predicted ``bbox`` (xywh) are there, not finite, or finite without width or height."""
    boxes = [prediction["bbox"] for prediction in predictions]
    finite = [box for box in boxes if all(math.isfinite(value) for value in box)]
    return {"boxes": len(boxes), "non_finite": len(boxes) - len(finite),
            "no_area": sum(1 for box in finite if box[2] <= 0 or box[3] <= 0)}


def _rounded(scores: dict) -> dict:
    """``scores`` with every number to 6 decimals, as the metrics records hold them."""
    if isinstance(scores, dict):
        return {key: _rounded(value) for key, value in scores.items()}
    return None if scores is None else round(scores, 6)


def recipe_figures(project: Path, recipe: str) -> dict:
    """The figures of one recipe: box counts, the pipeline's AP and pycocotools' AP."""
    files = RecipeFiles.of(recipe)
    predictions = json.loads((project / files.predictions).read_text())
    ours = json.loads((project / files.metrics).read_text())
    return {"predictions": box_counts(predictions),
            "pipeline": {key: ours[key] for key in ("map50", "map50_95", "ap50")},
            "pycocotools": _rounded(coco_scores(project / VAL_ANNOTATIONS, project / files.predictions))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO_ROOT, help="a folder where the evaluations ran")
    parser.add_argument("--label", required=True, help="the name of this set of figures in the results file")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    results[args.label] = {recipe: recipe_figures(args.project, recipe) for recipe in RECIPES}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results[args.label], indent=2))


if __name__ == "__main__":
    main()
