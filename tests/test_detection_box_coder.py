"""Box coder: encode and decode are exact inverses; log scales are clamped; the heads' units over the variances."""

import torch

from locate.detection.box_coder import LOG_SCALE_CLIP, UNIT_CODER, BoxCoder, decode, encode


def test_round_trip():
    generator = torch.Generator().manual_seed(0)
    anchors = torch.tensor([[0.0, 0, 16, 16], [40, 40, 104, 104], [10, 20, 202, 212]]).repeat(10, 1)
    corner = torch.rand(30, 2, generator=generator) * 150
    boxes = torch.cat([corner, corner + torch.rand(30, 2, generator=generator) * 100 + 4], dim=1)
    assert torch.allclose(decode(encode(boxes, anchors), anchors), boxes, atol=1e-4)
    offsets = torch.randn(30, 4, generator=generator)
    assert torch.allclose(encode(decode(offsets, anchors), anchors), offsets, atol=1e-4)


def test_anchor_encodes_to_zero_and_offsets_are_relative():
    anchors = torch.tensor([[10.0, 10, 42, 42]])
    assert torch.equal(encode(anchors, anchors), torch.zeros(1, 4))
    shifted = torch.tensor([[26.0, 10, 58, 42]])  # moved right by half the anchor size
    assert torch.allclose(encode(shifted, anchors), torch.tensor([[0.5, 0, 0, 0]]))


def test_decode_clamps_huge_log_scale():
    anchors = torch.tensor([[0.0, 0, 16, 16]])
    boxes = decode(torch.tensor([[0.0, 0, 1e4, 1e4]]), anchors)
    assert torch.isfinite(boxes).all()
    assert torch.allclose(boxes[0, 2] - boxes[0, 0], 16 * torch.exp(torch.tensor(LOG_SCALE_CLIP)))


def test_the_coder_turns_head_values_into_offsets_and_back():
    offsets = torch.randn(6, 4, generator=torch.Generator().manual_seed(1))
    ssd = BoxCoder((0.1, 0.1, 0.2, 0.2))
    assert torch.allclose(ssd.head_values(offsets), offsets / torch.tensor([0.1, 0.1, 0.2, 0.2]))
    assert torch.allclose(ssd.offsets(ssd.head_values(offsets)), offsets)
    assert not ssd.unit and UNIT_CODER.unit
    assert UNIT_CODER.offsets(offsets) is offsets and UNIT_CODER.head_values(offsets) is offsets
