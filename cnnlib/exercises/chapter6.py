"""Checkers for the exercises of Chapter 6, "Looking inside".

>>> from cnnlib.exercises import chapter6 as check
>>> check.dead_maps(3)
Not yet: that is the number of dead maps; the question asks for the fraction of all six.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnlib.exercises import NOT_ANSWERED, Feedback, as_pair, check_array, check_number

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

#: Exercise 6: the largest share of dead ``conv1`` maps an honest run gives for a photo (runs
#: of the chapter's model gave 0.03 to 0.19; a black image, or pixels in [0, 1], give 0.6).
DEAD_CONV1_MAX = 0.45
#: Exercise 6: the range of shares of dead ``conv4`` maps accepted (runs gave 0.56 to 0.74; an
#: untrained model gives about 0.3).
DEAD_CONV4_RANGE = (0.4, 0.95)


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
        "conv1's: the more values a layer sums, the smaller its starting weights, so that the "
        "signal keeps roughly the same size from layer to layer.",
    )


def _shade(value: float, low: float, high: float) -> float:
    return (value - low) / (high - low)


def scale_shades(answer: object) -> Feedback:
    """Exercise 2: the pair (a, b) of shades, 0 darkest and 1 brightest: (a) filter A's weight 0
    on A's own scale, (b) A's largest weight on the scale shared with B, from -0.5 to 1.0."""
    pair = as_pair(answer, "a pair of numbers: (a, b)")
    if isinstance(pair, Feedback):
        return pair
    own, shared = pair
    low, high = min(FILTER_A[0], FILTER_B[0]), max(FILTER_A[1], FILTER_B[1])
    first = check_number(
        own,
        _shade(0.0, *FILTER_A),
        tolerance=1e-3,
        hints={
            0.5: "0 sits in the middle only of a symmetric scale; this one runs from -0.01 to "
            "0.02.",
            0.0: "0 is not A's smallest weight: -0.01 is.",
        },
    )
    if not first:
        return Feedback(False, f"(a) {first.message}")
    second = check_number(
        shared,
        _shade(FILTER_A[1], low, high),
        tolerance=1e-3,
        hints={
            1.0: "that is the shade on A's own scale; the shared scale runs from B's -0.5 to "
            "B's 1.0.",
            0.02: "the shade is the weight's position on the scale, (w - low) / (high - low), "
            "not the weight.",
            0.02 / 1.5: "measure the position from the bottom of the scale, -0.5, not from 0.",
        },
    )
    if not second:
        return Feedback(False, f"(a) is right; (b) {second.message}")
    return Feedback(
        True,
        "(a) (0 - (-0.01)) / (0.02 - (-0.01)) = 1/3, exactly the shade B's weight 0 gets on its "
        "own scale, (0 + 0.5) / 1.5: drawn each on its own, a filter 50 times weaker than "
        "another looks just as strong. (b) (0.02 + 0.5) / 1.5 = 0.347, close to the 0.333 of "
        "A's weight 0: on the shared scale filter A is almost uniform, as weak as it really is.",
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


def other_photo_dead_maps(answer: object) -> Feedback:
    """Exercise 6 (an experiment): the fractions of dead maps of ``conv1`` to ``conv4`` for
    another photo, as four numbers.

    The result depends on the trained model, and so on the machine and the library versions:
    any four fractions that rise from ``conv1`` to ``conv4``, with ``conv1`` at most
    :data:`DEAD_CONV1_MAX` and ``conv4`` in :data:`DEAD_CONV4_RANGE`, are accepted. Outside
    that range the feedback says what usually went wrong.

    >>> other_photo_dead_maps([0.06, 0.2, 0.3, 0.66]).correct
    True
    >>> other_photo_dead_maps([0.0, 0.0, 0.13, 0.33]).correct
    False
    """
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (Sequence, np.ndarray)):
        return Feedback(
            False, "the answer should be four fractions, one per convolution (conv1 to conv4)."
        )
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, "the answer should be four numbers, one per convolution.")
    if values.shape != (4,):
        return Feedback(
            False,
            f"the answer should be four fractions (conv1 to conv4), got shape {values.shape}.",
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values > 1):
        return Feedback(
            False,
            "a fraction lies between 0 and 1: divide the number of dead maps by the layer's "
            "number of filters (visualize.dead_fraction does).",
        )
    first, last = float(values[0]), float(values[-1])
    if first > DEAD_CONV1_MAX:
        return Feedback(
            False,
            f"{first:.0%} of conv1's maps dead is far more than a photo gives. Either these are "
            "the shares of zero values rather than of maps that are zero everywhere (use "
            "visualize.dead_fraction), or the model saw an almost black image: it takes pixels "
            "from 0 to 255 and rescales them itself, and data.sample_image returns values in "
            "[0, 1].",
        )
    if first == 0 and last < DEAD_CONV4_RANGE[0]:
        return Feedback(
            False,
            "no dead map at all in conv1 and few in conv4 is what an untrained model gives: "
            "use the chapter's trained model, `cats`.",
        )
    if last <= first:
        return Feedback(
            False,
            "the share of dead maps should grow from conv1 to conv4; check that the four "
            "numbers come from conv1, conv2, conv3 and conv4, in that order.",
        )
    if not DEAD_CONV4_RANGE[0] <= last <= DEAD_CONV4_RANGE[1]:
        return Feedback(
            False,
            f"{last:.0%} of conv4's maps dead is outside what the chapter's model gives for a "
            "photo; check that you passed the trained model `cats`, the photo shrunk to 64x64 "
            "with values from 0 to 255, and the maps of conv4 (not of a dense layer).",
        )
    return Feedback(
        True,
        f"{first:.0%} of conv1's maps dead and {last:.0%} of conv4's: the same rise with depth "
        "as for the cat. Now compare which conv4 filters are alive for the two photos.",
    )
