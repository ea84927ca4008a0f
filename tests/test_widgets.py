"""cnnlib.widgets: the kernel playground reacts to its controls (no browser needed)."""

from __future__ import annotations

import numpy as np
import pytest

from cnnlib import kernels, ops, widgets

IMAGE = np.random.default_rng(0).random((24, 32)).astype(np.float32)


def test_playground_starts_with_the_chosen_kernel_and_a_picture():
    playground = widgets.KernelPlayground(IMAGE, initial="sobel_y")
    np.testing.assert_array_equal(playground.kernel, kernels.get("sobel_y"))
    assert bytes(playground.view.value).startswith(b"\x89PNG")


def test_choosing_a_kernel_fills_the_weights_and_redraws():
    playground = widgets.KernelPlayground(IMAGE)
    before = playground.view.value
    playground.choice.value = "gaussian"
    np.testing.assert_allclose(playground.kernel, kernels.get("gaussian"))
    assert playground.view.value != before


def test_editing_a_weight_switches_to_custom_and_filters_with_it():
    playground = widgets.KernelPlayground(IMAGE, initial="identity")
    playground.cells[4].value = 2.0
    assert playground.choice.value == widgets.CUSTOM
    np.testing.assert_allclose(playground.output, 2 * IMAGE, rtol=1e-6)
    playground.cells[0].value = 1.0
    expected = ops.apply_kernel(IMAGE, [[1, 0, 0], [0, 2, 0], [0, 0, 0]])
    np.testing.assert_allclose(playground.output, expected, rtol=1e-6)


def test_playground_offers_only_3x3_kernels():
    assert "vertical_line" not in widgets.PLAYGROUND_KERNELS
    assert {"sharpen", "sobel_x", "emboss"} <= set(widgets.PLAYGROUND_KERNELS)


@pytest.mark.parametrize(
    ("image", "initial", "message"),
    [
        (np.zeros((8, 8, 3)), "sharpen", "image must be a grey"),
        (IMAGE, "vertical_line", "initial must be one of"),
    ],
)
def test_bad_input_raises_value_error(image, initial, message):
    with pytest.raises(ValueError, match=message):
        widgets.KernelPlayground(image, initial=initial)


def test_bad_resolution_raises_value_error():
    with pytest.raises(ValueError, match="dpi must be an integer >= 10"):
        widgets.KernelPlayground(IMAGE, dpi=0)


def test_explorer_reports_the_output_size_of_arithmetic_and_redraws():
    explorer = widgets.ConvArithmeticExplorer(n=5, kernel=3, stride=2)
    assert explorer.output_size() == 2
    assert "<b>2</b>" in explorer.summary.value
    assert bytes(explorer.view.value).startswith(b"\x89PNG")
    before = explorer.view.value
    explorer.padding.value = "same"
    assert explorer.output_size() == 3
    assert explorer.view.value != before


def test_explorer_explicit_padding_uses_the_amount_slider():
    explorer = widgets.ConvArithmeticExplorer(n=6, kernel=3, stride=1)
    assert explorer.amount.disabled
    explorer.padding.value = widgets.EXPLICIT
    explorer.amount.value = 2
    assert not explorer.amount.disabled
    assert explorer.padding_spec == 2
    assert explorer.output_size() == 8


def test_explorer_says_when_the_kernel_does_not_fit():
    explorer = widgets.ConvArithmeticExplorer(n=3, kernel=3, dilation=1, stride=1)
    explorer.dilation.value = 2
    assert explorer.output_size() is None
    assert "No output" in explorer.summary.value
    assert explorer.view.value == b""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"padding": "half"}, "padding"), ({"n": 0}, "n"), ({"kernel": 2.5}, "kernel"),
     ({"stride": 0}, "stride"), ({"dilation": 0}, "dilation"), ({"dpi": 0}, "dpi")],
)  # fmt: skip
def test_explorer_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.ConvArithmeticExplorer(**kwargs)
