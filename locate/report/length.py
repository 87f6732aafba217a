"""How long the report's analysis is: the words a reader reads before the appendix.

The analysis is everything before the ``## Appendix`` heading. A word is a whitespace-separated run that holds a
letter or a digit, as the Markdown renders it: table cells and numbers count, table rules and pipes do not, nor
an image's alt text and path (the caption under it counts) or a comment. ``python -m locate.report.length
[report.md]`` prints the count against :data:`WORD_LIMIT`.
"""

import re
import sys
from pathlib import Path

WORD_LIMIT = 2500  # the analysis of a report that reads in about ten minutes
APPENDIX_HEADING = "\n## Appendix"
HIDDEN = re.compile(r"!\[[^\]]*\]\([^)]*\)|<!--.*?-->", re.DOTALL)  # images and comments: not read
WORD = re.compile(r"[A-Za-z0-9]")


def analysis(report: str) -> str:
    """The Markdown of ``report`` before its appendix heading (all of it when there is none)."""
    return report.split(APPENDIX_HEADING, 1)[0]


def word_count(markdown: str) -> int:
    """The words a reader reads in ``markdown`` (see the module's note)."""
    return sum(1 for token in HIDDEN.sub(" ", markdown).split() if WORD.search(token))


def main(path: Path = Path("reports/report.md")) -> None:
    words = word_count(analysis(path.read_text()))
    print(f"{path}: {words} words before the appendix (limit {WORD_LIMIT})")


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:2]))
