"""Chapter 6's exercise checkers: right answers computed independently pass, typical mistakes
get their hint, wrong answers never reveal the right one, and an unanswered cell shows nothing."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import arithmetic, models, viz
from cnnlib.exercises import NOT_ANSWERED
from cnnlib.exercises import chapter6 as check

CHECKERS = [
    check.glorot_limit,
    check.scale_shades,
    check.largest_response,
    check.conv4_receptive_field,
    check.best_patch,
    check.other_photo_dark_maps,
]


@pytest.mark.parametrize("checker", CHECKERS)
def test_chapter6_unanswered_cells_show_nothing(checker):
    assert checker(None) is NOT_ANSWERED


def test_glorot_limit_accepts_the_range_keras_draws_from():
    # Of 18,432 weights drawn uniformly, the largest lies within 0.01% of the limit.
    layer = keras.layers.Conv2D(64, 3)
    layer.build((None, 13, 13, 32))
    largest = float(np.abs(layer.kernel.numpy()).max())
    assert check.glorot_limit(largest)
    assert check.glorot_limit(float(np.sqrt(6 / (3 * 3 * 32 + 3 * 3 * 64))))


def _filters_a_and_b() -> np.ndarray:
    """Filters A and B as one kernel, each holding its extreme weights at (0, 0) and (0, 1)."""
    kernel = np.zeros((3, 3, 1, 2))
    kernel[0, :2, 0, 0] = check.FILTER_A
    kernel[0, :2, 0, 1] = check.FILTER_B
    return kernel


def _shade_drawn(kernel: np.ndarray, scale: str, index: int, value: float) -> float:
    """The shade (0 to 1) that viz.filter_grid gives ``value`` in the tile of filter ``index``."""
    image = viz.filter_grid(kernel, scale=scale, ncols=2).axes[0].images[0]
    tile = np.asarray(image.get_array())[:3, 4 * index : 4 * index + 3]
    (row,), (col,) = np.nonzero(np.isclose(kernel[:, :, 0, index], value))
    return float(image.norm(tile[row, col]))


def test_scale_shades_accepts_what_filter_grid_draws():
    kernel = _filters_a_and_b()
    own = _shade_drawn(kernel, "each", 0, check.FILTER_A[0])
    shared = _shade_drawn(kernel, "shared", 0, check.FILTER_A[1])
    assert check.scale_shades((own, shared))
    assert check.scale_shades([own, shared])


def test_scale_shades_on_its_own_scale_a_weak_filter_looks_like_a_strong_one():
    kernel = _filters_a_and_b()
    weak = _shade_drawn(kernel, "each", 0, check.FILTER_A[0])
    strong = _shade_drawn(kernel, "each", 1, check.FILTER_B[0])
    assert weak == pytest.approx(strong)


def test_largest_response_accepts_the_best_patch_found_by_brute_force():
    # Every black-and-white 3x3 patch: the response is linear in each pixel, so its largest
    # value over pixels in [0, 1] is reached with every pixel at 0 or 1.
    bits = (np.arange(2**9)[:, None] >> np.arange(9)) & 1
    responses = bits @ check.DARK_WEIGHTS.ravel() + check.DARK_BIAS
    assert check.largest_response(float(responses.max()))


def test_largest_response_matches_keras_on_the_best_patch():
    conv = keras.layers.Conv2D(1, 3)
    conv.build((None, 3, 3, 1))
    conv.set_weights([check.DARK_WEIGHTS[:, :, None, None], np.array([check.DARK_BIAS])])
    patch = (check.DARK_WEIGHTS > 0).astype("float32")[None, :, :, None]
    assert check.largest_response(float(conv(patch).numpy().ravel()[0]))


def test_conv4_receptive_field_accepts_cnnlibs_receptive_field():
    model = models.small_convnet(64)
    names = ["conv1", "pool1", "conv2", "pool2", "conv3", "pool3", "conv4"]
    rows = arithmetic.receptive_field([model.get_layer(name) for name in names])
    assert check.conv4_receptive_field(rows[-1].size)


def test_conv4_receptive_field_is_where_the_gradient_reaches():
    # A linear stand-in with the model's geometry: a conv4 value at the top-left corner depends
    # on exactly the first 38 rows and columns of the input.
    layers = [keras.Input((64, 64, 1))]
    for index in range(1, 5):
        layers.append(keras.layers.Conv2D(1, 3, kernel_initializer="ones", name=f"c{index}"))
        if index < 4:
            layers.append(keras.layers.AveragePooling2D(2))
    model = keras.Sequential(layers)
    image = tf.Variable(np.ones((1, 64, 64, 1), "float32"))
    with tf.GradientTape() as tape:
        corner = model(image)[0, 0, 0, 0]
    gradient = tape.gradient(corner, image).numpy()[0, :, :, 0]
    rows, cols = np.nonzero(gradient)
    side = int(rows.max()) + 1
    assert side == int(cols.max()) + 1
    assert check.conv4_receptive_field(side)


def test_best_patch_accepts_the_normalised_gradient():
    # The gradient of the centre response of a Keras convolution is the filter: normalise it.
    conv = keras.layers.Conv2D(1, 3, use_bias=False)
    conv.build((None, 3, 3, 1))
    conv.set_weights([check.WEIGHTS[:, :, np.newaxis, np.newaxis]])
    patch = tf.Variable(np.zeros((1, 3, 3, 1), "float32"))
    with tf.GradientTape() as tape:
        response = tf.reduce_sum(conv(patch))
    gradient = tape.gradient(response, patch).numpy()[0, :, :, 0]
    assert check.best_patch(gradient / np.linalg.norm(gradient))


@pytest.mark.parametrize(
    "answer",
    [
        [0.062, 0.203, 0.297, 0.656],  # the astronaut, this chapter's model
        [0.188, 0.281, 0.414, 0.695],  # the cat
        (0.125, 0.219, 0.406, 0.742),  # coffee
        np.array([0.031, 0.062, 0.305, 0.602]),  # the cat, an earlier recipe (12 epochs)
        np.array([2, 13, 38, 84]) / np.array(check.CONV_FILTERS),  # unrounded, as an array
        [np.float32(2 / 32), 13 / 64, 0.297, 84 / 128],  # mixed forms, some rounded
        [3 / 32, 20 / 64, 30 / 128, 90 / 128],  # conv3 dips below conv2, within the slack
    ],
)
def test_other_photo_dark_maps_accepts_the_range_of_honest_runs(answer):
    assert check.other_photo_dark_maps(answer)


def test_conv_filters_are_the_chapters_model():
    model = models.small_convnet(64)
    counts = tuple(model.get_layer(f"conv{i}").filters for i in range(1, 5))
    assert counts == check.CONV_FILTERS


@pytest.mark.parametrize(
    ("checker", "answer", "hint"),
    [
        ("glorot_limit", np.sqrt(6 / (288 + 64)), "not the number of filters alone"),
        ("glorot_limit", np.sqrt(6 / (9 + 576)), "32 channels"),
        ("glorot_limit", np.sqrt(6 / (9 + 288)), "conv1's limit"),
        ("glorot_limit", np.sqrt(6 / 864) / np.sqrt(3), "standard deviation"),
        ("glorot_limit", 6 / 864, "square root"),
        ("glorot_limit", np.sqrt(6 / 288), "fan in alone"),
        ("scale_shades", (0.0, 0.347), "(a) the bottom of filter_grid's scale"),
        ("scale_shades", (0.5, 0.51), "(a) 0.5 is the shade of a weight of zero"),
        ("scale_shades", (-0.5, 0.51), "(a) that is the weight divided by m"),
        ("scale_shades", (0.495, 0.51), "(a) that uses the shared scale"),
        ("scale_shades", (0.25, 1.0), "(a) is right; (b) that is the shade on A's own"),
        ("scale_shades", (0.25, 0.02), "(a) is right; (b) that is w / m"),
        ("scale_shades", (0.25, 0.52 / 1.5), "(a) is right; (b) that is a stretch"),
        ("scale_shades", (0.25, 0.52), "not the absolute value of the smallest"),
        ("scale_shades", 0.333, "a pair of numbers"),
        ("scale_shades", (0.3, 0.3, 0.3), "a pair of numbers"),
        ("largest_response", 0.0, "after the ReLU"),
        ("largest_response", -1.6, "all-white patch"),
        ("largest_response", -0.6, "all-black patch"),
        ("largest_response", 1.4, "cannot be negative"),
        ("largest_response", 0.5, "add the bias"),
        ("largest_response", -1.0, "without the bias"),
        ("largest_response", "-0.1", "should be a number"),
        ("conv4_receptive_field", 9, "doubles the distance"),
        ("conv4_receptive_field", 46, "pool4 comes after conv4"),
        ("conv4_receptive_field", 22, "pool3's field"),
        ("conv4_receptive_field", 4, "size of conv4's map"),
        ("best_patch", [[1, 2, 0], [0, 2, -1], [-2, 0, 1]], "norm is not 1"),
        ("best_patch", np.array([[1, 1, 0], [0, 1, -1], [-1, 0, 1]]) / 3, "signs are right"),
        ("best_patch", "the filter", "array of numbers"),
        ("best_patch", np.zeros((3, 3)), "values are wrong"),
        ("other_photo_dark_maps", [19 / 32, 47 / 64, 117 / 128, 108 / 128], "almost black"),
        ("other_photo_dark_maps", [24 / 32, 57 / 64, 120 / 128, 120 / 128], "zero values"),
        ("other_photo_dark_maps", [0.0, 0.0, 17 / 128, 42 / 128], "untrained model"),
        ("other_photo_dark_maps", [2, 13, 38, 84], "divide the number of dark maps"),
        ("other_photo_dark_maps", [21 / 32, 19 / 64, 26 / 128, 8 / 128], "almost black"),
        ("other_photo_dark_maps", [10 / 32, 13 / 64, 13 / 128, 6 / 128], "should grow"),
        ("other_photo_dark_maps", [3 / 32, 13 / 64, 38 / 128, 127 / 128], "outside what"),
        # Every value is checked (issue 24): a conv2 or conv3 out of line, or a share that is
        # no whole number of maps, is caught even when conv1 and conv4 look right.
        ("other_photo_dark_maps", [0.1, 0.9, 0.0, 0.5], "not a share of its 32 maps"),
        ("other_photo_dark_maps", [2 / 32, 58 / 64, 0.0, 84 / 128], "out of line with conv1"),
        ("other_photo_dark_maps", [2 / 32, 13 / 64, 0.0, 84 / 128], "conv3's 0% is out of line"),
        ("other_photo_dark_maps", [2 / 32, 0.3, 38 / 128, 84 / 128], "conv2's 0.3 is not"),
        ("other_photo_dark_maps", [2 / 32, 13 / 64, 38 / 128, float("nan")], "diverged"),
        ("other_photo_dark_maps", [2 / 32, 13 / 64, np.inf, 84 / 128], "not a finite"),
        ("other_photo_dark_maps", [0.1, 0.2, 0.3], "four fractions"),
        ("other_photo_dark_maps", "0.1 0.2 0.3 0.6", "four fractions"),
        ("other_photo_dark_maps", 0.66, "four fractions"),
    ],
)
def test_chapter6_typical_mistakes_get_a_hint(checker, answer, hint):
    feedback = getattr(check, checker)(answer)
    assert not feedback.correct
    assert hint in feedback.message


def test_chapter6_wrong_answers_do_not_reveal_the_right_ones():
    for wrong in (0.1, 0.05, np.sqrt(6 / 352)):
        assert "0.083" not in check.glorot_limit(wrong).message
    for wrong in ((0.5, 0.5), (0.25, 0.5), (0.2, 1.0), (1 / 3, 0.347)):
        message = check.scale_shades(wrong).message
        assert "0.25" not in message and "0.51" not in message, message
    for wrong in (0.0, 0.5, -1.6, 1.4, -0.3):
        message = check.largest_response(wrong).message
        assert "-0.1" not in message, message
    for wrong in (9, 20, 37, 46, 64):
        assert "38" not in check.conv4_receptive_field(wrong).message
    for wrong in (np.eye(3), np.ones((3, 3)) / 3, check.WEIGHTS / 2):
        message = check.best_patch(wrong).message
        assert not any(value in message for value in ("0.258", "0.516", "3.87")), message
