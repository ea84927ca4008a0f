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
        expected = 0
    if expected == 0:  # refused, or (with oneDNN's kernels) an empty output
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


# Where a layer's cells sit: receptive-field centres and maps placed at them ------------------


def test_chapter6s_valid_stack_puts_conv4s_cells_well_inside_the_image():
    # Chapter 6's cats model: four 3x3 `valid` convolutions, each followed by 2x2 pooling.
    # conv4's cell i reads input pixels 8i .. 8i + 37, so its centre is 18.5 + 8i: 29% to 66%
    # of the 64 pixels, not the 12.5% to 87.5% at which a stretch over the image puts them.
    stack = []
    for index in range(1, 5):
        stack.append(arithmetic.LayerGeometry(f"conv{index}", 3))
        if index < 4:
            stack.append(arithmetic.LayerGeometry(f"pool{index}", 2, 2))
    centres = arithmetic.receptive_field_centres(stack, 64)
    assert centres.tolist() == [18.5, 26.5, 34.5, 42.5]
    stretched = (np.arange(4) + 0.5) * 64 / 4 - 0.5  # where a bilinear stretch puts them
    # the stretch puts the outer cells 11 and 13 px (a sixth of the image) from where they read
    assert (centres - stretched)[[0, -1]].tolist() == [11.0, -13.0]
    assert (centres[-1] - centres[0]) / (stretched[-1] - stretched[0]) == 0.5


def gradient_supports(model, shape, axis):
    """For each output row (axis 0) or column (axis 1) of a one-channel ``model``, the first and
    last input row (column) with a non-zero gradient of the sum of that output row (column),
    measured with tf.GradientTape on an input of ones."""
    import tensorflow as tf

    count = model(np.zeros((1, *shape, 1), "float32")).shape[1 + axis]
    x = tf.ones((count, *shape, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x)[..., 0]  # (count, out_h, out_w)
        lines = out if axis == 0 else tf.transpose(out, (0, 2, 1))
        # Example r of the batch contributes only its own output row (column) r.
        total = tf.reduce_sum(lines * tf.one_hot(tf.range(count), count)[:, :, None])
    gradient = tape.gradient(total, x).numpy()[..., 0]  # (count, h, w)
    touched = np.abs(gradient).sum(axis=2 - axis) > 0  # (count, h or w)
    return [(np.flatnonzero(t)[0], np.flatnonzero(t)[-1]) for t in touched]


def measured_centres(supports, whole_width):
    """Each output position's receptive-field centre, from gradient supports alone. With no
    holes in a field, a support is one run of pixels, narrower than ``whole_width`` (measured
    in the middle of a far larger input) when padding cuts it: at the image's border, or inside
    when a `same` layer follows `valid` ones. The middles of the whole supports are centres;
    the others lie on the straight line through those (a layer moves its window by the same
    step from one position to the next). ``None`` when no support is whole."""
    whole = [
        (i, (first + last) / 2)
        for i, (first, last) in enumerate(supports)
        if last - first == whole_width
    ]
    if len(whole) <= 1:
        return dict(whole) or None
    (i0, c0), (i1, c1) = whole[0], whole[-1]
    step = (c1 - c0) / (i1 - i0)
    assert all(np.isclose(c, c0 + (i - i0) * step) for i, c in whole)  # evenly spaced
    return {i: c0 + (i - i0) * step for i in range(len(supports))}


@st.composite
def keras_window_stacks(draw):
    """Convolutions and poolings with per-axis kernels and strides, `valid` or `same`; a stride
    never exceeds its window, so a field has no holes and its support is one run of pixels."""
    specs = []
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "pool"]))
        low = 1 if kind == "conv" else 2
        window = (draw(st.integers(low, 5)), draw(st.integers(low, 5)))
        stride = tuple(draw(st.integers(1, min(w, 2))) for w in window)
        specs.append(
            (f"{kind}{index}", kind, window, stride, draw(st.sampled_from(["valid", "same"])))
        )
    return specs


def window_model(specs, shape, measuring):
    """The stack as a Keras model: with random convolutions and max pooling for cell_centres,
    or, for measuring, with convolutions of ones and average pooling (a max sends its gradient
    to one pixel, an average to the whole window it sees)."""
    layers = [keras.layers.Rescaling(1 / 255, name="rescale")] if not measuring else []
    for name, kind, window, stride, padding in specs:
        if kind == "conv":
            initializer = "ones" if measuring else "glorot_uniform"
            activation = None if measuring else "relu"
            layers.append(
                keras.layers.Conv2D(
                    1,
                    window,
                    strides=stride,
                    padding=padding,
                    name=name,
                    kernel_initializer=initializer,
                    use_bias=False,
                    activation=activation,
                )
            )
        else:
            pool = keras.layers.AveragePooling2D if measuring else keras.layers.MaxPooling2D
            layers.append(pool(window, strides=stride, padding=padding, name=name))
    return keras.Sequential([keras.Input((*shape, 1)), *layers])


