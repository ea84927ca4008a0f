"""Chapter 7's helpers: the autoencoder builders, PSNR and the row comparison picture."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.metrics import peak_signal_noise_ratio

from cnnlib import arithmetic, metrics, models, ops, viz
from cnnlib.exercises import NOT_ANSWERED


def test_the_classic_autoencoder_has_3369_parameters_and_the_traced_shapes():
    model = models.conv_autoencoder()
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert model.count_params() == 3369
    assert shapes["code"] == (4, 4, 4)
    assert shapes["dec_up2"] == (16, 16, 8)
    assert shapes["dec_conv3"] == (14, 14, 16)  # the valid convolution: 16 - 3 + 1
    assert model.output_shape == (None, 28, 28, 1)
    expected = [
        arithmetic.conv_params(3, 1, 16),
        arithmetic.conv_params(3, 16, 8),
        arithmetic.conv_params(3, 8, 4),
        arithmetic.conv_params(3, 4, 4),
        arithmetic.conv_params(3, 4, 8),
        arithmetic.conv_params(3, 8, 16),
        arithmetic.conv_params(3, 16, 1),
    ]
    assert [layer.count_params() for layer in model.layers if layer.count_params()] == expected


def test_the_transposed_decoder_has_the_same_kernels_and_crops_instead_of_valid():
    upsampling = models.conv_autoencoder()
    transpose = models.conv_autoencoder(decoder="transpose")
    assert transpose.count_params() == upsampling.count_params()
    assert (upsampling.name, transpose.name) == ("conv_autoencoder", "conv_autoencoder_transpose")
    assert models.conv_autoencoder(name="denoiser").name == "denoiser"
    assert transpose.get_layer("dec_tconv3").output.shape[1:] == (16, 16, 16)
    assert transpose.get_layer("dec_crop").output.shape[1:] == (14, 14, 16)
    assert transpose.output_shape == (None, 28, 28, 1)
    kernels = [w.shape for w in transpose.weights if len(w.shape) == 4]
    assert kernels[-1] == (3, 3, 1, 16)  # Conv2DTranspose kernels are (h, w, out, in)


@pytest.mark.parametrize("side", [8, 12, 16, 20, 24, 28, 32, 36, 60, 64])
@pytest.mark.parametrize("decoder", models.DECODERS)
def test_the_output_has_the_input_shape_for_every_side_of_form_8c_or_8c_minus_4(side, decoder):
    model = models.conv_autoencoder((side, side, 3), (4, 3, 2), decoder=decoder)
    assert model.output_shape == (None, side, side, 3)
    assert ("dec_crop" in [layer.name for layer in model.layers]) == (
        decoder == "transpose" and side % 8 == 4
    )
    x = np.random.default_rng(side).random((2, side, side, 3)).astype("float32")
    assert model.predict(x, verbose=0).shape == x.shape


def test_split_autoencoder_shares_the_weights_and_composes_to_the_model():
    keras.utils.set_random_seed(1)
    for decoder in models.DECODERS:
        model = models.conv_autoencoder(decoder=decoder)
        encoder, decoder_model = models.split_autoencoder(model)
        x = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
        codes = encoder.predict(x, verbose=0)
        assert codes.shape == (3, 4, 4, 4)
        np.testing.assert_allclose(
            decoder_model.predict(codes, verbose=0), model.predict(x, verbose=0), atol=1e-6
        )
        assert decoder_model.layers[0] is model.get_layer("dec_conv1")


def test_an_autoencoder_learns_to_reconstruct():
    keras.utils.set_random_seed(0)
    model = models.conv_autoencoder()
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    x = np.zeros((16, 28, 28, 1), "float32")
    x[:, 8:20, 12:16] = 1.0  # a bar
    before = model.evaluate(x, x, verbose=0)
    model.fit(x, x, epochs=20, batch_size=16, verbose=0)
    assert model.evaluate(x, x, verbose=0) < 0.5 * before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.conv_autoencoder((30, 30, 1)), "8c - 4"),
        (lambda: models.conv_autoencoder((28, 32, 1)), "different decoders"),
        (lambda: models.conv_autoencoder((28, 28)), "input_shape"),
        (lambda: models.conv_autoencoder(filters=(16, 8)), "filters"),
        (lambda: models.conv_autoencoder(filters=(16, 0, 4)), "filters"),
        (lambda: models.conv_autoencoder(filters="168"), "filters"),
        (lambda: models.conv_autoencoder(decoder="deconv"), "decoder"),
        (lambda: models.conv_autoencoder(name=""), "name"),
        (lambda: models.split_autoencoder(models.mnist_convnet()), "'code'"),
        (lambda: models.split_autoencoder("model"), "Sequential"),
    ],
)
def test_autoencoder_builders_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(2, 12),
    st.integers(2, 12),
    st.sampled_from([1.0, 255.0]),
    st.integers(0, 2**31),
)
def test_psnr_agrees_with_scikit_image_and_tensorflow(batch, height, width, data_range, seed):
    rng = np.random.default_rng(seed)
    clean = rng.random((batch, height, width, 1)) * data_range
    noisy = np.clip(clean + rng.normal(0, 0.1 * data_range, clean.shape), 0, data_range)
    per_image = metrics.psnr(clean, noisy, data_range=data_range, batch=True)
    expected = [
        peak_signal_noise_ratio(c, n, data_range=data_range)
        for c, n in zip(clean, noisy, strict=True)
    ]
    np.testing.assert_allclose(per_image, expected, rtol=1e-10)
    from_tf = tf.image.psnr(clean, noisy, max_val=data_range).numpy()
    np.testing.assert_allclose(per_image, from_tf, rtol=1e-5)
    whole = metrics.psnr(clean, noisy, data_range=data_range)
    assert whole == pytest.approx(peak_signal_noise_ratio(clean, noisy, data_range=data_range))


def test_psnr_reads_in_decibels():
    image = np.zeros((8, 8))
    assert metrics.psnr(image, image + 0.1) == pytest.approx(20.0)
    assert metrics.psnr(image, image + 25.5, data_range=255) == pytest.approx(20.0)
    assert metrics.psnr(image, image) == np.inf


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((np.zeros((2, 2)), np.zeros((2, 3))), "same shape"),
        ((np.zeros(0), np.zeros(0)), "at least one pixel"),
        ((np.array([np.nan]), np.zeros(1)), "finite"),
        ((np.zeros((2, 2)), np.zeros((2, 2)), {"data_range": 0}), "data_range"),
        ((np.zeros((2, 2)), np.zeros((2, 2)), {"data_range": "1"}), "data_range"),
        ((np.zeros((2, 2)), np.zeros((2, 2)), {"data_range": True}), "data_range"),
        ((np.zeros(3), np.zeros(3), {"batch": True}), "per image"),
    ],
)
def test_psnr_rejects_bad_input(arguments, message):
    *arrays, options = arguments if isinstance(arguments[-1], dict) else (*arguments, {})
    with pytest.raises(ValueError, match=message):
        metrics.psnr(*arrays, **options)


def test_compare_rows_draws_one_row_per_set_on_one_scale():
    rng = np.random.default_rng(0)
    clean = rng.random((5, 6, 6, 1))
    noisy = clean + 1.0
    fig = viz.compare_rows(
        [clean, noisy], ["clean", "noisy"], count=3, captions=[None, ["a", "b", "c", "d", "e"]]
    )
    assert len(fig.axes) == 6
    assert [fig.axes[i].get_ylabel() for i in (0, 3)] == ["clean", "noisy"]
    assert [ax.get_title() for ax in fig.axes] == ["", "", "", "a", "b", "c"]
    limits = {tuple(float(v) for v in ax.images[0].get_clim()) for ax in fig.axes}
    assert limits == {(float(clean[:3].min()), float(noisy[:3].max()))}


@pytest.mark.parametrize(
    ("rows", "labels", "options", "message"),
    [
        ([], [], {}, "rows"),
        (np.zeros((2, 4, 4)), ["a"], {}, "rows"),
        ([np.zeros((2, 4))], ["a"], {}, r"rows\[0\]"),
        ([np.zeros((2, 4, 4)), np.zeros((3, 4, 4))], ["a", "b"], {}, "same"),
        ([np.zeros((2, 4, 4))], ["a", "b"], {}, "labels"),
        ([np.zeros((2, 4, 4))], ["a"], {"count": 0}, "count"),
        ([np.zeros((2, 4, 4))], ["a"], {"captions": [["x"]]}, "captions"),
        ([np.zeros((2, 4, 4))], ["a"], {"cmap": "nope"}, "cmap"),
        ([np.zeros((2, 4, 4))], ["a"], {"size": -1}, "size"),
    ],
)
def test_compare_rows_rejects_bad_input(rows, labels, options, message):
    with pytest.raises(ValueError, match=message):
        viz.compare_rows(rows, labels, **options)


def test_compare_rows_labels_rows_at_the_style_s_label_size():
    import matplotlib.pyplot as plt

    fig = viz.compare_rows([np.zeros((2, 4, 4))], ["row"])
    _, plain = plt.subplots()
    plain.set_ylabel("row")
    assert fig.axes[0].yaxis.label.get_fontsize() == plain.yaxis.label.get_fontsize()
    plt.close("all")


def test_matrix_grid_shades_every_panel_on_one_scale_when_asked():
    matrices = [np.ones((2, 2)), 9 * np.ones((2, 2))]
    own = viz.matrix_grid(matrices)
    assert [ax.images[0].get_clim()[1] for ax in own.axes] == [1.0, 9.0]
    shared = viz.matrix_grid(matrices, vmin=0, vmax=9)
    assert {tuple(float(v) for v in ax.images[0].get_clim()) for ax in shared.axes} == {(0.0, 9.0)}


def test_stride_2_kernel_3_transposed_convolution_overlaps_unevenly():
    """The arithmetic behind the checkerboard: how many inputs reach each output pixel."""
    ones = np.ones((1, 4, 4, 1))
    counts = ops.conv2d_transpose(ones, np.ones((3, 3, 1, 1)), stride=2, padding="same")[0, ..., 0]
    assert counts.shape == (8, 8)
    assert set(np.unique(counts[1:-1, 1:-1])) == {1.0, 2.0, 4.0}
    even = ops.conv2d_transpose(ones, np.ones((4, 4, 1, 1)), stride=2, padding="same")[0, ..., 0]
    assert set(np.unique(even[1:-1, 1:-1])) == {4.0}


def test_chapter7_checkers_accept_answers_computed_independently():
    from cnnlib.exercises import chapter7

    blog = models.conv_autoencoder(filters=(16, 8, 8))
    assert blog.get_layer("code").output.shape[1:] == (4, 4, 8)
    assert chapter7.blog_model_params(blog.count_params())
    sides = []
    for side in range(16, 41):
        valid = keras.Sequential(
            [
                keras.Input((side, side, 1)),
                keras.layers.MaxPooling2D(2, padding="same"),
                keras.layers.MaxPooling2D(2, padding="same"),
                keras.layers.MaxPooling2D(2, padding="same"),
                keras.layers.UpSampling2D(),
                keras.layers.UpSampling2D(),
                keras.layers.Conv2D(1, 3, padding="valid"),
                keras.layers.UpSampling2D(),
            ]
        )
        if valid.output_shape[1:3] == (side, side):
            sides.append(side)
    assert chapter7.valid_decoder_sides(sides)
    assert chapter7.valid_decoder_sides(tuple(reversed(sides)))
    sides = []
    for padding in ("valid", "same"):
        layer = keras.layers.Conv2DTranspose(16, 4, strides=2, padding=padding)
        sides.append(layer(np.zeros((1, 7, 7, 8), "float32")).shape[1])
    assert chapter7.transpose_layer((layer.count_params(), *sides))
    assert tuple(sides) == (16, 14)
    images = [np.zeros((4, 4, 1), "float32"), np.zeros((4, 4, 1), "float32")]
    noisy = [images[0] + np.sqrt(0.1), images[1] + np.sqrt(0.001)]
    psnrs = [float(tf.image.psnr(a, b, 1.0)) for a, b in zip(images, noisy, strict=True)]
    mean_mse = np.mean([np.mean((a - b) ** 2) for a, b in zip(images, noisy, strict=True)])
    assert chapter7.psnr_average_gap(np.mean(psnrs) - 10 * np.log10(1 / mean_mse))
    stamp = keras.layers.Conv1DTranspose(1, 5, strides=2, use_bias=False, kernel_initializer="ones")
    counts = keras.ops.convert_to_numpy(stamp(np.ones((1, 4, 1), "float32")))[0, :, 0]
    assert counts.tolist() == [1, 1, 2, 2, 3, 2, 3, 2, 2, 1, 1]
    assert chapter7.overlap_counts(counts.tolist())
    for checker, wrong in [
        (chapter7.blog_model_params, 3369),
        (chapter7.valid_decoder_sides, [28]),
        (chapter7.transpose_layer, (2064, 15, 14)),
        (chapter7.transpose_layer, (2048, 16, 14)),
        (chapter7.transpose_layer, (2064, 16, 16)),
        (chapter7.psnr_average_gap, -7.03),
        (chapter7.psnr_average_gap, 0),
        (chapter7.overlap_counts, [1, 1, 2, 1, 2, 1, 2, 1, 1]),
        (chapter7.overlap_counts, [1, 2, 1, 2, 1, 2, 1, 2, 1]),
    ]:
        feedback = checker(wrong)
        assert not feedback and "Not yet" in repr(feedback)
        assert checker(None) is NOT_ANSWERED


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (3369, "16-8-4"),
        (4097, "dec_conv2"),
        (3661, "mirrors"),
        (4320, "bias"),
        (5000, "too large"),
    ],
)
def test_blog_model_params_names_the_usual_slips(answer, hint):
    from cnnlib.exercises import chapter7

    feedback = chapter7.blog_model_params(answer)
    assert not feedback and hint in feedback.message
    assert "4385" not in feedback.message and "4,385" not in feedback.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        ([16, 24, 32, 40], "multiples of 8"),
        ([28], "there are more"),
        ([20, 28], "there are more"),
        ([20, 28, 30], "30 does not come back"),
        ([12, 28], "from 16 to 40"),
        ("20, 28", "list of integers"),
        ([20.0, 28.0], "there are more"),  # whole floats are the integers they hold
        ([20.5, 28], "list of integers"),
        (28, "list of integers"),
    ],
)
def test_valid_decoder_sides_says_what_is_wrong_without_the_answer(answer, hint):
    from cnnlib.exercises import chapter7

    feedback = chapter7.valid_decoder_sides(answer)
    assert not feedback and hint in feedback.message
    assert "36" not in feedback.message
