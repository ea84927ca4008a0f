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


# Pooling --------------------------------------------------------------------------------------

POOL_GRID = [
    (n, pool, stride, padding, layer)
    for n in range(1, 11)
    for pool in (1, 2, 3)
    for stride in (None, 1, 2, 3)
    for padding in ("valid", "same")
    for layer in ("MaxPooling2D", "AveragePooling2D")
    if padding == "same" or pool <= n
]


@pytest.mark.parametrize(("n", "pool", "stride", "padding", "layer"), POOL_GRID)
def test_pool_output_size_matches_keras_on_a_grid(n, pool, stride, padding, layer):
    pooling = getattr(keras.layers, layer)((pool, 1), strides=stride, padding=padding)
    expected = pooling(np.zeros((1, n, 1, 1), np.float32)).shape[1]
    assert arithmetic.pool_output_size(n, pool, stride, padding) == expected


@settings(max_examples=30)
@given(
    n=st.integers(1, 50),
    pool=st.integers(1, 5),
    stride=st.one_of(st.none(), st.integers(1, 5)),
    padding=st.sampled_from(["valid", "same"]),
)
def test_pool_output_size_matches_keras_on_random_cases(n, pool, stride, padding):
    if padding == "valid" and pool > n:
        with pytest.raises(ValueError, match="kernel"):
            arithmetic.pool_output_size(n, pool, stride, padding)
        return
    layer = keras.layers.MaxPooling2D((pool, 1), strides=stride, padding=padding)
    expected = layer(np.zeros((1, n, 1, 1), np.float32)).shape[1]
    assert arithmetic.pool_output_size(n, pool, stride, padding) == expected


# Transposed convolution ----------------------------------------------------------------------


def keras_transpose_length(n, kernel, stride, padding, output_padding, dilation=1):
    layer = keras.layers.Conv2DTranspose(
        1,
        (kernel, 1),
        strides=(stride, 1),
        padding=padding,
        output_padding=None if output_padding is None else (output_padding, 0),
        dilation_rate=(dilation, 1),
    )
    return layer(np.zeros((1, n, 1, 1), np.float32)).shape[1]


TRANSPOSE_GRID = [
    (n, kernel, stride, padding, extra)
    for n in (1, 2, 3, 4, 7)
    for kernel in (1, 2, 3, 4, 5)
    for stride in (1, 2, 3)
    for padding in ("valid", "same")
    for extra in (None, *range(stride))
]


@pytest.mark.parametrize(("n", "kernel", "stride", "padding", "extra"), TRANSPOSE_GRID)
def test_conv_transpose_output_size_matches_keras_on_a_grid(n, kernel, stride, padding, extra):
    try:
        expected = keras_transpose_length(n, kernel, stride, padding, extra)
    except Exception:  # Keras refuses a few combinations that would give no output at all
        with pytest.raises(ValueError, match="output_padding"):
            arithmetic.conv_transpose_output_size(n, kernel, stride, padding, extra)
        return
    assert arithmetic.conv_transpose_output_size(n, kernel, stride, padding, extra) == expected


@settings(max_examples=25)
@given(
    n=st.integers(1, 20),
    kernel=st.integers(1, 5),
    dilation=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same"]),
)
def test_conv_transpose_output_size_with_dilation_matches_keras(n, kernel, dilation, padding):
    # TensorFlow's CPU kernels refuse dilated transposed convolutions, so ask Keras for the
    # shape symbolically, without running the layer.
    layer = keras.layers.Conv2DTranspose(
        1, (kernel, 1), padding=padding, dilation_rate=(dilation, 1)
    )
    expected = layer.compute_output_shape((1, n, 1, 1))[1]
    assert arithmetic.conv_transpose_output_size(n, kernel, 1, padding, None, dilation) == expected


def test_transposed_convolution_undoes_the_shape_of_a_strided_convolution():
    for n in range(3, 30):
        forward = arithmetic.conv_output_size(n, 3, 2, "same")
        back = arithmetic.conv_transpose_output_size(forward, 3, 2, "same")
        assert back in (n, n + 1)  # 2 * ceil(n / 2): n itself when n is even


# Parameters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "in_channels", "filters", "use_bias"),
    [(3, 1, 32, True), ((3, 3), 32, 64, True), ((5, 2), 3, 7, False), (1, 16, 4, True)],
)
def test_conv_params_matches_keras(kernel, in_channels, filters, use_bias):
    layer = keras.layers.Conv2D(filters, kernel, use_bias=use_bias)
    layer.build((None, 9, 9, in_channels))
    assert arithmetic.conv_params(kernel, in_channels, filters, use_bias) == layer.count_params()


@pytest.mark.parametrize(
    ("inputs", "units", "use_bias"), [(576, 64, True), (64, 10, True), (7, 3, False)]
)
def test_dense_params_matches_keras(inputs, units, use_bias):
    layer = keras.layers.Dense(units, use_bias=use_bias)
    layer.build((None, inputs))
    assert arithmetic.dense_params(inputs, units, use_bias) == layer.count_params()


# Receptive field -----------------------------------------------------------------------------


