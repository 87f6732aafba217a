"""The folders the pipeline writes its cached outputs to must be folders of the repository, not symlinks.

DVC refuses an output reached through a symlink that leaves the repository ("outside of git repository"), but
only after the stage has run, and again on every rerun. A stage therefore refuses such a folder before it starts
work, in one line naming what works instead: a bind mount in its place, or DVC's cache on the other disk
(docs/data-and-errors.md).
"""

from pathlib import Path

from locate.errors import UserError

OUTPUT_FOLDERS = ("data", "models", "predictions")  # where the stages write DVC-cached outputs


def refuse_linked_outputs(root: Path = Path(".")) -> None:
    """Raise UserError when an output folder under ``root`` is a symlink to a place outside ``root``."""
    for name in OUTPUT_FOLDERS:
        folder = root / name
        if not folder.is_symlink():
            continue
        target = folder.resolve()
        if not target.is_relative_to(root.resolve()):
            raise UserError(f"{name}/ links to {target}, outside the repository, which DVC refuses for outputs; "
                            f"make {name}/ a bind mount of it, or keep DVC's cache there (dvc cache dir): "
                            "docs/data-and-errors.md")
