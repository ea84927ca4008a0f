"""Shared settings of the unit tests."""

from __future__ import annotations

import subprocess
import sys
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
