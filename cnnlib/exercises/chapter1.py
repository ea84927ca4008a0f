"""Checkers for the exercises of Chapter 1, "Convolution".

>>> from cnnlib.exercises import chapter1 as check
>>> check.two_layer_shape((28, 28, 16))
Not yet: that is the output of the first layer; the question asks about the second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from cnnlib import kernels, ops
from cnnlib.exercises import (
    NOT_ANSWERED,
    Feedback,
    as_scalar,
    check_array,
    check_number,
    check_tuple,
    diverged,
)

#: The image of the worked example: an "L" of ones.
L_IMAGE = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], dtype=float)
#: Exercise 1's image: the "L" mirrored left to right (its stem in the right column).
MIRRORED_L = L_IMAGE[:, ::-1].copy()
#: The vertical-line filter of the worked example (``kernels.get("vertical_line")``).
VERTICAL_LINE = np.array([[1, -1], [1, -1]], dtype=float)
#: Exercise 6's signal and kernel.
SIGNAL = np.array([3, 1, 4, 1, 5], dtype=float)
SECOND_DIFFERENCE = np.array([1, -2, 1], dtype=float)
#: Exercise 7's luma weights for red, green and blue (ITU-R BT.601).
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def mirrored_l(answer: object) -> Feedback:
    """Exercise 1: the valid output of ``VERTICAL_LINE`` slid over ``MIRRORED_L``.

    >>> mirrored_l([[2, 0], [1, 0]])
    Not yet: that is the map of the original L; here the stem is in the right column.
    """
    original = np.array([[2, 0], [1, 0]], dtype=float)
    return check_array(
        answer,
        -original[:, ::-1],
        hints={
            "original": (
                original,
                "that is the map of the original L; here the stem is in the right column.",
            ),
            "positive": (
                original[:, ::-1],
                "the responses are in the right places, but check their signs: which weights of "
                "the kernel sit on the stem now? (Slide the kernel as it is: Keras does not "
                "flip it.)",
            ),
            "negated": (
                -original,
                "the signs are right, but check the positions: where does the window hold the "
                "stem?",
            ),
            "full": (
                np.zeros((4, 4)),
                "a valid output has one value per position where the whole window fits.",
            ),
        },
        praise="the same stroke gives the opposite sign when it is on the other side of the "
        "window: an edge filter's sign tells you on which side of the edge the stroke is.",
    )


def two_layer_shape(answer: object) -> Feedback:
    """Exercise 2: the output shape of ``Conv2D(16, 5)`` then ``Conv2D(32, 3)`` (both valid,
    stride 1) on a 32x32 RGB image.

    >>> two_layer_shape((24, 24, 32))
    Not yet: a window of width k fits n - k + 1 times in a row of n pixels: each layer removes \
