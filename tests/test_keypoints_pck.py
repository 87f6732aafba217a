"""PCK, symmetric PCK and the hand-ambiguity ceilings on hand-computed cases."""

import pytest
import torch

from locate.keypoints.pck import (
    all_correct,
    bbox_diagonal,
    best_possible_ceiling,
    correct,
    pck,
    pck_per_keypoint,
    random_assignment_ceiling,
    threshold_key,
)

# bbox 30 x 40 -> diagonal 50
TRUTH = torch.tensor([[[0.0, 0.0], [30.0, 0.0], [0.0, 40.0], [30.0, 40.0], [15.0, 20.0]]])
NAMES = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]


def test_threshold_keys_and_diagonal():
    assert [threshold_key(t) for t in (0.05, 0.1, 0.15, 0.2)] == ["pck_05", "pck_10", "pck_15", "pck_20"]
    assert bbox_diagonal(TRUTH).tolist() == [50.0]


def test_course_pck_counts_strictly_below_the_threshold():
    prediction = TRUTH.clone()
    prediction[0, 1, 0] += 4.9  # within 5 = 0.1 * 50
    prediction[0, 2, 1] -= 5.0  # exactly 5: not correct at 0.1
    prediction[0, 3] += torch.tensor([6.0, 8.0])  # 10 away: correct only above 0.2
    scores = pck(prediction, TRUTH, thresholds=(0.1, 0.2, 0.25))
    assert scores == pytest.approx({"pck_10": 3 / 5, "pck_20": 4 / 5, "pck_25": 1.0})
    per_keypoint = pck_per_keypoint(prediction, TRUTH, NAMES, threshold=0.1)
    assert per_keypoint == {"head": 1.0, "left_hand": 1.0, "right_hand": 0.0, "left_foot": 0.0, "right_foot": 1.0}


def test_symmetric_pck_scores_the_hands_as_an_unordered_pair():
    swapped = TRUTH[:, [0, 2, 1, 3, 4]]
    assert pck(swapped, TRUTH, thresholds=(0.05,)) == pytest.approx({"pck_05": 3 / 5})
    assert pck(swapped, TRUTH, thresholds=(0.05,), symmetric=True) == pytest.approx({"pck_05": 1.0})
    assert all_correct(swapped, TRUTH).tolist() == [True]
    one_hand_only = swapped.clone()
    one_hand_only[0, 1] += 20.0
    assert pck(one_hand_only, TRUTH, thresholds=(0.05,), symmetric=True) == pytest.approx({"pck_05": 4 / 5})
    assert all_correct(one_hand_only, TRUTH).tolist() == [False]


def test_symmetric_pck_keeps_the_labelled_order_when_it_is_better():
    prediction = TRUTH.clone()
    prediction[0, 2] += 1.0
    scores = pck(prediction, TRUTH, thresholds=(0.05,), symmetric=True)
    assert scores == pck(prediction, TRUTH, thresholds=(0.05,))


# two images, bbox 40 x 30 -> diagonal 50; hands 40 apart in the first, 2 apart in the second
CEILING_TRUTH = torch.tensor(
    [
        [[0.0, 0.0], [0.0, 20.0], [40.0, 20.0], [0.0, 30.0], [40.0, 30.0]],
        [[0.0, 0.0], [20.0, 20.0], [22.0, 20.0], [0.0, 30.0], [40.0, 30.0]],
    ]
)


def test_ceilings_on_a_hand_made_set():
    thresholds = (0.03, 0.05, 0.5)  # radius 1.5, 2.5, 25 pixels
    # coin flip: far hands score (1 + 3/5) / 2 = 0.8; near hands 1.0 once 2 < radius, else 0.8
    random_assignment = random_assignment_ceiling(CEILING_TRUTH, thresholds)
    assert random_assignment == pytest.approx({"pck_03": 0.8, "pck_05": 0.9, "pck_50": 0.8 * 0.5 + 1.0 * 0.5})
    # best: both hands count when they are closer than two radii (2 < 3; 40 < 50), else one of two
    best_possible = best_possible_ceiling(CEILING_TRUTH, thresholds)
    assert best_possible == pytest.approx({"pck_03": 0.9, "pck_05": 0.9, "pck_50": 1.0})


@pytest.mark.parametrize("separation", [4.0, 6.0])
def test_best_possible_matches_a_brute_force_search_over_placements(separation):
    truth = CEILING_TRUTH[:1].clone()
    truth[0, 2] = truth[0, 1] + torch.tensor([separation, 0.0])  # radius 2.5 at 0.05
    axis = torch.arange(0.0, 30.0, 1.0)
    candidates = torch.stack(torch.meshgrid(axis, torch.tensor([18.0, 20.0, 22.0]), indexing="xy"), -1).reshape(-1, 2)
    pairs = torch.cartesian_prod(torch.arange(len(candidates)), torch.arange(len(candidates)))
    predictions = truth.repeat(len(pairs), 1, 1)
    predictions[:, 1] = candidates[pairs[:, 0]]
    predictions[:, 2] = candidates[pairs[:, 1]]
    labelled = truth.expand_as(predictions)
    flipped = labelled[:, [0, 2, 1, 3, 4]]
    expected = 0.5 * (correct(predictions, labelled, 0.05) + correct(predictions, flipped, 0.05).float()).mean(1)
    assert best_possible_ceiling(truth, (0.05,))["pck_05"] == pytest.approx(expected.max().item())
    assert expected.max().item() == pytest.approx(1.0 if separation < 5 else 0.8)
