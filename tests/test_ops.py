"""cnnlib.ops.conv2d and apply_kernel, checked against Keras, SciPy and a direct loop."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnlib import ops


def reference_conv2d(x, kernel, bias, stride, padding, dilation):
    """The definition, one output value at a time: slow, obvious, independent of cnnlib."""
    (top, bottom), (left, right) = padding
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, out_channels = kernel.shape
    (sh, sw), (dh, dw) = stride, dilation
    out_h = (x.shape[1] - (kh - 1) * dh - 1) // sh + 1
    out_w = (x.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, out_channels))
    for i in range(out_h):
        for j in range(out_w):
            window = x[
                :,
                i * sh : i * sh + (kh - 1) * dh + 1 : dh,
                j * sw : j * sw + (kw - 1) * dw + 1 : dw,
            ]
            out[:, i, j] = np.einsum("nhwc,hwco->no", window, kernel) + bias
    return out


@st.composite
def keras_conv_cases(draw):
    """A Conv2D configuration Keras accepts, and an input it fits."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = draw(st.sampled_from(["valid", "same"]))
    if draw(st.booleans()):
        stride, dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))), (1, 1)
    else:  # Keras refuses strides > 1 together with dilation > 1
        stride, dilation = (1, 1), (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    span = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
    height = draw(st.integers(span[0] if padding == "valid" else 1, 11))
    width = draw(st.integers(span[1] if padding == "valid" else 1, 11))
    return {
        "batch": draw(st.integers(1, 3)),
        "size": (height, width),
        "in_channels": draw(st.integers(1, 4)),
        "filters": draw(st.integers(1, 4)),
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


@settings(max_examples=80)
@given(keras_conv_cases())
def test_conv2d_matches_keras_conv2d_with_the_same_weights(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.random((case["batch"], *case["size"], case["in_channels"]), dtype=np.float32)
    layer = keras.layers.Conv2D(
        case["filters"],
        case["kernel"],
        strides=case["stride"],
        padding=case["padding"],
        dilation_rate=case["dilation"],
        bias_initializer="random_normal",
    )
    expected = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    result = ops.conv2d(
        x, kernel, bias, stride=case["stride"], padding=case["padding"], dilation=case["dilation"]
    )
    assert result.dtype == np.float32
    assert result.shape == expected.shape
    assert np.max(np.abs(result - expected)) <= 1e-5


@settings(max_examples=30)
@given(
    top=st.integers(0, 3),
    bottom=st.integers(0, 3),
    left=st.integers(0, 3),
    right=st.integers(0, 3),
    stride=st.integers(1, 2),
    seed=st.integers(0, 2**31 - 1),
)
def test_explicit_padding_matches_keras_zero_padding_then_valid_conv(
    top, bottom, left, right, stride, seed
):
    rng = np.random.default_rng(seed)
    x = rng.random((2, 5, 6, 3), dtype=np.float32)
    kernel = rng.standard_normal((3, 2, 3, 4)).astype(np.float32) / 4
    padded = keras.layers.ZeroPadding2D(((top, bottom), (left, right)))(x)
    expected = keras.ops.convert_to_numpy(
        keras.ops.conv(padded, kernel, strides=stride, padding="valid")
    )
    result = ops.conv2d(x, kernel, stride=stride, padding=((top, bottom), (left, right)))
    assert np.max(np.abs(result - expected)) <= 1e-5


@settings(max_examples=40)
@given(
    size=st.tuples(st.integers(4, 9), st.integers(4, 9)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    seed=st.integers(0, 2**31 - 1),
)
def test_conv2d_matches_the_definition_with_stride_and_dilation_together(
    size, kernel, stride, dilation, padding, seed
):
    for n, k, d, p in zip(size, kernel, dilation, padding, strict=True):
        assume((k - 1) * d + 1 <= n + 2 * p)  # the kernel fits in the padded input
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, *size, 2))
    weights = rng.standard_normal((*kernel, 2, 3))
    bias = rng.standard_normal(3)
    pads = ((padding[0], padding[0]), (padding[1], padding[1]))
    result = ops.conv2d(x, weights, bias, stride=stride, padding=padding, dilation=dilation)
    expected = reference_conv2d(x, weights, bias, stride, pads, dilation)
    np.testing.assert_allclose(result, expected, atol=1e-12)


def test_full_padding_matches_scipy_full_cross_correlation():
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((5, 7)), rng.standard_normal((3, 2))
    result = ops.conv2d(image[None, :, :, None], kernel[:, :, None, None], padding="full")
    expected = scipy.signal.correlate2d(image, kernel, mode="full")
    np.testing.assert_allclose(result[0, :, :, 0], expected, atol=1e-12)


def test_conv2d_is_cross_correlation_not_flipped_convolution():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    result = ops.conv2d(image[None, :, :, None], kernel[:, :, None, None])[0, :, :, 0]
    np.testing.assert_allclose(result, scipy.signal.correlate2d(image, kernel, mode="valid"))
    flipped = scipy.signal.convolve2d(image, kernel, mode="valid")
    assert not np.allclose(result, flipped)


def test_worked_example_of_chapter_1():
    image = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], dtype=float)
    vertical = np.array([[1, -1], [1, -1]], dtype=float)
    horizontal = np.array([[-1, -1], [1, 1]], dtype=float)
    np.testing.assert_array_equal(ops.apply_kernel(image, vertical, "valid"), [[2, 0], [1, 0]])
    np.testing.assert_array_equal(ops.apply_kernel(image, horizontal, "valid"), [[0, 0], [1, 2]])


