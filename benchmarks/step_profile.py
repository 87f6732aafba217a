"""Where a training step's time goes: PyTorch's profiler over steps of our trainers, by kind of work.

Runs ``STEPS`` training steps (after ``WARMUP``) of each trainer of
:mod:`benchmarks.our_trainers` as the stages run them (channels-last model, the runtime's
precision under autocast, Adam) and sums the self CPU time of every operator into kinds:
convolution (forward and backward), normalisation, activation, pooling and resizing (skip
concatenations included), the loss, the optimiser, copies and layout or dtype conversions, and
the rest. Writes
``benchmarks/results/step_profile.json`` with milliseconds per step of each kind and the
heaviest operators; run from the repository root:
``python -m benchmarks.step_profile [detector heatmap regression]``.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

from torch.profiler import ProfilerActivity, profile

from benchmarks.names import chosen
from benchmarks.our_trainers import TRAINERS, our_trainer
from benchmarks.settings import batch_size
from benchmarks.step_timer import plain_step_seconds
from locate.atomic import write_json
from locate.runtime import Runtime, runtime_from_params

RESULT = Path("benchmarks/results/step_profile.json")
WARMUP, STEPS = 3, 8
TOP_OPERATORS = 12
KINDS = (  # (kind, substrings of operator names), first match wins
    ("convolution", ("conv", "mkldnn_convolution")),
    ("normalisation", ("batch_norm", "native_batch_norm", "layer_norm")),
    ("activation", ("relu", "threshold_backward", "clamp_min", "sigmoid", "silu", "gelu")),
    ("pooling_and_resizing", ("max_pool", "avg_pool", "upsample", "::cat")),
    ("optimiser", ("adam", "_foreach", "lerp", "addcdiv", "addcmul", "sqrt")),
    ("copy_and_conversion", ("copy_", "to_copy", "clone", "contiguous", "_to_dense", "reorder")),
    ("loss", ("loss", "cross_entropy", "binary_cross_entropy", "mse", "smooth_l1", "l1", "softmax", "sort",
              "topk", "nonzero", "index", "masked", "where")),
)


def kind_of(operator: str) -> str:
    """The kind of work of an operator name (``aten::mkldnn_convolution`` -> convolution)."""
    name = operator.lower()
    return next((kind for kind, parts in KINDS if any(part in name for part in parts)), "other")


def step_profile(name: str, runtime: Runtime) -> dict:
    """Milliseconds per step by kind of work, and the heaviest operators, of trainer ``name``."""
    size = batch_size(name)
    trainer = our_trainer(name, Path("data"), count=size * (WARMUP + STEPS))
    plain_step_seconds(trainer, runtime, WARMUP)
    with profile(activities=[ProfilerActivity.CPU]) as profiled:
        plain_step_seconds(trainer, runtime, STEPS)
    kinds, operators = Counter(), Counter()
    for event in profiled.key_averages():
        milliseconds = event.self_cpu_time_total / 1000 / STEPS
        kinds[kind_of(event.key)] += milliseconds
        operators[event.key] += milliseconds
    total = sum(kinds.values())
    return {
        "batch_size": size,
        "ms_per_step": round(total, 1),
        "kinds_ms_per_step": {kind: round(ms, 1) for kind, ms in kinds.most_common()},
        "kinds_share": {kind: round(ms / total, 3) for kind, ms in kinds.most_common()},
        "top_operators_ms_per_step": {key: round(ms, 1) for key, ms in operators.most_common(TOP_OPERATORS)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trainers", nargs="*", help=f"any of {', '.join(TRAINERS)} (default: all)")
    parser.add_argument("--out", type=Path, default=RESULT)
    arguments = parser.parse_args()
    arguments.trainers = chosen(parser, arguments.trainers, TRAINERS, "trainers")
    runtime = runtime_from_params()
    results = {}
    for name in arguments.trainers:
        results[name] = step_profile(name, runtime)
        print(name, results[name]["ms_per_step"], "ms/step", results[name]["kinds_share"], flush=True)
    write_json(arguments.out, {"trainers": results, "runtime": runtime.describe()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
