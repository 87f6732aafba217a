"""The ``keypoints``, ``keypoints_eval`` and ``ablations`` sections of params.yaml as checked dataclasses.

``keypoints`` holds the shared recipe (batch size, epochs, lr, seed), the default heatmap
settings, the evaluation's drawing counts and the methods, grouped by the model they train:
``methods.<model>`` maps a method name to its loss, for every model of the method table
(:data:`locate.keypoints.method.MODELS`); loss names come from the same table. The grouping
is what lets a training stage depend on exactly the params its model reads: the heatmap
network reads ``heatmap_size``, ``sigma`` and ``skips``, the regression network none.

``keypoints_eval`` holds the evaluation's hand-pair decoding of heatmaps.

``ablations`` retrains the heatmap model's course method with one factor of the heatmap settings
changed, grouped by that factor: ``ablations.sigma.sigma_1: 1.0`` is the variant ``sigma_1``.
A variant takes the other factors from ``keypoints``, so it depends on the defaults of those
factors only.
"""

from dataclasses import dataclass, fields, replace

from locate.errors import UserError
from locate.keypoints.method import MODELS, HeatmapSettings, MethodParams, loss_function, model_entry
from locate.params import MAX_BATCH_SIZE, MAX_DRAWN_IMAGES, MAX_EPOCHS, MAX_SEED, read_section, require, require_count

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


@dataclass(frozen=True)
class KeypointsParams:
    batch_size: int
    epochs: int
    lr: float
    seed: int
    heatmap_size: int
    sigma: float
    skips: bool
    regression_dropout: float
    subpixel: bool
    drawn_images: int
    failure_images: int
    methods: dict[str, dict[str, LossChoice]]

    def __post_init__(self) -> None:
        require_count(self.batch_size, "keypoints.batch_size", 1, MAX_BATCH_SIZE)
        require_count(self.epochs, "keypoints.epochs", 1, MAX_EPOCHS)
        require(0 < self.lr < 1, "keypoints.lr", self.lr, "a number in (0, 1)")
        require_count(self.seed, "keypoints.seed", 0, MAX_SEED)
        require(0 <= self.regression_dropout < 1, "keypoints.regression_dropout", self.regression_dropout,
                "a number in [0, 1)")
        require_count(self.drawn_images, "keypoints.drawn_images", 1, MAX_DRAWN_IMAGES)
        require_count(self.failure_images, "keypoints.failure_images", 1, MAX_DRAWN_IMAGES)
        _check_method_names(self.methods)
        _require_unique_names("keypoints.methods", self.methods)
        require(len(self.method_table) >= 1, "keypoints.methods", self.methods, "at least one method")
        for factor, value in _groups(self.heatmap).items():
            check_factor(factor, value, f"keypoints.{factor}")

    @property
    def heatmap(self) -> HeatmapSettings:
        """The default heatmap settings (the ablations' baseline)."""
        return HeatmapSettings(heatmap_size=self.heatmap_size, sigma=self.sigma, skips=self.skips)

    @property
    def method_table(self) -> dict[str, MethodParams]:
        """Every method by name, grouped by model in the order of the method table, in file order within a group."""
        groups = ((model, self.methods[model]) for model in MODELS)
        return {name: MethodParams(model, choice.loss) for model, group in groups for name, choice in group.items()}

    def method(self, name: str) -> MethodParams:
        """The method called ``name``; an unknown name is a UserError listing the known ones."""
        table = self.method_table
        if name not in table:
            raise UserError(f"params key 'keypoints.methods': no method '{name}'; known: {', '.join(table)}")
        return table[name]


@dataclass(frozen=True)
class KeypointsEvalParams:
    """Section ``keypoints_eval``: hand-pair decoding of heatmaps (radius in units of the
    method's sigma, 0 = decode every keypoint independently) and its second-peak ratio."""

    hand_pair_radius: float
    hand_pair_min_ratio: float

    def __post_init__(self) -> None:
        require(self.hand_pair_radius >= 0, "keypoints_eval.hand_pair_radius", self.hand_pair_radius, "a number >= 0")
        ratio = self.hand_pair_min_ratio
        require(0 < ratio <= 1, "keypoints_eval.hand_pair_min_ratio", ratio, "a number in (0, 1]")


@dataclass(frozen=True)
class AblationParams:
    """Section ``ablations``: factor -> {variant name: the factor's value}."""

    heatmap_size: dict[str, int]
    sigma: dict[str, float]
    skips: dict[str, bool]

    def __post_init__(self) -> None:
        _require_unique_names("ablations", _groups(self))

    def variants(self, baseline: HeatmapSettings) -> dict[str, HeatmapSettings]:
        """Every variant by name: ``baseline`` with its one factor replaced (checked), in file order."""
        result = {}
        for factor, values in _groups(self).items():
            for name, value in values.items():
                check_factor(factor, value, f"ablations.{factor}.{name}")
                result[name] = replace(baseline, **{factor: value})
        return result

    def variant(self, name: str, baseline: HeatmapSettings) -> HeatmapSettings:
        """Variant ``name``; an unknown name is a UserError listing the known ones."""
        variants = self.variants(baseline)
        if name not in variants:
            raise UserError(f"params key 'ablations': no variant '{name}'; known: {', '.join(variants)}")
        return variants[name]


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
    """The ``keypoints`` section of params.yaml."""
    return read_section("keypoints", KeypointsParams)


def read_keypoints_eval() -> KeypointsEvalParams:
    """The ``keypoints_eval`` section of params.yaml."""
    return read_section("keypoints_eval", KeypointsEvalParams)


def read_ablations() -> AblationParams:
    """The ``ablations`` section of params.yaml."""
    return read_section("ablations", AblationParams)
