"""The report's verdicts: each judgement its prose states, as a small pure function of the metrics.

Counts per level come as ``{level name: count}`` for one category; scores as ``{name: score}``.
"""

from dataclasses import dataclass

import pandas as pd

MAJORITY = 0.5
GAP_CLOSED, GAP_KEPT = 0.9, 0.1  # shares of a gap that count as closed, and as not narrowed
FOLLOWS = 0.5  # shift gain from which predictions count as following a moved figure


@dataclass(frozen=True)
class LevelShare:
    """The level with the most of one category's counts, its share of them and their total."""

    level: str
    share: float
    total: int


@dataclass(frozen=True)
class Convergence:
    """A training history in six numbers: the val loss after the first epoch, the lowest val loss and its
    epoch (the kept checkpoint), the last epoch and its train and val losses."""

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


def widest_lead(ahead: dict[str, float], behind: dict[str, float]) -> str:
    """The key (e.g. a PCK threshold) where ``ahead`` leads ``behind`` the most (the first on a tie)."""
    return max(ahead, key=lambda key: ahead[key] - behind[key])


def largest_distance(scores: dict[str, float], reference: dict[str, float]) -> float:
    """The largest absolute difference between ``scores`` and ``reference`` over the reference's keys."""
    return max(abs(scores[key] - reference[key]) for key in reference)


def raises(before: float, after: float) -> bool:
    """Whether going from ``before`` to ``after`` raises the value (or keeps it)."""
    return after >= before


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
    """``"closed"`` (at least :data:`GAP_CLOSED`), ``"kept"`` (at most :data:`GAP_KEPT`) or ``"narrowed"``;
    ``"none"`` when there was no gap."""
    if share is None:
        return "none"
    if share >= GAP_CLOSED:
        return "closed"
    return "kept" if share <= GAP_KEPT else "narrowed"


def follows_figure(gain: float) -> bool:
    """Whether predictions moving ``gain`` pixels per pixel of image move follow the figure (>= :data:`FOLLOWS`)."""
    return gain >= FOLLOWS
