"""Plain per-image references of what our vectorised code computes, written the way a typical homework
solution computes it: anchor matching and detection loss in a Python loop over the images, PNGs decoded
with PIL on every access, keypoint targets built per image. ``tests/test_benchmarks.py`` checks that our
targets and losses equal theirs.
"""
