"""Checkers for the exercises of Chapter 2, "Padding, stride and dilation".

>>> from cnnlib.exercises import chapter2 as check
>>> check.strided_shape((32, 32, 16))
Not yet: that is the shape with padding="same"; this layer pads nothing.
"""

from __future__ import annotations

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, as_integers, as_number, check_number, check_tuple


def strided_shape(answer: object) -> Feedback:
    """Exercise 1: the output shape of ``Conv2D(16, 5, strides=2)`` on a 64x64 RGB image,
    as a tuple, a list, an array or the ``TensorShape`` a layer's output has."""
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
    """Exercise 4: every input length that ``Conv2D(kernel 3, stride 4, same)`` maps to 5.

    The lengths may come in any order, as a tuple, a list, a set, a ``range`` or an array.

    >>> inputs_for_output(range(10, 13))
    Not yet: ceil(10 / 4) = 3, ceil(11 / 4) = 3, ceil(12 / 4) = 3, not 5.
    """
    expected = tuple(n for n in range(1, 40) if arithmetic.conv_output_size(n, 3, 4, "same") == 5)
    given = None if answer is None or answer is Ellipsis else as_integers(answer, ordered=False)
    if isinstance(given, tuple):
        answer = tuple(sorted(given))
        valid = tuple(n for n in range(3, 40) if arithmetic.conv_output_size(n, 3, 4) == 5)
        if answer == valid:
            return Feedback(
                False,
                "those are the lengths for padding='valid'; this layer pads 'same', which "
                "gives ceil(n / 4) outputs whatever the kernel.",
            )
        if answer and set(answer) < set(expected):
            shown = ", ".join(map(str, answer))
            return Feedback(
                False,
                f"{shown} {'gives' if len(answer) == 1 else 'give'} 5, but "
                f"{'it is' if len(answer) == 1 else 'they are'} not alone: 'same' rounds "
                "n / 4 up.",
            )
        wrong = [n for n in answer if n not in expected]
        if wrong and len(answer) == len(set(answer)):
            shown = ", ".join(f"ceil({n} / 4) = {-(-n // 4)}" for n in wrong[:3])
            return Feedback(False, f"{shown}, not 5.")
    return check_tuple(
        answer,
        expected,
        praise=f"ceil(n / 4) = 5 for n = {', '.join(map(str, expected[:-1]))} and "
        f"{expected[-1]}: {len(expected)} lengths, one for each output_padding from 0 to 3 "
        "that Conv2DTranspose accepts with stride 4.",
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


#: Exercise 6: the input of the three stacked ``Conv2D(1, 3, strides=2)`` layers is
#: ``UNREAD_SIZE`` x ``UNREAD_SIZE`` pixels (an MNIST digit).
UNREAD_SIZE = 28
UNREAD_LAYERS = 3
#: How far from the exact fraction an answer may be (rounding to two decimals is fine).
UNREAD_TOLERANCE = 0.006
#: Answers this close to 1/3 (but outside :data:`UNREAD_TOLERANCE`) are taken for a guess.
UNREAD_THIRD_TOLERANCE = 0.003


def _read_fraction(padding: str) -> float:
    """The share of the input pixels that reach the last output of the exercise's stack."""
    stack = [arithmetic.LayerGeometry(f"conv{i + 1}", 3, 2, padding) for i in range(UNREAD_LAYERS)]
    last = arithmetic.receptive_field(stack, input_size=UNREAD_SIZE)[-1]
    outputs = last.output_size or 1
    first = max(last.start, 0)
    final = min(last.start + (outputs - 1) * last.jump + last.size - 1, UNREAD_SIZE - 1)
    return float(((final - first + 1) / UNREAD_SIZE) ** 2)


def unread_fraction(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the fraction of a 28x28 input that three stacked 3x3,
    stride-2, ``valid`` convolutions never read.

    The measured fraction is exact, so any answer within :data:`UNREAD_TOLERANCE` of it (a
    rounded one) is accepted. The known wrong results (the first layer's loss alone, the
    fraction read instead of unread, a count of pixels, rows only, ``same`` padding, a round
    third instead of a measurement, or more than the geometry allows) each get their own hint.

    >>> unread_fraction(1 / 3).correct
    False
    >>> unread_fraction(255)
    Not yet: that looks like a number of pixels; divide it by 28 * 28 = 784.
    """
    number = as_number(
        answer,
        cause="the measurement divided by zero or overflowed. Count the one-pixel images "
        "whose output of the last layer is all zeros, and divide that count by the number of "
        "pixels.",
    )
    if isinstance(number, Feedback):
        return number
    value = number
    read = _read_fraction("valid")
    unread = 1 - read
    pixels = UNREAD_SIZE * UNREAD_SIZE
    if 1 < value <= pixels:
        return Feedback(
            False,
            f"that looks like a number of pixels; divide it by {UNREAD_SIZE} * {UNREAD_SIZE} "
            f"= {pixels}.",
        )
    if not 0 <= value <= 1:
        return Feedback(False, f"a fraction lies between 0 and 1, got {value}.")
    if abs(value - unread) <= UNREAD_TOLERANCE:
        side = round(UNREAD_SIZE * read**0.5)
        return Feedback(
            True,
            f"only the top-left {side}x{side} pixels reach the output. The first layer never "
            f"reads row and column {UNREAD_SIZE - 1} ({UNREAD_SIZE} is even), and the third "
            "never reads the last row and column of the second layer's output, the only ones "
            f"that see rows and columns {side} to {UNREAD_SIZE - 2}. "
            f"1 - ({side}/{UNREAD_SIZE})^2 = {unread:.3f}.",
        )
    first_layer = 1 - ((UNREAD_SIZE - 1) / UNREAD_SIZE) ** 2
    rows_only = 1 - read**0.5
    hints = [
        (
            first_layer,
            "that is what the first layer alone never reads; the layers after it lose more. "
            "Measure at the output of the last layer.",
        ),
        (
            read,
            "that is the fraction of pixels that do reach the output; the question asks for "
            "the ones that never do.",
        ),
        (
            rows_only,
            "that is the share of unread rows; a pixel is unread when its row or its column "
            "is, so count in two dimensions.",
        ),
        (
            1 - _read_fraction("same"),
            "that is what padding='same' gives: every pixel is read. The layers of the "
            "question pad nothing (Keras's default, padding='valid').",
        ),
    ]
    for wrong, hint in hints:
        if abs(value - wrong) <= 0.002:
            return Feedback(False, hint)
    if abs(value - 1 / 3) <= UNREAD_THIRD_TOLERANCE:
        return Feedback(
            False,
            "that is a round third, a guess rather than a measurement. Measure it: count the "
            "one-pixel images whose output of the last layer is all zeros, and divide by "
            f"{pixels}.",
        )
    if value > unread:
        return Feedback(
            False,
            f"{value:.3f} is more than the layers' geometry leaves unread. That usually means "
            "some outputs were zero for another reason: an activation such as ReLU, which "
            "turns every negative sum into a zero. Use linear layers (no activation) with "
            "kernel_initializer='ones' and use_bias=False, so that an output is zero only "
            "when no lit pixel is in its window.",
        )
    return Feedback(
        False,
        f"{value:.3f} is less than the layers' geometry leaves unread. Check that all three "
        "layers have strides=2 and the default padding='valid', and that you count the "
        "pixels whose one-pixel image gives an all-zero output of the last layer.",
    )
