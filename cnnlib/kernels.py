"""The classic image kernels, by name.

Every kernel is meant for cross-correlation (what :func:`cnnlib.ops.conv2d` and Keras compute),
so ``sobel_x`` responds positively where the image gets brighter from left to right.

>>> from cnnlib import kernels
>>> kernels.get("sharpen")
array([[ 0., -1.,  0.],
       [-1.,  5., -1.],
       [ 0., -1.,  0.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cnnlib._validate import integer

_KERNELS: dict[str, list[list[float]]] = {
    # Leaves the image unchanged.
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    # The mean of the 3x3 neighbourhood.
    "box_blur": [[1 / 9] * 3] * 3,
    # A 3x3 binomial approximation of a Gaussian (sigma about 0.85): the centre weighs most.
    "gaussian": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    # Identity plus a negative Laplacian: boosts the difference from the neighbours.
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    # Horizontal derivative, smoothed vertically: finds vertical edges.
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    # Vertical derivative, smoothed horizontally: finds horizontal edges.
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    # The discrete Laplacian: zero on flat regions and ramps, large at edges and corners.
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    # A diagonal derivative plus the identity: looks like light from the top left.
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    # The two 2x2 line detectors of the worked example in Chapter 1.
    "vertical_line": [[1, -1], [1, -1]],
    "horizontal_line": [[-1, -1], [1, 1]],
}

#: Names accepted by :func:`get`, in the order the book presents them.
NAMES: tuple[str, ...] = tuple(_KERNELS)


def get(name: str) -> NDArray[np.float32]:
    """Return a new float32 copy of the named kernel (see :data:`NAMES`).

    >>> get("vertical_line")
    array([[ 1., -1.],
           [ 1., -1.]], dtype=float32)
    """
    if name not in _KERNELS:
        raise ValueError(f"name must be one of {', '.join(NAMES)}; got {name!r}")
    return np.array(_KERNELS[name], dtype=np.float32)


def gaussian(size: int = 5, sigma: float = 1.0) -> NDArray[np.float32]:
    """A ``size`` x ``size`` Gaussian kernel with standard deviation ``sigma``, summing to 1.

    >>> k = gaussian(5, sigma=1.0)
    >>> k.shape, round(float(k.sum()), 6), bool(k[2, 2] == k.max())
    ((5, 5), 1.0, True)
    """
    if integer(size, "size", 1) % 2 == 0:
        raise ValueError(f"size must be an odd integer >= 1, got {size!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")
    offsets = np.arange(size) - size // 2
    profile: NDArray[np.float64] = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel: NDArray[np.float64] = np.outer(profile, profile)
    normalised: NDArray[np.float64] = kernel / kernel.sum()
    return normalised.astype(np.float32)
