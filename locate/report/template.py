"""The report's prose: ``template.md``, Markdown in named parts with ``${fact}`` placeholders.

A line ``<!-- part: NAME -->`` starts part NAME, which runs to the next such line (its
surrounding newlines dropped); text before the first part is a note for its readers. Parts
are filled with :class:`string.Template`; a placeholder without a fact is a bug (KeyError).
"""

import re
from functools import cache
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_suffix(".md")
PART_LINE = re.compile(r"^<!-- part: (\w+) -->\n", re.MULTILINE)


@cache
def parts() -> dict[str, Template]:
    """Every part of the template by name, in file order."""
    pieces = PART_LINE.split(TEMPLATE.read_text())
    return {name: Template(text.strip("\n")) for name, text in zip(pieces[1::2], pieces[2::2], strict=True)}


def fill(part: str, facts: dict[str, object] | None = None) -> str:
    """Part ``part`` with each placeholder replaced by its fact (as ``str``)."""
    return parts()[part].substitute(facts or {})
