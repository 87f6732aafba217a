"""Matplotlib figures drawn from the pipeline's CSV plot data (headless, Agg backend)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from locate.atomic import atomic_path  # noqa: E402

CEILINGS = ("random_assignment", "best_possible")


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Save ``figure`` as PNG atomically and close it."""
    figure.tight_layout()
    with atomic_path(path, suffix=".png") as temporary:
        figure.savefig(temporary, dpi=110, metadata={"Software": None})
    plt.close(figure)


def loss_curves(histories: dict[str, pd.DataFrame], parts: list[str], title: str) -> plt.Figure:
    """One panel per loss part; train solid and val dashed for every named history.

    histories: name -> frame with ``epoch`` and ``train_<part>``/``val_<part>`` columns.
    """
    figure, axes = plt.subplots(1, len(parts), figsize=(4.2 * len(parts), 3.4), squeeze=False)
    for axis, part in zip(axes[0], parts, strict=True):
        for index, (name, history) in enumerate(histories.items()):
            colour = f"C{index}"
            prefix = f"{name} " if len(histories) > 1 else ""
            axis.plot(history["epoch"], history[f"train_{part}"], color=colour, label=f"{prefix}train")
            axis.plot(history["epoch"], history[f"val_{part}"], color=colour, linestyle="--", label=f"{prefix}val")
        axis.set_title(part)
        axis.set_xlabel("epoch")
        axis.set_yscale("log")
        axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    figure.suptitle(title)
    return figure


def pck_curves(pck: pd.DataFrame, title: str) -> plt.Figure:
    """PCK against threshold, one line per column of ``pck`` (index column ``threshold``).

    Columns ``course_<method>`` are solid and ``symmetric_<method>`` dashed, in one colour per
    method; the ceilings (:data:`CEILINGS`) grey. The legend sits beside the axes.
    """
    figure, axis = plt.subplots(figsize=(8.4, 4.4))
    methods = list(dict.fromkeys(c.split("_", 1)[1] for c in pck.columns if c.startswith(("course_", "symmetric_"))))
    for column in (c for c in pck.columns if c != "threshold"):
        if column in CEILINGS:
            style = {"color": "0.5", "linestyle": ":" if column == "random_assignment" else "-."}
        else:
            kind, method = column.split("_", 1)
            style = {"color": f"C{methods.index(method) % 10}", "linestyle": "--" if kind == "symmetric" else "-",
                     "marker": "o"}
        axis.plot(pck["threshold"], pck[column], label=column, **style)
    axis.set_xlabel("threshold (share of the keypoints' bbox diagonal)")
    axis.set_ylabel("PCK")
    axis.set_ylim(0, 1.01)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    axis.set_title(title)
    figure.tight_layout()
    return figure


def pr_curves(curves: pd.DataFrame, title: str) -> plt.Figure:
    """Precision against recall per class; ``curves`` has a ``recall`` column and one per class."""
    figure, axis = plt.subplots(figsize=(5.6, 4.4))
    for name in (column for column in curves.columns if column != "recall"):
        axis.plot(curves["recall"], curves[name], label=name)
    axis.set_xlabel("recall")
    axis.set_ylabel("precision")
    axis.set_xlim(0, 1.01)
    axis.set_ylim(0, 1.01)
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title(title)
    return figure


def grouped_bars(table: pd.DataFrame, index: str, ylabel: str, title: str) -> plt.Figure:
    """Bars grouped by the ``index`` column, one bar per other column."""
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    table.set_index(index).plot.bar(ax=axis, rot=0)
    axis.set_ylabel(ylabel)
    axis.grid(alpha=0.3, axis="y")
    axis.set_title(title)
    return figure
