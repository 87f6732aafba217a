"""The ``keypoints``, ``keypoints_eval`` and ``ablations`` sections of params.yaml as checked dataclasses.

``keypoints`` holds the schedule every training shares (``schedule``: batch size, epochs, lr,
seed), the settings the models read (``heatmap_size``, ``sigma``, ``skips``,
``regression_dropout``) and the methods, grouped by the model they train: ``methods.<model>``
maps a method name to its loss, for every model of the method table
(:data:`locate.keypoints.method.MODELS`); loss names come from the same table. The grouping
is what lets a training stage depend on exactly the params its model reads
(:func:`read_model_settings`): the heatmap network reads ``heatmap_size``, ``sigma`` and
``skips``, the regression network ``regression_dropout``.

``keypoints_eval`` holds the evaluation's decoding (sub-pixel refinement, the hands as a pair)
and how many images it draws.

``ablations`` retrains the heatmap model's course method with one factor of the heatmap settings
changed, grouped by that factor: ``ablations.sigma.sigma_1: 1.0`` is the variant ``sigma_1``.
A variant takes the other factors from ``keypoints``, so it depends on the defaults of those
factors only.
"""

from dataclasses import dataclass, field, fields, replace

from locate.errors import UserError
from locate.keypoints.method import (
    DROPOUT,
    HEATMAP_FACTORS,
    MODELS,
    HeatmapSettings,
    MethodParams,
    failure_pair,
    loss_function,
    model_entry,
)
from locate.params import (
    MAX_BATCH_SIZE,
    MAX_DRAWN_IMAGES,
    MAX_EPOCHS,
    MAX_SEED,
    read_section,
    require,
    require_count,
)

HEATMAP_SIZES = (16, 32, 64, 128)


@dataclass(frozen=True)
class LossChoice:
    """One method's entry: its ``loss``, a name in :data:`locate.keypoints.method.LOSSES`."""

    loss: str


def check_factor(factor: str, value: object, key: str) -> None:
    """Range check of one heatmap factor's ``value``, read from params key ``key``."""
    if factor == "heatmap_size":
        require(value in HEATMAP_SIZES, key, value, "one of " + ", ".join(map(str, HEATMAP_SIZES)))
    if factor == "sigma":
        require(0 < value <= 16, key, value, "a number in (0, 16]")


def check_dropout(value: float) -> None:
    """Range check of ``keypoints.regression_dropout``."""
    require(0 <= value < 1, "keypoints.regression_dropout", value, "a number in [0, 1)")


@dataclass(frozen=True)
class KeypointSchedule:
    """``keypoints.schedule``: the optimisation every keypoint training shares (Adam, constant lr)."""

    batch_size: int
    epochs: int
    lr: float
    seed: int

    def __post_init__(self) -> None:
        require_count(self.batch_size, "keypoints.schedule.batch_size", 1, MAX_BATCH_SIZE)
        require_count(self.epochs, "keypoints.schedule.epochs", 1, MAX_EPOCHS)
        require(0 < self.lr < 1, "keypoints.schedule.lr", self.lr, "a number in (0, 1)")
        require_count(self.seed, "keypoints.schedule.seed", 0, MAX_SEED)


@dataclass(frozen=True)
class ModelSettings:
    """The settings of ``keypoints`` that models read, each checked where present: a stage reads those of its model
    (:func:`read_model_settings`)."""

    heatmap_size: int | None = None
    sigma: float | None = None
    skips: bool | None = None
    regression_dropout: float | None = None

    def __post_init__(self) -> None:
        for factor in HEATMAP_FACTORS:
            if getattr(self, factor) is not None:
                check_factor(factor, getattr(self, factor), f"keypoints.{factor}")
        if self.regression_dropout is not None:
            check_dropout(self.regression_dropout)


