"""A training run that fails at any write, its finish included, is completed by the next run.

Every write of :func:`locate.training.fit` (each atomic rename, file copy, ``torch.save``,
removal) is made to fail in turn, as a full disk or a kill at that instant would; the rerun
must end with the same history and checkpoint bytes as an uninterrupted run and leave no
work folder or temporary file behind. Also: writes never rename across folders (so across
filesystems), stale temporaries are removed, and a full disk is one line with exit code 2.
"""

import errno
import os
import shutil
from pathlib import Path

import pytest
import torch

from locate import atomic, checkpoint, training
from locate.errors import run_stage
from locate.records.reading import read_record
from locate.records.speed import TrainingSpeed
from locate.runtime import make_runtime
from locate.training import FitOutputs, FitSettings, fit
from tests.test_training_loop import _mse, _problem

EPOCHS = 3
FAULT_POINTS = (
    (os, "replace"),
    (shutil, "copyfile"),
    (torch, "save"),
    (Path, "unlink"),
    (shutil, "rmtree"),
)


def _outputs(folder: Path) -> FitOutputs:
    return FitOutputs(folder / "plots" / "history.csv", folder / "models" / "model.pt", {"config": {"hidden": 8}},
                      folder / "work", folder / "metrics" / "speed.json")


def _fit(folder: Path) -> training.Fitted:
    model, optimizer, train, val, generator = _problem(1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.5)
    settings = FitSettings(EPOCHS, make_runtime("cpu", "fp32", 1), _outputs(folder), generator, scheduler)
    return fit(model, optimizer, _mse, train, val, settings)


class Fault:
    """Makes the ``at``-th call of any :data:`FAULT_POINTS` function raise ENOSPC; ``calls`` counts them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: int) -> None:
        self.at, self.calls = at, 0
        for owner, name in FAULT_POINTS:
            monkeypatch.setattr(owner, name, self._failing(getattr(owner, name)))

    def _failing(self, function):
        def wrapper(*args, **kwargs):
            self.calls += 1
            if self.calls == self.at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return function(*args, **kwargs)

        return wrapper


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    _fit(folder)
    return folder


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_a_fault_at_any_write_is_completed_by_the_rerun(tmp_path, reference):
    expected = _outputs(reference)
    at = 0
    while True:
        at += 1
        folder = tmp_path / f"fault_{at}"
        with pytest.MonkeyPatch.context() as monkeypatch:
            fault = Fault(monkeypatch, at)
            try:
                _fit(folder)
            except OSError as error:
                assert error.errno == errno.ENOSPC
            else:
                break
        fitted = _fit(folder)
        outputs = _outputs(folder)
        assert outputs.history.read_bytes() == expected.history.read_bytes(), at
        assert outputs.checkpoint.read_bytes() == expected.checkpoint.read_bytes(), at
        assert read_record(outputs.speed, TrainingSpeed).epochs == len(fitted.rows) == EPOCHS
        assert _files(folder) == ["metrics/speed.json", "models/model.pt", "plots/history.csv"], at
        assert not list(folder.rglob(".*.tmp")), at
    assert fault.calls == at - 1 and at > 15, "every epoch and the finish write several files"


def test_a_state_without_its_best_weights_starts_over(tmp_path, monkeypatch, reference):
    (tmp_path / "models").mkdir()
    with monkeypatch.context() as patched:  # the finish as it was: best.pt moved out, then a fault, the state left
        patched.setattr(training, "copy_file", os.replace)
        patched.setattr(training, "write_csv", _raise_full_disk)
        with pytest.raises(OSError):
            _fit(tmp_path)
    assert (tmp_path / "work" / "state.pt").exists() and not (tmp_path / "work" / "best.pt").exists()
    _fit(tmp_path)
    assert _outputs(tmp_path).checkpoint.read_bytes() == _outputs(reference).checkpoint.read_bytes()
    assert _outputs(tmp_path).history.read_bytes() == _outputs(reference).history.read_bytes()


def _raise_full_disk(*args) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_no_write_renames_across_folders(tmp_path, monkeypatch, reference):
    """A rename to another folder fails with EXDEV, as it does when that folder is on another filesystem."""
    rename = os.replace

    def same_filesystem_only(source, target):
        if Path(source).parent.parent != Path(target).parent:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(source), None, str(target))
        rename(source, target)

    monkeypatch.setattr(os, "replace", same_filesystem_only)
    _fit(tmp_path)
    assert _outputs(tmp_path).checkpoint.read_bytes() == _outputs(reference).checkpoint.read_bytes()


def test_stale_temporaries_of_the_same_file_are_removed(tmp_path):
    final = tmp_path / "history.csv"
    ours = [tmp_path / ".history.csv.ab_12xyz.tmp", tmp_path / ".history.csv.00000000.tmp"]
    others = [tmp_path / ".history.csv.pt.abcdefgh.tmp", tmp_path / ".other.csv.abcdefgh.tmp", tmp_path / "keep.tmp"]
    for path in [*ours, *others]:
        path.mkdir()
    (ours[0] / "out").write_text("half")
    atomic.write_csv(final, [{"epoch": 1}])
    assert final.read_text() == "epoch\n1\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["history.csv", *(p.name for p in others)])


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    def torch_full_disk(data, path):
        Path(path).write_bytes(b"half")
        raise RuntimeError("basic_ios::clear: iostream error")

    monkeypatch.setattr(torch, "save", torch_full_disk)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 100, 0))
    final = tmp_path / "models" / "model.pt"
    with pytest.raises(SystemExit) as exit_code:
        run_stage(lambda: checkpoint.save_checkpoint(final, torch.nn.Linear(1, 1), {}))
    assert exit_code.value.code == 2
    assert capsys.readouterr().err == f"error: {final}: No space left on device; no partial output kept\n"
    assert list((tmp_path / "models").iterdir()) == []
