"""Builders for the book's models, with names the prose can refer to.

Every builder takes the input shape and the number of classes and returns an uncompiled
``keras.Sequential`` whose layers have fixed names, so that summaries read the same on every run.

>>> model = mnist_convnet()
>>> model.count_params()
93322
>>> [layer.name for layer in model.layers][:3]
['conv1', 'pool1', 'conv2']
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from cnnlib._validate import integer
from cnnlib.arithmetic import conv_output_size, pool_output_size


def _input_shape(value: Sequence[int], name: str = "input_shape") -> tuple[int, int, int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 3:
        raise ValueError(f"{name} must be (height, width, channels), got {value!r}")
    height, width, channels = (integer(v, name, 1) for v in value)
    return height, width, channels


def _classes(value: int) -> int:
    return integer(value, "num_classes", 2)


def mnist_convnet(
    input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10
) -> keras.Sequential:
    """The classic small convnet: Conv 32 -> MaxPool -> Conv 64 -> MaxPool -> Conv 64 ->
    Flatten -> Dense 64 -> Dense ``num_classes`` (softmax). 93,322 parameters on MNIST.

    All convolutions are 3x3, ``valid``, ReLU; the poolings are 2x2. The layers are named
    ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``conv3``, ``flatten``, ``dense`` and
    ``predictions``. Raises ``ValueError`` if the input is too small for the three
    convolutions and two poolings.

    >>> mnist_convnet((32, 32, 3)).output_shape
    (None, 10)
    """
    height, width, channels = _input_shape(input_shape)
    classes = _classes(num_classes)
    for size in (height, width):
        try:
            after = pool_output_size(conv_output_size(size, 3), 2)
            after = pool_output_size(conv_output_size(after, 3), 2)
            conv_output_size(after, 3)
        except ValueError:
            raise ValueError(
                f"input_shape {tuple(input_shape)} is too small for mnist_convnet: each spatial "
                "side must be at least 18 pixels"
            ) from None
    return keras.Sequential(
        [
            keras.Input((height, width, channels), name="image"),
            keras.layers.Conv2D(32, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(2, name="pool1"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(2, name="pool2"),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv3"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(64, activation="relu", name="dense"),
            keras.layers.Dense(classes, activation="softmax", name="predictions"),
        ],
        name="mnist_convnet",
    )


def dense_baseline(
    input_shape: Sequence[int] = (28, 28, 1), num_classes: int = 10, units: int = 512
) -> keras.Sequential:
    """A network without convolutions: Flatten -> Dense ``units`` (ReLU) -> Dense
    ``num_classes`` (softmax). On MNIST with 512 units it has 407,050 parameters.

    Layers are named ``flatten``, ``dense`` and ``predictions``.

    >>> dense_baseline().count_params()
    407050
    """
    height, width, channels = _input_shape(input_shape)
    classes = _classes(num_classes)
    hidden = integer(units, "units", 1)
    return keras.Sequential(
        [
            keras.Input((height, width, channels), name="image"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(hidden, activation="relu", name="dense"),
            keras.layers.Dense(classes, activation="softmax", name="predictions"),
        ],
        name="dense_baseline",
    )