its kernel size minus one, not its kernel size.
    """
    return check_tuple(
        answer,
        (26, 26, 32),
        hints={
            (28, 28, 32): "that is the size after the first layer: the second layer's 3x3 window "
            "shrinks the maps again.",
            (28, 28, 16): "that is the output of the first layer; the question asks about the "
            "second.",
            (30, 30, 32): "the first layer's 5x5 window shrinks the image too, before the second "
            "layer sees it.",
            (24, 24, 32): "a window of width k fits n - k + 1 times in a row of n pixels: each "
            "layer removes its kernel size minus one, not its kernel size.",
            (26, 26, 16): "the depth of the output is the number of filters of the last layer.",
            (26, 26, 3): "the depth of the output is the number of filters, not the number of "
            "input channels.",
            (26, 26, 512): "each filter sums over all its input channels and gives one map, so "
            "the depth is the number of filters of the last layer.",
            (32, 32, 32): "valid padding adds no border: each window must fit inside its input.",
            (32, 26, 26): "Keras puts channels last: (height, width, channels).",
        },
        praise="the first layer gives 32 - 5 + 1 = 28 rows and columns of 16 maps, the second "
        "28 - 3 + 1 = 26 of 32 maps: each layer removes its kernel size minus one, and the "
        "depth is the last layer's number of filters.",
    )


def second_layer_params(answer: object) -> Feedback:
    """Exercise 3: the parameters of ``Conv2D(32, 3)`` when its input is the 16-channel output
    of ``Conv2D(16, 5)``.

    >>> second_layer_params(896)
    Not yet: that counts 3 input channels, as for an RGB image; but this layer's input is the \
first layer's output: how many channels does it have?
    """
    return check_number(
        answer,
        4640,
        hints={
            4608: "that is the count without the biases: each filter also learns one bias.",
            9216: "a filter has one bias, added once to its sum of products, not one per weight.",
            4624: "a layer has one bias per filter (per output channel), not per input channel.",
            896: "that counts 3 input channels, as for an RGB image; but this layer's input is "
            "the first layer's output: how many channels does it have?",
            320: "each filter has one 3x3 kernel per input channel, not one in all.",
            1216: "that is the first layer; the question asks about the second.",
            5856: "that is both layers together; the question asks about the second.",
            145: "that is one filter; the layer has 32.",
        },
        praise="(3 x 3 x 16 + 1) x 32 = 4,640: each of the 32 filters has one 3x3 kernel for "
        "each of the 16 maps of the first layer, and one bias; the image size does not enter.",
    )


def shift_kernel(kernel: object) -> Feedback:
    """Exercise 4: a 3x3 kernel that moves an image one pixel to the right (``same`` padding)."""
    if kernel is None or kernel is Ellipsis:
        return NOT_ANSWERED
    try:
        weights = np.asarray(kernel, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, "the kernel should be a 3x3 array of numbers.")
    if weights.shape != (3, 3):
        return Feedback(False, f"the kernel should be 3x3, got shape {weights.shape}.")
    image = np.random.default_rng(0).random((6, 6))
    moved = ops.apply_kernel(image, weights)
    right = np.zeros_like(image)
    right[:, 1:] = image[:, :-1]
    if np.allclose(moved, right):
        return Feedback(True, "the output at column j reads the input at column j - 1.")
    left = np.zeros_like(image)
    left[:, :-1] = image[:, 1:]
    if np.allclose(moved, left):
        return Feedback(
            False,
            "this moves the image to the left. In cross-correlation the weight at column c "
            "of the kernel reads the input pixel c - 1 columns away from the output pixel.",
        )
    return Feedback(
        False,
        "the output should copy one input pixel, so the kernel needs a single 1 and zeros "
        "elsewhere; which neighbour should each output pixel copy?",
    )


# Exercise 5's answer (private: the API page would show it): the names of cnnlib.kernels whose
# true convolution differs from their cross-correlation, those that a turn by 180 degrees changes.
_FLIP_SENSITIVE = frozenset(
    name
    for name in kernels.NAMES
    if not np.array_equal(kernels.get(name), kernels.get(name)[::-1, ::-1])
)


def _names(answer: object) -> set[str] | None:
    """The answer as a set of strings, or None if it is not a collection of strings."""
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return None
    names = list(answer)
    if not all(isinstance(name, str) for name in names):
        return None
    return set(names)


def flip_sensitive(answer: object) -> Feedback:
    """Exercise 5: the kernels of :mod:`cnnlib.kernels` for which true convolution and
    cross-correlation give different results, as a set (or a list) of names.

    >>> flip_sensitive({"sobel_x", "vertical_line", "emboss"})
    Not yet: you flipped the kernels left to right only; convolution turns the kernel by 180 \
