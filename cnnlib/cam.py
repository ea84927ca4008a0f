"""Where a convnet looks: class activation maps and Grad-CAM, and the pointing game that tests
them.

:func:`class_activation_map` (Zhou et al., 2016) needs a model that ends with
``GlobalAveragePooling2D`` and a ``Dense`` layer: the map for class ``c`` is the sum of the last
convolution's feature maps weighted by that ``Dense`` layer's weights for ``c``. :func:`grad_cam`
(Selvaraju et al., 2017) works on any model whose last layer is ``Dense``: it weights the
feature maps by the average gradient of the class *logit* (the score before the softmax).
:func:`upsample_maps` brings the maps to the image's size, each cell at its receptive field's
centre, :func:`pointing_hits` says whether
each map's peak falls inside a box, :func:`pointing_baseline` how often a random point would,
and :func:`pointing_center` whether a map that always points at the image's centre would.

>>> import numpy as np
>>> maps = np.zeros((2, 4, 4)); maps[0, 1, 2] = 1; maps[1, 3, 0] = 1
>>> centres = arithmetic.CellCentres([1.5, 5.5, 9.5, 13.5], [1.5, 5.5, 9.5, 13.5], 4, (16, 16))
>>> boxes = np.array([[0, 0, 8, 12], [0, 0, 8, 8]])  # (top, left, bottom, right), 16x16
>>> pointing_hits(upsample_maps(maps, (16, 16), centres), boxes).tolist()
[True, False]
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike, NDArray

from cnnlib import arithmetic
from cnnlib._validate import integer, model_input


def _images(model: keras.Model, images: ArrayLike) -> NDArray[np.float32]:
    batch = np.asarray(images, dtype=np.float32)
    expected = tuple(model_input(model).shape[1:])
    if batch.ndim != len(expected) + 1 or any(
        e is not None and e != b for e, b in zip(expected, batch.shape[1:], strict=True)
    ):
        raise ValueError(
            f"images must be a batch of shape (n, {', '.join(map(str, expected))}), "
            f"got {batch.shape}"
        )
    return batch


def _classes(
    class_index: int | ArrayLike | None, count: int, num_classes: int, scores: Any
) -> NDArray[np.int64]:
    if class_index is None:
        predicted: NDArray[np.int64] = np.asarray(scores).argmax(axis=1).astype(np.int64)
        return predicted
    chosen = np.broadcast_to(np.asarray(class_index), (count,))
    if (
        not np.issubdtype(chosen.dtype, np.integer)
        or chosen.min() < 0
        or chosen.max() >= num_classes
    ):
        raise ValueError(
            f"class_index must be None, or integers from 0 to {num_classes - 1}, one or one per "
            f"image; got {class_index!r}"
        )
    return chosen.astype(np.int64)


def _last_dense(model: keras.Model) -> keras.layers.Dense:
    last = model.layers[-1] if model.layers else None
    if not isinstance(last, keras.layers.Dense):
        raise ValueError(
            f"the model's last layer must be Dense (the class scores), got {type(last).__name__}"
        )
    return last


def class_activation_map(
    model: keras.Model,
    images: ArrayLike,
    class_index: int | ArrayLike | None = None,
) -> NDArray[np.float32]:
    """Class activation maps ``sum_k w[k, c] * f_k(x, y)``, one per image, at the resolution of
    the feature maps ``f`` that enter the model's ``GlobalAveragePooling2D``.

    ``w`` is the kernel of the final ``Dense`` layer and ``c`` is ``class_index`` (one class,
    one per image, or ``None`` for the predicted class). Since global average pooling and a
    ``Dense`` layer are both linear, the class's logit is the map's mean plus the bias.

    >>> from cnnlib import models
    >>> model = models.localization_convnet((16, 16, 1), num_classes=3)
    >>> class_activation_map(model, np.zeros((2, 16, 16, 1)), 1).shape
    (2, 4, 4)
    """
    batch = _images(model, images)
    pools = [
        layer for layer in model.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D)
    ]
    if not pools:
        raise ValueError(
            "class_activation_map needs a model with GlobalAveragePooling2D before its last "
            "Dense layer; use grad_cam for other models"
        )
    dense = _last_dense(model)
    features_model = keras.Model(model.inputs, [pools[-1].input, model.outputs[0]])
    features, scores = features_model.predict(batch, verbose=0)
    weights = keras.ops.convert_to_numpy(dense.kernel)
    if weights.shape[0] != features.shape[-1]:
        raise ValueError(
            f"the last Dense layer reads {weights.shape[0]} values, but the pooled feature maps "
            f"have {features.shape[-1]} channels: the layers between them must not change it"
        )
    chosen = _classes(class_index, len(batch), weights.shape[1], scores)
    maps: NDArray[np.float32] = np.einsum("bhwk,kb->bhw", features, weights[:, chosen]).astype(
        np.float32
    )
    return maps


def grad_cam(
    model: keras.Model,
    images: ArrayLike,
    class_index: int | ArrayLike | None = None,
    layer_name: str | None = None,
) -> NDArray[np.float32]:
    """Grad-CAM maps ``ReLU(sum_k a_k * A_k)`` with ``a_k`` the mean over positions of the
    gradient of the class logit with respect to feature map ``A_k``.

    ``A`` is the output of the layer ``layer_name`` (by default the last layer with a 4-D
    output, i.e. the last convolution or pooling). The logit is the last ``Dense`` layer's
    output before its activation: the gradient of a softmax probability also depends on the
    other classes' scores and vanishes when the model is confident. Works with Sequential and
    functional models.

    >>> from cnnlib import models
    >>> model = models.localization_convnet((16, 16, 1), num_classes=3, head="flatten")
    >>> grad_cam(model, np.zeros((2, 16, 16, 1)), 0).shape
    (2, 4, 4)
    """
    batch = _images(model, images)
    dense = _last_dense(model)
    if layer_name is None:
        spatial = [layer for layer in model.layers if len(layer.output.shape) == 4]
        if not spatial:
            raise ValueError("the model has no layer with a 4-D (n, h, w, c) output")
        target = spatial[-1]
    else:
        names = [layer.name for layer in model.layers]
        if layer_name not in names:
            raise ValueError(
                f"layer_name must be one of the model's layers {names}, got {layer_name!r}"
            )
        target = model.get_layer(layer_name)
        if len(target.output.shape) != 4:
            raise ValueError(
                f"layer {layer_name!r} must have a 4-D output, has {target.output.shape}"
            )
    inner = keras.Model(model.inputs, [target.output, dense.input])
    tensor = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        features, hidden = inner(tensor, training=False)
        logits = tf.matmul(hidden, dense.kernel)
        if dense.use_bias:
            logits = logits + dense.bias
        chosen = _classes(class_index, len(batch), int(logits.shape[1]), logits.numpy())
        picked = tf.gather(logits, chosen, axis=1, batch_dims=1)
    gradients = tape.gradient(picked, features)
    alphas = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    maps: NDArray[np.float32] = (
        tf.nn.relu(tf.reduce_sum(alphas * features, axis=-1)).numpy().astype(np.float32)
    )
    return maps


def upsample_maps(
    maps: ArrayLike, size: tuple[int, int], centres: arithmetic.CellCentres
) -> NDArray[np.float32]:
    """``(n, h, w)`` maps brought to ``size`` = (height, width) pixels of the model's input (or
    of a picture of the whole input at another size), each cell's value placed at its receptive
    field's centre: ``centres`` is :func:`cnnlib.arithmetic.cell_centres` of the layer the maps
    come from. Between centres the values are bilinear; beyond the outermost ones they hold
    the outermost cells' values (:func:`cnnlib.arithmetic.place_maps`). A map's peak then lies
    at, or between, the centres of the cells that hold its largest values.

    For :func:`cnnlib.models.localization_convnet` (``same`` padding, 2x2 pooling) the centres
    lie where a plain bilinear stretch puts the cells; with ``valid`` padding they do not.

    >>> from cnnlib import arithmetic, models
    >>> centres = arithmetic.cell_centres(models.localization_convnet((16, 16, 1)), "conv4")
    >>> centres.rows.tolist()  # 4 * i + 1.5
    [1.5, 5.5, 9.5, 13.5]
    >>> upsample_maps(np.ones((1, 4, 4)), (16, 16), centres).shape
    (1, 16, 16)
    """
    values = np.asarray(maps, dtype=np.float32)
    if values.ndim != 3 or values.size == 0:
        raise ValueError(f"maps must be a non-empty (n, height, width) array, got {values.shape}")
    return arithmetic.place_maps(values, centres, size).astype(np.float32)


def _offset(
    positions: NDArray[np.int64], low: NDArray[np.int64], high: NDArray[np.int64]
) -> NDArray[np.int64]:
    """How many pixels each position lies before ``low`` or at or after ``high`` (0 between);
    ``low`` and ``high`` are ``(n,)``, ``positions`` ``(n,)`` or ``(n, k)``."""
    extra = (slice(None),) + (None,) * (positions.ndim - 1)
    first, stop = low[extra], high[extra]
    offset: NDArray[np.int64] = np.maximum(np.maximum(first - positions, positions - (stop - 1)), 0)
    return offset


def _tolerance(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"tolerance must be a number of pixels >= 0, got {value!r}")
    if not 0 <= float(value) < np.inf:
        raise ValueError(f"tolerance must be a number of pixels >= 0, got {value!r}")
    return float(value)


def _boxes(boxes: ArrayLike, count: int) -> NDArray[np.int64]:
    box = np.asarray(boxes)
    if box.shape != (count, 4) or not np.issubdtype(box.dtype, np.integer):
        raise ValueError(
            f"boxes must be integers of shape ({count}, 4): (top, left, bottom, right); "
            f"got {box.shape}"
        )
    return box.astype(np.int64)


def pointing_hits(maps: ArrayLike, boxes: ArrayLike, *, tolerance: float = 0) -> NDArray[np.bool_]:
    """For each map, whether its largest value lies inside the box ``(top, left, bottom,
    right)`` (bottom and right exclusive), in the map's own pixel coordinates. Ties go to the
    first maximum in row-major order.

    With ``tolerance`` > 0 a peak also hits when it lies at most that many pixels (Euclidean
    distance) from the nearest pixel of the box, as in the pointing game of Zhang et al.
    (2018), which allows 15 pixels on photos of a few hundred pixels.

    >>> pointing_hits(np.eye(3)[None] * [[[1], [2], [3]]], [[2, 2, 3, 3]]).tolist()
    [True]
    >>> peak = np.zeros((1, 8, 8)); peak[0, 0, 0] = 1  # two pixels above and left of the box
    >>> [bool(pointing_hits(peak, [[2, 2, 4, 4]], tolerance=t)[0]) for t in (0, 2, 3)]
    [False, False, True]
    """
    values = np.asarray(maps, dtype=float)
    if values.ndim != 3 or values.shape[0] == 0:
        raise ValueError(f"maps must be a non-empty (n, height, width) array, got {values.shape}")
    box = _boxes(boxes, values.shape[0])
    radius = _tolerance(tolerance)
    flat = values.reshape(len(values), -1).argmax(axis=1)
    rows, cols = np.unravel_index(flat, values.shape[1:])
    rows_off = _offset(rows.astype(np.int64), box[:, 0], box[:, 2])
    cols_off = _offset(cols.astype(np.int64), box[:, 1], box[:, 3])
    hits: NDArray[np.bool_] = rows_off**2 + cols_off**2 <= radius**2
    return hits


def _game_inputs(
    boxes: ArrayLike, size: tuple[int, int], tolerance: float
) -> tuple[int, int, NDArray[np.int64], float]:
    """The checked arguments of the pointing-game baselines: height, width, boxes, radius."""
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be (height, width), got {size!r}")
    height, width = (integer(v, "size", 1) for v in size)
    box = np.asarray(boxes)
    if box.ndim != 2 or box.shape[0] == 0:
        raise ValueError(f"boxes must be a non-empty (n, 4) integer array, got {box.shape}")
    return height, width, _boxes(box, box.shape[0]), _tolerance(tolerance)


def pointing_baseline(
    boxes: ArrayLike, size: tuple[int, int], *, tolerance: float = 0
) -> NDArray[np.float64]:
    """For each box, the chance that a point drawn uniformly from the ``size`` = (height,
    width) pixels hits it in the pointing game of :func:`pointing_hits` (same ``tolerance``):
    the share of the pixels inside the box or within ``tolerance`` of it. A map has to beat
    this to show it knows where the object is.

    >>> pointing_baseline([[0, 0, 4, 2]], (8, 8)).tolist()  # 8 of 64 pixels
    [0.125]
    >>> pointing_baseline([[2, 2, 4, 4]], (8, 8), tolerance=1).tolist()  # 4 + 8 side pixels
    [0.1875]
    """
    height, width, box, radius = _game_inputs(boxes, size, tolerance)
    count = len(box)
    rows = np.broadcast_to(np.arange(height, dtype=np.int64), (count, height))
    cols = np.broadcast_to(np.arange(width, dtype=np.int64), (count, width))
    rows_off = _offset(rows, box[:, 0], box[:, 2])
    cols_off = _offset(cols, box[:, 1], box[:, 3])
    near = rows_off[:, :, None] ** 2 + cols_off[:, None, :] ** 2 <= radius**2
    shares: NDArray[np.float64] = near.mean(axis=(1, 2))
    return shares


def pointing_center(
    boxes: ArrayLike, size: tuple[int, int], *, tolerance: float = 0
) -> NDArray[np.bool_]:
    """For each box, whether a map that always peaks at the centre of the ``size`` = (height,
    width) image hits it in the pointing game of :func:`pointing_hits` (same ``tolerance``).

    This is the "center" baseline of Zhang et al. (2016, 2018): objects tend to sit near the
    middle of a picture, so a map has to beat the centre, not only a random point, to show that
    it finds them. The centre is the pixel ``(height // 2, width // 2)``; for an even side it is
    the lower or right one of the two middle pixels.

    >>> pointing_center([[2, 2, 5, 5], [0, 0, 4, 4]], (8, 8)).tolist()  # the centre is (4, 4)
    [True, False]
    >>> pointing_center([[0, 0, 4, 4]], (8, 8), tolerance=1.5).tolist()  # 1.4 from (3, 3)
    [True]
    """
    height, width, box, radius = _game_inputs(boxes, size, tolerance)
    rows = np.full(len(box), height // 2, dtype=np.int64)
    cols = np.full(len(box), width // 2, dtype=np.int64)
    rows_off = _offset(rows, box[:, 0], box[:, 2])
    cols_off = _offset(cols, box[:, 1], box[:, 3])
    hits: NDArray[np.bool_] = rows_off**2 + cols_off**2 <= radius**2
    return hits
