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
from cnnlib.layers import LENET_C3_TABLE, PartialConv2D


def _input_shape(value: Sequence[int], name: str = "input_shape") -> tuple[int, int, int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 3:
        raise ValueError(f"{name} must be (height, width, channels), got {value!r}")
    height, width, channels = (integer(v, name, 1) for v in value)
    return height, width, channels


def _classes(value: int) -> int:
    return integer(value, "num_classes", 2)


def _filters(value: Sequence[int], *, exactly: bool) -> list[int]:
    """Three channel counts (``exactly``) or at least three, each an integer >= 1."""
    is_list = isinstance(value, Sequence) and not isinstance(value, (str, bytes))
    if not is_list or (len(value) != 3 if exactly else len(value) < 3):
        amount = "three" if exactly else "at least three"
        raise ValueError(f"filters must be {amount} channel counts, got {value!r}")
    return [integer(f, "filters", 1) for f in value]


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


#: The decoders :func:`conv_autoencoder` can build.
DECODERS = ("upsampling", "transpose")


def _third_decoder_padding(side: int, axis: str) -> str:
    """``'same'`` or ``'valid'`` for the third decoder convolution, so that the output is ``side``.

    Three 2x2 ``same`` poolings take ``side`` to ``c = ceil(side / 8)``; the decoder doubles
    three times. With a ``same`` third convolution it ends at ``8c``; a ``valid`` one takes two
    pixels off the ``4c`` map first, and it ends at ``8c - 4``.
    """
    code = pool_output_size(
        pool_output_size(pool_output_size(side, 2, padding="same"), 2, padding="same"),
        2,
        padding="same",
    )
    if 8 * code == side:
        return "same"
    if 8 * code - 4 == side:
        return "valid"
    raise ValueError(
        f"input_shape {axis} {side} cannot be rebuilt by three doublings: it must be 8c or "
        f"8c - 4 for an integer c (such as 24, 28 or 32)"
    )


def conv_autoencoder(
    input_shape: Sequence[int] = (28, 28, 1),
    filters: Sequence[int] = (16, 8, 4),
    *,
    decoder: str = "upsampling",
    name: str | None = None,
) -> keras.Sequential:
    """A convolutional autoencoder with three levels; the classic MNIST model by default.

    Encoder: three ``same`` 3x3 ReLU convolutions with ``filters`` channels, each followed by
    2x2 ``same`` max pooling; the last pooling is named ``code``. The ``"upsampling"`` decoder
    mirrors it with 3x3 convolutions and ``UpSampling2D``; its third convolution is ``valid``
    when the input side is ``8c - 4`` (28 = 8 * 4 - 4 for MNIST: 16x16 becomes 14x14), ``same``
    when it is ``8c``. The ``"transpose"`` decoder replaces every ``UpSampling2D`` + ``Conv2D``
    pair with one ``Conv2DTranspose`` of stride 2 and the same kernel shape (so the parameter
    count is the same) and, since a transposed convolution cannot shrink, crops one pixel on
    each side (``Cropping2D``) where the other decoder uses ``valid``. The output layer,
    ``reconstruction``, has a sigmoid: pixels are expected in ``[0, 1]``.

    Layer names: ``enc_conv1``, ``enc_pool1``, ..., ``enc_conv3``, ``code``, ``dec_conv1``,
    then ``dec_up1``, ``dec_conv2``, ``dec_up2``, ``dec_conv3``, ``dec_up3`` or
    ``dec_tconv2``, ``dec_tconv3``, ``dec_crop``; and ``reconstruction``. The model is named
    ``name``, by default ``conv_autoencoder`` or ``conv_autoencoder_transpose``.

    >>> model = conv_autoencoder()
    >>> model.count_params(), model.get_layer("code").output.shape
    (3369, (None, 4, 4, 4))
    >>> conv_autoencoder(decoder="transpose").count_params()
    3369
    """
    height, width, channels = _input_shape(input_shape)
    first, second, third = _filters(filters, exactly=True)
    if decoder not in DECODERS:
        raise ValueError(f"decoder must be one of {DECODERS}, got {decoder!r}")
    modes = {_third_decoder_padding(height, "height"), _third_decoder_padding(width, "width")}
    if len(modes) > 1:
        raise ValueError(
            f"input_shape {tuple(input_shape)}: height and width need different decoders (one "
            "8c, the other 8c - 4); use a square input or two sides of the same kind"
        )
    (mode,) = modes
    conv, layers = keras.layers.Conv2D, keras.layers
    encoder = [
        keras.Input((height, width, channels), name="image"),
        conv(first, 3, activation="relu", padding="same", name="enc_conv1"),
        layers.MaxPooling2D(2, padding="same", name="enc_pool1"),
        conv(second, 3, activation="relu", padding="same", name="enc_conv2"),
        layers.MaxPooling2D(2, padding="same", name="enc_pool2"),
        conv(third, 3, activation="relu", padding="same", name="enc_conv3"),
        layers.MaxPooling2D(2, padding="same", name="code"),
        conv(third, 3, activation="relu", padding="same", name="dec_conv1"),
    ]
    if decoder == "upsampling":
        rest = [
            layers.UpSampling2D(2, name="dec_up1"),
            conv(second, 3, activation="relu", padding="same", name="dec_conv2"),
            layers.UpSampling2D(2, name="dec_up2"),
            conv(first, 3, activation="relu", padding=mode, name="dec_conv3"),
            layers.UpSampling2D(2, name="dec_up3"),
            conv(channels, 3, activation="sigmoid", padding="same", name="reconstruction"),
        ]
    else:
        transpose = keras.layers.Conv2DTranspose
        rest = [
            transpose(second, 3, strides=2, activation="relu", padding="same", name="dec_tconv2"),
            transpose(first, 3, strides=2, activation="relu", padding="same", name="dec_tconv3"),
            *([layers.Cropping2D(1, name="dec_crop")] if mode == "valid" else []),
            transpose(
                channels, 3, strides=2, activation="sigmoid", padding="same", name="reconstruction"
            ),
        ]
    if name is None:
        name = "conv_autoencoder" + ("" if decoder == "upsampling" else "_transpose")
    elif not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    return keras.Sequential(encoder + rest, name=name)


def split_autoencoder(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """The encoder (input to the layer ``code``) and the decoder (the layers after it) of an
    autoencoder built by :func:`conv_autoencoder`. Both share the model's weights.

    >>> encoder, decoder = split_autoencoder(conv_autoencoder())
    >>> encoder.output_shape, decoder.output_shape
    ((None, 4, 4, 4), (None, 28, 28, 1))
    """
    if not isinstance(model, keras.Sequential):
        raise ValueError(
            f"model must be a keras.Sequential autoencoder, got {type(model).__name__}"
        )
    names = [layer.name for layer in model.layers]
    if "code" not in names:
        raise ValueError(
            f"model must have a layer named 'code', as conv_autoencoder builds; got {names}"
        )
    cut = names.index("code") + 1
    code = model.get_layer("code")
    encoder = keras.Model(model.inputs[0], code.output, name=f"{model.name}_encoder")
    decoder = keras.Sequential(
        [keras.Input(tuple(code.output.shape[1:]), name="code_in"), *model.layers[cut:]],
        name=f"{model.name}_decoder",
    )
    return encoder, decoder


def lenet5(
    *,
    activation: str = "tanh",
    pooling: str = "avg",
    partial_c3: bool = True,
    num_classes: int = 10,
) -> keras.Sequential:
    """LeNet-5 (LeCun et al., 1998) on 32x32x1 images; the defaults follow the paper.

    C1: 6 maps of 5x5 -> S2: 2x2 pooling -> C3: 16 maps of 5x5, each reading only the S2 maps
    of :data:`cnnlib.layers.LENET_C3_TABLE` (``partial_c3=True``) or all of them -> S4: 2x2
    pooling -> C5: 120 maps of 5x5 (1x1 each) -> F6: 84 units -> ``num_classes`` softmax
    outputs. ``activation`` is used by every hidden layer and ``pooling`` is ``"avg"`` or
    ``"max"``; ``lenet5(activation="relu", pooling="max", partial_c3=False)`` is the modern
    variant. Layers are named ``C1``, ``S2``, ``C3``, ``S4``, ``C5``, ``flatten``, ``F6``,
    ``output``.

    Differences from the paper: its subsampling layers also had a trainable coefficient and
    bias per map, its tanh was scaled (1.7159 tanh(2a/3)), and its output layer was 10
    Euclidean RBF units with fixed weights, not a softmax.

    >>> lenet5().count_params(), lenet5(partial_c3=False).count_params()
    (60806, 61706)
    """
    if pooling not in ("avg", "max"):
        raise ValueError(f"pooling must be 'avg' or 'max', got {pooling!r}")
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(
            f"activation must be a Keras activation name, got {activation!r}"
        ) from None
    classes = _classes(num_classes)
    pool = keras.layers.AveragePooling2D if pooling == "avg" else keras.layers.MaxPooling2D
    c3 = (
        PartialConv2D(16, 5, connections=LENET_C3_TABLE, activation=activation, name="C3")
        if partial_c3
        else keras.layers.Conv2D(16, 5, activation=activation, name="C3")
    )
    return keras.Sequential(
        [
            keras.Input((32, 32, 1), name="image"),
            keras.layers.Conv2D(6, 5, activation=activation, name="C1"),
            pool(2, name="S2"),
            c3,
            pool(2, name="S4"),
            keras.layers.Conv2D(120, 5, activation=activation, name="C5"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(84, activation=activation, name="F6"),
            keras.layers.Dense(classes, activation="softmax", name="output"),
        ],
        name="lenet5"
        if partial_c3 and activation == "tanh" and pooling == "avg"
        else "lenet5_variant",
    )


def localization_convnet(
    input_shape: Sequence[int] = (64, 64, 1),
    num_classes: int = 10,
    *,
    head: str = "gap",
    filters: Sequence[int] = (16, 32, 32, 32),
) -> keras.Sequential:
    """A small convnet whose last convolution keeps a map of where things are.

    3x3 ``same`` ReLU convolutions ``conv1``, ``conv2``, ... with ``filters`` channels (at
    least three); 2x2 max pooling follows the first two, so the later ones see the image at a
    quarter of its resolution. With the default four convolutions each unit of the last one sees
    a 26x26 patch of the input (enough for an MNIST digit). ``head="gap"``:
    ``GlobalAveragePooling2D`` (``gap``) then the softmax ``Dense`` (``predictions``), the
    architecture class activation maps need. ``head="flatten"``: ``Flatten`` then the same
    ``Dense``; Grad-CAM works on it.

    >>> localization_convnet().count_params(), localization_convnet(head="flatten").count_params()
    (23626, 105226)
    """
    height, width, channels = _input_shape(input_shape)
    classes = _classes(num_classes)
    if head not in ("gap", "flatten"):
        raise ValueError(f"head must be 'gap' or 'flatten', got {head!r}")
    counts = _filters(filters, exactly=False)
    if height < 4 or width < 4:
        raise ValueError(f"input_shape {tuple(input_shape)} is too small: sides must be >= 4")
    body: list[keras.layers.Layer] = [keras.Input((height, width, channels), name="image")]
    for index, count in enumerate(counts, start=1):
        body.append(
            keras.layers.Conv2D(count, 3, activation="relu", padding="same", name=f"conv{index}")
        )
        if index <= 2:
            body.append(keras.layers.MaxPooling2D(2, name=f"pool{index}"))
    pooled = (
        keras.layers.GlobalAveragePooling2D(name="gap")
        if head == "gap"
        else keras.layers.Flatten(name="flatten")
    )
    return keras.Sequential(
        [*body, pooled, keras.layers.Dense(classes, activation="softmax", name="predictions")],
        name=f"{head}_convnet",
    )


def augmentation(
    *,
    flip: bool = True,
    rotation: float = 0.1,
    zoom: float = 0.2,
    translation: float = 0.1,
    seed: int | None = None,
) -> keras.Sequential:
    """Keras's random image layers in one block named ``augmentation``.

    ``RandomFlip("horizontal")`` (if ``flip``), ``RandomRotation(rotation)`` (a fraction of a
    full turn: 0.1 is up to 36 degrees either way), ``RandomZoom(zoom)`` and
    ``RandomTranslation(translation, translation)`` (fractions of the image's height and
    width); a factor of 0 leaves its layer out. Put the block first in a model: there the
    layers change the images only in training (``fit``) and pass them through unchanged in
    ``evaluate`` and ``predict``. Called on its own, the block augments unless it is given
    ``training=False``. ``seed`` seeds each layer's generator; without it they draw from
    Keras's global seed.

    >>> [layer.name for layer in augmentation().layers]
    ['flip', 'rotation', 'zoom', 'translation']
    >>> [layer.name for layer in augmentation(flip=False, zoom=0).layers]
    ['rotation', 'translation']
    """
    factors = {"rotation": rotation, "zoom": zoom, "translation": translation}
    for name, factor in factors.items():
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor < 1:
            raise ValueError(f"{name} must be a number in [0, 1), got {factor!r}")
    if seed is not None:
        seed = integer(seed, "seed", 0)
    layers: list[keras.layers.Layer] = []
    if flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed, name="flip"))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, seed=seed, name="rotation"))
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, seed=seed, name="zoom"))
    if translation:
        layers.append(
            keras.layers.RandomTranslation(translation, translation, seed=seed, name="translation")
        )
    if not layers:
        raise ValueError("augmentation needs at least one transformation (all were turned off)")
    return keras.Sequential(layers, name="augmentation")


