"""Checkers for the exercises of Chapter 8, "LeNet-5, global average pooling and class
activation maps".

>>> from cnnlib.exercises import chapter8 as check
>>> check.c1_colour_params(156)
Not yet: that is C1 on grey images; on colour images each filter reads three channels.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, as_pair, check_array, check_number, check_tuple

#: Exercise 4's two 2x2 feature maps, ``(height, width, channels)``.
FEATURES = np.array([[[1.0, 0.0], [2.0, 1.0]], [[0.0, 3.0], [1.0, 1.0]]])
#: Exercise 4's class weights of two classes, ``(channels, classes)``.
CLASS_WEIGHTS = np.array([[0.5, -1.0], [2.0, 0.5]])


def c1_colour_params(answer: object) -> Feedback:
    """Exercise 1: the parameters of LeNet-5's C1 (six 5x5 filters) on colour images.

    >>> c1_colour_params(468)
    Not yet: a filter has one bias, not one per channel it reads.
    """
    return check_number(
        answer,
        arithmetic.conv_params(5, 3, 6),
        hints={
            156.0: "that is C1 on grey images; on colour images each filter reads three channels.",
            468.0: "a filter has one bias, not one per channel it reads.",
            450.0: "each of the six filters also has a bias.",
            76.0: "that is one filter; C1 has six.",
            78.0: "that is one filter with a bias per channel; C1 has six filters, each with "
            "one bias.",
        },
        praise="each filter has a 5x5 kernel for each of the three channels and one bias, "
        "(5 * 5 * 3 + 1) * 6 = 456. The colour triples the weights, not the biases.",
    )


def c5_output_shape(answer: object) -> Feedback:
    """Exercise 2: the shape of C5's output when LeNet-5's C1 to C5 read a 40x40 image.

    >>> c5_output_shape((1, 1, 120))
    Not yet: that is C5 on a 32x32 image; the 8 extra pixels do not vanish.
    """
    size = 40
    for kernel in (5, 2, 5, 2, 5):  # C1, S2, C3, S4, C5
        size = (size - kernel) // (2 if kernel == 2 else 1) + 1
    return check_tuple(
        answer,
        (size, size, 120),
        hints={
            (1, 1, 120): "that is C5 on a 32x32 image; the 8 extra pixels do not vanish.",
            (7, 7, 120): "that is the size of S4's output; C5 is a valid 5x5 convolution.",
            (7, 7, 16): "that is S4's output; C5 is a valid 5x5 convolution with 120 filters.",
            (2, 2, 120): "a valid convolution with a 5x5 kernel takes 4 pixels off a side, not 5.",
        },
        praise="40 -> 36 (C1) -> 18 (S2) -> 14 (C3) -> 7 (S4) -> 3 (C5). The 3x3 positions are "
        "nine 32x32 windows of the image, 4 pixels apart: the convolutional part of LeNet-5 "
        "computes its 120 features for each of them in one pass.",
    )


def gap_head_params(answer: object) -> Feedback:
    """Exercise 3: parameters of GAP + Dense(10) on 16x16x64 feature maps.

    >>> gap_head_params(640)
    Not yet: each of the 10 units also has a bias.
    """
    return check_number(
        answer,
        arithmetic.dense_params(64, 10),
        hints={
            163850.0: "that is the Flatten head: GAP leaves one number per channel.",
            640.0: "each of the 10 units also has a bias.",
            2570.0: "GAP averages each channel to one number; 64 channels remain, not 256.",
        },
        praise="GAP has no parameters and leaves 64 numbers, so Dense(10) has (64 + 1) * 10 = "
        "650, whatever the size of the feature maps.",
    )


def cam_by_hand(answer: object) -> Feedback:
    """Exercise 4: the class activation map of class 1 for :data:`FEATURES` and
    :data:`CLASS_WEIGHTS`.

    >>> cam_by_hand(FEATURES @ CLASS_WEIGHTS[:, 0])
    Not yet: that is the map of class 0.
    """
    expected = FEATURES @ CLASS_WEIGHTS[:, 1]
    return check_array(
        answer,
        expected,
        hints={
            "class 0": (FEATURES @ CLASS_WEIGHTS[:, 0], "that is the map of class 0."),
            "rows": (
                FEATURES @ CLASS_WEIGHTS[1, :],
                "the weights of a class are a column of CLASS_WEIGHTS, not a row.",
            ),
        },
        praise="each position's value is -1 times channel 0 plus 0.5 times channel 1. Its mean "
        "is the class's score before the bias.",
    )


def _pixels_near_box(height: int, width: int, tolerance: int) -> int:
    """Pixels inside a ``height x width`` box or within ``tolerance`` (Euclidean) of it."""
    rows = np.arange(-tolerance, height + tolerance)
    cols = np.arange(-tolerance, width + tolerance)
    row_off = np.maximum(np.maximum(-rows, rows - (height - 1)), 0)
    col_off = np.maximum(np.maximum(-cols, cols - (width - 1)), 0)
    return int(np.sum(row_off[:, None] ** 2 + col_off[None, :] ** 2 <= tolerance**2))


def random_pointing(answer: object) -> Feedback:
    """Exercise 5: the chance that a random point of a 64x64 canvas counts as a hit on a 20x16
    box, with a tolerance of 2 pixels.

    >>> random_pointing(320 / 4096)
    Not yet: that is the chance of landing inside the box; the tolerance counts points near it too.
    """
    expected = _pixels_near_box(20, 16, 2) / 64**2
    return check_number(
        answer,
        expected,
        tolerance=1e-3,
        hints={
            320 / 64**2: "that is the chance of landing inside the box; the tolerance counts "
            "points near it too.",
            24 * 20 / 64**2: "close: that counts the whole 24x20 rectangle, but a pixel two "
            "rows and two columns off a corner is 2.8 pixels from the box.",
            22 * 18 / 64**2: "the tolerance adds 2 pixels on every side of the box, not 1.",
            468.0: "that is a number of pixels; divide by the canvas's.",
            1 - 468 / 64**2: "that is the chance of missing.",
        },
        praise="the box's 320 pixels, 2 * 16 and 2 * 20 more along each side, and one pixel at "
        "each corner (at distance 1.4; the others are 2.2 and 2.8 pixels away): 468 / 4,096 = "
        "11.4%.",
    )


#: Exercise 6: the lowest accuracy an honest run gives for the GAP model trained on digits in the
#: top-left corner and tested halfway (corners 14 to 22); below it, the model has barely learned.
HALFWAY_GAP_FLOOR = 0.5
#: Exercise 6: the highest accuracy an honest run gives for the flatten model tested halfway
#: (runs give about 0.01 to 0.12); above it, the test digits were not where the exercise says.
HALFWAY_FLATTEN_CEILING = 0.5


def halfway_accuracies(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the test accuracies ``(flatten, gap)`` of the two models
    trained on digits in the top-left corner of the canvas (corners 0 to 8) when the test
    digits sit halfway to the bottom-right one (corners 14 to 22).

    Accepted: the GAP model's accuracy from :data:`HALFWAY_GAP_FLOOR` to 1 and the flatten
    model's from 0 to :data:`HALFWAY_FLATTEN_CEILING`; runs differ with the machine and the
    library versions. Outside that range the feedback says what usually went wrong.

    >>> halfway_accuracies((0.4, 0.85)).correct
    True
    >>> halfway_accuracies((40, 85))
    Not yet: give the accuracies as fractions between 0 and 1, not as percentages.
    """
    pair = as_pair(answer, "two numbers, (flatten accuracy, GAP accuracy)")
    if isinstance(pair, Feedback):
        return pair
    flatten, gap = pair
    if any(1 < v <= 100 for v in (flatten, gap)):
        return Feedback(
            False, "give the accuracies as fractions between 0 and 1, not as percentages."
        )
    if not (0 <= flatten <= 1 and 0 <= gap <= 1):
        return Feedback(False, "an accuracy lies between 0 and 1.")
    if gap < HALFWAY_GAP_FLOOR:
        return Feedback(
            False,
            f"{gap:.3f} is low for the GAP model: did you swap the two accuracies, or evaluate "
            "with labels that do not belong to the canvases? Use the test labels cy_test with "
            "canvases made from test_images[:n_canvas_test], and region_models, the models "
            "trained on the top-left corner.",
        )
    if flatten > HALFWAY_FLATTEN_CEILING:
        return Feedback(
            False,
            f"{flatten:.3f} is high for the flatten model on digits where it never saw one. "
            "Check that you passed corners=(14, 22) to place_digits (not the training region's "
            "corners) and that you evaluated region_models, not the models trained on digits "
            "anywhere (heads).",
        )
    return Feedback(
        True,
        f"flatten {flatten:.3f}, GAP {gap:.3f}. Halfway is already far for the flatten "
        "head: the digits moved 14 pixels, three and a half cells of conv4's map, and most of "
        "their features land on positions whose weights saw only empty canvas in training. "
        "The GAP head adds up the features wherever they are.",
    )
