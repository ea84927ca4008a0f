"""The claim registry (benchmarks/claims.py): its evaluator, and every claim on the stored runs.

Each chapter's comparative sentences are registered as inequalities over its glued values. The
stored notebooks are the runs the book shows: every claim must hold on them.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import claims  # noqa: E402  (from benchmarks/, put on the path above)

NOTEBOOKS = {
    4: "04_first_convnet.ipynb",
    5: "05_overfitting.ipynb",
    7: "07_autoencoders.ipynb",
    8: "08_lenet_gap_cam.ipynb",
}


def test_every_registered_chapter_has_a_stored_notebook():
    assert {claim.chapter for claim in claims.CLAIMS} - {0} == set(NOTEBOOKS)


@pytest.mark.parametrize(
    "claim", [c for c in claims.CLAIMS if c.chapter], ids=lambda c: f"ch{c.chapter}: {c.text}"
)
def test_claim_holds_on_the_stored_notebook(claim):
    glued = claims.stored_glue(ROOT / "book" / NOTEBOOKS[claim.chapter])
    missing = claim.glue_keys() - set(glued)
    assert not missing, f"the chapter glues none of {sorted(missing)}"
    assert claims.holds(claim, glued), {key: glued[key] for key in claim.glue_keys()}


def test_claim_texts_are_unique_within_a_chapter():
    texts = [(claim.chapter, claim.text) for claim in claims.CLAIMS]
    assert len(texts) == len(set(texts))


def test_stored_glue_reads_numbers_and_strings():
    glued = claims.stored_glue(ROOT / "book" / NOTEBOOKS[5])
    assert glued["ch5_epochs"] == 40
    assert isinstance(glued["ch5_smallest_gap_model"], str)
    assert 0 < glued["ch5_augdrop_best_val_accuracy"] < 1


def test_chained_comparisons_and_functions():
    claim = claims.Claim(9, "x", "0 < a - b < 0.03 and max(a, b) == a and abs(-b) == b")
    assert claims.holds(claim, {"a": 0.945, "b": 0.933})
    assert not claims.holds(claim, {"a": 0.99, "b": 0.933})
    assert not claims.holds(claim, {"a": 0.93, "b": 0.933})
    assert claim.glue_keys() == {"a", "b"}


def test_a_nan_never_satisfies_a_claim():
    assert not claims.holds(claims.Claim(9, "x", "a < 1"), {"a": math.nan})
    assert not claims.holds(claims.Claim(9, "x", "a != 1"), {"a": math.nan})


def test_evaluate_says_none_for_a_claim_it_cannot_read():
    assert claims.evaluate(0, {"a": 1.0}) == {"a beats b": None}
    assert claims.evaluate(0, {"a": 1.0, "b": 2.0}) == {"a beats b": False}


@pytest.mark.parametrize(
    "expression", ["__import__('os')", "a.real > 0", "[a][0] > 0", "a ** 2 > 0", "a if b else c"]
)
def test_anything_but_arithmetic_and_comparisons_is_rejected(expression):
    with pytest.raises(ValueError, match="claims may not use"):
        claims.holds(claims.Claim(9, "x", expression), {"a": 1.0, "b": 1.0, "c": 1.0})


def test_a_missing_key_is_an_error_not_a_verdict():
    with pytest.raises(KeyError, match="b"):
        claims.holds(claims.Claim(9, "x", "a > b"), {"a": 1.0})
