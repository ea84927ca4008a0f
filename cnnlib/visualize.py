"""Looking inside a convnet: the feature maps its layers compute for one image, how many of them
are all zero, and the input patterns that excite a filter most (gradient ascent in input space).

:func:`activation_model` turns a built model into one that returns the outputs of several of its
layers at once (the functional API: ``keras.Model(model.inputs, [layer.output, ...])``);
:func:`layer_activations` runs it on one image; :func:`dark_fraction` counts the maps that are
zero everywhere; :func:`filter_patterns` starts from grey noise and climbs the gradient of a
filter's mean response, and :func:`stretch` brings the result to ``[0, 1]`` for display.

>>> import numpy as np
>>> from cnnlib import models
>>> model = models.mnist_convnet()
>>> maps = layer_activations(model, np.zeros((28, 28, 1)))
>>> {name: value.shape for name, value in maps.items()}  # doctest: +NORMALIZE_WHITESPACE
{'conv1': (26, 26, 32), 'pool1': (13, 13, 32), 'conv2': (11, 11, 64), 'pool2': (5, 5, 64),
 'conv3': (3, 3, 64)}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike, NDArray

from cnnlib._validate import integer, model_input
from cnnlib.layers import L2Pooling2D, PartialConv2D

#: The layer types :func:`activation_model` picks when no names are given: convolutions and
#: poolings, the layers whose outputs are feature maps.
FEATURE_LAYERS: tuple[type, ...] = (
    keras.layers.Conv2D,
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
    L2Pooling2D,
    PartialConv2D,
)


def _layers(model: keras.Model, layer_names: Sequence[str] | None) -> list[keras.layers.Layer]:
    if layer_names is None:
        chosen = [layer for layer in model.layers if isinstance(layer, FEATURE_LAYERS)]
        if not chosen:
            raise ValueError("the model has no convolution or pooling layer; name the layers")
        return chosen
    if isinstance(layer_names, str) or not layer_names:
        raise ValueError(f"layer_names must be a non-empty list of names, got {layer_names!r}")
    names = [layer.name for layer in model.layers]
    unknown = [name for name in layer_names if name not in names]
    if unknown:
        raise ValueError(f"layer_names {unknown} are not layers of the model; it has {names}")
    return [model.get_layer(name) for name in layer_names]


def activation_model(model: keras.Model, layer_names: Sequence[str] | None = None) -> keras.Model:
    """A model with ``model``'s input whose outputs are the outputs of ``layer_names``.

    By default these are all the convolution and pooling layers (:data:`FEATURE_LAYERS`), in
    order. The new model shares ``model``'s layers and weights; it is the functional API's
    ``keras.Model(model.inputs, [layer.output for layer in layers])``, and it works for
    Sequential models built on a ``keras.Input``. Layers that act only in training
    (augmentation, dropout) pass their input through, as in ``predict``.

    >>> from cnnlib import models
    >>> probe = activation_model(models.mnist_convnet(), ["conv1", "pool1"])
    >>> [tuple(output.shape) for output in probe.outputs]
    [(None, 26, 26, 32), (None, 13, 13, 32)]
    """
    image = model_input(model)
    layers = _layers(model, layer_names)
    return keras.Model(image, [layer.output for layer in layers], name="activations")


def _image(model: keras.Model, image: ArrayLike) -> NDArray[np.float32]:
    expected = tuple(model_input(model).shape[1:])
    picture = np.asarray(image, dtype=np.float32)
    if picture.shape != expected and (picture.ndim != 2 or expected != (*picture.shape, 1)):
        raise ValueError(f"image must have the model's input shape {expected}, got {picture.shape}")
    return picture.reshape(expected)


def layer_activations(
    model: keras.Model, image: ArrayLike, layer_names: Sequence[str] | None = None
) -> dict[str, NDArray[np.float32]]:
    """The feature maps of ``layer_names`` (default: every convolution and pooling) for one
    ``image``, as ``{layer name: (height, width, channels) array}`` in the model's order.

    ``image`` has the model's input shape (a 2-D image is accepted for one-channel models).

    >>> from cnnlib import models
    >>> maps = layer_activations(models.mnist_convnet(), np.ones((28, 28)), ["pool2"])
    >>> maps["pool2"].shape
    (5, 5, 64)
    """
    layers = _layers(model, layer_names)
    picture = _image(model, image)
    probe = activation_model(model, [layer.name for layer in layers])
    outputs = probe(picture[np.newaxis], training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {
        layer.name: np.asarray(keras.ops.convert_to_numpy(output))[0].astype(np.float32)
        for layer, output in zip(layers, outputs, strict=True)
    }


def dark_fraction(maps: ArrayLike) -> float:
    """The fraction of the feature maps in ``maps`` (``(height, width, channels)``) that are zero
    at every position: filters that this image does not switch on at all.

    >>> maps = np.zeros((2, 2, 4)); maps[0, 1, 0] = 0.5
    >>> dark_fraction(maps)
    0.75
    """
    array = np.asarray(maps, dtype=float)
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"maps must be (height, width, channels), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("maps must hold finite numbers")
    return float(np.mean(np.all(array == 0, axis=(0, 1))))


@dataclass(frozen=True)
class FilterPatterns:
    """What :func:`filter_patterns` found: the ``images`` (``(filters, height, width, channels)``,
    in the model's input range) and each filter's mean response (before the activation) on the
    starting noise (``start``) and on its pattern (``end``)."""

    images: NDArray[np.float32]
    start: NDArray[np.float32]
    end: NDArray[np.float32]


def _mean_response(
    extractor: keras.Model, layer: keras.layers.Conv2D, images: tf.Tensor, mask: tf.Tensor
) -> tf.Tensor:
    """Each image's mean response (before the activation) of its own filter; ``mask`` is
    one-hot over the filters."""
    response = layer.convolution_op(extractor(images, training=False), layer.kernel)
    if layer.use_bias:
        response = response + layer.bias
    return tf.reduce_mean(tf.reduce_sum(response * mask, axis=-1), axis=(1, 2))


def filter_patterns(
    model: keras.Model,
    layer_name: str,
    filters: Sequence[int],
    *,
    steps: int = 40,
    step_size: float = 0.02,
    value_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
) -> FilterPatterns:
    """Input patterns that excite filters of the convolution ``layer_name``: gradient ascent in
    input space.

    One image per filter starts as grey noise (values in the middle fifth of ``value_range``).
    Each of ``steps`` steps moves every image along the gradient of its filter's mean response
    over all positions, scaled so that the pixels change by ``step_size`` times the
    width of ``value_range`` (root mean square), and clips it back to ``value_range``: every
    pattern stays a valid input. Use ``value_range=(0, 255)`` for models that rescale raw
    pixels themselves. All filters climb at once, as one batch.

    The response is taken *before* the layer's activation: after a ReLU, a filter that is
    silent everywhere on the starting noise would have a zero gradient and never move.

    >>> from cnnlib import models, runtime
    >>> runtime.seed(0)
    >>> found = filter_patterns(models.mnist_convnet(), "conv2", [0, 5], steps=5)
    >>> found.images.shape, bool(np.all(found.end >= found.start))
    ((2, 28, 28, 1), True)
    """
    image = model_input(model)
    if not isinstance(layer_name, str):
        raise ValueError(f"layer_name must be a layer's name, got {layer_name!r}")
    (layer,) = _layers(model, [layer_name])
    if not isinstance(layer, keras.layers.Conv2D):
        raise ValueError(
            f"layer {layer_name!r} must be a Conv2D layer (filters belong to convolutions), "
            f"is {type(layer).__name__}"
        )
    channels = int(layer.output.shape[-1])
    if isinstance(filters, (str, int)) or not filters:
        raise ValueError(f"filters must be a non-empty list of filter indices, got {filters!r}")
    chosen = [integer(f, "filters", 0) for f in filters]
    if max(chosen) >= channels:
        raise ValueError(f"filters must be below {channels}, the layer's number of filters")
    count = integer(steps, "steps", 1)
    if isinstance(step_size, bool) or not isinstance(step_size, (int, float)) or step_size <= 0:
        raise ValueError(f"step_size must be a positive number, got {step_size!r}")
    low, high = (float(v) for v in value_range)
    if not low < high:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    if any(d is None for d in image.shape[1:]):
        raise ValueError("the model's input must have a fixed height, width and channels")
    shape = (len(chosen), *(int(d) for d in image.shape[1:]))
    extractor = keras.Model(image, layer.input)
    mask = tf.one_hot(chosen, channels)[:, tf.newaxis, tf.newaxis, :]
    noise = np.random.default_rng(integer(seed, "seed", 0)).uniform(0.4, 0.6, shape)
    images = tf.Variable((low + (high - low) * noise).astype(np.float32))
    start = _mean_response(extractor, layer, images, mask).numpy()
    scale = step_size * (high - low)
    axes = tuple(range(1, len(shape)))
    for _ in range(count):
        with tf.GradientTape() as tape:
            score = tf.reduce_sum(_mean_response(extractor, layer, images, mask))
        gradient = tape.gradient(score, images)
        rms = tf.sqrt(tf.reduce_mean(tf.square(gradient), axis=axes, keepdims=True))
        images.assign(tf.clip_by_value(images + scale * gradient / (rms + 1e-12), low, high))
    end = _mean_response(extractor, layer, images, mask).numpy()
    return FilterPatterns(
        images=images.numpy(), start=start.astype(np.float32), end=end.astype(np.float32)
    )


def stretch(images: ArrayLike, percentile: float = 1.0) -> NDArray[np.float32]:
    """Each image of a batch stretched to ``[0, 1]`` for display: its ``percentile`` and
    ``100 - percentile`` percentiles (over all its pixels and channels) go to 0 and 1, values
    beyond are clipped. A constant image becomes 0.5 everywhere.

    >>> stretch(np.array([[[0.0, 1.0], [2.0, 4.0]]]), percentile=0).tolist()
    [[[0.0, 0.25], [0.5, 1.0]]]
    """
    batch = np.asarray(images, dtype=np.float32)
    if batch.ndim < 3 or 0 in batch.shape:
        raise ValueError(f"images must be a batch (n, height, width[, c]), got {batch.shape}")
    if isinstance(percentile, bool) or not isinstance(percentile, (int, float)):
        raise ValueError(f"percentile must be a number in [0, 50), got {percentile!r}")
    if not 0 <= percentile < 50:
        raise ValueError(f"percentile must be a number in [0, 50), got {percentile!r}")
    flat = batch.reshape(len(batch), -1)
    low, high = np.percentile(flat, [percentile, 100 - percentile], axis=1)
    shape = (len(batch),) + (1,) * (batch.ndim - 1)
    low, high = low.reshape(shape), high.reshape(shape)
    span = high - low
    scaled = np.where(span > 0, (batch - low) / np.where(span > 0, span, 1), 0.5)
    return np.clip(scaled, 0, 1).astype(np.float32)
