"""nbval settings for the chapters, which the test command runs one by one."""

from __future__ import annotations

import pytest

from cnnlib import runtime

# The notebook kernels inherit this process's environment: no TensorFlow logs.
runtime.quiet_tensorflow()


def pytest_collectstart(collector: pytest.Collector) -> None:
    """Compare what a cell prints and displays, not what libraries log."""
    if collector.path is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)  # type: ignore[attr-defined]
