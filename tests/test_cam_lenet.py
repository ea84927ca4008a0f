"""Chapter 8's helpers: LeNet-5 and its C3 layer, the localisation canvases, CAM and Grad-CAM."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from cnnlib import arithmetic, cam, data, layers, models, ops, viz
from cnnlib.arithmetic import CellCentres
from cnnlib.exercises import NOT_ANSWERED


def test_the_c3_table_has_the_papers_60_connections():
    table = layers.LENET_C3_TABLE
    assert table.shape == (6, 16) and table.sum() == 60
    assert table.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    assert table[:, 0].nonzero()[0].tolist() == [0, 1, 2]  # first map: three neighbours
    assert table[:, 12].nonzero()[0].tolist() == [0, 1, 3, 4]  # a non-contiguous quadruple
    assert table.sum(axis=1).tolist() == [10] * 6  # every S2 map feeds ten C3 maps
    with pytest.raises(ValueError, match="read-only"):
        table[0, 0] = False


def test_partial_conv2d_equals_a_conv2d_with_the_unconnected_kernels_zeroed():
    keras.utils.set_random_seed(3)
    layer = layers.PartialConv2D(16, 5, connections=layers.LENET_C3_TABLE, activation="tanh")
    x = np.random.default_rng(0).normal(size=(2, 14, 14, 6)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(x))
    full = keras.ops.convert_to_numpy(layer.full_kernel())
    assert np.all(full[:, :, ~layers.LENET_C3_TABLE] == 0)
    conv = keras.layers.Conv2D(16, 5, activation="tanh")
    conv.build((None, 14, 14, 6))
    conv.set_weights([full, keras.ops.convert_to_numpy(layer.bias)])
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(conv(x)), atol=1e-5)
    assert out.shape == (2, 10, 10, 16)
    assert layer.count_params() == 60 * 25 + 16


def test_partial_conv2d_gives_unconnected_maps_no_gradient():
    layer = layers.PartialConv2D(2, 3, connections=[[True, False], [True, True]])
    x = tf.constant(np.random.default_rng(1).normal(size=(1, 5, 5, 2)).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        second = layer(x)[..., 0]  # output map 0 reads input maps 0 and 1
        first_only = layer(x)[..., 1]
    gradient = tape.gradient(first_only, x)
    assert np.all(gradient.numpy()[..., 0] == 0) and np.any(gradient.numpy()[..., 1] != 0)
    assert second.shape == (1, 3, 3)


def test_partial_conv2d_survives_a_keras_file(tmp_path):
    model = keras.Sequential(
        [keras.Input((14, 14, 6)), layers.PartialConv2D(16, 5, layers.LENET_C3_TABLE, "tanh")]
    )
    x = np.random.default_rng(2).random((1, 14, 14, 6)).astype("float32")
    path = tmp_path / "c3.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert np.array_equal(again.layers[0].connections, layers.LENET_C3_TABLE)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": 0, "kernel_size": 3, "connections": np.ones((2, 1))}, "filters"),
        ({"filters": 2, "kernel_size": 3, "connections": np.ones((2, 3))}, "connections"),
        ({"filters": 2, "kernel_size": 3, "connections": np.full((2, 2), 2)}, "connections"),
        ({"filters": 2, "kernel_size": 3, "connections": [[1, 0], [1, 0]]}, "at least one"),
        ({"filters": 1, "kernel_size": 0, "connections": [[1]]}, "kernel_size"),
        ({"filters": 1, "kernel_size": 3, "connections": [[1]], "padding": "full"}, "padding"),
    ],
)
def test_partial_conv2d_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.PartialConv2D(**kwargs)


def test_lenet5_has_the_papers_shapes_and_parameter_counts():
    model = models.lenet5()
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes == {
        "C1": (28, 28, 6),
        "S2": (14, 14, 6),
        "C3": (10, 10, 16),
        "S4": (5, 5, 16),
        "C5": (1, 1, 120),
        "flatten": (120,),
        "F6": (84,),
        "output": (10,),
    }
    counts = {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}
    assert counts == {
        "C1": arithmetic.conv_params(5, 1, 6),
        "C3": 60 * 25 + 16,
        "C5": arithmetic.conv_params(5, 16, 120),
        "F6": arithmetic.dense_params(120, 84),
        "output": arithmetic.dense_params(84, 10),
    }
    full = models.lenet5(partial_c3=False)
    assert full.get_layer("C3").count_params() == arithmetic.conv_params(5, 6, 16) == 2416
    assert full.count_params() - model.count_params() == 900


def test_the_modern_variant_uses_relu_and_max_pooling():
    model = models.lenet5(activation="relu", pooling="max", partial_c3=False)
    assert isinstance(model.get_layer("S2"), keras.layers.MaxPooling2D)
    assert isinstance(model.get_layer("C3"), keras.layers.Conv2D)
    assert model.get_layer("F6").get_config()["activation"] == "relu"
    assert isinstance(models.lenet5().get_layer("S4"), keras.layers.AveragePooling2D)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: models.lenet5(pooling="l2"), "pooling"),
        (lambda: models.lenet5(activation="wiggle"), "activation"),
        (lambda: models.lenet5(num_classes=1), "num_classes"),
        (lambda: models.localization_convnet(head="dense"), "head"),
        (lambda: models.localization_convnet(filters=(8, 8)), "filters"),
        (lambda: models.localization_convnet((3, 3, 1)), "too small"),
    ],
)
def test_chapter8_builders_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_place_digits_puts_every_digit_inside_its_box():
    (images, _), _ = data.load_mnist()
    digits = images[:200]
    canvases, frames, boxes = data.place_digits(digits, 64, seed=5)
    assert canvases.shape == (200, 64, 64) and canvases.dtype == np.uint8
    for canvas, digit, frame, box in zip(canvases, digits, frames, boxes, strict=True):
        top, left, bottom, right = box
        assert canvas.sum() == digit.sum()  # nothing lost, nothing added
        inside = canvas[top:bottom, left:right]
        assert inside.sum() == canvas.sum()
        assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
        assert np.array_equal(canvas[frame[0] : frame[2], frame[1] : frame[3]], digit)
        assert (frame[:2] <= box[:2]).all() and (box[2:] <= frame[2:]).all()
    again, same_frames, same_boxes = data.place_digits(digits, 64, seed=5)
    assert np.array_equal(again, canvases) and np.array_equal(same_boxes, boxes)
    assert np.array_equal(same_frames, frames)
    assert len({tuple(b) for b in boxes[:, :2]}) > 100  # positions vary


def test_place_digits_keeps_the_corners_in_the_given_range():
    (images, _), _ = data.load_mnist()
    digits = images[:300]
    canvases, frames, boxes = data.place_digits(digits, 64, seed=5, corners=(28, 36))
    assert frames[:, :2].min() == 28 and frames[:, :2].max() == 36
    assert (boxes[:, :2] >= 28).all() and (canvases[:, :28, :28] == 0).all()
    same, _, _ = data.place_digits(digits, 64, seed=5, corners=(28, 36))
    assert np.array_equal(same, canvases)
    _, fixed, _ = data.place_digits(digits[:3], 64, corners=(10, 10))
    assert (fixed[:, :2] == 10).all()


@pytest.mark.parametrize("corners", [(5, 3), (-1, 4), (0, 37), (0.0, 8), (8,), "08", (True, 8)])
def test_place_digits_rejects_corners_outside_the_canvas(corners):
    with pytest.raises(ValueError, match="corners"):
        data.place_digits(np.ones((1, 28, 28), np.uint8), 64, corners=corners)


@pytest.mark.parametrize(
    ("images", "kwargs", "message"),
    [
        (np.zeros((2, 28, 28), np.float32), {}, "uint8"),
        (np.zeros((28, 28), np.uint8), {}, "uint8"),
        (np.ones((1, 28, 28), np.uint8), {"canvas_size": 20}, "canvas_size"),
        (np.zeros((1, 28, 28), np.uint8), {}, "non-zero"),
        (np.ones((1, 28, 28), np.uint8), {"seed": -1}, "seed"),
    ],
)
def test_place_digits_rejects_bad_input(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.place_digits(images, **kwargs)


def gap_model(functional: bool) -> keras.Model:
    keras.utils.set_random_seed(0)
    if not functional:
        return models.localization_convnet((16, 16, 1), num_classes=3, filters=(4, 4, 6))
    inputs = keras.Input((16, 16, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    features = keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="last")(x)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    outputs = keras.layers.Dense(3, activation="softmax")(pooled)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("functional", [False, True])
def test_cam_is_the_weighted_sum_of_the_feature_maps_and_averages_to_the_logit(functional):
    model = gap_model(functional)
    x = np.random.default_rng(0).random((5, 16, 16, 1)).astype("float32")
    maps = cam.class_activation_map(model, x, class_index=[0, 1, 2, 1, 0])
    pooling = next(
        layer for layer in model.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D)
    )
    features = keras.Model(model.inputs, pooling.input).predict(x, verbose=0)
    dense = model.layers[-1]
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (dense.kernel, dense.bias))
    for i, c in enumerate([0, 1, 2, 1, 0]):
        explicit = sum(kernel[k, c] * features[i, :, :, k] for k in range(features.shape[-1]))
        np.testing.assert_allclose(maps[i], explicit, rtol=1e-5, atol=1e-6)
    logits = np.log(model.predict(x, verbose=0))
    logits -= logits.mean(axis=1, keepdims=True)
    from_maps = np.stack(
        [cam.class_activation_map(model, x, c).mean(axis=(1, 2)) + bias[c] for c in range(3)], 1
    )
    from_maps -= from_maps.mean(axis=1, keepdims=True)  # softmax forgets a shared offset
    np.testing.assert_allclose(from_maps, logits, atol=1e-4)


@pytest.mark.parametrize("functional", [False, True])
def test_grad_cam_on_a_gap_model_is_the_rectified_cam_over_the_positions(functional):
    """d logit / d A_k(x, y) = w_k / (h * w), so Grad-CAM = ReLU(CAM) / (h * w) exactly."""
    model = gap_model(functional)
    x = np.random.default_rng(1).random((4, 16, 16, 1)).astype("float32")
    layer = "conv3" if not functional else "last"
    maps = cam.grad_cam(model, x, class_index=2, layer_name=layer)
    reference = cam.class_activation_map(model, x, class_index=2)
    positions = maps.shape[1] * maps.shape[2]
    np.testing.assert_allclose(maps, np.maximum(reference, 0) / positions, rtol=1e-4, atol=1e-7)


def test_grad_cam_uses_the_logit_not_the_softmax():
    model = models.localization_convnet((16, 16, 1), num_classes=3, head="flatten")
    x = np.random.default_rng(2).random((3, 16, 16, 1)).astype("float32")
    maps = cam.grad_cam(model, x)
    assert maps.shape == (3, 4, 4) and (maps >= 0).all()
    # By hand: the gradient of the logit through Flatten and Dense is the Dense column itself.
    features = keras.Model(model.inputs, model.get_layer("conv4").output).predict(x, verbose=0)
    kernel = keras.ops.convert_to_numpy(model.layers[-1].kernel).reshape(4, 4, -1, 3)
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    for i, c in enumerate(predicted):
        alphas = kernel[..., c].mean(axis=(0, 1))
        expected = np.maximum((features[i] * alphas).sum(axis=-1), 0)
        np.testing.assert_allclose(maps[i], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, x: cam.class_activation_map(m, x[:, :8]), "images"),
        (lambda m, x: cam.class_activation_map(m, x, class_index=3), "class_index"),
        (lambda m, x: cam.class_activation_map(m, x, class_index=-1), "class_index"),
        (lambda m, x: cam.class_activation_map(m, x, class_index=0.5), "class_index"),
        (lambda m, x: cam.class_activation_map("model", x), "Keras model"),
        (lambda m, x: cam.grad_cam(m, x, layer_name="nope"), "layer_name"),
        (lambda m, x: cam.grad_cam(m, x, layer_name="gap"), "4-D"),
        (
            lambda m, x: cam.class_activation_map(
                models.localization_convnet((16, 16, 1), 3, head="flatten"), x
            ),
            "GlobalAveragePooling2D",
        ),
        (
            lambda m, x: cam.grad_cam(
                keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(2, 3)]), x
            ),
            "Dense",
        ),
    ],
)
def test_cam_functions_reject_bad_input(call, message):
    model = models.localization_convnet((16, 16, 1), num_classes=3)
    x = np.zeros((2, 16, 16, 1), "float32")
    with pytest.raises(ValueError, match=message):
        call(model, x)


def test_pointing_hits_and_upsampled_peaks():
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 0] = maps[1, 3, 3] = maps[2, 1, 2] = 1
    centres = CellCentres(np.arange(4) * 8 + 3.5, np.arange(4) * 8 + 3.5, 8, (32, 32))
    big = cam.upsample_maps(maps, (32, 32), centres)
    boxes = np.array([[0, 0, 8, 8], [0, 0, 8, 8], [8, 16, 16, 24]])
    assert cam.pointing_hits(big, boxes).tolist() == [True, False, True]
    with pytest.raises(ValueError, match="boxes"):
        cam.pointing_hits(big, boxes[:2])
    with pytest.raises(ValueError, match="boxes"):
        cam.pointing_hits(big, boxes.astype(float))
    with pytest.raises(ValueError, match="maps"):
        cam.pointing_hits(np.zeros((0, 4, 4)), np.zeros((0, 4), int))
    with pytest.raises(ValueError, match="maps"):
        cam.upsample_maps(np.zeros((4, 4)), (8, 8), centres)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 15),
    st.integers(0, 15),
    st.integers(0, 12),
    st.integers(0, 12),
    st.integers(1, 4),
    st.integers(1, 4),
    st.floats(0, 6),
)
def test_pointing_with_a_tolerance_is_the_distance_to_the_box(row, col, top, left, h, w, slack):
    maps = np.zeros((1, 16, 16))
    maps[0, row, col] = 1
    box = np.array([[top, left, top + h, left + w]])
    inside_rows = np.arange(top, top + h)
    inside_cols = np.arange(left, left + w)
    nearest = np.hypot(
        np.abs(inside_rows - row).min(), np.abs(inside_cols - col).min()
    )  # the closest box pixel's distance, row and column chosen independently
    assert cam.pointing_hits(maps, box, tolerance=slack)[0] == (nearest <= slack)


def test_pointing_baseline_is_the_share_of_pixels_that_would_hit():
    boxes = np.array([[0, 0, 4, 2], [2, 2, 4, 4], [6, 6, 8, 8]])
    plain = cam.pointing_baseline(boxes, (8, 8))
    assert plain.tolist() == [8 / 64, 4 / 64, 4 / 64]
    # Every pixel as a one-hot map: the baseline is the mean of its hits.
    maps = np.eye(64).reshape(64, 8, 8)
    for tolerance in (0, 1, 1.5, 3):
        chance = cam.pointing_baseline(boxes, (8, 8), tolerance=tolerance)
        for box, share in zip(boxes, chance, strict=True):
            hits = cam.pointing_hits(maps, np.repeat(box[None], 64, 0), tolerance=tolerance)
            assert share == pytest.approx(hits.mean())


def test_pointing_center_is_the_pointing_game_of_a_map_peaking_at_the_centre():
    boxes = np.array([[0, 0, 4, 4], [3, 3, 5, 5], [5, 5, 8, 8], [0, 0, 8, 8], [4, 0, 5, 1]])
    peak = np.zeros((len(boxes), 8, 9))
    peak[:, 4, 4] = 1  # (8 // 2, 9 // 2)
    for tolerance in (0, 1, 1.5, 4):
        expected = cam.pointing_hits(peak, boxes, tolerance=tolerance)
        got = cam.pointing_center(boxes, (8, 9), tolerance=tolerance)
        assert got.tolist() == expected.tolist()


def test_pointing_center_rejects_bad_input():
    with pytest.raises(ValueError, match="size"):
        cam.pointing_center([[0, 0, 1, 1]], (4,))
    with pytest.raises(ValueError, match="boxes"):
        cam.pointing_center([[0.0, 0, 1, 1]], (4, 4))
    with pytest.raises(ValueError, match="tolerance"):
        cam.pointing_center([[0, 0, 1, 1]], (4, 4), tolerance=-1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cam.pointing_hits(np.zeros((1, 4, 4)), [[0, 0, 1, 1]], tolerance=-1), "tolerance"),
        (
            lambda: cam.pointing_hits(np.zeros((1, 4, 4)), [[0, 0, 1, 1]], tolerance="2"),
            "tolerance",
        ),
        (lambda: cam.pointing_baseline([[0, 0, 1, 1]], (4,)), "size"),
        (lambda: cam.pointing_baseline([[0, 0, 1, 1]], (4, 0)), "size"),
        (lambda: cam.pointing_baseline([[0.0, 0, 1, 1]], (4, 4)), "boxes"),
        (lambda: cam.pointing_baseline(np.zeros((0, 4), int), (4, 4)), "boxes"),
        (lambda: cam.pointing_baseline([[0, 0, 1, 1]], (4, 4), tolerance=np.inf), "tolerance"),
    ],
)
def test_pointing_functions_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 9), st.integers(1, 9), st.integers(1, 30), st.integers(1, 30), st.integers(0, 99)
)
def test_resize_bilinear_agrees_with_tensorflow(h, w, out_h, out_w, seed):
    x = np.random.default_rng(seed).random((2, h, w, 3))
    expected = tf.image.resize(x, (out_h, out_w), method="bilinear").numpy()
    np.testing.assert_allclose(ops.resize_bilinear(x, (out_h, out_w)), expected, atol=1e-5)


def test_resize_bilinear_rejects_bad_input():
    with pytest.raises(ValueError, match="x must"):
        ops.resize_bilinear(np.zeros((4, 4)), 8)
    with pytest.raises(ValueError, match="empty"):
        ops.resize_bilinear(np.zeros((1, 0, 4, 1)), 8)
    with pytest.raises(ValueError, match="size"):
        ops.resize_bilinear(np.zeros((1, 4, 4, 1)), (0, 8))


def test_overlay_heatmap_blends_a_placed_map():
    image = np.zeros((8, 8))
    centres = CellCentres([2, 6], [2, 6], jump=4, input_shape=(8, 8))
    heat = np.array([[0.0, 0.0], [0.0, 2.0]])
    picture = viz.overlay_heatmap(image, heat, centres=centres, alpha=1.0, cmap="gray")
    assert picture.shape == (8, 8, 3)
    assert picture[2, 2].tolist() == [0.0, 0.0, 0.0] and np.allclose(picture[6, 6], 1.0)
    half = viz.overlay_heatmap(np.ones((8, 8, 1)), heat, centres=centres, alpha=0.5, cmap="gray")
    assert np.allclose(half[2, 2], 0.5) and np.allclose(half[6, 6], 1.0)
    blank = viz.overlay_heatmap(image, np.zeros((2, 2)), centres=centres, alpha=1.0, cmap="gray")
    assert blank.max() == 0
    # A map of the image's own size needs no centres.
    assert viz.overlay_heatmap(image, np.eye(8), alpha=1.0, cmap="gray").shape == (8, 8, 3)


@pytest.mark.parametrize(
    ("image", "heat", "kwargs", "message"),
    [
        (np.zeros((8, 8, 2)), np.zeros((2, 2)), {}, "image"),
        (np.zeros((8, 8)), np.zeros(2), {}, "heatmap"),
        (np.zeros((8, 8)), np.full((2, 2), np.nan), {}, "heatmap"),
        (np.zeros((8, 8)), np.zeros((2, 2)), {"alpha": 2}, "alpha"),
        (np.zeros((8, 8)), np.zeros((2, 2)), {"cmap": "nope"}, "cmap"),
    ],
)
def test_overlay_heatmap_rejects_bad_input(image, heat, kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.overlay_heatmap(image, heat, **kwargs)


def test_chapter8_checkers_accept_answers_computed_independently():
    from cnnlib.exercises import chapter8

    # Equal kernels: a C3 map is tanh of one convolution of the sum of the S2 maps it reads.
    s2 = np.random.default_rng(0).random((14, 14, 6))
    kernel = np.full((5, 5), 0.01)
    table = layers.LENET_C3_TABLE.astype(bool)
    with_table = [
        np.tanh(correlate2d(s2[..., table[:, j]].sum(axis=-1), kernel, "valid")) for j in range(16)
    ]
    full = [np.tanh(correlate2d(s2.sum(axis=-1), kernel, "valid")) for _ in range(16)]
    distinct = tuple(len(np.unique(np.round(maps, 9), axis=0)) for maps in (with_table, full))
    assert chapter8.c3_distinct_maps(distinct)
    convolutional = keras.Sequential([keras.Input((40, 40, 1)), *models.lenet5().layers[:5]])
    assert chapter8.c5_output_shape(tuple(convolutional.output_shape[1:]))
    features = chapter8.FEATURES[np.newaxis]
    explicit = sum(
        chapter8.CLASS_WEIGHTS[k, 1] * features[0, :, :, k] for k in range(features.shape[-1])
    )
    assert chapter8.cam_by_hand(explicit.tolist())
    for checker, wrong in [
        (chapter8.c3_distinct_maps, (16, 16)),
        (chapter8.c5_output_shape, (1, 1, 120)),
        (chapter8.cam_by_hand, (chapter8.FEATURES @ chapter8.CLASS_WEIGHTS[:, 0]).tolist()),
    ]:
        assert not checker(wrong) and "Not yet" in repr(checker(wrong))
        assert checker(None) is NOT_ANSWERED


@pytest.mark.parametrize(
    ("checker", "answer", "hint"),
    [
        ("c3_distinct_maps", (16, 16), "what could make two of them differ"),
        ("c3_distinct_maps", (1, 1), "the same set"),
        ("c3_distinct_maps", (3, 1), "compare the sets"),
        ("c3_distinct_maps", (1, 16), "swapped"),
        ("c3_distinct_maps", (6, 1), "a C3 map is a column"),
        ("c5_output_shape", (7, 7, 120), "S4"),
        ("c5_output_shape", (2, 2, 120), "4 pixels"),
    ],
)
def test_chapter8_typical_mistakes_get_a_hint(checker, answer, hint):
    from cnnlib.exercises import chapter8

    feedback = getattr(chapter8, checker)(answer)
    assert not feedback.correct and hint in feedback.message


@pytest.mark.parametrize(
    ("answer", "secret"),
    [((1, 1), "(16, 1)"), ((16, 16), "16, 1"), ((1, 1, 120), "(3, 3"), ((3, 1), "16 different")],
)
def test_chapter8_wrong_answers_do_not_reveal_the_right_one(answer, secret):
    from cnnlib.exercises import chapter8

    for checker in (chapter8.c3_distinct_maps, chapter8.c5_output_shape):
        feedback = checker(answer)
        assert feedback.correct or secret not in feedback.message
