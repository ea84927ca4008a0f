"""Checkers for the exercises of Chapter 5, "Overfitting, augmentation and dropout".

>>> from cnnlib.exercises import chapter5 as check
>>> check.rotation_degrees(0.1)
Not yet: 0.1 is the factor you pass; RandomRotation reads it as a fraction of a full turn.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, check_number

#: Exercise 5's validation losses, one per epoch (epoch 1 first).
VAL_LOSS = np.array([0.69, 0.66, 0.62, 0.60, 0.57, 0.58, 0.55, 0.56, 0.61, 0.67, 0.74])
#: Exercise 5's validation accuracies for the same epochs.
VAL_ACCURACY = np.array([0.52, 0.59, 0.65, 0.67, 0.70, 0.71, 0.72, 0.70, 0.74, 0.73, 0.72])


def dense_params_96(answer: object) -> Feedback:
    """Exercise 1: parameters of the layer ``dense`` of ``small_convnet(96)``."""
    side = 96
    for _ in range(4):
        side = arithmetic.pool_output_size(arithmetic.conv_output_size(side, 3), 2)
    flat = side * side * 128
    return check_number(
        answer,
        arithmetic.dense_params(flat, 256),
        hints={
            float(arithmetic.dense_params(2 * 2 * 128, 256)): "that is the count at 64 pixels; "
            "trace the shapes again from 96.",
            float(flat * 256): "each of the 256 units also has a bias.",
            float(arithmetic.dense_params(5 * 5 * 128, 256)): "a 'valid' 3x3 convolution loses "
            "2 pixels before each pooling: 96 -> 94 -> 47 -> 45 -> 22 -> ...",
        },
        praise=f"96 -> 94 -> 47 -> 45 -> 22 -> 20 -> 10 -> 8 -> 4, so Flatten gives "
        f"4 * 4 * 128 = {flat:,} values and the layer has ({flat:,} + 1) * 256 = "
        f"{arithmetic.dense_params(flat, 256):,} weights: four times as many as at 64 pixels.",
    )


def rotation_degrees(answer: object) -> Feedback:
    """Exercise 2: the largest angle, in degrees, that ``RandomRotation(0.1)`` turns by."""
    return check_number(
        answer,
        36.0,
        tolerance=1e-6,
        hints={
            0.1: "0.1 is the factor you pass; RandomRotation reads it as a fraction of a full "
            "turn.",
            10.0: "the factor is not a percentage of 100 degrees but a fraction of a full turn.",
            18.0: "a full turn is 360 degrees, not 180.",
            0.2 * np.pi: "that is the angle in radians; the question asks for degrees.",
            72.0: "that is the width of the whole range, from -36 to +36; the question asks for "
            "the largest turn either way.",
        },
        praise="0.1 of a full turn is 36 degrees, clockwise or anticlockwise: a cat lying "
        "at 36 degrees is still a cat, one upside down would be a strange photo.",
    )


def translation_pixels(answer: object) -> Feedback:
    """Exercise 3: the largest shift, in pixels, of ``RandomTranslation(0.1, 0.1)`` at 64x64."""
    return check_number(
        answer,
        6.4,
        tolerance=1e-6,
        hints={
            0.1: "the factor is a fraction of the image's height (or width), not pixels.",
            10.0: "10% of the image is not 10 pixels: the image is 64 pixels high.",
            12.8: "that is the width of the whole range, from -6.4 to +6.4 pixels.",
        },
        praise="0.1 * 64 = 6.4 pixels each way (the layer moves by fractions of a pixel too, "
        "interpolating) and the strip it uncovers is filled by reflecting the image.",
    )


def dropout_scale(answer: object) -> Feedback:
    """Exercise 4: what ``Dropout(0.3)`` multiplies the values it keeps by, in training."""
    return check_number(
        answer,
        1 / 0.7,
        tolerance=1e-3,
        hints={
            0.7: "that is the fraction of values kept; the kept ones are scaled up, not down.",
            0.3: "that is the rate of values set to zero.",
            1.0: "Keras scales the kept values in training (so it need not do anything at "
            "inference time).",
            1 / 0.3: "divide by the fraction kept (0.7), not by the rate.",
        },
        praise="1 / (1 - 0.3) = 1.43: 'inverted dropout' scales the survivors up during "
        "training so that each value's expectation is unchanged, and inference needs no change.",
    )


def checkpoint_epoch(answer: object) -> Feedback:
    """Exercise 5: the epoch (counting from 1) that a checkpoint on ``val_loss`` keeps."""
    best = int(np.argmin(VAL_LOSS)) + 1
    return check_number(
        answer,
        best,
        hints={
            float(best - 1): "epochs count from 1 here; NumPy's argmin counts from 0.",
            float(np.argmax(VAL_ACCURACY) + 1): "that is the best validation accuracy; the "
            "checkpoint watches the validation loss.",
            float(len(VAL_LOSS)): "that is the last epoch; save_best_only keeps the best one.",
        },
        praise=f"the validation loss is lowest at epoch {best}; after that it rises while the "
        "accuracy still wanders: the model grows more confident about the images it gets wrong, "
        "a first sign of overfitting.",
    )
