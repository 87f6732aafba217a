"""Multi-scale anchor-based detection and keypoint localisation on the EE641 HW1 data."""
