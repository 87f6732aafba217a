"""The ``keypoints`` and ``ablations`` sections of params.yaml as checked dataclasses.

``keypoints`` holds the shared recipe (batch size, epochs, lr, seed), the default heatmap
settings, the evaluation's drawing counts and the methods (each a model and a loss).
``ablations`` maps a variant name to the heatmap settings it changes; the rest come from
``keypoints``.
"""

from dataclasses import asdict, dataclass
from typing import Literal

from locate.errors import UserError
from locate.params import load_params, parse, read_section, require

IMAGE_SIZE = 128
HEATMAP_SIZES = (16, 32, 64, 128)


@dataclass(frozen=True)
class MethodParams:
    """One trained method: ``model`` (heatmap | regression) and ``loss`` (mse | symmetric_mse)."""

    model: Literal["heatmap", "regression"]
    loss: Literal["mse", "symmetric_mse"]


@dataclass(frozen=True)
class HeatmapSettings:
    """The heatmap factors an ablation varies: map size (cells), Gaussian sigma (cells), skips."""

    heatmap_size: int
    sigma: float
    skips: bool


def check_heatmap_settings(settings: HeatmapSettings, prefix: str) -> None:
    """Range checks of ``settings`` read from params key ``prefix``."""
    sizes = ", ".join(map(str, HEATMAP_SIZES))
    require(settings.heatmap_size in HEATMAP_SIZES, f"{prefix}.heatmap_size", settings.heatmap_size, f"one of {sizes}")
    require(0 < settings.sigma <= 16, f"{prefix}.sigma", settings.sigma, "a number in (0, 16]")


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
    methods: dict[str, MethodParams]

    def __post_init__(self) -> None:
        require(self.batch_size >= 1, "keypoints.batch_size", self.batch_size, "an integer >= 1")
        require(self.epochs >= 1, "keypoints.epochs", self.epochs, "an integer >= 1")
        require(0 < self.lr < 1, "keypoints.lr", self.lr, "a number in (0, 1)")
        require(self.seed >= 0, "keypoints.seed", self.seed, "an integer >= 0")
        require(self.drawn_images >= 1, "keypoints.drawn_images", self.drawn_images, "an integer >= 1")
        require(self.failure_images >= 1, "keypoints.failure_images", self.failure_images, "an integer >= 1")
        require(len(self.methods) >= 1, "keypoints.methods", self.methods, "at least one method")
        check_heatmap_settings(self.heatmap, "keypoints")

    @property
    def heatmap(self) -> HeatmapSettings:
        """The default heatmap settings (the ablations' baseline)."""
        return HeatmapSettings(self.heatmap_size, self.sigma, self.skips)

    def method(self, name: str) -> MethodParams:
        """The method called ``name``; an unknown name is a UserError listing the known ones."""
        if name not in self.methods:
            raise UserError(f"params key 'keypoints.methods.{name}': not defined; known: {', '.join(self.methods)}")
        return self.methods[name]


def read_keypoints() -> KeypointsParams:
    """The ``keypoints`` section of params.yaml."""
    return read_section("keypoints", KeypointsParams)


def ablation_names() -> list[str]:
    """The variant names of the ``ablations`` section, in file order."""
    return list(_ablations())


def read_ablation(name: str, baseline: HeatmapSettings) -> HeatmapSettings:
    """Variant ``name``: ``baseline`` with the factors the variant names replaced."""
    ablations = _ablations()
    if name not in ablations:
        raise UserError(f"params key 'ablations.{name}': not defined; known: {', '.join(ablations)}")
    changes = ablations[name]
    if not isinstance(changes, dict) or not changes:
        raise UserError(f"params key 'ablations.{name}': expected a mapping of the factors it changes")
    settings = parse(asdict(baseline) | changes, HeatmapSettings, f"ablations.{name}")
    check_heatmap_settings(settings, f"ablations.{name}")
    return settings


def _ablations() -> dict:
    ablations = load_params().get("ablations")
    if not isinstance(ablations, dict):
        raise UserError("params.yaml: missing section 'ablations' (a mapping of variant names)")
    return ablations
