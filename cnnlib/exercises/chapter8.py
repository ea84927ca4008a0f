"""Checkers for the exercises of Chapter 8, "LeNet-5, global average pooling and class
activation maps".

>>> from cnnlib.exercises import chapter8 as check
>>> check.c3_params(2416)
Not yet: that is a full Conv2D; C3 has only the 60 connections of the table.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, check_array, check_number
from cnnlib.layers import LENET_C3_TABLE

#: Exercise 4's two 2x2 feature maps, ``(height, width, channels)``.
FEATURES = np.array([[[1.0, 0.0], [2.0, 1.0]], [[0.0, 3.0], [1.0, 1.0]]])
#: Exercise 4's class weights of two classes, ``(channels, classes)``.
CLASS_WEIGHTS = np.array([[0.5, -1.0], [2.0, 0.5]])


def c3_params(answer: object) -> Feedback:
    """Exercise 1: the parameters of LeNet-5's C3 with the partial connection table."""
    return check_number(
        answer,
        int(LENET_C3_TABLE.sum()) * 5 * 5 + 16,
        hints={
            2416.0: "that is a full Conv2D; C3 has only the 60 connections of the table.",
            1500.0: "each of the 16 maps also has a bias.",
            1560.0: "there is one bias per output map (16), not per connection.",
            60.0: "that is the number of connections; each is a 5x5 kernel.",
        },
        praise="60 connections of 5x5 weights plus 16 biases: 1,516, against 2,416 for a full "
        "convolution.",
    )


def c5_params(answer: object) -> Feedback:
    """Exercise 2: the parameters of C5, 120 maps of 5x5 over the 16 maps of S4."""
    return check_number(
        answer,
        arithmetic.conv_params(5, 16, 120),
        hints={
            48000.0: "each of the 120 maps also has a bias.",
            3120.0: "C5 reads all 16 maps of S4: each of its kernels is 5x5x16.",
            10164.0: "that is F6: (120 + 1) * 84.",
        },
        praise="(5 * 5 * 16 + 1) * 120 = 48,120: C5 holds most of LeNet-5's parameters. On a "
        "5x5 input its output is 1x1, which makes it a fully connected layer in disguise.",
    )


def gap_head_params(answer: object) -> Feedback:
    """Exercise 3: parameters of GAP + Dense(10) on 16x16x64 feature maps."""
    return check_number(
        answer,
        arithmetic.dense_params(64, 10),
        hints={
            163850.0: "that is the Flatten head: GAP leaves one number per channel.",
            640.0: "each of the 10 units also has a bias.",
            2570.0: "GAP averages each channel to one number; 64 channels remain, not 256.",
        },
        praise="GAP has no parameters and leaves 64 numbers, so Dense(10) has (64 + 1) * 10 = "
        "650, whatever the size of the feature maps.",
    )


def cam_by_hand(answer: object) -> Feedback:
    """Exercise 4: the class activation map of class 1 for :data:`FEATURES` and
    :data:`CLASS_WEIGHTS`."""
    expected = FEATURES @ CLASS_WEIGHTS[:, 1]
    return check_array(
        answer,
        expected,
        hints={
            "class 0": (FEATURES @ CLASS_WEIGHTS[:, 0], "that is the map of class 0."),
            "rows": (
                FEATURES @ CLASS_WEIGHTS[1, :],
                "the weights of a class are a column of CLASS_WEIGHTS, not a row.",
            ),
        },
        praise="each position's value is -1 times channel 0 plus 0.5 times channel 1. Its mean "
        "is the class's score before the bias.",
    )


def random_pointing(answer: object) -> Feedback:
    """Exercise 5: the chance that a random point of a 64x64 canvas falls in a 20x16 box."""
    expected = 20 * 16 / 64**2
    return check_number(
        answer,
        expected,
        tolerance=1e-3,
        hints={
            320.0: "that is the box's area in pixels; divide by the canvas's.",
            20 * 16 / 64: "the canvas has 64 * 64 pixels.",
            1 - expected: "that is the chance of missing.",
        },
        praise="320 / 4,096 = 7.8%: a map that points at random hits that often; a useful one "
        "must do far better.",
    )
