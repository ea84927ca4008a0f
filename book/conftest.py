"""nbval settings for the chapters (the test command runs nbval over each notebook)."""

from __future__ import annotations

import pytest

from cnnlib import runtime

# The notebook kernels inherit this process's environment: no TensorFlow start-up logs.
runtime.quiet_tensorflow()


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Compare what a cell prints and displays, not what libraries log on stderr."""
    if collector.path is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)  # type: ignore[attr-defined]
