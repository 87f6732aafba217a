"""Train one keypoint method with the shared epoch loop; targets are encoded once per split."""

import torch

from locate.data.datasets import KeypointSplit
from locate.images import images_to_input
from locate.keypoints.config import KeypointSchedule
from locate.keypoints.epoch_scores import val_pck
from locate.keypoints.method import MethodConfig, build_model, make_codec, make_loss
from locate.runtime import Runtime, seed_everything
from locate.training import Batches, FitSettings, Fitted, TrainingOutputs, fit


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


def train_keypoints(config: MethodConfig, schedule: KeypointSchedule, train: KeypointSplit, val: KeypointSplit,
                    runtime: Runtime, outputs: TrainingOutputs, name: str) -> Fitted:
    """Seed, build ``config``'s model, train it on ``train``; the best-val checkpoint is ``outputs.checkpoint``; each
    epoch's val PCK (:func:`locate.keypoints.epoch_scores.val_pck`) goes into the history beside the losses."""
    generator = seed_everything(schedule.seed)
    model = build_model(config).to(runtime.device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=schedule.lr)
    train_batches = split_batches(config, train, schedule.batch_size)
    val_batches = split_batches(config, val, schedule.batch_size)
    settings = FitSettings(schedule.epochs, runtime, outputs.for_fit({"config": config.to_meta(), "name": name}),
                           generator, name=name, scores=val_pck(val, config, runtime))
    return fit(model, optimizer, loss_step(config), train_batches, val_batches, settings)
