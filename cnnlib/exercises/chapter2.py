"""Checkers for the exercises of Chapter 2, "Padding, stride and dilation".

>>> from cnnlib.exercises import chapter2 as check
>>> check.strided_shape((32, 32, 16))
Not yet: that is the shape with padding="same"; this layer pads nothing.
"""

from __future__ import annotations

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, check_number, check_tuple


def strided_shape(answer: object) -> Feedback:
    """Exercise 1: the output shape of ``Conv2D(16, 5, strides=2)`` on a 64x64 RGB image."""
    size = arithmetic.conv_output_size(64, 5, 2)
    return check_tuple(
        answer,
        (size, size, 16),
        hints={
            (32, 32, 16): 'that is the shape with padding="same"; this layer pads nothing.',
            (60, 60, 16): "that is the shape with stride 1: the window now jumps two pixels.",
            (29, 29, 16): "count the positions again: the first window starts at pixel 0.",
            (30, 30, 3): "the depth of the output is the number of filters.",
            (31, 31, 16): "the last window must fit entirely: its last pixel is at most 63.",
        },
        praise="floor((64 - 5) / 2) + 1 = 30 positions per axis, and 16 filters.",
    )


def same_padding(answer: object) -> Feedback:
    """Exercise 2: the (before, after) padding Keras applies for n=7, kernel 4, stride 2, same."""
    return check_tuple(
        answer,
        arithmetic.same_padding(7, 4, 2),
        hints={
            (2, 1): "the total is right, but Keras puts the larger half after (bottom/right).",
            (1, 1): "with stride 2, 'same' means ceil(7 / 2) = 4 outputs; how many padded "
            "pixels do 4 windows of width 4, two apart, need?",
            (3, 3): "that is 'full' padding; 'same' pads just enough for ceil(n / stride) outputs.",
            (0, 1): "count again: 4 windows of width 4, two apart, span 3 * 2 + 4 = 10 pixels.",
        },
        praise="4 outputs need (4 - 1) * 2 + 4 = 10 pixels; the input has 7, so 3 zeros are "
        "added: 1 before and 2 after.",
    )


def dilation_for_span(answer: object) -> Feedback:
    """Exercise 3: the dilation that gives a 3x3 kernel the reach of a 7x7 one."""
    return check_number(
        answer,
        3,
        hints={
            2: "with dilation 2 a 3-tap kernel spans (3 - 1) * 2 + 1 = 5 pixels.",
            4: "with dilation 4 a 3-tap kernel spans (3 - 1) * 4 + 1 = 9 pixels.",
            7: "the dilation is the step between taps, not the span.",
        },
        praise="(3 - 1) * 3 + 1 = 7: taps at 0, 3 and 6.",
    )


def inputs_for_output(answer: object) -> Feedback:
    """Exercise 4: every input length that ``Conv2D(kernel 3, stride 2, same)`` maps to 4."""
    expected = tuple(n for n in range(1, 20) if arithmetic.conv_output_size(n, 3, 2, "same") == 4)
    if isinstance(answer, (tuple, list)):
        answer = tuple(sorted(answer))
    return check_tuple(
        answer,
        expected,
        hints={
            (8,): "8 gives 4, but it is not alone: 'same' rounds n / 2 up.",
            (7,): "7 gives 4, but it is not alone: try the next length.",
            (9,): "ceil(9 / 2) = 5.",
        },
        praise="ceil(7 / 2) = ceil(8 / 2) = 4. That is why Conv2DTranspose cannot know the "
        "length to go back to, and why it has output_padding.",
    )


def stack_output(answer: object) -> Feedback:
    """Exercise 5: the output length of a 100-pixel input after three layers."""
    n = arithmetic.conv_output_size(100, 5)
    n = arithmetic.conv_output_size(n, 3, 2)
    n = arithmetic.conv_output_size(n, 3, 2, "same")
    return check_number(
        answer,
        n,
        hints={
            23: "the last layer pads 'same': it gives ceil(n / 2) outputs.",
            25: "the first layer is valid: 100 - 5 + 1 = 96.",
            12: "one stride too many: only two of the layers have stride 2.",
        },
        praise="100 -> 96 -> floor((96 - 3) / 2) + 1 = 47 -> ceil(47 / 2) = 24.",
    )
