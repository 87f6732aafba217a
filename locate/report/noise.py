"""The report's seed noise: each headline number of the committed run beside its mean and standard deviation over
seeds (:mod:`locate.records.seed_noise`), and each comparison the report makes judged against that noise
(:func:`locate.report.verdicts.against_noise`).

A compared number is a :class:`Number`: how the report names it and the name the noise record gives it. The
analysis says which comparisons exceed the noise; the appendix gives each difference with its bound.
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
from locate.report.markdown import (
    LOOSEST,
    TIGHTEST,
    num,
    number_word,
    sentence_start,
    table,
    threshold_label,
    word_list,
)
from locate.report.recipe_words import method_labels
from locate.report.template import fill

NOISE_WORDS = {"beyond noise": "beyond seed noise", "within noise": "within seed noise",
               "noise not measured": "whose seed noise is not measured"}  # a verdict, after "a difference"
VERDICT_ORDER = ("beyond noise", "within noise", "noise not measured")
NOT_MEASURED = "No seed noise has been measured (`python -m benchmarks.seed_noise`): no comparison is judged."


@dataclass(frozen=True)
class Number:
    """One number of the committed run: ``who`` scored it and ``what`` it is (``heatmap`` and ``PCK@0.05``), as the
    report names them; ``name`` as the noise record does (``<file under metrics/>:<dotted key>``), and its ``value``
    (None where it was not computed)."""

    who: str
    what: str
    name: str
    value: float | None

    @property
    def label(self) -> str:
        """``heatmap, PCK@0.05``."""
        return f"{self.who}, {self.what}"


def noise_words(verdict: str) -> str:
    """A verdict of :func:`verdicts.against_noise` as the words that follow "a difference"."""
    return NOISE_WORDS[verdict]


def detector_number(inputs: ReportInputs, recipe: str, split: str = "val") -> Number:
    """Recipe ``recipe``'s mAP@0.5 on ``split`` (val or test)."""
    val = {COURSE: inputs.detector, IMPROVED: inputs.improved}[recipe].metrics
    metrics = inputs.test.detectors[recipe] if split == "test" else val
    folder = "test/detector" if split == "test" else "detector"
    return Number(f"{recipe} recipe", f"{split} mAP@0.5", f"{folder}/{recipe}.json:map50", metrics.map50)


def keypoint_number(inputs: ReportInputs, method: str, field: str, threshold: float, split: str = "val") -> Number:
    """Method ``method``'s PCK (``field`` ``pck`` or ``pck_symmetric``) at ``threshold`` on ``split`` (val or
    test)."""
    kind = "symmetric " if field == "pck_symmetric" else ""
    key = threshold_key(threshold)
    records, folder = (inputs.test.keypoints, "test/keypoints") if split == "test" else (inputs.keypoints, "keypoints")
    return Number(method_labels(inputs)[method], f"{kind}{threshold_label(threshold)}",
                  f"{folder}/{method}.json:{field}.{key}", getattr(records.methods[method], field)[key])


def comparison_verdict(first: Number, second: Number, noise: SeedNoise) -> str:
    """Whether ``first`` minus ``second`` exceeds the seed noise of the two (:func:`verdicts.against_noise`)."""
    return verdicts.against_noise(first.value - second.value, (noise.std(first.name), noise.std(second.name)))


def comparison_phrase(first: Number, second: Number) -> str:
    """``heatmap against regression on PCK@0.05``, or each with its number where they compare different ones."""
    if first.what == second.what:
        return f"{first.who} against {second.who} on {first.what}"
    return f"{first.label} against {second.label}"


def grouped_phrases(pairs: list[tuple[Number, Number]]) -> list[str]:
    """:func:`comparison_phrase` of each pair, those of the same two on the same kind of number joined:
    ``heatmap against regression on PCK@0.05 and PCK@0.20``."""
    groups: dict[tuple[str, str], list[str]] = {}
    for first, second in pairs:
        if first.what == second.what:
            groups.setdefault((first.who, second.who), []).append(first.what)
        else:
            groups[(comparison_phrase(first, second), "")] = []
    return [f"{who} against {other} on {word_list(whats)}" if whats else who for (who, other), whats in groups.items()]


