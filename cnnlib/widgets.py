"""Interactive explorers built with ipywidgets.

They need a running kernel to react; in the static HTML book the saved widget state shows their
initial setting, and each chapter also draws that setting as an ordinary figure.

>>> from cnnlib import data, widgets
>>> playground = widgets.KernelPlayground(data.sample_image("camera"), initial="sobel_x")
>>> playground.kernel.tolist()[0]
[-1.0, 0.0, 1.0]
"""

from __future__ import annotations

import io

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cnnlib import kernels, ops, viz
from cnnlib._validate import integer

#: The named kernels the playground offers (the 3x3 ones of :mod:`cnnlib.kernels`).
PLAYGROUND_KERNELS = tuple(name for name in kernels.NAMES if kernels.get(name).shape == (3, 3))
CUSTOM = "custom"


class KernelPlayground(ipywidgets.VBox):  # type: ignore[misc]
    """Pick a named 3x3 kernel or type your own weights, and see the image it produces.

    ``image`` is a grey image with values in [0, 1]. Choosing a kernel in the menu fills the nine
    weights; editing a weight switches the menu to ``custom``. The picture shows the input, the
    kernel and the output, drawn by :func:`cnnlib.viz.filter_response`.
    """

    def __init__(self, image: ArrayLike, initial: str = "sharpen", dpi: int = 72) -> None:
        picture = np.asarray(image, dtype=np.float32)
        if picture.ndim != 2:
            raise ValueError(f"image must be a grey (height, width) image, got {picture.shape}")
        if initial not in PLAYGROUND_KERNELS:
            raise ValueError(f"initial must be one of {', '.join(PLAYGROUND_KERNELS)}")
        self.image = picture
        self.dpi = integer(dpi, "dpi", 10)
        self.choice = ipywidgets.Dropdown(
            options=[*PLAYGROUND_KERNELS, CUSTOM], value=initial, description="kernel"
        )
        self.cells = [
            ipywidgets.FloatText(layout=ipywidgets.Layout(width="72px")) for _ in range(9)
        ]
        self.view = ipywidgets.Image(format="png")
        self._filling = False
        self._fill(kernels.get(initial))
        self.choice.observe(self._on_choice, names="value")
        for cell in self.cells:
            cell.observe(self._on_cell, names="value")
        grid = ipywidgets.GridBox(
            self.cells, layout=ipywidgets.Layout(grid_template_columns="repeat(3, 80px)")
        )
        super().__init__([ipywidgets.HBox([self.choice, grid]), self.view])
        self.render()

    @property
    def kernel(self) -> NDArray[np.float32]:
        """The 3x3 kernel the nine boxes hold now."""
        return np.array([cell.value for cell in self.cells], dtype=np.float32).reshape(3, 3)

    @property
    def output(self) -> NDArray[np.floating]:
        """The image filtered with :attr:`kernel` (``same`` padding)."""
        return ops.apply_kernel(self.image, self.kernel)

    def render(self) -> None:
        """Redraw the picture for the current kernel."""
        figure = viz.filter_response(self.image, self.kernel, title=self.choice.value)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self.dpi)
        plt.close(figure)
        self.view.value = buffer.getvalue()

    def _fill(self, kernel: NDArray[np.float32]) -> None:
        self._filling = True
        try:
            for cell, value in zip(self.cells, kernel.ravel(), strict=True):
                cell.value = float(value)
        finally:
            self._filling = False

    def _on_choice(self, change: dict[str, object]) -> None:
        if change["new"] != CUSTOM:
            self._fill(kernels.get(str(change["new"])))
        self.render()

    def _on_cell(self, _: dict[str, object]) -> None:
        if self._filling:
            return
        if self.choice.value != CUSTOM:
            self.choice.value = CUSTOM  # triggers a render
        else:
            self.render()
