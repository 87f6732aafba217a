"""Measurements: each script measures one thing (``python -m benchmarks.<name>``) and writes its results
file under ``benchmarks/results/``; the studies in the README quote those files. Beside the scripts, the
harness they share: trainers built from params (``our_trainers``, ``settings``, ``names``), step timers
(``step_timer``), a stage's peak memory (``stage_peak``), run-to-run agreement (``metrics_agreement``) and
the reference implementation they are compared with (``reference/``). The pipeline and CI import nothing
from here.
"""
