"""NumPy reference implementations of the operations a convnet is made of.

Layouts follow Keras: inputs are NHWC ``(batch, height, width, channels)`` and convolution
kernels are HWIO ``(kernel_height, kernel_width, in_channels, out_channels)``. What deep-learning
libraries call convolution is cross-correlation (the kernel is not flipped), and so is
:func:`conv2d`. Every function is vectorised: no Python loop runs over pixels.

>>> import numpy as np
>>> image = np.arange(9.0).reshape(1, 3, 3, 1)
>>> conv2d(image, np.ones((2, 2, 1, 1)))[0, :, :, 0]
array([[ 8., 12.],
       [20., 24.]])
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from cnnlib._validate import integer_pair
from cnnlib.arithmetic import (
    PADDING_MODES,
    Padding,
    conv_output_size,
    conv_transpose_output_size,
    resolve_padding,
)

#: Padding of a 2-D operation: a mode (``"valid"``, ``"same"``, ``"full"``), one amount for every
#: side, ``(height, width)`` amounts, or ``((top, bottom), (left, right))``.
Padding2D = str | int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]


def _axis_paddings(padding: Padding2D) -> tuple[Padding, Padding]:
    """Split a 2-D padding specification into the one-axis specifications of height and width."""
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ValueError(
                f"padding must be one of {PADDING_MODES}, an integer, (height, width) or "
                f"((top, bottom), (left, right)), got {padding!r}"
            )
        return padding, padding
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ValueError(
                "padding must be (height, width) or ((top, bottom), (left, right)), "
                f"got {padding!r}"
            )
        height, width = (tuple(p) if isinstance(p, (tuple, list)) else p for p in padding)
        return height, width  # type: ignore[return-value]  # resolve_padding checks each
    return padding, padding


def _as_float_array(value: ArrayLike, name: str, ndim: int) -> NDArray[np.floating]:
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return array


def conv2d(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: Padding2D = "valid",
    dilation: int | tuple[int, int] = 1,
) -> NDArray[np.floating]:
    """2-D convolution (cross-correlation) as ``keras.layers.Conv2D`` computes it.

    :param x: input of shape ``(batch, height, width, in_channels)``.
    :param kernel: weights of shape ``(kernel_height, kernel_width, in_channels, out_channels)``.
    :param bias: ``None`` or one value per output channel, shape ``(out_channels,)``.
    :param stride: step between windows, an int or ``(height, width)``.
    :param padding: ``"valid"``, ``"same"`` (Keras's asymmetric split), ``"full"``, an int, a
        ``(height, width)`` pair, or ``((top, bottom), (left, right))``; zeros are padded.
    :param dilation: spacing between kernel taps, an int or ``(height, width)``.

    :returns: An array of shape ``(batch, out_height, out_width, out_channels)``, float32 when both
        ``x`` and ``kernel`` are float32, float64 otherwise.

    Each output value is the sum over the window and the input channels of input times kernel,
    plus the channel's bias:

    >>> x = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], float).reshape(1, 3, 3, 1)
    >>> vertical = np.array([[1, -1], [1, -1]], float).reshape(2, 2, 1, 1)
    >>> conv2d(x, vertical)[0, :, :, 0]
    array([[2., 0.],
           [1., 0.]])
    """
    x = _as_float_array(x, "x", 4)
    kernel = _as_float_array(kernel, "kernel", 4)
    batch, height, width, channels = x.shape
    kernel_h, kernel_w, kernel_in, out_channels = kernel.shape
    if min(kernel.shape) < 1 or min(x.shape) < 1:
        raise ValueError(f"x {x.shape} and kernel {kernel.shape} must not have empty axes")
    if kernel_in != channels:
        raise ValueError(
            f"kernel: expected {channels} input channels (the last axis of x), got "
            f"{kernel_in} (kernel shape {kernel.shape})"
        )
    stride_h, stride_w = integer_pair(stride, "stride")
    dilation_h, dilation_w = integer_pair(dilation, "dilation")
    padding_h, padding_w = _axis_paddings(padding)
    # Output sizes first: they validate the padding and that the kernel fits.
    out_h = conv_output_size(height, kernel_h, stride_h, padding_h, dilation_h)
    out_w = conv_output_size(width, kernel_w, stride_w, padding_w, dilation_w)
    top, bottom = resolve_padding(height, kernel_h, stride_h, padding_h, dilation_h)
    left, right = resolve_padding(width, kernel_w, stride_w, padding_w, dilation_w)

    dtype = np.result_type(x.dtype, kernel.dtype)
    padded = np.pad(x.astype(dtype, copy=False), ((0, 0), (top, bottom), (left, right), (0, 0)))
    span_h, span_w = (kernel_h - 1) * dilation_h + 1, (kernel_w - 1) * dilation_w + 1
    # A view of every window, (batch, positions_h, positions_w, channels, span_h, span_w); keep
    # the strided positions and the dilated taps, then one matrix product does all the sums.
    windows = sliding_window_view(padded, (span_h, span_w), axis=(1, 2))
    windows = windows[:, ::stride_h, ::stride_w, :, ::dilation_h, ::dilation_w]
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(batch * out_h * out_w, -1)
    out: NDArray[np.floating] = columns @ kernel.astype(dtype, copy=False).reshape(-1, out_channels)
    out = out.reshape(batch, out_h, out_w, out_channels)
    if bias is not None:
        bias_array = _as_float_array(bias, "bias", 1)
        if bias_array.shape != (out_channels,):
            raise ValueError(
                f"bias must have shape ({out_channels},), one value per output channel, got "
                f"{bias_array.shape}"
            )
        out = out + bias_array.astype(dtype, copy=False)
    return out


def apply_kernel(
    image: ArrayLike, kernel: ArrayLike, padding: Padding2D = "same"
) -> NDArray[np.floating]:
    """Filter an image with one 2-D kernel, channel by channel (cross-correlation).

    ``image`` is ``(height, width)`` or ``(height, width, channels)``; each channel is filtered
    on its own with the same ``(kernel_height, kernel_width)`` kernel, so an RGB photo stays an
    RGB photo. This is how image-processing filters (blur, sharpen, edges) are applied; a
    ``Conv2D`` layer instead sums over the input channels (see :func:`conv2d`).

    >>> apply_kernel(np.eye(3), np.ones((3, 3)) / 9, padding="valid")
    array([[0.33333333]])
    """
    image_array = np.asarray(image)
    if image_array.ndim not in (2, 3):
        raise ValueError(
            f"image must be (height, width) or (height, width, channels), got shape "
            f"{image_array.shape}"
        )
    kernel_array = _as_float_array(kernel, "kernel", 2)
    # Channels become the batch axis, so one conv2d call filters all of them.
    planes = image_array if image_array.ndim == 3 else image_array[..., np.newaxis]
    batch = np.moveaxis(planes, -1, 0)[..., np.newaxis]
    filtered = conv2d(batch, kernel_array[:, :, np.newaxis, np.newaxis], padding=padding)
    result = np.moveaxis(filtered[..., 0], 0, -1)
    return result if image_array.ndim == 3 else result[..., 0]


POOL_MODES = ("max", "avg", "l2")


def pool2d(
    x: ArrayLike,
    pool_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> NDArray[np.floating]:
    """2-D pooling of every channel on its own, as Keras's pooling layers compute it.

    :param x: input of shape ``(batch, height, width, channels)``.
    :param pool_size: window size, an int or ``(height, width)``.
    :param stride: step between windows; ``None`` means ``pool_size`` (windows side by side).
    :param padding: ``"valid"`` or ``"same"``. Padded positions never count: a max ignores them
        and an average divides by the number of real pixels in the window, as
        ``MaxPooling2D`` and ``AveragePooling2D`` do; for ``"l2"`` they add nothing.
    :param mode: ``"max"``, ``"avg"`` (mean), or ``"l2"`` (square root of the sum of squares,
        as :class:`cnnlib.layers.L2Pooling2D`).

    :returns: An array of shape ``(batch, out_height, out_width, channels)``.

    >>> x = np.array([[1, 2, 0, 0], [3, 4, 0, 1], [0, 0, 5, 0], [0, 0, 0, 0]], float)
    >>> pool2d(x.reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[4., 1.],
           [0., 5.]])
    >>> pool2d(x.reshape(1, 4, 4, 1), mode="avg")[0, :, :, 0]
    array([[2.5 , 0.25],
           [0.  , 1.25]])
    """
    x = _as_float_array(x, "x", 4)
    if min(x.shape) < 1:
        raise ValueError(f"x must not have empty axes, got shape {x.shape}")
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    pool_h, pool_w = integer_pair(pool_size, "pool_size")
    stride_h, stride_w = (pool_h, pool_w) if stride is None else integer_pair(stride, "stride")
    _, height, width, _ = x.shape
    out_h = conv_output_size(height, pool_h, stride_h, padding)
    out_w = conv_output_size(width, pool_w, stride_w, padding)
    top, bottom = resolve_padding(height, pool_h, stride_h, padding)
    left, right = resolve_padding(width, pool_w, stride_w, padding)
    pads = ((0, 0), (top, bottom), (left, right), (0, 0))

    def windows(array: NDArray[np.floating]) -> NDArray[np.floating]:
        # (batch, out_h, out_w, channels, pool_h * pool_w): every window's values, flattened.
        view = sliding_window_view(array, (pool_h, pool_w), axis=(1, 2))
        view = view[:, ::stride_h, ::stride_w][:, :out_h, :out_w]
        return view.reshape(*view.shape[:4], pool_h * pool_w)

    if mode == "max":
        result: NDArray[np.floating] = windows(np.pad(x, pads, constant_values=-np.inf)).max(-1)
    elif mode == "l2":
        result = np.sqrt(windows(np.pad(x * x, pads)).sum(-1))
    else:
        counts = windows(np.pad(np.ones((1, height, width, 1), x.dtype), pads)).sum(-1)
        result = windows(np.pad(x, pads)).sum(-1) / counts
    return result


def global_avg_pool(x: ArrayLike, keepdims: bool = False) -> NDArray[np.floating]:
    """The mean of every feature map, as ``keras.layers.GlobalAveragePooling2D``.

    ``(batch, height, width, channels)`` becomes ``(batch, channels)``, or
    ``(batch, 1, 1, channels)`` with ``keepdims=True``.

    >>> global_avg_pool(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[3., 4.]])
    """
    array = _as_float_array(x, "x", 4)
    if min(array.shape) < 1:
        raise ValueError(f"x must not have empty axes, got shape {array.shape}")
    mean: NDArray[np.floating] = array.mean(axis=(1, 2), keepdims=keepdims)
    return mean


def upsample2d(x: ArrayLike, size: int | tuple[int, int] = 2) -> NDArray[np.floating]:
    """Nearest-neighbour upsampling, as ``keras.layers.UpSampling2D``: repeat rows and columns.

    >>> upsample2d(np.array([[1.0, 2.0]]).reshape(1, 1, 2, 1))[0, :, :, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])
    """
    array = _as_float_array(x, "x", 4)
    size_h, size_w = integer_pair(size, "size")
    repeated: NDArray[np.floating] = np.repeat(np.repeat(array, size_h, axis=1), size_w, axis=2)
    return repeated


def conv2d_transpose(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str = "valid",
    output_padding: int | tuple[int, int] | None = None,
    dilation: int | tuple[int, int] = 1,
) -> NDArray[np.floating]:
    """Transposed convolution, as ``keras.layers.Conv2DTranspose`` computes it.

    Every input pixel stamps the kernel, scaled by its value, onto the output, ``stride``
    pixels apart from its neighbour's stamp; where stamps overlap they add up. The output is
    then cropped (``"same"``) to the length that
    :func:`cnnlib.arithmetic.conv_transpose_output_size` gives.

    :param x: input of shape ``(batch, height, width, in_channels)``.
    :param kernel: weights in Keras's ``Conv2DTranspose`` layout,
        ``(kernel_height, kernel_width, out_channels, in_channels)``.
    :param bias: ``None`` or shape ``(out_channels,)``.
    :param stride: an int or ``(height, width)``.
    :param dilation: an int or ``(height, width)``.
    :param padding: ``"valid"`` or ``"same"``.
    :param output_padding: ``None`` or an int / pair smaller than the stride, as in Keras.

    >>> one = np.ones((1, 2, 2, 1))
    >>> conv2d_transpose(one, np.ones((3, 3, 1, 1)), stride=2)[0, :, :, 0]
    array([[1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.],
           [2., 2., 4., 2., 2.],
           [1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.]])
    """
    x = _as_float_array(x, "x", 4)
    kernel = _as_float_array(kernel, "kernel", 4)
    if min(kernel.shape) < 1 or min(x.shape) < 1:
        raise ValueError(f"x {x.shape} and kernel {kernel.shape} must not have empty axes")
    batch, height, width, channels = x.shape
    kernel_h, kernel_w, out_channels, kernel_in = kernel.shape
    if kernel_in != channels:
        raise ValueError(
            f"kernel: expected {channels} input channels in its last axis (Conv2DTranspose "
            f"layout (kh, kw, out, in)), got {kernel_in} (kernel shape {kernel.shape})"
        )
    strides = integer_pair(stride, "stride")
    dilations = integer_pair(dilation, "dilation")
    extras: tuple[int | None, int | None] = (
        (None, None)
        if output_padding is None
        else integer_pair(output_padding, "output_padding", 0)
    )
    lengths = [
        conv_transpose_output_size(n, k, s, padding, extra, d)
        for n, k, s, extra, d in zip(
            (height, width), (kernel_h, kernel_w), strides, extras, dilations, strict=True
        )
    ]
    # Keras calls TensorFlow with these output lengths, which crops the start by the "same"
    # padding TensorFlow would apply to a forward convolution from that length.
    crops = [
        0 if padding == "valid" else max((n - 1) * s + (k - 1) * d + 1 - length, 0) // 2
        for n, k, s, d, length in zip(
            (height, width), (kernel_h, kernel_w), strides, dilations, lengths, strict=True
        )
    ]
    dtype = np.result_type(x.dtype, kernel.dtype)
    full_h = max(
        (height - 1) * strides[0] + (kernel_h - 1) * dilations[0] + 1, crops[0] + lengths[0]
    )
    full_w = max(
        (width - 1) * strides[1] + (kernel_w - 1) * dilations[1] + 1, crops[1] + lengths[1]
    )
    full = np.zeros((batch, full_h, full_w, out_channels), dtype)
    # One stamp per kernel tap (a loop over the kernel, not over pixels): tap (i, j) sends
    # input pixel (r, c) to output (r * stride + i * dilation, c * stride + j * dilation).
    stamps = np.einsum("bhwc,ijoc->ijbhwo", x.astype(dtype, copy=False), kernel.astype(dtype))
    for i in range(kernel_h):
        for j in range(kernel_w):
            rows = slice(
                i * dilations[0], i * dilations[0] + (height - 1) * strides[0] + 1, strides[0]
            )
            cols = slice(
                j * dilations[1], j * dilations[1] + (width - 1) * strides[1] + 1, strides[1]
            )
            full[:, rows, cols, :] += stamps[i, j]
    out = full[:, crops[0] : crops[0] + lengths[0], crops[1] : crops[1] + lengths[1], :]
    if bias is not None:
        bias_array = _as_float_array(bias, "bias", 1)
        if bias_array.shape != (out_channels,):
            raise ValueError(
                f"bias must have shape ({out_channels},), one value per output channel, got "
                f"{bias_array.shape}"
            )
        out = out + bias_array.astype(dtype, copy=False)
    return out


def resize_bilinear(x: ArrayLike, size: int | tuple[int, int]) -> NDArray[np.floating]:
    """Resize ``(batch, height, width, channels)`` images to ``size`` by bilinear
    interpolation, as ``tf.image.resize(..., method="bilinear")``: pixel centres are aligned
    (half-pixel), and positions beyond the first or last centre take the edge value.

    >>> resize_bilinear(np.array([0.0, 1.0]).reshape(1, 1, 2, 1), (1, 4))[0, 0, :, 0]
    array([0.  , 0.25, 0.75, 1.  ])
    """
    images = _as_float_array(x, "x", 4)
    if 0 in images.shape:
        raise ValueError(f"x must not be empty, got shape {images.shape}")
    out_h, out_w = integer_pair(size, "size")

    def taps(
        n_in: int, n_out: int
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.floating]]:
        centres = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        low = np.floor(centres).astype(np.intp)
        return low, np.minimum(low + 1, n_in - 1), centres - low

    r0, r1, wr = taps(images.shape[1], out_h)
    c0, c1, wc = taps(images.shape[2], out_w)
    wr, wc = wr[None, :, None, None], wc[None, None, :, None]
    top = images[:, r0][:, :, c0] * (1 - wc) + images[:, r0][:, :, c1] * wc
    bottom = images[:, r1][:, :, c0] * (1 - wc) + images[:, r1][:, :, c1] * wc
    result: NDArray[np.floating] = top * (1 - wr) + bottom * wr
    return result
