"""Chapter 2's checkers, against what Keras layers really do: the right answers, computed
independently with Keras and TensorFlow, are accepted; each hinted mistake gets its hint; nothing
else passes. Among them the lengths that a strided `same` convolution maps to one output length
(and the transposed convolution going back), the experiment's measurement of the input pixels
that a stack of stride-2 layers never reads, and the Keras behaviour the chapter states."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnnlib.exercises import NOT_ANSWERED, chapter2


def never_read(padding: str, activation: str | None = None, ones: bool = True) -> np.ndarray:
    """Light up one pixel of a 28x28 input at a time; True where no output of the last of
    three 3x3, stride-2 layers changes."""
    size = chapter2.UNREAD_SIZE
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((size, size, 1))]
        + [
            keras.layers.Conv2D(
                1,
                3,
                strides=2,
                padding=padding,
                activation=activation,
                use_bias=False,
                kernel_initializer="ones" if ones else "glorot_uniform",
            )
            for _ in range(chapter2.UNREAD_LAYERS)
        ]
    )
    lit = np.eye(size * size, dtype="float32").reshape(-1, size, size, 1)
    outputs = model.predict(lit, verbose=0).reshape(size * size, -1)
    return ~outputs.any(axis=1)


def test_the_measured_unread_fraction_is_accepted():
    measured = float(never_read("valid").mean())
    assert chapter2.unread_fraction(measured)
    assert chapter2.unread_fraction(round(measured, 2))
    assert chapter2.unread_fraction(np.float32(measured))


def test_same_padding_reads_every_pixel_and_gets_its_hint():
    measured = float(never_read("same").mean())
    assert measured == 0
    feedback = chapter2.unread_fraction(measured)
    assert not feedback.correct
    assert "padding='same'" in feedback.message


def test_relu_with_random_weights_overcounts_and_is_told_why():
    measured = float(never_read("valid", activation="relu", ones=False).mean())
    exact = float(never_read("valid").mean())
    assert measured > exact + chapter2.UNREAD_TOLERANCE
    feedback = chapter2.unread_fraction(measured)
    assert not feedback.correct
    assert "activation" in feedback.message


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (1 - (27 / 28) ** 2, "first layer alone"),
        ((23 / 28) ** 2, "do reach"),
        (5 / 28, "rows"),
        (255, "number of pixels"),
        (1.5e3, "between 0 and 1"),
        (0.1, "less than"),
        ("0.33", "number"),
        (True, "number"),
    ],
)
def test_unread_fraction_mistakes_get_their_hint(wrong, words):
    feedback = chapter2.unread_fraction(wrong)
    assert not feedback.correct
    assert words in feedback.message


@pytest.mark.parametrize("guess", [1 / 3, 0.333, 0.334])
def test_a_round_third_is_told_to_measure(guess):
    feedback = chapter2.unread_fraction(guess)
    assert not feedback.correct
    assert "Measure it" in feedback.message


def test_the_overcount_hint_names_only_the_activation():
    """A zero-initialised bias and random weights without an activation leave the count as it
    is: only the activation can zero an output that a lit pixel reaches."""
    exact = float(never_read("valid").mean())
    assert float(never_read("valid", ones=False).mean()) == exact  # random weights, no ReLU
    message = chapter2.unread_fraction(0.4).message
    assert "activation" in message
    assert "bias or" not in message and "random weights" not in message


def test_unread_fraction_hints_never_give_the_fraction_away():
    exact = float(never_read("valid").mean())
    for wrong in (0.0, 0.07, 0.1, 0.179, 1 / 3, 0.5, 0.675, 0.9, 255):
        message = chapter2.unread_fraction(wrong).message
        assert f"{exact:.3f}" not in message and f"{exact:.2f}" not in message


def test_the_window_pictures_agree_on_colours_and_leave_padding_blank():
    """Chapter 2 shows conv_windows beside padded_grid: the first window is blue in both and
    the last orange, and padding cells carry no label that could pass for pixel index 0."""
    import matplotlib.colors
    import matplotlib.pyplot as plt

    from cnnlib import viz

    fig, (left, right) = plt.subplots(1, 2)
    viz.conv_windows(5, kernel=3, stride=2, padding="same", ax=left)  # 3 windows
    viz.padded_grid(5, 5, kernel=3, stride=2, padding="same", ax=right)
    taps = [p for p in left.patches if p.get_width() == pytest.approx(0.8)]
    row_colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in taps[::3]]
    frames = [p for p in right.patches if not p.get_fill()]  # first window, then last
    frame_colours = [matplotlib.colors.to_hex(p.get_edgecolor()) for p in frames]
    assert row_colours[0] == frame_colours[0]
    assert row_colours[-1] == frame_colours[-1]
    assert len(set(row_colours)) == 3
    labels = [t.get_text() for t in left.texts]
    assert labels.count("0") == 1  # pixel 0 only, not the padding cell before it
    plt.close(fig)


def test_conv2d_transpose_goes_back_to_each_of_the_lengths():
    """The praise says: one length per output_padding from 0 to 3 (stride 4)."""
    lengths = []
    for extra in range(4):
        layer = keras.layers.Conv2DTranspose(1, 3, strides=4, padding="same", output_padding=extra)
        lengths.append(int(layer(np.zeros((1, 5, 5, 1), "float32")).shape[1]))
    assert chapter2.inputs_for_output(tuple(lengths))
    assert chapter2.inputs_for_output(set(lengths))  # a set is fine too


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        ((17, 18), "not alone"),
        ((16, 17, 18, 19), "ceil(16 / 4) = 4"),
        ((19, 20, 21, 22), "padding='valid'"),
        ((7, 8), "not 5"),
    ],
)
def test_inputs_for_output_mistakes_get_their_hint(wrong, words):
    feedback = chapter2.inputs_for_output(wrong)
    assert not feedback.correct
    assert words in feedback.message


def test_valid_lengths_in_the_hint_are_what_keras_gives():
    lengths = tuple(
        n
        for n in range(3, 40)
        if keras.layers.Conv2D(1, (3, 1), strides=(4, 1))(np.zeros((1, n, 1, 1), "float32")).shape[
            1
        ]
        == 5
    )
    assert "padding='valid'" in chapter2.inputs_for_output(lengths).message


def test_keras_rejects_a_stride_and_a_dilation_in_one_layer():
    """The chapter says: dilation_rate or strides greater than 1 in one layer, not both."""
    with pytest.raises(ValueError, match="dilation_rate"):
        keras.layers.Conv2D(1, 3, strides=2, dilation_rate=2)(np.zeros((1, 9, 9, 1), "float32"))


def shape_of(layers, input_shape):
    model = keras.Sequential([keras.Input(input_shape), *layers])
    return tuple(model.output_shape[1:])


def test_chapter2_right_answers_come_from_real_layers():
    assert chapter2.strided_shape(shape_of([keras.layers.Conv2D(16, 5, strides=2)], (64, 64, 3)))
    # the padding Keras applies, read off a kernel that copies the pixel under its first tap
    column = np.arange(1, 8, dtype="float32").reshape(1, 7, 1, 1)
    first_tap = np.zeros((4, 1, 1, 1), "float32")
    first_tap[0] = 1
    starts = keras.ops.convert_to_numpy(
        keras.ops.conv(column, first_tap, strides=2, padding="same")
    ).ravel()
    before = int(1 - starts[0])  # the first window starts `before` pixels above pixel 1
    total = (4 - 1) * 2 + 4 - 7
    assert chapter2.same_padding((before, total - before))
    span = keras.layers.Conv2D(1, 3, dilation_rate=3)
    assert span(np.zeros((1, 7, 7, 1), "float32")).shape[1] == 1  # a 7-wide view
    assert chapter2.dilation_for_span(3)
    lengths = tuple(
        n
        for n in range(1, 40)
        if shape_of([keras.layers.Conv2D(1, 3, strides=4, padding="same")], (n, 1, 1))[0] == 5
    )
    assert chapter2.inputs_for_output(lengths)
    assert chapter2.inputs_for_output(list(reversed(lengths)))  # order does not matter
    stack = [
        keras.layers.Conv2D(1, 5),
        keras.layers.Conv2D(1, 3, strides=2),
        keras.layers.Conv2D(1, 3, strides=2, padding="same"),
    ]
    assert chapter2.stack_output(shape_of(stack, (100, 100, 1))[0])


@pytest.mark.parametrize(
    ("checker", "wrong", "words"),
    [
        (chapter2.strided_shape, (32, 32, 16), "same"),
        (chapter2.strided_shape, (60, 60, 16), "stride 1"),
        (chapter2.same_padding, (2, 1), "larger half after"),
        (chapter2.dilation_for_span, 2, "spans"),
        (chapter2.inputs_for_output, (20,), "not alone"),
        (chapter2.stack_output, 23, "ceil"),
    ],
)
def test_typical_mistakes_get_their_hint(checker, wrong, words):
    feedback = checker(wrong)
    assert not feedback.correct
    assert words in feedback.message


@pytest.mark.parametrize(
    "checker",
    [
        chapter2.strided_shape,
        chapter2.same_padding,
        chapter2.dilation_for_span,
        chapter2.inputs_for_output,
        chapter2.stack_output,
        chapter2.unread_fraction,
    ],
)
def test_unanswered_and_nonsense_answers_are_not_correct(checker):
    assert checker(None) is NOT_ANSWERED
    for nonsense in ("ten", 12345, (1, 2, 3, 4, 5), [[0.5]]):
        assert not checker(nonsense).correct
