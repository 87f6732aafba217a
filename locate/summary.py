"""The results table the README carries, from the same inputs as the report."""

from locate.report import THRESHOLDS, ReportInputs, num, stage_times, table


def summary_table(inputs: ReportInputs) -> str:
    """Markdown: detector mAP and per-class AP, keypoint PCK with the ceilings, stage times."""
    det, kp = inputs.detector, inputs.keypoints
    detection = table(
        ["mAP@0.5", "mAP@0.5 (visible >= 0.5)", *(f"AP@0.5 {name}" for name in det["ap50"]), "recall ceiling"],
        [
            [
                num(det["map50"]),
                num(det["map50_visible"]),
                *(num(v) for v in det["ap50"].values()),
                num(det["recall_ceiling"]),
            ]
        ],
    )
    rows = []
    for name, scores in kp.items():
        if isinstance(scores, dict) and "pck" in scores:
            rows.append([f"{name}", *(num(scores["pck"][t]) for t in THRESHOLDS)])
            rows.append([f"{name} (symmetric)", *(num(scores["pck_symmetric"][t]) for t in THRESHOLDS)])
    for name, ceiling in kp["ceiling"].items():
        rows.append([f"ceiling: {name.replace('_', ' ')}", *(num(ceiling[t]) for t in THRESHOLDS)])
    keypoints = table(["keypoints", "PCK@0.05", "PCK@0.10", "PCK@0.15", "PCK@0.20"], rows)
    times = stage_times(inputs.speed)
    device = inputs.environment["machine"]
    run = f"{device['training device']}, {device['training threads']} threads, {device['training precision']}"
    stages = table(["stage", "training or evaluation time"], times)
    return f"{detection}\n\n{keypoints}\n\n{stages}\n\nRun: `dvc repro` of params.yaml on {run}.\n"
