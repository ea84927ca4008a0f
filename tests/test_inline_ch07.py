"""Chapter 7's autoencoders, written out in Keras, are the same as their tested twins in cnnlib.

The chapter shows the reader its models as ``keras.Sequential([...])``: the classic autoencoder
with an ``UpSampling2D`` decoder and its variant with a ``Conv2DTranspose`` decoder. The tests,
the benchmarks and later work build them with ``cnnlib.models.conv_autoencoder``. These tests run
the chapter's own definition cells and compare every layer's configuration with the twin's.
They also hold the replicates the chapter quotes to its recipe, and its verdicts to every
replicate and to the stored run.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from cnnlib import models, runtime

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


# --- the replicates and the claims of the prose ---------------------------------------------------
# The chapter quotes ranges from book/07_autoencoders_replicates.json: its recipe re-run with other
# seeds outside the page. These tests hold the file to the chapter's recipe, and the prose's
# verdicts to every replicate and to the stored run.

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "07_autoencoders.ipynb"
REPLICATES = ROOT / "book" / "07_autoencoders_replicates.json"


def setting(name: str) -> Any:
    """The full-mode value the chapter assigns to ``name``: ``name = 3`` or
    ``name = runtime.pick(full=3, quick=1)``, in exactly one code cell."""
    found = []
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.parse("".join(cell["source"])).body:
            if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [name]:
                value = node.value
                if isinstance(value, ast.Call) and ast.unparse(value.func) == "runtime.pick":
                    value = next(k.value for k in value.keywords if k.arg == "full")
                found.append(ast.literal_eval(value))
    assert len(found) == 1, f"{name} is assigned {len(found)} times"
    return found[0]


def glued() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"]["application/papermill.record/text/plain"]
                values[name] = ast.literal_eval(text)
    return values


@pytest.fixture(scope="module")
def replicates() -> dict[str, Any]:
    results: dict[str, Any] = json.loads(REPLICATES.read_text(encoding="utf-8"))
    return results


def test_chapter7_replicates_are_of_the_chapters_recipe(replicates):
    recipe = replicates["recipe"]
    assert recipe["train_images"] == setting("n_train")
    assert recipe["test_images"] == setting("n_test")
    assert recipe["epochs"] == setting("epochs")
    assert recipe["batch_size"] == setting("batch_size")
    assert recipe["learning_rate"] == setting("learning_rate")
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    (train,) = ["".join(c["source"]) for c in cells if "def train(" in "".join(c["source"])]
    assert f'loss="{recipe["loss"]}"' in train
    assert f"keras.optimizers.{recipe['optimizer']}(learning_rate)" in train


def test_chapter7_replicates_ran_with_the_books_numeric_environment(replicates):
    provenance = replicates["provenance"]
    assert provenance["environment"] == runtime.ENVIRONMENT
    assert len(provenance["commit"]) == 40
    assert len(replicates["replicates"]) >= 3


def test_chapter7_verdicts_hold_on_every_replicate(replicates):
    for seed, run in replicates["replicates"].items():
        # "the transposed decoder's pattern was the stronger in every run"
        assert run["grid_ratio"] > 1 and run["share_ratio"] > 1, seed
        # "the transposed model also fits worse overall ... and worse in every replicate too"
        assert run["tr_bce"] > run["up_bce"], seed
        # doubling the code lowers the error (the sweep's trend, the exercise)
        assert run["blog_mse"] < run["up_mse"], seed


def test_chapter7_verdicts_hold_on_the_stored_run():
    values = glued()
    assert values["ch7_epochs"] == setting("epochs"), "the stored run is a quick one"
    # "The string "adadelta" leaves it at ...: the model has barely started"
    assert values["ch7_opt_adadelta"] > 0.9 * values["ch7_opt_untrained"]
    assert values["ch7_opt_adam"] < 0.5 * values["ch7_opt_untrained"]
    # the transposed decoder: worse fit, more energy at the finest period, a stronger grid
    assert values["ch7_transpose_test_loss"] > values["ch7_ae_test_loss"]
    assert values["ch7_finest_period_ratio"] > 1
    # the grid verdict is worded from this run and the replicates, whatever they say
    ratio = values["ch7_grid_rms_ratio"]
    stronger, level = ratio > 1 and abs(ratio - 1) >= 0.05, abs(ratio - 1) < 0.05
    assert ("this page's included" in values["ch7_grid_verdict"]) == stronger
    assert ("were level" in values["ch7_grid_verdict"]) == level
    # "In this run the test images carry more than either"
    assert values["ch7_finest_share_test"] > values["ch7_finest_share_transpose"]
    assert values["ch7_finest_share_test"] > values["ch7_finest_share_up"]
    # the denoiser gains; the mean of PSNRs is at least the PSNR of the mean MSE (Jensen)
    assert values["ch7_psnr_gain"] > 0
    assert values["ch7_denoised_psnr"] >= values["ch7_psnr_of_mean_mse"]
    # the sweep: a larger code lowers the error; its short budget is above the chapter's
    assert values["ch7_sweep_error_ratio"] > 1
    assert values["ch7_sweep_mse_64"] > values["ch7_ae_test_mse"]
