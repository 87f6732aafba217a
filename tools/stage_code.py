"""The code each stage runs, derived from the imports, against the code its ``deps:`` list names.

A stage's command is ``python -m stages.<name> ...``; the code it runs is that module and
every module of this repository it imports, directly or through others (imports inside
functions count too). A module's resource files share its stem (``locate/report.py`` reads
``locate/report.md``) and count with it. Package ``__init__.py`` files hold no code and are
left out. A folder in ``deps:`` stands for every file in it.

A training (a stage that writes under ``models/``) takes minutes to hours, so it lists exactly the code
it runs, a folder where it runs every module in it (:func:`folded`): an edit elsewhere reruns none. Every
other stage takes seconds and depends on its own module and the whole library (:data:`LIBRARY`): an edit
to library code it does not run reruns it for nothing, in seconds, and its outputs stay the same, so
nothing after it reruns.

``python -m tools.stage_code --write`` (``make deps``) writes every stage's code deps into
``dvc.yaml`` by that rule, and the top-level ``metrics:`` and ``plots:`` from the stages and the
keypoint methods (:mod:`tools.dvc_views`): the stage's own module first, the rest sorted, then the stage's
other deps (data, metrics) as they were; stages that come out with the same deps share one list
(a YAML anchor and its aliases). Comments and everything else in the file stay as they are.
``python -m tools.stage_code`` checks instead: it prints, for each stage whose ``deps:`` differ from
the rule, the code files missing from the list and the ones listed beyond it, and exits 1 if any.
"""

import argparse
import ast
import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from tools.dvc_views import PLOTS_COMMENT, views
from tools.pipeline_graph import read_plan
from tools.tiny import REPO_ROOT

CODE_ROOTS = ("locate", "stages")
LIBRARY = "locate"  # the code deps of a stage that trains nothing, besides its own module
DVC_YAML = "dvc.yaml"


