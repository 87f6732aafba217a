"""The shared epoch loop: history and checkpoint, non-finite loss, interruption and resume."""

import time

import pytest
import torch

import locate.training as training
from locate.checkpoint import load_checkpoint
from locate.runtime import make_runtime, seed_everything
from locate.training import Batches, FitOutputs, FitSettings, Fitted, NonFiniteLoss, fit


def _problem(seed: int):
    generator = seed_everything(seed)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(8, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    inputs = torch.randn(40, 4, generator=torch.Generator().manual_seed(0))
    targets = inputs.sum(1, keepdim=True)
    train = Batches({"x": inputs[:32], "y": targets[:32]}, batch_size=8)
    val = Batches({"x": inputs[32:], "y": targets[32:]}, batch_size=8)
    return model, optimizer, train, val, generator


def _mse(model, batch):
    error = model(batch["x"]) - batch["y"]
    return {"total": error.square().mean(), "abs": error.abs().mean()}


def _fit(tmp_path, compute_loss=_mse, epochs=3):
    model, optimizer, train, val, generator = _problem(1)
    outputs = FitOutputs(tmp_path / "history.csv", tmp_path / "model.pt", {"config": {"hidden": 8}}, tmp_path / "work")
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.5)
    settings = FitSettings(epochs, make_runtime("cpu", "fp32", 1), outputs, generator, scheduler)
    fitted = fit(model, optimizer, compute_loss, train, val, settings)
    return model, fitted


def test_fit_writes_history_and_best_checkpoint(tmp_path):
    model, fitted = _fit(tmp_path)
    rows = fitted.rows
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    assert fitted.timed_epochs == 3 and fitted.train_seconds > 0
    assert rows[-1]["train_total"] < rows[0]["train_total"]
    header = (tmp_path / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,train_total,train_abs,val_total,val_abs,lr"
    checkpoint = load_checkpoint(tmp_path / "model.pt")
    best = min(rows, key=lambda row: row["val_total"])
    assert checkpoint["epoch"] == best["epoch"] and checkpoint["config"] == {"hidden": 8}
    assert not (tmp_path / "work").exists()


def test_interrupted_run_resumes_to_identical_weights(tmp_path):
    reference, reference_fitted = _fit(tmp_path / "reference")
    calls = {"count": 0}

    def interrupted_in_epoch_2(model, batch):
        calls["count"] += 1
        if calls["count"] == 4 + 1 + 2:  # epoch 1: 4 train + 1 val batches; then 2 batches into epoch 2
            raise KeyboardInterrupt
        return _mse(model, batch)

    with pytest.raises(KeyboardInterrupt):
        _fit(tmp_path / "resumed", interrupted_in_epoch_2)
    assert not (tmp_path / "resumed" / "model.pt").exists()
    assert not (tmp_path / "resumed" / "history.csv").exists()
    resumed, fitted = _fit(tmp_path / "resumed")
    assert fitted.rows == reference_fitted.rows
    assert fitted.timed_epochs == 3  # epoch 1 timed before the interruption, 2 and 3 after
    for name, tensor in reference.state_dict().items():
        assert torch.equal(tensor, resumed.state_dict()[name]), name


def test_non_finite_loss_stops_with_epoch_and_step(tmp_path):
    def explodes(model, batch):
        losses = _mse(model, batch)
        return losses | {"total": losses["total"] * float("nan")}

    with pytest.raises(NonFiniteLoss, match=r"train: epoch 1: loss became nan at step 1"):
        _fit(tmp_path, explodes)
    assert not (tmp_path / "model.pt").exists()


def test_speed_record_counts_only_the_timed_epochs():
    runtime = make_runtime("cpu", "fp32", 1)
    rows = [{"epoch": epoch} for epoch in (1, 2, 3, 4)]
    whole = Fitted(rows, 8.0, 4).speed(100, runtime)
    assert whole.train_seconds == 8.0 and whole.epochs == 4 and whole.train_images_per_second == 50.0
    assert whole.timed_epochs is None and whole.timed == 4 and whole.runtime.processes == 1
    partly = Fitted(rows, 8.0, 2).speed(100, runtime)  # resumed from a state that kept no time
    assert partly.timed_epochs == 2 and partly.train_images_per_second == 25.0


def test_a_bar_draws_nothing_until_its_first_update(monkeypatch, capsys):
    """A signal that arrives while an epoch's bar is built must leave no half line before the stage's last
    line (`tests/test_interruption.py`): the bar draws first when the epoch loop shows its losses."""
    bar = training._progress_bar("regression 2/3", 4, interactive=True, shown=True)
    assert capsys.readouterr().err == ""
    time.sleep(2 * training.BAR_DELAY_S)
    bar.update(1)
    bar.set_postfix({"total": 1.0})
    assert "regression 2/3" in capsys.readouterr().err
    bar.close()
