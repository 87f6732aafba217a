"""Two runs' ``metrics/`` folders side by side: every number, and the headline ones judged against noise.

A number is named ``<file under metrics/>:<key>.<key>...`` (``detector/course.json:map50``).
Timings (``speed/``) and counts that do not depend on training (``parameters``) are left out.
The run-to-run noise of a headline number is the standard deviation over seeds recorded in
``benchmarks/results/seed_noise.json`` by :mod:`benchmarks.seed_noise`; two runs agree on it when
they differ by at most ``NOISE_BAND`` standard deviations (the difference of two draws has
sqrt(2) times the spread of one).
"""

import json
import math
from pathlib import Path

from locate.records.seed_noise import SEED_NOISE_FILE, read_seed_noise

NOISE_FILE = Path(__file__).resolve().parents[1] / SEED_NOISE_FILE
NOISE_BAND = 3 * math.sqrt(2)
SKIPPED_FOLDERS = ("speed",)
SKIPPED_KEYS = ("parameters",)
HEADLINE = ("map50", "map50_95", "pck.pck_05", "pck_symmetric.pck_05")


def flat_numbers(folder: Path) -> dict[str, float]:
    """Every number of the JSON files under ``folder`` by ``<relative path>:<dotted key>``."""
    numbers = {}
    for path in sorted(folder.rglob("*.json")):
        relative = path.relative_to(folder).as_posix()
        if relative.split("/")[0] in SKIPPED_FOLDERS:
            continue
        numbers |= {f"{relative}:{key}": value for key, value in _leaves(json.loads(path.read_text()))}
    return numbers


def _leaves(value, prefix: str = ""):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIPPED_KEYS:
                yield from _leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, value


def is_headline(name: str) -> bool:
    """Whether ``name`` is a detector mAP or a keypoint PCK@0.05 of a method or ablation."""
    return name.split(":", 1)[1] in HEADLINE


def read_noise(path: Path = NOISE_FILE) -> dict[str, float]:
    """Standard deviation over seeds by number name; empty when none was measured."""
    return {name: spread.std for name, spread in read_seed_noise(path).numbers.items()}


def agreement(ran: Path, committed: Path, noise: dict[str, float] | None = None) -> dict:
    """``ran`` and ``committed`` metrics folders compared: ``numbers`` (name -> [ran, committed, difference]),
    ``headline`` (name -> ran, committed, difference, noise std, agrees: bool or None where the noise is
    unknown) and ``missing`` (names in only one of them)."""
    noise = read_noise() if noise is None else noise
    new, old = flat_numbers(ran), flat_numbers(committed)
    numbers = {name: [new[name], old[name], round(new[name] - old[name], 6)] for name in new if name in old}
    headline = {}
    for name, (value, reference, difference) in numbers.items():
        if is_headline(name):
            spread = noise.get(name)
            agrees = None if spread is None else abs(difference) <= NOISE_BAND * spread + 1e-9
            headline[name] = {"ran": value, "committed": reference, "difference": difference, "noise_std": spread,
                              "agrees": agrees}
    return {"numbers": numbers, "headline": headline, "missing": sorted(set(new) ^ set(old))}
