"""cnnlib.exercises: the checkers accept the right answers, and only those, and teach."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import scipy.signal

from cnnlib import kernels, ops
from cnnlib.exercises import Feedback, check_array, check_number, check_tuple
from cnnlib.exercises import chapter1 as check

# --- the checker pattern ------------------------------------------------------------------------


def test_feedback_reads_as_a_verdict_and_is_truthy_only_when_correct():
    assert repr(Feedback(True, "fine.")) == "Correct: fine."
    assert repr(Feedback(False, "again.")) == "Not yet: again."
    assert Feedback(True, "") and not Feedback(False, "")


@pytest.mark.parametrize("unanswered", [None, ...])
def test_an_unanswered_exercise_says_what_to_do(unanswered):
    for checker in (check_number, check_array, check_tuple):
        feedback = checker(unanswered, np.zeros(1) if checker is check_array else 1)
        assert not feedback.correct
        assert "replace None" in feedback.message


def test_answers_of_the_wrong_kind_get_a_hint_not_an_exception():
    assert "should be a number" in check_number("12", 12).message
    assert "should be a number" in check_number(True, 1).message
    assert "array of numbers" in check_array([[1, 2], [3]], np.zeros((2, 2))).message
    assert "whole numbers" in check_tuple((28.5, 28, 8), (28, 28, 8)).message
    assert "tuple of 3 integers" in check_tuple("28, 28, 8", (28, 28, 8)).message


def test_check_array_locates_the_first_wrong_value_without_revealing_it():
    feedback = check_array([[1, 2], [7, 9]], np.array([[1, 2], [3, 4]]))
    assert feedback.message == "2 of 4 values are wrong, the first at position (1, 0)."


def test_check_tuple_points_at_the_wrong_positions():
    assert check_tuple((28, 27, 8), (28, 28, 8)).message == "the number at position 1 is off."
    assert "should have 3 numbers" in check_tuple((28, 28), (28, 28, 8)).message


# --- chapter 1: the expected answers, computed independently ------------------------------------


def test_mirrored_l_answer_is_the_valid_cross_correlation():
    expected = scipy.signal.correlate2d(check.MIRRORED_L, check.VERTICAL_LINE, mode="valid")
    assert check.mirrored_l(expected).correct
    assert check.mirrored_l(expected.tolist()).correct


def test_mirrored_l_uses_the_chapters_image_and_filter():
    np.testing.assert_array_equal(check.VERTICAL_LINE, kernels.get("vertical_line"))
    np.testing.assert_array_equal(check.MIRRORED_L, np.fliplr(check.L_IMAGE))


def test_mirrored_l_answer_is_not_the_kernel_pasted():
    assert not check.mirrored_l(check.VERTICAL_LINE).correct
    assert not check.mirrored_l(-check.VERTICAL_LINE).correct


def test_shift_kernel_accepts_a_kernel_that_moves_the_image_right():
    kernel = np.zeros((3, 3))
    kernel[1, 0] = 1
    assert check.shift_kernel(kernel).correct


def test_two_layer_shape_answer_is_what_keras_builds():
    model = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5), keras.layers.Conv2D(32, 3)]
    )
    assert check.two_layer_shape(tuple(model.output_shape[1:])).correct


def test_second_layer_params_answer_is_what_keras_counts():
    model = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5), keras.layers.Conv2D(32, 3)]
    )
    assert check.second_layer_params(model.layers[1].count_params()).correct
    assert not check.second_layer_params(model.count_params()).correct


def test_flip_sensitive_answer_is_where_scipy_convolution_and_correlation_differ():
    image = np.random.default_rng(0).random((9, 9))
    differ = {
        name
        for name in kernels.NAMES
        if not np.allclose(
            scipy.signal.convolve2d(image, kernels.get(name), mode="valid"),
            scipy.signal.correlate2d(image, kernels.get(name), mode="valid"),
        )
    }
    assert differ == {"sobel_x", "sobel_y", "emboss", "vertical_line", "horizontal_line"}
    assert check.flip_sensitive(differ).correct
    assert check.flip_sensitive(sorted(differ)).correct  # a list will do


def test_second_difference_answer_is_numpy_correlate_with_zero_padding():
    padded = np.pad(check.SIGNAL, 1)
    expected = np.correlate(padded, check.SECOND_DIFFERENCE, mode="valid")
    assert check.second_difference(expected).correct


def test_grayscale_kernel_answer_computes_luma_with_conv2d():
    rgb = np.random.default_rng(0).random((1, 4, 4, 3))
    kernel = np.array(check.LUMA_WEIGHTS).reshape(1, 1, 3, 1)
    luma = rgb @ np.array(check.LUMA_WEIGHTS)
    np.testing.assert_allclose(ops.conv2d(rgb, kernel)[..., 0], luma)
    assert check.grayscale_kernel(kernel).correct


# --- chapter 1: typical mistakes get their hint -------------------------------------------------


@pytest.mark.parametrize(
    ("checker", "answer", "hint"),
    [
        (check.mirrored_l, [[2, 0], [1, 0]], "map of the original L"),
        (check.mirrored_l, [[0, 2], [0, 1]], "check their signs"),
        (check.mirrored_l, [[-2, 0], [-1, 0]], "check the positions"),
        (check.mirrored_l, [[0, -2], [0, 1]], "1 of 4 values is wrong"),
        (check.mirrored_l, [[0, -2, 0], [0, -1, 0]], "the shape should be (2, 2)"),
        (check.shift_kernel, [[0, 0, 0], [0, 0, 1], [0, 0, 0]], "to the left"),
        (check.shift_kernel, np.eye(3), "a single 1"),
        (check.shift_kernel, np.zeros((2, 2)), "should be 3x3"),
        (check.shift_kernel, "right", "3x3 array of numbers"),
        (check.two_layer_shape, (28, 28, 32), "shrinks the maps again"),
        (check.two_layer_shape, (30, 30, 32), "first layer's 5x5 window"),
        (check.two_layer_shape, (24, 24, 32), "kernel size minus one"),
        (check.two_layer_shape, (26, 26, 16), "filters of the last layer"),
        (check.two_layer_shape, (32, 26, 26), "channels last"),
        (check.second_layer_params, 896, "how many channels"),
        (check.second_layer_params, 4608, "without the biases"),
        (check.second_layer_params, 9216, "not one per weight"),
        (check.second_layer_params, 5856, "both layers"),
        (check.second_layer_params, 1216, "that is the first layer"),
        (check.flip_sensitive, {"sobel_x", "emboss", "vertical_line"}, "left to right only"),
        (check.flip_sensitive, {"sobel_y", "emboss", "horizontal_line"}, "upside down only"),
        (check.flip_sensitive, {"sobel_x", "laplacian"}, "looks the same when turned"),
        (
            check.flip_sensitive,
            {"sobel_x", "sobel_y", "vertical_line", "horizontal_line"},
            "1 more does",
        ),
        (check.flip_sensitive, set(), "the set is empty"),
        (check.flip_sensitive, {"sobel"}, "'sobel' is not a name"),
        (check.flip_sensitive, "sobel_x", "a set of kernel names"),
        (check.flip_sensitive, [1, 2], "a set of kernel names"),
        (check.second_difference, [5, -6, 7], "valid output"),
        (check.grayscale_kernel, [0.299, 0.587, 0.114], "four axes"),
        (check.grayscale_kernel, np.reshape([0.299, 0.587, 0.114], (1, 1, 1, 3)), "swapped"),
    ],
)
def test_typical_mistakes_get_a_hint(checker, answer, hint):
    feedback = checker(answer)
    assert not feedback.correct
    assert hint in feedback.message


@pytest.mark.parametrize(
    ("checker", "wrong", "secret"),
    [
        (check.second_difference, [-5, 5, -6, 7, 0], "-9"),
        (check.two_layer_shape, (26, 26, 31), "(26, 26, 32)"),
        (check.second_layer_params, 4641, "4640"),
        (check.second_layer_params, 4641, "4,640"),
        (check.flip_sensitive, {"sobel_x", "sobel_y", "vertical_line"}, "emboss"),
        (check.flip_sensitive, {"sobel_x", "sobel_y", "vertical_line"}, "horizontal_line"),
        (check.mirrored_l, [[0, 2], [0, 1]], "-2"),
    ],
)
def test_a_wrong_answer_never_reveals_the_right_one(checker, wrong, secret):
    assert secret not in checker(wrong).message


# --- chapter 1: the experiment with the learning rate -------------------------------------------


def steps_to_reach(losses: np.ndarray, target: float) -> int:
    """The first step (counted from 1) whose loss is at most ``target``; 0 if none is."""
    reached = np.flatnonzero(losses <= target)
    return int(reached[0]) + 1 if reached.size else 0


def gradient_descent_losses(seed: int, steps: int, learning_rate: float) -> np.ndarray:
    """The chapter's experiment without Keras: a 3x3 kernel and a bias learned from zeros by
    full-batch gradient descent on the mean squared error, the loss before each update."""
    inputs = np.random.default_rng(seed).random((16, 32, 32), dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(inputs, (3, 3), axis=(1, 2))
    features = np.concatenate(
        [windows.reshape(-1, 9), np.ones((windows.shape[0] * 30 * 30, 1))], axis=1
    ).astype(np.float64)
    targets = features[:, :9] @ kernels.get("sobel_x").ravel().astype(np.float64)
    weights = np.zeros(10)
    losses = []
    for _ in range(steps):
        residual = features @ weights - targets
        losses.append(np.mean(residual**2))
        weights -= learning_rate * 2 * features.T @ residual / len(residual)
    return np.array(losses)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_slower_learning_accepts_what_gradient_descent_gives(seed):
    chapter = gradient_descent_losses(seed, 300, 0.2)
    slower = gradient_descent_losses(seed, 6 * 300, 0.05)
    answer = steps_to_reach(slower, chapter[-1])
    feedback = check.slower_learning(answer, 300)
    assert feedback.correct, (answer, feedback.message)


def test_twice_the_chapters_learning_rate_diverges():
    losses = gradient_descent_losses(1, 20, 0.4)
    assert losses[-1] > 100 * losses[0]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_learning_rate_limit_is_about_one_and_a_half_times_the_chapters(seed):
    """What the chapter shows: 2 / (largest eigenvalue of the loss's Hessian) is about 0.30,
    1.5 times the chapter's 0.2; 1.4 times the rate converges, 1.6 times diverges."""
    windows = np.lib.stride_tricks.sliding_window_view(
        np.random.default_rng(seed).random((16, 32, 32), dtype=np.float32), (3, 3), axis=(1, 2)
    ).reshape(-1, 9)
    features = np.concatenate([windows, np.ones((len(windows), 1))], axis=1).astype(np.float64)
    hessian = 2 * features.T @ features / len(features)
    limit = 2 / np.linalg.eigvalsh(hessian).max()
    assert 1.45 < limit / 0.2 < 1.55
    assert gradient_descent_losses(seed, 100, 1.4 * 0.2)[-1] < 1e-3
    assert gradient_descent_losses(seed, 100, 1.6 * 0.2)[-1] > 1


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (0, "whole number from 1 up"),
        (1, "np.argmax returns 0"),
        (310, "chapter's own number of steps"),
        (600, "did you halve the learning rate"),
        (900, "fewer than honest runs need"),
        (3000, "more than honest runs need"),
        (1200.5, "whole number"),
        ("1200", "a number of steps"),
    ],
)
def test_slower_learning_explains_results_outside_the_range(answer, hint):
    feedback = check.slower_learning(answer, 300)
    assert not feedback.correct
    assert hint in feedback.message


def test_slower_learning_rejects_a_bad_chapter_step_count():
    with pytest.raises(ValueError, match="chapter_steps"):
        check.slower_learning(1200, 0)
    with pytest.raises(ValueError, match="chapter_steps"):
        check.slower_learning(1200, 300.5)
    with pytest.raises(ValueError, match="chapter_steps"):
        check.slower_learning(1200, True)
