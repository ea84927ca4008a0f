"""What Appendix A says about Keras 3 is true of the pinned Keras, and its stored Adadelta run
shows what its prose says: the old default trains, the new one barely moves."""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path

import keras
import pytest

APPENDIX = Path(__file__).resolve().parent.parent / "book" / "appendix_keras3.ipynb"


def glued(name: str) -> object:
    notebook = json.loads(APPENDIX.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                return ast.literal_eval(output["data"]["application/papermill.record/text/plain"])
    raise KeyError(name)


def test_adadelta_defaults_to_a_learning_rate_of_0_001():
    assert float(keras.optimizers.Adadelta().learning_rate) == pytest.approx(0.001)


def test_input_shape_on_a_layer_warns_and_recommends_keras_input():
    with pytest.warns(UserWarning, match=r"input_shape.*Input\(shape\)"):
        model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    assert model.input_shape == (None, 4)  # it still builds


def test_keras_input_builds_the_same_model_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    assert model.input_shape == (None, 4)


def test_the_stored_run_shows_the_old_default_training_and_the_new_one_barely_moving():
    start = glued("appa_adadelta_old_loss_start")
    assert glued("appa_adadelta_new_loss_start") == start  # the same starting weights
    old_drop = start - glued("appa_adadelta_old_loss_last")
    new_drop = start - glued("appa_adadelta_new_loss_last")
    assert old_drop > 0.1
    assert abs(new_drop) < 0.02
    gain = glued("appa_adadelta_old_accuracy_last") - glued("appa_adadelta_old_accuracy_start")
    assert gain > 0.1


def test_old_calls_the_appendix_says_still_run_do_run(tmp_path, monkeypatch):
    """The introduction names three old calls that still run; .h5 saving runs too."""
    monkeypatch.chdir(tmp_path)
    assert float(keras.optimizers.Adadelta().learning_rate) > 0
    assert callable(keras.preprocessing.image.load_img)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.save("model.h5")
    assert keras.models.load_model("model.h5").input_shape == (None, 4)
    with pytest.raises(ValueError, match="extension"):
        model.save("model")  # Keras 2's SavedModel folder


def test_a_layer_of_a_model_without_input_has_no_output():
    lazy = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(AttributeError, match="never been called"):
        _ = lazy.layers[0].output
