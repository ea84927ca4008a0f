"""Checkers for the exercises of Chapter 7, "Convolutional autoencoders".

>>> from cnnlib.exercises import chapter7 as check
>>> check.psnr_from_mse(-20)
Not yet: that is 10 * log10(MSE); PSNR divides the squared range by the MSE, so it is positive.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from cnnlib import arithmetic, ops
from cnnlib.exercises import NOT_ANSWERED, Feedback, check_array, check_number

#: The Keras blog's convolutional autoencoder: each 3x3 convolution as (input channels,
#: filters), from ``enc_conv1`` to ``reconstruction``. Its code is 4x4x8.
BLOG_LAYERS = ((1, 16), (16, 8), (8, 8), (8, 8), (8, 8), (8, 16), (16, 1))


def blog_model_params(answer: object) -> Feedback:
    """Exercise 1: the parameters of the Keras blog's 16-8-8 autoencoder (the chapter's model
    with 8 filters where it has 4).

    >>> blog_model_params(4320)
    Not yet: each filter also has a bias.
    """
    expected = sum(arithmetic.conv_params(3, c_in, c_out) for c_in, c_out in BLOG_LAYERS)
    biases = sum(c_out for _, c_out in BLOG_LAYERS)
    return check_number(
        answer,
        expected,
        hints={
            3369.0: "that is the chapter's 16-8-4 model; the blog's has 8 filters in enc_conv3 "
            "and dec_conv1.",
            4097.0: "enc_conv3 and dec_conv1 are right, but dec_conv2 changes too: it now reads "
            "8 channels, not 4.",
            3661.0: "the decoder mirrors the encoder: dec_conv1 has as many filters as "
            "enc_conv3, and dec_conv2 reads them.",
            float(expected - biases): "each filter also has a bias.",
        },
        praise="160 + 1,160 + 584 in the encoder, 584 + 584 + 1,168 + 145 in the decoder: "
        "4,385. Doubling the code's channels costs 1,016 parameters, 30% more, for a code twice "
        "as large.",
    )


def _valid_decoder_sides(low: int, high: int) -> list[int]:
    """The square input sides in ``[low, high]`` that the classic layer sequence (``same``
    pooling three times, then upsampling with a ``valid`` third decoder convolution) returns
    at their own size."""
    sides = []
    for side in range(low, high + 1):
        code = side
        for _ in range(3):
            code = arithmetic.pool_output_size(code, 2, padding="same")
        up = 2 * arithmetic.conv_output_size(4 * code, 3, padding="valid")
        if up == side:
            sides.append(side)
    return sides


def _side_list(answer: object) -> list[int] | None:
    if not isinstance(answer, Iterable) or isinstance(answer, (str, bytes)):
        return None
    values = list(answer)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return None
    return sorted({int(v) for v in values})


def valid_decoder_sides(answer: object) -> Feedback:
    """Exercise 2: every square input side from 16 to 40 that the classic model (``same``
    pooling, a ``valid`` ``dec_conv3``) gives back at its own size.

    >>> valid_decoder_sides([12, 28])
    Not yet: the question asks for sides from 16 to 40; [12] is not.
    """
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    given = _side_list(answer)
    if given is None:
        return Feedback(False, "the answer should be a list of integers, such as [28].")
    expected = _valid_decoder_sides(16, 40)
    if given == expected:
        return Feedback(
            True,
            "20, 28 and 36: sides of the form 8c - 4. The encoder rounds the side up to c = "
            "ceil(n / 8), and the decoder gives back 2 * (4c - 2) = 8c - 4, whatever n was.",
        )
    if given == [16, 24, 32, 40]:
        return Feedback(
            False,
            "those are the multiples of 8, the sides a decoder with a same dec_conv3 gives "
            "back; this one takes two pixels off before the last doubling.",
        )
    outside = [side for side in given if not 16 <= side <= 40]
    if outside:
        return Feedback(
            False,
            f"the question asks for sides from 16 to 40; {outside} "
            f"{'is' if len(outside) == 1 else 'are'} not.",
        )
    wrong = [side for side in given if side not in expected]
    if wrong:
        return Feedback(
            False,
            f"{wrong[0]} does not come back at its own size: follow it through the three "
            "poolings (same padding rounds up) and the decoder.",
        )
    return Feedback(
        False,
        f"{'those sides all work' if len(given) > 1 else 'that side works'}, but there are "
        "more: try every side, not only the one the chapter uses.",
    )


def transpose_params(answer: object) -> Feedback:
    """Exercise 3: parameters of ``Conv2DTranspose(16, 4, strides=2)`` on 8 input channels."""
    return check_number(
        answer,
        arithmetic.conv_params(4, 8, 16),
        hints={
            2048.0: "each of the 16 filters also has a bias.",
            1168.0: "that is a 3x3 kernel; this one is 4x4.",
            2056.0: "there is one bias per output channel (16), not per input channel.",
        },
        praise="(4 * 4 * 8 + 1) * 16 = 2,064: the stride does not change the count; it is a "
        "convolution's kernel, used the other way round.",
    )


def psnr_from_mse(answer: object) -> Feedback:
    """Exercise 4: the PSNR, in dB, of a reconstruction with MSE 0.01 on a [0, 1] scale."""
    return check_number(
        answer,
        10 * np.log10(1 / 0.01),
        tolerance=1e-3,
        hints={
            -20.0: "that is 10 * log10(MSE); PSNR divides the squared range by the MSE, so it "
            "is positive.",
            2.0: "that is log10(1 / MSE); decibels multiply it by 10.",
            40.0: "the formula uses 10 * log10 of a ratio of squared values (or 20 * log10 of "
            "range / RMSE), not 20 * log10 of the MSE.",
            100.0: "that is 1 / MSE itself; take 10 * log10 of it.",
        },
        praise="10 * log10(1 / 0.01) = 20 dB. Halving the MSE would add about 3 dB.",
    )


def overlap_counts(answer: object) -> Feedback:
    """Exercise 5: for each output of a 1-D transposed convolution (kernel 3, stride 2,
    ``valid``, input length 4), the number of inputs whose stamp reaches it."""
    stamps = ops.conv2d_transpose(np.ones((1, 1, 4, 1)), np.ones((1, 3, 1, 1)), stride=(1, 2))
    expected = stamps[0, 0, :, 0]
    return check_array(
        answer,
        expected,
        hints={
            "stride 1": (
                np.array([1.0, 2.0, 3.0, 3.0, 2.0, 1.0]),
                "that is stride 1: the stamps start 2 positions apart.",
            ),
            "kernel 4": (
                np.array([1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0]),
                "that is a kernel of 4; this one has 3 taps.",
            ),
        },
        praise="1, 1, 2, 1, 2, 1, 2, 1, 1: every other output gets two stamps. In 2-D the "
        "pattern multiplies along both axes (1, 2 and 4): the checkerboard.",
    )


#: The lowest ratio (the blog model's test MSE over the chapter model's) that an honest run of
#: Exercise 6 gives. Runs measured for the chapter gave 0.76 to 0.92: a code twice as large does
#: not halve the error in three epochs.
BLOG_MSE_LOW = 0.5
#: The highest ratio accepted: with twice the code and the same training, the blog's model
#: should not reconstruct worse than the chapter's, beyond the few percent by which one start
#: differs from another (the chapter's own run gave 0.92).
BLOG_MSE_HIGH = 1.05


def blog_model_mse(answer: object, chapter_mse: float) -> Feedback:
    """Exercise 6 (an experiment): the test MSE of the Keras blog's 16-8-8 autoencoder, trained
    with the chapter's recipe, against ``chapter_mse``, the chapter's 16-8-4 model's.

    Any result from :data:`BLOG_MSE_LOW` to :data:`BLOG_MSE_HIGH` times ``chapter_mse`` is
    accepted: the run depends on the machine and the library versions. Outside that range the
    feedback says what usually went wrong.

    >>> blog_model_mse(0.024, 0.030).correct
    True
    >>> blog_model_mse(0.15, 0.030).correct
    False
    """
    if isinstance(chapter_mse, bool) or not isinstance(chapter_mse, (int, float, np.number)):
        raise ValueError(f"chapter_mse must be a number, got {type(chapter_mse).__name__}")
    if not 0 < float(chapter_mse) < 1:
        raise ValueError(f"chapter_mse must be a mean squared error in (0, 1), got {chapter_mse}")
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return Feedback(False, f"the answer should be a number, got {type(answer).__name__}.")
    value, reference = float(answer), float(chapter_mse)
    if value >= 1:
        return Feedback(
            False,
            f"{value:.4g} cannot be a mean squared error of pixels in [0, 1]; if it is a PSNR "
            "in dB, pass the MSE, the second number that evaluate returns.",
        )
    if value <= 0:
        return Feedback(False, f"a mean squared error is positive, got {value}.")
    ratio = value / reference
    if ratio > BLOG_MSE_HIGH:
        return Feedback(
            False,
            f"{value:.4f} is no better than the 16-8-4 model's {reference:.4f}, although the "
            "code is twice as large. If you passed the binary cross-entropy (the first number "
            "that evaluate returns), pass the MSE. Otherwise check that the code is (4, 4, 8) "
            "and that the model trained with the chapter's recipe, images and epochs. If all "
            "of that is right, the run got a poor start: build the model again and retrain.",
        )
    if ratio < BLOG_MSE_LOW:
        return Feedback(
            False,
            f"{value:.4f} is less than {BLOG_MSE_LOW:.0%} of the 16-8-4 model's {reference:.4f}: "
            "a larger gain than a 4x4x8 code gives with the chapter's budget. Check that the "
            "code is (4, 4, 8), not larger, that you trained for the chapter's number of "
            "epochs, not more, and that you evaluated on the test images.",
        )
    if ratio < 1:
        verdict = f"{1 - ratio:.0%} less error than the 16-8-4 model's {reference:.4f}"
    else:
        verdict = f"within run-to-run noise of the 16-8-4 model's {reference:.4f}"
    return Feedback(
        True,
        f"{value:.4f}, {verdict}, for a code twice as large: the compression falls from 12.25 "
        "to 6.125 times, and the parameters grow by 30%.",
    )
