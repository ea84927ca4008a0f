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
from cnnlib.arithmetic import PADDING_MODES, Padding, conv_output_size, resolve_padding

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

    Args:
        x: input of shape ``(batch, height, width, in_channels)``.
        kernel: weights of shape ``(kernel_height, kernel_width, in_channels, out_channels)``.
        bias: ``None`` or one value per output channel, shape ``(out_channels,)``.
        stride: step between windows, an int or ``(height, width)``.
        padding: ``"valid"``, ``"same"`` (Keras's asymmetric split), ``"full"``, an int, a
            ``(height, width)`` pair, or ``((top, bottom), (left, right))``; zeros are padded.
        dilation: spacing between kernel taps, an int or ``(height, width)``.

    Returns:
        An array of shape ``(batch, out_height, out_width, out_channels)``, float32 when both
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