@dataclass(frozen=True)
class KeypointsParams:
    """Section ``keypoints``, whole."""

    schedule: KeypointSchedule
    heatmap_size: int
    sigma: float
    skips: bool
    regression_dropout: float
    methods: dict[str, dict[str, LossChoice]]

    def __post_init__(self) -> None:
        check_dropout(self.regression_dropout)
        check_methods(self.methods)
        for factor, value in _groups(self.heatmap).items():
            check_factor(factor, value, f"keypoints.{factor}")

    @property
    def heatmap(self) -> HeatmapSettings:
        """The default heatmap settings (the ablations' baseline)."""
        return HeatmapSettings(heatmap_size=self.heatmap_size, sigma=self.sigma, skips=self.skips)

    @property
    def method_table(self) -> dict[str, MethodParams]:
        """Every method by name (:func:`method_table`)."""
        return method_table(self.methods)


def check_methods(methods: dict[str, dict[str, LossChoice]]) -> None:
    """``keypoints.methods``: every model's group, known losses, unique names, at least one method."""
    _check_method_names(methods)
    _require_unique_names("keypoints.methods", methods)
    require(len(method_table(methods)) >= 1, "keypoints.methods", methods, "at least one method")
    failure_pair(method_table(methods))  # the heatmap and regression course methods, which the evaluation compares


def method_table(methods: dict[str, dict[str, LossChoice]]) -> dict[str, MethodParams]:
    """Every method of ``methods`` by name, grouped by model in the order of the method table, in file order within
    a group (the groups present)."""
    groups = ((model, methods[model]) for model in MODELS if model in methods)
    return {name: MethodParams(model, choice.loss) for model, group in groups for name, choice in group.items()}


@dataclass(frozen=True)
class KeypointDecoding:
    """``keypoints_eval.decoding``: heatmaps decoded with sub-pixel refinement or by their argmax cell, and the
    hand-pair decoding (radius in units of the method's sigma, 0 = decode every keypoint independently) with its
    second-peak ratio."""

    subpixel: bool
    hand_pair_radius: float
    hand_pair_min_ratio: float

    def __post_init__(self) -> None:
        radius, ratio = self.hand_pair_radius, self.hand_pair_min_ratio
        require(radius >= 0, "keypoints_eval.decoding.hand_pair_radius", radius, "a number >= 0")
        require(0 < ratio <= 1, "keypoints_eval.decoding.hand_pair_min_ratio", ratio, "a number in (0, 1]")


@dataclass(frozen=True)
class KeypointDrawing:
    """``keypoints_eval.drawing``: val images drawn with every method's predictions, and per failure-case group."""

    images: int
    failure_images: int

    def __post_init__(self) -> None:
        require_count(self.images, "keypoints_eval.drawing.images", 1, MAX_DRAWN_IMAGES)
        require_count(self.failure_images, "keypoints_eval.drawing.failure_images", 1, MAX_DRAWN_IMAGES)


@dataclass(frozen=True)
class KeypointsEvalParams:
    """Section ``keypoints_eval``: what the evaluation decodes and draws."""

    decoding: KeypointDecoding
    drawing: KeypointDrawing


@dataclass(frozen=True)
class AblationParams:
    """Section ``ablations``: factor -> {variant name: the factor's value}; a factor left out has no variants."""

    heatmap_size: dict[str, int] = field(default_factory=dict)
    sigma: dict[str, float] = field(default_factory=dict)
    skips: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require_unique_names("ablations", _groups(self))

    def names(self) -> list[str]:
        """Every variant's name, in file order."""
        return [name for values in _groups(self).values() for name in values]

    def variants(self, baseline: HeatmapSettings) -> dict[str, HeatmapSettings]:
        """Every variant by name: ``baseline`` with its one factor replaced (checked), in file order."""
        result = {}
        for factor, values in _groups(self).items():
            for name, value in values.items():
                check_factor(factor, value, f"ablations.{factor}.{name}")
                result[name] = replace(baseline, **{factor: value})
        return result


def _groups(record: object) -> dict:
    """A dataclass's fields by name, in declaration order (without converting nested dataclasses)."""
    return {field.name: getattr(record, field.name) for field in fields(record)}