def measured_receptive_field(layers, n, position):
    """The input rows with a non-zero gradient for output row ``position``, measured with TF.

    All weights and inputs are positive, so no gradient cancels; max pooling is replaced by
    average pooling of the same window (a max sends its gradient to one pixel only, but it
    sees the whole window). Returns the first and last such input row.
    """
    import tensorflow as tf

    model_layers = []
    for layer in layers:
        if layer.name.startswith("conv"):
            model_layers.append(
                keras.layers.Conv2D(
                    1,
                    (layer.kernel, 1),
                    strides=(layer.stride, 1),
                    padding=layer.padding,
                    dilation_rate=(layer.dilation, 1),
                    kernel_initializer="ones",
                )
            )
        else:
            model_layers.append(
                keras.layers.AveragePooling2D(
                    (layer.kernel, 1), strides=(layer.stride, 1), padding=layer.padding
                )
            )
    model = keras.Sequential([keras.Input((n, 1, 1)), *model_layers])
    x = tf.ones((1, n, 1, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x)[0, position, 0, 0]
    rows = np.flatnonzero(tape.gradient(out, x).numpy()[0, :, 0, 0])
    return rows[0], rows[-1]


@st.composite
def layer_stacks(draw):
    layers = []
    for index in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            stride, dilation = (draw(st.integers(1, 2)), 1) if draw(st.booleans()) else (1, 2)
            layers.append(
                arithmetic.LayerGeometry(
                    f"conv{index}",
                    draw(st.integers(1, 4)),
                    stride,
                    draw(st.sampled_from(["valid", "same"])),
                    dilation,
                )
            )
        else:
            pool = draw(st.integers(2, 3))
            layers.append(
                arithmetic.LayerGeometry(
                    f"pool{index}",
                    pool,
                    draw(st.integers(1, pool)),
                    draw(st.sampled_from(["valid", "same"])),
                )
            )
    return layers


@settings(max_examples=25)
@given(layers=layer_stacks(), n=st.integers(24, 40), data=st.data())
def test_receptive_field_matches_a_gradient_measurement(layers, n, data):
    rows = arithmetic.receptive_field(layers, input_size=n)
    last = rows[-1]
    assert last.output_size is not None
    position = data.draw(st.integers(0, last.output_size - 1))
    first, final = measured_receptive_field(layers, n, position)
    start = last.start + position * last.jump
    end = start + last.size - 1
    # Every measured row lies in the field; its two ends are always taps (the chain of every
    # layer's first, or last, tap), so they are measured unless they fall into the padding.
    # Dilation leaves holes inside, which is why only the ends are compared.
    assert max(start, 0) <= first <= final <= min(end, n - 1)
    if start >= 0:
        assert first == start
    if end <= n - 1:
        assert final == end


def test_receptive_field_of_conv_pool_conv():
    stack = [
        arithmetic.LayerGeometry("conv1", 3),
        arithmetic.LayerGeometry("pool1", 2, 2),
        arithmetic.LayerGeometry("conv2", 3),
    ]
    rows = arithmetic.receptive_field(stack, input_size=28)
    assert [(r.size, r.jump, r.start, r.output_size) for r in rows] == [
        (3, 1, 0, 26),
        (4, 2, 0, 13),
        (8, 2, 0, 11),
    ]


def test_receptive_field_reads_keras_layers_and_same_padding_moves_the_start():
    layers = [
        keras.layers.Conv2D(8, 3, padding="same", name="conv1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(8, (5, 3), dilation_rate=2, padding="same", name="conv2"),
    ]
    rows = arithmetic.receptive_field(layers, input_size=32)
    assert [r.name for r in rows] == ["conv1", "pool1", "conv2"]
    assert [(r.size, r.jump, r.start) for r in rows] == [(3, 1, -1), (4, 2, -1), (20, 2, -9)]
    width = arithmetic.receptive_field(layers, input_size=32, axis=1)
    assert width[-1].size == 4 + 4 * 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: arithmetic.pool_output_size(4, 0), "pool_size"),
        (lambda: arithmetic.pool_output_size(4, 2, stride=0), "stride"),
        (lambda: arithmetic.pool_output_size(4, 2, padding="full!"), "padding"),
        (lambda: arithmetic.conv_transpose_output_size(0, 3), "n"),
        (lambda: arithmetic.conv_transpose_output_size(4, 3, padding="full"), "padding"),
        (
            lambda: arithmetic.conv_transpose_output_size(4, 3, 2, output_padding=2),
            "output_padding",
        ),
        (
            lambda: arithmetic.conv_transpose_output_size(4, 3, 2, output_padding=-1),
            "output_padding",
        ),
        (lambda: arithmetic.conv_params(0, 1, 1), "kernel"),
        (lambda: arithmetic.conv_params(3, 0, 1), "in_channels"),
        (lambda: arithmetic.conv_params(3, 1, 2.5), "filters"),
        (lambda: arithmetic.dense_params(-1, 3), "inputs"),
        (lambda: arithmetic.dense_params(3, 0), "units"),
        (lambda: arithmetic.receptive_field([]), "layers"),
        (lambda: arithmetic.receptive_field("conv"), "layers"),
        (lambda: arithmetic.receptive_field([keras.layers.Dense(3)]), "layer"),
        (
            lambda: arithmetic.receptive_field([arithmetic.LayerGeometry("c", 3, padding="same")]),
            "input_size",
        ),
        (lambda: arithmetic.receptive_field([arithmetic.LayerGeometry("c", 3)], 0), "input_size"),
        (lambda: arithmetic.receptive_field([arithmetic.LayerGeometry("c", 3)], 2), "kernel"),
        (lambda: arithmetic.receptive_field([keras.layers.MaxPooling2D(2)], 8, axis=2), "axis"),
        (lambda: arithmetic.LayerGeometry("c", 0), "kernel"),
        (lambda: arithmetic.LayerGeometry("c", 3, stride=0), "stride"),
        (lambda: arithmetic.LayerGeometry("c", 3, padding="middle"), "padding"),
    ],
)
def test_new_arithmetic_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
