"""Chapter 7's autoencoders, written out in Keras, are the same as their tested twins in cnnlib.

The chapter shows the reader its models as ``keras.Sequential([...])``: the classic autoencoder
with an ``UpSampling2D`` decoder and its variant with a ``Conv2DTranspose`` decoder. The tests,
the benchmarks and later work build them with ``cnnlib.models.conv_autoencoder``. These tests run
the chapter's own definition cells and compare every layer's configuration with the twin's.
"""

from __future__ import annotations

from typing import Any

import pytest

from cnnlib import models

# `chapter_definitions` and `architecture` are in conftest.py: every chapter's twin tests use them.


@pytest.fixture(scope="module")
def chapter7(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions(
        "07_autoencoders.ipynb", {"encoder_layers", "build_autoencoder", "build_transposed"}
    )


# The filters the chapter uses: the classic model, the Keras blog's (in the code-size sweep and
# the experiment exercise), the smallest code of the sweep and the denoiser.
FILTERS = [(16, 8, 4), (16, 8, 8), (16, 8, 1), (32, 32, 16)]


@pytest.mark.parametrize("filters", FILTERS)
def test_chapter7_writes_out_the_upsampling_autoencoder(chapter7, architecture, filters):
    ours = chapter7["build_autoencoder"](filters)
    assert architecture(ours) == architecture(models.conv_autoencoder(filters=filters))
    assert ours.name == "conv_autoencoder"


def test_chapter7_names_its_models_as_cnnlib_does(chapter7, architecture):
    ours = chapter7["build_autoencoder"]((32, 32, 16), name="denoiser")
    twin = models.conv_autoencoder(filters=(32, 32, 16), name="denoiser")
    assert architecture(ours) == architecture(twin)
    assert ours.name == twin.name


@pytest.mark.parametrize("filters", FILTERS[:2])
def test_chapter7_writes_out_the_transposed_decoder(chapter7, architecture, filters):
    ours = chapter7["build_transposed"](filters)
    twin = models.conv_autoencoder(filters=filters, decoder="transpose")
    assert architecture(ours) == architecture(twin)
    assert ours.name == twin.name


def test_chapter7_models_have_the_parameters_the_prose_counts(chapter7):
    assert chapter7["build_autoencoder"]().count_params() == 3369
    assert chapter7["build_transposed"]().count_params() == 3369
    assert chapter7["build_autoencoder"]((16, 8, 8)).count_params() == 4385
