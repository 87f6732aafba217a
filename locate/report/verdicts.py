"""The report's verdicts: each judgement its prose states, as a small pure function of the metrics.

Counts per level come as ``{level name: count}`` for one category; scores as ``{name: score}``.
"""

from dataclasses import dataclass

import pandas as pd

MAJORITY = 0.5
GAP_CLOSED, GAP_KEPT = 0.9, 0.1  # shares of a gap that count as closed, and as not narrowed
FOLLOWS = 0.5  # shift gain from which predictions count as following a moved figure
DECIMALS = 3  # the report's precision: values equal at it are the same
PLATEAU = 0.01  # a val score within this of its best has stopped improving
VAL_RULES = ("val_loss", "val_map50")  # checkpoint rules that select the epoch on the val set


@dataclass(frozen=True)
class LevelShare:
    """The level with the most of one category's counts, its share of them and their total."""

    level: str
    share: float
    total: int


@dataclass(frozen=True)
class Convergence:
    """A training history in six numbers: the val loss after the first epoch, the lowest val loss and its
    epoch, the last epoch and its train and val losses."""

    first_val: float
    best_val: float
    best_epoch: int
    last_epoch: int
    last_train: float
    last_val: float

    @property
    def ratio(self) -> float:
        """Val over train loss at the last epoch (nan when the train loss is 0)."""
        return self.last_val / self.last_train if self.last_train > 0 else float("nan")


def dominant_level(counts: dict[str, int]) -> LevelShare:
    """The level with the most counts (the first on a tie), its share (0 when there are none), the total."""
    total = sum(counts.values())
    level = max(counts, key=counts.get)
    return LevelShare(level, counts[level] / total if total else 0.0, total)


def specialises(counts: dict[str, dict[str, int]]) -> bool:
    """Whether each category (category -> level -> count) has most (> 50%) of its counts on a level of its own."""
    dominant = [dominant_level(by_level) for by_level in counts.values()]
    distinct = len({share.level for share in dominant}) == len(dominant)
    return distinct and all(share.share > MAJORITY for share in dominant)


def best_and_worst(scores: dict[str, float | None]) -> tuple[str, str]:
    """The names of the highest and the lowest score, None scores aside (the first on a tie)."""
    known = {name: score for name, score in scores.items() if score is not None}
    return max(known, key=known.get), min(known, key=known.get)


def best_variant(baseline: float, variants: dict[str, float]) -> str | None:
    """The variant with the highest score (the first on a tie) if it beats ``baseline``; None when none does
    (matching the baseline is not beating it)."""
    best = max(variants, key=variants.get)
    return best if variants[best] > baseline else None


def ahead_at(first: dict[str, float], second: dict[str, float]) -> list[str]:
    """The keys (e.g. PCK thresholds) where ``first`` scores strictly higher than ``second``, in order."""
    return [key for key in first if first[key] > second[key]]


def lead(first: dict[str, float], second: dict[str, float]) -> str:
    """``"first"`` or ``"second"`` when that one scores higher at every key, ``"same"`` when they are equal at every
    key, ``"mixed"`` otherwise."""
    if len(ahead_at(first, second)) == len(first):
        return "first"
    if len(ahead_at(second, first)) == len(first):
        return "second"
    return "same" if all(first[key] == second[key] for key in first) else "mixed"


def widest_gap(first: dict[str, float], second: dict[str, float]) -> str:
    """The key where the two scores differ the most, whichever is ahead (the first on a tie)."""
    return max(first, key=lambda key: abs(first[key] - second[key]))


def position(value: float, reference: float) -> str:
    """``"above"``, ``"below"`` or ``"level with"`` ``reference``."""
    if value == reference:
        return "level with"
    return "above" if value > reference else "below"


def largest_distance(scores: dict[str, float], reference: dict[str, float]) -> float:
    """The largest absolute difference between ``scores`` and ``reference`` over the reference's keys."""
    return max(abs(scores[key] - reference[key]) for key in reference)


