"""Checkers for the exercises of Chapter 4, "A first convnet".

>>> from cnnlib.exercises import chapter4 as check
>>> check.conv2_params(18496)
Not yet: that is the count with 32 input channels; conv1 now gives 16.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import (
    NOT_ANSWERED,
    Feedback,
    check_array,
    check_number,
    check_tuple,
    fraction_feedback,
)

#: Exercise 4's confusion matrix (rows: true class, columns: predicted class).
CONFUSION = np.array([[50, 2, 0], [3, 45, 2], [0, 1, 47]])


def conv2_params(answer: object) -> Feedback:
    """Exercise 1: parameters of ``conv2`` when ``conv1`` has 16 filters instead of 32."""
    return check_number(
        answer,
        arithmetic.conv_params(3, 16, 64),
        hints={
            9216: "that is without the biases: each of the 64 filters has one.",
            18496: "that is the count with 32 input channels; conv1 now gives 16.",
            160: "that is conv1's count; the question is about conv2.",
            4640: "conv2 has 64 filters, not 32.",
        },
        praise="(3 * 3 * 16 + 1) * 64 = 9,280: half the weights, because each filter of conv2 "
        "has a 3x3 kernel per channel of conv1.",
    )


def pool2_shape(answer: object) -> Feedback:
    """Exercise 2: the output shape of ``pool2`` for a 32x32x1 input."""
    size = arithmetic.pool_output_size(
        arithmetic.conv_output_size(
            arithmetic.pool_output_size(arithmetic.conv_output_size(32, 3), 2), 3
        ),
        2,
    )
    return check_tuple(
        answer,
        (size, size, 64),
        hints={
            (7, 7, 64): "that is 13 // 2 rounded up; MaxPooling2D with 'valid' padding rounds "
            "down.",
            (5, 5, 64): "that is the shape for the 28x28 input.",
            (8, 8, 64): "each 3x3 valid convolution loses 2 pixels before the pooling halves.",
            (6, 6, 32): "conv2 has 64 filters.",
        },
        praise="32 -> 30 -> 15 -> 13 -> 6: the pooling drops the odd last row and column.",
    )


def dense_params_32(answer: object) -> Feedback:
    """Exercise 3: parameters of the layer ``dense`` (64 units) for a 32x32x1 input."""
    return check_number(
        answer,
        arithmetic.dense_params(4 * 4 * 64, 64),
        hints={
            36928: "that is the count for 28x28 inputs: conv3 now gives a 4x4x64 map.",
            65536: "each of the 64 units also has a bias.",
            1025: "that is one unit; the layer has 64.",
        },
        praise="conv3 gives 4x4x64 = 1,024 values, so (1,024 + 1) * 64 = 65,600: the dense "
        "layer's count grows with the image, the convolutions' do not.",
    )


def accuracy_from_confusion(answer: object) -> Feedback:
    """Exercise 4: the accuracy that :data:`CONFUSION` shows."""
    correct = float(np.trace(CONFUSION) / CONFUSION.sum())
    return check_number(
        answer,
        correct,
        tolerance=5e-3,
        hints={
            float(np.trace(CONFUSION)): "that is the number of correct answers; divide by the "
            "number of images.",
            1 - correct: "that is the error rate.",
        },
        praise=f"the diagonal holds the correct answers: {np.trace(CONFUSION)} of "
        f"{CONFUSION.sum()}, {correct:.1%}.",
    )


#: Exercise 5's two 1-D kernels, applied one after the other (no activation, no bias).
BOX = np.array([1.0, 1.0, 1.0])


def combined_kernel(answer: object) -> Feedback:
    """Exercise 5: the one 1-D kernel that computes what two convolutions with the kernel
    :data:`BOX` (``[1, 1, 1]``) in a row compute (one channel, ``valid``, stride 1, no bias, no
    activation).

    >>> combined_kernel([1, 1, 1])
    Not yet: that is one box; the pair reads a wider stretch of the input than one box does.
    """
    return check_array(
        answer,
        np.convolve(BOX, BOX),
        hints={
            "one box": (
                BOX,
                "that is one box; the pair reads a wider stretch of the input than one box does.",
            ),
            "flat": (
                np.ones(5),
                "the width is right, but not every input pixel reaches the output the same "
                "number of times: count the paths through the middle values for each pixel.",
            ),
            "concatenated": (
                np.ones(6),
                "the two windows overlap: neighbouring values of the first output share two of "
                "their three input pixels.",
            ),
            "summed": (
                np.array([np.sum(BOX) ** 2]),
                "that is the total weight (the sum of the combined kernel's entries is right); "
                "the question asks for the whole kernel.",
            ),
        },
        praise="[1, 2, 3, 2, 1]: the middle pixel of the five reaches the output through all "
        "three values of the first output, the outer ones through one. The combined kernel is "
        "the convolution of the two kernels, and it is wider: two 3x3 kernels in 2-D make one "
        "5x5 kernel, 25 weights computed from 18. Without an activation, depth adds nothing "
        "that one linear layer cannot do; a ReLU between the two breaks the spell.",
    )


#: The filters of Exercise 6's narrow convnet: a quarter of the chapter's 32, 64 and 64.
NARROW_FILTERS = (8, 16, 16)
#: How many points of test accuracy below the chapter's model an honest run of Exercise 6 may
#: end: in the book's runs the narrow model loses well under half a point (0.24 in the stored
#: run), and a larger loss takes it down towards the dense baseline, about one point below.
NARROW_MAX_COST = 0.008
#: How far above the chapter's model a run of Exercise 6 may end and still count as noise.
NARROW_NOISE = 0.004


def _convnet_params(filters: tuple[int, int, int]) -> int:
    """Parameters of the chapter's convnet on 28x28x1 images with these three filter counts."""
    first, second, third = filters
    flat = 3 * 3 * third  # conv3's output is 3x3 on a 28x28 image
    return (
        arithmetic.conv_params(3, 1, first)
        + arithmetic.conv_params(3, first, second)
        + arithmetic.conv_params(3, second, third)
        + arithmetic.dense_params(flat, 64)
        + arithmetic.dense_params(64, 10)
    )


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.number))


