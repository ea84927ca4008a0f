"""Replicates of Chapters 4, 7 and 8: their comparisons re-run with other seeds, off the page.

Chapter 4 (``ch4``) trains the classic convnet, the dense baseline and the narrow (8-16-16)
convnet with the chapter's recipe: the first 55,000 MNIST training images, the last 5,000 for
validation, Adam with a cosine decay from 2e-3 over 6 epochs, batches of 128,
``EarlyStopping(patience=2, restore_best_weights=True)``; the test accuracy on the 10,000 test
images. Chapter 7 (``ch7``) trains the 16-8-4 autoencoder with ``UpSampling2D``, its
``Conv2DTranspose`` twin and the Keras blog's 16-8-8 model on the first 20,000 training images for
3 epochs (Adam 3e-3, binary cross-entropy, batches of 128), and measures the test loss and MSE
and the finest-period measures of the chapter. ``runtime.seed(seed)`` comes before each model is
built, as Chapter 4's ``runtime.seed(42)`` does, so that seed 42 reproduces Chapter 4's own run
(Chapter 7 seeds once for the whole chapter; its seed 42 here is one more replicate).
Chapter 8 (``ch8``) trains the flatten and the GAP localisation convnets on 15,000 digits placed
anywhere on 64x64 canvases for 3 epochs (Adam, cosine decay from 3e-3, batches of 32) and
measures their test accuracy on 2,000 test canvases.

    .venv/bin/python benchmarks/replicates_mnist.py ch4 42 1 2 3 > ch4.jsonl
    .venv/bin/python benchmarks/replicates_mnist.py ch7 42 1 2 3 > ch7.jsonl
    .venv/bin/python benchmarks/replicates_mnist.py ch8 1 2 3 > ch8.jsonl
    .venv/bin/python benchmarks/replicates_mnist.py write ch4 ch4.jsonl

``write`` stores the runs beside the chapter (``book/04_first_convnet_replicates.json``,
``book/07_autoencoders_replicates.json``) with the recipe, the commit and the environment; the
chapter's own seed is kept apart from the other seeds. The tests
``tests/test_inline_ch04.py`` and ``tests/test_inline_ch07.py`` hold the files to the chapters'
recipes and the prose's verdicts to every replicate.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnlib import runtime  # noqa: E402  (imports no TensorFlow)

runtime.quiet_tensorflow()  # the notebooks' numeric environment, before TensorFlow

import keras  # noqa: E402
import numpy as np  # noqa: E402

from cnnlib import data, models  # noqa: E402

CHAPTER_SEED = 42
#: Chapters whose own run the script reproduces with CHAPTER_SEED. Chapter 7 builds its models
#: without a seed of their own, so its seed 42 here is one more replicate.
REPRODUCED = ("ch4",)
NOTEBOOKS = {
    "ch4": "04_first_convnet.ipynb",
    "ch7": "07_autoencoders.ipynb",
    "ch8": "08_lenet_gap_cam.ipynb",
}
RECIPES = {
    "ch4": {
        "train_images": 55_000,
        "validation_images": 5_000,
        "test_images": 10_000,
        "epochs": 6,
        "batch_size": 128,
        "optimizer": "Adam",
        "initial_learning_rate": 0.002,
        "schedule": "CosineDecay to 0 over the planned steps",
        "early_stopping_patience": 2,
        "restore_best_weights": True,
        "models": {
            "convnet": "cnnlib.models.mnist_convnet()",
            "dense": "cnnlib.models.dense_baseline()",
            "narrow": "the chapter's convnet with 8, 16 and 16 filters",
        },
        "seeding": "runtime.seed(seed) before each model is built (op determinism on)",
    },
    "ch7": {
        "train_images": 20_000,
        "test_images": 10_000,
        "epochs": 3,
        "batch_size": 128,
        "optimizer": "Adam",
        "learning_rate": 0.003,
        "loss": "binary_crossentropy",
        "models": {
            "up": "cnnlib.models.conv_autoencoder() (16-8-4, UpSampling2D)",
            "tr": "cnnlib.models.conv_autoencoder(decoder='transpose')",
            "blog": "cnnlib.models.conv_autoencoder(filters=(16, 8, 8))",
        },
        "seeding": "runtime.seed(seed) before each model is built (op determinism on)",
    },
    "ch8": {
        "canvas": 64,
        "train_canvases": 15_000,
        "test_canvases": 2_000,
        "placement_seeds": {"train": 1, "test": 2},
        "epochs": 3,
        "batch_size": 32,
        "optimizer": "Adam",
        "initial_learning_rate": 0.003,
        "schedule": "CosineDecay to 0 over the planned steps",
        "models": {
            "flatten": "four 3x3 same convolutions (16, 32, 32, 32; two 2x2 poolings), Flatten",
            "gap": "the same convolutions, GlobalAveragePooling2D",
        },
        "seeding": "runtime.seed(seed) before each model is built and "
        "keras.utils.set_random_seed(seed + 1) before it is trained; the chapter builds its "
        "models after other random draws, so no seed here reproduces the chapter's run",
    },
}


def prepare(images: np.ndarray) -> np.ndarray:
    return (images.astype("float32") / 255)[..., np.newaxis]


def run_ch4(seed: int) -> dict[str, object]:
    recipe = RECIPES["ch4"]
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist()
    x_all, x_test = prepare(train_images), prepare(test_images)
    n = recipe["train_images"]
    train_set = (x_all[:n], train_labels[:n])
    val_set = (x_all[n:], train_labels[n:])

    def fit_and_test(network: keras.Model) -> tuple[float, int]:
        x, y = train_set
        steps = recipe["epochs"] * math.ceil(len(x) / recipe["batch_size"])
        schedule = keras.optimizers.schedules.CosineDecay(recipe["initial_learning_rate"], steps)
        network.compile(
            optimizer=keras.optimizers.Adam(schedule),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        history = network.fit(
            x,
            y,
            validation_data=val_set,
            epochs=recipe["epochs"],
            batch_size=recipe["batch_size"],
            callbacks=[stop],
            verbose=0,
        )
        accuracy = float(network.evaluate(x_test, test_labels, verbose=0)[1])
        return accuracy, len(history.history["loss"])

    def narrow() -> keras.Model:
        layers = keras.layers
        return keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                layers.Conv2D(8, 3, activation="relu"),
                layers.MaxPooling2D(2),
                layers.Conv2D(16, 3, activation="relu"),
                layers.MaxPooling2D(2),
                layers.Conv2D(16, 3, activation="relu"),
                layers.Flatten(),
                layers.Dense(64, activation="relu"),
                layers.Dense(10, activation="softmax"),
            ]
        )

    out: dict[str, object] = {"seed": seed}
    for name, build in (
        ("convnet", models.mnist_convnet),
        ("dense", models.dense_baseline),
        ("narrow", narrow),
    ):
        began = time.time()
        runtime.seed(seed)
        out[name], out[f"{name}_epochs"] = fit_and_test(build())
        out[f"{name}_s"] = round(time.time() - began)
    return out


def finest(side: int) -> np.ndarray:
    mask = np.zeros((side, side), dtype=bool)
    mask[side // 2, :] = True
    mask[:, side // 2] = True
    return mask


def share(images: np.ndarray) -> float:
    planes = images[..., 0] - images[..., 0].mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(planes)) ** 2
    return float(np.mean(power[:, finest(28)].sum(axis=1) / power.sum(axis=(1, 2))))


def grid_rms(images: np.ndarray) -> float:
    spectrum = np.fft.fft2(images[..., 0])
    part = np.fft.ifft2(np.where(finest(28), spectrum, 0)).real.mean(axis=0)
    return float(np.sqrt(np.mean(part**2)))


def run_ch7(seed: int) -> dict[str, object]:
    recipe = RECIPES["ch7"]
    (train_images, _), (test_images, _) = data.load_mnist()
    x_train = prepare(train_images[: recipe["train_images"]])
    x_test = prepare(test_images[: recipe["test_images"]])

    def train(model: keras.Model) -> tuple[keras.Model, float, float]:
        model.compile(
            optimizer=keras.optimizers.Adam(recipe["learning_rate"]),
            loss=recipe["loss"],
            metrics=["mse"],
        )
        model.fit(
            x_train,
            x_train,
            epochs=recipe["epochs"],
            batch_size=recipe["batch_size"],
            verbose=0,
        )
        loss, mse = model.evaluate(x_test, x_test, verbose=0, batch_size=1000)
        return model, float(loss), float(mse)

    began = time.time()
    out: dict[str, object] = {"seed": seed}
    runtime.seed(seed)
    up, out["up_bce"], out["up_mse"] = train(models.conv_autoencoder())
    runtime.seed(seed)
    tr, out["tr_bce"], out["tr_mse"] = train(models.conv_autoencoder(decoder="transpose"))
    runtime.seed(seed)
    _, out["blog_bce"], out["blog_mse"] = train(models.conv_autoencoder(filters=(16, 8, 8)))
    ru = up.predict(x_test, verbose=0, batch_size=1000)
    rt = tr.predict(x_test, verbose=0, batch_size=1000)
    out["share_ratio"] = share(rt) / share(ru)
    out["grid_ratio"] = grid_rms(rt) / grid_rms(ru)
    out["grid_up_vs_test"] = grid_rms(ru) / grid_rms(x_test)
    out["blog_gain"] = 1 - float(out["blog_mse"]) / float(out["up_mse"])  # type: ignore[arg-type]
    out["seconds"] = round(time.time() - began)
    return out


def localization_convnet(head: str, canvas: int) -> keras.Model:
    """Chapter 8's ``build_localization_convnet``."""
    layers = keras.layers
    pooled = layers.GlobalAveragePooling2D() if head == "gap" else layers.Flatten()
    convolutions = []
    for index, filters in enumerate((16, 32, 32, 32)):
        convolutions.append(layers.Conv2D(filters, 3, activation="relu", padding="same"))
        if index < 2:
            convolutions.append(layers.MaxPooling2D(2))
    return keras.Sequential(
        [keras.Input((canvas, canvas, 1)), *convolutions, pooled, layers.Dense(10, "softmax")]
    )


