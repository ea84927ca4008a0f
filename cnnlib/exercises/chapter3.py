"""Checkers for the exercises of Chapter 3, "Pooling".

>>> from cnnlib.exercises import chapter3 as check
>>> check.l2_window(25)
Not yet: that is the sum of squares; L2 pooling takes its square root.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic, ops
from cnnlib.exercises import Feedback, check_array, check_number, check_tuple

#: Exercise 1's feature map.
FEATURE_MAP = np.array(
    [[1, 3, 2, 0], [5, 0, 1, 1], [0, 2, 4, 8], [1, 1, 0, 4]],
    dtype=float,
)
#: Exercise 2's window.
WINDOW = np.array([[1, 2], [2, 4]], dtype=float)


def max_pool(answer: object) -> Feedback:
    """Exercise 1: ``MaxPooling2D(2)`` of :data:`FEATURE_MAP`, by hand."""
    x = FEATURE_MAP.reshape(1, 4, 4, 1)
    return check_array(
        answer,
        ops.pool2d(x, 2)[0, :, :, 0],
        hints={
            "average": (ops.pool2d(x, 2, mode="avg")[0, :, :, 0], "that is average pooling."),
            "stride 1": (
                ops.pool2d(x, 2, stride=1)[0, :, :, 0],
                "MaxPooling2D's stride defaults to its pool size: the windows do not overlap.",
            ),
        },
        praise="one maximum per non-overlapping 2x2 block.",
    )


def l2_window(answer: object) -> Feedback:
    """Exercise 2: L2 pooling of :data:`WINDOW`."""
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
        praise="sqrt(1 + 4 + 4 + 16) = 5: above the maximum, as L2 pooling always is.",
    )


def receptive_field(answer: object) -> Feedback:
    """Exercise 3: receptive field of conv3x3 -> conv3x3 -> maxpool2x2 -> conv3x3."""
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
    """Exercise 4: parameters of ``Conv2D(64, 3, strides=2)`` on 64 input channels."""
    return check_number(
        answer,
        arithmetic.conv_params(3, 64, 64),
        hints={
            36864: "that is without the biases: one per filter.",
            0: "that is the count of a pooling layer; this one learns a kernel per filter.",
            640: "each filter has one 3x3 kernel per input channel: 64 of them.",
            9280: "the stride does not change the count, but the input has 64 channels.",
        },
        praise="(3 * 3 * 64 + 1) * 64 = 36,928, where max pooling needs none.",
    )


def gap_shape(answer: object) -> Feedback:
    """Exercise 5: the output shape of ``GlobalAveragePooling2D`` on a (7, 7, 512) input."""
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
