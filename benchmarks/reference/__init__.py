"""Plain reference trainers, written the way a typical homework solution trains these models.

fp32, default memory format, a ``torch.utils.data.DataLoader`` over a ``Dataset`` that
opens and decodes each PNG with PIL on every step, targets built per image per step and,
for the detector, anchor matching and loss in a Python loop over the images of a batch.
They train the same model classes on the same data with the same batch sizes, matching
thresholds and loss definitions as our trainers; they exist only as the baseline of
``benchmarks.reference_speedup``.
"""
