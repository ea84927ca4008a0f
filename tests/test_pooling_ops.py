"""cnnlib.ops pooling, upsampling and transposed convolution, checked against Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import layers, ops


@st.composite
def pool_cases(draw):
    pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    padding = draw(st.sampled_from(["valid", "same"]))
    low = (pool[0], pool[1]) if padding == "valid" else (1, 1)
    size = (draw(st.integers(low[0], 12)), draw(st.integers(low[1], 12)))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    x = rng.normal(size=(draw(st.integers(1, 3)), *size, draw(st.integers(1, 3))))
    return x.astype(np.float32), pool, stride, padding


@settings(max_examples=60)
@given(case=pool_cases(), mode=st.sampled_from(["max", "avg"]))
def test_pool2d_matches_keras_pooling_layers(case, mode):
    x, pool, stride, padding = case
    layer_class = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    expected = keras.ops.convert_to_numpy(layer_class(pool, stride, padding)(x))
    actual = ops.pool2d(x, pool, stride, padding, mode)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-5)


@settings(max_examples=40)
@given(case=pool_cases())
def test_l2_pooling_matches_the_keras_layer_and_the_definition(case):
    x, pool, stride, padding = case
    expected = keras.ops.convert_to_numpy(layers.L2Pooling2D(pool, stride, padding)(x))
    actual = ops.pool2d(x, pool, stride, padding, "l2")
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    if padding == "valid":  # the definition, window by window, with a strided loop
        s = stride or pool
        for i in range(actual.shape[1]):
            for j in range(actual.shape[2]):
                window = x[:, i * s[0] : i * s[0] + pool[0], j * s[1] : j * s[1] + pool[1]]
                norm = np.sqrt((window.astype(np.float64) ** 2).sum(axis=(1, 2)))
                np.testing.assert_allclose(actual[:, i, j], norm, rtol=1e-5, atol=1e-6)


def test_max_pooling_with_same_padding_ignores_the_padding_even_for_negative_inputs():
    x = -np.ones((1, 3, 3, 1), np.float32)
    np.testing.assert_array_equal(ops.pool2d(x, 2, padding="same"), -np.ones((1, 2, 2, 1)))
    # and the average divides by the real pixels only: -1 everywhere, not -1/4 in the corner
    np.testing.assert_array_equal(
        ops.pool2d(x, 2, padding="same", mode="avg"), -np.ones((1, 2, 2, 1))
    )


def test_pooling_orders_max_above_l2_above_mean_for_positive_windows():
    x = np.random.default_rng(1).random((2, 8, 8, 3))
    mx, l2, avg = (ops.pool2d(x, 2, mode=m) for m in ("max", "l2", "avg"))
    assert np.all(l2 >= mx - 1e-12)  # sqrt(sum of squares) >= the largest value
    assert np.all(mx >= avg - 1e-12)
    np.testing.assert_allclose(l2 / 2, np.sqrt(ops.pool2d(x * x, 2, mode="avg")))  # RMS * 2


@settings(max_examples=20)
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 9), st.integers(1, 4)),
    keepdims=st.booleans(),
)
def test_global_avg_pool_matches_keras(shape, keepdims):
    x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    layer = keras.layers.GlobalAveragePooling2D(keepdims=keepdims)
    expected = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ops.global_avg_pool(x, keepdims), expected, atol=1e-6)


@settings(max_examples=20)
@given(
    shape=st.tuples(st.integers(1, 2), st.integers(1, 6), st.integers(1, 6), st.integers(1, 3)),
    size=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_upsample2d_matches_keras_upsampling(shape, size):
    x = np.random.default_rng(7).normal(size=shape).astype(np.float32)
    expected = keras.ops.convert_to_numpy(keras.layers.UpSampling2D(size)(x))
    np.testing.assert_array_equal(ops.upsample2d(x, size), expected)


@st.composite
def transpose_cases(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    extra = None
    if draw(st.booleans()):
        extra = (draw(st.integers(0, stride[0] - 1)), draw(st.integers(0, stride[1] - 1)))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    channels = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return kernel, stride, padding, extra, size, channels, draw(st.integers(0, 2**31 - 1))


@settings(max_examples=60)
@given(case=transpose_cases())
def test_conv2d_transpose_matches_keras_conv2d_transpose(case):
    kernel_size, stride, padding, extra, size, (cin, cout), seed = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, *size, cin)).astype(np.float32)
    layer = keras.layers.Conv2DTranspose(
        cout, kernel_size, strides=stride, padding=padding, output_padding=extra
    )
    try:
        layer.build(x.shape)
    except ValueError:
        return  # Keras refuses this configuration; cnnlib's own refusal is tested below
    kernel = rng.normal(size=layer.kernel.shape).astype(np.float32)
    bias = rng.normal(size=(cout,)).astype(np.float32)
    layer.set_weights([kernel, bias])
    try:
        expected = keras.ops.convert_to_numpy(layer(x))
    except Exception:  # TensorFlow refuses it (an even kernel whose lengths do not round-trip)
        with pytest.raises(ValueError, match="output_padding"):
            ops.conv2d_transpose(
                x, kernel, bias, stride=stride, padding=padding, output_padding=extra
            )
        return
    actual = ops.conv2d_transpose(
        x, kernel, bias, stride=stride, padding=padding, output_padding=extra
    )
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-5)


@settings(max_examples=40)
@given(
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    seed=st.integers(0, 2**31 - 1),
)
def test_conv2d_transpose_is_the_adjoint_of_conv2d(kernel, stride, dilation, size, seed):
    # <conv2d(y, w), x> == <y, conv2d_transpose(x, w)> for every x and y: the defining property
    # of the transpose, which also covers dilation (TensorFlow's CPU kernels refuse it).
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(*kernel, 3, 2))  # conv2d: 3 -> 2 channels
    x = rng.normal(size=(1, *size, 2))
    y_shape = ops.conv2d_transpose(x, w, stride=stride, dilation=dilation).shape
    y = rng.normal(size=y_shape)
    forward = ops.conv2d(y, w, stride=stride, dilation=dilation)
    assert forward.shape == x.shape
    backward = ops.conv2d_transpose(x, w, stride=stride, dilation=dilation)
    np.testing.assert_allclose(np.vdot(forward, x), np.vdot(y, backward), rtol=1e-9, atol=1e-9)


def test_l2_pooling_layer_round_trips_through_a_keras_file(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.Conv2D(3, 3, padding="same", name="conv"),
            layers.L2Pooling2D(2, padding="same", name="l2pool"),
        ]
    )
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 2)).astype(np.float32)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("l2pool"), layers.L2Pooling2D)
    assert loaded.get_layer("l2pool").get_config()["pool_size"] == (2, 2)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_l2_pooling_has_finite_gradients_at_zero_and_reports_its_shape():
    import tensorflow as tf

    layer = layers.L2Pooling2D(3, strides=2)
    x = tf.zeros((1, 7, 5, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        total = tf.reduce_sum(y)
    assert np.all(np.isfinite(tape.gradient(total, x).numpy()))
    assert layer.compute_output_shape((None, 7, 5, 2)) == (None, 3, 2, 2)
    assert tuple(y.shape) == (1, 3, 2, 2)
    assert layer.count_params() == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ops.pool2d(np.zeros((4, 4)), 2), "x"),
        (lambda: ops.pool2d(np.zeros((1, 4, 4, 1)), 0), "pool_size"),
        (lambda: ops.pool2d(np.zeros((1, 4, 4, 1)), 2, stride=(1, 0)), "stride"),
        (lambda: ops.pool2d(np.zeros((1, 4, 4, 1)), 2, padding="full"), "padding"),
        (lambda: ops.pool2d(np.zeros((1, 4, 4, 1)), 2, mode="median"), "mode"),
        (lambda: ops.pool2d(np.zeros((1, 1, 4, 1)), 2), "kernel"),
        (lambda: ops.pool2d(np.zeros((1, 0, 4, 1)), 2), "x"),
        (lambda: ops.global_avg_pool(np.zeros((4, 4, 1))), "x"),
        (lambda: ops.global_avg_pool(np.array([["a"]] * 4).reshape(1, 2, 2, 1)), "x"),
        (lambda: ops.upsample2d(np.zeros((1, 2, 2, 1)), 0), "size"),
        (lambda: ops.upsample2d(np.zeros((2, 2)), 2), "x"),
        (lambda: ops.conv2d_transpose(np.zeros((1, 2, 2, 3)), np.zeros((3, 3, 1, 2))), "kernel"),
        (lambda: ops.conv2d_transpose(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1))), "kernel"),
        (
            lambda: ops.conv2d_transpose(np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1)), stride=0),
            "stride",
        ),
        (
            lambda: ops.conv2d_transpose(
                np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1)), stride=2, output_padding=2
            ),
            "output_padding",
        ),
        (
            lambda: ops.conv2d_transpose(
                np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 1, 1)), padding="full"
            ),
            "padding",
        ),
        (
            lambda: ops.conv2d_transpose(
                np.zeros((1, 2, 2, 1)), np.zeros((3, 3, 2, 1)), bias=np.zeros(3)
            ),
            "bias",
        ),
        (lambda: layers.L2Pooling2D(0), "pool_size"),
        (lambda: layers.L2Pooling2D(2, strides=-1), "strides"),
        (lambda: layers.L2Pooling2D(2, padding="full"), "padding"),
    ],
)
def test_pooling_ops_reject_bad_input_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
