"""Seeding, quiet TensorFlow logs and the book's quick mode.

The test command sets ``CNNLIB_QUICK=1`` so that every chapter runs in seconds; the published
notebooks are executed without it. A chapter chooses its sizes with :func:`pick`:

>>> from cnnlib import runtime
>>> epochs = runtime.pick(full=20, quick=1)
"""

from __future__ import annotations

import os
import random
from typing import TypeVar

import numpy as np

from cnnlib._validate import integer

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def env_flag(name: str) -> bool:
    """Read a yes/no environment variable such as ``CNNLIB_QUICK``.

    Unset, empty, ``0``, ``false``, ``no`` and ``off`` mean no; ``1``, ``true``, ``yes`` and ``on``
    mean yes (in any case). Anything else raises ``ValueError`` naming the variable.

    >>> env_flag("CNNLIB_SURELY_NOT_SET")
    False
    """
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no or on/off, got {value!r}")


#: True when ``CNNLIB_QUICK`` asks for quick mode (small data slices, one or two epochs).
QUICK: bool = env_flag("CNNLIB_QUICK")

#: True when ``CNNLIB_OFFLINE`` forbids downloads: the data loaders then read the Keras cache only.
OFFLINE: bool = env_flag("CNNLIB_OFFLINE")


def pick(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise.

    >>> pick(full=20, quick=1) == (1 if QUICK else 20)
    True
    """
    return quick if QUICK else full


def seed(value: int = 42, *, deterministic: bool = True) -> None:
    """Seed Python's ``random``, NumPy and Keras/TensorFlow so that a re-run tells the same story.

    With ``deterministic=True`` TensorFlow also uses deterministic kernels, which makes runs
    repeatable on one machine (not across machines or library versions).

    >>> import numpy as np
    >>> seed(0)
    >>> round(float(np.random.rand()), 4)
    0.5488
    """
    if integer(value, "value", 0) >= 2**32:
        raise ValueError(f"value must be an integer in [0, 2**32), got {value}")
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    random.seed(int(value))
    keras.utils.set_random_seed(int(value))  # also seeds NumPy's global generator and TensorFlow
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def quiet_tensorflow() -> None:
    """Silence TensorFlow's start-up logs and Python-side warnings.

    Call it before TensorFlow is first imported: the C++ log level is read at import. Calling it
    afterwards still quiets TensorFlow's Python logger.

    >>> quiet_tensorflow()
    >>> os.environ["TF_CPP_MIN_LOG_LEVEL"]
    '3'
    """
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import sys

    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
    try:
        from absl import logging as absl_logging
    except ImportError:  # pragma: no cover - absl comes with TensorFlow
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def glue(name: str, value: object) -> None:
    """Store a result under ``name`` so that the book's prose can quote it.

    The chapters write ``{glue:text}`name``` in Markdown and myst-nb inserts the value when the
    book is built, so that no measured number is ever typed by hand. NumPy scalars are stored as
    plain Python numbers (so that format specs such as ``:.3f`` work). Where myst-nb is not
    installed (on Colab, say) this does nothing.

    >>> glue("ch1 params", 320)
    Traceback (most recent call last):
    ...
    ValueError: name must be an identifier such as 'ch1_conv_params', got 'ch1 params'
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'ch1_conv_params', got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # pragma: no cover - myst-nb is in requirements.txt
        return
    myst_glue(name, value.item() if isinstance(value, np.generic) else value, display=False)
