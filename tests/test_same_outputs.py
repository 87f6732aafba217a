"""Output comparison behind ``dvc commit`` of a refactored stage: checkpoints by content, timings aside."""

import torch

from tools.same_outputs import content_digest, output_digests


def test_a_checkpoint_is_compared_by_what_it_holds(tmp_path):
    weights = {"model": {"w": torch.arange(6.0).reshape(2, 3)}, "epoch": 3}
    torch.save(weights, tmp_path / "a.pt")
    torch.save(weights, tmp_path / "b.pt", _use_new_zipfile_serialization=False)  # other bytes, same content
    torch.save({"model": {"w": torch.arange(6.0).reshape(2, 3)}, "epoch": 4}, tmp_path / "c.pt")
    assert (tmp_path / "a.pt").read_bytes() != (tmp_path / "b.pt").read_bytes()
    assert content_digest(tmp_path / "a.pt") == content_digest(tmp_path / "b.pt")
    assert content_digest(tmp_path / "a.pt") != content_digest(tmp_path / "c.pt")


def test_folders_are_compared_file_by_file_without_timings(tmp_path):
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "history.csv").write_text("epoch\n1\n")
    (tmp_path / "metrics" / "speed").mkdir(parents=True)
    (tmp_path / "metrics" / "speed" / "train.json").write_text("{}")
    digests = output_digests(tmp_path, ["plots", "metrics/speed/train.json"])
    assert list(digests) == ["plots/history.csv"]
    (tmp_path / "plots" / "history.csv").write_text("epoch\n2\n")
    assert output_digests(tmp_path, ["plots"]) != digests
