"""cnnlib.models, cnnlib.train and the training pictures of cnnlib.viz."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib import arithmetic, models, train, viz
from cnnlib.exercises import chapter4


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNLIB_RUNS", str(tmp_path / "runs"))


def test_mnist_convnet_has_the_classic_shapes_and_93322_parameters():
    model = models.mnist_convnet()
    assert model.count_params() == 93_322
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes == {
        "conv1": (26, 26, 32),
        "pool1": (13, 13, 32),
        "conv2": (11, 11, 64),
        "pool2": (5, 5, 64),
        "conv3": (3, 3, 64),
        "flatten": (576,),
        "dense": (64,),
        "predictions": (10,),
    }
    assert model.get_layer("conv2").count_params() == arithmetic.conv_params(3, 32, 64)
    assert model.get_layer("dense").count_params() == arithmetic.dense_params(576, 64)


def test_the_last_convolution_of_the_mnist_convnet_sees_18_pixels():
    model = models.mnist_convnet()
    body = [layer for layer in model.layers if layer.name.startswith(("conv", "pool"))]
    rows = arithmetic.receptive_field(body, input_size=28)
    assert [(r.name, r.size, r.jump) for r in rows][-1] == ("conv3", 18, 4)


def test_builders_follow_the_input_shape_and_the_number_of_classes():
    model = models.mnist_convnet((32, 40, 3), num_classes=5)
    assert model.output_shape == (None, 5)
    assert model.get_layer("conv3").output.shape[1:] == (4, 6, 64)
    baseline = models.dense_baseline((28, 28, 1), 10)
    assert baseline.count_params() == (784 + 1) * 512 + (512 + 1) * 10 == 407_050
    assert models.dense_baseline((8, 8, 3), 3, units=16).count_params() == 193 * 16 + 17 * 3
    assert models.mnist_convnet().name == "mnist_convnet"


def test_one_training_step_lowers_the_loss():
    keras.utils.set_random_seed(0)
    model = models.mnist_convnet()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((32, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 32)
    before = model.evaluate(x, y, verbose=0)
    model.train_on_batch(x, y)
    assert model.evaluate(x, y, verbose=0) < before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.mnist_convnet((28, 28)), "input_shape"),
        (lambda: models.mnist_convnet("28x28"), "input_shape"),
        (lambda: models.mnist_convnet((28, 0, 1)), "input_shape"),
        (lambda: models.mnist_convnet((16, 28, 1)), "too small"),
        (lambda: models.mnist_convnet(num_classes=1), "num_classes"),
        (lambda: models.dense_baseline(units=0), "units"),
        (lambda: models.dense_baseline(num_classes=2.0), "num_classes"),
    ],
)
def test_builders_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_run_dir_is_under_the_override_and_fresh(tmp_path):
    folder = train.run_dir("demo")
    assert folder == tmp_path / "runs" / "demo" and folder.is_dir()
    (folder / "old.txt").write_text("left over")
    assert not (train.run_dir("demo") / "old.txt").exists()
    (folder / "kept.txt").write_text("kept")
    assert (train.run_dir("demo", fresh=False) / "kept.txt").exists()


def test_run_dir_lands_in_the_build_folder_of_the_repository(monkeypatch):
    monkeypatch.delenv("CNNLIB_RUNS")
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root / "book")
    folder = train.run_dir("pytest-probe")
    try:
        assert folder == root / "_build" / "runs" / "pytest-probe"
    finally:
        folder.rmdir()


@pytest.mark.parametrize("name", ["", "../escape", "a/b", "x y"])
def test_run_dir_rejects_names_that_are_not_one_folder(name):
    with pytest.raises(ValueError, match="name"):
        train.run_dir(name)


def tiny_fit(folder, epochs=3):
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="softmax", name="out")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    x, y = rng.random((64, 4)).astype("float32"), rng.integers(0, 3, 64)
    history = model.fit(
        x, y, validation_data=(x[:16], y[:16]), epochs=epochs, verbose=0,
        callbacks=train.standard_callbacks(folder, patience=5),
    )  # fmt: skip
    return model, history, (x, y)


def test_standard_callbacks_checkpoint_the_best_model_and_write_logs():
    folder = train.run_dir("callbacks")
    _, history, (x, y) = tiny_fit(folder)
    kinds = [type(c).__name__ for c in train.standard_callbacks(folder)]
    assert kinds == ["EarlyStopping", "ModelCheckpoint", "TensorBoard"]
    best = keras.saving.load_model(folder / "best.keras")
    assert best.evaluate(x[:16], y[:16], verbose=0)[0] == pytest.approx(
        min(history.history["val_loss"]), rel=1e-4
    )
    assert list((folder / "logs").iterdir())


def test_early_stopping_restores_the_best_weights():
    early, checkpoint, _ = train.standard_callbacks(train.run_dir("es"), patience=1)
    assert early.restore_best_weights and early.monitor == "val_loss" and early.patience == 1
    assert checkpoint.save_best_only and str(checkpoint.filepath).endswith("best.keras")
    accuracy = train.standard_callbacks(train.run_dir("acc"), monitor="val_accuracy")[0]
    assert accuracy.monitor == "val_accuracy"
    assert accuracy.mode == "max"  # larger is better


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"monitor": "loss"}, "monitor"), ({"patience": -1}, "patience"), ({"monitor": 3}, "monitor")],
)
def test_standard_callbacks_reject_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.standard_callbacks(train.run_dir("bad"), **kwargs)


def test_tensorboard_reader_gives_back_what_fit_logged():
    folder = train.run_dir("logs")
    _, history, _ = tiny_fit(folder, epochs=4)
    table = viz.read_tensorboard_scalars(folder / "logs")
    assert set(table) == {"run", "tag", "step", "value"}
    assert len({len(column) for column in table.values()}) == 1
    assert {"train", "validation"} <= set(table["run"])
    rebuilt = viz._history_dict(table)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(rebuilt[key], history.history[key], rtol=1e-6)
    fig = viz.plot_history(table)
    assert [ax.get_title() for ax in fig.axes] == ["accuracy", "loss"]


def test_tensorboard_reader_rejects_a_folder_without_logs(tmp_path):
    with pytest.raises(ValueError, match="log_dir"):
        viz.read_tensorboard_scalars(tmp_path)
    with pytest.raises(ValueError, match="log_dir"):
        viz.read_tensorboard_scalars(tmp_path / "missing")


def test_plot_history_marks_the_best_validation_epoch():
    history = {
        "loss": [3, 2, 1],
        "val_loss": [2.5, 1.5, 1.8],
        "accuracy": [0.1, 0.2, 0.3],
        "val_accuracy": [0.1, 0.2, 0.3],
    }
    for ax in viz.plot_history(history).axes:  # the epoch of the lowest val_loss, in both
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "best val_loss (epoch 2)" in labels
    by_accuracy = viz.plot_history(history, monitor="val_accuracy").axes[0]
    assert "best val_accuracy (epoch 3)" in [
        t.get_text() for t in by_accuracy.get_legend().get_texts()
    ]
    no_validation = viz.plot_history({"accuracy": [0.1, 0.2]}, metrics=["accuracy"])
    assert len(no_validation.axes[0].lines) == 1


@pytest.mark.parametrize(
    ("history", "metrics", "message"),
    [({}, ("loss",), "history"), ([1, 2], ("loss",), "history"),
     ({"loss": [1.0]}, ("accuracy",), "accuracy"), ({"loss": [1.0]}, (), "metrics")],
)  # fmt: skip
def test_plot_history_rejects_bad_input(history, metrics, message):
    with pytest.raises(ValueError, match=message):
        viz.plot_history(history, metrics)


def test_confusion_matrix_on_a_hand_made_case():
    truth = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    guess = [0, 1, 1, 1, 2, 2, 2, 0, 2]
    expected = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 3]])
    np.testing.assert_array_equal(viz.confusion_matrix(truth, guess), expected)
    assert viz.confusion_matrix(truth, guess, num_classes=5).shape == (5, 5)
    fig = viz.plot_confusion_matrix(truth, guess, ["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[0].texts] == [str(v) for v in expected.ravel()]


@pytest.mark.parametrize(
    ("truth", "guess", "kwargs", "message"),
    [([0, 1], [0], {}, "differ"), ([0.5], [0], {}, "y_true"), ([], [], {}, "y_true"),
     ([0, -1], [0, 1], {}, ">= 0"), ([0, 3], [0, 1], {"num_classes": 2}, "num_classes")],
)  # fmt: skip
def test_confusion_matrix_rejects_bad_labels(truth, guess, kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.confusion_matrix(truth, guess, **kwargs)


def test_show_misclassified_shows_the_most_confident_mistakes_first():
    images = np.zeros((4, 5, 5))
    truth = np.array([0, 1, 1, 0])
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.05, 0.95]])
    fig = viz.show_misclassified(images, truth, probabilities, ["zero", "one"], ncols=4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["true zero\npred one (95%)", "true one\npred zero (60%)"]
    with pytest.raises(ValueError, match="no misclassified"):
        viz.show_misclassified(images, truth, np.eye(2)[truth])
    with pytest.raises(ValueError, match="one entry per image"):
        viz.show_misclassified(images[:3], truth, probabilities)


def test_chapter4_checkers_accept_answers_computed_with_keras():
    smaller = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3), keras.layers.MaxPooling2D(2),
         keras.layers.Conv2D(64, 3, name="conv2")]
    )  # fmt: skip
    assert chapter4.conv2_params(smaller.get_layer("conv2").count_params())
    bigger = models.mnist_convnet((32, 32, 1))
    assert chapter4.pool2_shape(tuple(bigger.get_layer("pool2").output.shape[1:]))
    assert chapter4.dense_params_32(bigger.get_layer("dense").count_params())
    assert chapter4.accuracy_from_confusion(142 / 150)
    assert "biases" in chapter4.conv2_params(9216).message
    assert "rounds down" in chapter4.pool2_shape((7, 7, 64)).message
    assert "error rate" in chapter4.accuracy_from_confusion(8 / 150).message
    for checker in (chapter4.conv2_params, chapter4.pool2_shape, chapter4.combined_kernel):
        assert not checker("many").correct
    assert os.environ["CNNLIB_RUNS"]
