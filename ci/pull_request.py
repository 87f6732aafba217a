"""What CI does on a pull request: rerun only the stale stages, then say what changed against the base.

``python -m ci.pull_request --base REV --out DIR``, in a checkout whose DVC cache holds the
base's outputs (restored by the workflow, or pulled here when ``--pull`` is given). ``REV`` is
the base branch of a pull request, or the commit before a push (so a push of several commits
is compared as a whole); where there is none (the all-zero id of a new branch, a commit this
clone lacks) the parent of ``HEAD`` is used.

1. checks the outputs of ``dvc.lock`` out of the cache (``--pull``: fetches them from the
   default remote first); an output the cache lacks is simply rebuilt by step 2;
2. ``dvc repro``: DVC runs the stages whose code, data or params changed, and what depends on them;
3. writes ``DIR/stages.txt`` (the stages that ran, one per line), ``DIR/repro.log`` and
   ``DIR/diff-full.md``: the stages that ran, the results that changed, the params that
   changed, then the timings apart; ``DIR/diff.md`` is the same cut to :data:`COMMENT_LIMIT`
   characters with a note (GitHub refuses longer comments).

The exit code is that of ``dvc repro``; ``diff.md`` is written either way.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from locate.errors import UserError, run_stage
from tools.remote import dvc_command, transfer
from tools.tiny import ran_stages

COMMENT_LIMIT = 60_000
TIMINGS = "metrics/speed/"
NO_COMMIT = "0" * 40  # GitHub's "before" of a branch's first push


def _dvc(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = dvc_command(*args)
    if check and result.returncode != 0:
        raise UserError(f"dvc {' '.join(args)}: {(result.stderr or result.stdout).strip().splitlines()[-1]}")
    return result


def _number(value: object) -> str:
    return "" if value is None else f"{value:.4g}" if isinstance(value, float) else json.dumps(value)


def _rows(diff: dict) -> list[tuple[str, str, str, str, str]]:
    """``(file, key, base, this branch, change)`` for every entry of a ``dvc metrics/params diff --json``."""
    return [
        (path, key, _number(change.get("old")), _number(change.get("new")), _number(change.get("diff")))
        for path, entries in sorted(diff.items())
        for key, change in sorted(entries.items())
    ]


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    if not rows:
        return "_none_"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def diff_markdown(base: str, stages: list[str], metrics: dict, params: dict, seconds: float) -> str:
    """The pull request's summary: stages run, results and params changed against ``base``, then timings."""
    results = {path: entries for path, entries in metrics.items() if not path.startswith(TIMINGS)}
    timings = {path: entries for path, entries in metrics.items() if path.startswith(TIMINGS)}
    ran = ", ".join(f"`{stage}`" for stage in stages) or "none (every stage was up to date)"
    return "\n\n".join([
        f"## Pipeline against `{base}`",
        f"Stages rerun ({len(stages)}, {seconds:.0f} s): {ran}",
        "### Results that changed\n\n" + _table(_rows(results), ("file", "metric", "base", "this branch", "change")),
        "### Params that changed\n\n" + _table(_rows(params), ("file", "param", "base", "this branch", "change")),
        "### Timings (they change on every run)\n\n"
        + _table(_rows(timings), ("file", "timing", "base", "this branch", "change")),
    ]) + "\n"


def cut(text: str, limit: int) -> str:
    """``text``, or its first lines within ``limit`` characters and a note saying how much was cut."""
    if len(text) <= limit:
        return text
    note = "\n\n_Cut here: {} more characters; the whole diff is in the job's artifacts (diff-full.md)._\n"
    kept = text[: limit - len(note) - 20].rsplit("\n", 1)[0]
    return kept + note.format(len(text) - len(kept))


def base_revision(base: str) -> str:
    """``base`` where it names a commit of this clone, else ``HEAD^``."""
    if not base or base == NO_COMMIT:
        return "HEAD^"
    known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], capture_output=True)
    return base if known.returncode == 0 else "HEAD^"


def run_pull_request(base: str, out: Path, pull: bool) -> int:
    """Steps 1-3 of the module's docstring; the exit code of ``dvc repro``."""
    out.mkdir(parents=True, exist_ok=True)
    base = base_revision(base)
    if pull:
        transfer("pull", None)
    else:
        _dvc("checkout", "--allow-missing", check=False)
    started = time.perf_counter()
    repro = _dvc("repro", check=False)
    seconds = time.perf_counter() - started
    (out / "repro.log").write_text(repro.stdout + repro.stderr)
    stages = ran_stages(repro.stdout)
    (out / "stages.txt").write_text("".join(f"{stage}\n" for stage in stages))
    metrics = json.loads(_dvc("metrics", "diff", base, "--json").stdout or "{}")
    params = json.loads(_dvc("params", "diff", base, "--json").stdout or "{}")
    full = diff_markdown(base, stages, metrics, params, seconds)
    (out / "diff-full.md").write_text(full)
    (out / "diff.md").write_text(cut(full, COMMENT_LIMIT))
    print(f"{len(stages)} stages rerun in {seconds:.0f} s: {' '.join(stages) or 'none'}")
    return repro.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the base branch or commit to compare against")
    parser.add_argument("--out", type=Path, default=Path("ci-output"), help="folder for diff.md and stages.txt")
    parser.add_argument("--pull", action="store_true", help="fetch the base's outputs from the default remote first")
    args = parser.parse_args()
    code = run_pull_request(args.base, args.out, args.pull)
    if code != 0:
        sys.exit(code)


if __name__ == "__main__":
    run_stage(main)