def comparison_row(first: Number, second: Number, noise: SeedNoise) -> list[str]:
    """``first`` against ``second``: both values, the difference, its bound (the noise spreads times the larger
    standard deviation of the two; n/a where neither is measured) and the verdict."""
    known = [std for std in (noise.std(first.name), noise.std(second.name)) if std is not None]
    bound = f"{verdicts.NOISE_SPREADS * max(known):.3f}" if known else "n/a"
    return [comparison_phrase(first, second), f"{num(first.value)} against {num(second.value)}",
            f"{first.value - second.value:+.3f}", bound, comparison_verdict(first, second, noise)]


def noise_summary(pairs: list[tuple[Number, Number]], noise: SeedNoise) -> str:
    """The comparisons grouped by verdict, in :data:`VERDICT_ORDER`: ``Beyond noise: a against b on x and ...``."""
    groups: dict[str, list[tuple[Number, Number]]] = {verdict: [] for verdict in VERDICT_ORDER}
    for first, second in pairs:
        groups[comparison_verdict(first, second, noise)].append((first, second))
    return " ".join(fill("noise_group", {"verdict": sentence_start(verdict),
                                         "comparisons": word_list(grouped_phrases(grouped))})
                    for verdict, grouped in groups.items() if grouped)


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
        pairs.append((Number(f"ablation {best}", threshold_label(TIGHTEST), f"ablations/{best}.json:pck.{key}",
                             scores[best]), keypoint_number(inputs, ablation_baseline(methods), "pck", TIGHTEST)))
    return pairs


def with_spread(number: Number, noise: SeedNoise) -> str:
    """``0.802 (0.820 ± 0.016)``: the committed value, then the mean and sd over the seeds where measured."""
    spread = noise.numbers.get(number.name)
    return num(number.value) if spread is None else f"{num(number.value)} ({num(spread.mean)} ± {spread.std:.3f})"


def seeds_sentence(noise: SeedNoise) -> str:
    """Which seeds each part was trained with: ``... retrained the course detector and the keypoints with seeds 641,
    642 and 643.``"""
    if not noise.runs:
        return NOT_MEASURED
    parts_by_seeds: dict[tuple[str, ...], list[str]] = {}
    for part, runs in noise.runs.items():
        parts_by_seeds.setdefault(tuple(runs), []).append(f"the {part.replace('_', ' ')}")
    retrained = [f"{word_list(parts)} with seeds {word_list(list(seeds))}" for seeds, parts in parts_by_seeds.items()]
    return f"`python -m benchmarks.seed_noise` retrained {'; '.join(retrained)}."


def runs_sentence(noise: SeedNoise) -> str:
    """Which seeds each part was trained with, on what, and how long a seed's run took."""
    if not noise.runs:
        return NOT_MEASURED
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
    pairs = [(first, second) for first, second in comparisons(inputs)
             if first.value is not None and second.value is not None]
    return {
        "noise_seeds": seeds_sentence(noise),
        "noise_runs": runs_sentence(noise),
        "noise_spreads": verdicts.NOISE_SPREADS,
        "noise_spreads_words": number_word(verdicts.NOISE_SPREADS),
        "noise_detector_table": table(["recipe", "val mAP@0.5", "test mAP@0.5"], detector_rows),
        "noise_keypoint_table": table(["method", *(f"{'symmetric ' * (f == 'pck_symmetric')}{threshold_label(t)}"
                                                   for f, t in columns)], keypoint_rows),
        "noise_summary": noise_summary(pairs, noise),
        "noise_comparisons": table(["comparison", "values", "difference",
                                    f"{verdicts.NOISE_SPREADS} x the larger sd", "verdict"],
                                   [comparison_row(first, second, noise) for first, second in pairs]),
    }
