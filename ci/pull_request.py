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
   ``DIR/diff-full.md``: every headline number with its change, one line each, then the stages
   that ran, then folded: every other result that changed, the params that changed, the timings
   (the trainings' live logs left out); ``DIR/diff.md`` is the same with each fold cut to stay
   within :data:`COMMENT_LIMIT` characters (GitHub refuses longer comments).

The exit code is that of ``dvc repro``; ``diff.md`` is written either way.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from ci.changes import base_revision
from locate.errors import UserError, run_stage
from tools.remote import dvc_command, transfer
from tools.tiny import ran_stages

COMMENT_LIMIT = 65_000  # GitHub refuses a comment over 65,536 characters
FOLD_RESERVE = 300  # characters kept for each fold still to come
TIMINGS = "metrics/speed/"
HEADLINE = "metrics/headline.json"
LIVE = "live/"  # the trainings' DVCLive logs: every epoch of every training, not results


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


def flat(values: dict, prefix: str = "") -> dict[str, object]:
    """A nested metrics record as ``dvc metrics diff`` names its numbers: ``{"map50": {"course": 0.8}}`` ->
    ``{"map50.course": 0.8}``."""
    entries = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        entries |= flat(value, f"{name}.") if isinstance(value, dict) else {name: value}
    return entries


def headline_lines(headline: dict, changes: dict) -> list[str]:
    """One line per number of the headline record (``map50.course``): its value on this branch and its change
    against the base, from ``changes`` (the headline file's entries of ``dvc metrics diff --json``)."""
    lines = []
    for key, value in (flat(headline) | {key: None for key in changes if key not in flat(headline)}).items():
        change = changes.get(key)
        if change is None:
            lines.append(f"- **{key}**: {_number(value)} (unchanged)")
        else:
            step = f"{change['diff']:+.4g}" if isinstance(change.get("diff"), float | int) else "new"
            lines.append(f"- **{key}**: {_number(change.get('old'))} → {_number(change.get('new'))} ({step})")
    return lines


def folded(summary: str, body: str, room: int | None) -> str:
    """``body`` under a ``<details>`` fold titled ``summary``, cut to ``room`` characters (None: whole)."""
    opening, closing = f"<details><summary>{summary}</summary>\n\n", "\n\n</details>"
    if room is not None:
        body = cut(body, max(room - len(opening) - len(closing), 200))
    return opening + body + closing


def diff_markdown(base: str, stages: list[str], metrics: dict, params: dict, seconds: float, headline: dict,
                  limit: int | None = None) -> str:
    """The pull request's summary within ``limit`` characters (None: no limit): every headline number with its
    change first, one line each; then the stages rerun; then, folded, every other result, the params and the
    timings that changed. The live logs of the trainings (``live/``) are left out."""
    shown = {path: entries for path, entries in metrics.items() if not path.startswith(LIVE)}
    results = {path: entries for path, entries in shown.items() if not path.startswith(TIMINGS) and path != HEADLINE}
    timings = {path: entries for path, entries in shown.items() if path.startswith(TIMINGS)}
    ran = ", ".join(f"`{stage}`" for stage in stages) or "none (every stage was up to date)"
    text = "\n".join(headline_lines(headline, shown.get(HEADLINE, {}))) + (
        f"\n\nThe headline (`{HEADLINE}`) against `{base}`. Stages rerun ({len(stages)}, {seconds:.0f} s): {ran}\n")
    sections = [
        (f"Every other result that changed ({sum(map(len, results.values()))})",
         _table(_rows(results), ("file", "metric", "base", "this branch", "change"))),
        (f"Params that changed ({sum(map(len, params.values()))})",
         _table(_rows(params), ("file", "param", "base", "this branch", "change"))),
        ("Timings (they change on every run)", _table(_rows(timings), ("file", "timing", "base", "this branch",
                                                                         "change"))),
    ]
    for index, (summary, body) in enumerate(sections):
        room = None if limit is None else limit - len(text) - FOLD_RESERVE * (len(sections) - index)
        text += "\n" + folded(summary, body, room) + "\n"
    return text


def cut(text: str, limit: int) -> str:
    """``text``, or its first lines within ``limit`` characters and a note saying how much was cut."""
    if len(text) <= limit:
        return text
    note = "\n\n_Cut here: {} more characters; the whole diff is in the job's artifacts (diff-full.md)._\n"
    kept = text[: limit - len(note) - 20].rsplit("\n", 1)[0]
    return kept + note.format(len(text) - len(kept))


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
    headline = json.loads(Path(HEADLINE).read_text()) if Path(HEADLINE).is_file() else {}
    (out / "diff-full.md").write_text(diff_markdown(base, stages, metrics, params, seconds, headline))
    (out / "diff.md").write_text(diff_markdown(base, stages, metrics, params, seconds, headline, COMMENT_LIMIT))
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
