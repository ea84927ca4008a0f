"""Pictures for the book: image grids with one colour scale, annotated matrices, filter
responses, the sliding-window animation, window geometry, training curves (also read back from
TensorBoard logs), confusion matrices and misclassified examples, and what a trained model holds:
weight histograms, filters and feature maps.

Each function returns a matplotlib ``Figure`` (or ``FuncAnimation``) and leaves showing it to the
caller, so a notebook ends the cell with ``plt.show()``.

>>> import numpy as np
>>> fig = image_grid([np.zeros((4, 4)), np.ones((4, 4))], ["black", "white"])
>>> len(fig.axes)
2
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from cnnlib import arithmetic, ops
from cnnlib._validate import integer, integer_pair

#: Colour map for signed responses (edges, derivatives): blue negative, white zero, red positive.
SIGNED_CMAP = "RdBu_r"


def _images(images: Sequence[ArrayLike], name: str = "images") -> list[NDArray[np.floating]]:
    arrays = [np.asarray(image, dtype=float) for image in images]
    if not arrays:
        raise ValueError(f"{name} must hold at least one image")
    for index, array in enumerate(arrays):
        if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
            raise ValueError(
                f"{name}[{index}] must be (height, width) or (height, width, 3|4), got shape "
                f"{array.shape}"
            )
    return arrays


def _titles(titles: Sequence[str] | None, count: int) -> list[str]:
    if titles is None:
        return [""] * count
    if isinstance(titles, str) or len(titles) != count:
        raise ValueError(f"titles must be a list of {count} strings, one per image")
    return list(titles)


def _check_size(size: float, name: str = "size", what: str = "a panel width") -> None:
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size < 100:
        raise ValueError(f"{name} must be {what} in inches, from 0 to 100, got {size!r}")


def symmetric_limits(*arrays: ArrayLike) -> tuple[float, float]:
    """``(-m, m)`` where ``m`` is the largest absolute value in ``arrays``: zero sits mid-scale.

    >>> symmetric_limits([[-1, 0.5]], [[2]])
    (-2.0, 2.0)
    """
    if not arrays:
        raise ValueError("symmetric_limits needs at least one array")
    largest = max(float(np.max(np.abs(np.asarray(a, dtype=float)))) for a in arrays)
    largest = largest or 1.0
    return -largest, largest


def image_grid(
    images: Sequence[ArrayLike],
    titles: Sequence[str] | None = None,
    *,
    ncols: int | None = None,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = False,
    size: float = 2.4,
    suptitle: str | None = None,
) -> Figure:
    """Show images side by side on one shared colour scale; ``size`` is each panel's width.

    Single-channel images share ``vmin``/``vmax`` (by default the smallest and largest value of
    all of them), so equal values look equal in every panel; that is what makes a comparison
    honest. RGB images are shown as they are. ``colorbar=True`` adds one bar for the whole grid.

    >>> fig = image_grid([np.eye(3), 2 * np.eye(3)], ncols=2)
    >>> [tuple(float(v) for v in ax.images[0].get_clim()) for ax in fig.axes]
    [(0.0, 2.0), (0.0, 2.0)]
    """
    arrays = _images(images)
    labels = _titles(titles, len(arrays))
    _check_size(size)
    columns = len(arrays) if ncols is None else integer(ncols, "ncols", 1)
    if cmap not in mpl.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map name, got {cmap!r}")
    planes = [a for a in arrays if a.ndim == 2]
    low = min(float(a.min()) for a in planes) if vmin is None and planes else vmin
    high = max(float(a.max()) for a in planes) if vmax is None and planes else vmax
    columns = min(columns, len(arrays))
    rows = -(-len(arrays) // columns)
    aspect = max(a.shape[0] / a.shape[1] for a in arrays)  # panel height per unit of width
    fig, axes = plt.subplots(
        rows, columns, squeeze=False, layout="constrained",
        figsize=(size * columns + (0.9 if colorbar else 0), (size * aspect + 0.35) * rows),
    )  # fmt: skip
    shown = None
    for ax, array, label in zip(axes.flat, arrays, labels, strict=False):
        if array.ndim == 2:
            shown = ax.imshow(array, cmap=cmap, vmin=low, vmax=high)
        else:
            ax.imshow(np.clip(array, 0, 1))
        ax.set_title(label, fontsize=10)
    for ax in axes.flat:
        ax.set_axis_off()
    if colorbar and shown is not None:
        fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.9, fraction=0.04)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _text_colour(image: AxesImage, value: float) -> str:
    """Black on light cells, white on dark ones."""
    red, green, blue, _ = image.get_cmap()(image.norm(np.asarray(value)))
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def draw_matrix(
    ax: Axes,
    matrix: ArrayLike,
    title: str = "",
    *,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = "{:g}",
    rows: int | None = None,
) -> AxesImage:
    """Draw a small 2-D array on ``ax`` as coloured cells with each value written in its cell.

    By default a matrix with negative values is drawn blue-white-red around zero and any other
    in greys from 0 up. ``rows`` makes room for that many rows (the matrix is centred), so that
    matrices of different heights drawn side by side have cells of one size.

    >>> fig, ax = plt.subplots()
    >>> _ = draw_matrix(ax, [[1, 0], [0, 1]], "identity")
    >>> [t.get_text() for t in ax.texts]
    ['1', '0', '0', '1']
    """
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"matrix must be a non-empty 2-D array, got shape {values.shape}")
    signed = bool(np.nanmin(values) < 0)
    if cmap is None:
        cmap = SIGNED_CMAP if signed else "Greys"
    default_low, default_high = (
        symmetric_limits(values) if signed else (0.0, float(np.nanmax(values)) or 1.0)
    )
    low = default_low if vmin is None else vmin
    high = default_high if vmax is None else vmax
    image = ax.imshow(values, cmap=cmap, vmin=low, vmax=high)
    for (row, column), value in np.ndenumerate(values):
        ax.text(column, row, fmt.format(value), ha="center", va="center",
                color=_text_colour(image, value), fontsize=12)  # fmt: skip
    height, width = values.shape
    spare = ((rows or height) - height) / 2
    ax.set_ylim(height - 0.5 + spare, -0.5 - spare)
    # Cell borders, drawn over the colours so that white cells show their edges too.
    ax.vlines(np.arange(width + 1) - 0.5, -0.5, height - 0.5, colors="0.4", linewidth=1)
    ax.hlines(np.arange(height + 1) - 0.5, -0.5, width - 0.5, colors="0.4", linewidth=1)
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    return image


def _matrix_axes(shapes: Sequence[tuple[int, ...]], size: float) -> tuple[Figure, list[Axes]]:
    """A row of axes whose widths follow the matrices' widths, so that all cells are equal."""
    rows = max(shape[0] for shape in shapes)
    columns = [shape[1] for shape in shapes]
    cell = size / rows
    fig, axes = plt.subplots(
        1, len(shapes), squeeze=False, layout="constrained",
        figsize=(cell * (sum(columns) + len(shapes)), size + 0.8),
        gridspec_kw={"width_ratios": columns},
    )  # fmt: skip
    return fig, list(axes.flat)


