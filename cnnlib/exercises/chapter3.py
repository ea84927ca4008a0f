"""Checkers for the exercises of Chapter 3, "Pooling".

>>> from cnnlib.exercises import chapter3 as check
>>> check.l2_window(2.25)
Not yet: that is the average.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cnnlib import arithmetic, ops
from cnnlib.exercises import Feedback, as_number, check_array, check_number, fraction_feedback

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
#: Exercise 4 and 5: Chapter 4's convnet, ``cnnlib.models.mnist_convnet``, as (kind, size,
#: channels) for its convolutions and poolings: 3x3 convolutions with 32, 64 and 64 filters,
#: each of the first two followed by a 2x2 max pooling; then Flatten, Dense(64) and Dense(10).
MNIST_CONVNET = (
    ("conv", 3, 32),
    ("pool", 2, 32),
    ("conv", 3, 64),
    ("pool", 2, 64),
    ("conv", 3, 64),
)
#: Exercise 5's input: an image twice the side of an MNIST digit.
BIGGER_SIDE = 56
# Exercise 6's accepted range (private: it would show the answer on the API page): the share of
# a 2x2, stride-2 convolution's outputs that a one-pixel shift of the chapter's 2,000 MNIST
# digits leaves exactly unchanged, for the layer as it comes (random initial weights, zero
# bias). Every seed and random initializer tried gives 0.0280 to 0.0281. Hand-set weights give
# more: a kernel of 0.25s (average pooling) 0.036, a column of equal weights 0.080, a single
# non-zero weight (plain subsampling) 0.144, about the pixels' own 0.142. Max pooling gives
# about 0.32; a two-pixel shift about 0.013, a 3x3 kernel about 0.006.
_STRIDED_INVARIANCE_RANGE = (0.02, 0.033)


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
        "column. The 6 sits on the shared row (row 2) and wins both right-hand windows: with "
        "overlapping windows one strong value can be counted twice.",
    )


def l2_window(answer: object) -> Feedback:
    """Exercise 2: L2 pooling of :data:`WINDOW`, as a number, a NumPy or TensorFlow scalar or
    the one-value output of a pooling layer.

    >>> l2_window(4.0)
    Not yet: that is the maximum.
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

    >>> receptive_field(9)
    Not yet: the pooling window adds (2 - 1) * 1 = 1 pixel as well.
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


def _convnet_params(down_kernel: int | None = None, padding: arithmetic.Padding = "valid") -> int:
    """Parameters of :data:`MNIST_CONVNET` with Flatten, Dense(64) and Dense(10) on a 28x28
    digit; with ``down_kernel`` each pooling becomes a ``Conv2D(channels, down_kernel,
    strides=2, padding=padding)``."""
    params, side, channels = 0, 28, 1
    for kind, size, filters in MNIST_CONVNET:
        if kind == "conv":
            params += arithmetic.conv_params(size, channels, filters)
            side = arithmetic.conv_output_size(side, size)
        elif down_kernel is None:
            side = arithmetic.pool_output_size(side, size)
        else:
            params += arithmetic.conv_params(down_kernel, channels, filters)
            side = arithmetic.conv_output_size(side, down_kernel, 2, padding)
        channels = filters
    flat = side * side * channels
    return params + arithmetic.dense_params(flat, 64) + arithmetic.dense_params(64, 10)


def strided_model_params(answer: object) -> Feedback:
    """Exercise 4: parameters of Chapter 4's convnet with each ``MaxPooling2D(2)`` replaced by a
    ``Conv2D(channels, 2, strides=2)`` that keeps the channel count.

    >>> strided_model_params(93_322)
    Not yet: that is the model with its poolings, which have no weights; a strided convolution \
learns a kernel per filter.
    """
    expected = _convnet_params(2)
    first, second = (arithmetic.conv_params(2, c, c) for c in (32, 64))
    with_pooling = _convnet_params()
    return check_number(
        answer,
        expected,
        hints={
            with_pooling: "that is the model with its poolings, which have no weights; a "
            "strided convolution learns a kernel per filter.",
            first + second: "that is what the two new layers add; the question asks for the "
            "whole model.",
            with_pooling + first: "that replaces only the first pooling; the second one "
            "becomes a convolution too.",
            with_pooling + second: "that replaces only the second pooling; the first one "
            "becomes a convolution too.",
            expected - 32 - 64: "that is without the biases: each filter of the two new "
            "layers learns one.",
            with_pooling + 2 * first: "the second pooling sits on 64 channels, not 32.",
            with_pooling + 2 * second: "the first pooling sits on 32 channels, not 64.",
            _convnet_params(3): "that is with 3x3 kernels; the question's are 2x2.",
            _convnet_params(2, "same"): "that is with padding='same'; Conv2D's default is 'valid'.",
        },
        praise=f"{with_pooling:,} + (2 * 2 * 32 + 1) * 32 + (2 * 2 * 64 + 1) * 64 = "
        f"{expected:,}. A 2x2 window with stride 2 has the pooling's geometry, so every map "
        "keeps its size, the receptive fields stay the same and the dense layer is unchanged: "
        f"only the two new layers' {first + second:,} weights are added.",
    )


