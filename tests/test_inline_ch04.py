"""Chapter 4's models, written out in Keras, are the same as their tested twins in cnnlib.

Chapter 4 shows the reader the convnet and the dense baseline as ``keras.Sequential([...])``;
the other chapters, the benchmarks and the tests build them with ``cnnlib.models``. These tests
run the chapter's own definition cells (found by the names they define) and compare every
layer's configuration with the twin's, so that the two can never drift apart. They also hold
the replicates the chapter quotes to its recipe, and its verdicts to every replicate and to the
stored run.
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
def chapter4(chapter_definitions) -> dict[str, Any]:
    return chapter_definitions("04_first_convnet.ipynb", {"model", "baseline"}, runtime=runtime)


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


# --- the replicates and the claims of the prose ---------------------------------------------------
# The chapter quotes ranges from book/04_first_convnet_replicates.json: its recipe re-run with
# other seeds outside the page.

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "04_first_convnet.ipynb"
REPLICATES = ROOT / "book" / "04_first_convnet_replicates.json"


def code_sources() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


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


def test_chapter4_replicates_are_of_the_chapters_recipe(replicates):
    recipe = replicates["recipe"]
    sources = code_sources()
    (training,) = [s for s in sources if "model.fit(" in s]
    (fit_and_test,) = [s for s in sources if "def fit_and_test(" in s]
    (split,) = [s for s in sources if "x_val, y_val =" in s]
    epochs = f"epochs = runtime.pick(full={recipe['epochs']}, quick=1)"
    assert epochs in training
    assert f"batch_size = {recipe['batch_size']}" in training
    assert f"batch_size={recipe['batch_size']}" in fit_and_test
    rate = f"CosineDecay({recipe['initial_learning_rate']:.0e}".replace("e-0", "e-")
    assert rate in training and rate in fit_and_test
    patience = f"patience={recipe['early_stopping_patience']}"
    assert patience in training and patience in fit_and_test
    assert "restore_best_weights=True" in training and "restore_best_weights=True" in fit_and_test
    assert f"x_all[:{recipe['train_images']:_}]" in split
    assert f"x_all[{recipe['train_images']:_}:]" in split
    assert recipe["train_images"] + recipe["validation_images"] == 60_000


def test_chapter4_replicates_ran_with_the_books_numeric_environment(replicates):
    provenance = replicates["provenance"]
    assert provenance["environment"] == runtime.ENVIRONMENT
    assert len(provenance["commit"]) == 40
    assert len(replicates["replicates"]) >= 3


def test_chapter4_verdicts_hold_on_every_replicate(replicates):
    for seed, run in replicates["replicates"].items():
        # "the dense network makes ... more [mistakes] in every run"
        assert run["dense"] < run["convnet"], seed
        # the narrow model is still ahead of the dense baseline (the exercise's solution)
        assert run["dense"] < run["narrow"], seed


def test_chapter4_verdicts_hold_on_the_stored_run():
    values = glued()
    assert values["ch4_epochs_run"] > 1, "the stored run is a quick one"
    assert values["ch4_dense_test_accuracy"] < values["ch4_test_accuracy"]
    assert values["ch4_error_ratio"] > 1
    # "now does worse than the dense network"
    assert values["ch4_convnet_shuffled_accuracy"] < values["ch4_dense_shuffled_accuracy"]
    # "a probability of at least ...": a whole percent (the cell rounds it down)
    least = 100 * values["ch4_least_confident_shown"]
    assert abs(least - round(least)) < 1e-9
    # "reached by N of the 90 possible confusions"
    assert 1 <= values["ch4_top_pairs"] <= 90


def test_chapter4_replicate_script_reproduces_the_chapters_own_run(replicates):
    """Seed 42 run by benchmarks/replicates_mnist.py gives the page's three test accuracies: the
    script trains the chapter's recipe, not a look-alike."""
    run, values = replicates["chapter_seed"]["run"], glued()
    assert run["convnet"] == values["ch4_test_accuracy"]
    assert run["dense"] == values["ch4_dense_test_accuracy"]
    assert run["narrow"] == values["ch4_narrow_test_accuracy"]
