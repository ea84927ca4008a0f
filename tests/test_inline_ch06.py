"""Chapter 6's models, written out in Keras, are the same as their tested twins in cnnlib.

The chapter shows the reader its two models as ``keras.Sequential([...])``: Chapter 4's convnet
on Fashion-MNIST and Chapter 5's regularised cats-versus-dogs convnet. These tests run the
chapter's own definition cells (found by the names they define) and compare every layer's
configuration with the twin's, and check that the same seed gives the same starting weights,
so that the chapter trains exactly Chapter 5's recipe.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cnnlib import models, runtime, visualize

# `chapter_definitions` and `architecture` are in conftest.py: every chapter's twin tests use them.

NOTEBOOK = "06_visualization.ipynb"


def _chapter5_best() -> Any:
    return models.small_convnet(
        64, augmentation=models.augmentation(rotation=0, zoom=0, translation=0.05), dropout=0.5
    )


@pytest.fixture(scope="module")
def chapter6(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions(NOTEBOOK, {"fashion", "cats_convnet", "flip_and_shift"})


def test_chapter6_fashion_model_is_the_mnist_convnet(chapter6, architecture):
    assert architecture(chapter6["fashion"]) == architecture(models.mnist_convnet())


def test_chapter6_augmentation_is_a_flip_and_a_5_percent_shift(chapter6, architecture):
    twin = models.augmentation(rotation=0, zoom=0, translation=0.05)
    assert architecture(chapter6["flip_and_shift"]()) == architecture(twin)


def test_chapter6_cats_model_is_chapter5s_best_model(chapter6, architecture):
    assert chapter6["image_size"] == 64
    assert architecture(chapter6["cats_convnet"]()) == architecture(_chapter5_best())


def test_chapter6_cats_model_starts_from_the_twins_weights(chapter6):
    runtime.seed(42)
    ours = chapter6["cats_convnet"]().get_weights()
    runtime.seed(42)
    twin = _chapter5_best().get_weights()
    assert len(ours) == len(twin) == 12
    for mine, theirs in zip(ours, twin, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_chapter6_fashion_model_starts_from_the_twins_weights(chapter_definitions):
    runtime.seed(42)  # the chapter seeds right before its definition cell
    ours = chapter_definitions(NOTEBOOK, {"fashion"})["fashion"].get_weights()
    runtime.seed(42)
    twin = models.mnist_convnet().get_weights()
    for mine, theirs in zip(ours, twin, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_chapter6_climb_on_the_page_is_cnnlibs_filter_patterns(chapter_definitions):
    # The page writes the gradient-ascent loop out for one filter; visualize.filter_patterns
    # climbs for a batch of filters. From the same seed and steps, the first image of the batch
    # is the page's image, and the responses before and after agree.
    import tensorflow as tf

    climb = chapter_definitions(NOTEBOOK, {"climb"}, tf=tf)["climb"]
    runtime.seed(0)
    model = _chapter5_best()
    image, scores = climb(model, "conv2", 5, steps=6, seed=3)
    found = visualize.filter_patterns(model, "conv2", [5, 9], steps=6, value_range=(0, 255), seed=3)
    assert image.shape == (64, 64, 3) and len(scores) == 7
    np.testing.assert_allclose(image, found.images[0], rtol=0, atol=1e-3)
    assert scores[0] == pytest.approx(float(found.start[0]), rel=1e-4, abs=1e-6)
    assert scores[-1] == pytest.approx(float(found.end[0]), rel=1e-4, abs=1e-6)
    assert scores[-1] > scores[0]
