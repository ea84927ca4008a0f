"""Checkers for the exercises of Chapter 4, "A first convnet".

>>> from cnnlib.exercises import chapter4 as check
>>> check.conv2_params(9216)
Not yet: that is without the biases: each of the 64 filters has one.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, check_number, check_tuple

#: Exercise 4's confusion matrix (rows: true class, columns: predicted class).
CONFUSION = np.array([[50, 2, 0], [3, 45, 2], [0, 1, 47]])


def conv2_params(answer: object) -> Feedback:
    """Exercise 1: parameters of ``conv2`` when ``conv1`` has 16 filters instead of 32."""
    return check_number(
        answer,
        arithmetic.conv_params(3, 16, 64),
        hints={
            9216: "that is without the biases: each of the 64 filters has one.",
            18496: "that is the count with 32 input channels; conv1 now gives 16.",
            160: "that is conv1's count; the question is about conv2.",
            4640: "conv2 has 64 filters, not 32.",
        },
        praise="(3 * 3 * 16 + 1) * 64 = 9,280: half the weights, because each filter of conv2 "
        "has a 3x3 kernel per channel of conv1.",
    )


def pool2_shape(answer: object) -> Feedback:
    """Exercise 2: the output shape of ``pool2`` for a 32x32x1 input."""
    size = arithmetic.pool_output_size(
        arithmetic.conv_output_size(
            arithmetic.pool_output_size(arithmetic.conv_output_size(32, 3), 2), 3
        ),
        2,
    )
    return check_tuple(
        answer,
        (size, size, 64),
        hints={
            (7, 7, 64): "that is 13 // 2 rounded up; MaxPooling2D with 'valid' padding rounds "
            "down.",
            (5, 5, 64): "that is the shape for the 28x28 input.",
            (8, 8, 64): "each 3x3 valid convolution loses 2 pixels before the pooling halves.",
            (6, 6, 32): "conv2 has 64 filters.",
        },
        praise="32 -> 30 -> 15 -> 13 -> 6: the pooling drops the odd last row and column.",
    )


def dense_params_32(answer: object) -> Feedback:
    """Exercise 3: parameters of the layer ``dense`` (64 units) for a 32x32x1 input."""
    return check_number(
        answer,
        arithmetic.dense_params(4 * 4 * 64, 64),
        hints={
            36928: "that is the count for 28x28 inputs: conv3 now gives a 4x4x64 map.",
            65536: "each of the 64 units also has a bias.",
            1025: "that is one unit; the layer has 64.",
        },
        praise="conv3 gives 4x4x64 = 1,024 values, so (1,024 + 1) * 64 = 65,600: the dense "
        "layer's count grows with the image, the convolutions' do not.",
    )


def accuracy_from_confusion(answer: object) -> Feedback:
    """Exercise 4: the accuracy that :data:`CONFUSION` shows."""
    correct = float(np.trace(CONFUSION) / CONFUSION.sum())
    return check_number(
        answer,
        correct,
        tolerance=5e-3,
        hints={
            float(np.trace(CONFUSION)): "that is the number of correct answers; divide by the "
            "number of images.",
            1 - correct: "that is the error rate.",
        },
        praise=f"the diagonal holds the correct answers: {np.trace(CONFUSION)} of "
        f"{CONFUSION.sum()}, {correct:.1%}.",
    )


def baseline_dense_params(answer: object) -> Feedback:
    """Exercise 5: parameters of ``Dense(512)`` on a flattened 28x28 image."""
    return check_number(
        answer,
        arithmetic.dense_params(28 * 28, 512),
        hints={
            401408: "each of the 512 units also has a bias.",
            407050: "that is the whole baseline; the question is about its first Dense layer.",
            5130: "that is the output layer: (512 + 1) * 10.",
        },
        praise="(784 + 1) * 512 = 401,920: four times the whole convnet, for one layer.",
    )
