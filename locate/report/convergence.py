"""The report's sentences and tables on how each training converged: when its val loss was lowest, how the val
loss ended against the train loss, and when a keypoint method stopped improving at the task (its val PCK after
each epoch, :data:`locate.keypoints.epoch_scores.EPOCH_SCORE`).

Histories are the training stages' ``epoch, train_total, val_total, ...`` tables, one row per epoch.
"""

import pandas as pd

from locate.keypoints.epoch_scores import EPOCH_SCORE, EPOCH_SCORES
from locate.report import verdicts
from locate.report.markdown import num, sentence_start, table, word_list
from locate.report.template import fill


def loss(value: float) -> str:
    """A loss value at four significant digits (losses of different networks differ by orders of magnitude)."""
    return f"{value:.4g}"


def convergence_sentence(history: pd.DataFrame, model: str) -> str:
    """How the val loss of ``model``'s training history evolved: still falling at the end, or lowest earlier and
    how it ended against the train loss."""
    found = verdicts.convergence(history)
    part = ("convergence_single" if len(history) == 1 else
            "convergence_last" if found.best_epoch == found.last_epoch else "convergence_earlier")
    return fill(part, {
        "model": model, "first_val": loss(found.first_val), "best_val": loss(found.best_val),
        "best_epoch": found.best_epoch, "last_epoch": found.last_epoch, "last_train": loss(found.last_train),
        "last_val": loss(found.last_val), "ratio": f"{found.ratio:.2f}",
    })


def keypoint_convergence(histories: dict[str, pd.DataFrame], labels: dict[str, str]) -> str:
    """The keypoint trainings (method name -> history, named by ``labels``) in a few sentences: which trained for a
    single epoch, whose val loss was still falling at the last epoch, whose was lowest earlier (and at which epoch),
    the range of val over train loss at the last epoch, and the first and last method to settle at the task."""
    found = {name: verdicts.convergence(history) for name, history in histories.items()}
    single = [name for name, history in histories.items() if len(history) == 1]
    falling = [name for name, each in found.items() if each.best_epoch == each.last_epoch and name not in single]
    earlier = [name for name in found if name not in falling + single]
    sentences = []
    if single:
        sentences.append(fill("single_epoch", {"models": sentence_start(word_list([labels[name] for name in single]))}))
    if falling:
        sentences.append(fill("still_falling", {"models": word_list([labels[name] for name in falling])}))
    if earlier:
        epochs = [str(found[name].best_epoch) for name in earlier]
        sentences.append(fill("lowest_earlier", {
            "start": "That of" if falling else "The val loss of",
            "models": word_list([labels[name] for name in earlier]),
            "epochs": f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {word_list(epochs)} respectively",
        }))
    ratios = {name: each.ratio for name, each in found.items()}
    widest = max(ratios, key=ratios.get)
    lowest, highest = f"{min(ratios.values()):.2f}", f"{ratios[widest]:.2f}"
    sentences.append(fill("loss_ratios" if lowest != highest else "loss_ratio",
                          {"lowest": lowest, "highest": highest, "widest": labels[widest]}))
    settled = {name: verdicts.plateau(history["epoch"], history[EPOCH_SCORE]).settled
               for name, history in histories.items()}
    first, last = min(settled, key=settled.get), max(settled, key=settled.get)
    sentences.append(fill("settled" if settled[first] != settled[last] else "settled_together", {
        "score": EPOCH_SCORES[EPOCH_SCORE], "tolerance": f"{verdicts.PLATEAU:g}", "first": labels[first],
        "first_epoch": settled[first], "last": labels[last], "last_epoch": settled[last],
    }))
    return " ".join(sentences)


def convergence_table(histories: dict[str, pd.DataFrame], labels: dict[str, str]) -> str:
    """Per training (method name -> history, named by ``labels``): its val loss after the first epoch, the lowest
    and its epoch, and the last epoch's train and val losses with their ratio."""
    rows = []
    for name, history in histories.items():
        found = verdicts.convergence(history)
        rows.append([labels[name], loss(found.first_val), loss(found.best_val), found.best_epoch,
                     loss(found.last_train), loss(found.last_val), f"{found.ratio:.2f}"])
    header = ["method", "val loss, epoch 1", "lowest val loss", "at epoch", "train loss, last epoch",
              "val loss, last epoch", "val / train"]
    return table(header, rows)


def epoch_pck_table(histories: dict[str, pd.DataFrame], labels: dict[str, str]) -> str:
    """Per method (named by ``labels``), from its training history: the best val score after an epoch
    and that epoch, the epoch it settled within :data:`verdicts.PLATEAU` of it, and the epoch the checkpoint keeps
    (lowest val loss) with its score."""
    rows = []
    for name, history in histories.items():
        found = verdicts.plateau(history["epoch"], history[EPOCH_SCORE])
        kept = history.loc[history["val_total"].idxmin()]
        rows.append([labels[name], num(found.best), found.best_epoch, found.settled, int(kept["epoch"]),
                     num(kept[EPOCH_SCORE])])
    score = EPOCH_SCORES[EPOCH_SCORE]
    header = ["method", f"best val {score}", "at epoch", "settled by epoch", "kept epoch", f"its {score}"]
    return table(header, rows)
