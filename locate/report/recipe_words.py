"""The recipes in words: each params key the improved detector recipe changes, each checkpoint rule, and a
keypoint method's name with the setting its numbers depend on that the name does not say (the dropout).

A key or rule without words here is named as it is in params.yaml (``key: value``), so a new one
never breaks the report.
"""

from collections.abc import Callable

from locate.keypoints.method import DROPOUT, MODELS, MethodParams
from locate.report.inputs import ReportInputs

BOX_LOSS_NAMES = {"giou": "GIoU box loss", "smooth_l1": "Smooth L1 box loss"}
BOX_LOSS_INPUTS = {"giou": "the decoded boxes", "smooth_l1": "the encoded offsets"}
ANCHOR_CENTRES = {"cell": "on every cell",
                  "receptive_field": "on the pixel each cell's receptive field is centred on"}
RULES = {"val_loss": "the epoch with the lowest validation loss", "last": "the last epoch",
         "val_map50": "the epoch with the highest validation mAP@0.5"}
CHANGES: dict[str, Callable[[object], str]] = {
    "top_down": lambda on: ("an FPN-style top-down merge of each scale with the coarser ones" if on
                            else "no top-down merge of the scales"),
    "head_dilation": lambda dilation: f"head convolutions dilated x{dilation} on scales 2 and up",
    "hflip": lambda on: "random horizontal flips" if on else "no horizontal flips",
    "max_shift": lambda pixels: f"random shifts of up to {pixels} pixels" if pixels else "no random shifts",
    "box_loss": lambda loss: f"{box_loss_name(loss)} on {BOX_LOSS_INPUTS[loss]}" if loss in BOX_LOSS_INPUTS
    else box_loss_name(loss),
    "checkpoint": lambda rule: f"the checkpoint of {rule_words(rule)}",
    "negative_iou": lambda iou: f"every anchor under IoU {iou:g} with all objects trained as background",
    "box_variances": lambda variances: ("box offsets learnt in units of SSD's variances "
                                        f"({', '.join(f'{v:g}' for v in variances)})"),
    "objectness_target": lambda target: ("objectness trained toward the IoU of each positive anchor's box with its "
                                         "object" if target == "iou" else f"objectness target {target}"),
    "anchor_centre": lambda centre: f"anchors centred on each cell's {centre.replace('_', ' ')}",
}


def change_words(key: str, value: object) -> str:
    """Section ``detector``'s key ``key`` set to ``value``, in words."""
    words = CHANGES.get(key)
    return words(value) if words is not None else f"`{key}: {value}`"


def box_loss_name(loss: str) -> str:
    """Box loss ``loss`` (``detector.box_loss``) by name."""
    return BOX_LOSS_NAMES.get(loss, f"box loss {loss}")


def anchor_centre_words(centre: str) -> str:
    """Where anchors are centred (``detector.anchor_centre``), after "centred"."""
    return ANCHOR_CENTRES.get(centre, f"by rule `anchor_centre: {centre}`")


def ignored_band_words(positive_iou: float, negative_iou: float) -> str:
    """What the anchors between the two matching thresholds are: ignored, or none when the thresholds meet."""
    return "ignored between" if negative_iou < positive_iou else "none ignored between"


def rule_words(rule: str) -> str:
    """Checkpoint rule ``rule`` in words."""
    return RULES.get(rule, f"the epoch chosen by rule `{rule}`")


def method_label(name: str, method: MethodParams, dropout: float) -> str:
    """Method ``name`` as tables and prose name it: with ``(dropout d)`` for a model that has the regression
    head's dropout (``keypoints.regression_dropout`` = ``dropout``), since the course's rate differs."""
    return f"{name} (dropout {dropout:g})" if DROPOUT in MODELS[method.model].reads else name


def method_labels(inputs: ReportInputs) -> dict[str, str]:
    """Method name -> its name in tables and prose (:func:`method_label`), for every trained method."""
    kp = inputs.params.keypoints
    return {name: method_label(name, method, kp.regression_dropout) for name, method in kp.method_table.items()}
