"""Convolution arithmetic along one spatial axis: output sizes and the padding Keras applies.

Everything here works on one axis at a time (a height or a width), so non-square inputs and
kernels are handled by calling a function once per axis.

>>> conv_output_size(5, kernel=3, stride=2, padding="same")
3
>>> same_padding(5, kernel=3, stride=2)
(1, 1)
"""

from __future__ import annotations

from cnnlib._validate import integer

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