degrees, left to right and upside down.
    """
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    names = _names(answer)
    if names is None:
        return Feedback(
            False, 'the answer should be a set of kernel names, such as {"identity", "gaussian"}.'
        )
    if not names:
        return Feedback(False, "the set is empty, but some kernels do change under the flip.")
    unknown = sorted(names - set(kernels.NAMES))
    if unknown:
        return Feedback(
            False,
            f"{unknown[0]!r} is not a name that kernels.get knows; the question lists them.",
        )
    if names == _FLIP_SENSITIVE:
        return Feedback(
            True,
            "convolution is cross-correlation with the kernel turned by 180 degrees, so it "
            "differs exactly for the kernels that the turn changes. sobel_x, sobel_y and the two "
            "line filters turn into their own negatives: convolution flips the sign of their "
            "answers. emboss is the identity plus a diagonal derivative; turned, it is the "
            "identity minus that derivative, so the light seems to come from the bottom right. "
            "The other kernels look the same after the turn, so both operations agree.",
        )
    for axis, direction in ((1, "left to right"), (0, "upside down")):
        mirrored = {
            name
            for name in kernels.NAMES
            if not np.array_equal(kernels.get(name), np.flip(kernels.get(name), axis=axis))
        }
        if names == mirrored:
            return Feedback(
                False,
                f"you flipped the kernels {direction} only; convolution turns the kernel by 180 "
                "degrees, left to right and upside down.",
            )
    if names - _FLIP_SENSITIVE:
        return Feedback(
            False,
            "at least one kernel in your answer looks the same when turned by 180 degrees, so "
            "convolution gives the same result with it. Negative weights alone do not make a "
            "kernel change: compare each kernel with kernel[::-1, ::-1].",
        )
    missing = len(_FLIP_SENSITIVE - names)
    return Feedback(
        False,
        f"every kernel in your answer changes under the flip, but {missing} more "
        f"{'does' if missing == 1 else 'do'}: a kernel need not be the negative of its turned "
        "self to change. Compare each kernel with kernel[::-1, ::-1].",
    )


def second_difference(answer: object) -> Feedback:
    """Exercise 6: ``SIGNAL`` cross-correlated with ``SECOND_DIFFERENCE``, zero-padded."""
    return check_array(
        answer,
        np.array([-5, 5, -6, 7, -9], dtype=float),
        hints={
            "valid": (
                np.array([5, -6, 7], dtype=float),
                "that is the valid output; pad one zero at each end to keep five values.",
            ),
        },
        praise="the ends compare 3 and 5 with a 0 that the padding invented.",
    )


def grayscale_kernel(kernel: object) -> Feedback:
    """Exercise 7: a ``Conv2D`` kernel that turns RGB into grey with ``LUMA_WEIGHTS``."""
    weights = np.array(LUMA_WEIGHTS)
    return check_array(
        kernel,
        weights.reshape(1, 1, 3, 1),
        hints={
            "flat": (
                weights,
                "a Conv2D kernel has four axes: (height, width, input channels, output channels).",
            ),
            "swapped": (
                weights.reshape(1, 1, 1, 3),
                "the input and output channel axes are swapped: three channels in, one out.",
            ),
            "column": (
                weights.reshape(3, 1, 1, 1),
                "the weights run along the kernel's height; they belong on the input-channel axis.",
            ),
        },
        praise="a 1x1 convolution mixes the channels of each pixel and looks at no neighbours.",
    )


# The range of answer / chapter_steps that slower_learning accepts (private: the API page would
# show it). With a quarter of the learning rate, gradient descent needs about four times as many
# steps; the exact ratio depends on the random images and on float rounding (the stored run
# gives 4.03).
_SLOWER_LEARNING_RATIO = (3.5, 5.0)


def slower_learning(answer: object, chapter_steps: int) -> Feedback:
    """Exercise 8 (an experiment): the step at which gradient descent with a quarter of the
    chapter's learning rate first reaches the chapter's final loss, which the chapter reached
    at step ``chapter_steps``.

    Any answer in the range of ratios to ``chapter_steps`` that honest runs give is accepted.
    Outside that range the feedback says what usually went wrong.

    >>> slower_learning(600, 300)
    Not yet: that is about twice the chapter's number of steps: did you halve the learning rate \
instead of dividing it by 4?
    >>> slower_learning(0.5, 300)
    Not yet: a number of steps is a whole number from 1 up, got 0.5.
    """
    steps = as_scalar(chapter_steps)
    if steps is None or not math.isfinite(steps) or not steps.is_integer():
        raise ValueError(f"chapter_steps must be an integer, got {chapter_steps!r}")
    chapter_steps = int(steps)
    if chapter_steps < 1:
        raise ValueError(f"chapter_steps must be at least 1, got {chapter_steps}")
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    number = as_scalar(answer)
    if number is None:
        return Feedback(
            False, f"the answer should be a number of steps, got {type(answer).__name__}."
        )
    if not math.isfinite(number):
        return diverged(
            number,
            "the run diverged: its losses became infinite or NaN. Check that the learning "
            "rate is a quarter of the chapter's (divided by 4, not multiplied).",
        )
    if not number.is_integer() or number < 1:
        return Feedback(False, f"a number of steps is a whole number from 1 up, got {number:g}.")
    answer = int(number)
    ratio = number / chapter_steps
    low, high = _SLOWER_LEARNING_RATIO
    if low <= ratio <= high:
        return Feedback(
            True,
            f"{int(answer)} steps, {ratio:.1f} times the chapter's {chapter_steps}. Each step "
            "moves the weights by the learning rate times the gradient, so while the steps are "
            "small, a quarter of the rate needs about four times as many of them.",
        )
    if ratio <= 1:
        return Feedback(
            False,
            "smaller steps cannot get as far in fewer steps. If no step reached the chapter's "
            "final loss, np.argmax returns 0: run more steps. Otherwise check that you compared "
            "with losses[-1], the chapter's final loss.",
        )
    if ratio < 1.25:
        return Feedback(
            False,
            "that is about the chapter's own number of steps: did the new run use a quarter of "
            "the learning rate?",
        )
    if 1.6 <= ratio <= 2.5:
        return Feedback(
            False,
            "that is about twice the chapter's number of steps: did you halve the learning rate "
            "instead of dividing it by 4?",
        )
    if ratio < low:
        return Feedback(
            False,
            f"{int(answer)} steps is fewer than honest runs need. Check that the learning rate is "
            "a quarter of the chapter's, that the inputs and targets are the chapter's, and that "
            "the target is losses[-1].",
        )
    return Feedback(
        False,
        f"{int(answer)} steps is more than honest runs need. Check that the learning rate is a "
        "quarter of the chapter's (not less), and that the target is the chapter's final loss, "
        "losses[-1], and not a smaller number.",
    )
