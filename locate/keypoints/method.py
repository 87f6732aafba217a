"""The keypoint methods: the table from model name to what it builds, and from loss name to the loss.

A method is a model trained with a loss. :data:`MODELS` says what each model name builds
(the network, the codec of its targets) and what it reads; :data:`LOSSES` maps each loss
name to its function. Params (``keypoints.methods.<model>.<method>.loss``) and checkpoints
name models and losses; every lookup goes through these tables, and an unknown name is a
UserError naming where it was read and the known names. The rest of the code finds methods
by role (:func:`course_method`, :func:`failure_pair`, :func:`ablation_baseline`,
:func:`symmetric_method`), never by name.

A method's :class:`MethodConfig` travels in the checkpoint's meta (``{"config": {...}}``)
so evaluation rebuilds the exact model and decoder without reading training params.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch

from locate.data.entries import FIGURE_SIZE, KEYPOINT_NAMES
from locate.errors import UserError
from locate.keypoints.codec import Codec
from locate.keypoints.heatmap_codec import HeatmapCodec
from locate.keypoints.losses import l1, mse, symmetric_l1, symmetric_mse
from locate.keypoints.models import HeatmapNet, IntegralNet, RegressionNet
from locate.keypoints.regression_codec import RegressionCodec

HEATMAP = "heatmap"
REGRESSION = "regression"
INTEGRAL = "integral"
COURSE_LOSS = "mse"
SYMMETRIC_LOSS = "symmetric_mse"
SYMMETRIC_LOSSES = (SYMMETRIC_LOSS, "symmetric_l1")  # losses that take the better of the two hand assignments
LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class HeatmapSettings:
    """The heatmap factors an ablation varies: map size (cells), Gaussian sigma (cells), skips."""

    heatmap_size: int
    sigma: float
    skips: bool


HEATMAP_FACTORS = tuple(field.name for field in fields(HeatmapSettings))
DROPOUT = "dropout"


@dataclass(frozen=True)
class MethodParams:
    """One trained method: ``model`` (a name in :data:`MODELS`) and ``loss`` (a name in :data:`LOSSES`)."""

    model: str
    loss: str


@dataclass(frozen=True)
class MethodConfig:
    """A model name, a loss name, the heatmap settings and the input the model is built for.

    The heatmap settings (map size in cells, Gaussian sigma in cells, skips) belong to the
    models that read them; for the others they are None, so that their checkpoints, like
    their training, do not depend on them. ``num_keypoints`` and ``image_size`` are those of
    the stick-figure data. ``dropout`` is the rate of the regression head's dropout layers;
    None for the other models, and then left out of the meta.
    """

    model: str
    loss: str
    heatmap_size: int | None
    sigma: float | None
    skips: bool | None
    num_keypoints: int
    image_size: int
    dropout: float | None = None

    @classmethod
    def for_model(cls, model: str, loss: str, heatmap: HeatmapSettings, dropout: float) -> "MethodConfig":
        """The config of ``model`` trained with ``loss``; ``heatmap`` and ``dropout`` are kept only for a model
        that reads them."""
        reads = MODELS[model].reads
        kept = {factor: getattr(heatmap, factor) if factor in reads else None for factor in HEATMAP_FACTORS}
        return cls(model=model, loss=loss, **kept, num_keypoints=len(KEYPOINT_NAMES), image_size=FIGURE_SIZE,
                   dropout=dropout if DROPOUT in reads else None)

    @property
    def entry(self) -> "ModelEntry":
        """The method table's entry of this config's model."""
        return MODELS[self.model]

    def to_meta(self) -> dict:
        """JSON-able dict for a checkpoint's meta; ``dropout`` only when the model has one."""
        meta = asdict(self)
        if self.dropout is None:
            del meta[DROPOUT]
        return meta

    @classmethod
    def from_meta(cls, meta: object, path: str | Path) -> "MethodConfig":
        """The config saved by :meth:`to_meta`; a malformed one or an unknown name is a UserError naming ``path``."""
        try:
            config = cls(**meta)
        except TypeError:
            raise UserError(f"{path}: checkpoint has no valid keypoint model config") from None
        model_entry(config.model, str(path))
        loss_function(config.loss, str(path))
        return config


@dataclass(frozen=True)
class ModelEntry:
    """What a model name builds and reads.

    build: the freshly initialised network of a config; codec: the codec of its targets and
    outputs (``subpixel`` for heatmap decoding); reads: the settings it reads, of
    ``keypoints.heatmap_size``, ``sigma``, ``skips`` and ``regression_dropout`` (``dropout``;
    the others are None in its config);
    hand_pair: whether its outputs can be decoded with the hands as a pair
    (``keypoints_eval.decoding.hand_pair_radius``).
    """

    build: Callable[[MethodConfig], torch.nn.Module]
    codec: Callable[[MethodConfig, bool], Codec]
    reads: tuple[str, ...]
    hand_pair: bool


