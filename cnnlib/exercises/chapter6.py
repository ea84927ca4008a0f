"""Checkers for the exercises of Chapter 6, "Looking inside".

>>> from cnnlib.exercises import chapter6 as check
>>> check.largest_response(0.0)
Not yet: that is the output after the ReLU; the question asks for the response before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from cnnlib.exercises import (
    NOT_ANSWERED,
    Feedback,
    as_pair,
    as_scalar,
    check_array,
    check_number,
    diverged,
)

#: Exercise 2's filter A: its smallest and largest weight.
FILTER_A = (-0.01, 0.02)
#: Exercise 2's filter B: its smallest and largest weight.
FILTER_B = (-0.5, 1.0)

#: Exercise 3's first-layer filter: 3x3 weights on one grey channel, pixels from 0 to 1.
DARK_WEIGHTS = np.array([[-0.3, 0.2, -0.1], [0.1, -0.5, 0.15], [-0.2, 0.05, -0.4]])
#: Exercise 3's filter's bias.
DARK_BIAS = -0.6

#: Exercise 5's 3x3 filter of a first layer that reads one grey channel.
WEIGHTS = np.array([[1.0, 2.0, 0.0], [0.0, 2.0, -1.0], [-2.0, 0.0, 1.0]])

#: Exercise 6: the number of filters of ``conv1`` to ``conv4`` of the chapter's model,
#: ``models.small_convnet(64)``. A share of dark maps is a whole number of maps divided by these.
CONV_FILTERS = (32, 64, 128, 128)

# Exercise 6's accepted ranges (private: they would show the answer on the API page).
# The largest share of dark conv1 maps an honest run gives for a photo: runs of the chapter's
# model gave 0.03 to 0.19 (the cat 0.19, the astronaut 0.06); a black image, or pixels in
# [0, 1], give 0.6. Chapter 5's replicates (benchmarks/) record no feature maps, so these
# ranges rest on the chapter's own runs, widened.
_DARK_CONV1_MAX = 0.45
# The range of shares of dark conv4 maps accepted: runs gave 0.56 to 0.74 (the cat 0.69, the
# astronaut 0.66); an untrained model gives about 0.3.
_DARK_CONV4_RANGE = (0.4, 0.95)
# How far conv2's and conv3's shares may lie below the layer before or above conv4's: in
# every run seen the share rises layer by layer (the cat 0.19, 0.28, 0.41, 0.69; the astronaut
# 0.06, 0.20, 0.30, 0.66); the slack leaves room for a photo on which one layer dips.
_DARK_ORDER_SLACK = 0.1
# How far a share may lie from a whole number of maps divided by the layer's filters, in
# maps: a share rounded to three decimals is at most 0.0005 * 128 = 0.064 maps off.
_DARK_COUNT_TOLERANCE = 0.07


def _glorot(fan_in: float, fan_out: float) -> float:
    return float(np.sqrt(6 / (fan_in + fan_out)))


def glorot_limit(answer: object) -> Feedback:
    """Exercise 1: the Glorot-uniform limit of ``conv2`` (64 filters of 3x3 on 32 channels)."""
    fan_in, fan_out = 3 * 3 * 32, 3 * 3 * 64
    limit = _glorot(fan_in, fan_out)
    return check_number(
        answer,
        limit,
        tolerance=1e-3,
        hints={
            _glorot(fan_in, 64): "Keras's fan out is the kernel's size times the number of "
            "filters, not the number of filters alone.",
            _glorot(3 * 3, fan_out): "each conv2 filter reads 3x3 values on each of the 32 "
            "channels that conv1 (through pool1) hands it, not on one channel.",
            _glorot(32, fan_out): "the fan in counts every value a filter reads: 3x3 positions "
            "on each channel.",
            _glorot(3 * 3, 3 * 3 * 32): "that is conv1's limit, printed above; conv2 reads 32 "
            "channels and has 64 filters.",
            limit / np.sqrt(3): "that is the standard deviation of the uniform distribution; "
            "the question asks for its limit.",
            6 / (fan_in + fan_out): "take the square root.",
            float(np.sqrt(6 / fan_in)): "that uses the fan in alone (He's uniform "
            "initialisation); Glorot's adds the fan out.",
        },
        praise=f"sqrt(6 / (3*3*32 + 3*3*64)) = sqrt(6 / 864) = {limit:.4f}, smaller than "
        "conv1's: both fans are larger. Glorot's variance, 2 / (fan in + fan out), sits between "
        "the 1 / fan in that keeps the activations' variance on the way forward and the "
        "1 / fan out that keeps the gradients' on the way back.",
    )


def _shade(value: float, largest: float) -> float:
    """A weight's position on ``viz.filter_grid``'s colour bar, from -largest (0) to +largest
    (1)."""
    return (value / largest + 1) / 2


def scale_shades(answer: object) -> Feedback:
    """Exercise 2: the pair (a, b) of shades on ``viz.filter_grid``'s symmetric colour bar, 0 at
    its bottom and 1 at its top: (a) filter A's smallest weight with ``scale="each"``, (b) A's
    largest weight with ``scale="shared"`` over filters A and B.

    >>> scale_shades((0.0, 0.347)).correct
    False
    """
    pair = as_pair(answer, "a pair of numbers: (a, b)")
    if isinstance(pair, Feedback):
        return pair
    own, shared = pair
    low, high = FILTER_A
    largest_a = max(abs(low), abs(high))
    largest = max(largest_a, *(abs(v) for v in FILTER_B))
    first = check_number(
        own,
        _shade(low, largest_a),
        tolerance=1e-3,
        hints={
            0.0: "the bottom of filter_grid's scale is minus the filter's largest absolute "
            "weight, not its smallest weight: the scale is symmetric, so that zero stays white "
            "(imshow's own stretch, from the smallest value to the largest, would give 0).",
            0.5: "0.5 is the shade of a weight of zero, and this weight is below zero.",
            low / largest_a: "that is the weight divided by m, its place on the colour bar from "
            "-1 to 1; a shade runs from 0 to 1.",
            _shade(low, largest): "that uses the shared scale; (a) asks for A drawn on its own.",
        },
    )
    if not first:
        return Feedback(False, f"(a) {first.message}")
    second = check_number(
        shared,
        _shade(high, largest),
        tolerance=1e-3,
        hints={
            1.0: "that is the shade on A's own scale; on the shared scale m is the largest "
            "absolute weight of both filters.",
            high / largest: "that is w / m, the weight's place on the colour bar from -1 to 1; "
            "a shade runs from 0 at the bar's bottom to 1 at its top.",
            (high - FILTER_B[0]) / (FILTER_B[1] - FILTER_B[0]): "that is a stretch from B's "
            "smallest weight to its largest, as imshow does; filter_grid's shared scale is "
            "symmetric around zero.",
            _shade(high, abs(FILTER_B[0])): "m is the largest absolute weight of all, not the "
            "absolute value of the smallest weight.",
        },
    )
    if not second:
        return Feedback(False, f"(a) is right; (b) {second.message}")
    return Feedback(
        True,
        "(a) m = 0.02, so -0.01 sits at -0.5 on the colour bar: shade 0.25, exactly where B's "
        "-0.5 lands on B's own scale (m = 1.0). Drawn each on its own scale, two filters 50 "
        "times apart look alike. (b) m = 1.0, so 0.02 sits at 0.02 on the bar: shade 0.51, "
        "next to the 0.5 of a zero weight. On the shared scale filter A is an almost white "
        "tile, as weak as it really is.",
    )


def largest_response(answer: object) -> Feedback:
    """Exercise 3: the largest response (before the ReLU) that any 3x3 patch of pixels from 0
    to 1 can get from the filter :data:`DARK_WEIGHTS` with bias :data:`DARK_BIAS`."""
    weights = DARK_WEIGHTS
    positive = float(np.clip(weights, 0, None).sum())
    return check_number(
        answer,
        DARK_BIAS + positive,
        tolerance=1e-6,
        hints={
            0.0: "that is the output after the ReLU; the question asks for the response before it.",
            DARK_BIAS + float(weights.sum()): "that is the response to an all-white patch; a "
            "pixel under a negative weight does better at 0.",
            DARK_BIAS: "that is the response to an all-black patch; white pixels under the "
            "positive weights raise it.",
            DARK_BIAS + float(np.abs(weights).sum()): "a pixel cannot be negative: under a "
            "negative weight the best it can do is 0.",
            positive: "add the bias.",
            float(weights.sum()): "that is an all-white patch without the bias; a pixel under a "
            "negative weight does better at 0.",
        },
        praise=f"{DARK_BIAS} + (0.2 + 0.1 + 0.15 + 0.05) = {DARK_BIAS + positive:.1f}, from the "
        "patch that is white under the positive weights and black under the negative ones. "
        "Even that patch gives a negative response, so the ReLU outputs zero for every patch "
        "of every image: the filter is dead whatever the data, and its zero gradient means "
        "that training cannot revive it.",
    )


def conv4_receptive_field(answer: object) -> Feedback:
    """Exercise 4: the side, in input pixels, of the patch one ``conv4`` value of
    ``small_convnet(64)`` sees (its receptive field)."""
    return check_number(
        answer,
        38,
        hints={
            9.0: "each pooling doubles the distance between neighbouring positions, so a 3x3 "
            "window after a pooling spans more input pixels than one before it.",
            46.0: "that is one step too far: pool4 comes after conv4.",
            22.0: "that is pool3's field; conv4's 3x3 window adds two more steps of pool3's jump.",
            18.0: "that is conv3's field; follow it through pool3 and conv4.",
            4.0: "that is the size of conv4's map, not of the patch of the input one of its "
            "values sees.",
            3.0: "3x3 is the window on conv4's own input; count it in input pixels.",
            64.0: "not yet the whole image: count how much each layer adds.",
        },
        praise="38 x 38 pixels: each layer adds (kernel - 1) times its input's jump, and the "
        "jump doubles at every pooling: 3, 4, 8, 10, 18, 22, 38. A conv4 value sees more than "
        "half of the photo's width, which is why its maps can only say roughly where a "
        "feature is.",
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


def other_photo_dark_maps(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the fractions of dark maps of ``conv1`` to ``conv4`` for
    another photo, as four numbers (a list, a tuple or an array).

    Every value is checked: each must be a whole number of dark maps divided by the layer's
    number of filters (:data:`CONV_FILTERS`), as ``visualize.dark_fraction`` gives it; the
    share must grow with depth, from few dark maps in ``conv1`` to most in ``conv4``, within
    the spread that runs of the chapter's model give. Outside that, the feedback says what
    usually went wrong.

    >>> other_photo_dark_maps([0.1, 0.9, 0.0, 0.5])
    Not yet: conv1's 0.1 is not a share of its 32 maps (0.1 * 32 = 3.2 maps): pass the \
unrounded values visualize.dark_fraction returns, in the order conv1, conv2, conv3, conv4.
    """
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if isinstance(answer, (str, bytes, Mapping, set, frozenset)) or not isinstance(
        answer, Iterable
    ):
        return Feedback(
            False, "the answer should be four fractions, one per convolution (conv1 to conv4)."
        )
    numbers = [as_scalar(v) for v in answer]
    if any(v is None for v in numbers):
        return Feedback(False, "the answer should be four numbers, one per convolution.")
    values = np.array(numbers, dtype=float)
    if values.shape != (4,):
        return Feedback(
            False,
            f"the answer should be four fractions (conv1 to conv4), got {values.size}.",
        )
    if not np.all(np.isfinite(values)):
        return diverged(
            float(values[~np.isfinite(values)][0]),
            "a share of dark maps is a count divided by the number of filters, so this one "
            "comes from a model whose training diverged (its weights are NaN) or from a "
            "division by zero. Use the chapter's trained model, `cats`, and "
            "visualize.dark_fraction.",
        )
    if np.any(values < 0) or np.any(values > 1):
        return Feedback(
            False,
            "a fraction lies between 0 and 1: divide the number of dark maps by the layer's "
            "number of filters (visualize.dark_fraction does).",
        )
    for index, (value, filters) in enumerate(zip(values, CONV_FILTERS, strict=True)):
        maps = value * filters
        if abs(maps - round(maps)) > _DARK_COUNT_TOLERANCE:
            return Feedback(
                False,
                f"conv{index + 1}'s {value:g} is not a share of its {filters} maps ({value:g} * "
                f"{filters} = {maps:.3g} maps): pass the unrounded values "
                "visualize.dark_fraction returns, in the order conv1, conv2, conv3, conv4.",
            )
    first, last = float(values[0]), float(values[-1])
    if first > _DARK_CONV1_MAX:
        return Feedback(
            False,
            f"{first:.0%} of conv1's maps dark is far more than a photo gives. Either these are "
            "the shares of zero values rather than of maps that are zero everywhere (use "
            "visualize.dark_fraction), or the model saw an almost black image: it takes pixels "
            "from 0 to 255 and rescales them itself, and data.sample_image returns values in "
            "[0, 1].",
        )
    if first == 0 and last < _DARK_CONV4_RANGE[0]:
        return Feedback(
            False,
            "no dark map at all in conv1 and few in conv4 is what an untrained model gives: "
            "use the chapter's trained model, `cats`.",
        )
    if last <= first:
        return Feedback(
            False,
            "the share of dark maps should grow from conv1 to conv4; check that the four "
            "numbers come from conv1, conv2, conv3 and conv4, in that order.",
        )
    if not _DARK_CONV4_RANGE[0] <= last <= _DARK_CONV4_RANGE[1]:
        return Feedback(
            False,
            f"{last:.0%} of conv4's maps dark is outside what the chapter's model gives for a "
            "photo; check that you passed the trained model `cats`, the photo shrunk to 64x64 "
            "with values from 0 to 255, and the maps of conv4 (not of a dense layer).",
        )
    for index in (1, 2):
        middle, before = float(values[index]), float(values[index - 1])
        if not before - _DARK_ORDER_SLACK <= middle <= last + _DARK_ORDER_SLACK:
            return Feedback(
                False,
                f"conv{index + 1}'s {middle:.0%} is out of line with conv{index}'s {before:.0%} "
                f"and conv4's {last:.0%}: in the chapter's model the share rises with depth. "
                "Check that the four numbers come from conv1, conv2, conv3 and conv4, in that "
                "order, all for the same photo.",
            )
    rises = bool(np.all(np.diff(values) >= 0))
    shape = (
        "rising layer by layer, as for the cat"
        if rises
        else "rising from the first layer to the last, as for the cat, though not at every layer"
    )
    return Feedback(
        True,
        f"{first:.0%} of conv1's maps dark and {last:.0%} of conv4's, {shape}. Now compare "
        "which conv4 filters are alive for the two photos.",
    )
