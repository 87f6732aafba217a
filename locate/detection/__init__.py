"""Multi-scale anchor detection: anchors, matching, box coding, model, loss, postprocessing, metrics."""
