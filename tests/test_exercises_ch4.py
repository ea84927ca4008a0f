"""The checkers of Chapter 4's Exercises 5 (the kernel of two linear convolutions) and 6 (the
narrow convnet, an experiment): they accept what Keras and NumPy compute, name the usual
mistakes, and never give the answer away."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from scipy.signal import convolve2d

from cnnlib import models, ops
from cnnlib.exercises import NOT_ANSWERED
from cnnlib.exercises import chapter4 as check


def convnet(filters, *, use_bias=True):
    """The chapter's convnet with other filter counts, built with Keras."""
    first, second, third = filters
    conv, layers = keras.layers.Conv2D, keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            conv(first, 3, activation="relu", use_bias=use_bias),
            layers.MaxPooling2D(2),
            conv(second, 3, activation="relu", use_bias=use_bias),
            layers.MaxPooling2D(2),
            conv(third, 3, activation="relu", use_bias=use_bias),
            layers.Flatten(),
            layers.Dense(64, activation="relu", use_bias=use_bias),
            layers.Dense(10, activation="softmax", use_bias=use_bias),
        ]
    )


NARROW = convnet(check.NARROW_FILTERS).count_params()


def test_two_linear_box_convolutions_are_one_whose_kernel_the_checker_accepts():
    rng = np.random.default_rng(1)
    row = rng.normal(size=(1, 1, 12, 1))  # a 1-D signal as a one-row image
    box = check.BOX[None, :, None, None]
    stacked = ops.conv2d(ops.conv2d(row, box), box)
    combined = np.convolve(check.BOX, check.BOX)
    assert np.allclose(stacked, ops.conv2d(row, combined[None, :, None, None]))
    assert check.combined_kernel(combined).correct
    assert check.combined_kernel(combined.astype(int).tolist()).correct
    assert check.combined_kernel(tuple(combined)).correct


def test_the_2d_pair_is_one_5x5_convolution_as_the_solution_shows():
    rng = np.random.default_rng(1)
    first, second = rng.normal(size=(2, 3, 3))
    image = rng.normal(size=(1, 9, 9, 1))
    stacked = ops.conv2d(ops.conv2d(image, first[..., None, None]), second[..., None, None])
    combined = convolve2d(first, second)
    assert combined.shape == (5, 5)
    assert np.allclose(stacked, ops.conv2d(image, combined[..., None, None]))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [([1, 1, 1], "one box"), ([1] * 5, "paths"), ([1] * 6, "overlap"), ([9], "total weight")],
)
def test_combined_kernel_names_the_usual_mistakes(wrong, hint):
    feedback = check.combined_kernel(wrong)
    assert not feedback.correct
    assert hint in feedback.message


def test_combined_kernel_never_gives_the_kernel_away():
    for wrong in ([1, 1, 1], [1, 2, 2, 2, 1], [1, 2, 3, 2], [3, 2, 1, 2, 3], "12321", [[1]]):
        feedback = check.combined_kernel(wrong)
        assert not feedback.correct
        assert "2, 3, 2" not in feedback.message and "1, 2, 3" not in feedback.message


def test_narrow_convnet_accepts_the_keras_count_and_an_honest_accuracy():
    for accuracy in (0.991 - check.NARROW_MAX_COST, 0.985, 0.991, 0.991 + check.NARROW_NOISE):
        assert check.narrow_convnet((NARROW, accuracy), 0.991).correct, accuracy
    # the stored full run (0.9888 against 0.9912) and half a point of run-to-run variation
    assert check.narrow_convnet((NARROW, 0.9888), 0.9912).correct
    assert check.narrow_convnet((NARROW, 0.9862), 0.9912).correct


def test_narrow_convnet_rejects_a_result_no_better_than_the_dense_baseline():
    # the reviewer's 0.9662, and the dense baseline's 0.9819 in the stored run
    for accuracy in (0.9662, 0.9819):
        feedback = check.narrow_convnet((NARROW, accuracy), 0.9912)
        assert not feedback.correct
        assert "relu" in feedback.message
    assert check.narrow_convnet([np.int64(NARROW), np.float32(0.987)], 0.991).correct


def test_narrow_convnet_praise_quotes_both_counts():
    message = check.narrow_convnet((NARROW, 0.987), 0.991).message
    assert f"{NARROW:,}" in message and f"{models.mnist_convnet().count_params():,}" in message


@pytest.mark.parametrize(
    ("params", "hint"),
    [
        (models.mnist_convnet().count_params(), "chapter's model"),
        (convnet(check.NARROW_FILTERS, use_bias=False).count_params(), "biases"),
        (sum(layer.count_params() for layer in convnet(check.NARROW_FILTERS).layers[:5]),
         "convolutions alone"),
        (12345, "summary"),
    ],
)  # fmt: skip
def test_narrow_convnet_names_wrong_counts_without_giving_the_count(params, hint):
    feedback = check.narrow_convnet((params, 0.987), 0.991)
    assert not feedback.correct
    assert hint in feedback.message
    assert str(NARROW) not in feedback.message.replace(",", "")


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ((NARROW, 0.991 - check.NARROW_MAX_COST - 0.01), "relu"),
        ((NARROW, 0.991 + check.NARROW_NOISE + 0.002), "test set"),
        ((NARROW, 98.7), "percentage"),
        ((NARROW, -0.1), "between 0 and 1"),
        ((0.987, NARROW), "other way round"),
        ((NARROW,), "pair"),
        (0.987, "pair"),
        ((NARROW, "high"), "numbers"),
    ],
)
def test_narrow_convnet_says_what_a_result_outside_the_range_usually_means(answer, hint):
    feedback = check.narrow_convnet(answer, 0.991)
    assert not feedback.correct
    assert hint in feedback.message


def test_narrow_convnet_is_silent_until_answered_and_rejects_a_bad_reference():
    assert check.narrow_convnet(None, 0.991) is NOT_ANSWERED
    assert check.combined_kernel(None) is NOT_ANSWERED
    for bad in (99.1, -0.5, "0.99", True):
        with pytest.raises(ValueError, match="chapter_accuracy"):
            check.narrow_convnet((NARROW, 0.987), bad)
