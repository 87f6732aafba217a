"""The README as a front door: its results table is the report stage's ``reports/summary.md``, not typed in; it
fits about 200 lines, and the first command a user runs is within its first 40."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- summary: start -->\n", "<!-- summary: end -->"
MOST_LINES, FIRST_COMMAND_BY = 200, 40


def test_readme_carries_the_committed_summary():
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme[readme.index(START) + len(START) : readme.index(END)]
    assert table == (REPO_ROOT / "reports" / "summary.md").read_text()


def test_the_readme_is_short_and_starts_with_the_quick_start_commands():
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    first_command = next(number for number, line in enumerate(lines, 1) if line.startswith("make repro"))
    assert len(lines) <= MOST_LINES and first_command <= FIRST_COMMAND_BY, (len(lines), first_command)
