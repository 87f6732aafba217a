"""What runs on a trained keypoint model, never in its training: loading it, the evaluation's analyses (hand-pair
decoding, shift response), the drawings with the figure's skeleton, and keypoints on a user's images."""
