"""Seeding, TensorFlow's environment and quiet start-up, and the book's quick mode.

The test command sets ``CNNLIB_QUICK=1`` so that every chapter runs in seconds; the published
notebooks are executed without it. A chapter chooses its sizes with :func:`pick`:

>>> from cnnlib import runtime
>>> epochs = runtime.pick(full=20, quick=1)
"""

from __future__ import annotations

import ast
import os
import random
import re
import sys
import tempfile
import warnings
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


#: The environment TensorFlow reads when it is imported, as the book's notebooks were executed:
#: :func:`quiet_tensorflow` sets each variable the reader has not set, and ``.ci/tasks.py`` sets
#: them all for the tests and the execute command. Add a setting here and every kernel gets it.
ENVIRONMENT: dict[str, str] = {
    # The stored numbers are the same on every x86-64 processor with AVX2 (nearly every laptop
    # and cloud machine since 2013) and any number of cores, if these three are fixed. Measured
    # (benchmarks/DRIFT.md): oneDNN picks its kernels by the processor's instruction set, and
    # AVX-512 kernels sum in another order than AVX2 ones; a matrix product split over another
    # number of threads does too. Either changes a weight's last digits in the first step, and
    # forty epochs later a validation accuracy by points.
    "TF_ENABLE_ONEDNN_OPTS": "1",  # oneDNN's kernels: 2-3x faster here than TensorFlow's own
    "ONEDNN_MAX_CPU_ISA": "AVX2",  # the same kernels on AVX2 and on AVX-512 processors
    "TF_NUM_INTRAOP_THREADS": "2",  # one operation split over 2 threads, whatever the cores
    "TF_NUM_INTEROP_THREADS": "2",
    # The CPU only: a GPU's kernels give other last digits (and each chapter runs on a laptop CPU).
    "CUDA_VISIBLE_DEVICES": "-1",
    # No C++ log lines below an error.
    "TF_CPP_MIN_LOG_LEVEL": "3",
}

#: TensorFlow's C++ start-up lines: absl's notice ("WARNING: All log messages before
#: absl::InitializeLog() is called ...") and info or warning log lines such as "I0000 00:00:...
#: port.cc:153] oneDNN custom operations are on ...". Error lines (``E``, ``F``) are not matched.
STARTUP_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] .*"
)


def quiet_tensorflow() -> None:
    """Prepare TensorFlow as the book's notebooks were executed and import it without start-up logs.

    Every chapter calls it in its set-up cell, before anything imports TensorFlow:

    - it sets each variable of :data:`ENVIRONMENT` that the reader has not set (oneDNN's AVX2
      kernels on two threads, the CPU only, quiet C++ logs), since TensorFlow reads them at
      import and the stored numbers depend on them; a reader who sets one first
      (``CUDA_VISIBLE_DEVICES`` to use a GPU, say)
      keeps theirs;
    - it imports TensorFlow with file descriptor 2 sent to a temporary file, since absl's notice
      and the oneDNN notice are written there by C++, whatever the log level says, and would
      land in a Jupyter cell as a stderr block; afterwards every captured line that is not
      :data:`STARTUP_NOISE` is written to ``sys.stderr``, so that errors still show (and an
      import that fails raises as usual);
    - it quiets TensorFlow's and absl's Python loggers to errors.

    Called again, or after TensorFlow was imported, it only quiets the loggers; if TensorFlow was
    imported before a variable of :data:`ENVIRONMENT` was set, it warns that the kernel should be
    restarted.

    >>> quiet_tensorflow()
    >>> os.environ["TF_ENABLE_ONEDNN_OPTS"] in ("0", "1")
    True
    """
    imported_before = "tensorflow" in sys.modules
    missing = [name for name in ENVIRONMENT if name not in os.environ]
    for name in missing:
        os.environ[name] = ENVIRONMENT[name]
    if imported_before and missing:
        warnings.warn(
            f"TensorFlow was imported before runtime.quiet_tensorflow() set {', '.join(missing)}: "
            "restart the kernel and run the set-up cell first to get the book's numbers",
            RuntimeWarning,
            stacklevel=2,
        )
    if not imported_before:
        _import_tensorflow_quietly()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.ERROR)


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 captured; pass on what is not start-up noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401  (imported for its side effects: loaded once, quietly)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", errors="replace")
            kept = [
                line
                for line in text.splitlines()
                if line.strip() and not STARTUP_NOISE.fullmatch(line.strip())
            ]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


