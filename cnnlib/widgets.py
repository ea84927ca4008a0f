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

from cnnlib import arithmetic, kernels, ops, viz
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


#: The padding choices of the explorer: the three modes, or an explicit amount on both sides.
EXPLICIT = "explicit"


class ConvArithmeticExplorer(ipywidgets.VBox):  # type: ignore[misc]
    """Sliders for input size, kernel, stride, padding and dilation; the windows they give.

    The picture is :func:`cnnlib.viz.conv_windows` (one row per output position along one axis)
    next to :func:`cnnlib.viz.padded_grid` (the square input with its padding and the first and
    last windows); the line above it gives the output size and the formula that produced it.
    Settings whose kernel does not fit in the padded input say so instead of drawing.
    """

    def __init__(
        self,
        n: int = 5,
        kernel: int = 3,
        stride: int = 2,
        padding: str = "valid",
        dilation: int = 1,
        dpi: int = 72,
    ) -> None:
        options = (*arithmetic.PADDING_MODES, EXPLICIT)
        if padding not in options:
            raise ValueError(f"padding must be one of {', '.join(options)}, got {padding!r}")
        self.dpi = integer(dpi, "dpi", 10)
        slider = ipywidgets.IntSlider
        self.n = slider(value=integer(n, "n", 1), min=1, max=16, description="input n")
        self.kernel = slider(
            value=integer(kernel, "kernel", 1), min=1, max=7, description="kernel k"
        )
        self.stride = slider(
            value=integer(stride, "stride", 1), min=1, max=4, description="stride s"
        )
        self.dilation = slider(
            value=integer(dilation, "dilation", 1), min=1, max=3, description="dilation d"
        )
        self.padding = ipywidgets.Dropdown(options=options, value=padding, description="padding")
        self.amount = slider(value=1, min=0, max=4, description="explicit p")
        self.summary = ipywidgets.HTML()
        self.view = ipywidgets.Image(format="png")
        for control in (self.n, self.kernel, self.stride, self.dilation, self.padding, self.amount):
            control.observe(self._on_change, names="value")
        controls = ipywidgets.HBox(
            [
                ipywidgets.VBox([self.n, self.kernel, self.stride]),
                ipywidgets.VBox([self.dilation, self.padding, self.amount]),
            ]
        )
        super().__init__([controls, self.summary, self.view])
        self.render()

    @property
    def padding_spec(self) -> arithmetic.Padding:
        """The padding the controls select: a mode name or the explicit amount."""
        mode = str(self.padding.value)
        return int(self.amount.value) if mode == EXPLICIT else mode

    def output_size(self) -> int | None:
        """The output length for the current settings, or ``None`` if the kernel does not fit."""
        try:
            return arithmetic.conv_output_size(
                self.n.value, self.kernel.value, self.stride.value, self.padding_spec,
                self.dilation.value,
            )  # fmt: skip
        except ValueError:
            return None

    def render(self) -> None:
        """Recompute the output size and redraw the picture."""
        n, k, s, d = self.n.value, self.kernel.value, self.stride.value, self.dilation.value
        self.amount.disabled = self.padding.value != EXPLICIT
        padding = self.padding_spec
        span = arithmetic.effective_kernel_size(k, d)
        size = self.output_size()
        if size is None:
            self.summary.value = (
                f"<b>No output:</b> the dilated kernel spans {span} pixels, more than the "
                f"padded input."
            )
            self.view.value = b""
            return
        before, after = arithmetic.resolve_padding(n, k, s, padding, d)
        self.summary.value = (
            f"output size = floor(({n} + {before} + {after} - {span}) / {s}) + 1 = <b>{size}</b>"
            f" &nbsp; (span of the dilated kernel = ({k} - 1) * {d} + 1 = {span})"
        )
        figure, (left, right) = plt.subplots(
            1, 2, figsize=(11, 4.2), layout="constrained", gridspec_kw={"width_ratios": [3, 2]}
        )
        viz.conv_windows(n, k, s, padding, d, ax=left)
        viz.padded_grid(n, n, k, s, padding, d, ax=right)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self.dpi)
        plt.close(figure)
        self.view.value = buffer.getvalue()

    def _on_change(self, _: dict[str, object]) -> None:
        self.render()
