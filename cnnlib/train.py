"""Training helpers: where a run writes its files, the standard callbacks, and what a run reached.

Runs write under ``_build/runs/<name>/`` of the book's repository (found from the working
directory), so checkpoints and logs never land among the sources; outside the repository (on
Colab, say) they go to ``./cnnlib_runs/<name>/``. ``CNNLIB_RUNS`` overrides the folder.

>>> callbacks = standard_callbacks(run_dir("doctest"))
>>> [type(c).__name__ for c in callbacks]
['EarlyStopping', 'ModelCheckpoint', 'TensorBoard']
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from cnnlib._validate import integer

#: Where ``run_dir`` puts a run's folder inside the repository.
RUNS = Path("_build") / "runs"


def _repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "_config.yml").is_file() and (folder / "cnnlib").is_dir():
            return folder
    return None


def run_dir(name: str, *, fresh: bool = True) -> Path:
    """The folder for the run ``name``: ``<repository>/_build/runs/<name>``, created.

    With ``fresh=True`` (the default) anything a previous run left there is removed first, so
    that TensorBoard logs of two runs never mix.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name must be letters, digits, '-' or '_', got {name!r}")
    override = os.environ.get("CNNLIB_RUNS")
    if override:
        base = Path(override)
    else:
        root = _repository_root(Path.cwd().resolve())
        base = root / RUNS if root else Path.cwd() / "cnnlib_runs"
    folder = base / name
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def standard_callbacks(
    folder: Path | str, *, patience: int = 3, monitor: str = "val_loss"
) -> list[keras.callbacks.Callback]:
    """``EarlyStopping``, ``ModelCheckpoint`` and ``TensorBoard``, configured as the book uses them.

    - ``EarlyStopping`` stops when ``monitor`` has not improved for ``patience`` epochs and puts
      back the weights of the best epoch;
    - ``ModelCheckpoint`` keeps the best model so far in ``folder/best.keras`` (the Keras 3
      format; ``.h5`` is legacy);
    - ``TensorBoard`` writes the epoch scalars to ``folder/logs`` (``train`` and ``validation``
      runs), which :func:`cnnlib.viz.read_tensorboard_scalars` reads back.

    ``monitor`` is a validation metric such as ``"val_loss"`` (minimised) or
    ``"val_accuracy"`` (maximised), so ``fit`` needs validation data.
    """
    if not isinstance(monitor, str) or not monitor.startswith("val_"):
        raise ValueError(f"monitor must be a validation metric such as 'val_loss', got {monitor!r}")
    patience = integer(patience, "patience", 0)
    path = Path(folder)
    mode = "min" if "loss" in monitor else "max"
    return [
        keras.callbacks.EarlyStopping(
            monitor=monitor, mode=mode, patience=patience, restore_best_weights=True
        ),
        keras.callbacks.ModelCheckpoint(
            path / "best.keras", monitor=monitor, mode=mode, save_best_only=True
        ),
        keras.callbacks.TensorBoard(log_dir=str(path / "logs"), write_graph=False),
    ]


@dataclass(frozen=True)
class RunSummary:
    """What one training run reached, read from its history (epochs count from 1)."""

    best_val: float
    best_epoch: int
    final_val: float
    final_train: float
    #: Mean validation value over the last (up to) five epochs. Unlike ``best_val``, no epoch
    #: was chosen on the validation set to get it, so it is the fairer number to compare runs by.
    last5_val: float

    @property
    def gap(self) -> float:
        """Final training minus final validation value: how far the model overfits."""
        return self.final_train - self.final_val


def summarize_run(history: object, metric: str = "accuracy") -> RunSummary:
    """The best, final and last-five-epoch mean validation ``metric`` of a run, and its final
    training value.

    ``history`` is what ``fit`` returned or its ``.history`` dict. The best epoch is the one
    with the highest ``val_<metric>`` (the lowest, for a loss).

    >>> s = summarize_run({"accuracy": [0.6, 0.9, 1.0], "val_accuracy": [0.55, 0.7, 0.68]})
    >>> s.best_val, s.best_epoch, s.final_val, round(s.gap, 2), round(s.last5_val, 2)
    (0.7, 2, 0.68, 0.32, 0.64)
    """
    values = getattr(history, "history", history)
    if not isinstance(values, dict):
        raise ValueError("history must be a keras History or its .history dict")
    train, val = values.get(metric), values.get(f"val_{metric}")
    if not train or not val:
        raise ValueError(
            f"history must hold {metric!r} and 'val_{metric}' (it has {sorted(values)})"
        )
    scores = np.asarray(val, dtype=float)
    best = int(np.argmin(scores) if "loss" in metric else np.argmax(scores))
    return RunSummary(
        best_val=float(scores[best]),
        best_epoch=best + 1,
        final_val=float(scores[-1]),
        final_train=float(train[-1]),
        last5_val=float(scores[-5:].mean()),
    )