@settings(max_examples=30, deadline=None)
@given(specs=keras_window_stacks(), shape=st.tuples(st.integers(30, 48), st.integers(30, 48)))
def test_a_one_hot_map_peaks_at_its_cells_measured_receptive_field_centre(specs, shape):
    from hypothesis import reject

    try:
        model = window_model(specs, shape, measuring=False)
        measuring = window_model(specs, shape, measuring=True)
    except ValueError:  # a `valid` stack too deep for this input
        reject()
    out_h, out_w = model.layers[-1].output.shape[1:3]
    if out_h < 1 or out_w < 1:
        reject()
    big_shape = (3 * shape[0], 3 * shape[1])
    big = window_model(specs, big_shape, measuring=True)
    expected = []
    for axis in (0, 1):
        whole_width = max(last - first for first, last in gradient_supports(big, big_shape, axis))
        supports = gradient_supports(measuring, shape, axis)
        assert max(last - first for first, last in supports) <= whole_width
        expected.append(measured_centres(supports, whole_width))
    if expected[0] is None or expected[1] is None:
        reject()
    centres = arithmetic.cell_centres(model, specs[-1][0])
    assert (len(centres.rows), len(centres.cols)) == (out_h, out_w)
    # One map per cell, hot at that cell only, drawn on a picture of the input's size.
    cells = out_h * out_w
    maps = np.eye(cells).reshape(cells, out_h, out_w)
    placed = arithmetic.place_maps(maps, centres, shape, outside="fade")
    peaks = np.unravel_index(placed.reshape(cells, -1).argmax(axis=1), shape)
    checked = 0
    for cell in range(cells):
        indices = np.unravel_index(cell, (out_h, out_w))
        wanted = [expected[axis].get(index) for axis, index in enumerate(indices)]
        # A centre beyond the picture (an even `same` kernel's field at the far border) cannot
        # be drawn at; every other cell must peak at its measured centre.
        if any(c is None or not 0 <= c <= shape[axis] - 1 for axis, c in enumerate(wanted)):
            continue
        for axis, centre in enumerate(wanted):
            assert abs(peaks[axis][cell] - centre) <= 0.5
        checked += 1
    assert checked >= 1


def test_dilated_and_strided_same_stacks_place_their_middle_cell_at_the_measured_centre():
    def stack(measuring):
        ones = {"kernel_initializer": "ones", "use_bias": False} if measuring else {}
        pool = keras.layers.AveragePooling2D if measuring else keras.layers.MaxPooling2D
        return keras.Sequential(
            [
                keras.Input((41, 37, 1)),
                keras.layers.Conv2D(1, 3, strides=(2, 1), padding="same", name="a", **ones),
                pool((2, 3), strides=(2, 1), padding="same", name="b"),
                keras.layers.Conv2D(
                    1, (3, 2), dilation_rate=(2, 3), padding="same", name="c", **ones
                ),
            ]
        )

    centres = arithmetic.cell_centres(stack(measuring=False), "c")
    for axis, along in enumerate((centres.rows, centres.cols)):
        supports = gradient_supports(stack(measuring=True), (41, 37), axis)
        middle = len(supports) // 2
        first, last = supports[middle]
        assert first > 0 and last < (41, 37)[axis] - 1  # the middle cell's field is inside
        assert along[middle] == (first + last) / 2


