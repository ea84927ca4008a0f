"""Checkers for the exercises of Chapter 6, "Looking inside".

>>> from cnnlib.exercises import chapter6 as check
>>> check.conv1_weights(320)
Not yet: that count includes the 32 biases; the histogram shows only the kernel's weights.
"""

from __future__ import annotations

import numpy as np

from cnnlib.exercises import Feedback, check_array, check_number, check_tuple

#: Exercise 2's filter A: its smallest and largest weight.
FILTER_A = (-0.01, 0.02)
#: Exercise 2's filter B: its smallest and largest weight.
FILTER_B = (-0.5, 1.0)

#: Exercise 3's feature maps after a ReLU, ``(height, width, channels)``: six 4x4 maps.
MAPS = np.zeros((4, 4, 6))
MAPS[:, :, 0] = np.arange(16).reshape(4, 4) / 4  # zero in one corner only
MAPS[2, 1, 2] = 0.01  # one small value
MAPS[:2, :2, 4] = 1.5
# maps 1, 3 and 5 stay zero everywhere

#: Exercise 5's 3x3 filter of a first layer that reads one grey channel.
WEIGHTS = np.array([[1.0, 2.0, 0.0], [0.0, 2.0, -1.0], [-2.0, 0.0, 1.0]])


def conv1_weights(answer: object) -> Feedback:
    """Exercise 1: how many values the weight histogram of ``mnist_convnet``'s conv1 counts."""
    return check_number(
        answer,
        3 * 3 * 1 * 32,
        hints={
            320.0: "that count includes the 32 biases; the histogram shows only the kernel's "
            "weights.",
            9.0: "that is one filter; the layer has 32.",
            32.0: "that is the number of filters; each has 3x3 weights.",
            864.0: "Fashion-MNIST images have one channel, not three.",
        },
        praise="32 filters of 3x3 weights on one input channel: 288 weights (and 32 biases, "
        "which the histogram leaves out).",
    )


def own_scale_shade(answer: object) -> Feedback:
    """Exercise 2a: the shade (0 darkest, 1 brightest) of filter A's weight 0 on its own scale."""
    low, high = FILTER_A
    return check_number(
        answer,
        (0 - low) / (high - low),
        tolerance=1e-3,
        hints={
            0.5: "0 sits in the middle only of a symmetric scale; this one runs from -0.01 to "
            "0.02.",
            0.0: "0 is not A's smallest weight: -0.01 is.",
        },
        praise="(0 - (-0.01)) / (0.02 - (-0.01)) = 1/3. Filter B's weight 0 gets exactly the "
        "same shade on its own scale, (0 + 0.5) / 1.5: drawn each on its own, a filter 50 times "
        "weaker than another looks just as strong.",
    )


def shared_scale_shade(answer: object) -> Feedback:
    """Exercise 2b: the shade of filter A's largest weight on the scale shared with filter B."""
    low, high = min(FILTER_A[0], FILTER_B[0]), max(FILTER_A[1], FILTER_B[1])
    return check_number(
        answer,
        (FILTER_A[1] - low) / (high - low),
        tolerance=1e-3,
        hints={
            1.0: "that is the shade on A's own scale; the shared scale runs from B's -0.5 to "
            "B's 1.0.",
            0.02: "the shade is the weight's position on the scale, (w - low) / (high - low), "
            "not the weight.",
            0.02 / 1.5: "measure the position from the bottom of the scale, -0.5, not from 0.",
        },
        praise="(0.02 + 0.5) / 1.5 = 0.347, close to the 0.333 of A's weight 0: on the shared "
        "scale filter A is almost uniform, as weak as it really is.",
    )


def dead_maps(answer: object) -> Feedback:
    """Exercise 3: the fraction of the six maps in :data:`MAPS` that are zero everywhere."""
    dead = np.all(MAPS == 0, axis=(0, 1))
    return check_number(
        answer,
        float(dead.mean()),
        tolerance=1e-6,
        hints={
            float(np.mean(MAPS == 0)): "that is the fraction of zero values; a map counts only "
            "if all of its 16 values are zero.",
            float(dead.sum()): "that is the number of dead maps; the question asks for the "
            "fraction of all six.",
            float(np.mean(np.any(MAPS == 0, axis=(0, 1)))): "that counts maps with a zero "
            "somewhere; a dead map is zero everywhere.",
            float(np.mean(MAPS.max(axis=(0, 1)) < 0.1)): "a map with one small value is still "
            "alive: dead means exactly zero.",
        },
        praise="maps 1, 3 and 5 are zero everywhere: half of them. Map 2 has a single value of "
        "0.01, and that is enough for the filter to have seen something.",
    )


def conv3_shape(answer: object) -> Feedback:
    """Exercise 4: the shape of conv3's feature maps in ``small_convnet(64)`` for one image."""
    return check_tuple(
        answer,
        (12, 12, 128),
        hints={
            (14, 14, 128): "that is the input of conv3 (pool2's output) with conv3's filters; a "
            "'valid' 3x3 convolution loses 2 pixels.",
            (12, 12, 64): "conv3 has 128 filters (the third entry of filters=(32, 64, 128, 128)).",
            (128, 12, 12): "Keras puts channels last.",
            (1, 12, 12, 128): "one image, without the batch axis.",
            (6, 6, 128): "that is after pool3; the question asks for conv3.",
        },
        praise="64 -> 62 (conv1) -> 31 (pool1) -> 29 (conv2) -> 14 (pool2) -> 12 (conv3), with "
        "128 filters: 128 maps of 12x12.",
    )


def best_patch(answer: object) -> Feedback:
    """Exercise 5: the 3x3 patch of norm 1 that makes :data:`WEIGHTS`' response largest."""
    norm = float(np.linalg.norm(WEIGHTS))
    return check_array(
        answer,
        WEIGHTS / norm,
        atol=1e-4,
        hints={
            "the filter": (
                WEIGHTS,
                "the filter's direction is right, but its norm is not 1: divide it by its norm.",
            ),
            "negative": (-WEIGHTS / norm, "that patch makes the response as small as possible."),
            "signs": (
                np.sign(WEIGHTS) / 3,
                "the signs are right, but that is the best patch when each pixel is limited to "
                "[-1/3, 1/3]; under a norm of 1, big weights deserve big pixels.",
            ),
            "max": (
                WEIGHTS / np.abs(WEIGHTS).max(),
                "divide by the norm, the square root of the sum of squares, not by the "
                "largest weight.",
            ),
        },
        praise=f"the filter divided by its norm ({norm:.2f}): the response is a dot product, "
        "largest when the patch points the way the filter does (Cauchy-Schwarz).",
    )
