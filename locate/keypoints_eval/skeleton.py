"""The stick figure's bones, drawn from its five keypoints (head, left hand, right hand, left foot, right foot).

The generator (:mod:`locate.data.stick_figures`) hangs the arms from a shoulder and the legs from a hip,
both on the vertical line through the head, at fixed shares of the head-to-feet height. The keypoints
name neither joint, so :func:`joints` puts them there: the same rule at any image scale.
"""

import torch

from locate.data.stick_figures import HEAD_RADIUS, LEG_LENGTH, TORSO_LENGTH

HEAD, LEFT_HAND, RIGHT_HAND, LEFT_FOOT, RIGHT_FOOT, SHOULDER, HIP = range(7)
BONES = ((HEAD, SHOULDER), (SHOULDER, HIP), (SHOULDER, LEFT_HAND), (SHOULDER, RIGHT_HAND), (HIP, LEFT_FOOT),
         (HIP, RIGHT_FOOT))  # index pairs into :func:`joints`' rows

_HEAD_TO_SHOULDER = HEAD_RADIUS + TORSO_LENGTH // 2 - TORSO_LENGTH // 4
_HEAD_TO_HIP = HEAD_RADIUS + 2 * (TORSO_LENGTH // 2)
_HEAD_TO_FEET = _HEAD_TO_HIP + LEG_LENGTH


def joints(keypoints: torch.Tensor) -> torch.Tensor:
    """``Tensor[5, 2]`` (x, y) keypoints -> ``Tensor[7, 2]``: them, then the shoulder and the hip.

    Both joints lie below the head at the generator's shares (14/57 and 32/57) of the height from the head
    to the feet' mean.
    """
    head = keypoints[HEAD]
    height = keypoints[[LEFT_FOOT, RIGHT_FOOT], 1].mean() - head[1]
    below = torch.tensor([[0.0, _HEAD_TO_SHOULDER], [0.0, _HEAD_TO_HIP]], dtype=keypoints.dtype) / _HEAD_TO_FEET
    return torch.cat([keypoints, head + below * height])