def test_place_maps_clamps_or_fades_beyond_the_outermost_centres():
    centres = arithmetic.CellCentres([18.5, 26.5, 34.5, 42.5], [18.5, 26.5, 34.5, 42.5], 8, 64)
    maps = np.random.default_rng(0).random((2, 4, 4))
    clamped = arithmetic.place_maps(maps, centres, 64)
    faded = arithmetic.place_maps(maps, centres, 64, outside="fade")
    inside = slice(19, 43)  # the pixels between the outermost centres
    np.testing.assert_allclose(clamped[:, inside, inside], faded[:, inside, inside])
    np.testing.assert_allclose(clamped[:, :18, 19], clamped[:, :1, 19].repeat(18, axis=1))
    assert np.all(faded[:, :11] == 0) and np.all(faded[:, 51:] == 0)  # one jump further out
    assert np.all(faded[:, 11:18, 19] > 0)
    # On a 32-pixel picture, pixels 9, 13, 17 and 21 lie exactly on the centres.
    small = arithmetic.place_maps(maps, centres, 32)
    np.testing.assert_allclose(small[:, 9:22:4, 9:22:4], maps)
    # A picture at another size shows the same places: the peaks move with scaled_to.
    big = arithmetic.place_maps(np.eye(16).reshape(16, 4, 4), centres, (300, 300), outside="fade")
    rows, cols = np.unravel_index(big.reshape(16, -1).argmax(axis=1), (300, 300))
    scaled_rows, scaled_cols = centres.scaled_to(300)
    assert np.all(np.abs(rows - scaled_rows.repeat(4)) <= 0.5)
    assert np.all(np.abs(cols - np.tile(scaled_cols, 4)) <= 0.5)


def test_cell_centres_of_a_layer_before_any_window_are_the_pixels():
    model = keras.Sequential([keras.Input((5, 7, 3)), keras.layers.Rescaling(2.0, name="r")])
    centres = arithmetic.cell_centres(model, "r")
    assert centres.rows.tolist() == list(range(5)) and centres.cols.tolist() == list(range(7))


def _branched():
    x = keras.Input((16, 16, 1))
    a = keras.layers.Conv2D(2, 3, padding="same", name="a")(x)
    b = keras.layers.Conv2D(2, 3, padding="same", name="b")(x)
    return keras.Model(x, keras.layers.Add(name="add")([a, b]))


@pytest.mark.parametrize(
    ("build", "layer_name", "message"),
    [
        (
            lambda: keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(1, 3, name="c")]),
            "d",
            "layer_name",
        ),
        (
            lambda: keras.Sequential(
                [
                    keras.Input((8, 8, 1)),
                    keras.layers.UpSampling2D(name="u"),
                    keras.layers.Conv2D(1, 3, name="c"),
                ]
            ),
            "c",
            "turns 8x8",
        ),
        (
            lambda: keras.Sequential(
                [
                    keras.Input((8, 8, 1)),
                    keras.layers.Conv2DTranspose(1, 3, strides=2, name="t"),
                    keras.layers.Conv2D(1, 3, name="c"),
                ]
            ),
            "c",
            "turns 8x8",
        ),
        (
            lambda: keras.Sequential(
                [
                    keras.Input((8, 8, 1)),
                    keras.layers.Flatten(name="f"),
                    keras.layers.Dense(3, name="d"),
                ]
            ),
            "d",
            "maps",
        ),
        (_branched, "add", "chain"),
        (
            lambda: keras.Sequential(
                [keras.Input((None, 8, 1)), keras.layers.Conv2D(1, 3, name="c")]
            ),
            "c",
            "known sizes",
        ),
        (lambda: "model", "c", "model"),
    ],
)
def test_cell_centres_rejects_what_it_cannot_follow(build, layer_name, message):
    with pytest.raises(ValueError, match=message):
        arithmetic.cell_centres(build(), layer_name)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: arithmetic.CellCentres([], [1.0], 1, 4), "rows"),
        (lambda: arithmetic.CellCentres([2.0, 1.0], [1.0], 1, 4), "increase"),
        (lambda: arithmetic.CellCentres([1.0], [np.nan], 1, 4), "cols"),
        (lambda: arithmetic.CellCentres([1.0], [1.0], 0, 4), "jump"),
        (lambda: arithmetic.CellCentres([1.0], [1.0], 1, (4, 0)), "input_shape"),
        (lambda: arithmetic.place_maps(np.zeros((1, 2, 2)), "centres", 8), "centres"),
        (lambda: arithmetic.place_maps(np.zeros((1, 2, 3)), _two_by_two(), 8), "maps"),
        (lambda: arithmetic.place_maps(np.zeros((2, 2)), _two_by_two(), 8), "maps"),
        (lambda: arithmetic.place_maps(np.zeros((1, 2, 2)), _two_by_two(), 0), "size"),
        (
            lambda: arithmetic.place_maps(np.zeros((1, 2, 2)), _two_by_two(), 8, outside="x"),
            "outside",
        ),
        (
            lambda: arithmetic.receptive_field_centres([arithmetic.LayerGeometry("c", 3)], 0),
            "input_size",
        ),
    ],
)
def test_placement_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _two_by_two():
    return arithmetic.CellCentres([1.5, 5.5], [1.5, 5.5], 4, (8, 8))
