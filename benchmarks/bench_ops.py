"""How fast is cnnlib.ops.conv2d next to TensorFlow's own convolution?

Run it with the project's environment:

    .venv/bin/python benchmarks/bench_ops.py

It times both on a (8, 64, 64, 16) float32 input with a (3, 3, 16, 32) kernel ("valid" padding,
stride 1), checks that they agree, and prints the median times and their ratio. The target is
that the NumPy reference stays within 5x of TensorFlow on a laptop CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf

from cnnlib import ops

INPUT_SHAPE = (8, 64, 64, 16)
KERNEL_SHAPE = (3, 3, 16, 32)
TARGET_RATIO = 5.0


def median_seconds(function: Callable[[], object], repeats: int) -> float:
    function()  # warm-up: first-call set-up is not what we measure
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of each (default 30)")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.random(INPUT_SHAPE, dtype=np.float32)
    kernel = (rng.standard_normal(KERNEL_SHAPE) / 12).astype(np.float32)
    x_tf, kernel_tf = tf.constant(x), tf.constant(kernel)

    ours = ops.conv2d(x, kernel)
    theirs = tf.nn.conv2d(x_tf, kernel_tf, strides=1, padding="VALID").numpy()
    difference = float(np.abs(ours - theirs).max())
    assert difference <= 1e-5, f"cnnlib and TensorFlow disagree by {difference}"

    numpy_time = median_seconds(lambda: ops.conv2d(x, kernel), args.repeats)
    tf_time = median_seconds(
        lambda: tf.nn.conv2d(x_tf, kernel_tf, strides=1, padding="VALID").numpy(), args.repeats
    )
    ratio = numpy_time / tf_time
    print(f"input {INPUT_SHAPE}, kernel {KERNEL_SHAPE}, {args.repeats} runs each (median)")
    print(f"cnnlib.ops.conv2d : {numpy_time * 1e3:8.2f} ms")
    print(f"tf.nn.conv2d      : {tf_time * 1e3:8.2f} ms")
    print(f"ratio             : {ratio:8.2f}x  (target <= {TARGET_RATIO:g}x)")
    print(f"max |difference|  : {difference:.1e}")


if __name__ == "__main__":
    main()
