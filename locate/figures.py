"""Matplotlib figures drawn from the pipeline's CSV plot data (headless, Agg backend).

Every figure keeps its legends outside the data (beside or under the axes) and gives each method one
colour of its own in every panel; quantities that are not comparable get panels of their own.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from locate.atomic import atomic_path  # noqa: E402

# The ceilings are black, a colour no method gets (:func:`method_colours`), told apart by their line styles.
CEILINGS = {"random_assignment": {"color": "black", "linestyle": ":"},
            "best_possible": {"color": "black", "linestyle": "-."}}
PCK_PANELS = {"course": "course PCK (hands as labelled)", "symmetric": "symmetric PCK (hands as a pair)"}


def save_figure(figure: plt.Figure, path: str | Path) -> None:
    """Save ``figure`` as PNG atomically, cropped to what it draws (legends outside the axes included), and close it."""
    with atomic_path(path, suffix=".png") as temporary:
        figure.savefig(temporary, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)


def method_colours(names: list[str]) -> dict[str, str]:
    """One colour per name, in order, from the ten of matplotlib's default cycle (they repeat after ten)."""
    return {name: f"C{index % 10}" for index, name in enumerate(names)}


def _legend_beside(figure: plt.Figure, axis: plt.Axes) -> None:
    """One legend for the figure, from ``axis``'s lines, to the right of the axes."""
    figure.legend(*axis.get_legend_handles_labels(), loc="outside right center", fontsize=8)


def loss_curves(histories: dict[str, pd.DataFrame], parts: list[str], title: str) -> plt.Figure:
    """One panel per loss part, log scale; train solid and val dashed, one colour per named history.

    histories: name -> frame with ``epoch`` and ``train_<part>``/``val_<part>`` columns.
    """
    figure, axes = plt.subplots(1, len(parts), figsize=(3.6 * len(parts) + 1.6, 3.4), squeeze=False,
                                layout="constrained")
    colours = method_colours(list(histories))
    for axis, part in zip(axes[0], parts, strict=True):
        for name, history in histories.items():
            prefix = f"{name} " if len(histories) > 1 else ""
            axis.plot(history["epoch"], history[f"train_{part}"], color=colours[name], label=f"{prefix}train")
            axis.plot(history["epoch"], history[f"val_{part}"], color=colours[name], linestyle="--",
                      label=f"{prefix}val")
        axis.set_title(part)
        axis.set_xlabel("epoch")
        axis.set_yscale("log")
        axis.grid(alpha=0.3)
    axes[0][0].set_ylabel("loss (log scale)")
    _legend_beside(figure, axes[0][0])
    figure.suptitle(title)
    return figure


def family_loss_curves(families: dict[str, dict[str, pd.DataFrame]], title: str,
                       scores: dict[str, str] | None = None) -> plt.Figure:
    """One panel per family of methods whose losses are comparable (e.g. heatmap MSE), log scale; with ``scores``,
    a second row under them with each method's val scores after every epoch.

    families: panel title -> {method name: frame with ``epoch``, ``train_total``, ``val_total`` and the score
    columns}. Train solid, val dashed; each method one colour of its own across the figure, its legend under its
    panel. scores: column -> label, the first drawn solid and the second dashed (``{"val_pck_symmetric_05":
    "symmetric PCK@0.05", "val_pck_20": "course PCK@0.2"}``).
    """
    rows = 2 if scores else 1
    figure, axes = plt.subplots(rows, len(families), figsize=(4.0 * len(families), 3.9 * rows), squeeze=False,
                                layout="constrained")
    colours = method_colours([name for histories in families.values() for name in histories])
    for column, (family, histories) in enumerate(families.items()):
        axis = axes[0][column]
        for name, history in histories.items():
            axis.plot(history["epoch"], history["train_total"], color=colours[name], label=f"{name} train")
            axis.plot(history["epoch"], history["val_total"], color=colours[name], linestyle="--",
                      label=f"{name} val")
        axis.set_title(family, fontsize=10)
        axis.set_yscale("log")
        if scores:
            _score_panel(axes[1][column], histories, scores, colours)
        for row, axis in enumerate(axes[:, column]):  # the scores' labels are long: one per line
            axis.set_xlabel("epoch")
            axis.grid(alpha=0.3)
            axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2 if row == 0 else 1,
                        frameon=False)
    axes[0][0].set_ylabel("loss (log scale)")
    if scores:
        axes[1][0].set_ylabel("val PCK")
    figure.suptitle(title)
    return figure


def _score_panel(axis: plt.Axes, histories: dict[str, pd.DataFrame], scores: dict[str, str],
                 colours: dict[str, str]) -> None:
    """Each method's ``scores`` columns against the epoch, in its colour, one line style per score."""
    for name, history in histories.items():
        for (column, label), style in zip(scores.items(), ("-", "--"), strict=False):
            axis.plot(history["epoch"], history[column], color=colours[name], linestyle=style,
                      label=f"{name} {label}")
    axis.set_ylim(0, 1.01)


def pck_curves(pck: pd.DataFrame, title: str) -> plt.Figure:
    """PCK against threshold in two panels: course PCK with the ceilings (:data:`CEILINGS`), symmetric PCK.

    pck: columns ``threshold``, ``course_<method>``, ``symmetric_<method>`` and the ceilings. Each method has
    one colour in both panels; one legend beside them.
    """
    figure, axes = plt.subplots(1, 2, figsize=(10.5, 4.2), sharey=True, layout="constrained")
    methods = list(dict.fromkeys(c.split("_", 1)[1] for c in pck.columns if c.startswith(tuple(PCK_PANELS))))
    colours = method_colours(methods)
    for axis, (kind, label) in zip(axes, PCK_PANELS.items(), strict=True):
        for method in methods:
            axis.plot(pck["threshold"], pck[f"{kind}_{method}"], color=colours[method], marker="o", label=method)
        axis.set_title(label, fontsize=10)
        axis.set_xlabel("threshold (share of the keypoints' bbox diagonal)")
        axis.grid(alpha=0.3)
    for ceiling, style in CEILINGS.items():
        if ceiling in pck.columns:
            axes[0].plot(pck["threshold"], pck[ceiling], label=f"ceiling: {ceiling.replace('_', ' ')}", **style)
    axes[0].set_ylabel("PCK")
    axes[0].set_ylim(0, 1.01)
    _legend_beside(figure, axes[0])
    figure.suptitle(title)
    return figure


def pr_curves(curves: pd.DataFrame, title: str) -> plt.Figure:
    """Precision against recall per class; ``curves`` has a ``recall`` column and one per class."""
    figure, axis = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    for name in (column for column in curves.columns if column != "recall"):
        axis.plot(curves["recall"], curves[name], label=name)
    axis.set_xlabel("recall")
    axis.set_ylabel("precision")
    axis.set_xlim(0, 1.01)
    axis.set_ylim(0, 1.01)
    axis.grid(alpha=0.3)
    _legend_beside(figure, axis)
    axis.set_title(title)
    return figure


def grouped_bars(table: pd.DataFrame, index: str, ylabel: str, title: str) -> plt.Figure:
    """Bars grouped by the ``index`` column, one bar per other column, the legend beside the axes."""
    figure, axis = plt.subplots(figsize=(6.8, 3.8), layout="constrained")
    table.set_index(index).plot.bar(ax=axis, rot=0, legend=False)
    axis.set_ylabel(ylabel)
    axis.grid(alpha=0.3, axis="y")
    axis.set_title(title)
    _legend_beside(figure, axis)
    return figure
