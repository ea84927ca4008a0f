"""cnnlib for Chapter 6: activation models, dark maps, filter patterns, and their figures."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnlib import models, ops, runtime, visualize, viz


@pytest.fixture(scope="module")
def mnist_model():
    runtime.seed(3)
    return models.mnist_convnet()


@pytest.fixture(scope="module")
def photo_model():
    runtime.seed(4)
    return models.small_convnet(
        40, filters=(8, 8, 16), units=8, augmentation=models.augmentation(seed=1), dropout=0.5
    )


def test_activation_model_defaults_to_every_convolution_and_pooling(photo_model):
    probe = visualize.activation_model(photo_model)
    assert len(probe.outputs) == 6
    assert [tuple(o.shape[1:]) for o in probe.outputs] == [
        (38, 38, 8), (19, 19, 8), (17, 17, 8), (8, 8, 8), (6, 6, 16), (3, 3, 16)
    ]  # fmt: skip
    head = sum(photo_model.get_layer(name).count_params() for name in ("dense", "predictions"))
    assert probe.count_params() == photo_model.count_params() - head  # shared, not copied
    assert probe.get_layer("conv1") is photo_model.get_layer("conv1")


def test_the_maps_are_those_keras_computes_and_numpy_recomputes(mnist_model):
    rng = np.random.default_rng(0)
    image = rng.random((28, 28, 1)).astype(np.float32)
    maps = visualize.layer_activations(mnist_model, image)
    assert list(maps) == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    kernel, bias = mnist_model.get_layer("conv1").get_weights()
    expected = np.maximum(ops.conv2d(image[np.newaxis], kernel, bias), 0)[0]
    np.testing.assert_allclose(maps["conv1"], expected, atol=1e-5)
    np.testing.assert_allclose(
        maps["pool1"], ops.pool2d(maps["conv1"][np.newaxis], 2, mode="max")[0], atol=1e-6
    )
    # The last feature maps, fed through the rest of the model, give the model's prediction.
    head = keras.Sequential(mnist_model.layers[-3:])
    np.testing.assert_allclose(
        head(maps["conv3"][np.newaxis]).numpy(),
        mnist_model.predict(image[np.newaxis], verbose=0),
        atol=1e-5,
    )


def test_augmentation_and_dropout_are_off_in_the_activation_model(photo_model):
    image = np.random.default_rng(1).uniform(0, 255, (40, 40, 3))
    first = visualize.layer_activations(photo_model, image, ["pool3"])["pool3"]
    second = visualize.layer_activations(photo_model, image, ["pool3"])["pool3"]
    np.testing.assert_array_equal(first, second)
    features = keras.Model(photo_model.inputs[0], photo_model.get_layer("pool3").output)
    np.testing.assert_allclose(first, features.predict(image[np.newaxis], verbose=0)[0], atol=1e-5)


def test_a_two_dimensional_image_is_accepted_for_one_channel_models(mnist_model):
    flat = visualize.layer_activations(mnist_model, np.ones((28, 28)), ["conv1"])
    full = visualize.layer_activations(mnist_model, np.ones((28, 28, 1)), ["conv1"])
    np.testing.assert_array_equal(flat["conv1"], full["conv1"])


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=3, max_dims=3, max_side=6),
               elements=st.sampled_from([0.0, 0.0, 1.5, -2.0]))
)  # fmt: skip
@settings(max_examples=60, deadline=None)
def test_dark_fraction_counts_the_maps_that_are_zero_everywhere(maps):
    dark = sum(not maps[..., c].any() for c in range(maps.shape[2]))
    assert visualize.dark_fraction(maps) == pytest.approx(dark / maps.shape[2])


def test_gradient_ascent_raises_each_filters_mean_activation(photo_model):
    found = visualize.filter_patterns(
        photo_model, "conv3", [0, 3, 15], steps=15, value_range=(0, 255), seed=2
    )
    assert found.images.shape == (3, 40, 40, 3)
    assert found.images.min() >= 0 and found.images.max() <= 255
    assert np.all(found.end > found.start)
    # ``end`` is the filter's mean response before the ReLU, recomputed here in NumPy.
    below = keras.Model(photo_model.inputs[0], photo_model.get_layer("conv3").input)
    kernel, bias = photo_model.get_layer("conv3").get_weights()
    responses = ops.conv2d(below.predict(found.images, verbose=0), kernel, bias)
    measured = [responses[i, ..., f].mean() for i, f in enumerate([0, 3, 15])]
    np.testing.assert_allclose(found.end, measured, rtol=1e-4, atol=1e-5)
    # After the ReLU too, each filter's mean activation is higher on its pattern than on the
    # noise it started from, including filters that the noise left silent.
    noise = np.random.default_rng(2).uniform(0.4, 0.6, (3, 40, 40, 3)) * 255
    for index, f in enumerate([0, 3, 15]):
        before = visualize.layer_activations(photo_model, noise[index], ["conv3"])["conv3"]
        after = visualize.layer_activations(photo_model, found.images[index], ["conv3"])["conv3"]
        assert after[..., f].mean() > before[..., f].mean()


def test_gradient_ascent_is_repeatable_and_its_filters_are_independent(mnist_model):
    both = visualize.filter_patterns(mnist_model, "conv2", [1, 7], steps=4, seed=5)
    again = visualize.filter_patterns(mnist_model, "conv2", [1, 7], steps=4, seed=5)
    np.testing.assert_array_equal(both.images, again.images)
    # Alone, filter 1 starts from the same noise and climbs the same way: the batch is only
    # a way to climb for several filters at once.
    alone = visualize.filter_patterns(mnist_model, "conv2", [1], steps=4, seed=5)
    np.testing.assert_allclose(alone.images[0], both.images[0], atol=1e-5)
    assert np.all(both.images >= 0) and np.all(both.images <= 1)


def test_stretch_maps_each_image_to_the_unit_range():
    batch = np.stack([np.linspace(0, 10, 16).reshape(4, 4), np.full((4, 4), 3.0)])
    stretched = visualize.stretch(batch, percentile=0)
    assert stretched[0].min() == 0 and stretched[0].max() == 1
    assert np.all(stretched[1] == 0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: visualize.activation_model("model"), "model must be a Keras model"),
        (lambda m: visualize.activation_model(keras.Sequential()), "built on one keras.Input"),
        (lambda m: visualize.activation_model(m, "conv1"), "non-empty list of names"),
        (lambda m: visualize.activation_model(m, ["conv9"]), r"\['conv9'\] are not layers"),
        (
            lambda m: visualize.activation_model(
                keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            ),
            "no convolution or pooling layer",
        ),
        (lambda m: visualize.layer_activations(m, np.zeros((28, 27))), "input shape"),
        (lambda m: visualize.dark_fraction(np.zeros((2, 2))), "maps must be"),
        (lambda m: visualize.dark_fraction(np.full((2, 2, 1), np.nan)), "finite"),
        (lambda m: visualize.filter_patterns(m, "dense", [0]), "must be a Conv2D layer"),
        (lambda m: visualize.filter_patterns(m, "pool1", [0]), "must be a Conv2D layer"),
        (lambda m: visualize.filter_patterns(m, ["conv1"], [0]), "layer_name must be"),
        (lambda m: visualize.filter_patterns(m, "conv1", [32]), "filters must be below 32"),
        (lambda m: visualize.filter_patterns(m, "conv1", []), "non-empty list of filter"),
        (lambda m: visualize.filter_patterns(m, "conv1", [-1]), "filters must be an integer"),
        (lambda m: visualize.filter_patterns(m, "conv1", [0], steps=0), "steps must be"),
        (lambda m: visualize.filter_patterns(m, "conv1", [0], step_size=0), "step_size must"),
        (lambda m: visualize.filter_patterns(m, "conv1", [0], value_range=(1, 0)), "low < high"),
        (lambda m: visualize.stretch(np.zeros((4, 4))), "must be a batch"),
        (lambda m: visualize.stretch(np.zeros((1, 4, 4)), percentile=50), "percentile must"),
    ],
)
def test_visualize_rejects_nonsense_with_a_clear_error(mnist_model, call, message):
    with pytest.raises(ValueError, match=message):
        call(mnist_model)


# --- figures -------------------------------------------------------------------------------


def test_feature_map_grid_normalises_each_map_and_counts_dark_ones():
    maps = np.zeros((3, 5, 4))
    maps[..., 0] = np.arange(15).reshape(3, 5)  # 0..14
    maps[..., 2] = 100 + np.arange(15).reshape(3, 5)  # same pattern, far larger values
    fig = viz.feature_map_grid(maps, "pool2", ncols=2)
    picture = fig.axes[0].images[0].get_array()
    assert picture.shape == (2 * 3 + 1, 2 * 5 + 1)  # two rows, two columns, 1-pixel gaps
    np.testing.assert_allclose(picture[:3, :5], picture[4:7, :5])  # tiles 0 and 2 look alike
    assert np.all(picture[:3, 6:] == 0)  # a dark map is dark
    assert fig.axes[0].get_title() == "pool2: 3x5x4, 2 of 4 maps all zero"


def test_filter_grid_shared_scale_keeps_weak_filters_pale():
    kernel = np.zeros((3, 3, 1, 2))
    kernel[..., 0, 0] = 1.0
    kernel[..., 0, 1] = 0.1
    shared = viz.filter_grid(kernel, scale="shared").axes[0].images[0]
    each = viz.filter_grid(kernel, scale="each").axes[0].images[0]
    assert tuple(shared.get_clim()) == (-1.0, 1.0) and tuple(each.get_clim()) == (-1.0, 1.0)
    assert shared.get_array()[0, 4] == pytest.approx(0.1)  # the weak filter stays weak
    assert each.get_array()[0, 4] == pytest.approx(1.0)  # stretched to full strength


def test_filter_grid_draws_rgb_kernels_and_picks_a_channel():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 3, 5))
    fig = viz.filter_grid(kernel, ncols=5)
    assert fig.axes[0].images[0].get_array().shape == (3, 5 * 4 - 1, 3)
    wide = np.random.default_rng(0).normal(size=(3, 3, 8, 4))
    assert viz.filter_grid(wide, channel=7).axes[0].images[0].get_array().shape == (3, 15)


def test_weight_histograms_share_bins_and_axes():
    rng = np.random.default_rng(0)
    fig = viz.weight_histograms({"init": rng.normal(0, 0.1, 500), "trained": rng.normal(0, 1, 500)})
    left = [patch.get_x() for patch in fig.axes[0].patches]
    right = [patch.get_x() for patch in fig.axes[1].patches]
    assert left == right and len(left) == 40
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: viz.feature_map_grid(np.zeros((4, 4))), "maps must be"),
        (lambda: viz.feature_map_grid(np.full((2, 2, 1), np.inf)), "finite"),
        (lambda: viz.feature_map_grid(np.zeros((2, 2, 1)), ncols=0), "ncols must be"),
        (lambda: viz.feature_map_grid(np.zeros((2, 2, 1)), cmap="nope"), "cmap must be"),
        (lambda: viz.filter_grid(np.zeros((3, 3, 1))), "kernel must be"),
        (lambda: viz.filter_grid(np.zeros((3, 3, 1, 2)), scale="own"), "scale must be"),
        (lambda: viz.filter_grid(np.zeros((3, 3, 4, 2))), "pick one with channel"),
        (lambda: viz.filter_grid(np.zeros((3, 3, 4, 2)), channel=4), "channel must be below 4"),
        (lambda: viz.weight_histograms({}), "non-empty mapping"),
        (lambda: viz.weight_histograms({"a": []}), "at least one finite"),
        (lambda: viz.weight_histograms({"a": [1.0]}, bins=0), "bins must be"),
    ],
)
def test_figures_reject_nonsense_with_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
