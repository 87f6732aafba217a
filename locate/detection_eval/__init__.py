"""What runs on a trained detector, never in its training: the evaluation with its analyses (anchor coverage,
scale specialisation, duplicates, error kinds, receptive fields), the drawings, and detection on a user's images."""
