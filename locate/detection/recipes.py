"""The detector's two recipes, and the files each one's stages write.

``course`` is section ``detector`` of params.yaml: the course's model and training.
``improved`` is the same section with the keys of section ``detector_improved`` changed
(context for the coarser scales, augmentation, box loss, ...): every knob is declared
once, in ``detector``, and the improved recipe names only what it changes.
"""

import typing
from dataclasses import dataclass, fields
from pathlib import Path

from locate.detection.config import DetectorParams
from locate.errors import UserError
from locate.params import PARAMS_FILE, load_params, parse

COURSE, IMPROVED = "course", "improved"
RECIPES = (COURSE, IMPROVED)
RECIPE_SECTIONS = {COURSE: "detector", IMPROVED: "detector_improved"}


def read_recipe(recipe: str, path: str | Path = PARAMS_FILE) -> DetectorParams:
    """The ``detector`` params of ``recipe`` (one of ``RECIPES``)."""
    params = load_params(path)
    course = parse(_section(params, RECIPE_SECTIONS[COURSE], path), DetectorParams, RECIPE_SECTIONS[COURSE])
    if recipe == COURSE:
        return course
    changes = _section(params, RECIPE_SECTIONS[IMPROVED], path)
    known = {field.name for field in fields(DetectorParams)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise UserError(f"params key '{RECIPE_SECTIONS[IMPROVED]}.{unknown[0]}': not a key of section 'detector'")
    try:
        return parse(params["detector"] | changes, DetectorParams, "detector")
    except UserError as error:
        return _named_as_changed(error, changes)


def _named_as_changed(error: UserError, changes: dict) -> typing.NoReturn:
    """Raise ``error`` about the improved recipe naming the key of ``detector_improved`` it changes, where the
    key is one of ``changes``; otherwise naming the recipe."""
    message = str(error)
    for key in changes:
        message = message.replace(f"'{RECIPE_SECTIONS[COURSE]}.{key}'", f"'{RECIPE_SECTIONS[IMPROVED]}.{key}'")
    if message == str(error):
        message = f"{RECIPE_SECTIONS[IMPROVED]}: {message}"
    raise UserError(message) from None


def _section(params: dict, name: str, path: str | Path) -> dict:
    if not isinstance(params.get(name), dict):
        raise UserError(f"{path}: missing section '{name}' (a mapping of keys)")
    return params[name]


@dataclass(frozen=True)
class RecipeFiles:
    """What one recipe's training and evaluation stages write: the results as ``metrics/detector/<recipe>.json``
    on the val split and ``metrics/test/detector/<recipe>.json`` on the test split (one row each of
    ``dvc metrics show -R metrics``), the rest under the detector's name (``detector`` for the course,
    ``detector_<recipe>`` for the others)."""

    checkpoint: Path
    history: Path
    train_speed: Path
    metrics: Path
    test_metrics: Path
    details: Path
    eval_speed: Path
    pr_curves: Path
    scales: Path
    images: Path
    predictions: Path

    @classmethod
    def of(cls, recipe: str) -> "RecipeFiles":
        """The files of ``recipe``."""
        name = "detector" if recipe == COURSE else f"detector_{recipe}"
        plots = Path("plots") / name
        return cls(Path(f"models/{name}.pt"), plots / "history.csv", Path(f"metrics/speed/train_{name}.json"),
                   Path(f"metrics/detector/{recipe}.json"), Path(f"metrics/test/detector/{recipe}.json"),
                   plots / "details.json",
                   Path(f"metrics/speed/evaluate_{name}.json"), plots / "pr_curves.csv", plots / "scales.csv",
                   plots / "images", Path(f"predictions/{name}_val.json"))


def recipe_argument(arguments: list[str]) -> str:
    """The recipe a stage was started for: its only command-line argument, ``course`` when none is given."""
    if len(arguments) > 1 or (arguments and arguments[0] not in RECIPES):
        raise UserError(f"expected one argument, a detector recipe ({' or '.join(RECIPES)}), got {arguments}")
    return arguments[0] if arguments else COURSE
