"""Whether a change needs the pipeline job: not when every file it touches is documentation.

``python -m ci.changes --base REV`` prints ``pipeline=true`` or ``pipeline=false`` (a line for
``$GITHUB_OUTPUT``): false when every file changed between ``REV`` and ``HEAD`` is prose only
(``docs/``, a Markdown file outside ``reports/``), which no stage reads, so rerunning the
pipeline (hours on a cold cache) would change nothing. The tests job runs either way. Standard
library only: it runs before the project is installed.
"""

import argparse
import subprocess

NO_COMMIT = "0" * 40  # GitHub's "before" of a branch's first push
PROSE = ("docs/",)  # folders no stage reads
PROSE_SUFFIX = ".md"
RESULTS = ("reports/",)  # Markdown the report stage writes: a result, not prose


def base_revision(base: str) -> str:
    """``base`` where it names a commit of this clone, else ``HEAD^``."""
    if not base or base == NO_COMMIT:
        return "HEAD^"
    known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], capture_output=True)
    return base if known.returncode == 0 else "HEAD^"


def is_prose(path: str) -> bool:
    """True for a documentation file that no stage reads."""
    return path.startswith(PROSE) or (path.endswith(PROSE_SUFFIX) and not path.startswith(RESULTS))


def needs_pipeline(changed: list[str]) -> bool:
    """False only when there are changed files and every one is prose."""
    return not changed or not all(map(is_prose, changed))


def changed_files(base: str) -> list[str]:
    """The files that differ between ``base`` (or ``HEAD^``, see :func:`base_revision`) and ``HEAD``."""
    listed = subprocess.run(["git", "diff", "--name-only", base_revision(base), "HEAD"], capture_output=True,
                            text=True, check=True)
    return listed.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="", help="the base branch or commit (default: HEAD's parent)")
    print(f"pipeline={str(needs_pipeline(changed_files(parser.parse_args().base))).lower()}")


if __name__ == "__main__":
    main()
