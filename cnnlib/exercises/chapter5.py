"""Checkers for the exercises of Chapter 5, "Overfitting, augmentation and dropout".

>>> from cnnlib.exercises import chapter5 as check
>>> check.dropout_rate(1.25)
Not yet: 1.25 is the factor the kept values were multiplied by, not the rate.
"""

from __future__ import annotations

import numpy as np

from cnnlib import arithmetic
from cnnlib.exercises import Feedback, as_fraction, as_number, check_number

#: Exercise 4's validation losses, one per epoch (epoch 1 first).
VAL_LOSS = np.array([0.69, 0.66, 0.62, 0.60, 0.57, 0.58, 0.55, 0.56, 0.61, 0.67, 0.74])
#: Exercise 4's validation accuracies for the same epochs.
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


#: Exercise 2's accepted range: the mean share of a 64x64 photo that ``RandomZoom(0.2)`` alone
#: keeps in view, counted as the chapter counts it (500 draws vary it by about 0.01).
ZOOM_COVERAGE_RANGE = (0.78, 0.86)


def zoom_coverage(answer: object) -> Feedback:
    """Exercise 2 (an experiment): the mean fraction of the photo that ``RandomZoom(0.2)`` alone
    keeps, measured with the chapter's ``coverage``. Any value in :data:`ZOOM_COVERAGE_RANGE`
    is accepted.

    >>> zoom_coverage(0.9)
    Not yet: that is what RandomZoom(0.1) keeps: pass RandomZoom(0.2).
    """
    number = as_number(answer)
    if isinstance(number, Feedback):
        return number
    value = number
    low, high = ZOOM_COVERAGE_RANGE
    if 1 < value <= 100:
        return Feedback(False, "give the share as a fraction between 0 and 1, not a percentage.")
    if low <= value <= high:
        return Feedback(
            True,
            f"{value:.3f}: a zoom of up to 20% alone loses about a fifth of the photo. Zooming "
            "in crops the border away; zooming out shrinks the photo, so neighbouring pixels "
            "merge into one and the border fills up: both lose pixels, and at 64 pixels every "
            "lost pixel is a lot of cat.",
        )
    if 0.88 <= value <= 0.93:
        return Feedback(False, "that is what RandomZoom(0.1) keeps: pass RandomZoom(0.2).")
    if 0.93 < value <= 1:
        return Feedback(
            False,
            "that is about what the flip and the 5% shift keep: check that your block holds "
            "RandomZoom(0.2) and nothing else.",
        )
    if value < 0.3:
        return Feedback(
            False,
            "that looks like the share of filler (coverage's second result), not the share "
            "of the photo kept (its first).",
        )
    return Feedback(
        False,
        f"{value:.3f} is outside the range honest runs give: check that you averaged the "
        "first array coverage returns, for a block holding RandomZoom(0.2) only.",
    )


#: Exercise 3: what a ``Dropout`` layer returned, in training, for ten ones.
DROPOUT_OUTPUT = np.array([1.25, 0.0, 1.25, 1.25, 0.0, 1.25, 1.25, 0.0, 1.25, 1.25])


def dropout_rate(answer: object) -> Feedback:
    """Exercise 3: the rate of the ``Dropout`` layer that turned ten ones into
    :data:`DROPOUT_OUTPUT`.

    >>> dropout_rate(0.3).correct
    False
    """
    return check_number(
        answer,
        0.2,
        tolerance=1e-6,
        hints={
            0.3: "0.3 is the share of zeros in this one draw, which is random: with ten values "
            "it could as well have been 1 or 4 zeros. Something else in the output tells the "
            "rate exactly.",
            0.7: "that is the share of values kept in this draw, and it is random too.",
            0.8: "that is the probability of keeping a value; the rate is the probability of "
            "dropping one.",
            1.25: "1.25 is the factor the kept values were multiplied by, not the rate.",
            0.25: "the kept values are multiplied by 1 / (1 - rate), not by 1 + rate.",
        },
        praise="the kept values were multiplied by 1.25 = 1 / (1 - rate), so the rate is "
        "1 - 1 / 1.25 = 0.2. The share of zeros, 3 of 10, is only a noisy estimate of it.",
    )


def checkpoint_epoch(answer: object) -> Feedback:
    """Exercise 4: the epoch (counting from 1) that a checkpoint on ``val_loss`` keeps."""
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


#: The lowest best validation accuracy that an honest run of Exercise 5 reaches: the baseline,
#: with no regularisation at all, gets above it within a few epochs.
STRONG_AUGMENTATION_FLOOR = 0.70
#: How far above the chapter's model a run of Exercise 5 may end and still count as noise.
STRONG_AUGMENTATION_NOISE = 0.02


def strong_augmentation(answer: object, chapter_best: float) -> Feedback:
    """Exercise 5 (an experiment): the best validation accuracy of the augmentation-plus-dropout
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
    number = as_fraction(answer, "accuracy")
    if isinstance(number, Feedback):
        return number
    value, best = number, float(chapter_best)
    if value < STRONG_AUGMENTATION_FLOOR:
        return Feedback(
            False,
            f"{value:.3f} is below what even the baseline reaches: the model has barely "
            "learned. That usually means a different setting slipped in: check with "
            "model.summary() that the 'rescale' layer is there, that the learning rate is "
            "0.001, that you trained for the chapter's number of epochs, and that you passed "
            "the best validation accuracy, not the first.",
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
