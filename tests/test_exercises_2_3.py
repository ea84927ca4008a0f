"""Chapter 2's checkers: the right answers, computed independently with Keras and TensorFlow,
are accepted; each hinted mistake gets its hint; nothing else passes. (Chapter 3's are in
test_exercises_ch3.py.)"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnnlib.exercises import chapter2


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
    ],
)
def test_unanswered_and_nonsense_answers_are_not_correct(checker):
    assert "replace None" in checker(None).message
    for nonsense in ("ten", 12345, (1, 2, 3, 4, 5), [[0.5]]):
        assert not checker(nonsense).correct
