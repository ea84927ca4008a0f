"""Answer checkers for the chapters' exercises.

Each chapter has a module of checkers; an exercise cell ends with a call such as
``check.second_layer_params(answer)``. The checker says at once whether the answer is right
and, if it is not, what kind of mistake it looks like, without giving the answer away:

>>> from cnnlib.exercises import chapter1 as check
>>> check.second_layer_params(896)
Not yet: that counts 3 input channels, as for an RGB image; but this layer's input is the first \
layer's output: how many channels does it have?
>>> check.second_layer_params(None)
Not yet: replace None with your answer and run the cell again.

A right answer gets ``Correct:`` and a few words on what it shows. An answer may come in any of
its usual forms: a Python or NumPy number, a TensorFlow scalar, a tuple, a list, a NumPy array,
a ``range`` or a ``TensorShape``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct`` and a message to read."""

    correct: bool
    message: str

    def __repr__(self) -> str:
        return f"{'Correct' if self.correct else 'Not yet'}: {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def _reader_can_answer() -> bool:
    """Whether the running cell was sent by a front end a reader types into (JupyterLab,
    Notebook 7, VS Code, Colab): those let the kernel ask for input. Programs that run a
    notebook headless (nbclient, and so the book's execute command, papermill, nbval) send
    every cell with ``allow_stdin=False``; outside IPython there is no kernel at all."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the book's environment
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    return bool(getattr(kernel, "_allow_stdin", False))


class Unanswered(Feedback):
    """The verdict on an exercise cell still holding ``None``: not correct, and it says what to
    do. In a notebook it shows that prompt in the front end a reader types into (JupyterLab,
    Notebook 7, Colab), and nothing when a program runs the notebook (the book's execute
    command, nbval), so that the book's page shows each exercise cell without an output.

    >>> NOT_ANSWERED
    Not yet: replace None with your answer and run the cell again.
    """

    def _ipython_display_(self) -> None:
        """IPython calls this instead of showing the value: the prompt for a reader, a blank
        cell for a program that runs the notebook."""
        if _reader_can_answer():
            from IPython.display import display

            display({"text/plain": repr(self)}, raw=True)  # type: ignore[no-untyped-call]


#: What every checker returns for ``None`` (or ``...``): the exercise cell as the book shows it.
NOT_ANSWERED = Unanswered(False, "replace None with your answer and run the cell again.")


def _is_unanswered(answer: object) -> bool:
    return answer is None or answer is Ellipsis


def as_scalar(value: object) -> float | None:
    """``value`` as a float when it is one number in any of its usual forms (a Python or NumPy
    number, a TensorFlow scalar, an array or tensor holding a single value), else ``None``.
    Booleans are not numbers here.

    >>> as_scalar(3), as_scalar(np.float32(0.5)), as_scalar(np.array([[2]])), as_scalar("3")
    (3.0, 0.5, 2.0, None)
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if not hasattr(value, "__array__"):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, RuntimeError):
        return None
    if array.size != 1 or array.dtype.kind not in "iuf":
        return None
    return float(array.reshape(()))


#: What a NaN or infinite result of a training run means, and what to do about it.
RUN_DIVERGED = (
    "the run diverged: a loss or a weight became infinite or NaN, and so did every number "
    "computed from it. Build the model afresh, so that it starts from new weights, and train "
    "it again with the exercise's settings; if it diverges again, check the learning rate and "
    "the scale of the inputs."
)


def diverged(value: float, cause: str = RUN_DIVERGED) -> Feedback:
    """The feedback for a measured result that is NaN or infinite; ``cause`` says what made
    it so (by default: the training run diverged, :data:`RUN_DIVERGED`).

    >>> diverged(float("inf")).message.startswith("inf is not a finite number: the run diverged")
    True
    """
    return Feedback(False, f"{value:g} is not a finite number: {cause}")


def as_number(answer: object, *, cause: str | None = None) -> float | Feedback:
    """``answer`` as a finite float, or the feedback for an answer that is missing or not a
    number. A NaN or an infinity gets :func:`diverged` with ``cause`` when the answer is a
    measured result (what made it non-finite), a plain message otherwise.

    Checkers that judge a number by their own rules start with it.

    >>> as_number(3), as_number(None) is NOT_ANSWERED, as_number("3")
    (3.0, True, Not yet: the answer should be a number, got str.)
    >>> as_number(float("nan"))
    Not yet: nan is not a finite number.
    """
    if _is_unanswered(answer):
        return NOT_ANSWERED
    number = as_scalar(answer)
    if number is None:
        return Feedback(False, f"the answer should be a number, got {type(answer).__name__}.")
    if not math.isfinite(number):
        return (
            Feedback(False, f"{number:g} is not a finite number.")
            if cause is None
            else (diverged(number, cause))
        )
    return number