#: How the prose quotes a glued value, in a chapter's Markdown: ``{eval}`runtime.glued("name")```,
#: or with a format spec, ``{eval}`runtime.glued("name:.2f")```. The same text works in both
#: places: JupyterLab (jupyterlab-myst) evaluates it in the kernel and keeps the result in the
#: cell's ``user_expressions`` metadata, which shows without a kernel (the execute command fills it
#: from the stored values), and the book's pages show the value myst-nb stored, formatted as
#: ``{glue:text}`name:.2f``` would (book/_ext/glued.py).
GLUED_EXPRESSION = re.compile(r'runtime\.glued\("(?P<name>[A-Za-z_]\w*)(?::(?P<spec>[^"]*))?"\)')

#: What :func:`glued` shows for a name that no cell of this kernel has glued yet (prose that
#: quotes a number computed further down, when the reader runs the whole notebook).
NOT_COMPUTED = "(not computed yet)"

_GLUED: dict[str, str] = {}  # name -> text/plain of the value glued in this process


def glue(name: str, value: object) -> None:
    """Store a result under ``name`` so that the book's prose can quote it.

    The chapters write ``{eval}`runtime.glued("name")``` in Markdown (see
    :data:`GLUED_EXPRESSION`), so that no measured number is ever typed by hand: myst-nb keeps the
    value in the notebook for the page, and this kernel keeps it for :func:`glued`. NumPy scalars
    are stored as plain Python numbers (so that format specs such as ``:.3f`` work). Where myst-nb
    is not installed (on Colab, say) only this kernel keeps it.

    >>> glue("ch1 params", 320)
    Traceback (most recent call last):
    ...
    ValueError: name must be an identifier such as 'ch1_conv_params', got 'ch1 params'
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'ch1_conv_params', got {name!r}")
    plain = value.item() if isinstance(value, np.generic) else value
    _GLUED[name] = _plain_text(plain)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # pragma: no cover - myst-nb is in requirements.txt
        return
    myst_glue(name, plain, display=False)


def glued(name: str) -> str:
    """The value :func:`glue` stored under ``name`` in this kernel, as the page shows it.

    ``name`` may end in a format spec, ``"name:.2f"``, as in myst-nb's ``{glue:text}`` role; a
    name no cell has glued yet gives :data:`NOT_COMPUTED`.

    >>> glue("ch0_ratio", np.float64(0.123456))
    >>> glued("ch0_ratio:.2f"), glued("ch0_ratio"), glued("ch0_later")
    ('0.12', '0.123456', '(not computed yet)')
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a string such as 'ch1_ratio:.2f', got {name!r}")
    key, _, spec = name.partition(":")
    if not key.isidentifier():
        raise ValueError(f"name must be a glued name, then an optional ':format', got {name!r}")
    if key not in _GLUED:
        return NOT_COMPUTED
    return format_glued(_GLUED[key], spec or "s")


def format_glued(text: str, spec: str) -> str:
    """Format a glued value's ``text/plain`` as myst-nb's ``{glue:text}`` role does: read it as
    a Python literal, convert it to the type that ``spec``'s last letter asks for, format it.

    >>> format_glued("0.276", ".2f"), format_glued("'cat'", "s"), format_glued("3000", ",d")
    ('0.28', 'cat', '3,000')
    """
    try:
        value: object = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if spec == "":
        return str(value)
    kind = spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)  # type: ignore[call-overload]
    elif kind in "eEfFgGn%":
        value = float(value)  # type: ignore[arg-type]
    return format(value, spec)


def _plain_text(value: object) -> str:
    """The ``text/plain`` that IPython (and so myst-nb's glue) shows for ``value``."""
    try:
        from IPython import get_ipython
        from IPython.lib.pretty import pretty
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return repr(value)
    shell = get_ipython()
    if shell is None:
        return str(pretty(value))  # type: ignore[no-untyped-call]
    return str(shell.display_formatter.format(value)[0]["text/plain"])
