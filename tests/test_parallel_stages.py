"""The stage runner on fake stages: inputs first, several at once on their share of the cores, a failure
stopping only what reads from it, a status line per running stage."""

import io
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from locate.cores import core_ids
from tools.parallel_stages import RUN, StageRunner, slot_cores, status_line
from tools.pipeline_graph import read_plan

FAKE_STAGE = '''
import os, sys, time
from pathlib import Path

name, *inputs = sys.argv[1:]
Path("out").mkdir(exist_ok=True)
Path(f"out/{name}.started").write_text(str(time.time()))
time.sleep(0.5)
if name == "broken" or any(not Path(path).is_file() for path in inputs):
    sys.exit(3)
pinned = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "unpinned"
Path(f"out/{name}.txt").write_text(f"{pinned} {os.environ['LOCATE_CORES']}")
'''


def _fake(name: str, reads: list[str]) -> dict:
    return {"cmd": f"python -m stages.fake {name} {' '.join(reads)}", "deps": reads, "outs": [f"out/{name}.txt"]}


def _runner(folder: Path, stages: dict, jobs: int) -> StageRunner:
    (folder / "stages").mkdir(parents=True)
    (folder / "stages" / "__init__.py").write_text("")
    (folder / "stages" / "fake.py").write_text(textwrap.dedent(FAKE_STAGE))
    (folder / "params.yaml").write_text(yaml.safe_dump({"parts": {"b": 1, "c": 2}}))
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}))
    env = os.environ | {"PYTHONPATH": str(folder)}

    def command(stage):
        return [sys.executable, *stage.cmd.split()[1:]]

    return StageRunner(read_plan(folder), jobs, folder / "logs", command, folder, env, out=io.StringIO())


def _started(folder: Path, name: str) -> float:
    return float((folder / "out" / f"{name}.started").read_text())


def test_independent_stages_run_at_once_each_after_its_inputs(tmp_path):
    runner = _runner(tmp_path, {"a": _fake("a", []),
                                "part": {"foreach": "${parts}", "do": _fake("${key}", ["out/a.txt"])},
                                "d": _fake("d", ["out/b.txt", "out/c.txt"])}, jobs=2)
    outcome = runner.run()
    assert not outcome.failed and set(outcome.stages) == {"a", "part@b", "part@c", "d"}
    assert abs(_started(tmp_path, "b") - _started(tmp_path, "c")) < 0.4  # side by side
    assert _started(tmp_path, "b") > _started(tmp_path, "a") and _started(tmp_path, "d") > _started(tmp_path, "c")
    if len(core_ids()) >= 2:  # each on its slot's cores
        assert (tmp_path / "out/b.txt").read_text() != (tmp_path / "out/c.txt").read_text()


def test_a_failed_stage_lets_the_others_finish_and_stops_its_readers(tmp_path):
    runner = _runner(tmp_path, {"a": _fake("a", []), "broken": _fake("broken", ["out/a.txt"]),
                                "after": _fake("after", ["out/broken.txt"]), "other": _fake("other", ["out/a.txt"])},
                     jobs=2)
    outcome = runner.run()
    assert outcome.failed == ["broken"] and outcome.blocked == ["after"]
    assert outcome.stages["other"]["exit"] == 0 and outcome.stages["broken"]["exit"] == 3
    assert "failed: broken (exit 3); its log: " in runner.out.getvalue()


def test_the_slots_share_the_cores_once():
    cores = core_ids()
    slots = slot_cores(len(cores))
    assert sorted(core for slot in slots for core in slot) == cores and all(len(slot) == 1 for slot in slots)
    assert slot_cores(1) == [set(cores)]


def test_the_status_line_reads_the_epoch_from_the_log(tmp_path):
    log = tmp_path / "stage.log"
    log.write_text("heatmap epoch 1/30: train 0.1 val 0.2\nheatmap epoch 3/30: train 0.1 val 0.2\n")
    line = status_line("train_heatmap@heatmap", log, started=0.0, now=30.0)
    assert line == "train_heatmap@heatmap: epoch 3/30, 10.0 s/epoch, 4.5 min left"


def test_an_error_preparing_a_stage_fails_that_stage_alone(tmp_path):
    runner = _runner(tmp_path, {"a": _fake("a", []), "b": _fake("b", ["out/a.txt"]),
                                "after": _fake("after", ["out/b.txt"]), "c": _fake("c", ["out/a.txt"])}, jobs=2)

    def prepare(stage):
        if stage.name == "b":
            raise OSError("its output folder is a file")
        return RUN

    runner.prepare = prepare
    outcome = runner.run()
    assert outcome.failed == ["b"] and outcome.blocked == ["after"] and outcome.stages["c"]["exit"] == 0
    assert "failed: b: OSError: its output folder is a file" in runner.out.getvalue()


SLOW_START = '''
import sys, time
from pathlib import Path

time.sleep(float(sys.argv[2]))  # where a stage imports its modules, before any handler of its own
Path(f"out/{sys.argv[1]}.txt").write_text("done")
'''


def test_a_stop_ends_every_stage_even_while_importing_and_finishes_those_that_succeeded(tmp_path):
    from tools.stopping import Stopped

    def stop_once_quick_is_done():
        if (tmp_path / "out/quick.txt").exists():
            raise Stopped(signal.SIGINT)

    (tmp_path / "out").mkdir()
    (tmp_path / "stages").mkdir()
    (tmp_path / "stages" / "__init__.py").write_text("")
    (tmp_path / "stages" / "slow_start.py").write_text(textwrap.dedent(SLOW_START))
    (tmp_path / "params.yaml").write_text("{}")
    stages = {name: {"cmd": f"python -m stages.slow_start {name} {seconds}", "outs": [f"out/{name}.txt"]}
              for name, seconds in (("quick", 0.2), ("importing", 60))}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}))
    finished = []
    runner = StageRunner(read_plan(tmp_path), 2, tmp_path / "logs",
                         lambda stage: [sys.executable, *stage.cmd.split()[1:]], tmp_path,
                         os.environ | {"PYTHONPATH": str(tmp_path)}, finish=lambda stage: finished.append(stage.name),
                         out=io.StringIO(), watch=stop_once_quick_is_done)
    started = time.monotonic()
    with pytest.raises(Stopped):
        runner.run()
    assert time.monotonic() - started < 30 and finished == ["quick"]
    assert "Traceback" not in (tmp_path / "logs/importing.log").read_text()
