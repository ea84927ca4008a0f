"""Convolution arithmetic: output sizes, the padding Keras applies, receptive fields, parameters,
and where a layer's cells sit on the input (to draw a map where its cells look).

The size functions work on one spatial axis at a time (a height or a width), so non-square
inputs and kernels are handled by calling a function once per axis. Every answer is checked in
the tests against the shapes that real Keras layers produce.

>>> conv_output_size(5, kernel=3, stride=2, padding="same")
3
>>> same_padding(5, kernel=3, stride=2)
(1, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cnnlib._validate import integer, integer_pair

#: A padding specification for one axis: a mode, one amount for both sides, or (before, after).
Padding = str | int | tuple[int, int]

PADDING_MODES = ("valid", "same", "full")


def effective_kernel_size(kernel: int, dilation: int = 1) -> int:
    """The span of a dilated kernel: ``(kernel - 1) * dilation + 1``.

    >>> effective_kernel_size(3, dilation=2)
    5
    """
    kernel = integer(kernel, "kernel", 1)
    dilation = integer(dilation, "dilation", 1)
    return (kernel - 1) * dilation + 1


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """The (before, after) zero padding that Keras/TensorFlow apply for ``padding="same"``.

    The output has ``ceil(n / stride)`` positions; the padding needed for that is split with the
    smaller half before and the larger half after, so with an odd total Keras pads one more row
    at the bottom (or column at the right) than at the top (left).

    >>> same_padding(6, kernel=3, stride=2)
    (0, 1)
    """
    n = integer(n, "n", 1)
    stride = integer(stride, "stride", 1)
    span = effective_kernel_size(kernel, dilation)
    outputs = -(-n // stride)  # ceil(n / stride)
    total = max((outputs - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def resolve_padding(
    n: int, kernel: int, stride: int = 1, padding: Padding = "valid", dilation: int = 1
) -> tuple[int, int]:
    """Turn any padding specification into the (before, after) amounts for one axis.

    ``padding`` is ``"valid"`` (none), ``"same"`` (as Keras), ``"full"`` (every position where
    the kernel overlaps the input by at least one pixel), an integer for both sides, or an
    explicit ``(before, after)`` pair.

    >>> resolve_padding(5, kernel=3, padding="full")
    (2, 2)
    >>> resolve_padding(5, kernel=3, padding=(0, 1))
    (0, 1)
    """
    n = integer(n, "n", 1)
    span = effective_kernel_size(kernel, dilation)
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            return same_padding(n, kernel, stride, dilation)
        if padding == "full":
            return span - 1, span - 1
        raise ValueError(
            f"padding must be one of {PADDING_MODES}, an integer >= 0 or a (before, after) "
            f"pair, got {padding!r}"
        )
    if isinstance(padding, tuple) and len(padding) == 2:
        return (
            integer(padding[0], "padding (before)", 0),
            integer(padding[1], "padding (after)", 0),
        )
    amount = integer(padding, "padding", 0)
    return amount, amount


def conv_output_size(
    n: int, kernel: int, stride: int = 1, padding: Padding = "valid", dilation: int = 1
) -> int:
    """Number of output positions of a convolution along one axis.

    ``floor((n + before + after - span) / stride) + 1``, where ``span`` is the dilated kernel
    size. Raises ``ValueError`` when the kernel does not fit in the padded input.

    >>> conv_output_size(28, kernel=3)
    26
    >>> conv_output_size(7, kernel=3, dilation=2)
    3
    """
    stride = integer(stride, "stride", 1)
    before, after = resolve_padding(n, kernel, stride, padding, dilation)
    span = effective_kernel_size(kernel, dilation)
    padded = n + before + after
    if span > padded:
        raise ValueError(
            f"kernel: the dilated kernel spans {span} pixels, more than the {padded} pixels of "
            f"the padded input (n={n}, padding={padding!r}, dilation={dilation})"
        )
    return (padded - span) // stride + 1


def pool_output_size(
    n: int, pool_size: int, stride: int | None = None, padding: Padding = "valid"
) -> int:
    """Number of output positions of a pooling window along one axis.

    Pooling slides a window like a convolution, so the formula is :func:`conv_output_size`'s;
    the only difference is that ``stride`` defaults to ``pool_size`` (non-overlapping windows),
    as in ``keras.layers.MaxPooling2D``.

    >>> pool_output_size(28, 2)
    14
    >>> pool_output_size(7, 2), pool_output_size(7, 2, padding="same")
    (3, 4)
    >>> pool_output_size(13, 3, stride=2)
    6
    """
    pool_size = integer(pool_size, "pool_size", 1)
    stride = pool_size if stride is None else integer(stride, "stride", 1)
    return conv_output_size(n, pool_size, stride, padding)


def conv_transpose_output_size(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: str = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int:
    """Output length of a transposed convolution, as ``keras.layers.Conv2DTranspose`` computes it.

    A transposed convolution maps ``n`` positions back to the input length of the forward
    convolution it undoes. Several input lengths give the same forward output (with stride 2,
    both 7 and 8 give 4), so the answer is ambiguous; Keras picks
    ``n * stride + max(span - stride, 0)`` for ``"valid"`` and ``n * stride`` for ``"same"``,
    and ``output_padding`` (smaller than ``stride``) chooses another one explicitly:
    ``(n - 1) * stride + span - 2 * pad + output_padding`` with ``pad`` 0 for ``"valid"`` and
    ``span // 2`` for ``"same"``.

    >>> conv_transpose_output_size(4, kernel=3, stride=2, padding="same")
    8
    >>> conv_transpose_output_size(4, kernel=3, stride=2, padding="same", output_padding=0)
    7
    >>> conv_transpose_output_size(7, kernel=3, stride=2)
    15
    """
    n = integer(n, "n", 1)
    stride = integer(stride, "stride", 1)
    span = effective_kernel_size(kernel, dilation)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if output_padding is None:
        if padding == "valid":
            return n * stride + max(span - stride, 0)
        return n * stride
    output_padding = integer(output_padding, "output_padding", 0)
    if output_padding >= stride:
        raise ValueError(
            f"output_padding must be smaller than stride ({stride}), got {output_padding}"
        )
    pad = 0 if padding == "valid" else span // 2
    length = (n - 1) * stride + span - 2 * pad + output_padding
    # The result must be a length from which the forward convolution gives back n positions;
    # with "same" and an even kernel it is not always, and TensorFlow refuses those cases.
    if length < 1 or (padding == "same" and -(-length // stride) != n):
        raise ValueError(
            f"output_padding: it gives an output of {length} positions, from which a {padding!r} "
            f"convolution would not give back n={n} (kernel={kernel}, stride={stride}, "
            f"dilation={dilation}); Keras refuses it too"
        )
    return length


def conv_params(
    kernel: int | tuple[int, int], in_channels: int, filters: int, use_bias: bool = True
) -> int:
    """Trainable parameters of a ``Conv2D`` layer: ``(kh * kw * in_channels + 1) * filters``.

    Each of the ``filters`` filters has one weight per kernel tap and input channel, plus one
    bias. The count does not depend on the size of the image.

    >>> conv_params(3, in_channels=1, filters=32)
    320
    >>> conv_params((3, 3), in_channels=32, filters=64)
    18496
    """
    kernel_h, kernel_w = integer_pair(kernel, "kernel")
    in_channels = integer(in_channels, "in_channels", 1)
    filters = integer(filters, "filters", 1)
    return (kernel_h * kernel_w * in_channels + int(bool(use_bias))) * filters


def dense_params(inputs: int, units: int, use_bias: bool = True) -> int:
    """Trainable parameters of a ``Dense`` layer: ``(inputs + 1) * units``.

    >>> dense_params(576, 64)
    36928
    """
    inputs = integer(inputs, "inputs", 1)
    units = integer(units, "units", 1)
    return (inputs + int(bool(use_bias))) * units


@dataclass(frozen=True)
class LayerGeometry:
    """What the receptive-field calculation needs to know of one layer, along one axis.

    ``kernel`` is the window size (the pool size for a pooling layer), ``padding`` is any
    :data:`Padding`. Build one by hand or from a Keras layer with :meth:`from_keras`.

    >>> LayerGeometry("pool", kernel=2, stride=2)
    LayerGeometry(name='pool', kernel=2, stride=2, padding='valid', dilation=1)
    """

    name: str
    kernel: int
    stride: int = 1
    padding: Padding = "valid"
    dilation: int = 1

    def __post_init__(self) -> None:
        integer(self.kernel, "kernel", 1)
        integer(self.stride, "stride", 1)
        integer(self.dilation, "dilation", 1)
        resolve_padding(64, self.kernel, self.stride, self.padding, self.dilation)

    @classmethod
    def from_keras(cls, layer: object, axis: int = 0) -> LayerGeometry:
        """The geometry of a Keras convolution or pooling layer along ``axis`` (0 = height).

        Any layer with ``kernel_size`` or ``pool_size`` and ``strides`` works (``Conv2D``,
        ``MaxPooling2D``, ``AveragePooling2D``, :class:`cnnlib.layers.L2Pooling2D`, ...).

        >>> import keras
        >>> LayerGeometry.from_keras(keras.layers.MaxPooling2D(2, name="pool1"))
        LayerGeometry(name='pool1', kernel=2, stride=2, padding='valid', dilation=1)
        """
        if axis not in (0, 1):
            raise ValueError(f"axis must be 0 (height) or 1 (width), got {axis!r}")
        window = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
        strides = getattr(layer, "strides", None)
        if window is None or strides is None:
            raise ValueError(
                f"layer: {type(layer).__name__} {getattr(layer, 'name', '')!r} has no window; "
                "pass only convolution and pooling layers"
            )
        dilation = getattr(layer, "dilation_rate", (1, 1))
        return cls(
            name=str(getattr(layer, "name", type(layer).__name__)),
            kernel=int(window[axis]),
            stride=int(strides[axis]),
            padding=str(getattr(layer, "padding", "valid")),
            dilation=int(dilation[axis]),
        )


class ReceptiveField(NamedTuple):
    """The receptive field after one layer of a stack, along one axis.

    Output position ``i`` of the layer sees input pixels ``start + i * jump`` to
    ``start + i * jump + size - 1`` (positions below 0 or beyond the input are padding).
    ``output_size`` is the layer's output length when the input length was given.
    """

    name: str
    size: int
    jump: int
    start: int
    output_size: int | None


def receptive_field(
    layers: Sequence[LayerGeometry | object], input_size: int | None = None, axis: int = 0
) -> list[ReceptiveField]:
    """Receptive-field size, jump (cumulative stride) and start after every layer of a stack.

    Each layer widens the field by ``(span - 1) * jump`` input pixels, where ``span`` is its
    dilated window and ``jump`` the distance in input pixels between neighbouring positions of
    its input; then the jump is multiplied by the stride, and the start moves back by the
    padding before. ``layers`` holds :class:`LayerGeometry` objects or Keras convolution and
    pooling layers. ``input_size`` is needed when a layer pads ``"same"`` (the padding Keras
    applies depends on the length), and gives each row its ``output_size``.

    >>> stack = [LayerGeometry("conv1", 3), LayerGeometry("pool", 2, 2), LayerGeometry("conv2", 3)]
    >>> [(row.name, row.size, row.jump, row.start) for row in receptive_field(stack)]
    [('conv1', 3, 1, 0), ('pool', 4, 2, 0), ('conv2', 8, 2, 0)]
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or not layers:
        raise ValueError("layers must be a non-empty sequence of layers")
    geometries = [
        layer if isinstance(layer, LayerGeometry) else LayerGeometry.from_keras(layer, axis)
        for layer in layers
    ]
    length = None if input_size is None else integer(input_size, "input_size", 1)
    size, jump, start = 1, 1, 0
    rows = []
    for layer in geometries:
        if length is None:
            if layer.padding == "same":
                raise ValueError(
                    f"input_size is needed: layer {layer.name!r} pads 'same', and the padding "
                    "Keras applies depends on the input length"
                )
            before, _ = resolve_padding(
                64, layer.kernel, layer.stride, layer.padding, layer.dilation
            )
        else:
            before, _ = resolve_padding(
                length, layer.kernel, layer.stride, layer.padding, layer.dilation
            )
            length = conv_output_size(
                length, layer.kernel, layer.stride, layer.padding, layer.dilation
            )
        span = effective_kernel_size(layer.kernel, layer.dilation)
        size += (span - 1) * jump
        start -= before * jump
        jump *= layer.stride
        rows.append(ReceptiveField(layer.name, size, jump, start, length))
    return rows


