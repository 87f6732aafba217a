"""The live log of a training: every finished epoch's history row, written through DVCLive as it ends.

A training's folder (``live/<stage>``: ``metrics.json`` with the last epoch, ``plots/metrics/**.tsv`` with
one row per epoch, step = epoch) is what ``dvc plots show``, ``dvc exp show`` and the VS Code DVC
extension read while the stage runs. It is a log of the run in progress, not a stage output: the
stage's outputs (checkpoint, history CSV, speed record) appear only when training ends, and the live
folder is rewritten from the saved state when a training resumes, so it holds each finished epoch once.

A history row ``{"epoch": 3, "train_total": ..., "val_pck_05": ..., "lr": ...}`` is logged as
``train/total``, ``val/pck_05`` and ``lr`` at step 3. Where DVCLive is not installed (a bare
environment such as the GPU check's), nothing is logged and one line says so.
"""

import sys
from pathlib import Path

from locate.errors import UserError

LIVE_ROOT = Path("live")
SPLITS = ("train", "val")


def metric_name(column: str) -> str:
    """History column -> DVCLive metric name: ``train_total`` -> ``train/total``, ``lr`` -> ``lr``."""
    split, _, part = column.partition("_")
    return f"{split}/{part}" if split in SPLITS and part else column


class LiveLog:
    """DVCLive's ``Live`` on one folder, started over with the epochs already finished; ``None`` live: a no-op."""

    def __init__(self, folder: Path, finished_rows: list[dict]) -> None:
        self.folder = folder
        self.rows: list[dict] = []  # every row logged so far, to write again if the folder is deleted
        self.live = self._guarded(lambda: _open_live(folder))
        for row in finished_rows:
            self.log(row)

    def _guarded(self, action):
        try:
            return action()
        except OSError as error:
            reason = error.strerror or str(error)
            raise UserError(f"{self.folder}: cannot write the live log ({reason}); no output written") from None

    def log(self, row: dict) -> None:
        """Write one epoch's history ``row`` (its ``epoch`` is the step). A folder deleted while the training runs
        is started over with every row logged so far."""
        if self.live is None:
            return
        if self.rows and not self.folder.is_dir():
            self.live = self._guarded(lambda: _open_live(self.folder))
            for earlier in self.rows:
                self._write(earlier)
        self._write(row)
        self.rows.append(row)

    def _write(self, row: dict) -> None:
        def write() -> None:
            self.live.step = row["epoch"]
            for column, value in row.items():
                if column != "epoch":
                    self.live.log_metric(metric_name(column), value)
            self.live.next_step()

        self._guarded(write)


def _open_live(folder: Path):
    """A fresh ``Live`` writing into ``folder`` (its earlier log removed), or None without DVCLive.

    It writes files only: it does not open the DVC repository, git or DVC Studio (DVCLive's repository
    integration fails in a git repository without commits, and the log needs none of it: ``dvc.yaml``
    declares the folder).
    """
    try:
        from dvclive import Live
    except ImportError:
        print(f"dvclive is not installed: no live log in {folder}", file=sys.stderr)
        return None

    class FolderLive(Live):
        def _init_dvc(self) -> None:
            """No repository integration (see :func:`_open_live`)."""

    folder.mkdir(parents=True, exist_ok=True)
    return FolderLive(str(folder), resume=False, report=None, save_dvc_exp=False, dvcyaml=False, monitor_system=False)
