"""Layers that Keras lacks.

:class:`L2Pooling2D` pools with the L2 norm of each window. It is registered with Keras's
serialisation, so a model that uses it saves to and loads from a ``.keras`` file.

>>> import numpy as np
>>> layer = L2Pooling2D(pool_size=2)
>>> x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32").reshape(1, 2, 2, 1)
>>> float(layer(x)[0, 0, 0, 0])
5.0
"""

from __future__ import annotations

from typing import Any

import keras

from cnnlib._validate import integer_pair
from cnnlib.arithmetic import conv_output_size, resolve_padding


@keras.saving.register_keras_serializable(package="cnnlib")
class L2Pooling2D(keras.layers.Layer):  # type: ignore[misc]
    """L2 pooling: the square root of the sum of squares of each window, channel by channel.

    Between max pooling (only the largest value counts) and average pooling (every value
    counts equally), L2 pooling lets large values dominate without ignoring the rest. It has
    no weights. The arguments mean what they mean for ``keras.layers.MaxPooling2D``; with
    ``padding="same"`` the padded positions add nothing. :func:`cnnlib.ops.pool2d` with
    ``mode="l2"`` computes the same in NumPy.
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
