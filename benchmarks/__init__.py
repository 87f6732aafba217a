"""Living measurements: each script measures one thing (``python -m benchmarks.<name>``) and writes its
results file under ``benchmarks/results/``; docs/ quotes those files, and ``tests/test_benchmarks.py`` (with
``tests/test_gpu_check.py``) runs every script on tiny settings. Beside the scripts, the harness they share:
trainers built from params (``our_trainers``, ``settings``), a step timer (``step_timer``), a stage's peak
memory (``stage_peak``) and run-to-run agreement (``metrics_agreement``). The pipeline and CI import nothing
from here. One-off studies left the tree once measured; docs/ names the commit that holds their scripts.
"""