def narrow_convnet(answer: object, chapter_accuracy: float) -> Feedback:
    """Exercise 6 (an experiment): ``(parameters, test accuracy)`` of the chapter's convnet with
    8, 16 and 16 filters, against ``chapter_accuracy``, the chapter's model's test accuracy.

    The count must be exact. Any accuracy from :data:`NARROW_MAX_COST` below
    ``chapter_accuracy`` up to :data:`NARROW_NOISE` above it is accepted: the run depends on the
    machine and the library versions. Outside that range the feedback says what usually went
    wrong.

    >>> narrow_convnet((20000, 98.7), 0.991)
    Not yet: give the accuracy as a fraction between 0 and 1, not as a percentage.
    >>> narrow_convnet((93322, 0.99), 0.991)
    Not yet: that is the chapter's model; build the one with 8, 16 and 16 filters.
    """
    if not _is_number(chapter_accuracy) or not 0 <= float(chapter_accuracy) <= 1:
        raise ValueError(
            f"chapter_accuracy must be an accuracy in [0, 1], got {chapter_accuracy!r}"
        )
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return Feedback(
            False, "the answer should be a pair: (number of parameters, test accuracy)."
        )
    params, accuracy = answer
    if not _is_number(params) or not _is_number(accuracy):
        return Feedback(False, "both numbers of the pair should be numbers.")
    expected, chapter_params = _convnet_params(NARROW_FILTERS), _convnet_params((32, 64, 64))
    if 0 <= float(params) <= 1 and float(accuracy) > 1:
        return Feedback(False, "the pair is the other way round: parameters first, then accuracy.")
    value, chapter = float(accuracy), float(chapter_accuracy)
    if (wrong := fraction_feedback(value, "accuracy")) is not None:
        return wrong
    if float(params) != expected:
        hints = {
            chapter_params: "that is the chapter's model; build the one with 8, 16 and 16 filters.",
            expected - (sum(NARROW_FILTERS) + 64 + 10): "that is without the biases: every "
            "filter and every dense unit has one.",
            expected
            - arithmetic.dense_params(3 * 3 * NARROW_FILTERS[2], 64)
            - arithmetic.dense_params(64, 10): "that is the convolutions alone; the two dense "
            "layers have parameters too.",
        }
        return Feedback(
            False,
            hints.get(
                int(params),
                f"{params} is not the narrow model's count: print model.summary() and check "
                "that it has 8, 16 and 16 filters and keeps the dense layer of 64 units.",
            ),
        )
    if value < chapter - NARROW_MAX_COST:
        return Feedback(
            False,
            f"{value:.4f} is more than {100 * NARROW_MAX_COST:.1f} points below the chapter's "
            f"{chapter:.4f}, far more than a quarter of the filters usually costs. Check that "
            "every Conv2D and the hidden Dense layer have activation='relu', that you "
            "trained with fit_and_test on the full training set (not in quick mode), and that "
            "you passed the test accuracy.",
        )
    if value > chapter + NARROW_NOISE:
        return Feedback(
            False,
            f"{value:.4f} beats the chapter's {chapter:.4f} by more than run-to-run noise, "
            "which a quarter of the filters does not usually do. Check that you evaluated on "
            "the test set (not on the training images) and that you compare with the chapter's "
            "test accuracy, trained for the same number of epochs.",
        )
    points = 100 * (chapter - value)
    if points > 0:
        verdict = f"{value:.4f} is {points:.2f} points below the chapter's {chapter:.4f}"
    else:
        verdict = f"{value:.4f} is within run-to-run noise of the chapter's {chapter:.4f}"
    return Feedback(
        True,
        f"{verdict}, with {expected:,} parameters instead of {chapter_params:,}. A quarter of "
        "the filters costs little: the convolutional structure, not the number of filters, "
        "gives most of the accuracy.",
    )
