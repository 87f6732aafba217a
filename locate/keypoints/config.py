"""The ``keypoints`` and ``ablations`` sections of params.yaml as checked dataclasses.

``keypoints`` holds the shared recipe (batch size, epochs, lr, seed), the default heatmap
settings, the evaluation's drawing counts and the methods, grouped by the model they train:
``methods.heatmap`` and ``methods.regression`` each map a method name to its loss. The
grouping is what lets a training stage depend on exactly the params its model reads: the
heatmap network reads ``heatmap_size``, ``sigma`` and ``skips``, the regression network none.

``ablations`` retrains the ``heatmap`` method with one factor of the heatmap settings
changed, grouped by that factor: ``ablations.sigma.sigma_1: 1.0`` is the variant ``sigma_1``.
A variant takes the other factors from ``keypoints``, so it depends on the defaults of those
factors only.
"""

from dataclasses import dataclass, fields, replace
from typing import Literal

from locate.errors import UserError
from locate.params import read_section, require

IMAGE_SIZE = 128
HEATMAP_SIZES = (16, 32, 64, 128)
BASELINE_METHOD = "heatmap"
Model = Literal["heatmap", "regression"]


@dataclass(frozen=True)
class LossChoice:
    """One method's entry: its ``loss`` (mse | symmetric_mse)."""

    loss: Literal["mse", "symmetric_mse"]


@dataclass(frozen=True)
class MethodParams:
    """One trained method: ``model`` (heatmap | regression) and ``loss`` (mse | symmetric_mse)."""

    model: Model
    loss: str


@dataclass(frozen=True)
class MethodGroups:
    """Section ``keypoints.methods``: method name -> loss, per model."""

    heatmap: dict[str, LossChoice]
    regression: dict[str, LossChoice]

    def table(self) -> dict[str, MethodParams]:
        """Every method by name, heatmap methods first, in file order."""
        groups = _groups(self).items()
        return {name: MethodParams(model, choice.loss) for model, group in groups for name, choice in group.items()}


@dataclass(frozen=True)
class HeatmapSettings:
    """The heatmap factors an ablation varies: map size (cells), Gaussian sigma (cells), skips."""

    heatmap_size: int
    sigma: float
    skips: bool


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
    subpixel: bool
    drawn_images: int
    failure_images: int
    methods: MethodGroups

    def __post_init__(self) -> None:
        require(self.batch_size >= 1, "keypoints.batch_size", self.batch_size, "an integer >= 1")
        require(self.epochs >= 1, "keypoints.epochs", self.epochs, "an integer >= 1")
        require(0 < self.lr < 1, "keypoints.lr", self.lr, "a number in (0, 1)")
        require(self.seed >= 0, "keypoints.seed", self.seed, "an integer >= 0")
        require(self.drawn_images >= 1, "keypoints.drawn_images", self.drawn_images, "an integer >= 1")
        require(self.failure_images >= 1, "keypoints.failure_images", self.failure_images, "an integer >= 1")
        _require_unique_names("keypoints.methods", _groups(self.methods))
        require(len(self.method_table) >= 1, "keypoints.methods", self.methods, "at least one method")
        for factor, value in _groups(self.heatmap).items():
            check_factor(factor, value, f"keypoints.{factor}")

    @property
    def heatmap(self) -> HeatmapSettings:
        """The default heatmap settings (the ablations' baseline)."""
        return HeatmapSettings(self.heatmap_size, self.sigma, self.skips)

    @property
    def method_table(self) -> dict[str, MethodParams]:
        """Every method by name (heatmap methods first)."""
        return self.methods.table()

    def method(self, name: str) -> MethodParams:
        """The method called ``name``; an unknown name is a UserError listing the known ones."""
        table = self.method_table
        if name not in table:
            raise UserError(f"params key 'keypoints.methods': no method '{name}'; known: {', '.join(table)}")
        return table[name]


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


def _require_unique_names(key: str, groups: dict[str, dict]) -> None:
    seen: dict[str, str] = {}
    for group, names in groups.items():
        for name in names:
            require(name not in seen, f"{key}.{group}.{name}", name, f"a name not used in {key}.{seen.get(name)}")
            seen[name] = group


def read_keypoints() -> KeypointsParams:
    """The ``keypoints`` section of params.yaml."""
    return read_section("keypoints", KeypointsParams)


def read_ablations() -> AblationParams:
    """The ``ablations`` section of params.yaml."""
    return read_section("ablations", AblationParams)
