"""The detector's checkpoint rules, and which epoch of a training history each one keeps.

A training history holds the val loss and the val mAP@0.5 of every epoch, so one run shows
what every rule would have kept, whichever rule chose its checkpoint.
"""

from dataclasses import dataclass

CHECKPOINT_RULES = ("val_loss", "last", "val_map50")  # the epoch kept: lowest val loss, last, highest val mAP@0.5


@dataclass(frozen=True)
class KeptEpoch:
    """The epoch a rule keeps and its val mAP@0.5 as the history recorded it."""

    epoch: int
    map50: float


def kept_epochs(rows: list[dict]) -> dict[str, KeptEpoch]:
    """Rule -> the epoch it keeps, from history rows (``epoch``, ``val_total``, ``val_map50``; numbers or their
    text as in the CSV). Ties go to the earliest epoch, as training keeps the first best."""
    history = [(int(row["epoch"]), float(row["val_total"]), float(row["val_map50"])) for row in rows]
    chosen = {
        "val_loss": min(history, key=lambda epoch: epoch[1]),
        "last": history[-1],
        "val_map50": max(history, key=lambda epoch: epoch[2]),
    }
    return {rule: KeptEpoch(chosen[rule][0], chosen[rule][2]) for rule in CHECKPOINT_RULES}
