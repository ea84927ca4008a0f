"""Shared settings of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

from cnnlib import runtime

runtime.quiet_tensorflow()  # before any test imports TensorFlow
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

ROOT = Path(__file__).resolve().parent.parent

# TensorFlow's first calls are slow and vary in time: no per-example deadline.
settings.register_profile("cnnlib", deadline=None, print_blob=True)
settings.load_profile("cnnlib")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")