def module_file(root: Path, name: str) -> Path | None:
    """The file of module ``name`` (``locate.data.files``) under ``root``, if it is one of ours."""
    if name.split(".")[0] not in CODE_ROOTS:
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, and ``package.name`` for each ``from package import name``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def code_files(root: Path, module: str) -> set[str]:
    """Repository-relative paths of the code module ``module`` runs (itself, its imports, their resources)."""
    seen: set[Path] = set()
    pending = [module]
    while pending:
        path = module_file(root, pending.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        pending += sorted(imported_names(path))
    files = {path for path in seen if path.name != "__init__.py"}
    resources = {other for path in files for other in path.parent.glob(f"{path.stem}.*") if other.suffix != ".pyc"}
    return {path.relative_to(root).as_posix() for path in files | resources}


def declared_code(root: Path, deps: list[str]) -> set[str]:
    """The code files a ``deps:`` list names (folders expanded to their files, caches aside)."""
    files = set()
    for dep in deps:
        if dep.split("/")[0] not in CODE_ROOTS:
            continue
        path = root / dep
        found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        files |= {p.relative_to(root).as_posix() for p in found if "__pycache__" not in p.parts}
    return {name for name in files if not name.endswith("__init__.py")}


def stage_module(command: str) -> str:
    """``stages.train_keypoints`` from ``python -m stages.train_keypoints heatmap``."""
    words = command.split()
    return words[words.index("-m") + 1]


def trains(outputs) -> bool:
    """Whether a stage with these outputs trains a model (writes under ``models/``)."""
    return any(str(output).startswith("models/") for output in outputs)


def code_deps(root: Path, module: str, training: bool) -> tuple[str, ...]:
    """The code deps of a stage running ``module``: its own file first, then the code it runs (sorted) for a
    training, else the :data:`LIBRARY`."""
    first = f"{module.replace('.', '/')}.py"
    if not training:
        return first, LIBRARY
    return first, *sorted(folded(root, code_files(root, module) - {first}))


def folded(root: Path, files: set[str]) -> set[str]:
    """``files`` (repository-relative paths) with each folder whose code files all are among them named by the
    folder instead (the outermost such folder): ``locate/detection`` for every module of the package."""
    folders = {str(parent) for path in files for parent in Path(path).parents} - {"."}
    whole = {folder for folder in folders if declared_code(root, [folder]) <= files}
    outermost = {folder for folder in whole if not any(str(parent) in whole for parent in Path(folder).parents)}
    return outermost | {path for path in files if not any(str(parent) in outermost for parent in Path(path).parents)}


def mismatches(root: Path = REPO_ROOT) -> dict[str, tuple[list[str], list[str]]]:
    """Stage name -> (code the rule asks that ``deps:`` lacks, code listed beyond it), where they differ."""
    result = {}
    for stage in read_plan(root):
        module = stage_module(stage.cmd)
        due = declared_code(root, list(code_deps(root, module, trains(stage.outputs))))
        listed = declared_code(root, list(stage.deps))
        if not code_files(root, module) <= due or due != listed:
            result[stage.name] = (sorted(due - listed), sorted(listed - due))
    return result


def _round_trip_yaml() -> YAML:
    """A YAML reader and writer that gives back ``dvc.yaml``'s own text when nothing changed."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def written_dvc_yaml(root: Path = REPO_ROOT) -> str:
    """The text of ``root``'s ``dvc.yaml`` with every stage's code deps written from its imports."""
    yaml = _round_trip_yaml()
    document = yaml.load((root / DVC_YAML).read_text())
    written: dict[tuple[str, ...], tuple[str, CommentedSeq]] = {}
    for name, stage in document["stages"].items():
        body = stage.get("do", stage)
        module = stage_module(body["cmd"])
        outputs = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in body.get("outs", [])]
        others = [dep for dep in body["deps"] if str(dep).split("/")[0] not in CODE_ROOTS]
        deps = (*code_deps(root, module, trains(outputs)), *others)
        if deps in written:
            owner, shared = written[deps]
            shared.yaml_set_anchor(getattr(shared.anchor, "value", None) or f"{owner}_deps", always_dump=True)
            body["deps"] = shared
            continue
        listed = body["deps"] if isinstance(body["deps"], CommentedSeq) else CommentedSeq()
        listed[:] = list(deps)
        body["deps"] = listed
        written[deps] = (name, listed)
    _write_views(document, root)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def _flow_lists(value):
    """``value`` with every list of plain names in flow style (``[a, b]``), as dvc.yaml writes the plot columns."""
    if isinstance(value, dict):
        return {key: _flow_lists(item) for key, item in value.items()}
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        listed = CommentedSeq(value)
        listed.fa.set_flow_style()
        return listed
    return value


def _write_views(document, root: Path) -> None:
    """Replace the items of the top-level ``metrics:`` and ``plots:`` lists, where the file has them, with
    :mod:`tools.dvc_views`' (the comments on them stay)."""
    if "metrics" not in document or "plots" not in document:
        return
    metrics, plots = views(root)
    document["metrics"][:] = metrics
    document["plots"][:] = [_flow_lists(entry) if isinstance(entry, dict) else entry for entry in plots]
    document.yaml_set_comment_before_after_key("plots", before="\n\n" + PLOTS_COMMENT)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write (or check) every stage's code deps from its imports.")
    parser.add_argument("--write", action="store_true", help=f"rewrite the code deps in {DVC_YAML}")
    if parser.parse_args().write:
        (REPO_ROOT / DVC_YAML).write_text(written_dvc_yaml())
        print(f"{DVC_YAML}: every stage's code deps written from its imports")
        return
    found = mismatches()
    for name, (missing, extra) in found.items():
        print(f"{name}: missing {missing or 'nothing'}; listed but not run {extra or 'nothing'}")
    if found:
        raise SystemExit(1)
    print("every stage's deps name exactly the code it runs")


if __name__ == "__main__":
    main()
