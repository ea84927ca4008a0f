"""cnnlib.runtime: quick mode, seeding and quiet logs."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from cnnlib import runtime


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("", False),
     ("no", False), (" False ", False)],
)  # fmt: skip
def test_env_flag_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("CNNLIB_TEST_FLAG", value)
    assert runtime.env_flag("CNNLIB_TEST_FLAG") is expected


def test_env_flag_is_false_when_unset(monkeypatch):
    monkeypatch.delenv("CNNLIB_TEST_FLAG", raising=False)
    assert runtime.env_flag("CNNLIB_TEST_FLAG") is False


def test_env_flag_rejects_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CNNLIB_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="CNNLIB_TEST_FLAG"):
        runtime.env_flag("CNNLIB_TEST_FLAG")


def test_quick_follows_the_environment_of_the_test_run():
    assert runtime.QUICK is runtime.env_flag("CNNLIB_QUICK")


def test_pick_chooses_by_mode(monkeypatch):
    monkeypatch.setattr(runtime, "QUICK", True)
    assert runtime.pick(full=20, quick=1) == 1
    monkeypatch.setattr(runtime, "QUICK", False)
    assert runtime.pick(full=20, quick=1) == 20


def test_seed_makes_numpy_python_and_keras_repeat():
    def draw():
        import random

        return (
            random.random(),
            np.random.rand(),  # noqa: NPY002  (seed() must seed NumPy's global generator too)
            keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist(),
        )

    runtime.seed(123)
    first = draw()
    runtime.seed(123)
    assert draw() == first
    runtime.seed(124)
    assert draw() != first


def test_seed_makes_layer_initialisation_repeat():
    def weights():
        layer = keras.layers.Conv2D(4, 3)
        layer.build((None, 8, 8, 1))
        return layer.get_weights()[0]

    runtime.seed(7)
    first = weights()
    runtime.seed(7)
    np.testing.assert_array_equal(weights(), first)


@pytest.mark.parametrize("value", [-1, 2**32, 1.5, True, "1"])
def test_seed_rejects_values_that_are_not_32_bit_integers(value):
    with pytest.raises(ValueError, match="value must be an integer"):
        runtime.seed(value)


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter whose environment has none of runtime.ENVIRONMENT's
    variables (as a reader's kernel), plus ``environment``."""
    env = {k: v for k, v in os.environ.items() if k not in runtime.ENVIRONMENT}
    env.update(environment)
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


SHOW_ENVIRONMENT = """
import os
from cnnlib import runtime
runtime.quiet_tensorflow()
import keras
import tensorflow as tf
runtime.seed(42)
print(tf.constant(1).numpy(), sorted((k, os.environ[k]) for k in runtime.ENVIRONMENT))
"""


def test_quiet_tensorflow_sets_the_numeric_environment_and_imports_without_a_line_on_stderr():
    result = run_python(SHOW_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip() == f"1 {sorted(runtime.ENVIRONMENT.items())}"
    assert runtime.ENVIRONMENT["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert runtime.ENVIRONMENT["TF_NUM_INTRAOP_THREADS"] == "2"


def test_quiet_tensorflow_keeps_what_the_reader_set_and_still_drops_the_onednn_notice():
    result = run_python(SHOW_ENVIRONMENT, TF_ENABLE_ONEDNN_OPTS="0", TF_NUM_INTRAOP_THREADS="1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "('TF_ENABLE_ONEDNN_OPTS', '0')" in result.stdout
    assert "('TF_NUM_INTRAOP_THREADS', '1')" in result.stdout


NOISY_TENSORFLOW = """
import logging
import os

os.write(2, (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
    "I0000 00:00:1796092035.481147    6941 port.cc:153] oneDNN custom operations are on.\\n"
    "E0000 00:00:1796092035.481147    6941 kernel.cc:7] something is broken\\n"
).encode())
{failure}

def get_logger():
    return logging.getLogger("tensorflow")
"""


@pytest.mark.parametrize("failure", ["", "raise ImportError('no TensorFlow here')"])
def test_quiet_tensorflow_passes_on_every_other_line_and_a_failed_import(tmp_path, failure):
    """A stand-in ``tensorflow`` writes the two start-up lines and an error line to fd 2."""
    (tmp_path / "tensorflow").mkdir()
    source = NOISY_TENSORFLOW.format(failure=failure)
    (tmp_path / "tensorflow" / "__init__.py").write_text(source, encoding="utf-8")
    code = (
        "import sys\n"
        "from cnnlib import runtime\n"
        "try:\n"
        "    runtime.quiet_tensorflow()\n"
        "except ImportError as error:\n"
        "    print('raised:', error, file=sys.stderr)\n"
        "print('after', file=sys.stderr)\n"
    )
    result = run_python(code, PYTHONPATH=str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("E0000 ") and lines[0].endswith("something is broken")
    assert lines[1:] == (["raised: no TensorFlow here"] if failure else []) + ["after"]


def test_quiet_tensorflow_warns_when_tensorflow_was_imported_without_its_environment(monkeypatch):
    import tensorflow  # noqa: F401  (imported already by the tests; made sure of here)

    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    with pytest.warns(RuntimeWarning, match="restart the kernel"):
        runtime.quiet_tensorflow()
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == runtime.ENVIRONMENT["TF_ENABLE_ONEDNN_OPTS"]


def test_startup_noise_matches_the_two_notices_and_no_error_line():
    assert runtime.STARTUP_NOISE.fullmatch(
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
    )
    assert runtime.STARTUP_NOISE.fullmatch(
        "I0000 00:00:1796626421.531907    7718 port.cc:153] oneDNN custom operations are on."
    )
    assert not runtime.STARTUP_NOISE.fullmatch("E0000 00:00:1.5 1 kernel.cc:7] broken")
    assert not runtime.STARTUP_NOISE.fullmatch("UserWarning: look at me")
