"""The report's seed noise: each headline number of the committed run beside its mean and standard deviation over
seeds (:mod:`locate.records.seed_noise`), and each comparison the report makes judged against that noise
(:func:`locate.report.verdicts.against_noise`).

A compared number is a :class:`Number`: how the report names it and the name the noise record gives it.
"""

from dataclasses import dataclass

from locate.detection.recipes import COURSE, IMPROVED
from locate.keypoints.method import (
    HEATMAP,
    REGRESSION,
    ablation_baseline,
    course_method,
    plain_method,
    symmetric_method,
)
from locate.keypoints.pck import threshold_key
from locate.records.seed_noise import SeedNoise
from locate.report import verdicts
from locate.report.inputs import ReportInputs
from locate.report.markdown import LOOSEST, TIGHTEST, num, table, threshold_label
from locate.report.recipe_words import method_labels


@dataclass(frozen=True)
class Number:
    """One number of the committed run: ``label`` as the report names it, ``name`` as the noise record does
    (``<file under metrics/>:<dotted key>``), and its ``value`` (None where it was not computed)."""

    label: str
    name: str
    value: float | None


def detector_number(inputs: ReportInputs, recipe: str, split: str = "val") -> Number:
    """Recipe ``recipe``'s mAP@0.5 on ``split`` (val or test)."""
    val = {COURSE: inputs.detector, IMPROVED: inputs.improved}[recipe].metrics
    metrics = inputs.test.detectors[recipe] if split == "test" else val
    folder = "test/detector" if split == "test" else "detector"
    return Number(f"{recipe} recipe, {split} mAP@0.5", f"{folder}/{recipe}.json:map50", metrics.map50)


def keypoint_number(inputs: ReportInputs, method: str, field: str, threshold: float) -> Number:
    """Method ``method``'s val PCK (``field`` ``pck`` or ``pck_symmetric``) at ``threshold``."""
    kind = "symmetric " if field == "pck_symmetric" else ""
    key = threshold_key(threshold)
    return Number(f"{method_labels(inputs)[method]}, {kind}{threshold_label(threshold)}",
                  f"keypoints/{method}.json:{field}.{key}", getattr(inputs.keypoints.methods[method], field)[key])


def comparison_sentence(first: Number, second: Number, noise: SeedNoise) -> str:
    """``first`` against ``second``: both values, the difference, and whether it exceeds the noise."""
    stds = (noise.std(first.name), noise.std(second.name))
    verdict = verdicts.against_noise(first.value - second.value, stds)
    known = [std for std in stds if std is not None]
    bound = f" (twice the larger sd: {verdicts.NOISE_SPREADS * max(known):.3f})" if known else ""
    return (f"{first.label} {num(first.value)} against {second.label} {num(second.value)}: "
            f"{first.value - second.value:+.3f}, {verdict}{bound}")


def comparisons(inputs: ReportInputs) -> list[tuple[Number, Number]]:
    """The pairs the report compares: the recipes on val and test; the heatmap model against regression; each
    model's symmetric loss against its course loss; the best ablation variant against its baseline (whose noise
    stands for both: the variants were not retrained with other seeds)."""
    methods = inputs.params.keypoints.method_table
    heatmap, regression = course_method(methods, HEATMAP), course_method(methods, REGRESSION)
    pairs = [(detector_number(inputs, IMPROVED, split), detector_number(inputs, COURSE, split))
             for split in ("val", "test")]
    pairs += [(keypoint_number(inputs, heatmap, "pck", t), keypoint_number(inputs, regression, "pck", t))
              for t in (TIGHTEST, LOOSEST)]
    for model in dict.fromkeys(method.model for method in methods.values()):
        symmetric, plain = symmetric_method(methods, model), plain_method(methods, model)
        if symmetric is not None and plain is not None:
            pairs.append((keypoint_number(inputs, symmetric, "pck_symmetric", TIGHTEST),
                          keypoint_number(inputs, plain, "pck_symmetric", TIGHTEST)))
    if inputs.keypoints.ablations:
        key = threshold_key(TIGHTEST)
        scores = {variant: s.pck[key] for variant, s in inputs.keypoints.ablations.items()}
        best = max(scores, key=scores.get)
        pairs.append((Number(f"ablation {best}, {threshold_label(TIGHTEST)}", f"ablations/{best}.json:pck.{key}",
                             scores[best]), keypoint_number(inputs, ablation_baseline(methods), "pck", TIGHTEST)))
    return pairs


def with_spread(number: Number, noise: SeedNoise) -> str:
    """``0.802 (0.820 ± 0.016)``: the committed value, then the mean and sd over the seeds where measured."""
    spread = noise.numbers.get(number.name)
    return num(number.value) if spread is None else f"{num(number.value)} ({num(spread.mean)} ± {spread.std:.3f})"


def seeds_sentence(noise: SeedNoise) -> str:
    """Which seeds each part was trained with, on what, and how long a seed's run took."""
    if not noise.runs:
        return "No seed noise has been measured (`python -m benchmarks.seed_noise`): no comparison below is judged."
    parts = []
    for part, runs in noise.runs.items():
        timed = [run for run in runs.values() if run.seconds is not None]
        where = "; ".join(dict.fromkeys(f"{run.runtime.device_name}, {run.runtime.precision}" for run in runs.values()))
        took = f", {sum(run.seconds for run in timed) / len(timed) / 60:.0f} min per seed" if timed else ""
        parts.append(f"the {part.replace('_', ' ')} with seeds {', '.join(runs)} ({where}{took})")
    return f"Retrained by `python -m benchmarks.seed_noise`: {'; '.join(parts)}."


def noise_facts(inputs: ReportInputs) -> dict[str, object]:
    """The seeds of the noise record, the numbers with their spread, and every comparison judged against it."""
    noise = inputs.noise
    detector_rows = [[recipe, *(with_spread(detector_number(inputs, recipe, split), noise)
                                for split in ("val", "test"))] for recipe in (COURSE, IMPROVED)]
    columns = (("pck", TIGHTEST), ("pck", LOOSEST), ("pck_symmetric", TIGHTEST))
    labels = method_labels(inputs)
    keypoint_rows = [[labels[name], *(with_spread(keypoint_number(inputs, name, field, t), noise)
                                      for field, t in columns)] for name in inputs.keypoints.methods]
    return {
        "noise_seeds": seeds_sentence(noise),
        "noise_spreads": verdicts.NOISE_SPREADS,
        "noise_detector_table": table(["recipe", "val mAP@0.5", "test mAP@0.5"], detector_rows),
        "noise_keypoint_table": table(["method", *(f"{'symmetric ' * (f == 'pck_symmetric')}{threshold_label(t)}"
                                                   for f, t in columns)], keypoint_rows),
        "noise_comparisons": "\n".join(f"- {comparison_sentence(first, second, noise)}"
                                        for first, second in comparisons(inputs)
                                        if first.value is not None and second.value is not None),
    }
