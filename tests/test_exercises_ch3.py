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

from cnnlib import data, ops
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


def test_strided_conv_params_answer_is_what_keras_counts():
    channels = chapter3.STRIDED_CHANNELS
    layer = keras.layers.Conv2D(channels, 3, strides=2)
    layer.build((None, 16, 16, channels))
    assert chapter3.strided_conv_params(layer.count_params())


def test_gap_shape_answer_is_what_keras_builds():
    model = keras.Sequential([keras.Input((7, 7, 512)), keras.layers.GlobalAveragePooling2D()])
    assert chapter3.gap_shape(tuple(model.output_shape[1:]))


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
        (chapter3.strided_conv_params, 147456, "biases"),
        (chapter3.strided_conv_params, 0, "pooling layer"),
        (chapter3.strided_conv_params, 1153, "one filter"),
        (chapter3.gap_shape, (1, 1, 512), "keepdims"),
        (chapter3.gap_shape, (25088,), "Flatten"),
        (chapter3.strided_conv_invariance, 31.9, "percentage"),
        (chapter3.strided_conv_invariance, 1.0, "0 pixels"),
        (chapter3.strided_conv_invariance, 0.8, "bias"),
        (chapter3.strided_conv_invariance, 0.32, "max pooling"),
        (chapter3.strided_conv_invariance, 0.14, "no pooling"),
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
    chapter3.strided_conv_params,
    chapter3.gap_shape,
    chapter3.strided_conv_invariance,
]


@pytest.mark.parametrize("checker", CHECKERS)
def test_unanswered_and_nonsense_answers_are_not_correct(checker):
    assert "replace None" in checker(None).message
    for nonsense in ("ten", 12345, (1, 2, 3, 4, 5), [[0.5]], -0.5):
        assert not checker(nonsense).correct


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
        keras.initializers.Constant(0.25),
    ],
    ids=["glorot-0", "glorot-1", "he-2", "normal-3", "average"],
)
def test_the_experiment_checker_accepts_any_weights(digits, initializer):
    share = unchanged_fraction(strided(initializer), digits)
    assert chapter3.strided_conv_invariance(float(share)), share


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
