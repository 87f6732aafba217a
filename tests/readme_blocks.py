"""The shell commands the README gives under a heading, as a reader would type them."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
USAGE = "Using it with DVC"  # the section of the commands that compare experiments
WIDE_TERMINAL = 160  # columns: what a table the README prints may take


def readme_commands(heading: str) -> list[str]:
    """The command lines (comments and blank lines aside) of the ``sh`` blocks under the README's ``## heading``."""
    section = README.read_text().split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = (re.sub(r"\s+#[^']*$", "", line).strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
