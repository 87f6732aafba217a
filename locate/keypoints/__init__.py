"""Keypoints: heatmap and regression codecs, the course models, losses, PCK and drawings."""
