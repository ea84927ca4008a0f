"""Argument checks shared by cnnlib's public functions; each raises ValueError naming it."""

from __future__ import annotations

from typing import Any

import numpy as np


def integer(value: object, name: str, minimum: int) -> int:
    """``value`` as an int, if it is an integer (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def integer_pair(value: object, name: str, minimum: int = 1) -> tuple[int, int]:
    """An integer, or a (height, width) pair of them, as a (height, width) tuple."""
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an integer >= {minimum} or a pair of them, got {value!r}")
    try:
        return integer(values[0], name, minimum), integer(values[1], name, minimum)
    except ValueError:
        raise ValueError(
            f"{name} must be an integer >= {minimum} or a pair of them, got {value!r}"
        ) from None


def model_input(model: object) -> Any:
    """The one symbolic input (a ``KerasTensor``) of a Keras model built on a ``keras.Input``."""
    import keras

    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs or len(inputs) != 1:
        raise ValueError(
            "model must be built on one keras.Input, so that its layers have outputs: give it "
            "keras.Input((height, width, channels)) as its first layer"
        )
    return inputs[0]