def test_multichannel_output_is_the_sum_of_per_channel_responses_plus_bias():
    rng = np.random.default_rng(1)
    x = rng.random((1, 6, 6, 3))
    kernel = rng.standard_normal((3, 3, 3, 1))
    per_channel = sum(
        scipy.signal.correlate2d(x[0, :, :, c], kernel[:, :, c, 0], mode="valid") for c in range(3)
    )
    result = ops.conv2d(x, kernel, bias=[0.5])[0, :, :, 0]
    np.testing.assert_allclose(result, per_channel + 0.5, atol=1e-12)


def test_integer_inputs_give_float64_and_float32_inputs_stay_float32():
    x = np.ones((1, 3, 3, 1), dtype=np.int64)
    assert ops.conv2d(x, np.ones((2, 2, 1, 1), dtype=np.int64)).dtype == np.float64
    assert ops.conv2d(x.astype(np.float32), np.ones((2, 2, 1, 1), np.float32)).dtype == np.float32


@settings(max_examples=30)
@given(
    shape=st.tuples(st.integers(3, 9), st.integers(3, 9)),
    channels=st.sampled_from([None, 1, 3]),
    kernel_size=st.sampled_from([1, 3, 5]),
    seed=st.integers(0, 2**31 - 1),
)
def test_apply_kernel_filters_each_channel_like_scipy_with_zero_border(
    shape, channels, kernel_size, seed
):
    rng = np.random.default_rng(seed)
    image = rng.random(shape if channels is None else (*shape, channels))
    kernel = rng.standard_normal((kernel_size, kernel_size))
    result = ops.apply_kernel(image, kernel)
    assert result.shape == image.shape
    planes = image[..., None] if channels is None else image
    for c in range(planes.shape[-1]):
        expected = scipy.ndimage.correlate(planes[..., c], kernel, mode="constant")
        got = result if channels is None else result[..., c]
        np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"x": np.ones((3, 3, 1))}, "x must have 4 dimensions"),
        ({"kernel": np.ones((2, 2, 1))}, "kernel must have 4 dimensions"),
        ({"kernel": np.ones((2, 2, 2, 1))}, "kernel: expected 1 input channels"),
        ({"kernel": np.ones((5, 5, 1, 1))}, "kernel: the dilated kernel spans 5"),
        ({"dilation": 3}, "kernel: the dilated kernel spans 4"),
        ({"stride": 0}, "stride must be an integer >= 1"),
        ({"stride": (1, 2, 3)}, "stride must be an integer >= 1"),
        ({"dilation": 0}, "dilation must be an integer >= 1"),
        ({"stride": 1.5}, "stride must be an integer >= 1"),
        ({"padding": "smae"}, "padding must be one of"),
        ({"padding": -1}, "padding must be an integer >= 0"),
        ({"padding": (1, 2, 3)}, "padding must be"),
        ({"padding": ((1, -1), (0, 0))}, "padding \\(after\\) must be an integer >= 0"),
        ({"bias": np.ones(3)}, "bias must have shape \\(1,\\)"),
        ({"x": np.full((1, 3, 3, 1), "a")}, "x must hold numbers"),
        ({"x": np.ones((1, 3, 3, 1), complex)}, "x must hold real numbers"),
        ({"x": np.ones((1, 0, 3, 1))}, "must not have empty axes"),
    ],
)
def test_conv2d_rejects_bad_input_naming_the_argument(kwargs, argument):
    arguments = {"x": np.ones((1, 3, 3, 1)), "kernel": np.ones((2, 2, 1, 1))} | kwargs
    x, kernel = arguments.pop("x"), arguments.pop("kernel")
    with pytest.raises(ValueError, match=argument):
        ops.conv2d(x, kernel, **arguments)


@pytest.mark.parametrize(
    ("image", "kernel", "message"),
    [
        (np.ones(4), np.ones((3, 3)), "image must be"),
        (np.ones((2, 4, 4, 1)), np.ones((3, 3)), "image must be"),
        (np.ones((4, 4)), np.ones((3, 3, 1)), "kernel must have 2 dimensions"),
    ],
)
def test_apply_kernel_rejects_bad_input(image, kernel, message):
    with pytest.raises(ValueError, match=message):
        ops.apply_kernel(image, kernel)