def small_convnet(
    image_size: int = 64,
    *,
    filters: Sequence[int] = (32, 64, 128, 128),
    units: int = 256,
    augmentation: keras.layers.Layer | None = None,
    dropout: float = 0.0,
) -> keras.Sequential:
    """The classic small convnet for two classes of colour photos (cats and dogs, say).

    ``image`` (``image_size`` square, RGB, values 0-255) -> the ``augmentation`` layer if
    given -> ``rescale`` (to [0, 1]) -> blocks of a 3x3 ``valid`` ReLU convolution and a 2x2
    max pooling (``conv1``/``pool1``, ... one per entry of ``filters``, at least three) ->
    ``flatten`` -> ``dropout`` (rate ``dropout``, left out if 0) -> ``dense`` (``units``,
    ReLU) -> ``predictions`` (one sigmoid unit: the probability of class 1). Augmentation and
    dropout act only in training, so the four combinations share one body and one parameter
    count.

    >>> small_convnet().count_params()
    372417
    >>> plain, both = small_convnet(), small_convnet(augmentation=augmentation(), dropout=0.5)
    >>> [layer.name for layer in both.layers if layer.name not in {l.name for l in plain.layers}]
    ['augmentation', 'dropout']
    """
    size = integer(image_size, "image_size", 1)
    counts = _filters(filters, exactly=False)
    hidden = integer(units, "units", 1)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    if augmentation is not None and not isinstance(augmentation, keras.layers.Layer):
        raise ValueError(
            "augmentation must be a Keras layer such as cnnlib.models.augmentation(), "
            f"got {type(augmentation).__name__}"
        )
    side = size
    for _ in counts:
        side = (side - 2) // 2
        if side < 1:
            smallest = 1
            for _ in counts:
                smallest = 2 * smallest + 2
            raise ValueError(
                f"image_size {size} is too small for {len(counts)} blocks: it must be at "
                f"least {smallest}"
            )
    body: list[keras.layers.Layer] = [keras.Input((size, size, 3), name="image")]
    if augmentation is not None:
        body.append(augmentation)
    body.append(keras.layers.Rescaling(1 / 255, name="rescale"))
    for index, count in enumerate(counts, start=1):
        body.append(keras.layers.Conv2D(count, 3, activation="relu", name=f"conv{index}"))
        body.append(keras.layers.MaxPooling2D(2, name=f"pool{index}"))
    body.append(keras.layers.Flatten(name="flatten"))
    if dropout:
        body.append(keras.layers.Dropout(dropout, name="dropout"))
    body.append(keras.layers.Dense(hidden, activation="relu", name="dense"))
    body.append(keras.layers.Dense(1, activation="sigmoid", name="predictions"))
    return keras.Sequential(body, name="small_convnet")
