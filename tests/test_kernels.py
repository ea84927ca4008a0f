"""cnnlib.kernels: what each classic kernel does to simple images."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import kernels, ops

RAMP = np.tile(np.arange(8.0), (8, 1))  # brighter to the right, constant down each column


def test_every_named_kernel_is_a_float32_2d_array():
    for name in kernels.NAMES:
        kernel = kernels.get(name)
        assert kernel.dtype == np.float32
        assert kernel.ndim == 2


def test_get_returns_a_copy():
    kernels.get("identity")[1, 1] = 99
    assert kernels.get("identity")[1, 1] == 1


def test_identity_leaves_the_image_unchanged():
    image = np.random.default_rng(0).random((6, 7))
    np.testing.assert_allclose(ops.apply_kernel(image, kernels.get("identity")), image)


@pytest.mark.parametrize("name", ["identity", "box_blur", "gaussian", "sharpen", "emboss"])
def test_brightness_preserving_kernels_sum_to_one(name):
    assert kernels.get(name).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["sobel_x", "sobel_y", "laplacian", "vertical_line"])
def test_edge_kernels_sum_to_zero_so_flat_regions_give_zero(name):
    assert kernels.get(name).sum() == pytest.approx(0.0)
    flat = np.full((6, 6), 0.7)
    np.testing.assert_allclose(ops.apply_kernel(flat, kernels.get(name), "valid"), 0, atol=1e-6)


def test_sobel_x_is_positive_where_the_image_gets_brighter_to_the_right():
    response = ops.apply_kernel(RAMP, kernels.get("sobel_x"), "valid")
    np.testing.assert_allclose(response, 8.0)  # slope 1 times the weights 1 + 2 + 1, twice over
    np.testing.assert_allclose(ops.apply_kernel(RAMP, kernels.get("sobel_y"), "valid"), 0)


def test_laplacian_is_zero_on_a_linear_ramp():
    np.testing.assert_allclose(ops.apply_kernel(RAMP, kernels.get("laplacian"), "valid"), 0)


def test_gaussian_is_symmetric_peaked_and_normalised():
    kernel = kernels.gaussian(7, sigma=1.5)
    assert kernel.shape == (7, 7)
    assert kernel.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(kernel, kernel.T)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1])
    assert kernel.argmax() == 24  # the centre


def test_a_wider_gaussian_blurs_more():
    assert kernels.gaussian(5, sigma=2.0)[2, 2] < kernels.gaussian(5, sigma=0.5)[2, 2]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kernels.get("blur"), "name must be one of"),
        (lambda: kernels.gaussian(4), "size must be an odd integer"),
        (lambda: kernels.gaussian(0), "size must be an integer >= 1"),
        (lambda: kernels.gaussian(5, sigma=0), "sigma must be a finite number > 0"),
        (lambda: kernels.gaussian(5, sigma=float("nan")), "sigma must be"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