def run_ch8(seed: int) -> dict[str, object]:
    recipe = RECIPES["ch8"]
    canvas = recipe["canvas"]
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist()
    n, n_test = recipe["train_canvases"], recipe["test_canvases"]
    seeds = recipe["placement_seeds"]
    x_train, _, _ = data.place_digits(train_images[:n], canvas, seed=seeds["train"])
    x_test, _, _ = data.place_digits(test_images[:n_test], canvas, seed=seeds["test"])
    x_train = (x_train / 255).astype("float32")[..., np.newaxis]
    x_test = (x_test / 255).astype("float32")[..., np.newaxis]
    out: dict[str, object] = {"seed": seed}
    for head in ("flatten", "gap"):
        began = time.time()
        runtime.seed(seed)
        model = localization_convnet(head, canvas)
        keras.utils.set_random_seed(seed + 1)
        steps = recipe["epochs"] * -(-n // recipe["batch_size"])
        schedule = keras.optimizers.schedules.CosineDecay(recipe["initial_learning_rate"], steps)
        model.compile(
            optimizer=keras.optimizers.Adam(schedule),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        model.fit(
            x_train,
            train_labels[:n],
            epochs=recipe["epochs"],
            batch_size=recipe["batch_size"],
            verbose=0,
        )
        out[head] = float(model.evaluate(x_test, test_labels[:n_test], verbose=0)[1])
        out[f"{head}_s"] = round(time.time() - began)
    return out


def write(chapter: str, lines: Path) -> Path:
    """Store the JSON lines of a run beside the chapter, with recipe and provenance."""
    runs: dict[str, object] = {}
    chapter_run = None
    for line in lines.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        seed = record.pop("seed")
        if seed == CHAPTER_SEED and chapter in REPRODUCED:
            chapter_run = record
        else:
            runs[str(seed)] = record
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    import tensorflow as tf

    results = {
        "chapter": NOTEBOOKS[chapter],
        "about": "The chapter's recipe re-run with other seeds, outside the chapter, to measure "
        "how far a re-run moves its numbers (issue 24), by benchmarks/replicates_mnist.py. "
        "Accuracies and MSEs are on the test set.",
        "recipe": RECIPES[chapter],
        "provenance": {
            "commit": commit,
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "environment": {name: os.environ.get(name) for name in runtime.ENVIRONMENT},
            "machine": {"cpu": cpu, "cpus": os.cpu_count()},
        },
        "chapter_seed": {"seed": CHAPTER_SEED, "run": chapter_run} if chapter_run else None,
        "replicates": runs,
    }
    path = ROOT / "book" / NOTEBOOKS[chapter].replace(".ipynb", "_replicates.json")
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> None:
    if argv[:1] == ["write"]:
        print(write(argv[1], Path(argv[2])))
        return
    run = {"ch4": run_ch4, "ch7": run_ch7, "ch8": run_ch8}[argv[0]]
    for seed in (int(a) for a in argv[1:]):
        print(json.dumps(run(seed)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
