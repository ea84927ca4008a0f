"""Layers that Keras lacks.

:class:`L2Pooling2D` pools with the L2 norm of each window; :class:`PartialConv2D` is a
convolution in which each output map sees only some of the input maps, as LeNet-5's layer C3
(:data:`LENET_C3_TABLE`). Both are registered with Keras's serialisation, so a model that uses
them saves to and loads from a ``.keras`` file.

>>> import numpy as np
>>> layer = L2Pooling2D(pool_size=2)
>>> x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32").reshape(1, 2, 2, 1)
>>> float(layer(x)[0, 0, 0, 0])
5.0
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cnnlib._validate import integer, integer_pair
from cnnlib.arithmetic import conv_output_size, resolve_padding


@keras.saving.register_keras_serializable(package="cnnlib")
class L2Pooling2D(keras.layers.Layer):  # type: ignore[misc]
    """L2 pooling: the square root of the sum of squares of each window, channel by channel.

    Every value of the window counts, as in average pooling, but squaring lets the large ones
    dominate, as in max pooling. The result is never below the window's largest absolute value
    (it equals it when only one value is non-zero) and at most ``sqrt(window size)`` times it;
    only the root mean square, the L2 norm divided by ``sqrt(window size)``, lies between the
    mean and the maximum of non-negative values. It has no weights. The arguments mean what
    they mean for ``keras.layers.MaxPooling2D``; with ``padding="same"`` the padded positions
    add nothing. :func:`cnnlib.ops.pool2d` with ``mode="l2"`` computes the same in NumPy.
    """

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = integer_pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else integer_pair(strides, "strides")
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if self.padding == "same" and None in input_shape[1:3]:
            raise ValueError(
                "L2Pooling2D with padding='same' needs a known height and width, got input "
                f"shape {input_shape}"
            )

    def call(self, inputs: Any) -> Any:
        squares = keras.ops.square(inputs)
        if self.padding == "same":  # zeros add nothing to a sum of squares
            _, height, width, _ = inputs.shape
            pads = [
                resolve_padding(n, k, s, "same")
                for n, k, s in zip((height, width), self.pool_size, self.strides, strict=True)
            ]
            squares = keras.ops.pad(squares, [(0, 0), *pads, (0, 0)])
        # The window sum is the window mean times the window size (no padding left to exclude).
        window = self.pool_size[0] * self.pool_size[1]
        sums = keras.ops.average_pool(squares, self.pool_size, self.strides, "valid") * window
        # Clamp at the smallest normal float32: the gradient of sqrt at 0 is infinite.
        tiny = keras.ops.convert_to_tensor(1.2e-38, dtype=sums.dtype)
        return keras.ops.sqrt(keras.ops.maximum(sums, tiny))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        batch, height, width, channels = input_shape
        sizes = [
            None if n is None else conv_output_size(n, k, s, self.padding)
            for n, k, s in zip((height, width), self.pool_size, self.strides, strict=True)
        ]
        return batch, sizes[0], sizes[1], channels

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding)
        return config


def _lenet_c3_table() -> NDArray[np.bool_]:
    table = np.zeros((6, 16), dtype=bool)
    groups = [(3, range(6)), (4, range(6, 12))]
    for size, maps in groups:  # maps 0-5 see 3 neighbours, maps 6-11 see 4
        for offset, c3 in enumerate(maps):
            table[[(offset + i) % 6 for i in range(size)], c3] = True
    for c3, s2 in zip((12, 13, 14), ((0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5)), strict=True):
        table[list(s2), c3] = True  # three non-contiguous groups of 4
    table[:, 15] = True  # the last map sees all six
    table.setflags(write=False)
    return table


#: LeNet-5's connection table between S2 and C3 (LeCun et al., 1998, Table I): entry
#: ``[i, j]`` is True when C3 feature map ``j`` reads S2 map ``i``. 60 connections of 96.
LENET_C3_TABLE: NDArray[np.bool_] = _lenet_c3_table()


@keras.saving.register_keras_serializable(package="cnnlib")
class PartialConv2D(keras.layers.Layer):  # type: ignore[misc]
    """A 2-D convolution in which output map ``j`` reads input map ``i`` only where
    ``connections[i, j]`` is True.

    LeNet-5's C3 layer is ``PartialConv2D(16, 5, connections=LENET_C3_TABLE)``: each of its 16
    maps combines 3, 4 or 6 of the 6 S2 maps. Only the connected kernels are weights, so
    ``count_params()`` is ``connections.sum() * kernel_height * kernel_width + filters`` (1,516
    for C3, against 2,416 for a full ``Conv2D``). The output is what a ``Conv2D`` with the
    unconnected kernels set to zero would give. ``padding`` is ``"valid"`` or ``"same"``.

    >>> layer = PartialConv2D(16, 5, connections=LENET_C3_TABLE)
    >>> layer.build((None, 14, 14, 6))
    >>> layer.count_params()
    1516
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        connections: ArrayLike,
        activation: str | None = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = integer(filters, "filters", 1)
        self.kernel_size = integer_pair(kernel_size, "kernel_size")
        table = np.asarray(connections)
        if table.ndim != 2 or table.shape[1] != self.filters or not np.isin(table, (0, 1)).all():
            raise ValueError(
                f"connections must be a (input channels, {self.filters}) table of booleans, "
                f"got shape {table.shape}"
            )
        if not table.any(axis=0).all():
            raise ValueError("connections must give every output map at least one input map")
        self.connections = table.astype(bool)
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.activation = keras.activations.get(activation)
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: table.shape[0]})
        rows, cols = np.nonzero(self.connections)
        # Scatters the connected kernels into the full (in * out) kernel: one 0/1 matrix.
        scatter = np.zeros((len(rows), table.shape[0] * self.filters), "float32")
        scatter[np.arange(len(rows)), rows * self.filters + cols] = 1.0
        self._scatter = scatter

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        height, width = self.kernel_size
        # Glorot's uniform limit with the fan of the connections a weight really has: the
        # average number of input maps per output map (fan in) and the reverse (fan out).
        links = self.connections.sum()
        fan_in = height * width * links / self.connections.shape[1]
        fan_out = height * width * links / self.connections.shape[0]
        limit = float(np.sqrt(6.0 / (fan_in + fan_out)))
        self.kernel = self.add_weight(
            name="kernel",
            shape=(height, width, self._scatter.shape[0]),
            initializer=keras.initializers.RandomUniform(-limit, limit),
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def full_kernel(self) -> Any:
        """The kernel as ``Conv2D`` would hold it, (height, width, in, out), zeros where
        ``connections`` is False."""
        height, width = self.kernel_size
        flat = keras.ops.reshape(self.kernel, (height * width, self._scatter.shape[0]))
        scatter = keras.ops.convert_to_tensor(self._scatter, dtype=self.kernel.dtype)
        full = keras.ops.matmul(flat, scatter)
        return keras.ops.reshape(full, (height, width, *self.connections.shape))

    def call(self, inputs: Any) -> Any:
        outputs = keras.ops.conv(inputs, self.full_kernel(), strides=1, padding=self.padding)
        return self.activation(outputs + self.bias)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        batch, height, width, _ = input_shape
        sizes = [
            None if n is None else conv_output_size(n, k, 1, self.padding)
            for n, k in zip((height, width), self.kernel_size, strict=True)
        ]
        return batch, sizes[0], sizes[1], self.filters

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            connections=self.connections.astype(int).tolist(),
            activation=keras.activations.serialize(self.activation),
            padding=self.padding,
        )
        return config