def receptive_field_centres(
    layers: Sequence[LayerGeometry | object], input_size: int, axis: int = 0
) -> NDArray[np.float64]:
    """The centre of each output position's receptive field after a stack of layers, along one
    axis, in input pixels counted from the centre of the first pixel.

    Position ``i`` of the last layer reads input pixels ``start + i * jump`` to
    ``start + i * jump + size - 1`` (:func:`receptive_field`), so its centre is
    ``start + i * jump + (size - 1) / 2``. With ``"same"`` padding the field of a position near
    the border reaches into the padding, and its centre is the centre of the whole window, as
    the kernel is centred there; the pixels it really reads are the window cut at the border.

    >>> stack = [LayerGeometry("conv1", 3), LayerGeometry("pool1", 2, 2), LayerGeometry("conv2", 3)]
    >>> receptive_field_centres(stack, 12).tolist()  # fields 0-7, 2-9, 4-11
    [3.5, 5.5, 7.5]
    """
    last = receptive_field(layers, integer(input_size, "input_size", 1), axis)[-1]
    assert last.output_size is not None  # always known when input_size is given
    positions = np.arange(last.output_size, dtype=np.float64)
    centres: NDArray[np.float64] = last.start + positions * last.jump + (last.size - 1) / 2
    return centres


@dataclass(frozen=True, eq=False)
class CellCentres:
    """Where the cells of a layer's maps sit on the model's input: their receptive fields' centres.

    ``rows[i]`` is the centre of the receptive field of the map's row ``i``, ``cols[j]`` that of
    its column ``j``, in input pixels counted from the centre of the first pixel (a field over
    pixels 0 to 37 has its centre at 18.5). ``jump`` is the distance between neighbouring
    centres (the layer's cumulative stride) along each axis, and ``input_shape`` the input's
    (height, width). :func:`cell_centres` builds one from a Keras model;
    :func:`receptive_field_centres` gives the centres along one axis of a stack of layers.

    >>> centres = CellCentres([1.5, 5.5], [1.5, 5.5], jump=(4, 4), input_shape=(8, 8))
    >>> centres.scaled_to((16, 16))[0].tolist()  # the same places on a picture twice as large
    [3.5, 11.5]
    """

    rows: NDArray[np.float64]
    cols: NDArray[np.float64]
    jump: tuple[int, int]
    input_shape: tuple[int, int]

    def __init__(
        self,
        rows: ArrayLike,
        cols: ArrayLike,
        jump: int | tuple[int, int],
        input_shape: tuple[int, int],
    ) -> None:
        checked = []
        for name, values in (("rows", rows), ("cols", cols)):
            centres = np.asarray(values, dtype=np.float64)
            if centres.ndim != 1 or centres.size == 0 or not np.isfinite(centres).all():
                raise ValueError(f"{name} must be a non-empty 1-D array of finite numbers")
            if np.any(np.diff(centres) <= 0):
                raise ValueError(
                    f"{name} must increase from one cell to the next, got {centres.tolist()}"
                )
            centres.flags.writeable = False
            checked.append(centres)
        object.__setattr__(self, "rows", checked[0])
        object.__setattr__(self, "cols", checked[1])
        object.__setattr__(self, "jump", integer_pair(jump, "jump"))
        object.__setattr__(self, "input_shape", integer_pair(input_shape, "input_shape"))

    def scaled_to(
        self, size: int | tuple[int, int]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The centres in the pixels of a picture of ``size`` = (height, width) that shows the
        whole input: ``(centre + 0.5) * size / input_size - 0.5`` along each axis (a pixel's
        centre at its index, as ``imshow`` draws it)."""
        height, width = integer_pair(size, "size")
        return (
            (self.rows + 0.5) * height / self.input_shape[0] - 0.5,
            (self.cols + 0.5) * width / self.input_shape[1] - 0.5,
        )


def _window_layers(model: object, layer_name: str) -> tuple[list[object], tuple[int, int]]:
    """The convolution and pooling layers from the input of ``model`` up to ``layer_name``, and
    the input's (height, width); every layer on the way is checked against Keras's shapes."""
    from cnnlib._validate import model_input

    tensor = model_input(model)
    shape = tuple(tensor.shape)
    if len(shape) != 4 or shape[1] is None or shape[2] is None:
        raise ValueError(
            f"model: its input must be (height, width, channels) with known sizes, got {shape[1:]}"
        )
    layers = list(getattr(model, "layers", []))
    names = [layer.name for layer in layers]
    if layer_name not in names:
        raise ValueError(
            f"layer_name must be one of the model's layers {names}, got {layer_name!r}"
        )
    size = (int(shape[1]), int(shape[2]))
    windows = []
    for layer in layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            reads_previous = layer.input is tensor
        except (AttributeError, ValueError):
            reads_previous = False
        if not reads_previous:
            raise ValueError(
                f"layer_name: the layers up to {layer_name!r} must form one chain from the input, "
                f"but {layer.name!r} does not read the output of the layer before it"
            )
        out = tuple(layer.output.shape)
        if len(out) != 4 or getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError(
                f"layer_name: {layer.name!r} comes before {layer_name!r} and does not give "
                f"(n, height, width, channels) maps (its output is {out})"
            )
        expected = size
        if getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None):
            geometry = [LayerGeometry.from_keras(layer, axis) for axis in (0, 1)]
            expected = tuple(  # type: ignore[assignment]
                conv_output_size(n, g.kernel, g.stride, g.padding, g.dilation)
                for n, g in zip(size, geometry, strict=True)
            )
            windows.append(layer)
        if out[1:3] != expected:
            raise ValueError(
                f"layer_name: {layer.name!r} turns {size[0]}x{size[1]} maps into "
                f"{out[1]}x{out[2]}, which receptive-field arithmetic does not follow; only "
                "convolutions, pooling and layers that keep the size may come before "
                f"{layer_name!r}"
            )
        size, tensor = (int(out[1]), int(out[2])), layer.output
        if layer.name == layer_name:
            break
    return windows, (int(shape[1]), int(shape[2]))


def cell_centres(model: object, layer_name: str) -> CellCentres:
    """Where each cell of the maps of ``model``'s layer ``layer_name`` sits on the model's input:
    the centres of their receptive fields (:class:`CellCentres`).

    The layers from the input to ``layer_name`` must form one chain of convolutions, pooling
    and layers that keep the maps' size (activations, ``Rescaling``, augmentation, dropout,
    normalisation); anything else raises ``ValueError``. Draw a map with
    :func:`place_maps`, never by stretching it: with ``"valid"`` padding the cells of the last
    layers sit well inside the image.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Conv2D(4, 3, name="c1"),
    ...     keras.layers.MaxPooling2D(2, name="p1"), keras.layers.Conv2D(4, 3, name="c2")])
    >>> centres = cell_centres(model, "c2")
    >>> centres.rows[:3].tolist(), centres.jump, centres.input_shape
    ([3.5, 5.5, 7.5], (2, 2), (64, 64))
    """
    windows, (height, width) = _window_layers(model, layer_name)
    if not windows:  # the layer's cells are the input's pixels
        return CellCentres(np.arange(height), np.arange(width), 1, (height, width))
    rows, cols = (receptive_field(windows, n, axis)[-1] for axis, n in ((0, height), (1, width)))
    return CellCentres(
        receptive_field_centres(windows, height, axis=0),
        receptive_field_centres(windows, width, axis=1),
        (rows.jump, cols.jump),
        (height, width),
    )


def _axis_weights(
    centres: NDArray[np.float64], jump: int, length: int, size: int, outside: str
) -> NDArray[np.float64]:
    """(size, cells) weights that interpolate a row of cells at ``centres`` onto ``size``
    picture pixels showing an input of ``length`` pixels."""
    position = (np.arange(size) + 0.5) * length / size - 0.5  # pixel centres, in input pixels
    unit = np.eye(len(centres))
    # np.interp is linear between the centres and holds the end values beyond them.
    weights = np.stack([np.interp(position, centres, unit[k]) for k in range(len(centres))], 1)
    if outside == "fade":
        beyond = np.maximum(np.maximum(centres[0] - position, position - centres[-1]), 0)
        weights *= np.clip(1 - beyond / jump, 0, 1)[:, None]
    return weights


def place_maps(
    maps: ArrayLike,
    centres: CellCentres,
    size: int | tuple[int, int],
    *,
    outside: str = "clamp",
) -> NDArray[np.float64]:
    """``(n, h, w)`` maps of a layer drawn on a picture of ``size`` = (height, width) pixels that
    shows the model's whole input: each cell's value at its receptive field's centre
    (``centres``, from :func:`cell_centres`), bilinear between neighbouring centres.

    Beyond the outermost centres no cell is centred. ``outside="clamp"`` holds the outermost
    cells' values out to the picture's edge (the border pixels are read only by those cells'
    fields, off their centres); ``"fade"`` lets the values fall linearly to zero one ``jump``
    beyond them, as if a cell of value zero sat there, so that every cell's value peaks at its
    own centre. Stretching a map over the picture instead would put the cells in the wrong
    place unless they happen to sit where a stretch puts them.

    >>> centres = CellCentres([1.5, 5.5], [1.5, 5.5], jump=4, input_shape=(8, 8))
    >>> maps = [[[0.0, 4.0], [0.0, 4.0]]]  # one map: a column of 0s, then a column of 4s
    >>> place_maps(maps, centres, (8, 8))[0, 3].tolist()  # a row between the centres
    [0.0, 0.0, 0.5, 1.5, 2.5, 3.5, 4.0, 4.0]
    >>> place_maps(maps, centres, (8, 8), outside="fade")[0, 3].tolist()
    [0.0, 0.0, 0.5, 1.5, 2.5, 3.5, 3.5, 2.5]
    """
    values = np.asarray(maps, dtype=np.float64)
    if not isinstance(centres, CellCentres):
        raise ValueError(
            "centres must be a CellCentres (from arithmetic.cell_centres), "
            f"got {type(centres).__name__}"
        )
    cells = (len(centres.rows), len(centres.cols))
    if values.ndim != 3 or values.shape[0] == 0 or values.shape[1:] != cells:
        raise ValueError(
            f"maps must be (n, {cells[0]}, {cells[1]}), one value per cell of centres, "
            f"got {values.shape}"
        )
    height, width = integer_pair(size, "size")
    if outside not in ("clamp", "fade"):
        raise ValueError(f"outside must be 'clamp' or 'fade', got {outside!r}")
    row_weights = _axis_weights(
        centres.rows, centres.jump[0], centres.input_shape[0], height, outside
    )
    col_weights = _axis_weights(
        centres.cols, centres.jump[1], centres.input_shape[1], width, outside
    )
    placed: NDArray[np.float64] = np.einsum("yi,nij,xj->nyx", row_weights, values, col_weights)
    return placed
