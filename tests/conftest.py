"""Shared settings of the unit tests."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML book, built once per test run with Sphinx warnings as errors (``-W -n``)."""
    output = tmp_path_factory.mktemp("book")
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
        "build", str(ROOT), "--path-output", str(output), "-W", "-n", "--keep-going",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return output / "_build" / "html"


def _chapter_definitions(notebook: str, names: set[str], **given: Any) -> dict[str, Any]:
    """Run the code cells of ``book/<notebook>`` that define any of ``names`` (functions or
    assigned variables at the top level of a cell), and return the namespace they ran in.

    ``given`` holds what those cells take from earlier cells, such as the image size; ``keras``
    and ``np`` are there already. Fails if a name is defined by no cell.
    """
    import keras
    import numpy as np

    cells = json.loads((ROOT / "book" / notebook).read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, Any] = {"keras": keras, "np": np, **given}
    found: set[str] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        defined = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if defined & names:
            exec(compile(tree, f"{notebook}:cell", "exec"), namespace)
            found |= defined & names
    assert found == names, f"{notebook} defines none of {names - found}"
    return namespace


def _architecture(model: Any) -> list[tuple[Any, ...]]:
    """Each layer's class and configuration, names and all; a nested block (such as an
    augmentation ``Sequential``) layer by layer, without the input layer Keras names itself."""
    import keras

    return [
        (type(layer).__name__, layer.name, _architecture(layer))
        if isinstance(layer, keras.Sequential)
        else (type(layer).__name__, layer.get_config())
        for layer in model.layers
    ]


@pytest.fixture(scope="session")
def chapter_definitions() -> Callable[..., dict[str, Any]]:
    """The models a chapter writes out in Keras, to compare with their twins in cnnlib.models."""
    return _chapter_definitions


@pytest.fixture(scope="session")
def architecture() -> Callable[[Any], list[tuple[Any, ...]]]:
    """A model's layers as (class, configuration): equal lists mean the same architecture."""
    return _architecture