def _check_method_names(groups: dict[str, dict[str, LossChoice]]) -> None:
    """Every model group of ``keypoints.methods`` present, no other, and every loss a known one."""
    for model, group in groups.items():
        model_entry(model, f"params key 'keypoints.methods.{model}'")
        for name, choice in group.items():
            loss_function(choice.loss, f"params key 'keypoints.methods.{model}.{name}.loss'")
    for model in MODELS:
        if model not in groups:
            raise UserError(f"params key 'keypoints.methods.{model}': missing; every model has a group")


def _require_unique_names(key: str, groups: dict[str, dict]) -> None:
    seen: dict[str, str] = {}
    for group, names in groups.items():
        for name in names:
            require(name not in seen, f"{key}.{group}.{name}", name, f"a name not used in {key}.{seen.get(name)}")
            seen[name] = group


def read_keypoints() -> KeypointsParams:
    """The ``keypoints`` section of params.yaml, whole."""
    return read_section("keypoints", KeypointsParams)


def read_schedule() -> KeypointSchedule:
    """``keypoints.schedule``: what every keypoint training shares."""
    return read_section("keypoints.schedule", KeypointSchedule)


def read_methods() -> dict[str, MethodParams]:
    """``keypoints.methods``, checked, as the method table (:func:`method_table`)."""
    methods = read_section("keypoints", _Methods, partial=True).methods
    check_methods(methods)
    return method_table(methods)


def read_method(name: str) -> MethodParams:
    """The method ``name`` of ``keypoints.methods`` (the groups present); unknown, a UserError listing the known
    ones."""
    table = method_table(read_section("keypoints", _Methods, partial=True).methods)
    if name not in table:
        raise UserError(f"params key 'keypoints.methods': no method '{name}'; known: {', '.join(table)}")
    return table[name]


def read_model_settings(model: str) -> tuple[HeatmapSettings, float | None]:
    """The heatmap settings and dropout rate that ``model`` reads (``MODELS[model].reads``), each from its key of
    ``keypoints``; None for those it does not read."""
    settings = read_section("keypoints", ModelSettings, partial=True)
    reads = MODELS[model].reads
    values = {name: getattr(settings, name) if name in reads else None for name in HEATMAP_FACTORS}
    values[DROPOUT] = settings.regression_dropout if DROPOUT in reads else None
    for name, value in values.items():
        if value is None and name in reads:
            raise UserError(f"params key 'keypoints.{_KEYS.get(name, name)}': missing; the {model} model reads it")
    return HeatmapSettings(*(values[name] for name in HEATMAP_FACTORS)), values[DROPOUT]


def read_variant(name: str) -> HeatmapSettings:
    """Ablation variant ``name``: its factor's value from ``ablations.<factor>.<name>`` (checked), the other
    factors from ``keypoints``; unknown, a UserError listing the variants present."""
    ablations = read_ablations()
    factor = next((factor for factor, values in _groups(ablations).items() if name in values), None)
    if factor is None:
        raise UserError(f"params key 'ablations': no variant '{name}'; known: {', '.join(ablations.names())}")
    value = getattr(ablations, factor)[name]
    check_factor(factor, value, f"ablations.{factor}.{name}")
    settings = read_section("keypoints", ModelSettings, partial=True)
    others = {other: getattr(settings, other) for other in HEATMAP_FACTORS if other != factor}
    for other, default in others.items():
        if default is None:
            raise UserError(f"params key 'keypoints.{other}': missing; ablation '{name}' keeps it")
    return HeatmapSettings(**others, **{factor: value})


@dataclass(frozen=True)
class _Methods:
    """``keypoints.methods`` alone."""

    methods: dict[str, dict[str, LossChoice]]


_KEYS = {DROPOUT: "regression_dropout"}  # the keypoints key of each name in MODELS' reads


def read_keypoints_eval() -> KeypointsEvalParams:
    """The ``keypoints_eval`` section of params.yaml."""
    return read_section("keypoints_eval", KeypointsEvalParams)


def read_ablations() -> AblationParams:
    """The ``ablations`` section of params.yaml."""
    return read_section("ablations", AblationParams)
