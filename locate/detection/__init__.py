"""Multi-scale anchor detection as a training runs it: anchors, matching, box coding, model, loss, augmentation,
postprocessing and the val mAP that picks the checkpoint."""
