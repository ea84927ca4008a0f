"""Checkers judge the answer, not its type (issue 24): every right answer is accepted in each of
the forms a learner's code produces it in (Python numbers, NumPy scalars and arrays, TensorFlow
tensors, tuples, lists, ranges, a layer's ``TensorShape``), and wrong ones are still wrong."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import layers, ops
from cnnlib.exercises import (
    NOT_ANSWERED,
    as_integers,
    as_scalar,
    chapter1,
    chapter2,
    chapter3,
    chapter4,
    chapter5,
    chapter6,
    chapter7,
    chapter8,
)

# --- the forms ----------------------------------------------------------------------------------

SCALAR_FORMS = {
    "python": lambda x: x,
    "float": float,
    "numpy float64": np.float64,
    "numpy float32": np.float32,
    "0-d array": np.array,
    "array of one value": lambda x: np.array([[x]]),
    "tf scalar (EagerTensor)": tf.constant,
    "tf float32 scalar": lambda x: tf.constant(x, dtype=tf.float32),
    "tf (1, 1, 1, 1) tensor": lambda x: tf.reshape(tf.constant(float(x)), (1, 1, 1, 1)),
}
INTEGER_FORMS = {
    **SCALAR_FORMS,
    "numpy int64": np.int64,
    "numpy int32": np.int32,
    "tf int32": lambda x: tf.constant(int(x), dtype=tf.int32),
}
SEQUENCE_FORMS = {
    "tuple": tuple,
    "list": list,
    "int array": lambda v: np.array(v, dtype=int),
    "float array": lambda v: np.array(v, dtype=float),
    "list of numpy ints": lambda v: [np.int64(x) for x in v],
    "tf int32 tensor": lambda v: tf.constant(v, dtype=tf.int32),
    "tf float tensor": lambda v: tf.constant(v, dtype=tf.float32),
    "TensorShape": tf.TensorShape,
    "list of tf scalars": lambda v: [tf.constant(x) for x in v],
}
ARRAY_FORMS = {
    "list of lists": lambda a: np.asarray(a).tolist(),
    "float64 array": lambda a: np.asarray(a, dtype=np.float64),
    "float32 array": lambda a: np.asarray(a, dtype=np.float32),
    "tf tensor": lambda a: tf.constant(np.asarray(a, dtype=np.float32)),
}

# --- right answers, computed here or by the libraries -------------------------------------------


def _conv_shape(*stack, image=(32, 32, 3)):
    model = keras.Sequential([keras.Input(image), *stack])
    return model.output_shape[1:]


SCALAR_ANSWERS = [
    (chapter1.second_layer_params, 4640),
    (chapter2.dilation_for_span, 3),
    (chapter2.stack_output, 24),
    (chapter3.l2_window, 5.0),
    (chapter3.receptive_field, 10),
    (chapter3.bigger_image_flatten, 6400),
    (chapter4.conv2_params, 9280),
    (chapter4.dense_params_32, 65600),
    (chapter4.accuracy_from_confusion, 142 / 150),
    (chapter5.dense_params_96, 524544),
    (chapter5.dropout_rate, 0.2),
    (chapter5.checkpoint_epoch, 7),
    (chapter6.glorot_limit, float(np.sqrt(6 / 864))),
    (chapter6.largest_response, -0.1),
    (chapter6.conv4_receptive_field, 38),
    (chapter7.blog_model_params, 4385),
    (chapter7.psnr_average_gap, 20 - 10 * np.log10(1 / 0.0505)),
]
SEQUENCE_ANSWERS = [
    (chapter1.two_layer_shape, (26, 26, 32)),
    (chapter2.strided_shape, (30, 30, 16)),
    (chapter2.same_padding, (1, 2)),
    (chapter2.inputs_for_output, (17, 18, 19, 20)),
    (chapter4.pool2_shape, (6, 6, 64)),
    (chapter7.valid_decoder_sides, (20, 28, 36)),
    (chapter7.transpose_layer, (2064, 16, 14)),
    (chapter8.c3_distinct_maps, (16, 1)),
    (chapter8.c5_output_shape, (3, 3, 120)),
]
ARRAY_ANSWERS = [
    (chapter1.mirrored_l, [[0, -2], [0, -1]]),
    (chapter1.second_difference, [-5, 5, -6, 7, -9]),
    (chapter1.grayscale_kernel, np.array(chapter1.LUMA_WEIGHTS).reshape(1, 1, 3, 1)),
    (
        chapter3.overlapping_max_pool,
        ops.pool2d(chapter3.OVERLAP_MAP.reshape(1, 5, 5, 1), 3, 2)[0, :, :, 0],
    ),
    (chapter4.combined_kernel, [1, 2, 3, 2, 1]),
    (chapter6.best_patch, chapter6.WEIGHTS / np.linalg.norm(chapter6.WEIGHTS)),
    (chapter7.overlap_counts, [1, 1, 2, 2, 3, 2, 3, 2, 2, 1, 1]),
    (chapter8.cam_by_hand, chapter8.FEATURES @ chapter8.CLASS_WEIGHTS[:, 1]),
]


@pytest.mark.parametrize(
    ("checker", "value", "form"),
    [
        (checker, value, form)
        for checker, value in SCALAR_ANSWERS
        # an integer form of a fraction is another number
        for form in (INTEGER_FORMS if float(value).is_integer() else SCALAR_FORMS)
    ],
    ids=lambda x: str(x)[:30],
)
def test_a_right_number_is_right_in_every_form(checker, value, form):
    feedback = checker(INTEGER_FORMS[form](value))
    assert feedback.correct, (form, feedback)


@pytest.mark.parametrize("form", SEQUENCE_FORMS)
@pytest.mark.parametrize(("checker", "value"), SEQUENCE_ANSWERS, ids=lambda x: str(x)[:30])
def test_a_right_sequence_is_right_in_every_form(checker, value, form):
    feedback = checker(SEQUENCE_FORMS[form](value))
    assert feedback.correct, (form, feedback)


@pytest.mark.parametrize("form", ARRAY_FORMS)
@pytest.mark.parametrize(("checker", "value"), ARRAY_ANSWERS, ids=lambda x: str(x)[:30])
def test_a_right_array_is_right_in_every_form(checker, value, form):
    feedback = checker(ARRAY_FORMS[form](value))
    assert feedback.correct, (form, feedback)


def test_the_forms_the_issue_found_rejected_are_accepted():
    conv = keras.layers.Conv2D(16, 5, strides=2)
    assert chapter2.strided_shape(conv(np.zeros((1, 64, 64, 3))).shape[1:])
    assert chapter1.two_layer_shape(np.array([26, 26, 32]))
    assert chapter2.inputs_for_output(range(17, 21))
    assert chapter2.inputs_for_output({20, 19, 18, 17})
    pooled = layers.L2Pooling2D(2)(chapter3.WINDOW.reshape(1, 2, 2, 1).astype("float32"))
    assert chapter3.l2_window(pooled)
    assert chapter3.l2_window(pooled[0, 0, 0, 0])
    sides = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5)])
    shape = keras.Sequential([sides, keras.layers.Conv2D(32, 3)]).output_shape[1:]
    assert chapter1.two_layer_shape(shape)


# --- and the wrong ones stay wrong --------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(0, len(SCALAR_ANSWERS) - 1),
    offset=st.floats(0.02, 1e4) | st.floats(-1e4, -0.02),
    form=st.sampled_from(sorted(SCALAR_FORMS)),
)
def test_a_wrong_number_is_wrong_in_every_form(index, offset, form):
    checker, value = SCALAR_ANSWERS[index]
    wrong = value + offset * max(1.0, abs(value))
    assert not checker(SCALAR_FORMS[form](wrong)).correct


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(0, len(SEQUENCE_ANSWERS) - 1),
    position=st.integers(0, 3),
    offset=st.integers(1, 50),
    form=st.sampled_from(sorted(SEQUENCE_FORMS)),
)
def test_a_wrong_sequence_is_wrong_in_every_form(index, position, offset, form):
    checker, value = SEQUENCE_ANSWERS[index]
    wrong = list(value)
    wrong[position % len(wrong)] += offset
    assert not checker(SEQUENCE_FORMS[form](wrong)).correct


@pytest.mark.parametrize(
    "nonsense",
    ["26, 26, 32", b"abc", {"a": 1}, True, [True, False, True], [26, "26", 32], object()],
)
def test_nonsense_gets_feedback_not_an_exception(nonsense):
    for checker, _ in SEQUENCE_ANSWERS:
        assert not checker(nonsense).correct
    for checker, _ in SCALAR_ANSWERS:
        assert not checker(nonsense).correct
    for checker, _ in ARRAY_ANSWERS:
        assert not checker(nonsense).correct


def test_the_helpers_read_every_form_and_refuse_booleans():
    assert as_scalar(tf.constant([[2.5]])) == 2.5
    assert as_scalar(True) is None and as_scalar(np.bool_(True)) is None
    assert as_scalar(np.array([1, 2])) is None
    assert as_integers(tf.TensorShape([None, 3])) == "the answer should hold integers only."
    assert as_integers({3, 1, 2}, ordered=False) == (1, 2, 3)
    assert isinstance(as_integers({3, 1, 2}), str)
    assert isinstance(as_integers([1.5, 2]), str)
    assert chapter2.strided_shape(None) is NOT_ANSWERED
