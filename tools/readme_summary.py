"""The README's results block rewritten from ``reports/summary.md``, the tables the report stage writes.

``python -m tools.readme_summary`` (``make readme``; ``make repro`` runs it after a run that succeeded)
replaces what stands between the README's two summary markers; ``--check`` only says whether they
differ (exit 1). After a run of your own (``dvc repro``, ``dvc exp apply``, ``dvc pull``) it keeps the
README's results equal to the committed report, as ``tests/test_readme.py`` checks.
"""

import argparse
import sys
from pathlib import Path

README = Path("README.md")
SUMMARY = Path("reports/summary.md")
START, END = "<!-- summary: start -->\n", "<!-- summary: end -->"


def summary_block(readme: str) -> str:
    """What stands between the markers of ``readme``."""
    return readme[readme.index(START) + len(START) : readme.index(END)]


def synced(readme: str, summary: str) -> str:
    """``readme`` with ``summary`` between its markers."""
    return readme[: readme.index(START) + len(START)] + summary + readme[readme.index(END) :]


def sync_readme() -> None:
    """After a run: rewrite the README's results from the report stage's tables, where both are here and differ."""
    if README.is_file() and SUMMARY.is_file():
        readme, summary = README.read_text(), SUMMARY.read_text()
        if START in readme and END in readme and summary_block(readme) != summary:
            README.write_text(synced(readme, summary))
            print(f"{README}: results rewritten from {SUMMARY}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the README's block differs, write nothing")
    check = parser.parse_args().check
    if not SUMMARY.is_file():
        print(f"error: {SUMMARY}: not found; the report stage writes it (dvc repro report)", file=sys.stderr)
        return 2
    readme, summary = README.read_text(), SUMMARY.read_text()
    if START not in readme or END not in readme:
        print(f"error: {README}: the markers {START.strip()} and {END} are missing", file=sys.stderr)
        return 2
    if summary_block(readme) == summary:
        return 0
    if check:
        print(f"{README}: its results differ from {SUMMARY}; `make readme` rewrites them", file=sys.stderr)
        return 1
    sync_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main())