def _conv3_side(side: int, padding: arithmetic.Padding = "valid", ceil_pool: bool = False) -> int:
    """The side of :data:`MNIST_CONVNET`'s last map on a ``side`` x ``side`` image."""
    for kind, size, _ in MNIST_CONVNET:
        if kind == "conv":
            side = arithmetic.conv_output_size(side, size, 1, padding)
        else:
            side = -(-side // size) if ceil_pool else arithmetic.pool_output_size(side, size)
    return side


def bigger_image_flatten(answer: object) -> Feedback:
    """Exercise 5: how many numbers Chapter 4's ``Flatten`` gives for a 56x56 image.

    >>> bigger_image_flatten(576)
    Not yet: that is for a 28x28 digit; on a bigger image every map is bigger.
    """
    channels = MNIST_CONVNET[-1][2]
    expected = _conv3_side(BIGGER_SIDE) ** 2 * channels
    small = _conv3_side(28) ** 2 * channels
    return check_number(
        answer,
        expected,
        hints={
            small: "that is for a 28x28 digit; on a bigger image every map is bigger.",
            (2 * _conv3_side(28)) ** 2 * channels: "the sides do not simply double: each "
            "'valid' 3x3 convolution takes 2 pixels off whatever the size, and each pooling "
            "halves what is left, rounding down.",
            _conv3_side(BIGGER_SIDE, ceil_pool=True) ** 2 * channels: "a 2x2 pooling of an "
            "odd-sized map rounds down: the last row and column, which fill no whole window, "
            "are dropped.",
            _conv3_side(BIGGER_SIDE, "same") ** 2 * channels: "that is with padding='same'; "
            "Chapter 4's convolutions are 'valid'.",
            expected // channels: "that counts positions; Flatten keeps all 64 channels of each.",
            channels: "that is what global average pooling gives; Flatten keeps every position.",
        },
        praise=f"56 -> 54 -> 27 -> 25 -> 12 -> 10, and 10 * 10 * 64 = {expected:,} numbers, "
        f"where the trained dense layer has weights for {small}: the Flatten head cannot take "
        "the bigger image. A GAP head gives 64 numbers for any size.",
    )


def strided_conv_invariance(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the share of the outputs of ``Conv2D(1, 2, strides=2)`` that
    a one-pixel shift of the chapter's digits leaves exactly unchanged.

    Any result in the narrow range that random weights of any seed give is accepted. Outside
    it, the feedback says what the number means: hand-set weights, or what usually went wrong.

    >>> strided_conv_invariance(0.32)
    Not yet: that is about what max pooling keeps: did you measure the pooling instead of the \
convolution?
    >>> strided_conv_invariance(36)
    Not yet: give the share as a fraction between 0 and 1, not as a percentage.
    """
    number = as_number(
        answer,
        cause="a share of nothing is 0 / 0, so no output was non-zero. Use the layer without "
        "an activation (a ReLU can turn every output into 0), as it comes, and check that the "
        "function you pass returns the layer's output.",
    )
    if isinstance(number, Feedback):
        return number
    value = number
    low, high = _STRIDED_INVARIANCE_RANGE
    if (wrong := fraction_feedback(value, "share")) is not None:
        return wrong
    if low <= value <= high:
        return Feedback(
            True,
            "close to average pooling's share and far below max pooling's, and any seed gives "
            "about the same. A convolution is a weighted sum of its window, so for generic "
            "weights it stays exactly the same only where the window's content does. Special "
            "weights keep more (equal weights make an average; a single weight, plain "
            "subsampling, keeps about as much as the pixels), but a convolution can never "
            "compute a maximum, which ignores all but one value.",
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
    if 0.13 <= value <= 0.16:
        return Feedback(
            False,
            "that is about the share of the pixels themselves ('no pooling'). Either the "
            "function you pass returns the digits unchanged, or your kernel has a single "
            "non-zero weight: that convolution is plain subsampling (it keeps one pixel of "
            "each 2x2 window), no more invariant than the pixels. The exercise measures the "
            "layer as it comes, with its random initial weights.",
        )
    if high < value <= 0.045:
        return Feedback(
            False,
            "more than random weights give. That is about what a kernel of equal weights (an "
            "average pooling) gives: it also keeps the windows whose values move but keep "
            "their sum. The exercise measures the layer as it comes, with its random initial "
            "weights: measure those, then compare.",
        )
    if value > high:
        return Feedback(
            False,
            "more than random weights give. If you set the weights by hand, zeros and repeated "
            "weights keep more windows unchanged (a column of two equal weights keeps every "
            "window whose two columns have the same sum); the exercise measures the layer as "
            "it comes, with its random initial weights. If you did, check that the function "
            "you pass applies the convolution and that the tolerance is unchanged_fraction's "
            "default.",
        )
    return Feedback(
        False,
        "less than honest runs give. Check that the shift is 1 pixel (a larger shift leaves "
        "less unchanged), that the kernel is 2x2 (a larger window changes more often), and that "
        "the layer has no activation.",
    )
