"""Image-quality measures, in NumPy.

>>> import numpy as np
>>> clean = np.zeros((4, 4))
>>> round(psnr(clean, clean + 0.1), 2)  # mean squared error 0.01 on a [0, 1] scale
20.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def psnr(
    reference: ArrayLike,
    estimate: ArrayLike,
    *,
    data_range: float = 1.0,
    batch: bool = False,
) -> float | NDArray[np.float64]:
    """Peak signal-to-noise ratio in decibels: ``10 * log10(data_range**2 / MSE)``.

    ``data_range`` is the distance from the darkest to the brightest possible pixel (1 for images
    scaled to ``[0, 1]``, 255 for ``uint8``). Higher is better; every halving of the mean squared
    error adds about 3 dB, and identical images give ``inf``. With ``batch=True`` the first axis
    indexes images and the result holds one PSNR per image (as ``tf.image.psnr``); otherwise the
    whole array is one image.

    >>> images = np.zeros((2, 3, 3))
    >>> noisy = images + np.array([0.1, 0.01])[:, None, None]
    >>> psnr(images, noisy, batch=True).round(2).tolist()
    [20.0, 40.0]
    """
    truth = np.asarray(reference, dtype=np.float64)
    guess = np.asarray(estimate, dtype=np.float64)
    if truth.shape != guess.shape:
        raise ValueError(
            f"reference and estimate must have the same shape, got {truth.shape} and {guess.shape}"
        )
    if truth.size == 0 or (batch and truth.ndim < 2):
        raise ValueError(
            "reference must hold at least one pixel"
            + (" per image, with images along the first axis" if batch else "")
            + f"; got shape {truth.shape}"
        )
    if not np.isfinite(truth).all() or not np.isfinite(guess).all():
        raise ValueError("reference and estimate must hold finite numbers")
    if isinstance(data_range, bool) or not isinstance(data_range, (int, float, np.number)):
        raise ValueError(f"data_range must be a positive number, got {data_range!r}")
    if not np.isfinite(data_range) or data_range <= 0:
        raise ValueError(f"data_range must be a positive number, got {data_range!r}")
    axes = tuple(range(1, truth.ndim)) if batch else None
    mse = np.mean((truth - guess) ** 2, axis=axes)
    with np.errstate(divide="ignore"):
        values = 10 * np.log10(float(data_range) ** 2 / mse)
    return values if batch else float(values)
