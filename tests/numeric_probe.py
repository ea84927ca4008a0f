"""A few training steps of three of the book's models, on synthetic data, in the notebooks'
numeric environment: prints, per model, the losses and a hash of the trained weights (JSON).

``tests/test_numeric_environment.py`` runs it in fresh interpreters (as a reader's kernel starts)
and compares the digits with each other and with ``tests/data/numeric_record.json``. With
``--write`` it stores the record. Synthetic data: no download, the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from cnnlib import runtime

runtime.quiet_tensorflow()  # sets the numeric environment before TensorFlow is imported

import keras  # noqa: E402
import numpy as np  # noqa: E402

from cnnlib import models  # noqa: E402

RECORD = Path(__file__).resolve().parent / "data" / "numeric_record.json"


def digest(model: keras.Model) -> str:
    h = hashlib.sha256()
    for weights in model.get_weights():
        h.update(np.ascontiguousarray(weights).tobytes())
    return h.hexdigest()[:16]


def train(model: keras.Model, x: np.ndarray, y: np.ndarray, loss: str) -> dict[str, object]:
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return {"loss": [repr(float(v)) for v in history.history["loss"]], "weights": digest(model)}


def processor() -> dict[str, object]:
    """The processor's model name and vector extensions, from /proc/cpuinfo."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/cpuinfo").read_text().splitlines() if ":" in line
    )
    flags = fields.get("flags\t\t", "").split()
    vector = sorted(f for f in flags if f.startswith(("avx", "amx", "fma", "sse")))
    return {"model": fields.get("model name\t", "").strip(), "vector": vector}


def probe() -> dict[str, dict[str, object]]:
    rng = np.random.default_rng(0)
    results = {}
    # Chapters 5 and 6: photos through random flips and shifts, and dropout.
    photos = rng.integers(0, 256, (48, 64, 64, 3)).astype("float32")
    labels = rng.integers(0, 2, 48).astype("float32")
    runtime.seed(42)
    flip_and_shift = models.augmentation(rotation=0, zoom=0, translation=0.05)
    cats = models.small_convnet(64, augmentation=flip_and_shift, dropout=0.5)
    results["small_convnet"] = train(cats, photos, labels, "binary_crossentropy")
    # Chapter 7: a transposed-convolution decoder and a sigmoid output.
    digits = rng.random((64, 28, 28, 1)).astype("float32")
    runtime.seed(42)
    autoencoder = models.conv_autoencoder(decoder="transpose")
    results["conv_autoencoder"] = train(autoencoder, digits, digits, "binary_crossentropy")
    # Chapters 4 and 8: the MNIST convnet.
    classes = rng.integers(0, 10, 64)
    runtime.seed(42)
    results["mnist_convnet"] = train(
        models.mnist_convnet(), digits, classes, "sparse_categorical_crossentropy"
    )
    return results


if __name__ == "__main__":
    found = probe()
    if "--write" in sys.argv:
        record = {"processor": processor(), "models": found}
        RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(found))
