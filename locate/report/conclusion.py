"""The report's conclusion: the best result of each problem, chosen on val and stated with its test score and
whether its lead over the next best exceeds the seed noise.

Problem 1's candidates are the detector recipes, by mAP@0.5; Problem 2's are the keypoint methods (the ablation
variants aside), by course PCK at the loosest threshold (the course's metric, hands as labelled) and by symmetric
PCK at the tightest (hands as a pair).
"""

from locate.detection.recipes import RECIPES
from locate.report import verdicts
from locate.report.inputs import ReportInputs
from locate.report.markdown import LOOSEST, TIGHTEST, num
from locate.report.noise import Number, detector_number, keypoint_number, noise_words
from locate.report.template import fill


def ranked(candidates: dict[str, Number]) -> list[str]:
    """The names of ``candidates`` (name -> its val number) from the highest value down: the first on a tie, those
    without a value last."""
    return sorted(candidates, key=lambda name: (candidates[name].value is None, -(candidates[name].value or 0.0)))


def margin(best: Number, second: Number, inputs: ReportInputs) -> str:
    """Whether ``best``'s lead over ``second`` exceeds the seed noise of the two, in words after "a difference"."""
    stds = (inputs.noise.std(best.name), inputs.noise.std(second.name))
    return noise_words(verdicts.against_noise(best.value - second.value, stds))


def detector_conclusion(inputs: ReportInputs) -> str:
    """The recipe with the higher val mAP@0.5 and its val and test mAP@0.5 against the other's."""
    val = {recipe: detector_number(inputs, recipe) for recipe in RECIPES}
    best, other = ranked(val)[:2]
    test = {recipe: detector_number(inputs, recipe, "test") for recipe in (best, other)}
    facts = {"best": best, "best_val": num(val[best].value), "best_test": num(test[best].value),
             "other": other, "other_val": num(val[other].value), "other_test": num(test[other].value)}
    found = verdicts.change(val[other].value, val[best].value)
    if found == "raises":
        return fill("best_detector", facts | {"noise": margin(val[best], val[other], inputs)})
    return fill("detectors_level" if found == "keeps" else "detectors_unknown", facts)


def runner_up(scores: dict[str, Number], inputs: ReportInputs) -> str:
    """``, ahead of heatmap_symmetric (0.987) by a difference within seed noise``: the second of ``scores`` (method
    -> val number) and whether the first's lead exceeds the noise (``, level with ...`` at the report's precision);
    empty with a single method."""
    order = ranked(scores)
    if len(order) < 2 or scores[order[1]].value is None:
        return ""
    best, second = scores[order[0]], scores[order[1]]
    return fill("runner_up" if verdicts.change(second.value, best.value) == "raises" else "runner_up_level",
                {"method": second.who, "score": num(second.value), "noise": margin(best, second, inputs)})


def keypoint_conclusion(inputs: ReportInputs) -> str:
    """The best keypoint method on val by course PCK at the loosest threshold and by symmetric PCK at the tightest,
    each with its test score and its lead over the runner-up."""
    methods = list(inputs.keypoints.methods)
    facts = {"loosest": f"{LOOSEST:g}", "tightest": f"{TIGHTEST:g}"}
    best = {}
    for prefix, field, threshold in (("course", "pck", LOOSEST), ("symmetric", "pck_symmetric", TIGHTEST)):
        val = {name: keypoint_number(inputs, name, field, threshold) for name in methods}
        best[prefix] = ranked(val)[0]
        test = keypoint_number(inputs, best[prefix], field, threshold, "test")
        facts |= {f"{prefix}_best": val[best[prefix]].who, f"{prefix}_val": num(val[best[prefix]].value),
                  f"{prefix}_test": num(test.value), f"{prefix}_runner_up": runner_up(val, inputs)}
    return fill("best_method_both" if best["course"] == best["symmetric"] else "best_method", facts)
