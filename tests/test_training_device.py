"""The epoch loop's device path: data moved once, losses read back once per epoch, CUDA settings."""

import math

import pytest
import torch

import locate.training as training
from locate.runtime import make_runtime
from locate.training import Batches, NonFiniteLoss, _epoch, _LossParts


def _batches(size: int = 20, batch_size: int = 8) -> Batches:
    inputs = torch.randn(size, 4, generator=torch.Generator().manual_seed(0))
    return Batches({"x": inputs, "y": inputs.sum(1, keepdim=True)}, batch_size)


def _mse(model, batch):
    error = model(batch["x"]) - batch["y"]
    return {"total": error.square().mean(), "abs": error.abs().mean()}


def test_batches_move_once_and_index_where_they_are():
    moved = _batches().to(torch.device("meta"))
    assert moved.device.type == "meta" and moved.size == 20 and len(moved) == 3
    served = list(moved.iterate(torch.Generator().manual_seed(1)))
    assert [batch["x"].shape[0] for batch in served] == [8, 8, 4]
    assert all(tensor.device.type == "meta" for batch in served for tensor in batch.values())


def test_loss_sums_equal_the_per_batch_host_sums():
    parts = _LossParts()
    values = [(0.1, 8), (0.30000001, 8), (1e-7, 4)]
    for value, count in values:
        parts.add({"total": torch.tensor(value), "abs": torch.tensor(value, dtype=torch.bfloat16)}, count)
    expected = 0.0
    for value, count in values:
        expected += float(torch.tensor(value)) * count
    assert parts.sums()["total"] == expected
    assert parts.sums()["abs"] == sum(float(torch.tensor(v, dtype=torch.bfloat16)) * c for v, c in values)


def test_non_finite_totals_are_named_by_step_only_when_asked():
    parts = _LossParts()
    for value in (1.0, math.inf, math.nan):
        parts.add({"total": torch.tensor(value)}, 2)
    assert not math.isfinite(parts.sums()["total"])
    with pytest.raises(NonFiniteLoss, match="loss became inf at step 2"):
        parts.sums(finite=True)


def test_an_epoch_reads_losses_back_only_at_its_end(monkeypatch):
    """No per-batch ``.item()``/``float()``: the loss values are read in one transfer per part at the end."""
    batches, model = _batches(40, 8), torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    reads, served = [], []
    original_tolist, original_iterate = torch.Tensor.tolist, Batches.iterate

    def counted_tolist(tensor):
        reads.append(len(served))
        return original_tolist(tensor)

    def counted_iterate(self, *args, **kwargs):
        for batch in original_iterate(self, *args, **kwargs):
            served.append(batch)
            yield batch

    def forbidden(tensor):
        raise AssertionError("a loss value was read back during the epoch")

    def step(total):
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    monkeypatch.setattr(torch.Tensor, "tolist", counted_tolist)
    monkeypatch.setattr(torch.Tensor, "item", forbidden)
    monkeypatch.setattr(torch.Tensor, "__float__", forbidden)
    monkeypatch.setattr(Batches, "iterate", counted_iterate)
    means = _epoch(model, _mse, batches, make_runtime("cpu", "fp32", 1), step, torch.Generator().manual_seed(0))
    assert len(served) == 5 and reads == [5, 5]  # one read per loss part, after the last batch
    assert set(means) == {"total", "abs"}


def test_fit_moves_the_batches_to_the_runtime_device(tmp_path, monkeypatch):
    moved_to = []
    original = Batches.to

    def recorded(self, device):
        moved_to.append(device)
        return original(self, device)

    monkeypatch.setattr(Batches, "to", recorded)
    model = torch.nn.Linear(4, 1)
    outputs = training.FitOutputs(tmp_path / "h.csv", tmp_path / "m.pt", {}, tmp_path / "work")
    runtime = make_runtime("cpu", "fp32", 1)
    settings = training.FitSettings(1, runtime, outputs, torch.Generator().manual_seed(0))
    training.fit(model, torch.optim.Adam(model.parameters()), _mse, _batches(), _batches(8), settings)
    assert moved_to == [runtime.device, runtime.device]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cuda_epoch_never_waits_for_the_device():
    runtime = make_runtime("cuda", "auto", 0)
    assert torch.backends.cudnn.benchmark
    model = torch.nn.Linear(4, 1).to(runtime.device)
    optimizer = torch.optim.Adam(model.parameters())

    def step(total):
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    served = list(_batches(64, 8).to(runtime.device).iterate(torch.Generator().manual_seed(0)))
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        parts = _LossParts()
        for batch in served:
            with runtime.autocast():
                losses = _mse(model, batch)
            step(losses["total"])
            parts.add(losses, 8)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert math.isfinite(parts.sums(finite=True)["total"])
