"""``dvc plots show`` writes a page that draws every chart with data, with no network at all.

The page is rendered in headless Chromium with every host unresolvable and a dead proxy; each
chart's SVG must hold marks of data (lines, points or bars), not only axes.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.tiny import command_env

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGE = REPO_ROOT / ".dvc" / "plots" / "page.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DATA_MARK = re.compile(r'aria-roledescription="(?:line mark|point|bar)"')
NO_NETWORK = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")


def _plots_show(folder: Path) -> Path:
    """``dvc plots show`` of the repository into ``folder``; the page it wrote."""
    subprocess.run([sys.executable, "-m", "dvc", "plots", "show", "-o", str(folder)], cwd=REPO_ROOT,
                   env=command_env(), check=True, capture_output=True)
    return folder / "index.html"


def _charts(dom: str, names: list[str]) -> dict[str, str]:
    """Each chart's part of the rendered DOM: from its ``<div id=...>`` to the next div with an id."""
    starts = sorted((dom.index(f'<div id="{name}"'), name) for name in names)
    ends = [start for start, _ in starts[1:]] + [len(dom)]
    return {name: dom[start:end] for (start, name), end in zip(starts, ends, strict=True)}


def test_the_page_template_carries_the_scripts_and_loads_nothing_from_the_network():
    page = PAGE.read_text()
    for package in ("vega@", "vega-lite@", "vega-embed@"):
        assert f"<!-- {package}" in page
    assert "{plot_divs}" in page and "{scripts}" not in page  # "scripts" would add DVC's CDN links
    assert re.search(r"<script[^>]*\ssrc=", page) is None
    assert "html_template = plots/page.html" in (REPO_ROOT / ".dvc" / "config").read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_every_chart_draws_its_data_offline(tmp_path):
    html = _plots_show(tmp_path / "dvc_plots").read_text()
    assert re.search(r"<script[^>]*\ssrc=", html) is None
    names = re.findall(r"vegaEmbed\('#([^']+)'", html)
    assert len(names) >= 9, names
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", *NO_NETWORK, "--virtual-time-budget=10000",
         "--dump-dom", (tmp_path / "dvc_plots" / "index.html").as_uri()],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    empty = [name for name, part in _charts(dom, names).items() if not DATA_MARK.search(part)]
    assert empty == [], f"charts without data: {empty}"  # a live log's absence empties none: see tools/dvc_views.py
    for image in re.findall(r'<img src="(static/[^"]+)"', html):
        assert (tmp_path / "dvc_plots" / image).is_file(), image
