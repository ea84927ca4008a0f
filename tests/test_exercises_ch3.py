"""Chapter 3's checkers: the right answers, computed independently with Keras and TensorFlow, are
accepted; each hinted mistake gets its hint; nothing else passes. Also the facts about L2 pooling
that the chapter states, and the range the experiment's checker accepts, measured."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import data, models, ops
from cnnlib.exercises import chapter3


def test_overlapping_max_pool_answer_is_what_keras_pools():
    x = chapter3.OVERLAP_MAP.reshape(1, 5, 5, 1).astype("float32")
    pooled = keras.layers.MaxPooling2D(3, strides=2)(x)
    assert chapter3.overlapping_max_pool(keras.ops.convert_to_numpy(pooled)[0, :, :, 0].tolist())


def test_l2_window_answer_is_the_euclidean_norm():
    assert chapter3.l2_window(float(np.linalg.norm(chapter3.WINDOW)))


def test_receptive_field_answer_is_measured_with_gradients():
    # the input pixels with a non-zero gradient for one output, in an all-ones network
    model = keras.Sequential(
        [
            keras.Input((24, 24, 1)),
            keras.layers.Conv2D(1, 3, kernel_initializer="ones"),
            keras.layers.Conv2D(1, 3, kernel_initializer="ones"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Conv2D(1, 3, kernel_initializer="ones"),
        ]
    )
    image = tf.ones((1, 24, 24, 1))
    with tf.GradientTape() as tape:
        tape.watch(image)
        value = model(image)[0, 2, 2, 0]
    rows = np.flatnonzero(tape.gradient(value, image).numpy()[0, :, :, 0].any(axis=1))
    assert chapter3.receptive_field(int(rows.max() - rows.min() + 1))


def chapter4_convnet(side=28, down=None):
    """Chapter 4's convnet; ``down(channels, name)`` replaces each max pooling if given."""
    layers = keras.layers
    if down is None:

        def down(channels, name):
            return layers.MaxPooling2D(2, name=name)

    return keras.Sequential(
        [
            keras.Input((side, side, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            down(32, "down1"),
            layers.Conv2D(64, 3, activation="relu"),
            down(64, "down2"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )


def test_the_checkers_convnet_is_chapter_4s():
    assert chapter4_convnet().count_params() == models.mnist_convnet().count_params()


def test_strided_model_params_answer_is_what_keras_counts():
    model = chapter4_convnet(
        down=lambda channels, name: keras.layers.Conv2D(channels, 2, strides=2, name=name)
    )
    assert chapter3.strided_model_params(model.count_params())


def test_strided_model_params_hints_name_what_keras_counts_for_the_usual_slips():
    def conv(kernel, padding="valid"):
        return lambda c, name: keras.layers.Conv2D(c, kernel, strides=2, padding=padding)

    cases = {
        "3x3 kernels": chapter4_convnet(down=conv(3)),
        "padding='same'": chapter4_convnet(down=conv(2, "same")),
        "with its poolings": chapter4_convnet(),
    }
    for words, model in cases.items():
        feedback = chapter3.strided_model_params(model.count_params())
        assert not feedback.correct
        assert words in feedback.message


def test_bigger_image_flatten_answer_is_what_keras_builds():
    model = chapter4_convnet(side=chapter3.BIGGER_SIDE)
    assert chapter3.bigger_image_flatten(model.get_layer("flatten").output.shape[1])


def test_the_trained_dense_layer_rejects_the_bigger_image():
    """What the solution says: the Flatten head built for 28x28 cannot take 56x56."""
    model = chapter4_convnet()
    with pytest.raises(ValueError, match="576"):
        model(np.zeros((1, chapter3.BIGGER_SIDE, chapter3.BIGGER_SIDE, 1), "float32"))


@pytest.mark.parametrize(
    ("checker", "wrong", "words"),
    [
        (chapter3.overlapping_max_pool, [[3, 2], [2, 2]], "2x2 windows"),
        (chapter3.overlapping_max_pool, [[3, 3, 6], [3, 3, 6], [4, 2, 6]], "stride 1"),
        (chapter3.overlapping_max_pool, [[3, 3, 1], [3, 3, 6], [4, 2, 2]], "padding='same'"),
        (chapter3.overlapping_max_pool, [[3]], "not overlap"),
        (chapter3.l2_window, 25, "square root"),
        (chapter3.l2_window, 2.5, "root of the mean square"),
        (chapter3.l2_window, 4, "maximum"),
        (chapter3.receptive_field, 8, "after the pooling"),
        (chapter3.strided_model_params, 113802, "biases"),
        (chapter3.strided_model_params, 20576, "whole model"),
        (chapter3.strided_model_params, 97450, "only the first"),
        (chapter3.strided_model_params, 109770, "only the second"),
        (chapter3.strided_model_params, 101578, "64 channels"),
        (chapter3.strided_model_params, 126218, "32 channels"),
        (chapter3.bigger_image_flatten, 576, "28x28"),
        (chapter3.bigger_image_flatten, 2304, "do not simply double"),
        (chapter3.bigger_image_flatten, 7744, "rounds down"),
        (chapter3.bigger_image_flatten, 12544, "padding='same'"),
        (chapter3.bigger_image_flatten, 100, "channels"),
        (chapter3.bigger_image_flatten, 64, "global average pooling"),
        (chapter3.strided_conv_invariance, 31.9, "percentage"),
        (chapter3.strided_conv_invariance, 1.0, "0 pixels"),
        (chapter3.strided_conv_invariance, 0.8, "bias"),
        (chapter3.strided_conv_invariance, 0.32, "max pooling"),
        (chapter3.strided_conv_invariance, 0.14, "no pooling"),
        (chapter3.strided_conv_invariance, 0.144, "single non-zero weight"),
        (chapter3.strided_conv_invariance, 0.036, "equal weights"),
        (chapter3.strided_conv_invariance, 0.08, "set the weights by hand"),
        (chapter3.strided_conv_invariance, 0.001, "1 pixel"),
        (chapter3.strided_conv_invariance, float("nan"), "activation"),
    ],
)
def test_typical_mistakes_get_their_hint(checker, wrong, words):
    feedback = checker(wrong)
    assert not feedback.correct
    assert words in feedback.message


CHECKERS = [
    chapter3.overlapping_max_pool,
    chapter3.l2_window,
    chapter3.receptive_field,
    chapter3.strided_model_params,
    chapter3.bigger_image_flatten,
    chapter3.strided_conv_invariance,
]


@pytest.mark.parametrize("checker", CHECKERS)
def test_unanswered_and_nonsense_answers_are_not_correct(checker):
    assert "replace None" in checker(None).message
    for nonsense in ("ten", 12345, (1, 2, 3, 4, 5), [[0.5]], -0.5):
        assert not checker(nonsense).correct


def test_overlap_praise_puts_the_6_on_the_shared_row():
    # The 6 is at row 2, column 4: row 2 is in both windows' rows, column 4 only in the right.
    row, column = np.argwhere(chapter3.OVERLAP_MAP == 6)[0]
    assert (row, column) == (2, 4)
    assert "shared row" in chapter3.overlapping_max_pool(chapter3._pooled(3, 2)).message


def test_l2_praise_does_not_claim_the_norm_is_always_above_the_maximum():
    # A window with one non-zero value has an L2 norm equal to its maximum.
    message = chapter3.l2_window(5.0).message
    assert "always" not in message
    assert "never below" in message
    assert "equals it only when at most one value" in message


# --- what the chapter says about L2 pooling -----------------------------------------------------

windows = st.lists(st.floats(0, 100, allow_nan=False), min_size=4, max_size=4).map(
    lambda values: np.array(values).reshape(1, 2, 2, 1)
)


@settings(max_examples=200)
@given(window=windows)
def test_l2_pooling_is_never_below_the_maximum_nor_above_twice_it(window):
    l2 = ops.pool2d(window, 2, mode="l2").item()
    largest = ops.pool2d(window, 2, mode="max").item()
    assert largest - 1e-9 <= l2 <= 2 * largest + 1e-9


@settings(max_examples=200)
@given(window=windows)
def test_the_root_mean_square_lies_between_the_mean_and_the_maximum(window):
    rms = ops.pool2d(window, 2, mode="l2").item() / 2  # sqrt(4 values)
    mean = ops.pool2d(window, 2, mode="avg").item()
    largest = ops.pool2d(window, 2, mode="max").item()
    assert mean - 1e-9 <= rms <= largest + 1e-9


@given(value=st.floats(0, 100, allow_nan=False), position=st.integers(0, 3))
def test_l2_pooling_equals_the_maximum_when_one_value_alone_is_non_zero(value, position):
    window = np.zeros(4)
    window[position] = value
    window = window.reshape(1, 2, 2, 1)
    assert ops.pool2d(window, 2, mode="l2").item() == pytest.approx(
        ops.pool2d(window, 2, mode="max").item()
    )


# --- the experiment: the chapter's measurement, with several weights -----------------------------


def shift_right(images, pixels):
    padded = np.pad(images, ((0, 0), (0, 0), (pixels, 0), (0, 0)))
    return padded[:, :, : images.shape[2], :]


def unchanged_fraction(downsample, digits, pixels=1, tolerance=1e-6):
    """The chapter's measurement (Chapter 3, 'How much invariance does pooling buy?')."""
    before = downsample(digits)
    after = downsample(shift_right(digits, pixels))
    active = (before != 0) | (after != 0)
    same = np.abs(after - before) <= tolerance
    return (same & active).sum() / active.sum()


@pytest.fixture(scope="module")
def digits():
    (_, _), (test_images, _) = data.load_mnist()
    return test_images[:2000, :, :, np.newaxis].astype("float32") / 255


def strided(kernel_initializer):
    layer = keras.layers.Conv2D(1, 2, strides=2, kernel_initializer=kernel_initializer)
    return lambda images: keras.ops.convert_to_numpy(layer(images))


@pytest.mark.parametrize(
    "initializer",
    [
        keras.initializers.GlorotUniform(seed=0),
        keras.initializers.GlorotUniform(seed=1),
        keras.initializers.HeNormal(seed=2),
        keras.initializers.RandomNormal(seed=3),
        keras.initializers.RandomUniform(seed=4),
        keras.initializers.Orthogonal(seed=5),
    ],
    ids=["glorot-0", "glorot-1", "he-2", "normal-3", "uniform-4", "orthogonal-5"],
)
def test_the_experiment_checker_accepts_any_random_weights(digits, initializer):
    share = unchanged_fraction(strided(initializer), digits)
    assert chapter3.strided_conv_invariance(float(share)), share


@pytest.mark.parametrize(
    ("kernel", "words"),
    [
        ([[0.25, 0.25], [0.25, 0.25]], "equal weights"),
        ([[0, 1], [0, 1]], "a column of two equal weights"),
        ([[1, 1], [0, 0]], "set the weights by hand"),
        ([[1, 0], [0, 0]], "plain subsampling"),
    ],
    ids=["average", "column", "row", "one-weight"],
)
def test_the_experiment_checker_says_what_hand_set_weights_give(digits, kernel, words):
    weights = keras.initializers.Constant(np.array(kernel, "float32").reshape(2, 2, 1, 1))
    feedback = chapter3.strided_conv_invariance(float(unchanged_fraction(strided(weights), digits)))
    assert not feedback.correct
    assert words in feedback.message


def test_the_experiment_checker_names_the_mistakes_a_real_run_makes(digits):
    def message(downsample, pixels=1):
        share = unchanged_fraction(downsample, digits, pixels)
        return chapter3.strided_conv_invariance(float(share)).message

    with_bias = keras.layers.Conv2D(1, 2, strides=2, bias_initializer="ones")
    assert "max pooling" in message(lambda images: ops.pool2d(images, 2))
    assert "no pooling" in message(lambda images: images)
    assert "bias" in message(lambda images: keras.ops.convert_to_numpy(with_bias(images)))
    glorot = strided(keras.initializers.GlorotUniform(seed=0))
    assert "0 pixels" in message(glorot, pixels=0)
    assert "1 pixel" in message(glorot, pixels=2)
    wide = keras.layers.Conv2D(1, 3, strides=2, padding="same")
    assert "2x2" in message(lambda images: keras.ops.convert_to_numpy(wide(images)))
