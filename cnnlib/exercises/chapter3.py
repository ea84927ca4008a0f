"""Checkers for the exercises of Chapter 3, "Pooling".

>>> from cnnlib.exercises import chapter3 as check
>>> check.l2_window(25)
Not yet: that is the sum of squares; L2 pooling takes its square root.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cnnlib import arithmetic, ops
from cnnlib.exercises import NOT_ANSWERED, Feedback, check_array, check_number, check_tuple

#: Exercise 1's feature map (5x5), pooled with 3x3 windows and stride 2.
OVERLAP_MAP = np.array(
    [
        [1, 0, 2, 0, 1],
        [0, 3, 0, 1, 0],
        [2, 0, 1, 0, 6],
        [0, 1, 0, 2, 0],
        [4, 0, 1, 0, 1],
    ],
    dtype=float,
)
#: Exercise 2's window.
WINDOW = np.array([[1, 2], [2, 4]], dtype=float)
#: Exercise 4's channels: the map has this many, and so does the strided convolution.
STRIDED_CHANNELS = 128
#: Exercise 6: the share of a 2x2, stride-2 convolution's outputs that a one-pixel shift of the
#: chapter's 2,000 MNIST digits leaves exactly unchanged. Honest runs land in this range: random
#: weights of any seed or initializer give about 0.028, a kernel of 0.25s (average pooling)
#: 0.036. Max pooling gives about 0.32, the pixels themselves 0.14; a two-pixel shift about
#: 0.013 and a 3x3 kernel about 0.006.
STRIDED_INVARIANCE_RANGE = (0.015, 0.08)


def _pooled(
    pool_size: int, stride: int, padding: str = "valid", mode: str = "max"
) -> NDArray[np.floating]:
    """:data:`OVERLAP_MAP` pooled with the given window, stride, padding and mode."""
    x = OVERLAP_MAP.reshape(1, 5, 5, 1)
    return ops.pool2d(x, pool_size, stride, padding, mode)[0, :, :, 0]


def overlapping_max_pool(answer: object) -> Feedback:
    """Exercise 1: ``MaxPooling2D(3, strides=2)`` of :data:`OVERLAP_MAP`, by hand.

    >>> overlapping_max_pool([[3, 2], [2, 2]])
    Not yet: those are the maxima of 2x2 windows; these windows are 3x3.
    """
    return check_array(
        answer,
        _pooled(3, 2),
        hints={
            "2x2 windows": (
                _pooled(2, 2),
                "those are the maxima of 2x2 windows; these windows are 3x3.",
            ),
            "average": (
                _pooled(3, 2, mode="avg"),
                "those are averages; max pooling keeps the largest value.",
            ),
            "stride 1": (
                _pooled(3, 1),
                "that is with stride 1; with stride 2 the windows start at rows and columns "
                "0 and 2.",
            ),
            "same": (
                _pooled(3, 2, padding="same"),
                "that is with padding='same'; the default, 'valid', keeps only windows that fit.",
            ),
            "stride 3": (
                _pooled(3, 3),
                "with stride 3 the windows would not overlap; here the stride is 2, so "
                "neighbouring windows share a row or a column.",
            ),
        },
        praise="the windows start at rows and columns 0 and 2 and share the middle row and "
        "column. The 6 on the shared column wins two windows: with overlapping windows one "
        "strong value can be counted twice.",
    )


def l2_window(answer: object) -> Feedback:
    """Exercise 2: L2 pooling of :data:`WINDOW`.

    >>> l2_window(5.0).correct
    True
    """
    squares = float((WINDOW**2).sum())
    return check_number(
        answer,
        float(np.sqrt(squares)),
        hints={
            squares: "that is the sum of squares; L2 pooling takes its square root.",
            float(np.sqrt(squares / 4)): "that is the root of the mean square; this book's L2 "
            "pooling sums the squares (it is the Euclidean length of the window).",
            4.0: "that is the maximum.",
            2.25: "that is the average.",
        },
        praise="sqrt(1 + 4 + 4 + 16) = 5, above the maximum 4. The L2 norm is never below the "
        "maximum; it equals it only when at most one value of the window is non-zero.",
    )


def receptive_field(answer: object) -> Feedback:
    """Exercise 3: receptive field of conv3x3 -> conv3x3 -> maxpool2x2 -> conv3x3.

    >>> receptive_field(10).correct
    True
    """
    stack = [
        arithmetic.LayerGeometry("conv1", 3),
        arithmetic.LayerGeometry("conv2", 3),
        arithmetic.LayerGeometry("pool", 2, 2),
        arithmetic.LayerGeometry("conv3", 3),
    ]
    return check_number(
        answer,
        arithmetic.receptive_field(stack)[-1].size,
        hints={
            8: "the last convolution sits after the pooling, where neighbours are 2 input "
            "pixels apart: it adds (3 - 1) * 2.",
            9: "the pooling window adds (2 - 1) * 1 = 1 pixel as well.",
            7: "each 3x3 convolution adds (3 - 1) * jump pixels; the jump is 2 after pooling.",
        },
        praise="3 -> 5 -> 6 (the pooling adds 1) -> 6 + 2 * 2 = 10.",
    )


def strided_conv_params(answer: object) -> Feedback:
    """Exercise 4: parameters of ``Conv2D(128, 3, strides=2)`` on 128 input channels.

    >>> strided_conv_params(0)
    Not yet: that is the count of a pooling layer; this one learns a kernel per filter.
    """
    channels = STRIDED_CHANNELS
    expected = arithmetic.conv_params(3, channels, channels)
    return check_number(
        answer,
        expected,
        hints={
            expected - channels: "that is without the biases: one per filter.",
            0: "that is the count of a pooling layer; this one learns a kernel per filter.",
            (3 * 3 + 1) * channels: "each filter has one 3x3 kernel per input channel: "
            f"{channels} of them.",
            3 * 3 * channels + 1: "that is one filter; the layer has one per output channel.",
        },
        praise=f"(3 * 3 * {channels} + 1) * {channels} = {expected:,}, where max pooling needs "
        "none. The stride does not change the count.",
    )


def gap_shape(answer: object) -> Feedback:
    """Exercise 5: the output shape of ``GlobalAveragePooling2D`` on a (7, 7, 512) input.

    >>> gap_shape((512,)).correct
    True
    """
    return check_tuple(
        answer,
        (512,),
        hints={
            (1, 1, 512): "that is with keepdims=True; by default the two spatial axes go.",
            (7, 7): "the average is over the spatial positions, one per channel.",
            (25088,): "that is what Flatten gives: 7 * 7 * 512 values.",
        },
        praise="one average per channel: 512 numbers, whatever the height and width.",
    )


def strided_conv_invariance(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the share of the outputs of ``Conv2D(1, 2, strides=2)`` that
    a one-pixel shift of the chapter's digits leaves exactly unchanged.

    Any result in :data:`STRIDED_INVARIANCE_RANGE` is accepted: it depends a little on the
    weights. Outside it, the feedback says what usually went wrong.

    >>> strided_conv_invariance(0.036).correct
    True
    >>> strided_conv_invariance(36)
    Not yet: give the share as a fraction between 0 and 1, not as a percentage.
    """
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        return Feedback(False, f"the answer should be a number, got {type(answer).__name__}.")
    value = float(answer)
    low, high = STRIDED_INVARIANCE_RANGE
    if np.isnan(value):
        return Feedback(
            False,
            "the share is not a number: no output was non-zero. Use the layer without an "
            "activation (a ReLU can turn every output into 0).",
        )
    if 1 < value <= 100:
        return Feedback(False, "give the share as a fraction between 0 and 1, not as a percentage.")
    if not 0 <= value <= 1:
        return Feedback(False, f"a share lies between 0 and 1, got {value}.")
    if low <= value <= high:
        return Feedback(
            True,
            "close to average pooling's share and far below max pooling's. A convolution is a "
            "weighted sum of its window, so it stays exactly the same only where the window's "
            "content does, whatever the weights; the maximum ignores all but one value.",
        )
    if value > 0.99:
        return Feedback(
            False,
            "nothing changed: did you shift the digits by 0 pixels, or compare a map with itself?",
        )
    if value >= 0.5:
        return Feedback(
            False,
            "far more than a weighted sum keeps. With a non-zero bias every background window "
            "becomes active and stays unchanged: keep the layer's initial zero bias.",
        )
    if value >= 0.2:
        return Feedback(
            False,
            "that is about what max pooling keeps: did you measure the pooling instead of the "
            "convolution?",
        )
    if value > high:
        return Feedback(
            False,
            "more than honest runs give. Check that the function you pass applies the "
            "convolution (the digits unchanged give the 'no pooling' share) and that the "
            "tolerance is unchanged_fraction's default.",
        )
    return Feedback(
        False,
        "less than honest runs give. Check that the shift is 1 pixel (a larger shift leaves "
        "less unchanged), that the kernel is 2x2 (a larger window changes more often), and that "
        "the layer has no activation.",
    )
