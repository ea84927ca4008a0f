"""cnnlib for Chapter 5: the small cats-vs-dogs convnet and its augmentation block."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import arithmetic, models, train, viz


def test_small_convnet_has_the_classic_shapes_at_64_pixels():
    model = models.small_convnet(64)
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes == {
        "rescale": (64, 64, 3),
        "conv1": (62, 62, 32),
        "pool1": (31, 31, 32),
        "conv2": (29, 29, 64),
        "pool2": (14, 14, 64),
        "conv3": (12, 12, 128),
        "pool3": (6, 6, 128),
        "conv4": (4, 4, 128),
        "pool4": (2, 2, 128),
        "flatten": (512,),
        "dense": (256,),
        "predictions": (1,),
    }
    expected = (
        arithmetic.conv_params(3, 3, 32)
        + arithmetic.conv_params(3, 32, 64)
        + arithmetic.conv_params(3, 64, 128)
        + arithmetic.conv_params(3, 128, 128)
        + arithmetic.dense_params(512, 256)
        + arithmetic.dense_params(256, 1)
    )
    assert model.count_params() == expected == 372_417


@settings(max_examples=15, deadline=None)
@given(
    size=st.integers(22, 120),
    filters=st.lists(st.integers(1, 8), min_size=3, max_size=4),
    units=st.integers(1, 16),
)
def test_small_convnet_flattens_what_the_arithmetic_predicts(size, filters, units):
    side = size
    try:
        for _ in filters:
            side = arithmetic.pool_output_size(arithmetic.conv_output_size(side, 3), 2)
    except ValueError:  # the arithmetic refuses a window larger than what is left
        side = 0
    if side < 1:
        with pytest.raises(ValueError, match="too small"):
            models.small_convnet(size, filters=filters, units=units)
        return
    model = models.small_convnet(size, filters=filters, units=units)
    assert model.get_layer("flatten").output.shape[1:] == (side * side * filters[-1],)
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize(("blocks", "smallest"), [(3, 22), (4, 46), (5, 94)])
def test_small_convnet_names_the_smallest_image_it_accepts(blocks, smallest):
    filters = [4] * blocks
    models.small_convnet(smallest, filters=filters)
    with pytest.raises(ValueError, match=f"at least {smallest}"):
        models.small_convnet(smallest - 1, filters=filters)


def test_augmentation_and_dropout_act_only_in_training():
    keras.utils.set_random_seed(0)
    plain = models.small_convnet(46, filters=(4, 4, 4, 4), units=8)
    both = models.small_convnet(
        46, filters=(4, 4, 4, 4), units=8, augmentation=models.augmentation(), dropout=0.5
    )
    assert plain.count_params() == both.count_params()
    both.set_weights(plain.get_weights())
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (4, 46, 46, 3)).astype("float32")
    np.testing.assert_allclose(both.predict(images, verbose=0), plain.predict(images, verbose=0))
    trained = keras.ops.convert_to_numpy(both(images, training=True))
    assert not np.allclose(trained, plain.predict(images, verbose=0))


def test_augmentation_changes_images_only_in_training_and_repeats_with_a_seed():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 255, (3, 32, 32, 3)).astype("float32")
    block = models.augmentation(seed=7)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(block(images, training=False)), images)
    first = keras.ops.convert_to_numpy(block(images, training=True))
    assert first.shape == images.shape
    assert not np.allclose(first, images)
    again = keras.ops.convert_to_numpy(models.augmentation(seed=7)(images, training=True))
    np.testing.assert_allclose(first, again)


def test_a_flip_alone_only_mirrors():
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 255, (8, 5, 6, 3)).astype("float32")
    block = models.augmentation(rotation=0, zoom=0, translation=0, seed=0)
    assert [layer.name for layer in block.layers] == ["flip"]
    out = keras.ops.convert_to_numpy(block(images, training=True))
    for image, variant in zip(images, out, strict=True):
        assert np.allclose(variant, image) or np.allclose(variant, image[:, ::-1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.small_convnet(0), "image_size"),
        (lambda: models.small_convnet(45), "at least 46"),
        (lambda: models.small_convnet(64.0), "image_size"),
        (lambda: models.small_convnet(filters=(32, 64)), "filters"),
        (lambda: models.small_convnet(filters=(32, 0, 64)), "filters"),
        (lambda: models.small_convnet(units=0), "units"),
        (lambda: models.small_convnet(dropout=1.0), "dropout"),
        (lambda: models.small_convnet(dropout=-0.1), "dropout"),
        (lambda: models.small_convnet(dropout="half"), "dropout"),
        (lambda: models.small_convnet(augmentation="flip"), "augmentation"),
        (lambda: models.augmentation(rotation=1.5), "rotation"),
        (lambda: models.augmentation(zoom=-0.1), "zoom"),
        (lambda: models.augmentation(translation=True), "translation"),
        (lambda: models.augmentation(seed=-1), "seed"),
        (
            lambda: models.augmentation(flip=False, rotation=0, zoom=0, translation=0),
            "at least one",
        ),
    ],
)
def test_chapter5_builders_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_summarize_run_reads_best_and_final_values():
    history = {"accuracy": [0.5, 0.8, 0.99], "val_accuracy": [0.5, 0.74, 0.71]}
    summary = train.summarize_run(history)
    assert (summary.best_val, summary.best_epoch) == (0.74, 2)
    assert (summary.final_val, summary.final_train) == (0.71, 0.99)
    assert summary.gap == pytest.approx(0.28)
    losses = train.summarize_run({"loss": [1.0, 0.5, 0.7], "val_loss": [0.9, 0.4, 0.6]}, "loss")
    assert (losses.best_val, losses.best_epoch) == (0.4, 2)


def test_summarize_run_averages_the_last_five_epochs():
    val = [0.1, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9]
    summary = train.summarize_run({"accuracy": [1.0] * 7, "val_accuracy": val})
    assert summary.last5_val == pytest.approx(np.mean(val[-5:]))
    short = train.summarize_run({"accuracy": [1.0, 1.0], "val_accuracy": [0.4, 0.6]})
    assert short.last5_val == pytest.approx(0.5)


def test_summarize_run_reads_a_keras_history():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0)
    summary = train.summarize_run(history)
    assert summary.final_val == history.history["val_accuracy"][-1]
    assert summary.best_val == max(history.history["val_accuracy"])


@pytest.mark.parametrize(
    ("history", "metric", "message"),
    [
        ([0.5, 0.6], "accuracy", "History"),
        ({"accuracy": [0.5]}, "accuracy", "val_accuracy"),
        ({"accuracy": [], "val_accuracy": []}, "accuracy", "must hold"),
        ({"loss": [1.0], "val_loss": [1.0]}, "accuracy", "must hold"),
    ],
)
def test_summarize_run_rejects_bad_input(history, metric, message):
    with pytest.raises(ValueError, match=message):
        train.summarize_run(history, metric)


def test_plot_history_draws_panels_of_the_given_width():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.7]}
    fig = viz.plot_history(history, size=3.45)
    assert fig.get_size_inches()[0] == pytest.approx(6.9)
    assert viz.plot_history(history).get_size_inches()[0] == pytest.approx(10.4)
    with pytest.raises(ValueError, match="size"):
        viz.plot_history(history, size=0)


def test_compare_histories_draws_one_curve_per_run_and_stars_the_best():
    runs = {
        "baseline": {"val_accuracy": [0.6, 0.7, 0.68]},
        "augmented": {"val_accuracy": [0.5, 0.6, 0.75, 0.74]},
    }
    fig = viz.compare_histories(runs)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines[::2]] == [
        "baseline (best 0.700)",
        "augmented (best 0.750)",
    ]
    star = lines[3]
    assert (list(star.get_xdata()), list(star.get_ydata())) == ([3], [0.75])
    loss = viz.compare_histories({"a": {"val_loss": [0.9, 0.5, 0.6]}}, "val_loss")
    assert list(loss.axes[0].get_lines()[1].get_xdata()) == [2]


@pytest.mark.parametrize(
    ("histories", "metric", "message"),
    [
        ({}, "val_accuracy", "non-empty"),
        ([{"val_accuracy": [0.5]}], "val_accuracy", "non-empty dict"),
        ({"a": {"accuracy": [0.5]}}, "val_accuracy", "has no 'val_accuracy'"),
        ({"a": 3}, "val_accuracy", "history must be"),
    ],
)
def test_compare_histories_rejects_bad_input(histories, metric, message):
    with pytest.raises(ValueError, match=message):
        viz.compare_histories(histories, metric)


def test_chapter5_checkers_accept_answers_computed_with_keras(tmp_path):
    from cnnlib.exercises import chapter5

    assert chapter5.dense_params_96(models.small_convnet(96).get_layer("dense").count_params())
    scale = float(chapter5.DROPOUT_OUTPUT.max())
    assert chapter5.dropout_rate(1 - 1 / scale)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    checkpoint = keras.callbacks.ModelCheckpoint(
        tmp_path / "best.keras", monitor="val_loss", save_best_only=True
    )
    checkpoint.set_model(model)
    saved = []
    for epoch, loss in enumerate(chapter5.VAL_LOSS):
        before = checkpoint.best
        checkpoint.on_epoch_end(epoch, {"val_loss": float(loss)})
        if checkpoint.best != before:
            saved.append(epoch + 1)
    assert chapter5.checkpoint_epoch(saved[-1])
    for checker, wrong in [
        (chapter5.dense_params_96, 131_328),
        (chapter5.zoom_coverage, 0.95),
        (chapter5.dropout_rate, 0.3),
        (chapter5.checkpoint_epoch, 9),
    ]:
        feedback = checker(wrong)
        assert not feedback and "Not yet" in repr(feedback)
        assert not checker(None)


def test_dropout_rate_output_is_what_keras_dropout_gives_at_that_rate():
    from cnnlib.exercises import chapter5

    rate = 1 - 1 / float(chapter5.DROPOUT_OUTPUT.max())
    ones = np.ones((1, 10_000), "float32")
    out = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=0)(ones, training=True))
    assert set(np.unique(out).round(4)) == set(np.unique(chapter5.DROPOUT_OUTPUT).round(4))
    share_of_zeros = float(np.mean(chapter5.DROPOUT_OUTPUT == 0))
    assert share_of_zeros != pytest.approx(rate)  # the exercise's trap: zeros are only an estimate
    assert "noisy estimate" in chapter5.dropout_rate(rate).message


def counted_zoom_coverage(factor: float, draws: int = 300) -> float:
    """The chapter's measurement: the share of a 64x64 image's pixels still in view."""
    ids = np.arange(64 * 64, dtype="float32").reshape(1, 64, 64, 1)
    zoom = keras.layers.RandomZoom(
        factor, fill_mode="constant", fill_value=-1.0, interpolation="nearest", seed=0
    )
    moved = keras.ops.convert_to_numpy(zoom(np.repeat(ids, draws, axis=0), training=True))
    return float(np.mean([np.unique(m[m >= 0]).size / ids.size for m in moved]))


def test_zoom_coverage_accepts_what_keras_gives_and_names_the_neighbouring_mistakes():
    from cnnlib.exercises import chapter5

    assert chapter5.zoom_coverage(counted_zoom_coverage(0.2))
    assert "RandomZoom(0.1)" in chapter5.zoom_coverage(counted_zoom_coverage(0.1)).message
    assert "filler" in chapter5.zoom_coverage(0.08).message
    assert "percentage" in chapter5.zoom_coverage(82).message
    assert not chapter5.zoom_coverage("0.8")
