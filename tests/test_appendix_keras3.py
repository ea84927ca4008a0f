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
    old_drop = glued("appa_adadelta_old_loss_first") - glued("appa_adadelta_old_loss_last")
    new_drop = glued("appa_adadelta_new_loss_first") - glued("appa_adadelta_new_loss_last")
    assert old_drop > 0.1
    assert abs(new_drop) < 0.02
    assert glued("appa_adadelta_old_accuracy_last") > 0.75
