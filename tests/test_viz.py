"""cnnlib.viz: figures carry what they promise (shared scales, values, frames)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from cnnlib import kernels, ops, viz
from cnnlib.arithmetic import CellCentres

L_IMAGE = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], dtype=float)


def clims(fig):
    return [tuple(float(v) for v in ax.images[0].get_clim()) for ax in fig.axes if ax.images]


def test_image_grid_puts_every_grey_image_on_one_scale():
    fig = viz.image_grid([np.zeros((3, 3)), np.full((3, 3), 5.0), np.eye(3) - 2])
    assert clims(fig) == [(-2.0, 5.0)] * 3


def test_image_grid_honours_explicit_limits_and_adds_one_colorbar():
    fig = viz.image_grid([np.eye(3), np.eye(3)], vmin=-1, vmax=1, colorbar=True)
    assert clims(fig)[:2] == [(-1.0, 1.0)] * 2
    assert len(fig.axes) == 3  # two images and the colour bar


def test_image_grid_wraps_into_rows_and_shows_rgb_images():
    fig = viz.image_grid([np.zeros((4, 4, 3))] * 5, ["a", "b", "c", "d", "e"], ncols=2)
    assert len(fig.axes) == 6  # a 3 x 2 grid, the last panel blank
    assert [ax.get_title() for ax in fig.axes[:5]] == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: viz.image_grid([]), "images must hold at least one image"),
        (lambda: viz.image_grid([np.zeros(4)]), r"images\[0\] must be"),
        (lambda: viz.image_grid([np.zeros((4, 4))], ["a", "b"]), "titles must be a list of 1"),
        (lambda: viz.image_grid([np.zeros((4, 4))], ncols=0), "ncols must be"),
        (lambda: viz.image_grid([np.zeros((4, 4))], cmap="nope"), "cmap must be"),
        (lambda: viz.image_grid([np.zeros((4, 4))], size=0), "size must be"),
        (lambda: viz.matrix_grid([np.eye(2)], size=-1), "size must be"),
        (lambda: viz.matrix_grid([]), "matrices must be"),
        (lambda: viz.matrix_grid([np.zeros(3)]), "matrices must be"),
        (lambda: viz.filter_response(np.zeros((4, 4, 3)), np.eye(3)), "image must be a grey"),
        (lambda: viz.symmetric_limits(), "at least one array"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_symmetric_limits_centre_zero():
    assert viz.symmetric_limits([[-3, 1]], [2]) == (-3.0, 3.0)
    assert viz.symmetric_limits(np.zeros(3)) == (-1.0, 1.0)


def test_matrix_grid_writes_every_value_and_keeps_cells_one_size():
    fig = viz.matrix_grid([L_IMAGE, kernels.get("vertical_line")], ["image", "kernel"])
    image_axes, kernel_axes = fig.axes
    assert [t.get_text() for t in image_axes.texts] == ["1", "0", "0"] * 2 + ["1"] * 3
    assert [t.get_text() for t in kernel_axes.texts] == ["1", "-1", "1", "-1"]
    fig.canvas.draw()
    cell_widths = [
        ax.get_window_extent().width / (ax.get_xlim()[1] - ax.get_xlim()[0]) for ax in fig.axes
    ]
    cell_heights = [
        ax.get_window_extent().height / (ax.get_ylim()[0] - ax.get_ylim()[1]) for ax in fig.axes
    ]
    assert cell_widths[0] == pytest.approx(cell_widths[1], rel=0.02)
    assert cell_heights[0] == pytest.approx(cell_heights[1], rel=0.02)


def test_draw_matrix_uses_a_signed_scale_for_negative_values():
    fig = viz.matrix_grid([kernels.get("sobel_x")])
    assert clims(fig) == [(-2.0, 2.0)]


def test_filter_response_adds_a_colour_bar_for_signed_outputs_only():
    image = np.random.default_rng(0).random((16, 16))
    assert len(viz.filter_response(image, kernels.get("sobel_x")).axes) == 4
    assert len(viz.filter_response(image, kernels.get("box_blur")).axes) == 3


def test_sliding_window_animation_ends_with_the_whole_output():
    kernel = kernels.get("vertical_line")
    animation = viz.sliding_window_animation(L_IMAGE, kernel)
    animation._init_draw()
    for frame in animation.new_frame_seq():
        animation._draw_frame(frame)
    output_axes = animation._fig.axes[2]
    shown = [t.get_text() for t in output_axes.texts if t.get_visible()]
    expected = ops.apply_kernel(L_IMAGE, kernel, "valid")
    assert shown == [f"{v:g}" for v in expected.ravel()]
    assert animation._fig.get_supxlabel() == "0·1 + 0·(-1) + 1·1 + 1·(-1) = 0"


def test_animation_rejects_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="must fit inside image"):
        viz.sliding_window_animation(np.eye(2), np.ones((3, 3)))
    with pytest.raises(ValueError, match="interval must be"):
        viz.sliding_window_animation(np.eye(3), np.ones((2, 2)), interval=0)


def test_conv_windows_draws_one_row_of_taps_per_output_and_marks_unused_pixels():
    fig = viz.conv_windows(6, kernel=3, stride=2)  # windows at 0 and 2: pixel 5 is never read
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("out 0") == 1 and "out 1" in labels and "out 2" not in labels
    taps = [p for p in ax.patches if p.get_width() == pytest.approx(0.8)]
    assert len(taps) == 2 * 3
    cells = [p for p in ax.patches if p.get_width() == 1]
    unused = [p for p in cells if matplotlib.colors.to_hex(p.get_facecolor()) == viz._UNUSED]
    assert len(cells) == 6 and len(unused) == 1


def test_conv_windows_shows_the_padding_cells_and_dilated_gaps():
    ax = viz.conv_windows(4, kernel=2, padding="full", dilation=3).axes[0]
    cells = [p for p in ax.patches if p.get_width() == 1]
    assert len(cells) == 4 + 2 * 3  # the span is 4, so 3 zeros on each side
    assert "7 outputs" in ax.get_title()


def test_padded_grid_puts_the_extra_same_padding_at_the_bottom_right():
    ax = viz.padded_grid(6, 8, kernel=3, stride=2, padding="same").axes[0]
    assert "top 0, bottom 1, left 0, right 1" in ax.get_title()
    assert "output 3x4" in ax.get_title()
    assert (
        viz.padded_grid(5, 5, 3, padding=(1, 2))
        .axes[0]
        .get_title()
        .startswith("input 5x5 -> output 6x6")
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: viz.conv_windows(2, kernel=3), "kernel"),
        (lambda: viz.conv_windows(5, kernel=3, stride=0), "stride"),
        (lambda: viz.conv_windows(5, kernel=3, padding="half"), "padding"),
        (lambda: viz.padded_grid(5, 5, kernel=0), "kernel"),
        (lambda: viz.padded_grid(5, 0, kernel=3, padding="same"), "n"),
    ],
)
def test_geometry_drawings_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_show_augmentations_draws_the_original_and_its_variants():
    import keras

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (6, 8, 3)).astype("float32")
    keras.utils.set_random_seed(3)
    flip = keras.Sequential([keras.layers.RandomFlip("horizontal")])
    fig = viz.show_augmentations(image, flip, count=7, ncols=4)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["original", "variant 1"]
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 7
    np.testing.assert_allclose(shown[0], image / 255)
    for variant in shown[1:]:
        assert np.allclose(variant, image / 255) or np.allclose(variant, image[:, ::-1] / 255)
    keras.utils.set_random_seed(3)  # seeded before the layer is built: the same variants
    again = viz.show_augmentations(
        image, keras.Sequential([keras.layers.RandomFlip("horizontal")]), count=7, ncols=4
    )
    for a, b in zip(fig.axes, again.axes, strict=True):
        if a.images:
            np.testing.assert_array_equal(a.images[0].get_array(), b.images[0].get_array())


@pytest.mark.parametrize(
    ("image", "augmentation", "kwargs", "message"),
    [
        (np.zeros((8, 8)), lambda x, training: x, {}, "image"),
        (np.zeros((8, 8, 3)), "flip", {}, "callable"),
        (np.zeros((8, 8, 3)), lambda x, training: x, {"count": 1}, "count"),
        (np.zeros((8, 8, 3)), lambda x, training: x[:, :4], {}, "keep"),
        (np.zeros((8, 8, 3)), lambda x, training: x, {"ncols": 0}, "ncols"),
    ],
)
def test_show_augmentations_rejects_bad_input(image, augmentation, kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.show_augmentations(image, augmentation, **kwargs)


def test_animation_html_plays_offline():
    animation = viz.sliding_window_animation(np.eye(3), np.ones((2, 2)))
    html = viz.animation_html(animation, default_mode="once")
    assert "<script" in html
    assert '<i class="fa' not in html
    assert "http" not in html.replace("http://www.w3.org", "")  # no resource from the network
    assert html.count('class="player-glyph"') == 9


@pytest.mark.parametrize(
    ("animation", "mode", "message"),
    [("not an animation", "loop", "FuncAnimation"), (None, "loop", "FuncAnimation")],
)
def test_animation_html_rejects_bad_input(animation, mode, message):
    with pytest.raises(ValueError, match=message):
        viz.animation_html(animation, default_mode=mode)


def test_animation_html_rejects_an_unknown_mode():
    animation = viz.sliding_window_animation(np.eye(3), np.ones((2, 2)))
    viz.animation_html(animation)  # drawn once, so Matplotlib does not warn about an unused one
    with pytest.raises(ValueError, match="default_mode"):
        viz.animation_html(animation, default_mode="bounce")


def test_overlay_heatmap_puts_several_maps_on_one_scale():
    image = np.zeros((8, 8))
    centres = CellCentres([2, 6], [2, 6], jump=4, input_shape=(8, 8))
    strong, weak = np.full((2, 2), 4.0), np.full((2, 2), 1.0)
    strong[0, 0] = weak[0, 0] = 0.0
    own = [
        viz.overlay_heatmap(image, m, centres=centres, alpha=1.0, cmap="gray")
        for m in (strong, weak)
    ]
    assert np.allclose(own[0][6, 6], own[1][6, 6])  # each scaled to its own maximum
    shared = [
        viz.overlay_heatmap(image, m, centres=centres, alpha=1.0, cmap="gray", vmin=0, vmax=4)
        for m in (strong, weak)
    ]
    assert np.allclose(shared[0][6, 6], 1.0) and np.allclose(shared[1][6, 6], 0.25, atol=0.01)
    for bad in ({"vmin": 1, "vmax": 1}, {"vmin": float("nan")}, {"vmax": "1"}, {"vmin": True}):
        with pytest.raises(ValueError, match=r"vmin|vmax"):
            viz.overlay_heatmap(image, strong, centres=centres, **bad)
    with pytest.raises(ValueError, match="centres"):  # a small map needs to know where it lies
        viz.overlay_heatmap(image, strong)


def test_the_default_heat_map_colours_are_perceptual():
    heat = np.linspace(0, 1, 16).reshape(4, 4)
    picture = viz.overlay_heatmap(np.zeros((4, 4)), heat, alpha=1.0)
    assert np.allclose(picture, matplotlib.colormaps["magma"](heat)[..., :3], atol=0.02)


def test_fit_to_column_shrinks_wide_figures_only():
    import matplotlib.pyplot as plt

    wide, narrow = plt.figure(figsize=(12, 3)), plt.figure(figsize=(4, 3))
    assert np.allclose(viz.fit_to_column(wide).get_size_inches(), [6.9, 3 * 6.9 / 12])
    assert np.allclose(viz.fit_to_column(narrow).get_size_inches(), [4, 3])
    with pytest.raises(ValueError, match="fig"):
        viz.fit_to_column("figure")
    with pytest.raises(ValueError, match="width"):
        viz.fit_to_column(wide, width=0)
    plt.close("all")


def test_figures_are_stored_at_twice_their_size_and_photos_as_jpeg():
    import matplotlib.pyplot as plt

    chart, ax = plt.subplots(figsize=(10, 3), dpi=100)
    ax.plot([0, 1], [1, 0])
    data, shown = viz.figure_bytes(chart, "png")
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(data)) as picture:
        assert picture.format == "PNG" and abs(picture.width - 2 * shown["width"]) <= 2
    assert 550 < shown["width"] <= 690  # fitted to the column, less the tight crop
    assert not viz.is_photo(chart)
    photo, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(np.random.default_rng(0).random((80, 80, 3)))
    assert viz.is_photo(photo)
    jpeg, _ = viz.figure_bytes(photo, "jpeg")
    assert jpeg[:2] == b"\xff\xd8"
    with pytest.raises(ValueError, match="fmt"):
        viz.figure_bytes(photo, "gif")
    with pytest.raises(ValueError, match="scale"):
        viz.figure_bytes(photo, "png", scale=0)
    with pytest.raises(ValueError, match="fig"):
        viz.is_photo(None)
    plt.close("all")


def test_book_style_makes_a_notebook_show_sharp_pngs_and_jpeg_photos():
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        viz.book_style()
        assert plt.rcParams["font.size"] == 10 and plt.rcParams["figure.dpi"] == 100
        chart, ax = plt.subplots(figsize=(12, 3))
        ax.plot([0, 1])
        data, metadata = shell.display_formatter.format(chart)
        assert "image/png" in data and "image/jpeg" not in data
        assert metadata["image/png"]["width"] <= 690 and "height" not in metadata["image/png"]
        photo, ax = plt.subplots()
        ax.imshow(np.random.default_rng(1).random((70, 70, 3)))
        data, metadata = shell.display_formatter.format(photo)
        assert "image/jpeg" in data and "image/png" not in data
    finally:
        InteractiveShell.clear_instance()
        matplotlib.rcdefaults()
        plt.close("all")


def test_a_figure_whose_titles_reach_past_its_edge_is_still_shown_within_the_column():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.9, 2), dpi=100)
    fig.subplots_adjust(left=0, right=1)
    ax.set_ylabel("a label left of the figure")  # the tight crop is wider than the figure
    ax.set_yticks([0, 0.5, 1], ["nothing", "half", "everything"])
    _, shown = viz.figure_bytes(fig, "png")
    assert shown["width"] <= 691
    plt.close(fig)


def test_show_misclassified_draws_panels_of_the_given_width():
    images = np.zeros((4, 5, 5))
    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    fig = viz.show_misclassified(images, [0, 1, 0, 1], probabilities, ncols=4, size=1.1)
    assert fig.get_size_inches()[0] == pytest.approx(4 * 1.1)
    with pytest.raises(ValueError, match="size"):
        viz.show_misclassified(images, [0, 1, 0, 1], probabilities, size=0)


def test_as_photo_makes_a_grey_photo_count_as_a_photo():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.imshow(np.random.default_rng(0).random((96, 96)), cmap="gray")
    assert not viz.is_photo(fig)
    assert viz.as_photo(fig) is fig
    assert viz.is_photo(fig)
    jpeg, _ = viz.figure_bytes(fig, "jpeg")
    assert jpeg[:2] == b"\xff\xd8"
    plt.close(fig)
    with pytest.raises(ValueError, match="fig must be"):
        viz.as_photo("figure")


def test_filter_response_is_drawn_at_the_width_asked_for():
    image = np.random.default_rng(0).random((16, 16))
    fig = viz.filter_response(image, kernels.get("sharpen"), width=6.9)
    assert fig.get_size_inches()[0] == pytest.approx(6.9)
    with pytest.raises(ValueError, match="width"):
        viz.filter_response(image, kernels.get("sharpen"), width=0)


def test_sliding_window_animation_fits_the_column_by_default():
    animation = viz.sliding_window_animation(L_IMAGE, kernels.get("vertical_line"))
    assert animation._fig.get_size_inches()[0] <= viz.COLUMN_WIDTH
    viz.animation_html(animation)  # drawn once, so Matplotlib does not warn about an unused one
    with pytest.raises(ValueError, match="size"):
        viz.sliding_window_animation(L_IMAGE, np.ones((2, 2)), size=0)


def test_animation_html_fits_a_phone_and_carries_its_alt_text():
    animation = viz.sliding_window_animation(np.eye(3), np.ones((2, 2)))
    html = viz.animation_html(animation, alt='A "window" slides')
    assert '<img alt="A &quot;window&quot; slides" id="_anim_img' in html
    assert ".animation img { max-width: 100%;" in html
    assert "flex-wrap: wrap" in html
    with pytest.raises(ValueError, match="alt"):
        viz.animation_html(animation, alt=None)
