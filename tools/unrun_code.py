"""Which code deps of the trainings run no function of theirs in a one-epoch training: the measure of how
closely a training's ``deps:`` follow the code it runs.

``python -m tools.unrun_code PROJECT`` takes a project folder whose data stages ran (a tiny project after
``dvc repro generate``, :mod:`tools.tiny`), runs each training of :data:`TRAININGS` there for one epoch (on
every core, as by default) with a profiler that notes every function called (module bodies aside: importing
a file is not running it), and prints, per training, its ``locate/`` deps (as ``dvc.yaml`` lists them) none
of whose functions ran, then the number across all of them. Exits 1 when that number is over ``--most``.
It sets the project's params to one epoch and writes the trainings' outputs there: give it a copy.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tools.pipeline_graph import read_plan
from tools.stage_code import declared_code

TRAININGS = ("train_detector@course", "train_detector@improved", "train_heatmap@heatmap", "train_regression@regression",
             "train_integral@integral")
NOT_RUNNING = ("<module>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")  # a module's body, not a function
TRACED = """
import atexit, json, runpy, sys, threading
ran = set()
def note(frame, event, argument):
    if event == "call" and frame.f_code.co_name not in {not_running!r}:
        ran.add(frame.f_code.co_filename)
atexit.register(lambda: open({record!r}, "w").write(json.dumps(sorted(ran))))
sys.setprofile(note)
threading.setprofile(note)
sys.argv = {argv!r}
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


def one_epoch(project: Path) -> None:
    """``project``'s params with every training cut to one epoch, on the default threads (``runtime.threads``
    0: every core, counted as a default run counts them)."""
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text())
    params["detector"]["epochs"] = params["keypoints"]["schedule"]["epochs"] = 1
    params["runtime"]["threads"] = 0
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def ran_files(project: Path, command: str) -> set[str]:
    """Repository-relative paths of the files one of whose functions ran in ``command`` (``python -m ...``)."""
    _, _, module, *arguments = command.split()
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "ran.json"
        code = TRACED.format(not_running=NOT_RUNNING, record=str(record), argv=[module, *arguments], module=module)
        subprocess.run([sys.executable, "-c", code], cwd=project, check=True, capture_output=True)
        ran = json.loads(record.read_text())
    return {Path(name).resolve().relative_to(project.resolve()).as_posix() for name in ran
            if Path(name).resolve().is_relative_to(project.resolve())}


def unrun_deps(project: Path, trainings: tuple[str, ...] = TRAININGS) -> dict[str, list[str]]:
    """Training stage -> its ``locate/`` deps none of whose functions ran when ``project`` ran it."""
    stages = {stage.name: stage for stage in read_plan(project)}
    result = {}
    for name in trainings:
        stage = stages[name]
        listed = {dep for dep in declared_code(project, list(stage.deps)) if dep.startswith("locate/")}
        result[name] = sorted(listed - ran_files(project, stage.cmd))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project folder whose data stages ran")
    parser.add_argument("--most", type=int, default=5, help="the most unrun deps allowed across the trainings")
    arguments = parser.parse_args()
    one_epoch(arguments.project)
    unrun = unrun_deps(arguments.project)
    for name, files in unrun.items():
        print(f"{name}: {len(files)} never run" + (": " + ", ".join(files) if files else ""))
    total = sum(len(files) for files in unrun.values())
    print(f"all trainings: {total} deps never run")
    if total > arguments.most:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
