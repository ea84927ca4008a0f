"""cnnlib.arithmetic: output sizes and the padding Keras applies, checked against real layers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import arithmetic


def keras_output_length(n, kernel, stride, padding, dilation):
    """Run a real Conv2D over a (1, n, 1, 1) input and read the length of its output."""
    layer = keras.layers.Conv2D(
        1, (kernel, 1), strides=(stride, 1), padding=padding, dilation_rate=(dilation, 1)
    )
    return layer(np.zeros((1, n, 1, 1), np.float32)).shape[1]


GRID = [
    (n, k, s, d, padding)
    for n in range(1, 10)
    for k in (1, 2, 3, 5)
    for s, d in ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3))
    for padding in ("valid", "same")
    if padding == "same" or (k - 1) * d + 1 <= n
]


@pytest.mark.parametrize(("n", "kernel", "stride", "dilation", "padding"), GRID)
def test_conv_output_size_matches_keras_on_a_grid(n, kernel, stride, dilation, padding):
    expected = keras_output_length(n, kernel, stride, padding, dilation)
    assert arithmetic.conv_output_size(n, kernel, stride, padding, dilation) == expected


@settings(max_examples=40)
@given(
    n=st.integers(1, 64),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    padding=st.sampled_from(["valid", "same"]),
)
def test_conv_output_size_matches_keras_on_random_cases(n, kernel, stride, padding):
    if padding == "valid" and kernel > n:
        with pytest.raises(ValueError, match="kernel"):
            arithmetic.conv_output_size(n, kernel, stride, padding)
        return
    expected = keras_output_length(n, kernel, stride, padding, 1)
    assert arithmetic.conv_output_size(n, kernel, stride, padding) == expected


def test_same_padding_is_asymmetric_for_stride_2():
    # A kernel that copies its top-left tap shows where Keras's windows start: with one row of
    # padding at the top the first output would be a padded zero; with none it is x[0].
    x = np.arange(1, 7, dtype=np.float32).reshape(1, 6, 1, 1)
    top_left = np.zeros((3, 1, 1, 1), np.float32)
    top_left[0] = 1
    out = keras.ops.convert_to_numpy(keras.ops.conv(x, top_left, strides=2, padding="same"))
    assert arithmetic.same_padding(6, kernel=3, stride=2) == (0, 1)
    assert out[0, :, 0, 0].tolist() == [1.0, 3.0, 5.0]  # no padding before: starts at x[0]


def test_same_padding_puts_the_extra_pixel_after():
    assert arithmetic.same_padding(5, kernel=4, stride=1) == (1, 2)
    assert arithmetic.same_padding(5, kernel=3, stride=1) == (1, 1)
    assert arithmetic.same_padding(7, kernel=3, stride=1, dilation=2) == (2, 2)


def test_full_padding_gives_n_plus_k_minus_1_outputs():
    assert arithmetic.conv_output_size(5, kernel=3, padding="full") == 7
    assert arithmetic.resolve_padding(5, kernel=3, padding="full", dilation=2) == (4, 4)


def test_explicit_padding_forms():
    assert arithmetic.resolve_padding(5, 3, padding=2) == (2, 2)
    assert arithmetic.resolve_padding(5, 3, padding=(0, 1)) == (0, 1)
    assert arithmetic.conv_output_size(5, 3, stride=2, padding=(0, 1)) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be an integer >= 1"),
        ({"n": 2.5}, "n must be an integer >= 1"),
        ({"kernel": 0}, "kernel must be an integer >= 1"),
        ({"stride": 0}, "stride must be an integer >= 1"),
        ({"dilation": 0}, "dilation must be an integer >= 1"),
        ({"padding": "SAME"}, "padding must be one of"),
        ({"padding": -2}, "padding must be an integer >= 0"),
        ({"kernel": 7}, "kernel: the dilated kernel spans 7"),
        ({"n": True}, "n must be an integer"),
    ],
)
def test_conv_output_size_rejects_bad_input(kwargs, message):
    arguments = {"n": 5, "kernel": 3} | kwargs
    with pytest.raises(ValueError, match=message):
        arithmetic.conv_output_size(**arguments)


def test_effective_kernel_size():
    assert [arithmetic.effective_kernel_size(3, d) for d in (1, 2, 3)] == [3, 5, 7]
    assert np.all([arithmetic.effective_kernel_size(1, d) == 1 for d in range(1, 5)])
