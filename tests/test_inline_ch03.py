"""Chapter 3's models, written out in Keras, are Chapter 4's convnet and that convnet without its
poolings: the page and ``cnnlib.models.mnist_convnet`` can never drift apart.

The chapter's definition cells run on their own (fixtures ``chapter_definitions`` and
``architecture`` in conftest.py), and every layer's configuration is compared with the twin's.
"""

from __future__ import annotations

from typing import Any

import keras
import pytest

from cnnlib import arithmetic, models


@pytest.fixture(scope="module")
def chapter3(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions("03_pooling.ipynb", {"with_pooling", "without_pooling"})


def test_chapter3_writes_out_the_mnist_convnet(chapter3, architecture):
    assert architecture(chapter3["with_pooling"]) == architecture(models.mnist_convnet())


def test_chapter3_model_without_pooling_is_the_convnet_minus_its_two_poolings(
    chapter3, architecture
):
    twin = architecture(models.mnist_convnet())
    without = [entry for entry in twin if entry[0] != "MaxPooling2D"]
    assert len(without) == len(twin) - 2
    assert architecture(chapter3["without_pooling"]) == without


def test_taking_the_pooling_out_shrinks_the_field_and_grows_the_dense_layer(chapter3):
    """The chapter's table, recomputed from Keras's own shapes and counts."""
    found = {}
    for name in ("with_pooling", "without_pooling"):
        model = chapter3[name]
        spatial = [
            layer
            for layer in model.layers
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D))
        ]
        field = arithmetic.receptive_field(spatial, input_size=28)[-1].size
        found[name] = (
            field,
            model.get_layer("flatten").output.shape[1],
            model.get_layer("dense").count_params(),
        )
    assert found["with_pooling"] == (18, 3 * 3 * 64, (576 + 1) * 64)
    assert found["without_pooling"] == (7, 22 * 22 * 64, (30976 + 1) * 64)