def _precision(answer: object) -> float:
    """The relative rounding error of the number type that ``answer`` holds: a float32
    result (TensorFlow's default) is only good to about 1e-7."""
    dtype = getattr(answer, "dtype", None)
    try:
        kind = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        kind = None
    if kind is None and dtype is not None:
        kind = np.dtype(getattr(dtype, "as_numpy_dtype", np.float64))
    if kind is not None and kind.kind == "f":
        return float(4 * np.finfo(kind).eps)
    return 0.0


def as_integers(answer: object, *, ordered: bool = True) -> tuple[int, ...] | str:
    """``answer`` as a tuple of integers when it is a sequence of whole numbers in any usual
    form (tuple, list, ``range``, NumPy array, ``TensorShape``, tensor; a set too when
    ``ordered`` is false), else the reason it is not, as a message ends.

    >>> as_integers(np.array([26, 26, 32])), as_integers(range(2, 4)), as_integers((1.5, 2))
    ((26, 26, 32), (2, 3), 'the numbers should be whole numbers.')
    """
    if isinstance(answer, (set, frozenset)) and not ordered:
        answer = sorted(answer, key=lambda v: as_scalar(v) or 0.0)
    if isinstance(answer, (str, bytes, Mapping, set, frozenset)) or as_scalar(answer) is not None:
        return "the answer should be a sequence of integers, in order (a tuple or a list)."
    as_list = getattr(answer, "as_list", None)  # a TensorShape
    if callable(as_list):
        try:
            answer = as_list()
        except ValueError:
            return "the shape's length is unknown."
    if hasattr(answer, "__array__") and not isinstance(answer, (tuple, list)):
        try:
            answer = np.asarray(answer).tolist()
        except (TypeError, ValueError, RuntimeError):
            return "the answer should be a sequence of integers."
    if not isinstance(answer, Iterable):
        return "the answer should be a sequence of integers, in order (a tuple or a list)."
    values = [as_scalar(v) for v in answer]
    if any(v is None for v in values):
        return "the answer should hold integers only."
    if not all(math.isfinite(v) and float(v).is_integer() for v in values if v is not None):
        return "the numbers should be whole numbers."
    return tuple(int(v) for v in values if v is not None)


def as_history(answer: object) -> Any:
    """The ``keras.callbacks.History`` that ``fit`` returned, from ``answer`` itself, from a
    tuple that starts with it (such as ``(history, summary)``) or from the trained model (which
    keeps its last ``fit``'s History), else ``None``.

    Experiment checkers read a run's numbers from it, so that only a run can answer them.

    >>> as_history(0.8) is None
    True
    """
    import keras

    if isinstance(answer, tuple) and answer and isinstance(answer[0], keras.callbacks.History):
        answer = answer[0]
    if isinstance(answer, keras.Model):
        answer = getattr(answer, "history", None)
    if isinstance(answer, keras.callbacks.History) and isinstance(answer.history, dict):
        return answer
    return None


def all_layers(model: Any) -> list[Any]:
    """Every layer of a Keras ``model``, the layers of nested models included, in order.

    >>> import keras
    >>> inner = keras.Sequential([keras.layers.RandomFlip("horizontal")], name="augmentation")
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), inner, keras.layers.Flatten()])
    >>> [type(layer).__name__ for layer in all_layers(model)]
    ['Sequential', 'RandomFlip', 'Flatten']
    """
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        found.extend(all_layers(layer))
    return found


NOT_A_RUN = (
    "the checker reads your run's numbers from what the run produced, so that a number copied "
    "from the page cannot answer an experiment"
)

#: What an experiment checker adds when a result is low: the chapter's quick mode trains too little.
SHORT_RUN = (
    "If the chapter ran in quick mode (CNNLIB_QUICK=1), its models trained too briefly for this "
    "experiment: run the chapter in full."
)


def fraction_feedback(value: float, what: str) -> Feedback | None:
    """The feedback for a ``value`` that should be a fraction (``what``: "accuracy", "share")
    but is given as a percentage or lies outside [0, 1]; ``None`` when it is a fraction.

    >>> fraction_feedback(0.9, "accuracy") is None
    True
    >>> fraction_feedback(90, "accuracy")
    Not yet: give the accuracy as a fraction between 0 and 1, not as a percentage.
    >>> fraction_feedback(-1, "share")
    Not yet: a share lies between 0 and 1, got -1.
    """
    if 1 < value <= 100:
        return Feedback(
            False, f"give the {what} as a fraction between 0 and 1, not as a percentage."
        )
    if not 0 <= value <= 1:
        article = "an" if what[:1] in "aeiou" else "a"
        return Feedback(False, f"{article} {what} lies between 0 and 1, got {value:g}.")
    return None


def as_fraction(answer: object, what: str, *, cause: str | None = None) -> float | Feedback:
    """``answer`` as a float between 0 and 1, or the feedback of :func:`as_number` or
    :func:`fraction_feedback` (``what``: "accuracy", "share").

    >>> as_fraction(0.5, "share"), as_fraction(50, "share")
    (0.5, Not yet: give the share as a fraction between 0 and 1, not as a percentage.)
    """
    number = as_number(answer, cause=cause)
    if isinstance(number, Feedback):
        return number
    wrong = fraction_feedback(number, what)
    return number if wrong is None else wrong