def matrix_grid(
    matrices: Sequence[ArrayLike],
    titles: Sequence[str] | None = None,
    *,
    size: float = 2.4,
    fmt: str = "{:.3g}",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Small annotated matrices in a row, e.g. the input, kernel and output of a worked example.

    Cells have one size in every panel; values are written with ``fmt``; see :func:`draw_matrix`
    for the colours. Each panel is shaded on its own scale unless ``vmin`` and ``vmax`` give
    one for all of them.

    >>> fig = matrix_grid([[[1, 2], [3, 4]], [[-1]]], ["a", "b"])
    >>> len(fig.axes)
    2
    """
    arrays = [np.asarray(m, dtype=float) for m in matrices]
    if not arrays or any(a.ndim != 2 or a.size == 0 for a in arrays):
        raise ValueError("matrices must be a list of non-empty 2-D arrays")
    labels = _titles(titles, len(arrays))
    _check_size(size)
    fig, axes = _matrix_axes([a.shape for a in arrays], size)
    rows = max(a.shape[0] for a in arrays)
    for ax, array, label in zip(axes, arrays, labels, strict=True):
        draw_matrix(ax, array, label, rows=rows, fmt=fmt, vmin=vmin, vmax=vmax)
    return fig


def filter_response(
    image: ArrayLike, kernel: ArrayLike, title: str = "", *, width: float = 10.0
) -> Figure:
    """The image, the kernel and the filtered image, side by side, ``width`` inches wide.

    A kernel whose weights sum to zero (an edge or derivative filter) gives signed responses:
    they are drawn blue-white-red around zero, with a colour bar that clips the strongest 1%.
    Other kernels keep the image's brightness and are drawn in grey on the image's 0-1 scale.

    >>> fig = filter_response(np.eye(8), [[0, 0, 0], [0, 1, 0], [0, 0, 0]], "identity")
    >>> len(fig.axes)
    3
    """
    picture = np.asarray(image, dtype=float)
    if picture.ndim != 2:
        raise ValueError(f"image must be a grey (height, width) image, got shape {picture.shape}")
    weights = np.asarray(kernel, dtype=float)
    response = ops.apply_kernel(picture, weights)
    _check_size(width, "width", "a width")
    ratios = {"width_ratios": [3, 2, 3]}
    fig, axes = plt.subplots(
        1, 3, figsize=(width, 0.32 * width), layout="constrained", gridspec_kw=ratios
    )
    axes[0].imshow(picture, cmap="gray", vmin=0, vmax=1)
    axes[0].set_title("input")
    draw_matrix(axes[1], weights, "kernel", fmt="{:.3g}")
    if abs(weights.sum()) < 1e-6:
        # Scale to the 99th percentile of |response|: a few strong edges would otherwise wash
        # out the rest. The colour bar's pointed ends say that larger values are clipped.
        limit = float(np.percentile(np.abs(response), 99)) or 1.0
        shown = axes[2].imshow(response, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        fig.colorbar(shown, ax=axes[2], shrink=0.8, extend="both")
    else:
        axes[2].imshow(np.clip(response, 0, 1), cmap="gray", vmin=0, vmax=1)
    axes[2].set_title("output")
    for ax in (axes[0], axes[2]):
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


#: The player buttons of Matplotlib's HTML animations, as plain characters.
_PLAYER_GLYPHS = {
    "fa fa-minus": "\u2212",
    "fa fa-fast-backward": "\u23ee",
    "fa fa-step-backward": "\u25c2",
    "fa fa-play fa-flip-horizontal": "\u25c0",
    "fa fa-pause": "\u23f8",
    "fa fa-play": "\u25b6",
    "fa fa-step-forward": "\u25b8",
    "fa fa-fast-forward": "\u23ed",
    "fa fa-plus": "+",
}

#: Styles that fit the player into a phone's width: the frame and the slider shrink to the
#: column, and the buttons wrap instead of widening the page.
_PLAYER_FIT_CSS = """<style>
.animation { max-width: 100%; }
.animation img { max-width: 100%; height: auto; }
input[type=range].anim-slider { width: 100%; max-width: 374px; }
.anim-buttons { display: flex; flex-wrap: wrap; justify-content: center; gap: 2px; }
.anim-buttons button { width: 34px; }
</style>
"""


def animation_html(animation: FuncAnimation, *, default_mode: str = "loop", alt: str = "") -> str:
    """The animation as a self-contained HTML player that needs no network.

    Matplotlib's ``to_jshtml`` player draws its buttons with Font Awesome icons loaded from a
    CDN, which fails offline (a blank button and a console error); this returns the same player
    with the icons replaced by plain characters and the stylesheet link removed, and styles that
    let the frame, the slider and the buttons fit a phone's screen.
    ``default_mode`` is ``"loop"``, ``"once"`` or ``"reflect"``; ``alt`` is the frame's
    alternative text, for readers who cannot see it.

    >>> html = animation_html(sliding_window_animation(np.eye(3), np.ones((2, 2))))
    >>> "<script" in html, "font-awesome" in html, "\u25b6" in html
    (True, False, True)
    """
    if not isinstance(animation, FuncAnimation):
        raise ValueError(f"animation must be a matplotlib FuncAnimation, got {type(animation)}")
    if default_mode not in ("loop", "once", "reflect"):
        raise ValueError(f"default_mode must be 'loop', 'once' or 'reflect', got {default_mode!r}")
    if not isinstance(alt, str):
        raise ValueError(f"alt must be a string, got {type(alt).__name__}")
    html = animation.to_jshtml(default_mode=default_mode)
    html = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">\s*', "", html)
    if alt:
        text = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        html = html.replace('<img id="_anim_img', f'<img alt="{text}" id="_anim_img', 1)

    def glyph(match: re.Match[str]) -> str:
        return f'<span class="player-glyph">{_PLAYER_GLYPHS.get(match.group(1), "?")}</span>'

    return re.sub(r'<i class="(fa [^"]*)"></i>', glyph, html) + _PLAYER_FIT_CSS


def sliding_window_animation(
    image: ArrayLike, kernel: ArrayLike, *, interval: int = 1200, size: float = 2.0
) -> FuncAnimation:
    """Animate a valid, stride-1 cross-correlation: the window slides and the output fills in.

    Each frame outlines one window of the input, writes the sum of products it gives, and adds
    that value to the output. ``interval`` is the time per frame in milliseconds; ``size`` is the
    panels' height in inches (a 3x3 image and a 2x2 kernel at 2.0 fill the book's 6.9-inch
    column). To embed it in a notebook so that it also plays in a static HTML page::

        from IPython.display import HTML
        HTML(animation_html(sliding_window_animation(image, kernel)))

    >>> animation = sliding_window_animation(np.eye(3), np.ones((2, 2)))
    >>> len(list(animation.new_frame_seq()))  # one frame per output value
    4
    >>> "<script" in animation.to_jshtml()  # a self-contained HTML player
    True
    """
    values = np.asarray(image, dtype=float)
    weights = np.asarray(kernel, dtype=float)
    if values.ndim != 2 or weights.ndim != 2:
        raise ValueError(
            f"image and kernel must both be 2-D, got shapes {values.shape} and {weights.shape}"
        )
    if weights.shape[0] > values.shape[0] or weights.shape[1] > values.shape[1]:
        raise ValueError(f"kernel {weights.shape} must fit inside image {values.shape}")
    interval = integer(interval, "interval", 1)
    _check_size(size)
    output = ops.apply_kernel(values, weights, padding="valid")
    kh, kw = weights.shape
    rows = values.shape[0]
    fig, axes = _matrix_axes([values.shape, weights.shape, output.shape], size=size)
    draw_matrix(axes[0], values, "input", rows=rows)
    draw_matrix(axes[1], weights, "kernel", rows=rows)
    low, high = symmetric_limits(output)
    output_image = draw_matrix(axes[2], output, "output", cmap=SIGNED_CMAP, vmin=low, vmax=high,
                               rows=rows)  # fmt: skip
    output_texts = list(axes[2].texts)
    window = Rectangle((-0.5, -0.5), kw, kh, fill=False, edgecolor="tab:orange", linewidth=4)
    cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="tab:orange", linewidth=4)
    axes[0].add_patch(window)
    axes[2].add_patch(cell)
    caption = fig.supxlabel(" ", fontsize=11)
    shown = np.full(output.shape, np.nan)

    def product(a: float, b: float) -> str:
        return f"{a:g}·{b:g}" if b >= 0 else f"{a:g}·({b:g})"

    def draw(frame: int) -> list[Artist]:
        row, column = divmod(frame, output.shape[1])
        window.set_xy((column - 0.5, row - 0.5))
        cell.set_xy((column - 0.5, row - 0.5))
        patch = values[row : row + kh, column : column + kw]
        terms = " + ".join(
            product(a, b) for a, b in zip(patch.ravel(), weights.ravel(), strict=True)
        )
        caption.set_text(f"{terms} = {output[row, column]:g}")
        shown.flat[frame] = output[row, column]
        output_image.set_data(shown)
        output_texts[frame].set_visible(True)
        return [window, cell, caption, output_image, *output_texts]

    def reset() -> list[Artist]:
        shown.fill(np.nan)
        output_image.set_data(shown)
        for text in output_texts:
            text.set_visible(False)
        return [output_image, *output_texts]

    animation = FuncAnimation(
        fig, draw, frames=output.size, init_func=reset, interval=interval, blit=False
    )
    plt.close(fig)  # the animation is shown through its HTML player, not as a still figure
    return animation


#: Colours of the window drawings: real input cells, zero padding, unused input, kernel taps.
_INPUT, _PADDING, _UNUSED = "white", "0.82", "#f3d9a4"
_TAPS = mpl.colormaps["tab10"]


def _window_colour(index: int, count: int) -> tuple[float, float, float, float]:
    """The colour of window ``index`` of ``count``: the first blue, the last orange (as in
    :func:`padded_grid`), the others in the remaining ``tab10`` colours."""
    if index == 0:
        return _TAPS(0)
    if index == count - 1:
        return _TAPS(1)
    return _TAPS(2 + (index - 1) % 8)


def conv_windows(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: arithmetic.Padding = "valid",
    dilation: int = 1,
    ax: Axes | None = None,
) -> Figure:
    """Every window position of a convolution along one axis, one row per output position.

    The top row is the input: the ``n`` real pixels numbered from 0, blank grey zero-padding
    cells on either side, and, in sand colour, pixels that no window reaches (a stride that does
    not divide evenly). Each row below is one output position, its kernel taps drawn as coloured
    cells (with gaps when the kernel is dilated): the first window blue and the last orange, as
    in :func:`padded_grid`.

    >>> fig = conv_windows(5, kernel=3, stride=2)
    >>> fig.axes[0].get_title()
    'n=5, kernel=3, stride=2, padding=valid, dilation=1: 2 outputs'
    """
    outputs = arithmetic.conv_output_size(n, kernel, stride, padding, dilation)
    before, after = arithmetic.resolve_padding(n, kernel, stride, padding, dilation)
    span = arithmetic.effective_kernel_size(kernel, dilation)
    if ax is None:
        width = 0.42 * (n + before + after) + 1.2
        _, ax = plt.subplots(figsize=(width, 0.42 * (outputs + 1) + 0.9), layout="constrained")
    starts = np.arange(outputs) * stride - before  # first tap of each window, in input positions
    reached = np.zeros(n, dtype=bool)
    for start in starts:
        taps = start + np.arange(kernel) * dilation
        reached[taps[(taps >= 0) & (taps < n)]] = True
    for position in range(-before, n + after):
        inside = 0 <= position < n
        fill = _PADDING if not inside else (_INPUT if reached[position] else _UNUSED)
        ax.add_patch(Rectangle((position - 0.5, -0.5), 1, 1, facecolor=fill, edgecolor="0.3"))
        if inside:  # padding cells stay blank: a "0" there reads as pixel index 0
            ax.text(position, 0, str(position), ha="center", va="center", fontsize=9)
    for row, start in enumerate(starts, start=1):
        colour = _window_colour(row - 1, outputs)
        ax.plot([start, start + span - 1], [row, row], color=colour, linewidth=1.5, zorder=1)
        for tap in start + np.arange(kernel) * dilation:
            ax.add_patch(Rectangle((tap - 0.4, row - 0.4), 0.8, 0.8, facecolor=colour, zorder=2))
        ax.text(-before - 0.8, row, f"out {row - 1}", ha="right", va="center", fontsize=9)
    ax.text(-before - 0.8, 0, "input", ha="right", va="center", fontsize=9, weight="bold")
    ax.set_xlim(-before - 3.2, n + after - 0.4)
    ax.set_ylim(outputs + 0.6, -0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    name = padding if isinstance(padding, str) else repr(padding)
    ax.set_title(
        f"n={n}, kernel={kernel}, stride={stride}, padding={name}, dilation={dilation}: "
        f"{outputs} output{'s' if outputs != 1 else ''}",
        fontsize=10,
    )
    return ax.figure  # type: ignore[return-value]


def padded_grid(
    height: int,
    width: int,
    kernel: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: arithmetic.Padding = "valid",
    dilation: int | tuple[int, int] = 1,
    ax: Axes | None = None,
) -> Figure:
    """The 2-D input with its zero padding, the first window (blue) and the last one (orange).

    ``padding`` is any one-axis padding of :mod:`cnnlib.arithmetic`, applied to both axes.
    Padding cells are grey; the title gives the padding on each side and the output shape.
    With ``padding="same"`` and stride 2 the picture shows Keras padding more at the bottom
    and right than at the top and left.

    >>> fig = padded_grid(6, 6, kernel=3, stride=2, padding="same")
    >>> print(fig.axes[0].get_title())
    input 6x6 -> output 3x3
    padding top 0, bottom 1, left 0, right 1
    """
    (kh, kw), (sh, sw), (dh, dw) = (
        integer_pair(kernel, "kernel"),
        integer_pair(stride, "stride"),
        integer_pair(dilation, "dilation"),
    )
    out_h = arithmetic.conv_output_size(height, kh, sh, padding, dh)
    out_w = arithmetic.conv_output_size(width, kw, sw, padding, dw)
    top, bottom = arithmetic.resolve_padding(height, kh, sh, padding, dh)
    left, right = arithmetic.resolve_padding(width, kw, sw, padding, dw)
    if ax is None:
        cell = 0.4
        _, ax = plt.subplots(
            figsize=(cell * (width + left + right) + 0.6, cell * (height + top + bottom) + 0.9),
            layout="constrained",
        )
    for row in range(-top, height + bottom):
        for column in range(-left, width + right):
            inside = 0 <= row < height and 0 <= column < width
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, edgecolor="0.5",
                                   facecolor=_INPUT if inside else _PADDING))  # fmt: skip
    for (row, column), colour in (((0, 0), "tab:blue"), ((out_h - 1, out_w - 1), "tab:orange")):
        top_row, first_column = row * sh - top, column * sw - left
        for i in range(kh):
            for j in range(kw):
                ax.add_patch(Rectangle(
                    (first_column + j * dw - 0.35, top_row + i * dh - 0.35), 0.7, 0.7,
                    facecolor=colour, alpha=0.55, edgecolor=colour))  # fmt: skip
        span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
        ax.add_patch(Rectangle((first_column - 0.5, top_row - 0.5), span_w, span_h, fill=False,
                               edgecolor=colour, linewidth=2.5))  # fmt: skip
    ax.set_xlim(-left - 0.6, width + right - 0.4)
    ax.set_ylim(height + bottom - 0.4, -top - 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        f"input {height}x{width} -> output {out_h}x{out_w}\n"
        f"padding top {top}, bottom {bottom}, left {left}, right {right}",
        fontsize=10,
    )
    return ax.figure  # type: ignore[return-value]


# Training curves, confusion matrices, mistakes ---------------------------------------------------

#: The column names of the tidy table :func:`read_tensorboard_scalars` returns.
SCALAR_COLUMNS = ("run", "tag", "step", "value")


def read_tensorboard_scalars(log_dir: str | os.PathLike[str]) -> dict[str, list[Any]]:
    """Read the scalars of TensorBoard event files back, with TensorBoard's own reader.

    ``log_dir`` is the folder given to ``keras.callbacks.TensorBoard``; each sub-folder with
    event files (Keras writes ``train`` and ``validation``) is one *run*. The result is a tidy
    table as a dict of equal-length columns ``run``, ``tag``, ``step`` and ``value`` (one row per
    logged number, sorted), which ``pandas.DataFrame`` accepts as it is and
    :func:`plot_history` draws.
    """
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    root = Path(log_dir)
    if not root.is_dir():
        raise ValueError(f"log_dir {str(log_dir)!r} is not a folder")
    folders = sorted({path.parent for path in root.rglob("events.out.tfevents.*")})
    if not folders:
        raise ValueError(f"log_dir {str(log_dir)!r} holds no TensorBoard event files")
    rows: list[tuple[str, str, int, float]] = []
    everything = {event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
    for folder in folders:
        run = folder.relative_to(root).as_posix() if folder != root else "."
        accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance=everything)
        accumulator.Reload()
        tags = accumulator.Tags()
        for tag in tags.get(event_accumulator.SCALARS, []):
            rows += [(run, tag, e.step, float(e.value)) for e in accumulator.Scalars(tag)]
        for tag in tags.get(event_accumulator.TENSORS, []):  # tf.summary v2 writes tensors
            for event in accumulator.Tensors(tag):
                value = tensor_util.make_ndarray(event.tensor_proto)
                if value.size == 1 and np.issubdtype(value.dtype, np.number):
                    rows.append((run, tag, event.step, float(value.reshape(()))))
    rows.sort()
    return {name: [row[i] for row in rows] for i, name in enumerate(SCALAR_COLUMNS)}


def _history_dict(history: object) -> dict[str, list[float]]:
    """A ``History``, a ``history.history`` dict or a scalar table, as ``{metric: values}``."""
    values = getattr(history, "history", history)
    if not isinstance(values, dict) or not values:
        raise ValueError(
            "history must be a keras History, its .history dict, or the table of "
            "read_tensorboard_scalars"
        )
    if set(SCALAR_COLUMNS) <= set(values):  # a tidy TensorBoard table
        series: dict[str, dict[int, float]] = {}
        for run, tag, step, value in zip(*(values[c] for c in SCALAR_COLUMNS), strict=True):
            if not str(tag).startswith("epoch_"):
                continue
            metric = str(tag).removeprefix("epoch_")
            key = (
                metric if run in ("train", ".") else f"val_{metric}" if run == "validation" else ""
            )
            if key:
                series.setdefault(key, {})[int(step)] = float(value)
        return {key: [steps[s] for s in sorted(steps)] for key, steps in series.items()}
    return {str(key): [float(v) for v in vals] for key, vals in values.items()}


def plot_history(
    history: object,
    metrics: Sequence[str] = ("accuracy", "loss"),
    monitor: str = "val_loss",
    *,
    size: float = 5.2,
) -> Figure:
    """Training and validation curves side by side, one panel per metric.

    ``history`` is what ``fit`` returns, its ``.history`` dict, or the table of
    :func:`read_tensorboard_scalars`. Epochs are numbered from 1; the validation curve is drawn
    when ``val_<metric>`` is there. The best epoch by ``monitor`` (lowest for a loss, highest
    otherwise: the epoch that ``EarlyStopping(restore_best_weights=True)`` and
    ``ModelCheckpoint(save_best_only=True)`` keep) is marked with a star in every panel.
    ``size`` is each panel's width in inches.

    >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, metrics=["loss"])
    >>> fig.axes[0].get_title()
    'loss'
    """
    series = _history_dict(history)
    if isinstance(metrics, str) or not metrics:
        raise ValueError("metrics must be a non-empty list of metric names")
    missing = [m for m in metrics if m not in series]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history (it has {sorted(series)})")
    kept = None
    if series.get(monitor):
        watched = series[monitor]
        kept = int(np.argmin(watched) if "loss" in monitor else np.argmax(watched))
    _check_size(size)
    fig, axes = plt.subplots(1, len(metrics), figsize=(size * len(metrics), 3.6),
                             layout="constrained", squeeze=False)  # fmt: skip
    for ax, metric in zip(axes.flat, metrics, strict=True):
        train = series[metric]
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, marker="o", markersize=3, label="training")
        validation = series.get(f"val_{metric}")
        if validation:
            val_epochs = np.arange(1, len(validation) + 1)
            ax.plot(val_epochs, validation, marker="o", markersize=3, label="validation")
            if kept is not None and kept < len(validation):
                ax.axvline(kept + 1, color="0.6", linestyle=":", linewidth=1)
                ax.plot(kept + 1, validation[kept], marker="*", markersize=12,
                        color="tab:orange", linestyle="none",
                        label=f"best {monitor} (epoch {kept + 1})")  # fmt: skip
        ax.set(title=metric, xlabel="epoch")
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def compare_histories(
    histories: Mapping[str, object], metric: str = "val_accuracy", *, size: float = 6.4
) -> Figure:
    """One curve of ``metric`` per run, on one set of axes; each run's best epoch is starred.

    ``histories`` maps a run's name to what ``fit`` returned (or its ``.history`` dict, or a
    table of :func:`read_tensorboard_scalars`). The best epoch is the highest point, or the
    lowest for a loss.

    >>> fig = compare_histories({"a": {"val_accuracy": [0.5, 0.7]}, "b": {"val_accuracy": [0.6]}})
    >>> [line.get_label() for line in fig.axes[0].get_lines()][::2]
    ['a (best 0.700)', 'b (best 0.600)']
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a non-empty dict of run name -> history")
    fig, ax = plt.subplots(figsize=(size, size * 0.6), layout="constrained")
    for name, history in histories.items():
        series = _history_dict(history)
        if not series.get(metric):
            raise ValueError(f"history {name!r} has no {metric!r} (it has {sorted(series)})")
        values = np.asarray(series[metric])
        best = int(np.argmin(values) if "loss" in metric else np.argmax(values))
        epochs = np.arange(1, len(values) + 1)
        (line,) = ax.plot(epochs, values, linewidth=1.6, label=f"{name} (best {values[best]:.3f})")
        ax.plot(best + 1, values[best], marker="*", markersize=11, color=line.get_color(),
                linestyle="none")  # fmt: skip
    ax.set(title=metric, xlabel="epoch")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _labels(values: ArrayLike, name: str) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty 1-D array of integer class labels")
    return array.astype(np.int64)


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, num_classes: int | None = None
) -> NDArray[np.int64]:
    """Counts of (true class, predicted class) pairs: row = truth, column = prediction.

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    truth, predicted = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if truth.shape != predicted.shape:
        raise ValueError(f"y_true {truth.shape} and y_pred {predicted.shape} differ in length")
    if min(truth.min(), predicted.min()) < 0:
        raise ValueError("class labels must be >= 0")
    classes = int(max(truth.max(), predicted.max())) + 1
    if num_classes is not None:
        if integer(num_classes, "num_classes", 1) < classes:
            raise ValueError(f"num_classes={num_classes} but a label is {classes - 1}")
        classes = num_classes
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def plot_confusion_matrix(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    class_names: Sequence[str] | None = None,
    *,
    size: float = 6.0,
) -> Figure:
    """The confusion matrix as annotated cells; the diagonal (correct answers) is greyed out of
    the colour scale so that the mistakes stand out.

    >>> fig = plot_confusion_matrix([0, 1, 1], [0, 1, 0], ["a", "b"])
    >>> fig.axes[0].get_xlabel()
    'predicted class'
    """
    counts = confusion_matrix(y_true, y_pred, None if class_names is None else len(class_names))
    names = [str(i) for i in range(len(counts))] if class_names is None else list(class_names)
    _check_size(size)
    errors = counts.astype(float)
    np.fill_diagonal(errors, np.nan)
    fig, ax = plt.subplots(figsize=(size, size * 0.9), layout="constrained")
    cmap = mpl.colormaps["Reds"].with_extremes(bad="0.92")
    shown = ax.imshow(errors, cmap=cmap, vmin=0, vmax=max(1.0, float(np.nanmax(errors))))
    high = max(1.0, float(np.nanmax(errors)))
    for (row, column), count in np.ndenumerate(counts):
        dark = row != column and count > 0.6 * high
        ax.text(column, row, str(count), ha="center", va="center", fontsize=8,
                color="white" if dark else "black",
                weight="bold" if row == column else "normal")  # fmt: skip
    ax.set_xticks(range(len(names)), names, rotation=45 if max(map(len, names)) > 2 else 0)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="predicted class", ylabel="true class")
    fig.colorbar(shown, ax=ax, shrink=0.8, label="mistakes")
    return fig


def show_misclassified(
    images: ArrayLike,
    y_true: ArrayLike,
    probabilities: ArrayLike,
    class_names: Sequence[str] | None = None,
    *,
    count: int = 18,
    ncols: int = 6,
    size: float = 1.6,
) -> Figure:
    """The misclassified images with their true label, the prediction and its probability.

    ``probabilities`` is the model's output, one row per image. The most confident mistakes are
    shown first: those are the ones worth looking at. ``size`` is each panel's width in inches.
    """
    pictures = np.asarray(images)
    truth = _labels(y_true, "y_true")
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim != 2 or len(probs) != len(truth) or len(pictures) != len(truth):
        raise ValueError(
            "images, y_true and probabilities must have one entry per image, got "
            f"{len(pictures)}, {len(truth)} and {probs.shape}"
        )
    count, ncols = integer(count, "count", 1), integer(ncols, "ncols", 1)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != truth)
    if wrong.size == 0:
        raise ValueError("there is no misclassified image to show")
    wrong = wrong[np.argsort(-probs[wrong, predicted[wrong]], kind="stable")][:count]
    names = class_names or [str(i) for i in range(probs.shape[1])]
    rows = -(-len(wrong) // ncols)
    _check_size(size)
    fig, axes = plt.subplots(rows, ncols, figsize=(size * ncols, (size + 0.35) * rows),
                             layout="constrained", squeeze=False)  # fmt: skip
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, index in zip(axes.flat, wrong, strict=False):
        picture = pictures[index]
        ax.imshow(picture.squeeze(), cmap="gray_r" if picture.squeeze().ndim == 2 else None)
        guess = predicted[index]
        ax.set_title(f"true {names[truth[index]]}\npred {names[guess]} "
                     f"({probs[index, guess]:.0%})", fontsize=9)  # fmt: skip
    return fig


def compare_rows(
    rows: Sequence[ArrayLike],
    labels: Sequence[str],
    *,
    count: int | None = None,
    captions: Sequence[Sequence[str] | None] | None = None,
    cmap: str = "gray_r",
    size: float = 1.1,
) -> Figure:
    """Sets of images one above the other, image ``i`` of every row in column ``i``.

    Typical rows: originals, noisy inputs, reconstructions. Every row is an array of images
    ``(n, height, width)`` (a trailing channel axis of 1 is dropped) with the same ``n``; all
    single-channel panels share one colour scale, from the smallest to the largest value shown.
    ``labels`` names the rows; ``captions``, if given, holds one list of short texts per row (or
    ``None`` for a row without them), drawn above each image. ``count`` keeps the first images.

    >>> originals = np.zeros((3, 4, 4))
    >>> fig = compare_rows([originals, originals + 0.5], ["before", "after"])
    >>> len(fig.axes), fig.axes[3].get_ylabel()
    (6, 'after')
    """
    if isinstance(rows, np.ndarray) or not isinstance(rows, Sequence) or not rows:
        raise ValueError("rows must be a list of image arrays, one per row")
    sets = []
    for index, row in enumerate(rows):
        array = np.asarray(row, dtype=float)
        if array.ndim == 4 and array.shape[-1] == 1:
            array = array[..., 0]
        if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[-1] not in (3, 4)):
            raise ValueError(
                f"rows[{index}] must be images (n, height, width[, 1|3|4]), got shape {array.shape}"
            )
        sets.append(array)
    if len({len(array) for array in sets}) != 1 or len(sets[0]) == 0:
        raise ValueError(
            f"every row must hold the same, non-zero number of images, got "
            f"{[len(array) for array in sets]}"
        )
    if isinstance(labels, str) or len(labels) != len(sets):
        raise ValueError(f"labels must be a list of {len(sets)} strings, one per row")
    columns = len(sets[0]) if count is None else min(integer(count, "count", 1), len(sets[0]))
    texts: list[Sequence[str] | None] = [None] * len(sets) if captions is None else list(captions)
    if len(texts) != len(sets) or any(
        t is not None and (isinstance(t, str) or len(t) < columns) for t in texts
    ):
        raise ValueError(
            f"captions must hold one entry per row ({len(sets)}): None or a list of at least "
            f"{columns} strings"
        )
    _check_size(size)
    if cmap not in mpl.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map name, got {cmap!r}")
    planes = [array[:columns] for array in sets if array.ndim == 3]
    low = min((float(p.min()) for p in planes), default=0.0)
    high = max((float(p.max()) for p in planes), default=1.0)
    aspect = sets[0].shape[1] / sets[0].shape[2]
    caption_space = 0.25 if any(t is not None for t in texts) else 0.0
    fig, axes = plt.subplots(
        len(sets), columns, squeeze=False, layout="constrained",
        figsize=(size * columns + 1.0, (size * aspect + caption_space) * len(sets)),
    )  # fmt: skip
    for r, (array, label, row_texts) in enumerate(zip(sets, labels, texts, strict=True)):
        for c in range(columns):
            ax = axes[r, c]
            if array.ndim == 3:
                ax.imshow(array[c], cmap=cmap, vmin=low, vmax=high)
            else:
                ax.imshow(np.clip(array[c], 0, 1))
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if row_texts is not None:
                ax.set_title(row_texts[c], fontsize=9)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    return fig


def overlay_heatmap(
    image: ArrayLike,
    heatmap: ArrayLike,
    *,
    centres: arithmetic.CellCentres | None = None,
    alpha: float = 0.5,
    cmap: str = "magma",
    vmin: float | None = None,
    vmax: float | None = None,
) -> NDArray[np.floating]:
    """An RGB picture of ``heatmap`` laid over ``image``, ready for ``imshow``.

    ``image`` is ``(height, width)``, ``(height, width, 1)`` or RGB with values in ``[0, 1]``,
    and shows a model's whole input (at any resolution). ``heatmap`` is a 2-D map of one of the
    model's layers (a class activation map, say), and ``centres``
    (:func:`cnnlib.arithmetic.cell_centres` of that layer) says where its cells sit: each
    cell's value is drawn at its receptive field's centre, bilinear between neighbouring
    centres. Beyond the outermost centres no cell is centred, and the colour fades out over one
    ``jump`` (the distance between centres): the photo shows through untinted where the map
    says nothing. A map that already has the image's height and width needs no ``centres``.

    The values are scaled from ``vmin`` (0) to ``vmax`` (1), coloured with ``cmap`` (a name
    from ``matplotlib.colormaps``; the default, ``magma``, is perceptually uniform, unlike
    ``jet``) and blended with weight ``alpha``. ``vmin`` and ``vmax`` default to the map's own
    minimum and maximum; give the same pair to several maps to compare them on one scale.

    >>> from cnnlib.arithmetic import CellCentres
    >>> centres = CellCentres([1.5, 5.5], [1.5, 5.5], jump=4, input_shape=(8, 8))
    >>> overlay_heatmap(np.zeros((8, 8)), np.eye(2), centres=centres).shape
    (8, 8, 3)
    """
    picture = np.asarray(image, dtype=float)
    if picture.ndim == 3 and picture.shape[2] == 1:
        picture = picture[..., 0]
    if picture.ndim == 2:
        picture = np.repeat(picture[..., None], 3, axis=2)
    if picture.ndim != 3 or picture.shape[2] != 3 or 0 in picture.shape:
        raise ValueError(f"image must be (height, width[, 1 or 3]), got shape {np.shape(image)}")
    heat = np.asarray(heatmap, dtype=float)
    if heat.ndim != 2 or heat.size == 0 or not np.isfinite(heat).all():
        raise ValueError(f"heatmap must be a finite 2-D array, got shape {heat.shape}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number from 0 to 1, got {alpha!r}")
    if cmap not in mpl.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map name, got {cmap!r}")
    for name, bound in (("vmin", vmin), ("vmax", vmax)):
        if bound is not None and (
            isinstance(bound, bool) or not isinstance(bound, (int, float)) or not np.isfinite(bound)
        ):
            raise ValueError(f"{name} must be a finite number or None, got {bound!r}")
    if vmin is not None and vmax is not None and not vmin < vmax:
        raise ValueError(f"vmin must be below vmax, got {vmin!r} and {vmax!r}")
    size = picture.shape[:2]
    if centres is None:
        if heat.shape != size:
            raise ValueError(
                f"centres: the heatmap is {heat.shape[0]}x{heat.shape[1]} and the image "
                f"{size[0]}x{size[1]}; give the heatmap layer's arithmetic.cell_centres, so that "
                "each cell is drawn where it looks (stretching the map misplaces its cells)"
            )
        placed, cover = heat, np.ones(size)
    else:
        placed = arithmetic.place_maps(heat[None], centres, size)[0]
        cover = arithmetic.place_maps(np.ones((1, *heat.shape)), centres, size, outside="fade")[0]
    low = float(heat.min()) if vmin is None else float(vmin)
    high = float(heat.max()) if vmax is None else float(vmax)
    span = high - low
    scaled = np.clip((placed - low) / span, 0, 1) if span > 0 else np.zeros_like(placed)
    colours = mpl.colormaps[cmap](scaled)[..., :3]
    weight = alpha * cover[..., None]
    blended: NDArray[np.floating] = (1 - weight) * np.clip(picture, 0, 1) + weight * colours
    return blended


def show_augmentations(
    image: ArrayLike,
    augmentation: Any,
    *,
    count: int = 8,
    ncols: int = 4,
    size: float = 2.0,
) -> Figure:
    """The original ``image`` and ``count - 1`` variants of it drawn by ``augmentation``.

    ``augmentation`` is a callable such as a ``keras.Sequential`` of ``RandomFlip``,
    ``RandomRotation`` and friends; it is called with ``training=True`` (Keras's random layers
    do nothing otherwise) on a batch of one. ``image`` is ``(height, width, 3)`` with values in
    ``[0, 255]`` or ``[0, 1]``. Keras's random layers draw from generators seeded when the
    layers are built, so seed the notebook (``cnnlib.runtime.seed``) before building them to
    get the same variants on every run.

    >>> fig = show_augmentations(np.zeros((8, 8, 3)), lambda x, training: x, count=4)
    >>> len(fig.axes), fig.axes[0].get_title()
    (4, 'original')
    """
    picture = np.asarray(image, dtype=np.float32)
    if picture.ndim != 3 or picture.shape[2] != 3 or 0 in picture.shape:
        raise ValueError(f"image must be (height, width, 3), got shape {picture.shape}")
    if not callable(augmentation):
        raise ValueError("augmentation must be callable, such as a keras.Sequential of layers")
    variants = integer(count, "count", 2)
    scale = 255.0 if picture.max() > 1.0 else 1.0
    from cnnlib import runtime

    runtime.quiet_tensorflow()
    import keras

    batch = np.repeat(picture[np.newaxis], variants - 1, axis=0)
    drawn = np.asarray(keras.ops.convert_to_numpy(augmentation(batch, training=True)))
    if drawn.shape != batch.shape:
        raise ValueError(
            f"augmentation must keep the image's shape {batch.shape[1:]}, gave {drawn.shape[1:]}"
        )
    pictures = [picture / scale, *(np.clip(d / scale, 0, 1) for d in drawn)]
    titles = ["original", *(f"variant {i}" for i in range(1, variants))]
    return image_grid(pictures, titles, ncols=min(integer(ncols, "ncols", 1), variants), size=size)


def _mosaic(tiles: NDArray[np.floating], ncols: int) -> NDArray[np.floating]:
    """``(count, h, w[, 3])`` tiles in one array of ``ncols`` columns, one NaN pixel between
    them (NaN is drawn in the colour map's "bad" colour, or white for RGB)."""
    count, height, width = tiles.shape[:3]
    rest = tiles.shape[3:]
    rows = -(-count // ncols)
    padded = np.full((rows * ncols, height + 1, width + 1, *rest), np.nan)
    padded[:count, :height, :width] = tiles
    grid = padded.reshape(rows, ncols, height + 1, width + 1, *rest)
    grid = np.moveaxis(grid, 2, 1).reshape(rows * (height + 1), ncols * (width + 1), *rest)
    result: NDArray[np.floating] = grid[:-1, :-1]
    return result


def feature_map_grid(
    maps: ArrayLike,
    name: str | None = None,
    *,
    ncols: int = 16,
    cmap: str = "viridis",
    size: float = 0.6,
) -> Figure:
    """Every channel of one layer's feature maps (``(height, width, channels)``) as a tile of
    one picture, titled with ``name`` and the shape.

    Each tile is normalised on its own (its smallest value dark, its largest bright), because
    the point is *where* each filter responds; their magnitudes differ by orders across a
    layer. Maps that are zero everywhere (dark for this image) are drawn in the map's darkest
    colour and counted in the title. ``size`` is each tile's width in inches.

    >>> maps = np.zeros((4, 4, 3)); maps[..., 1] = np.eye(4)
    >>> fig = feature_map_grid(maps, "conv1", ncols=3)
    >>> fig.axes[0].get_title()
    'conv1: 4x4x3, 2 of 3 maps all zero'
    """
    array = np.asarray(maps, dtype=float)
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"maps must be (height, width, channels), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("maps must hold finite numbers")
    _check_size(size)
    if cmap not in mpl.colormaps:
        raise ValueError(f"cmap must be a matplotlib colour map name, got {cmap!r}")
    columns = min(integer(ncols, "ncols", 1), array.shape[2])
    tiles = np.moveaxis(array, 2, 0)
    low = tiles.min(axis=(1, 2), keepdims=True)
    span = tiles.max(axis=(1, 2), keepdims=True) - low
    normalised = np.where(span > 0, (tiles - low) / np.where(span > 0, span, 1), 0.0)
    dark = int(np.sum(np.all(tiles == 0, axis=(1, 2))))
    picture = _mosaic(normalised, columns)
    height, width, channels = array.shape
    rows = -(-channels // columns)
    fig, ax = plt.subplots(
        layout="constrained",
        figsize=(size * columns, size * rows * height / width + 0.4),
    )
    ax.imshow(picture, cmap=mpl.colormaps[cmap].with_extremes(bad="white"), vmin=0, vmax=1)
    ax.set_axis_off()
    label = f"{height}x{width}x{channels}, {dark} of {channels} maps all zero"
    ax.set_title(f"{name}: {label}" if name else label, fontsize=10)
    return fig


def filter_grid(
    kernel: ArrayLike,
    *,
    scale: str = "shared",
    channel: int | None = None,
    ncols: int = 8,
    size: float = 0.8,
) -> Figure:
    """The filters of a convolution (``kernel`` as Keras stores it: ``(kh, kw, in, out)``) as
    small images, one tile each.

    With ``scale="shared"`` every tile uses one colour scale, so a pale filter really has small
    weights; with ``scale="each"`` every filter gets a scale of its own, which shows each
    pattern clearly but hides how strong it is. One-input-channel kernels (or one ``channel``
    of them) are drawn with a diverging map centred on zero (blue negative, white zero, red
    positive) from ``-m`` to ``m``, where ``m`` is the largest absolute weight of all the
    filters (``"shared"``) or of each filter (``"each"``, which divides each filter by its own
    ``m``). Three-channel kernels are drawn as RGB pictures stretched from the smallest weight
    (0) to the largest (1), of all the filters or of each.

    >>> kernel = np.zeros((3, 3, 1, 2)); kernel[1, 1, 0] = [1.0, -0.5]
    >>> fig = filter_grid(kernel)
    >>> [float(v) for v in fig.axes[0].images[0].get_clim()]
    [-1.0, 1.0]
    """
    weights = np.asarray(kernel, dtype=float)
    if weights.ndim != 4 or 0 in weights.shape:
        raise ValueError(f"kernel must be (height, width, in, out), got shape {weights.shape}")
    if not np.all(np.isfinite(weights)):
        raise ValueError("kernel must hold finite numbers")
    if scale not in ("shared", "each"):
        raise ValueError(f"scale must be 'shared' or 'each', got {scale!r}")
    _check_size(size)
    if channel is not None:
        index = integer(channel, "channel", 0)
        if index >= weights.shape[2]:
            raise ValueError(f"channel must be below {weights.shape[2]}, the input channels")
        weights = weights[:, :, index : index + 1]
    if weights.shape[2] not in (1, 3):
        raise ValueError(
            f"kernel has {weights.shape[2]} input channels: pick one with channel=... "
            "(only one-channel and RGB kernels can be drawn whole)"
        )
    tiles = np.moveaxis(weights, 3, 0)  # (out, kh, kw, in)
    columns = min(integer(ncols, "ncols", 1), len(tiles))
    rows = -(-len(tiles) // columns)
    axes_sum = (1, 2, 3)
    fig, ax = plt.subplots(
        layout="constrained",
        figsize=(size * columns + 0.9, size * rows * weights.shape[0] / weights.shape[1] + 0.4),
    )
    if tiles.shape[3] == 1:
        if scale == "shared":
            largest = float(np.max(np.abs(tiles))) or 1.0
            shown, limit = tiles[..., 0], largest
        else:
            each = np.max(np.abs(tiles), axis=axes_sum, keepdims=True)
            shown, limit = (tiles / np.where(each > 0, each, 1))[..., 0], 1.0
        cmap = mpl.colormaps[SIGNED_CMAP].with_extremes(bad="white")
        image = ax.imshow(_mosaic(shown, columns), cmap=cmap, vmin=-limit, vmax=limit)
        bar = fig.colorbar(image, ax=ax, shrink=0.8, fraction=0.05)
        bar.set_label("weight" if scale == "shared" else "weight / filter's largest |weight|")
    else:
        if scale == "shared":
            low, high = tiles.min(), tiles.max()
        else:
            low = tiles.min(axis=axes_sum, keepdims=True)
            high = tiles.max(axis=axes_sum, keepdims=True)
        span = high - low
        rgb = np.where(span > 0, (tiles - low) / np.where(span > 0, span, 1), 0.5)
        picture = _mosaic(rgb, columns)
        ax.imshow(np.where(np.isnan(picture), 1.0, picture))
    ax.set_axis_off()
    how = "one shared scale" if scale == "shared" else "each on its own scale"
    ax.set_title(f"{len(tiles)} filters, {how}", fontsize=10)
    return fig


def weight_histograms(
    weights: Mapping[str, ArrayLike], *, bins: int = 40, size: float = 3.6
) -> Figure:
    """Histograms of several weight arrays side by side, with the same bins and the same axes,
    each titled with its label and standard deviation.

    Shared bins make the shapes comparable: with bins fitted to each array on its own, a
    narrow and a wide distribution would look alike.

    >>> fig = weight_histograms({"init": np.linspace(-1, 1, 9), "trained": np.linspace(-2, 2, 9)})
    >>> [ax.get_title() for ax in fig.axes]
    ['init (std 0.65)', 'trained (std 1.29)']
    >>> fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    True
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError("weights must be a non-empty mapping of label -> array")
    arrays = {str(k): np.asarray(v, dtype=float).ravel() for k, v in weights.items()}
    for label, array in arrays.items():
        if array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(
                f"weights[{label!r}] must hold at least one finite number, and only finite numbers"
            )
    count = integer(bins, "bins", 1)
    _check_size(size)
    edges = np.histogram_bin_edges(np.concatenate(list(arrays.values())), bins=count)
    fig, axes = plt.subplots(
        1, len(arrays), squeeze=False, sharex=True, sharey=True, layout="constrained",
        figsize=(size * len(arrays), size * 0.7),
    )  # fmt: skip
    for ax, (label, array) in zip(axes.flat, arrays.items(), strict=True):
        ax.hist(array, bins=edges, color="tab:blue")
        ax.set_title(f"{label} (std {array.std():.2f})", fontsize=10)
        ax.set_xlabel("weight")
    axes.flat[0].set_ylabel("count")
    return fig


#: The width of the book's text column, in inches at the 100 pixels per inch that
#: :func:`book_style` draws at: a figure is shown at most 690 pixels wide.
COLUMN_WIDTH = 6.9

#: The book's figure style: text sizes in points that land at 11 pixels or more on the page,
#: once the figure is drawn at the column's width (a point is 100/72 pixels there).
BOOK_RC: dict[Any, Any] = {
    "figure.dpi": 100,
    "figure.figsize": (COLUMN_WIDTH, 3.6),
    "figure.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "image.cmap": "viridis",
}


def fit_to_column(fig: Figure, width: float = COLUMN_WIDTH) -> Figure:
    """Shrink ``fig`` (never enlarge it) to at most ``width`` inches wide, keeping its aspect.

    Text keeps its size in points, so a figure drawn wider than the column comes out with
    larger text relative to its panels than it had, and as large on the page as the style
    says. :func:`book_style` applies it to every figure a notebook shows.

    >>> fig = plt.figure(figsize=(13.8, 4))
    >>> [round(float(x), 2) for x in fit_to_column(fig).get_size_inches()]
    [6.9, 2.0]
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    _check_size(width, "width", "a width")
    current, height = fig.get_size_inches()
    if current > width:
        fig.set_size_inches(width, height * width / current)
    return fig


#: The group id :func:`as_photo` gives a figure.
_PHOTO_GID = "cnnlib-photo"


def is_photo(fig: Figure) -> bool:
    """Whether ``fig`` shows a colour photograph: an RGB image at least 64 pixels on a side.

    Such figures are stored as JPEG, which is several times smaller than PNG for photos. A
    figure marked with :func:`as_photo` counts too.

    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.zeros((8, 8)))
    >>> is_photo(fig)
    False
    >>> _ = ax.imshow(np.random.default_rng(0).random((96, 96, 3)))
    >>> is_photo(fig)
    True
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if fig.get_gid() == _PHOTO_GID:  # marked by as_photo
        return True
    for ax in fig.axes:
        for image in ax.get_images():
            array = np.asarray(image.get_array())
            if array.ndim == 3 and array.shape[2] in (3, 4) and min(array.shape[:2]) >= 64:
                return True
    return False


def as_photo(fig: Figure) -> Figure:
    """Mark ``fig`` as a photograph, so that :func:`book_style` stores it as JPEG.

    For figures of grey photos (and maps computed from them), which :func:`is_photo` cannot
    tell from a chart, and whose PNG at twice the pixels weighs several times as much.

    >>> fig, ax = plt.subplots()
    >>> _ = ax.imshow(np.random.default_rng(0).random((96, 96)), cmap="gray")
    >>> is_photo(fig), is_photo(as_photo(fig))
    (False, True)
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.set_gid(_PHOTO_GID)
    return fig


def figure_bytes(fig: Figure, fmt: str, *, scale: int = 2) -> tuple[bytes, dict[str, int]]:
    """``fig`` fitted to the column and saved as ``fmt`` (``"png"`` or ``"jpeg"``) at ``scale``
    times its pixel size, with the width to show it at (``{"width": ...}``, in CSS pixels).

    At ``scale=2`` the picture stays sharp on high-density (2x) screens. No height is given, so
    a browser narrower than the figure scales it down without distorting it.

    >>> fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
    >>> data, shown = figure_bytes(fig, "png")
    >>> data[:4], 250 < shown["width"] <= 300
    (b'\\x89PNG', True)
    >>> plt.close(fig)
    """
    if fmt not in ("png", "jpeg"):
        raise ValueError(f"fmt must be 'png' or 'jpeg', got {fmt!r}")
    scale = integer(scale, "scale", 1)
    options: dict[str, Any] = {"pil_kwargs": {"quality": 88}} if fmt == "jpeg" else {}
    fit_to_column(fig)
    for _ in range(3):  # the tight crop can reach past the figure's edge: shrink and redraw
        dpi = fig.get_dpi()
        buffer = io.BytesIO()
        fig.savefig(
            buffer, format=fmt, dpi=dpi * scale, bbox_inches="tight", facecolor="white", **options
        )
        data = buffer.getvalue()
        with Image.open(io.BytesIO(data)) as picture:
            shown = picture.width / scale
        if shown <= COLUMN_WIDTH * dpi + 1:
            break
        fit_to_column(fig, fig.get_size_inches()[0] - (shown - COLUMN_WIDTH * dpi) / dpi)
    return data, {"width": round(shown)}


def book_style() -> None:
    """Set the book's figure style once, at the top of a chapter: :data:`BOOK_RC`, and, in a
    notebook, figures fitted to the column and stored at twice their pixel size (PNG, or JPEG
    for photos, see :func:`is_photo`).

    Outside IPython only the ``rcParams`` change.

    >>> book_style()
    >>> plt.rcParams["font.size"]
    10.0
    >>> plt.rcdefaults()
    """
    mpl.rcParams.update(BOOK_RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    # pyplot starts its backend at the first figure, and the inline backend then installs its
    # own formatters: start it now, so that the book's come after it.
    plt.close(plt.figure())
    formatters = shell.display_formatter.formatters

    def png(fig: Figure) -> tuple[bytes, dict[str, int]] | None:
        return None if is_photo(fig) else figure_bytes(fig, "png")

    def jpeg(fig: Figure) -> tuple[bytes, dict[str, int]] | None:
        return figure_bytes(fig, "jpeg") if is_photo(fig) else None

    formatters["image/png"].for_type(Figure, png)
    formatters["image/jpeg"].for_type(Figure, jpeg)
