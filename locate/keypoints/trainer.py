"""Train one keypoint method with the shared epoch loop; targets are encoded once per split."""

from dataclasses import dataclass
from pathlib import Path

import torch

from locate.atomic import write_json
from locate.data.datasets import KeypointSplit, load_keypoints
from locate.keypoints.method import MethodConfig, build_model, make_codec, make_loss
from locate.runtime import Runtime, seed_everything
from locate.training import Batches, FitOutputs, Fitted, fit, images_to_input


@dataclass(frozen=True)
class TrainingOutputs:
    """Files one training writes: history CSV, best checkpoint, speed metrics JSON."""

    history: Path
    checkpoint: Path
    speed: Path


@dataclass(frozen=True)
class Recipe:
    """Optimisation settings shared by every keypoint model (Adam, constant lr)."""

    batch_size: int
    epochs: int
    lr: float
    seed: int


def split_batches(config: MethodConfig, split: KeypointSplit, batch_size: int) -> Batches:
    """The split's uint8 images and its targets (all encoded in one call), served in batches."""
    targets = make_codec(config).encode(split.keypoints)
    return Batches({"images": split.images, "targets": targets}, batch_size)


def loss_step(config: MethodConfig):
    """``compute_loss(model, batch) -> {"total": scalar}`` for :func:`locate.training.fit`."""
    loss = make_loss(config)

    def compute_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        outputs = model(images_to_input(batch["images"]))
        return {"total": loss(outputs, batch["targets"])}

    return compute_loss


def train_method(
    config: MethodConfig,
    recipe: Recipe,
    train: KeypointSplit,
    val: KeypointSplit,
    *,
    runtime: Runtime,
    outputs: "TrainingOutputs",
    name: str,
) -> Fitted:
    """Train ``config`` on ``train``, keep the best-val checkpoint; return the history and timing."""
    generator = seed_everything(recipe.seed)
    model = build_model(config).to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    train_batches = split_batches(config, train, recipe.batch_size)
    val_batches = split_batches(config, val, recipe.batch_size)
    meta = {"config": config.to_meta(), "name": name}
    return fit(
        model,
        optimizer,
        loss_step(config),
        train_batches,
        val_batches,
        recipe.epochs,
        runtime,
        FitOutputs(outputs.history, outputs.checkpoint, meta),
        generator,
        name=name,
    )


def train_and_record(
    config: MethodConfig, recipe: Recipe, runtime: Runtime, data_root: Path, outputs: TrainingOutputs, name: str
) -> None:
    """Load both splits from ``data_root``, train ``config`` and write ``outputs.speed`` (rank 0 only)."""
    train = load_keypoints(data_root, "train")
    val = load_keypoints(data_root, "val")
    fitted = train_method(config, recipe, train, val, runtime=runtime, outputs=outputs, name=name)
    if runtime.is_main:
        write_json(outputs.speed, fitted.speed(len(train.images), runtime))
