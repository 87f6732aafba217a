"""Formatting facts for Markdown: numbers, durations, words, labels and tables, and the two PCK thresholds the
report's sentences and short tables quote."""

import re

from locate.keypoints.pck import THRESHOLDS

TIGHTEST, LOOSEST = min(THRESHOLDS), max(THRESHOLDS)

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")


def pct(value: float) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    return f"{100 * value:.1f}%"


def num(value: float | None) -> str:
    """A metric with three decimals; ``n/a`` for None (an AP without objects)."""
    return "n/a" if value is None else f"{value:.3f}"


def minutes(seconds: float) -> str:
    """A duration in minutes (or seconds when short)."""
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.1f} s"


def number_word(count: int) -> str:
    """``3`` -> ``three`` (up to twelve; larger counts stay digits)."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)


def plural(name: str) -> str:
    """``circle`` -> ``circles``."""
    return f"{name}s"


def spoken(name: str) -> str:
    """A name as words: ``left_hand`` -> ``left hand``, ``scale1`` -> ``scale 1``."""
    return re.sub(r"(?<=[a-z])(?=[0-9])", " ", name.replace("_", " "))


def word_list(words: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def sentence_start(text: str) -> str:
    """``text`` with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def threshold_label(threshold: float) -> str:
    """A PCK threshold as a table column: ``0.1`` -> ``PCK@0.10``."""
    return f"PCK@{threshold:.2f}"


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def counted(count: int, one: str, many: str) -> str:
    """``1 process``, ``2 processes``."""
    return f"{count} {one if count == 1 else many}"
