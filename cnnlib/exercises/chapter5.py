"""Checkers for the exercises of Chapter 5, "Overfitting, augmentation and dropout".

>>> from cnnlib.exercises import chapter5 as check
>>> check.rotation_degrees(0.1)
Not yet: 0.1 is the factor you pass; RandomRotation reads it as a fraction of a full turn.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import NOT_ANSWERED, Feedback, check_number

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


#: The lowest best validation accuracy that an honest run of Exercise 6 reaches: below it the
#: model has barely learned (chance is 0.5).
STRONG_AUGMENTATION_FLOOR = 0.60
#: How far above the chapter's model a run of Exercise 6 may end and still count as noise.
STRONG_AUGMENTATION_NOISE = 0.02


def strong_augmentation(answer: object, chapter_best: float) -> Feedback:
    """Exercise 6 (an experiment): the best validation accuracy of the augmentation-plus-dropout
    model trained with rotation and zoom, against ``chapter_best``, the chapter's model's.

    Any result from :data:`STRONG_AUGMENTATION_FLOOR` up to ``chapter_best`` plus
    :data:`STRONG_AUGMENTATION_NOISE` is accepted: the run depends on the machine and the
    library versions. Outside that range the feedback says what usually went wrong.

    >>> strong_augmentation(0.74, 0.80).correct
    True
    >>> strong_augmentation(74, 0.80)
    Not yet: give the accuracy as a fraction between 0 and 1, not as a percentage.
    """
    if isinstance(chapter_best, bool) or not isinstance(chapter_best, (int, float, np.number)):
        raise ValueError(f"chapter_best must be a number, got {type(chapter_best).__name__}")
    if not 0.5 <= float(chapter_best) <= 1:
        raise ValueError(f"chapter_best must be an accuracy in [0.5, 1], got {chapter_best}")
    if answer is None or answer is Ellipsis:
        return NOT_ANSWERED
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return Feedback(False, f"the answer should be a number, got {type(answer).__name__}.")
    value, best = float(answer), float(chapter_best)
    if 1 < value <= 100:
        return Feedback(
            False, "give the accuracy as a fraction between 0 and 1, not as a percentage."
        )
    if not 0 <= value <= 1:
        return Feedback(False, f"an accuracy lies between 0 and 1, got {value}.")
    if value < STRONG_AUGMENTATION_FLOOR:
        return Feedback(
            False,
            f"{value:.3f} is close to chance (0.5): the model has barely learned. That usually "
            "means a different setting slipped in: check with model.summary() that the "
            "'rescale' layer is there, that the learning rate is 0.001, that you trained for "
            "the chapter's number of epochs, and that you passed the best validation accuracy, "
            "not the first.",
        )
    if value > best + STRONG_AUGMENTATION_NOISE:
        return Feedback(
            False,
            f"{value:.3f} beats the chapter's {best:.3f} by more than run-to-run noise, which "
            "rotation and zoom at 64 pixels do not usually do. Check with model.summary() that "
            "the model really has the rotation and zoom layers (and dropout), and that it "
            "trained for the same number of epochs as the chapter's model, not more.",
        )
    points = 100 * (best - value)
    if points > 0:
        verdict = f"{value:.3f} is {points:.1f} points below the chapter's {best:.3f}."
    else:
        verdict = f"{value:.3f} is within run-to-run noise of the chapter's {best:.3f}."
    return Feedback(
        True,
        f"{verdict} Compare the final training accuracies too: rotation and zoom make the "
        "training photos harder to fit, so with the same epochs the model learns more slowly, "
        "and at 64 pixels they blur and crop away part of the little evidence there is.",
    )
