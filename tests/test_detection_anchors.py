"""Anchors against a small literal case, and the course's anchor counts."""

import torch

from locate.detection.anchors import all_anchors, level_anchors


def test_level_anchors_small_literal_case():
    anchors = level_anchors(feature_size=2, stride=8, sizes=[4, 8])
    expected = torch.tensor(
        [
            [2.0, 2, 6, 6], [0, 0, 8, 8],  # row 0, column 0: centre (4, 4)
            [10, 2, 14, 6], [8, 0, 16, 8],  # row 0, column 1: centre (12, 4)
            [2, 10, 6, 14], [0, 8, 8, 16],  # row 1, column 0: centre (4, 12)
            [10, 10, 14, 14], [8, 8, 16, 16],  # row 1, column 1: centre (12, 12)
        ]
    )
    assert torch.equal(anchors, expected)


def test_course_anchors_per_level():
    anchors, levels = all_anchors(224, [56, 28, 14], [[16, 24, 32], [48, 64, 96], [96, 128, 192]])
    assert anchors.shape == (56 * 56 * 3 + 28 * 28 * 3 + 14 * 14 * 3, 4)
    assert torch.bincount(levels).tolist() == [56 * 56 * 3, 28 * 28 * 3, 14 * 14 * 3]
    assert anchors[0].tolist() == [-6.0, -6.0, 10.0, 10.0]  # 16-pixel anchor centred on (2, 2)
    assert anchors[-1].tolist() == [216.0 - 96, 216.0 - 96, 216.0 + 96, 216.0 + 96]
