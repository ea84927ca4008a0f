"""cnnlib.runtime: quick mode, seeding and quiet logs."""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest

from cnnlib import runtime


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("", False),
     ("no", False), (" False ", False)],
)  # fmt: skip
def test_env_flag_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("CNNLIB_TEST_FLAG", value)
    assert runtime.env_flag("CNNLIB_TEST_FLAG") is expected


def test_env_flag_is_false_when_unset(monkeypatch):
    monkeypatch.delenv("CNNLIB_TEST_FLAG", raising=False)
    assert runtime.env_flag("CNNLIB_TEST_FLAG") is False


def test_env_flag_rejects_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CNNLIB_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="CNNLIB_TEST_FLAG"):
        runtime.env_flag("CNNLIB_TEST_FLAG")


def test_quick_follows_the_environment_of_the_test_run():
    assert runtime.QUICK is runtime.env_flag("CNNLIB_QUICK")


def test_pick_chooses_by_mode(monkeypatch):
    monkeypatch.setattr(runtime, "QUICK", True)
    assert runtime.pick(full=20, quick=1) == 1
    monkeypatch.setattr(runtime, "QUICK", False)
    assert runtime.pick(full=20, quick=1) == 20


def test_seed_makes_numpy_python_and_keras_repeat():
    def draw():
        import random

        return (
            random.random(),
            np.random.rand(),  # noqa: NPY002  (seed() must seed NumPy's global generator too)
            keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist(),
        )

    runtime.seed(123)
    first = draw()
    runtime.seed(123)
    assert draw() == first
    runtime.seed(124)
    assert draw() != first


def test_seed_makes_layer_initialisation_repeat():
    def weights():
        layer = keras.layers.Conv2D(4, 3)
        layer.build((None, 8, 8, 1))
        return layer.get_weights()[0]

    runtime.seed(7)
    first = weights()
    runtime.seed(7)
    np.testing.assert_array_equal(weights(), first)


@pytest.mark.parametrize("value", [-1, 2**32, 1.5, True, "1"])
def test_seed_rejects_values_that_are_not_32_bit_integers(value):
    with pytest.raises(ValueError, match="value must be an integer"):
        runtime.seed(value)


def test_quiet_tensorflow_sets_the_cpp_log_level():
    runtime.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
