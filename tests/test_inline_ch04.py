"""Chapter 4's models, written out in Keras, are the same as their tested twins in cnnlib.

Chapter 4 shows the reader the convnet and the dense baseline as ``keras.Sequential([...])``;
the other chapters, the benchmarks and the tests build them with ``cnnlib.models``. These tests
run the chapter's own definition cells (found by the names they define) and compare every
layer's configuration with the twin's, so that the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

import pytest

from cnnlib import models

# `chapter_definitions` and `architecture` are in conftest.py: every chapter's twin tests use them.


@pytest.fixture(scope="module")
def chapter4(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions("04_first_convnet.ipynb", {"model", "baseline"})


def test_chapter4_writes_out_the_mnist_convnet(chapter4, architecture):
    assert architecture(chapter4["model"]) == architecture(models.mnist_convnet())


def test_chapter4_writes_out_the_dense_baseline(chapter4, architecture):
    twin = models.dense_baseline(units=512)
    assert architecture(chapter4["baseline"]) == architecture(twin)


def test_chapter4_models_keep_the_twins_names_and_sizes(chapter4):
    assert chapter4["model"].name == "mnist_convnet"
    assert chapter4["baseline"].name == "dense_baseline"
    assert chapter4["model"].count_params() == models.mnist_convnet().count_params()
    assert chapter4["baseline"].count_params() == models.dense_baseline().count_params()
