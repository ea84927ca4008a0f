"""Checkers for the exercises of Chapter 7, "Convolutional autoencoders".

>>> from cnnlib.exercises import chapter7 as check
>>> check.psnr_from_mse(-20)
Not yet: that is 10 * log10(MSE); PSNR divides the squared range by the MSE, so it is positive.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic, ops
from cnnlib.exercises import Feedback, check_array, check_number, check_tuple


def same_decoder_shape(answer: object) -> Feedback:
    """Exercise 1: the output shape of the classic autoencoder if ``dec_conv3`` were ``same``."""
    side = 2 * 2 * 2 * 4  # the 4x4 code doubled three times, no pixel lost on the way
    return check_tuple(
        answer,
        (side, side, 1),
        hints={
            (28, 28, 1): "that is the shape with the valid convolution; 'same' keeps 16x16.",
            (16, 16, 16): "that is dec_conv3's own output; follow it through dec_up3 and "
            "reconstruction.",
            (32, 32, 16): "the last layer, reconstruction, has one filter.",
        },
        praise="4 -> 8 -> 16 -> 32: the output no longer matches the 28x28 input, and Keras "
        "would refuse to compute a loss between them.",
    )


def compression_ratio(answer: object) -> Feedback:
    """Exercise 2: how many times fewer numbers the 4x4x4 code holds than a 28x28 image."""
    ratio = (28 * 28) / (4 * 4 * 4)
    return check_number(
        answer,
        ratio,
        tolerance=1e-3,
        hints={
            64.0: "that is the size of the code; divide the image's 784 pixels by it.",
            784.0: "that is the size of the image; divide it by the code's size.",
            1 / ratio: "that is the code over the image; the question asks image over code.",
            49.0: "the code is 4x4x4 = 64 numbers (four channels), not 4x4.",
        },
        praise="784 / 64 = 12.25: the decoder must rebuild each image from about 8% as many "
        "numbers.",
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
