"""Answer checkers for the chapters' exercises.

Each chapter has a module of checkers; an exercise cell ends with a call such as
``check.second_layer_params(answer)``. The checker says at once whether the answer is right
and, if it is not, what kind of mistake it looks like, without giving the answer away:

>>> from cnnlib.exercises import chapter1 as check
>>> check.second_layer_params(4608)
Not yet: that is the count without the biases: each filter also learns one bias.
>>> check.second_layer_params(4640).correct
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


class Unanswered(Feedback):
    """The verdict on an exercise cell still holding ``None``: not correct, and in a notebook it
    shows nothing, so that the book's page shows each exercise cell without an output.

    Printed or shown in a plain Python shell it still says what to do.

    >>> NOT_ANSWERED
    Not yet: replace None with your answer and run the cell again.
    >>> NOT_ANSWERED._ipython_display_() is None
    True
    """

    def _ipython_display_(self) -> None:
        """IPython calls this instead of showing the value: an unanswered cell stays blank."""


#: What every checker returns for ``None`` (or ``...``): the exercise cell as the book shows it.
NOT_ANSWERED = Unanswered(False, "replace None with your answer and run the cell again.")


def _is_unanswered(answer: object) -> bool:
    return answer is None or answer is Ellipsis


def as_number(answer: object) -> float | Feedback:
    """``answer`` as a float, or the feedback for an answer that is missing or not a number.

    Checkers that judge a number by their own rules start with it.

    >>> as_number(3), as_number(None) is NOT_ANSWERED, as_number("3")
    (3.0, True, Not yet: the answer should be a number, got str.)
    """
    if _is_unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        return Feedback(False, f"the answer should be a number, got {type(answer).__name__}.")
    return float(answer)


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


def as_fraction(answer: object, what: str) -> float | Feedback:
    """``answer`` as a float between 0 and 1, or the feedback of :func:`as_number` or
    :func:`fraction_feedback` (``what``: "accuracy", "share").

    >>> as_fraction(0.5, "share"), as_fraction(50, "share")
    (0.5, Not yet: give the share as a fraction between 0 and 1, not as a percentage.)
    """
    number = as_number(answer)
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
    if (
        not isinstance(answer, (tuple, list))
        or len(answer) != 2
        or any(
            isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
            for v in answer
        )
    ):
        return Feedback(False, f"the answer should be {expected}.")
    return float(answer[0]), float(answer[1])


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
    if abs(number - expected) <= tolerance * max(1.0, abs(expected)):
        return Feedback(True, praise)
    for wrong, hint in (hints or {}).items():
        if abs(number - wrong) <= tolerance * max(1.0, abs(wrong)):
            return Feedback(False, hint)
    direction = "too large" if number > expected else "too small"
    return Feedback(False, f"{answer} is {direction}; go through the calculation again.")


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
    if not isinstance(answer, (tuple, list)) or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in answer
    ):
        return Feedback(False, f"the answer should be a tuple of {len(expected)} integers.")
    given = tuple(int(v) for v in answer)
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
