"""Write ``.dvc/plots/page.html``: the page ``dvc plots show`` and ``dvc plots diff`` fill, with vega inlined.

DVC's own page loads vega, vega-lite and vega-embed from a CDN, so without internet every chart
is blank. ``.dvc/config`` names this page instead (``plots.html_template``); it carries the three
scripts, at the versions DVC's renderer writes its specs for, so the HTML needs no network.
``python -m tools.vega_page`` (``make vega-page``) fetches them with ``npm pack`` and rewrites it.
"""

import subprocess
import tarfile
import tempfile
from pathlib import Path

from locate.atomic import write_text

PAGE = Path(".dvc/plots/page.html")
# The versions of dvc-render's CDN links (dvc_render/vega.py), each with its minified build.
SCRIPTS = {"vega@5.20.2": "package/build/vega.min.js", "vega-lite@5.2.0": "package/build/vega-lite.min.js",
           "vega-embed@6.18.2": "package/build/vega-embed.min.js"}
HEAD = """<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <meta charset="utf-8">
    <title>DVC Plot</title>
"""
TAIL = """    <style>
        table {
            border-spacing: 15px;
        }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def fetch_script(package: str, member: str, folder: Path) -> str:
    """The text of ``member`` in the npm tarball of ``package`` (``name@version``), packed into ``folder``."""
    packed = subprocess.run(["npm", "pack", package, "--pack-destination", str(folder)], check=True,
                            capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(folder / packed) as archive:
        return archive.extractfile(member).read().decode()


def page(scripts: dict[str, str]) -> str:
    """The HTML template: each script (package -> source) inlined in the head, then DVC's placeholders.

    A ``</script>`` inside a source would end its tag early, so it is escaped as ``<\\/script>``.
    """
    escaped = {package: source.replace("</script>", "<\\/script>") for package, source in scripts.items()}
    tags = "".join(f"    <!-- {package} -->\n    <script>{source}</script>\n" for package, source in escaped.items())
    return HEAD + tags + TAIL


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="vega-page-") as folder:
        scripts = {package: fetch_script(package, member, Path(folder)) for package, member in SCRIPTS.items()}
    write_text(PAGE, page(scripts))
    print(f"wrote {PAGE} ({PAGE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
