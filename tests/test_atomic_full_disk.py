"""A write that fails for lack of space names the file that could not be written, never its source.

``shutil.copyfile`` names its source on a full disk; the checkpoint copied from ``.resume/`` to
``models/`` must be reported as ``models/...``, or a user freeing space would delete the resume copy.
Tested with a simulated error and, where the platform allows (root, Linux), a real full tmpfs.
"""

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from locate.atomic import copy_file, write_text
from locate.errors import run_stage


def _full_disk_error(source, destination):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source), None, str(destination))


def test_a_simulated_full_disk_names_the_destination_not_the_source(tmp_path, monkeypatch, capsys):
    source = tmp_path / ".resume" / "best.pt"
    source.parent.mkdir()
    source.write_bytes(b"weights")
    final = tmp_path / "models" / "detector.pt"
    monkeypatch.setattr(shutil, "copyfile", _full_disk_error)
    with pytest.raises(SystemExit) as exit_code:
        run_stage(lambda: copy_file(source, final))
    assert exit_code.value.code == 2
    assert capsys.readouterr().err == f"error: {final}: No space left on device; no partial output kept\n"
    assert source.read_bytes() == b"weights" and list(final.parent.iterdir()) == []


def test_an_unreadable_source_keeps_its_own_name(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        copy_file(tmp_path / "missing.pt", tmp_path / "models" / "detector.pt")
    assert error.value.filename == str(tmp_path / "missing.pt")


@pytest.fixture
def full_filesystem(tmp_path) -> Path:
    """A 64 KiB tmpfs mounted at ``tmp_path / "small"`` (skipped where it cannot be mounted)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"tmpfs not mountable here: {mounted.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_real_full_filesystem_names_the_destination(tmp_path, full_filesystem, capsys):
    source = tmp_path / ".resume" / "best.pt"
    source.parent.mkdir()
    source.write_bytes(os.urandom(256 * 1024))
    final = full_filesystem / "models" / "detector.pt"
    with pytest.raises(SystemExit) as exit_code:
        run_stage(lambda: copy_file(source, final))
    assert exit_code.value.code == 2
    assert capsys.readouterr().err == f"error: {final}: No space left on device; no partial output kept\n"
    assert list(final.parent.iterdir()) == [] and source.stat().st_size == 256 * 1024
    with pytest.raises(OSError) as error:
        write_text(full_filesystem / "metrics.json", "x" * 256 * 1024)
    assert error.value.errno == errno.ENOSPC and error.value.filename == str(full_filesystem / "metrics.json")


def test_a_full_disk_keeps_none_of_the_outputs_finished_before_it(tmp_path, full_filesystem, capsys):
    plots = full_filesystem / "plots"

    def write_plots() -> None:
        write_text(plots / "small.csv", "x,y\n1,2\n")
        write_text(plots / "too_big.csv", "x" * 256 * 1024)

    with pytest.raises(SystemExit) as exit_code:
        run_stage(write_plots)
    assert exit_code.value.code == 2
    assert capsys.readouterr().err.endswith("No space left on device; no partial output kept\n")
    assert list(plots.iterdir()) == []
