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


def mnist_test_digits(n=200):
    """A small test set of the right form, for checkers that stop before measuring."""
    return np.zeros((n, 28, 28, 1), "float32"), np.zeros(n, int)


@pytest.mark.parametrize(
    ("model", "hint"),
    [
        (models.mnist_convnet(), "chapter's model"),
        (convnet(check.NARROW_FILTERS, use_bias=False), "biases"),
        (convnet((8, 16, 32)), "summary"),
        (convnet((16, 16, 16)), "summary"),
    ],
)
def test_narrow_convnet_names_wrong_models_without_giving_the_count(model, hint):
    feedback = check.narrow_convnet(model, mnist_test_digits(), 0.9912)
    assert not feedback.correct
    assert hint in feedback.message
    assert str(NARROW) not in feedback.message.replace(",", "")


def test_narrow_convnet_praise_quotes_both_counts():
    model = convnet(check.NARROW_FILTERS)
    weights = [np.zeros_like(w) for w in model.get_weights()]
    weights[-1][3] = 5.0  # every digit is called a 3
    model.set_weights(weights)
    images, _ = mnist_test_digits(1000)
    labels = np.array([3] * 990 + [4] * 10)  # 0.99 of them are 3s
    feedback = check.narrow_convnet(model, (images, labels), 0.9912)
    assert feedback.correct
    assert f"{NARROW:,}" in feedback.message
    assert f"{models.mnist_convnet().count_params():,}" in feedback.message


def test_narrow_convnet_is_silent_until_answered_and_rejects_a_bad_reference():
    assert check.narrow_convnet(None, mnist_test_digits(), 0.991) is NOT_ANSWERED
    assert check.narrow_convnet(..., mnist_test_digits(), 0.991) is NOT_ANSWERED
    assert check.combined_kernel(None) is NOT_ANSWERED
    for bad in (99.1, -0.5, "0.99", True, None):
        with pytest.raises(ValueError, match="chapter_accuracy"):
            check.narrow_convnet(convnet(check.NARROW_FILTERS), mnist_test_digits(), bad)