def change(before: float | None, after: float | None) -> str:
    """``"raises"``, ``"lowers"`` or ``"keeps"``: what going from ``before`` to ``after`` does to the value at
    :data:`DECIMALS` decimals; ``"unknown"`` when either is None."""
    if before is None or after is None:
        return "unknown"
    before, after = round(before, DECIMALS), round(after, DECIMALS)
    if after == before:
        return "keeps"
    return "raises" if after > before else "lowers"


def level_change(before: dict[str, int], after: dict[str, int]) -> str:
    """Whether the level finding most of one category (level -> count) is the same before and after: ``"kept"`` or
    ``"moved"``; ``"none"`` when either has no count at all."""
    if not sum(before.values()) or not sum(after.values()):
        return "none"
    return "kept" if dominant_level(before).level == dominant_level(after).level else "moved"


def selects_on_val(rule: str) -> bool:
    """Whether checkpoint ``rule`` chooses the epoch by a score on the val set (:data:`VAL_RULES`)."""
    return rule in VAL_RULES


def convergence(history: pd.DataFrame) -> Convergence:
    """The six numbers of a history with columns ``epoch``, ``train_total`` and ``val_total`` (one row per epoch)."""
    best = history.loc[history["val_total"].idxmin()]
    first, last = history.iloc[0], history.iloc[-1]
    return Convergence(float(first["val_total"]), float(best["val_total"]), int(best["epoch"]), int(last["epoch"]),
                       float(last["train_total"]), float(last["val_total"]))


def gap_closed(behind: float, between: float, ahead: float) -> float | None:
    """The share of the gap from ``behind`` to ``ahead`` that ``between`` covers (None when there is no gap).

    0 is no better than ``behind``, 1 as good as ``ahead``; below 0 or above 1 when it is outside.
    """
    return (between - behind) / (ahead - behind) if ahead > behind else None


def gap_verdict(share: float | None) -> str:
    """``"passed"`` (above 1: past the one ahead), ``"closed"`` (at least :data:`GAP_CLOSED`), ``"kept"`` (at most
    :data:`GAP_KEPT`) or ``"narrowed"``; ``"none"`` when there was no gap."""
    if share is None:
        return "none"
    if share > 1:
        return "passed"
    if share >= GAP_CLOSED:
        return "closed"
    return "kept" if share <= GAP_KEPT else "narrowed"


def follows_figure(gain: float) -> bool:
    """Whether predictions moving ``gain`` pixels per pixel of image move follow the figure (>= :data:`FOLLOWS`)."""
    return gain >= FOLLOWS


@dataclass(frozen=True)
class Plateau:
    """A val score over the epochs: its ``best`` value, the epoch it was first reached, and ``settled``, the first
    epoch within :data:`PLATEAU` of it (where the method stopped improving at the task)."""

    best: float
    best_epoch: int
    settled: int


def plateau(epochs: pd.Series, scores: pd.Series) -> Plateau:
    """The :class:`Plateau` of ``scores`` (one per epoch, aligned with ``epochs``; higher is better)."""
    best = float(scores.max())
    return Plateau(best, int(epochs[scores.idxmax()]), int(epochs[scores >= best - PLATEAU].iloc[0]))


NOISE_SPREADS = 2  # a difference counts when it is larger than this many of the larger standard deviation


def against_noise(difference: float, stds: tuple[float | None, ...]) -> str:
    """``"beyond noise"`` when ``|difference|`` exceeds :data:`NOISE_SPREADS` times the largest of the known
    standard deviations ``stds`` (over seeds) of the two numbers compared, ``"within noise"`` otherwise;
    ``"noise not measured"`` when none is known."""
    known = [std for std in stds if std is not None]
    if not known:
        return "noise not measured"
    return "beyond noise" if abs(difference) > NOISE_SPREADS * max(known) else "within noise"
