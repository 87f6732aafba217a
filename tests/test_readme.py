"""The README's results table is the report stage's ``reports/summary.md``, not typed in."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- summary: start -->\n", "<!-- summary: end -->"


def test_readme_carries_the_committed_summary():
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme[readme.index(START) + len(START) : readme.index(END)]
    assert table == (REPO_ROOT / "reports" / "summary.md").read_text()