MODELS: dict[str, ModelEntry] = {
    HEATMAP: ModelEntry(
        build=lambda c: HeatmapNet(c.num_keypoints, c.heatmap_size, c.skips, c.image_size),
        codec=lambda c, subpixel: HeatmapCodec(c.image_size, c.heatmap_size, c.sigma, subpixel),
        reads=HEATMAP_FACTORS,
        hand_pair=True,
    ),
    REGRESSION: ModelEntry(
        build=lambda c: RegressionNet(c.num_keypoints, c.dropout),
        codec=lambda c, subpixel: RegressionCodec(c.image_size),
        reads=(DROPOUT,),
        hand_pair=False,
    ),
    INTEGRAL: ModelEntry(
        build=lambda c: IntegralNet(c.num_keypoints, c.heatmap_size, c.skips, c.image_size),
        codec=lambda c, subpixel: RegressionCodec(c.image_size),
        reads=("heatmap_size", "skips"),
        hand_pair=False,
    ),
}
LOSSES: dict[str, LossFunction] = {
    COURSE_LOSS: mse, SYMMETRIC_LOSS: symmetric_mse, "l1": l1, SYMMETRIC_LOSSES[1]: symmetric_l1,
}


def _known(table: dict, name: str, what: str, source: str):
    if name not in table:
        raise UserError(f"{source}: unknown keypoint {what} {name!r}; known: {', '.join(table)}")
    return table[name]


def model_entry(name: str, source: str) -> ModelEntry:
    """The entry of model ``name``; unknown, a UserError naming ``source`` (a params key or a checkpoint path)."""
    return _known(MODELS, name, "model", source)


def loss_function(name: str, source: str) -> LossFunction:
    """``loss(outputs, targets) -> scalar`` called ``name``; unknown, a UserError naming ``source``."""
    return _known(LOSSES, name, "loss", source)


def build_model(config: MethodConfig) -> torch.nn.Module:
    """A freshly initialised model for ``config``."""
    return config.entry.build(config)


def make_codec(config: MethodConfig, subpixel: bool = True) -> Codec:
    """The codec turning keypoints into ``config``'s training targets and model outputs back."""
    return config.entry.codec(config, subpixel)


def make_loss(config: MethodConfig) -> LossFunction:
    """``loss(outputs, targets) -> scalar`` named by ``config.loss``."""
    return LOSSES[config.loss]


def find_method(methods: dict[str, MethodParams], model: str, loss: str) -> str | None:
    """The first method (in table order) of ``model`` trained with ``loss``, or None."""
    return next((name for name, method in methods.items() if method == MethodParams(model, loss)), None)


def course_method(methods: dict[str, MethodParams], model: str) -> str:
    """The method of ``model`` trained with the course loss (mse); none is a UserError naming its params key."""
    name = find_method(methods, model, COURSE_LOSS)
    if name is None:
        key = f"keypoints.methods.{model}"
        raise UserError(f"params key '{key}': expected a method with loss '{COURSE_LOSS}' (the model's course method)")
    return name


def symmetric_method(methods: dict[str, MethodParams], model: str) -> str | None:
    """The first method of ``model`` trained with a symmetric hand loss (:data:`SYMMETRIC_LOSSES`), or None."""
    return _first_method(methods, model, symmetric=True)


def plain_method(methods: dict[str, MethodParams], model: str) -> str | None:
    """The first method of ``model`` trained with a loss that takes the hands as labelled, or None."""
    return _first_method(methods, model, symmetric=False)


def _first_method(methods: dict[str, MethodParams], model: str, symmetric: bool) -> str | None:
    return next((name for name, method in methods.items()
                 if method.model == model and (method.loss in SYMMETRIC_LOSSES) == symmetric), None)


def failure_pair(methods: dict[str, MethodParams]) -> tuple[str, str]:
    """The course methods of the heatmap and the regression model, whose failure cases are compared."""
    return course_method(methods, HEATMAP), course_method(methods, REGRESSION)


def ablation_config(settings: HeatmapSettings) -> MethodConfig:
    """What an ablation variant trains: the heatmap model with the course loss, on ``settings``."""
    return MethodConfig.for_model(HEATMAP, COURSE_LOSS, settings, dropout=None)


def ablation_baseline(methods: dict[str, MethodParams]) -> str:
    """The method the ablation variants are compared with: the heatmap model's course method, which
    is :func:`ablation_config` on the default heatmap settings."""
    return course_method(methods, HEATMAP)
