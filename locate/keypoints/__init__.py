"""Keypoints as a training runs it: heatmap, regression and integral codecs, the course models, losses, and the
val PCK that picks the checkpoint."""
