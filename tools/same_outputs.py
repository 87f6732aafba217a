"""Whether a code change leaves every stage's outputs as they were: tiny runs of two revisions compared.

``python -m tools.same_outputs --base REV`` runs the whole DAG on tiny params (see :mod:`tools.tiny`)
once with the code of commit ``REV`` and once with the working tree's code, then compares each
stage's outputs: checkpoints by what they hold (tensors and meta, not pickle's layout), every
other file by its bytes, timings (``metrics/speed/``) aside. The report embeds the timings, so
the working tree's report is rewritten from the base run's timings before it is compared.
Prints one line per stage and exits 1 when any stage differs. This is the evidence a
``dvc commit`` of a refactored stage rests on. ``--keep DIR`` keeps both runs in ``DIR``; a base
run already there is reused, so a series of changes is checked against one base run.
"""

import argparse
import hashlib
import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import torch

from tools.pipeline_graph import read_plan
from tools.tiny import REPO_ROOT, dvc, tiny_project

TIMINGS = "metrics/speed/"


def output_digests(folder: Path, outputs: list[str]) -> dict[str, str]:
    """Path -> sha256 of every file of ``outputs`` (files or folders, relative to ``folder``), timings and
    absent outputs aside."""
    paths = []
    for output in outputs:
        path = folder / output
        paths += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] * path.is_file()
    digests = {p.relative_to(folder).as_posix(): content_digest(p) for p in paths}
    return {name: digest for name, digest in digests.items() if not name.startswith(TIMINGS)}


def content_digest(path: Path) -> str:
    """sha256 of a file; of a checkpoint, of what it holds (tensors and meta), not of how pickle laid it out."""
    if path.suffix != ".pt":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    digest = hashlib.sha256()
    _hash_value(digest, torch.load(path, weights_only=True))
    return digest.hexdigest()


def _hash_value(digest, value: object) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            digest.update(repr(key).encode())
            _hash_value(digest, value[key])
    elif isinstance(value, torch.Tensor):
        raw = value.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        digest.update(f"{value.dtype}{tuple(value.shape)}".encode() + raw)
    else:
        digest.update(repr(value).encode())


def stage_outputs(folder: Path) -> dict[str, list[str]]:
    """Stage name -> its output paths, from ``folder``'s ``dvc.yaml``."""
    return {stage.name: list(stage.outputs) for stage in read_plan(folder)}


def export_revision(revision: str, folder: Path) -> Path:
    """The files of commit ``revision`` extracted into ``folder``."""
    archive = subprocess.run(["git", "archive", revision], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def tiny_run(source: Path, folder: Path) -> Path:
    """``dvc repro`` of ``source``'s code on tiny params in ``folder``."""
    tiny_project(folder, source)
    dvc(folder, "repro", "-q")
    return folder


def rerun_report_on(base: Path, changed: Path) -> str | None:
    """Rewrite ``changed``'s report from ``base``'s timings; the error line when it cannot read them."""
    own = changed.parent / "changed-timings"
    shutil.rmtree(own, ignore_errors=True)
    shutil.move(changed / TIMINGS, own)
    shutil.copytree(base / TIMINGS, changed / TIMINGS)
    try:
        dvc(changed, "repro", "-q", "-f", "-s", "report")
        return None
    except AssertionError as failure:
        shutil.rmtree(changed / TIMINGS)
        shutil.move(own, changed / TIMINGS)
        return str(failure).strip().splitlines()[-1]


def compare(base: Path, changed: Path) -> dict[str, list[str]]:
    """Stage name -> the output files that differ between the two runs (stages of ``changed``'s DAG).

    When the base run's timings are not in the format the changed report reads, the report
    cannot be rewritten from them; it then counts as different, with the reason.
    """
    unreadable = rerun_report_on(base, changed)
    differences = {}
    for name, outputs in stage_outputs(changed).items():
        if name == "report" and unreadable:
            differences[name] = [f"reports (not comparable: {unreadable})"]
            continue
        before, after = output_digests(base, outputs), output_digests(changed, outputs)
        differences[name] = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare with (default HEAD)")
    parser.add_argument("--keep", type=Path, help="run in this new folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="locate-same-") as temporary:
        root = args.keep or Path(temporary)
        base = root / "base"
        if not (base / "dvc.lock").is_file():
            shutil.rmtree(root / "base-source", ignore_errors=True)
            shutil.rmtree(base, ignore_errors=True)
            tiny_run(export_revision(args.base, root / "base-source"), base)
        shutil.rmtree(root / "changed", ignore_errors=True)
        changed = tiny_run(REPO_ROOT, root / "changed")
        differences = compare(base, changed)
    for name, paths in differences.items():
        print(f"{name}: " + ("same outputs" if not paths else "DIFFERENT " + ", ".join(paths)))
    if any(differences.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
