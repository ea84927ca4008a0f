"""Chapter 5's model, written out in Keras, is the same as its tested twin in cnnlib.

A chapter shows the reader its model as a ``keras.Sequential([...])``; later chapters, the
benchmarks and the tests build it with ``cnnlib.models``. These tests run the chapter's own
definition cells (found by the names they define) and compare every layer's configuration with
the twin's, so that the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

import pytest

from cnnlib import models

# `chapter_definitions` and `architecture` are in conftest.py: every chapter's twin tests use them.


@pytest.fixture(scope="module")
def chapter5(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions(
        "05_overfitting.ipynb",
        {"build_model", "flip_and_shift", "rotate_zoom_and_shift"},
        image_size=64,
    )


def test_chapter5_writes_out_the_small_convnet(chapter5, architecture):
    assert architecture(chapter5["build_model"]()) == architecture(models.small_convnet(64))


def test_chapter5_augmentation_is_a_flip_and_a_5_percent_shift(chapter5, architecture):
    twin = models.augmentation(rotation=0, zoom=0, translation=0.05)
    assert architecture(chapter5["flip_and_shift"]()) == architecture(twin)


def test_chapter5_regularised_model_is_the_cnnlib_one(chapter5, architecture):
    ours = chapter5["build_model"](augmentation=chapter5["flip_and_shift"](), dropout=0.5)
    twin = models.small_convnet(
        64, augmentation=models.augmentation(rotation=0, zoom=0, translation=0.05), dropout=0.5
    )
    assert architecture(ours) == architecture(twin)


def test_chapter5_strong_recipe_has_the_factors_the_prose_names(chapter5):
    twin = models.augmentation(rotation=0.05, zoom=0.1, translation=0.05)
    strong = chapter5["rotate_zoom_and_shift"]()
    assert [type(layer) for layer in strong.layers] == [type(layer) for layer in twin.layers]
    for ours, theirs in zip(strong.layers, twin.layers, strict=True):
        config, expected = ours.get_config(), theirs.get_config()
        for key in ("factor", "height_factor", "width_factor", "mode"):
            assert config.get(key) == expected.get(key), (ours.name, key)