def as_pair(answer: object, expected: str) -> tuple[float, float] | Feedback:
    """``answer`` as two floats, or the feedback for an answer that is missing or not two
    numbers; ``expected`` says what the pair should be, as the message shows it.

    >>> as_pair([1, 2.5], "two numbers, (a, b)")
    (1.0, 2.5)
    >>> as_pair(3, "two numbers, (a, b)")
    Not yet: the answer should be two numbers, (a, b).
    """
    if _is_unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, (str, bytes, Mapping, set, frozenset)) or not isinstance(
        answer, Iterable
    ):
        return Feedback(False, f"the answer should be {expected}.")
    values = [as_scalar(v) for v in answer]
    if len(values) != 2 or values[0] is None or values[1] is None:
        return Feedback(False, f"the answer should be {expected}.")
    return values[0], values[1]


def check_number(
    answer: object,
    expected: float,
    *,
    hints: Mapping[float, str] | None = None,
    praise: str = "well done.",
    tolerance: float = 1e-9,
) -> Feedback:
    """Compare a numeric answer with ``expected``; a known wrong value gets its own hint.

    >>> check_number(10, 12, hints={10: "did you forget the bias?"})
    Not yet: did you forget the bias?
    """
    number = as_number(answer)
    if isinstance(number, Feedback):
        return number
    tolerance = max(tolerance, _precision(answer))
    if abs(number - expected) <= tolerance * max(1.0, abs(expected)):
        return Feedback(True, praise)
    for wrong, hint in (hints or {}).items():
        if abs(number - wrong) <= tolerance * max(1.0, abs(wrong)):
            return Feedback(False, hint)
    direction = "too large" if number > expected else "too small"
    return Feedback(False, f"{number:g} is {direction}; go through the calculation again.")


def check_tuple(
    answer: object,
    expected: tuple[int, ...],
    *,
    hints: Mapping[tuple[int, ...], str] | None = None,
    praise: str = "well done.",
) -> Feedback:
    """Compare a tuple of integers, such as a shape, with ``expected``.

    >>> check_tuple((28, 28, 3), (28, 28, 8), hints={(28, 28, 3): "count the filters."})
    Not yet: count the filters.
    """
    if _is_unanswered(answer):
        return NOT_ANSWERED
    given = as_integers(answer)
    if isinstance(given, str):
        return Feedback(False, f"the answer should be a tuple of {len(expected)} integers: {given}")
    if given == expected:
        return Feedback(True, praise)
    if given in (hints or {}):
        return Feedback(False, (hints or {})[given])
    if len(given) != len(expected):
        return Feedback(False, f"the answer should have {len(expected)} numbers, not {len(given)}.")
    wrong = [i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b]
    return Feedback(
        False,
        f"the number{'s' if len(wrong) > 1 else ''} at position "
        f"{', '.join(map(str, wrong))} {'are' if len(wrong) > 1 else 'is'} off.",
    )


def check_array(
    answer: object,
    expected: NDArray[np.floating],
    *,
    hints: Mapping[str, tuple[NDArray[np.floating], str]] | None = None,
    praise: str = "well done.",
    atol: float = 1e-6,
) -> Feedback:
    """Compare an array answer with ``expected``: shape first, then values.

    ``hints`` maps a mistake's name to ``(the array that mistake gives, its hint)``. When the
    values are wrong and no hint matches, the feedback says how many entries are off and where
    the first one is, but not what it should be.

    >>> check_array([[1, 2], [3, 5]], np.array([[1, 2], [3, 4]]))
    Not yet: 1 of 4 values is wrong, the first at position (1, 1).
    """
    if _is_unanswered(answer):
        return NOT_ANSWERED
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, "the answer should be an array of numbers (a list of lists).")
    if isinstance(answer, (str, bytes)) or np.asarray(answer).dtype.kind == "b":
        return Feedback(False, "the answer should be an array of numbers (a list of lists).")
    if not np.all(np.isfinite(values)):
        return Feedback(
            False, "the answer holds values that are not finite numbers (NaN or infinity)."
        )
    if values.shape == expected.shape and np.allclose(values, expected, atol=atol, rtol=0):
        return Feedback(True, praise)
    for mistake, hint in (hints or {}).values():
        if mistake.shape == values.shape and np.allclose(values, mistake, atol=atol, rtol=0):
            return Feedback(False, hint)
    if values.shape != expected.shape:
        return Feedback(
            False, f"the shape should be {expected.shape}, but the answer has shape {values.shape}."
        )
    wrong = ~np.isclose(values, expected, atol=atol, rtol=0)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    count = int(wrong.sum())
    return Feedback(
        False,
        f"{count} of {values.size} value{'s' if values.size > 1 else ''} "
        f"{'are' if count > 1 else 'is'} wrong, the first at position {first}.",
    )
